//! The epoll dispatcher (lecture 29; course `lib/epoll_dispatcher.c`, muduo `EPollPoller`).
//!
//! The interest set lives in the kernel and changes one `epoll_ctl` at a time; `epoll_wait`
//! returns only the ready descriptors. Level-triggered, as the course's is.
//!
//! The C version closed a descriptor itself on `EPOLLHUP`/`EPOLLERR` without telling the
//! loop, leaving a stale channel map entry that made the next connection with the same fd
//! number unservable. This one only *reports* hang-ups and errors; the owner of the
//! descriptor decides, and the loop deregisters before closing.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

use super::{Dispatcher, Event, timeout_millis};
use crate::channel::{Interest, Ready, Token};

/// How many events one `epoll_wait` can return at first; the buffer doubles (up to
/// [`MAX_EVENTS`]) whenever a wait fills it, as muduo's does.
const INITIAL_EVENTS: usize = 128;
const MAX_EVENTS: usize = 4096;

/// An epoll instance plus the reusable buffer `epoll_wait` fills.
pub struct EpollDispatcher {
    epoll: Epoll,
    ready: Vec<EpollEvent>,
}

impl EpollDispatcher {
    /// Creates the epoll instance (`epoll_create1(EPOLL_CLOEXEC)`). Loop thread.
    ///
    /// # Errors
    /// `epoll_create1`'s error, e.g. `EMFILE`.
    pub fn new() -> io::Result<EpollDispatcher> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        Ok(EpollDispatcher {
            epoll,
            ready: vec![EpollEvent::empty(); INITIAL_EVENTS],
        })
    }
}

fn flags(interest: Interest) -> EpollFlags {
    let mut flags = EpollFlags::empty();
    if interest.read {
        flags |= EpollFlags::EPOLLIN | EpollFlags::EPOLLPRI;
    }
    if interest.write {
        flags |= EpollFlags::EPOLLOUT;
    }
    flags
}

fn ready(flags: EpollFlags) -> Ready {
    Ready {
        readable: flags.intersects(EpollFlags::EPOLLIN | EpollFlags::EPOLLPRI),
        writable: flags.contains(EpollFlags::EPOLLOUT),
        hup: flags.contains(EpollFlags::EPOLLHUP),
        error: flags.contains(EpollFlags::EPOLLERR),
    }
}

impl Dispatcher for EpollDispatcher {
    fn name(&self) -> &'static str {
        "epoll"
    }

    fn add(&mut self, fd: BorrowedFd<'_>, token: Token, interest: Interest) -> io::Result<()> {
        // The token, not a pointer, goes into epoll_data: a late event can be checked.
        self.epoll
            .add(fd, EpollEvent::new(flags(interest), token.0))?;
        Ok(())
    }

    fn update(&mut self, fd: BorrowedFd<'_>, token: Token, interest: Interest) -> io::Result<()> {
        let mut event = EpollEvent::new(flags(interest), token.0);
        self.epoll.modify(fd, &mut event)?;
        Ok(())
    }

    fn remove(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        // A descriptor closed while still registered would be removed by the kernel only
        // when its last duplicate closes (epoll(7), Q6); the loop never lets that happen.
        match self.epoll.delete(fd) {
            Err(Errno::ENOENT) => Err(super::not_registered(fd.as_raw_fd())),
            other => Ok(other?),
        }
    }

    fn dispatch(&mut self, timeout: Option<Duration>, events: &mut Vec<Event>) -> io::Result<()> {
        let timeout = EpollTimeout::try_from(timeout_millis(timeout)).unwrap_or(EpollTimeout::MAX);
        let n = match self.epoll.wait(&mut self.ready, timeout) {
            Ok(n) => n,
            Err(Errno::EINTR) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        events.extend(self.ready[..n].iter().map(|e| Event {
            token: Token(e.data()),
            ready: ready(e.events()),
        }));
        if n == self.ready.len() && n < MAX_EVENTS {
            self.ready.resize(n * 2, EpollEvent::empty());
        }
        Ok(())
    }
}
