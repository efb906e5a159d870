//! Lecture 28: the rot13 server with a main reactor and sub-reactor threads on poll.
//!
//! The same four callbacks as lecture 27 (the C sources of lectures 28 and 29 are
//! byte-for-byte the same file); only the options differ. The main thread's loop only
//! accepts; each new connection is handed, round-robin, to one of the `Thread-N` loops,
//! which then runs all of that connection's callbacks. Each chunk read is answered at once
//! with its rot13.
//!
//! With logging on, the callbacks print the course's lines (`connection completed`,
//! `get message from tcp connection connection-N`, the message, `write completed`,
//! `connection closed`) among the framework's `[msg]` lines.

use std::io;
use std::net::SocketAddr;

use reactor::{Buffer, ServerOptions, TcpConnection, TcpServer};

/// Per-connection state, set in `on_connection` before the connection's first read.
#[derive(Debug, Default)]
pub struct Session {
    /// Messages (reads) answered so far.
    pub messages: u64,
}

/// Binds `addr` and returns the rot13 server, ready to run.
///
/// # Errors
/// Binding failed (the message names the address).
pub fn rot13_server(addr: SocketAddr, options: ServerOptions) -> io::Result<TcpServer> {
    let mut server = TcpServer::new(addr, options)?;
    server
        .on_connection(on_connection)
        .on_message(on_message)
        .on_write_complete(on_write_complete)
        .on_close(on_close);
    Ok(server)
}

fn on_connection(conn: &mut TcpConnection<'_>) {
    if conn.event_loop().log_enabled() {
        println!("connection completed");
    }
    conn.set_context(Session::default());
}

fn on_message(conn: &mut TcpConnection<'_>, input: &mut Buffer) {
    if conn.event_loop().log_enabled() {
        // The C printed `input->data` from index 0 with no terminator, so every earlier
        // message came out again; the readable region is exactly this message.
        let text = String::from_utf8_lossy(input.peek());
        let newline = if text.ends_with('\n') { "" } else { "\n" };
        print!(
            "get message from tcp connection {}\n{text}{newline}",
            conn.name()
        );
    }
    let Some(session) = conn.context_mut::<Session>() else {
        // Cannot happen with this framework: the context is set before the first read.
        // The C framework's hand-off race is exactly what this would catch.
        eprintln!("[err] {}: message before on_connection", conn.name());
        conn.force_close();
        return;
    };
    session.messages += 1;
    // rot13 in place and send straight from the input buffer: no allocation per message
    // (the C allocated a 64 KiB output buffer per message and never freed it).
    common::rot13_in_place(input.peek_mut());
    conn.send_buffer(input);
}

fn on_write_complete(conn: &mut TcpConnection<'_>) {
    if conn.event_loop().log_enabled() {
        println!("write completed");
    }
}

fn on_close(conn: &mut TcpConnection<'_>) {
    if conn.event_loop().log_enabled() {
        println!("connection closed");
    }
}
