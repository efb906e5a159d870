//! Lecture 22: non-blocking I/O, and what every call can answer.
//!
//! - [`server`] is `nonblockingserver`: the rot13 line service on `select` with
//!   non-blocking sockets and a buffer per connection.
//! - [`connect`] has `nonblockingclient` (connect, then close with RST) and
//!   `nonblockingconnect` (a `connect` with a timeout, `EINPROGRESS` and `SO_ERROR`).
//! - [`errno_tour`] is `errnotour`: WouldBlock, a partial write, EOF, ECONNRESET, EPIPE and
//!   EINTR, each made to happen on loopback and explained.
//! - [`busy_poll`] is `busypoll`: the counter-example that spins instead of waiting.
//! - [`conn`] is one client's buffer; [`common::Acceptor`] keeps accepting safe when the process runs
//!   out of file descriptors.

pub mod busy_poll;
pub mod conn;
pub mod connect;
pub mod errno_tour;
pub mod server;

pub use server::{ServerOptions, serve};
