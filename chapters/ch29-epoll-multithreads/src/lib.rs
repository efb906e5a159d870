//! Lecture 29: the rot13 server with a main reactor and sub-reactor threads on epoll.
//!
//! The same four callbacks as lectures 27 and 28, re-used from [`ch27`] (the C sources of
//! 28 and 29 are byte-for-byte the same file; only the build-time dispatcher differed).
//! Here the dispatcher is a flag. This chapter's tests are also the framework's regression
//! suite: one test per defect of the C framework, run against every dispatcher.
//!
//! With logging on, the callbacks print the course's lines (`connection completed`,
//! `get message from tcp connection connection-N`, the message, `write completed`,
//! `connection closed`) among the framework's `[msg]` lines.

pub use ch27::{Session, rot13_server};
