//! Lecture 18: never trust the peer: bounded buffers, checked lengths, line limits, timeouts.
//!
//! [`serve_raw`] is `samplebuffer01`'s loop over a 128-byte buffer (the C wrote one byte past
//! it); [`serve_framed`] reads length-prefixed messages and refuses a length larger than the
//! buffer; [`serve_lines`] is `samplebuffer03`'s readline into a 10-byte buffer. Every
//! server ends only the offending connection and goes back to `accept`.

use std::io::{self, BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// The C server's `char buffer[128]`.
pub const BUFFER_SIZE: usize = 128;

/// The C `samplebuffer03`'s `char buf[10]`: 9 characters and the NUL, so a line of at most
/// 8 characters plus its `\n`.
pub const LINE_BUFFER: usize = 10;

/// The reply to `quit`: 10 bytes, without the C version's stray NUL.
pub const COMMAND_OK: &[u8] = b"COMMAND OK";

/// How a server waits for a slow client.
#[derive(Debug, Clone, Copy, Default)]
pub enum ReadTimeout {
    /// Block in `read` for as long as it takes (the C default).
    #[default]
    None,
    /// `SO_RCVTIMEO`: `read` fails with EAGAIN after the timeout (`man 7 socket`).
    SoRcvtimeo(Duration),
    /// `poll` with a timeout before each `read` (the lecture uses `select`; `poll` has no
    /// FD_SETSIZE limit and does not modify its timeout argument).
    Poll(Duration),
}

/// Accepts clients one after another and hands each to `handle`; a client's error is printed
/// on stderr and ends only that client.
pub fn serve(
    listener: &TcpListener,
    timeout: ReadTimeout,
    handle: fn(&mut TcpStream, ReadTimeout, &mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    loop {
        let (mut stream, peer) = listener.accept()?;
        if let ReadTimeout::SoRcvtimeo(limit) = timeout {
            stream.set_read_timeout(Some(limit))?;
        }
        let mut out = io::stdout().lock();
        match handle(&mut stream, timeout, &mut out) {
            Ok(()) => {}
            Err(e) if is_timeout(&e) => writeln!(out, "read timeout")?,
            Err(e) => eprintln!("error read message from {peer}: {e}"),
        }
        out.flush()?;
    }
}

/// SO_RCVTIMEO expiry surfaces as EAGAIN (`WouldBlock`), a poll expiry as `TimedOut`.
fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// With [`ReadTimeout::Poll`], waits until `stream` is readable or fails with `TimedOut`.
fn wait_readable(stream: &TcpStream, timeout: ReadTimeout) -> io::Result<()> {
    let ReadTimeout::Poll(limit) = timeout else {
        return Ok(());
    };
    let millis = u16::try_from(limit.as_millis()).unwrap_or(u16::MAX);
    let mut fds = [PollFd::new(stream.as_fd(), PollFlags::POLLIN)];
    match poll(&mut fds, PollTimeout::from(millis))? {
        0 => Err(io::Error::new(io::ErrorKind::TimedOut, "read timeout")),
        _ => Ok(()),
    }
}

/// `samplebuffer01`: reads at most [`BUFFER_SIZE`] bytes at a time and prints each read.
///
/// A read that is exactly `quit\n` or `quit\r\n` gets [`COMMAND_OK`] and ends the connection.
/// Like the C, this matches per read, not per line: lecture 16 explains why that is fragile.
pub fn serve_raw(
    stream: &mut TcpStream,
    timeout: ReadTimeout,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut buffer = [0u8; BUFFER_SIZE];
    loop {
        wait_readable(stream, timeout)?;
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            writeln!(out, "client closed")?;
            return Ok(());
        }
        let data = &buffer[..n];
        writeln!(
            out,
            "received {n} bytes: {}",
            String::from_utf8_lossy(data).trim_end()
        )?;
        out.flush()?;
        if data == b"quit\n" || data == b"quit\r\n" {
            writeln!(out, "client quit")?;
            return stream.write_all(COMMAND_OK);
        }
    }
}

/// The `streamserver` loop with lecture 18's length check: a frame whose length header
/// exceeds [`BUFFER_SIZE`] is refused at once instead of waiting for bytes that would not fit.
pub fn serve_framed(
    stream: &mut TcpStream,
    timeout: ReadTimeout,
    out: &mut dyn Write,
) -> io::Result<()> {
    loop {
        wait_readable(stream, timeout)?;
        let Some(message) = common::read_message(stream, BUFFER_SIZE)? else {
            writeln!(out, "client closed")?;
            return Ok(());
        };
        let text = String::from_utf8_lossy(&message.payload);
        writeln!(
            out,
            "received {} bytes: {}",
            message.payload.len(),
            text.trim_end()
        )?;
        out.flush()?;
    }
}

/// `samplebuffer03`: reads lines that must fit the C's 10-byte buffer with their `\n` and
/// NUL. A longer line is refused (`line longer than 8 bytes`), not written past the buffer.
/// The binary offers no timeout flags, so the timeout argument is not used.
pub fn serve_lines(stream: &mut TcpStream, _: ReadTimeout, out: &mut dyn Write) -> io::Result<()> {
    let mut lines = common::LineReader::with_max_line(&*stream, LINE_BUFFER - 2);
    while let Some(line) = lines.read_line()? {
        writeln!(
            out,
            "received {} bytes: {}",
            line.len(),
            String::from_utf8_lossy(line)
        )?;
        out.flush()?;
    }
    writeln!(out, "client closed")
}

/// The careless client of `samplebuffer02`: a header announcing 65535 bytes, then 12.
pub fn careless_message() -> Vec<u8> {
    let mut wire = 65535u32.to_be_bytes().to_vec();
    wire.extend(1u32.to_be_bytes());
    wire.extend(b"just for fun");
    wire
}

/// `bufferclient`: sends each line of `input` in pieces of at most `chunk` bytes, as `fgets`
/// into a `chunk + 1`-byte buffer cuts it.
pub fn send_in_chunks(
    input: &mut impl BufRead,
    stream: &mut impl Write,
    chunk: usize,
) -> io::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        for piece in line.chunks(chunk) {
            stream.write_all(piece)?;
        }
    }
}
