//! Lecture 31: epoll's kernel internals (fs/eventpoll.c), seen from user space.
//!
//! The lecture reads the kernel source; this chapter makes its consequences observable:
//!
//! - [`facts`]: what `epoll_create`, `epoll_ctl` and `epoll_wait` do that follows from the
//!   code (an anonymous `[eventpoll]` file, EEXIST from the red-black tree lookup, EPERM for a
//!   file without `poll`, EPOLLHUP reported unasked, LT items put back on the ready list);
//! - [`server`]: a rot13 reactor whose `--trigger lt|et` and `--read-size` let `strace -c`
//!   count how often level-triggering wakes `epoll_wait` for the same bytes.

pub mod facts;
pub mod server;
