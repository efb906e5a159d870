//! The poll dispatcher (lectures 21, 27, 28; course `lib/poll_dispatcher.c`, muduo
//! `PollPoller`).
//!
//! The whole interest array goes to the kernel on every call and the whole array is scanned
//! afterwards: cost grows with the number of *registered* descriptors, not ready ones.
//!
//! The C version had a fixed array of 1024 slots (a full loop silently never served new
//! connections), scanned one slot past its end, and ignored `POLLHUP`/`POLLERR`. This one
//! grows, keeps the array dense (a removal moves the last entry into the hole), finds a
//! descriptor's slot through an fd-indexed table, and reports hang-ups and errors.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::Duration;

use super::{Dispatcher, Event, not_registered, timeout_millis};
use crate::channel::{Interest, Ready, Token};

/// The `pollfd` array, the token of each entry, and where each fd sits in the array.
#[derive(Default)]
pub struct PollDispatcher {
    fds: Vec<libc::pollfd>,
    tokens: Vec<Token>,
    /// `slot_of[fd]` is the index of fd's entry in `fds`. Indexed by descriptor number and
    /// grown by doubling, like the course's `channel_map` (lecture 35): descriptors are
    /// small dense integers, so an array beats a hash map.
    slot_of: Vec<Option<usize>>,
}

impl PollDispatcher {
    /// An empty dispatcher. Loop thread.
    pub fn new() -> PollDispatcher {
        PollDispatcher::default()
    }

    fn slot(&self, fd: i32) -> Option<usize> {
        self.slot_of
            .get(usize::try_from(fd).ok()?)
            .copied()
            .flatten()
    }
}

fn events(interest: Interest) -> libc::c_short {
    let mut events = 0;
    if interest.read {
        events |= libc::POLLIN | libc::POLLPRI;
    }
    if interest.write {
        events |= libc::POLLOUT;
    }
    events
}

impl Dispatcher for PollDispatcher {
    fn name(&self) -> &'static str {
        "poll"
    }

    fn add(&mut self, fd: BorrowedFd<'_>, token: Token, interest: Interest) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        if self.slot(raw).is_some() {
            return Err(io::Error::from_raw_os_error(libc::EEXIST));
        }
        let index = raw as usize;
        if index >= self.slot_of.len() {
            let size = (index + 1).next_power_of_two().max(32);
            self.slot_of.resize(size, None);
        }
        self.slot_of[index] = Some(self.fds.len());
        self.fds.push(libc::pollfd {
            fd: raw,
            events: events(interest),
            revents: 0,
        });
        self.tokens.push(token);
        Ok(())
    }

    fn update(&mut self, fd: BorrowedFd<'_>, token: Token, interest: Interest) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        let slot = self.slot(raw).ok_or_else(|| not_registered(raw))?;
        self.fds[slot].events = events(interest);
        self.tokens[slot] = token;
        Ok(())
    }

    fn remove(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        let slot = self.slot(raw).ok_or_else(|| not_registered(raw))?;
        self.slot_of[raw as usize] = None;
        self.fds.swap_remove(slot);
        self.tokens.swap_remove(slot);
        if let Some(moved) = self.fds.get(slot) {
            self.slot_of[moved.fd as usize] = Some(slot);
        }
        Ok(())
    }

    fn dispatch(&mut self, timeout: Option<Duration>, events: &mut Vec<Event>) -> io::Result<()> {
        // SAFETY: `fds` is a live, initialised array of `fds.len()` pollfd structs; poll(2)
        // writes only their `revents` fields, and only during this call.
        let n = unsafe {
            libc::poll(
                self.fds.as_mut_ptr(),
                self.fds.len() as libc::nfds_t,
                timeout_millis(timeout),
            )
        };
        if n < 0 {
            let err = io::Error::last_os_error();
            return match err.kind() {
                io::ErrorKind::Interrupted => Ok(()),
                _ => Err(err),
            };
        }
        let mut left = n as usize;
        for (pfd, token) in self.fds.iter().zip(&self.tokens) {
            if left == 0 {
                break;
            }
            let r = pfd.revents;
            if r == 0 {
                continue;
            }
            left -= 1;
            events.push(Event {
                token: *token,
                ready: Ready {
                    readable: r & (libc::POLLIN | libc::POLLPRI) != 0,
                    writable: r & libc::POLLOUT != 0,
                    hup: r & libc::POLLHUP != 0,
                    error: r & (libc::POLLERR | libc::POLLNVAL) != 0,
                },
            });
        }
        Ok(())
    }
}
