//! The select dispatcher: lecture 32's exercise (course lecture 20 for select itself).
//!
//! select(2) takes three bit sets that it *overwrites* with the result, so they are rebuilt
//! from the registration list before every call: the lesson of lecture 20. The sets are
//! fixed-size bitmaps of `FD_SETSIZE` (1024) bits; a descriptor numbered 1024 or more cannot
//! be watched at all, and [`SelectDispatcher::add`] refuses it rather than corrupt memory.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::Duration;

use super::{Dispatcher, Event, not_registered};
use crate::channel::{Interest, Ready, Token};

/// The registered descriptors, in registration order.
#[derive(Default)]
pub struct SelectDispatcher {
    entries: Vec<(i32, Token, Interest)>,
}

impl SelectDispatcher {
    /// An empty dispatcher. Loop thread.
    pub fn new() -> SelectDispatcher {
        SelectDispatcher::default()
    }

    fn position(&self, fd: i32) -> Option<usize> {
        self.entries.iter().position(|e| e.0 == fd)
    }
}

/// An empty `fd_set`.
fn empty_set() -> libc::fd_set {
    let mut set = MaybeUninit::<libc::fd_set>::uninit();
    // SAFETY: FD_ZERO initialises every bit of the set it is given.
    unsafe {
        libc::FD_ZERO(set.as_mut_ptr());
        set.assume_init()
    }
}

impl Dispatcher for SelectDispatcher {
    fn name(&self) -> &'static str {
        "select"
    }

    fn add(&mut self, fd: BorrowedFd<'_>, token: Token, interest: Interest) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        if raw as usize >= libc::FD_SETSIZE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "fd {raw} is not below FD_SETSIZE ({}): select cannot watch it",
                    libc::FD_SETSIZE
                ),
            ));
        }
        if self.position(raw).is_some() {
            return Err(io::Error::from_raw_os_error(libc::EEXIST));
        }
        self.entries.push((raw, token, interest));
        Ok(())
    }

    fn update(&mut self, fd: BorrowedFd<'_>, token: Token, interest: Interest) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        let i = self.position(raw).ok_or_else(|| not_registered(raw))?;
        self.entries[i] = (raw, token, interest);
        Ok(())
    }

    fn remove(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        let i = self.position(raw).ok_or_else(|| not_registered(raw))?;
        self.entries.swap_remove(i);
        Ok(())
    }

    fn dispatch(&mut self, timeout: Option<Duration>, events: &mut Vec<Event>) -> io::Result<()> {
        let mut read = empty_set();
        let mut write = empty_set();
        // Errors show up as "readable" (a read then returns the error), so select's third
        // set, for out-of-band data, is not needed.
        let mut max_fd = -1;
        for &(fd, _, interest) in &self.entries {
            // SAFETY: `add` admitted only descriptors below FD_SETSIZE, and both sets are
            // initialised.
            unsafe {
                if interest.read {
                    libc::FD_SET(fd, &mut read);
                }
                if interest.write {
                    libc::FD_SET(fd, &mut write);
                }
            }
            max_fd = max_fd.max(fd);
        }
        let mut tv = timeout.map(|d| libc::timeval {
            tv_sec: d.as_secs().min(i32::MAX as u64) as libc::time_t,
            tv_usec: libc::suseconds_t::from(d.subsec_micros()),
        });
        let tv_ptr = tv
            .as_mut()
            .map_or(std::ptr::null_mut(), |tv| tv as *mut libc::timeval);
        // SAFETY: the sets and the timeval are live and initialised for the whole call;
        // select(2) reads and overwrites them and keeps no reference afterwards.
        let n = unsafe {
            libc::select(
                max_fd + 1,
                &mut read,
                &mut write,
                std::ptr::null_mut(),
                tv_ptr,
            )
        };
        if n < 0 {
            let err = io::Error::last_os_error();
            return match err.kind() {
                io::ErrorKind::Interrupted => Ok(()),
                _ => Err(err),
            };
        }
        for &(fd, token, _) in &self.entries {
            // SAFETY: fd is below FD_SETSIZE and the sets are initialised.
            let (readable, writable) =
                unsafe { (libc::FD_ISSET(fd, &read), libc::FD_ISSET(fd, &write)) };
            if readable || writable {
                events.push(Event {
                    token,
                    ready: Ready {
                        readable,
                        writable,
                        ..Ready::default()
                    },
                });
            }
        }
        Ok(())
    }
}
