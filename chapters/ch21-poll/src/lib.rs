//! Lecture 21: `poll`, the same multiplexing as select without the 1024-descriptor ceiling.
//!
//! - [`server`] is `pollserver`: an echo server on one thread whose client table has a
//!   fixed size; a newcomer to a full table is told so and closed (the C exits instead).
//! - [`conn`] is one client's echo buffer; [`common::Acceptor`] keeps accepting safe when the process
//!   runs out of file descriptors.

pub mod conn;
pub mod server;

pub use server::{ServerOptions, serve};
