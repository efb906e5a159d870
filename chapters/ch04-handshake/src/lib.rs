//! Lecture 04: the calls that set up a TCP connection, and how `connect` fails.
//!
//! - [`make_socket`] is the lecture's `make_socket`: `socket(2)` then `bind(2)`, printing the
//!   address structure the kernel receives, byte by byte, so network byte order is visible.
//! - [`connect`] provokes `connect(2)`'s failures on loopback (a refused port, a listener
//!   whose accept queue is full) and explains each error a learner can meet.

pub mod connect;
pub mod make_socket;
