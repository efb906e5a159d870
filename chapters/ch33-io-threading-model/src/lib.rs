//! Lecture 33: which thread runs which callback, made visible.
//!
//! [`traced_server`] is an echo server whose four callbacks print the thread they run on:
//! `on_connection connection-12 on Thread-1`. With sub-reactors, every line of one
//! connection names the same thread, and connections take turns between the threads.
//! [`default_sub_reactors`] answers the lecture's first exercise.

use std::io;
use std::net::SocketAddr;
use std::thread;

use reactor::{ServerOptions, TcpConnection, TcpServer};

/// Twice the number of CPUs this process may use: the first exercise's default for the
/// number of sub-reactors. Falls back to 2 x 1 if the count is unknown.
pub fn default_sub_reactors() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get()) * 2
}

/// Prints `<callback> <connection> on <thread>`.
fn trace(callback: &str, conn: &TcpConnection<'_>) {
    let current = thread::current();
    let name = current.name().unwrap_or("unnamed");
    println!("{callback} {} on {name}", conn.name());
}

/// Binds `addr` and returns an echo server that traces its callbacks' threads.
///
/// # Errors
/// Binding failed.
pub fn traced_server(addr: SocketAddr, options: ServerOptions) -> io::Result<TcpServer> {
    let mut server = TcpServer::new(addr, options)?;
    server
        .on_connection(|conn| trace("on_connection", conn))
        .on_message(|conn, input| {
            trace("on_message", conn);
            conn.send_buffer(input);
        })
        .on_write_complete(|conn| trace("on_write_complete", conn))
        .on_close(|conn| trace("on_close", conn));
    Ok(server)
}
