//! Lecture 30: asynchronous I/O and the proactor.
//!
//! - [`aio`]: POSIX AIO through nix (`aio01`), and the four ways to learn that a request is
//!   done: polling `aio_error`, `aio_suspend`, a signal, a callback thread.
//! - [`uring`]: io_uring, Linux's completion-based interface: a probe that says why it is
//!   unavailable, the same file demo (`uring-file`), and a proactor rot13 server
//!   (`uring-server`).
//! - [`load`]: a small load generator (`rot13-load`) to compare the proactor with an epoll
//!   reactor serving the same protocol.

pub mod aio;
pub mod load;
mod scratch;
pub mod uring;

pub use scratch::ScratchFile;
