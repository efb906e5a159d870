//! The course's `lib/common.h`, done right.
//!
//! Every chapter of 网络编程实战 includes the same small C library: `readn`, `readline`,
//! `read_message`, `tcp_server_listen`, `tcp_client`, `make_nonblocking` and a few constants.
//! This crate is that library in Rust, with the C version's defects removed:
//!
//! - [`readn`] reports EOF in the middle of a record instead of returning a short count that
//!   callers forget to check;
//! - [`LineReader`] keeps the bytes that follow a line for the next call (the C `readline`
//!   keeps them in a `static` buffer and then throws them away), accepts LF and CRLF, and
//!   refuses a line longer than its limit;
//! - [`read_message`] refuses a length header larger than the caller's buffer instead of
//!   waiting for bytes that will overflow it;
//! - [`make_nonblocking`] adds `O_NONBLOCK` to the file status flags instead of replacing them;
//! - [`Acceptor`] survives running out of file descriptors (EMFILE) without spinning, which
//!   the C servers never check for.
//!
//! Linux only: the lessons are about Linux's socket API (epoll, accept4, SO_REUSEPORT, ...).

#![warn(missing_docs)]

#[cfg(not(target_os = "linux"))]
compile_error!(
    "this workspace teaches Linux network programming (epoll, accept4, POSIX AIO, io_uring) \
     and builds only on Linux; use a Linux machine, VM or container"
);

mod accept;
mod cli;
mod io;
mod line;
mod message;
mod net;
mod rot13;

pub use accept::{Accepted, Acceptor, SHED_MESSAGE, SHORTAGE_PAUSE};
pub use cli::{ClientArgs, ServerArgs, announce};
pub use io::{readn, writen};
pub use line::LineReader;
pub use message::{MESSAGE_HEADER_LEN, Message, read_message, write_message};
pub use net::{make_nonblocking, tcp_client, tcp_server_listen};
pub use rot13::{rot13, rot13_in_place, rot13_lines};

/// The course's default port, `SERV_PORT` in `lib/common.h`.
pub const SERV_PORT: u16 = 43211;

/// The course's line and buffer size, `MAXLINE` in `lib/common.h`.
pub const MAXLINE: usize = 4096;

/// The course's listen backlog, `LISTENQ` in `lib/common.h`.
pub const LISTENQ: i32 = 1024;

/// The chapter-7 servers' buffer size, `BUFFER_SIZE` in `lib/common.h`.
pub const BUFFER_SIZE: usize = 4096;
