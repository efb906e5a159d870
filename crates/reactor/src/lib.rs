//! The course's network framework (lectures 27-35), in Rust.
//!
//! 网络编程实战 builds a small reactor library in C (`lib/` of froghui/yolanda): event loops,
//! channels, poll and epoll dispatchers, an acceptor, buffers, TCP connections with four
//! callbacks, and a server with a main reactor and a pool of sub-reactor threads. This crate
//! is that library, shaped after muduo and mio, without the C version's defects (never
//! closed sockets, a deadlock on the first partial write, stale channel-map entries after
//! EPOLLHUP, per-connection context attached after hand-off, an unchecked `accept` that
//! spins on EMFILE), each of which is impossible here by construction.
//!
//! Layers, bottom to top (each uses only those below it):
//!
//! | module | course file | muduo |
//! |---|---|---|
//! | [`channel`] ([`Token`], [`Interest`], [`Ready`]) | `channel.c` | `Channel` |
//! | [`dispatcher`] (poll, epoll, select) | `event_dispatcher.h`, `poll_dispatcher.c`, `epoll_dispatcher.c` | `Poller` |
//! | [`EventLoop`], [`LoopHandle`], timers | `event_loop.c`, `channel_map.c` | `EventLoop`, `TimerQueue` |
//! | [`Buffer`] | `buffer.c` | `Buffer` |
//! | acceptor (internal) | `acceptor.c` | `Acceptor` |
//! | [`TcpConnection`] | `tcp_connection.c` | `TcpConnection` |
//! | [`EventLoopThread`], [`EventLoopThreadPool`] | `event_loop_thread.c`, `thread_pool.c` | `EventLoopThread(Pool)` |
//! | [`TcpServer`] | `tcp_server.c` | `TcpServer` |
//! | [`http`] | `http_server.c`, ... | `http/` |
//!
//! Which thread may call what: an [`EventLoop`] and everything borrowed from it (a
//! [`TcpConnection`] inside a callback) exist only on the loop's own thread; the compiler
//! enforces it, since neither is `Send`. [`LoopHandle`], [`ConnectionHandle`] and
//! [`ServerHandle`] are `Send + Sync` and may be used from any thread.
//!
//! ```no_run
//! use reactor::{ServerOptions, TcpServer};
//!
//! let mut server = TcpServer::new("127.0.0.1:0".parse().unwrap(), ServerOptions::default())?;
//! server.on_message(|conn, input| {
//!     conn.send(input.peek()); // echo
//!     input.retrieve_all();
//! });
//! println!("listening on {}", server.local_addr()?);
//! server.run() // until SIGINT or SIGTERM
//! # ; Ok::<(), std::io::Error>(())
//! ```

#![warn(missing_docs)]

mod acceptor;
mod buffer;
pub mod channel;
mod channel_map;
pub mod dispatcher;
mod event_loop;
mod event_loop_thread;
pub mod http;
mod log;
mod tcp_connection;
mod tcp_server;
mod timer_queue;

pub use acceptor::PAUSE as ACCEPT_PAUSE;
pub use buffer::{Buffer, CHEAP_PREPEND, INITIAL_SIZE, SPILL_SIZE};
pub use channel::{Interest, Ready, Token};
pub use dispatcher::DispatcherKind;
pub use event_loop::{EventLoop, LoopConfig, LoopHandle};
pub use event_loop_thread::{EventLoopThread, EventLoopThreadPool};
pub use tcp_connection::{ConnectionCallback, ConnectionHandle, MessageCallback, TcpConnection};
pub use tcp_server::{ServerHandle, ServerOptions, ServerThreads, TcpServer};
pub use timer_queue::TimerId;
