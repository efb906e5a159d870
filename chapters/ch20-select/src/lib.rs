//! Lecture 20: `select`, one thread watching several descriptors at once.
//!
//! - [`client`] is `select01`: a client that waits on stdin and its socket together.
//! - [`server`] is `selectserver`: the rot13 line service for many clients on one thread,
//!   re-arming its fd sets before every `select` and refusing clients past its limit.
//! - [`conn`] is one client's buffered state; [`common::Acceptor`] keeps accepting safe when the
//!   process runs out of file descriptors.

pub mod client;
pub mod conn;
pub mod server;

pub use server::{ServerOptions, serve};
