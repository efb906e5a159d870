//! The event dispatcher: one multiplexing syscall behind one trait.
//!
//! Course counterpart: `lib/event_dispatcher.h`, a table of function pointers (`init`, `add`,
//! `del`, `update`, `dispatch`, `clear`) with `poll_dispatcher.c` and `epoll_dispatcher.c`
//! behind it, chosen at *compile* time by `config.h`, so on Linux the "poll" lectures really
//! ran on epoll. muduo counterpart: `Poller`, `PollPoller`, `EPollPoller`.
//!
//! Here the choice is a runtime value, [`DispatcherKind`], and lecture 32's exercise, a
//! `select` dispatcher, is the third implementation. All three are level-triggered: a
//! descriptor that still has unread data is reported again on the next wait, so a handler
//! may read once per event (the muduo and course convention).
//!
//! A dispatcher never owns descriptors. The loop registers a descriptor before handing out
//! its token and always deregisters it *before* the descriptor is closed, so the raw
//! numbers kept by [`PollDispatcher`] and [`SelectDispatcher`] always name open files.

mod epoll;
mod poll;
mod select;

pub use epoll::EpollDispatcher;
pub use poll::PollDispatcher;
pub use select::SelectDispatcher;

use std::fmt;
use std::io;
use std::os::fd::BorrowedFd;
use std::str::FromStr;
use std::time::Duration;

use crate::channel::{Interest, Ready, Token};

/// The operations every dispatcher provides. Implementations live on their loop's thread.
pub trait Dispatcher {
    /// The name the course logs: `poll`, `epoll` or `select`.
    fn name(&self) -> &'static str;

    /// Starts watching `fd` for `interest`; events for it will carry `token`.
    ///
    /// # Errors
    /// The syscall's error, or `InvalidInput` when the dispatcher cannot watch this
    /// descriptor (select's `FD_SETSIZE`).
    fn add(&mut self, fd: BorrowedFd<'_>, token: Token, interest: Interest) -> io::Result<()>;

    /// Changes the interest of a registered descriptor.
    ///
    /// # Errors
    /// The syscall's error, or `NotFound` if `fd` is not registered.
    fn update(&mut self, fd: BorrowedFd<'_>, token: Token, interest: Interest) -> io::Result<()>;

    /// Stops watching `fd`. Must be called before `fd` is closed.
    ///
    /// # Errors
    /// The syscall's error, or `NotFound` if `fd` is not registered.
    fn remove(&mut self, fd: BorrowedFd<'_>) -> io::Result<()>;

    /// Waits up to `timeout` (`None`: forever) and appends one [`Event`] per ready
    /// descriptor to `events`. One multiplexing syscall per call; `EINTR` returns no events.
    ///
    /// # Errors
    /// The syscall's error other than `EINTR`.
    fn dispatch(&mut self, timeout: Option<Duration>, events: &mut Vec<Event>) -> io::Result<()>;
}

/// One ready descriptor, as a dispatcher reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// The token the descriptor was registered with.
    pub token: Token,
    /// What is ready.
    pub ready: Ready,
}

/// Which multiplexing syscall a loop uses: `--dispatcher poll|epoll|select` in the chapters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DispatcherKind {
    /// poll(2): the interest array is passed in full on every call (lectures 21, 27, 28).
    Poll,
    /// epoll(7): the interest set lives in the kernel; only ready fds come back (lecture 29).
    #[default]
    Epoll,
    /// select(2): bit sets rebuilt on every call, descriptors below `FD_SETSIZE` (1024)
    /// only (lecture 20; lecture 32's exercise).
    Select,
}

impl DispatcherKind {
    /// Creates a dispatcher of this kind. Call it on the thread that will own the loop.
    ///
    /// # Errors
    /// `epoll_create1`'s error for epoll; the others cannot fail.
    pub fn create(self) -> io::Result<Box<dyn Dispatcher>> {
        Ok(match self {
            DispatcherKind::Poll => Box::new(PollDispatcher::new()),
            DispatcherKind::Epoll => Box::new(EpollDispatcher::new()?),
            DispatcherKind::Select => Box::new(SelectDispatcher::new()),
        })
    }

    /// `poll`, `epoll` or `select`.
    pub fn name(self) -> &'static str {
        match self {
            DispatcherKind::Poll => "poll",
            DispatcherKind::Epoll => "epoll",
            DispatcherKind::Select => "select",
        }
    }
}

impl fmt::Display for DispatcherKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DispatcherKind {
    type Err = String;

    /// Parses `poll`, `epoll` or `select`, so clap can take `--dispatcher epoll`.
    fn from_str(s: &str) -> Result<DispatcherKind, String> {
        match s {
            "poll" => Ok(DispatcherKind::Poll),
            "epoll" => Ok(DispatcherKind::Epoll),
            "select" => Ok(DispatcherKind::Select),
            other => Err(format!(
                "unknown dispatcher {other:?}: expected poll, epoll or select"
            )),
        }
    }
}

/// A timeout in whole milliseconds for poll and epoll_wait, rounded *up*: rounding down
/// would wake the loop a little before a timer is due, find nothing to do and wait again
/// with a zero timeout, a short busy loop before every timer.
pub(crate) fn timeout_millis(timeout: Option<Duration>) -> i32 {
    match timeout {
        None => -1,
        Some(d) => {
            let micros = d.as_micros();
            let millis = micros.div_ceil(1000);
            i32::try_from(millis).unwrap_or(i32::MAX)
        }
    }
}

/// `NotFound` for an update or removal of a descriptor the dispatcher does not watch.
pub(crate) fn not_registered(fd: i32) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("fd {fd} is not registered with this dispatcher"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn parses_the_three_names() {
        for kind in [
            DispatcherKind::Poll,
            DispatcherKind::Epoll,
            DispatcherKind::Select,
        ] {
            assert_eq!(kind.name().parse::<DispatcherKind>(), Ok(kind));
        }
        assert!("kqueue".parse::<DispatcherKind>().is_err());
    }

    #[test]
    fn timeouts_round_up() {
        assert_eq!(timeout_millis(None), -1);
        assert_eq!(timeout_millis(Some(Duration::ZERO)), 0);
        assert_eq!(timeout_millis(Some(Duration::from_micros(1))), 1);
        assert_eq!(timeout_millis(Some(Duration::from_millis(5))), 5);
        assert_eq!(
            timeout_millis(Some(Duration::from_secs(u64::MAX))),
            i32::MAX
        );
    }

    /// The same behaviour from each dispatcher: level-triggered readiness with the token it
    /// was registered with, interest changes, removal, and a timeout with nothing ready.
    #[test]
    fn every_dispatcher_reports_level_triggered_readiness() {
        for kind in [
            DispatcherKind::Poll,
            DispatcherKind::Epoll,
            DispatcherKind::Select,
        ] {
            let mut d = kind.create().unwrap();
            let (mut a, b) = UnixStream::pair().unwrap();
            let token = Token::new(1, 9);
            d.add(b.as_fd(), token, Interest::READ).unwrap();
            let mut events = Vec::new();
            d.dispatch(Some(Duration::ZERO), &mut events).unwrap();
            assert!(events.is_empty(), "{kind}: nothing written yet");

            a.write_all(b"x").unwrap();
            for _ in 0..2 {
                events.clear();
                d.dispatch(Some(Duration::from_secs(1)), &mut events)
                    .unwrap();
                assert_eq!(events.len(), 1, "{kind}: unread data is reported again");
                assert_eq!(events[0].token, token);
                assert!(events[0].ready.readable && !events[0].ready.writable);
            }

            d.update(b.as_fd(), token, Interest::READ_WRITE).unwrap();
            events.clear();
            d.dispatch(Some(Duration::from_secs(1)), &mut events)
                .unwrap();
            assert!(
                events[0].ready.readable && events[0].ready.writable,
                "{kind}"
            );

            d.remove(b.as_fd()).unwrap();
            events.clear();
            d.dispatch(Some(Duration::ZERO), &mut events).unwrap();
            assert!(events.is_empty(), "{kind}: removed");
            assert!(d.remove(b.as_fd()).is_err(), "{kind}: removing twice fails");
        }
    }

    /// A peer that goes away is reported as readable (read then returns EOF) by every
    /// dispatcher, and as a hang-up by poll and epoll, which can tell. The C poll
    /// dispatcher dropped POLLHUP-only events on the floor.
    #[test]
    fn hang_ups_are_reported() {
        for kind in [
            DispatcherKind::Poll,
            DispatcherKind::Epoll,
            DispatcherKind::Select,
        ] {
            let mut d = kind.create().unwrap();
            let (a, b) = UnixStream::pair().unwrap();
            d.add(b.as_fd(), Token::new(0, 0), Interest::READ).unwrap();
            drop(a);
            let mut events = Vec::new();
            d.dispatch(Some(Duration::from_secs(1)), &mut events)
                .unwrap();
            assert_eq!(events.len(), 1, "{kind}");
            assert!(events[0].ready.readable, "{kind}");
            if kind != DispatcherKind::Select {
                assert!(events[0].ready.hup, "{kind}");
            }
        }
    }
}
