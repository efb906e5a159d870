//! Lecture 28: the rot13 server with a main reactor and sub-reactor threads on poll.
//!
//! The same four callbacks as lecture 27, re-used from [`ch27`] (the C sources of lectures
//! 28 and 29 are byte-for-byte the same file); only the options differ. The main thread's
//! loop only accepts; each new connection is handed, round-robin, to one of the `Thread-N`
//! loops, which then runs all of that connection's callbacks. Each chunk read is answered
//! at once with its rot13.
//!
//! With logging on, the callbacks print the course's lines (`connection completed`,
//! `get message from tcp connection connection-N`, the message, `write completed`,
//! `connection closed`) among the framework's `[msg]` lines.

pub use ch27::{Session, rot13_server};
