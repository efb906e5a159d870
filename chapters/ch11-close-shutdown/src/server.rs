//! `graceserver`: replies `Hi, <message>` to each message after a delay.
//!
//! One client at a time, like the course's server, but it goes back to `accept` when a client
//! leaves instead of exiting. The delay is what makes the lecture's experiments visible: the
//! client closes or half-closes while the server is still "thinking".

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use anyhow::Context;

use crate::{REPLY_PREFIX, printable};

/// Accepts clients one after another and serves each with [`serve_client`].
///
/// `client closed` is printed when a client sends FIN; an error (reset, EPIPE) is printed to
/// stderr. Either way the server accepts the next client.
pub fn serve(listener: &TcpListener, delay: Duration) -> anyhow::Result<()> {
    loop {
        let (mut stream, _) = listener.accept().context("accept")?;
        match serve_client(&mut stream, delay) {
            Ok(()) => println!("client closed"),
            Err(e) => eprintln!("{e:#}"),
        }
    }
}

/// Reads messages until EOF and answers each with `Hi, <message>` after `delay`, printing the
/// course's `received N bytes: ...` and `send bytes: N` lines.
pub fn serve_client(stream: &mut TcpStream, delay: Duration) -> anyhow::Result<()> {
    let mut message = [0u8; common::MAXLINE];
    loop {
        let n = stream.read(&mut message).context("error read")?;
        if n == 0 {
            return Ok(());
        }
        let message = &message[..n];
        println!("received {n} bytes: {}", printable(message));
        thread::sleep(delay);
        let reply = [REPLY_PREFIX, message].concat();
        // If the client has closed, this first write still succeeds (the bytes only reach our
        // kernel) and the client's kernel answers them with RST. A write after that RST fails
        // with EPIPE. The C server dies of SIGPIPE there; Rust ignores SIGPIPE and std sends
        // with MSG_NOSIGNAL, so here it is an error we can print.
        stream.write_all(&reply).context("error write")?;
        println!("send bytes: {}", reply.len());
    }
}
