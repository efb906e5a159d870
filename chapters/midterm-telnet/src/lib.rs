//! The midterm project: a line-based "remote shell" with four commands, and no shell.
//!
//! [`server`] is `telnet-server`: clients one after another, each with its own working
//! directory; commands match whole lines only. [`client`] is `telnet-client`: poll(2) on
//! stdin and the socket, `quit` half-closes.

pub mod client;
pub mod server;
