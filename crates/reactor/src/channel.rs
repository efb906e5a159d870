//! What the loop knows about one registered descriptor: its [`Token`], its [`Interest`] and
//! the [`Ready`] set a dispatcher reports for it.
//!
//! Course counterpart: `lib/channel.c` (`struct channel { fd, events, read/write callbacks,
//! void *data }`). muduo counterpart: `Channel`. The C channel carried a `void *data` that
//! one function cast to the wrong type (the partial-write deadlock, lecture 35). Here a
//! channel is identified by a [`Token`], a plain number the kernel hands back in
//! `epoll_event.data` (as mio does), and the loop finds the handler from it: nothing is ever
//! cast.

use std::fmt;

/// Identifies one registered handler: a slot index in the loop's channel map plus a
/// generation that changes every time the slot is reused.
///
/// The token is what the dispatcher stores in the kernel (`epoll_event.data.u64`), so a
/// readiness event that was already queued when its connection closed carries the *old*
/// generation. The loop compares it with the slot's current generation and drops the event:
/// the C framework's stale `channel_map` entry after EPOLLHUP cannot happen.
///
/// Any thread may copy and compare tokens; only the owning loop can resolve one.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token(pub(crate) u64);

impl Token {
    /// A token from a raw number, for using a [`crate::dispatcher::Dispatcher`] on its own
    /// (inside a loop, the loop chooses tokens). Any thread.
    pub fn from_raw(raw: u64) -> Token {
        Token(raw)
    }

    /// The number stored in the kernel (`epoll_event.data.u64`). Any thread.
    pub fn raw(self) -> u64 {
        self.0
    }

    pub(crate) fn new(index: u32, generation: u32) -> Token {
        Token((u64::from(generation) << 32) | u64::from(index))
    }

    pub(crate) fn index(self) -> usize {
        (self.0 & 0xffff_ffff) as usize
    }

    pub(crate) fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({}#{})", self.index(), self.generation())
    }
}

/// The events a handler wants to hear about: the course's `EVENT_READ` and `EVENT_WRITE`.
///
/// Errors and hang-ups are always reported, whatever the interest (epoll_ctl(2): "epoll_wait
/// will always wait for this event; it is not necessary to set it in events").
/// Plain data, usable on any thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interest {
    /// Wake up when the descriptor is readable (`POLLIN` / `EPOLLIN`).
    pub read: bool,
    /// Wake up when the descriptor is writable (`POLLOUT` / `EPOLLOUT`). Level-triggered, so
    /// a connection asks for it only while output is queued, or it would wake forever.
    pub write: bool,
}

impl Interest {
    /// Readable only: what every connection starts with.
    pub const READ: Interest = Interest {
        read: true,
        write: false,
    };
    /// Readable and writable: a connection with output queued.
    pub const READ_WRITE: Interest = Interest {
        read: true,
        write: true,
    };
    /// Writable only: a connection whose peer half-closed while output is still queued.
    pub const WRITE: Interest = Interest {
        read: false,
        write: true,
    };
    /// Nothing but errors and hang-ups: a paused listener.
    pub const NONE: Interest = Interest {
        read: false,
        write: false,
    };
}

/// What a dispatcher saw for one descriptor in one wait. Plain data, usable on any thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ready {
    /// Data (or EOF, or a pending connection) can be read without blocking.
    pub readable: bool,
    /// There is room in the send buffer.
    pub writable: bool,
    /// The peer hung up (`POLLHUP` / `EPOLLHUP`): both directions are finished.
    pub hup: bool,
    /// An error is pending on the socket (`POLLERR` / `EPOLLERR`, or `POLLNVAL`).
    pub error: bool,
}

impl Ready {
    /// The course's `revents` number in `activate channel` log lines: `EVENT_READ` is 2 and
    /// `EVENT_WRITE` is 4 (`lib/channel.h`). A hang-up or error counts as readable, because
    /// that is how the handler learns about it: `read` returns 0 or the error.
    pub fn course_revents(self) -> u8 {
        let mut revents = 0;
        if self.readable || self.hup || self.error {
            revents |= 2;
        }
        if self.writable {
            revents |= 4;
        }
        revents
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_packs_index_and_generation() {
        let t = Token::new(7, 3);
        assert_eq!(t.index(), 7);
        assert_eq!(t.generation(), 3);
        assert_ne!(t, Token::new(7, 4), "a reused slot gets a different token");
    }

    #[test]
    fn revents_match_the_course_numbers() {
        let read = Ready {
            readable: true,
            ..Ready::default()
        };
        let write = Ready {
            writable: true,
            ..Ready::default()
        };
        let hup = Ready {
            hup: true,
            ..Ready::default()
        };
        assert_eq!(read.course_revents(), 2);
        assert_eq!(write.course_revents(), 4);
        assert_eq!(hup.course_revents(), 2);
    }
}
