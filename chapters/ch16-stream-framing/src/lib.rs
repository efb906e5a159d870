//! Lecture 16: TCP delivers a byte stream, not messages, so the application frames them.
//!
//! [`serve`] reads `[u32 length][u32 type][payload]` frames with [`common::read_message`]
//! and prints each payload, whatever way the bytes were cut into segments. [`send_lines`]
//! turns each line of input into one frame, as the C `streamclient` does with `fgets`.
//! A frame announcing more than [`MAX_PAYLOAD`] bytes ends that client's turn with an error
//! line; the server then serves the next client.

use std::io::{self, BufRead, Write};
use std::net::TcpListener;

/// The C programs' `buf[128]`: the largest payload the server accepts.
pub const MAX_PAYLOAD: usize = 128;

/// The message type the client sends for data (the course's `1`).
pub const DATA: u32 = 1;

/// Accepts clients one after another and prints every message each one sends.
///
/// A client that closes gets `client closed`; one that sends a bad frame (oversized length,
/// EOF mid-message, reset) gets an `error read message: ...` line on stderr. Either way the
/// server goes back to `accept`.
pub fn serve(listener: &TcpListener) -> io::Result<()> {
    loop {
        let (mut stream, peer) = listener.accept()?;
        let mut out = io::stdout().lock();
        match print_messages(&mut stream, &mut out) {
            Ok(()) => writeln!(out, "client closed")?,
            Err(e) => eprintln!("error read message from {peer}: {e}"),
        }
        out.flush()?;
    }
}

/// Reads frames from `stream` until a clean EOF, printing `received N bytes: PAYLOAD` for each.
///
/// The payload is printed as it came, newline included, so a typed `network` shows as the
/// lecture's `received 8 bytes: network` followed by a blank line.
pub fn print_messages(stream: &mut impl io::Read, out: &mut impl Write) -> io::Result<()> {
    while let Some(message) = common::read_message(stream, MAX_PAYLOAD)? {
        let text = String::from_utf8_lossy(&message.payload);
        writeln!(out, "received {} bytes: {text}", message.payload.len())?;
        out.flush()?;
    }
    Ok(())
}

/// Sends each line of `input` (newline included) as one [`DATA`] frame.
///
/// A line longer than [`MAX_PAYLOAD`] leaves as several frames, as `fgets` into a 128-byte
/// buffer would cut it, so the server never sees a payload it must refuse.
pub fn send_lines(input: &mut impl BufRead, stream: &mut impl Write) -> io::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        for chunk in line.chunks(MAX_PAYLOAD) {
            common::write_message(stream, DATA, chunk)?;
        }
    }
}
