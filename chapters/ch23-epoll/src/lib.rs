//! Lecture 23: epoll, level-triggered and edge-triggered.
//!
//! - [`server`] is `epoll01`: the rot13 service on epoll, edge-triggered by default and
//!   done right (accept and read until `WouldBlock`, every event of a batch handled,
//!   EPOLLOUT only while output is queued); `--mode lt` and the C's two mistakes
//!   (`--c-bug accept-once`, `--c-bug drop-batch`) are switches.
//! - [`watch`] is `epoll02` and `epoll03`: clients registered and never read, to count
//!   how often each mode reports the same unread bytes.
//! - [`conn`] is one client's buffer; [`common::Acceptor`] keeps accepting safe when the process
//!   runs out of file descriptors; [`Mode`] is the LT/ET switch.

pub mod conn;
mod mode;
pub mod server;
pub mod watch;

pub use mode::Mode;
pub use server::{CBug, ServerOptions, serve};
