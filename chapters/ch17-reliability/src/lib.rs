//! Lecture 17: TCP is not always "reliable": what `read` and `write` report when the peer dies.
//!
//! [`echo_slowly`] is `reliable_server01`'s loop (read, wait, echo); [`ask_and_print`] is
//! `reliable_client01`'s (send a line, wait for its echo). [`read_slowly`] and [`flood`] are
//! the slow reader and the fast writer of `reliable_server02` / `reliable_client02`.
//! Every failure comes back as an `io::Error` carrying the errno Linux reported, so a
//! learner sees EOF, ECONNRESET and EPIPE by name.

use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::thread;
use std::time::Duration;

use anyhow::{Context, bail};
use nix::sys::socket::{MsgFlags, send};

/// The C programs' read size.
pub const CHUNK: usize = 1024;

/// The 19-byte message `reliable_client02` sends over and over.
pub const MESSAGE: &[u8] = b"network programming";

/// Reads from `stream` and echoes each read back after `delay`, printing `send bytes: N`.
///
/// Returns when the client closes (`client closed` is printed). The extra line
/// `read N bytes, echoing in Dms` tells you when to kill the server for experiment 1.
pub fn echo_slowly(
    stream: &mut TcpStream,
    delay: Duration,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut buf = [0u8; CHUNK];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            writeln!(out, "client closed")?;
            return out.flush();
        }
        writeln!(out, "read {n} bytes, echoing in {}ms", delay.as_millis())?;
        out.flush()?;
        thread::sleep(delay);
        stream.write_all(&buf[..n])?;
        writeln!(out, "send bytes: {n}")?;
        out.flush()?;
    }
}

/// Sends each line of `input` and prints the echo, until stdin ends.
///
/// A read of 0 is the peer's FIN: `peer connection closed`. A read error is reported with
/// its errno (`Connection reset by peer (os error 104)` when an RST arrived instead).
pub fn ask_and_print(
    input: &mut impl BufRead,
    stream: &mut TcpStream,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    let mut buf = [0u8; CHUNK];
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        stream.write_all(&line).context("write failed")?;
        let n = stream.read(&mut buf).context("read failed")?;
        if n == 0 {
            bail!("peer connection closed");
        }
        out.write_all(&buf[..n])?;
        out.flush()?;
    }
}

/// Reads `stream` to EOF in [`CHUNK`]-byte reads, pausing after each and printing
/// `1K read for N`.
pub fn read_slowly(
    stream: &mut TcpStream,
    pause: Duration,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut buf = [0u8; CHUNK];
    let mut reads = 0u64;
    loop {
        if stream.read(&mut buf)? == 0 {
            writeln!(out, "client closed")?;
            return out.flush();
        }
        reads += 1;
        writeln!(out, "1K read for {reads}")?;
        out.flush()?;
        thread::sleep(pause);
    }
}

/// How [`flood`] writes.
#[derive(Debug, Clone, Copy)]
pub struct FloodOptions {
    /// How many times to send [`MESSAGE`].
    pub count: u64,
    /// Pause before each send.
    pub interval: Duration,
    /// Send without `MSG_NOSIGNAL`, so a write to a reset connection raises SIGPIPE.
    pub raise_sigpipe: bool,
}

/// Sends [`MESSAGE`] `count` times with `send(2)`, printing `send into buffer N` after each.
///
/// `send` is called directly (not `Write::write`) because std always passes
/// `MSG_NOSIGNAL`; here the flag is visible and the `--sigpipe-default` mode can drop it.
/// Fails with the errno of the first failed send (`send error: ...`).
pub fn flood(
    stream: &TcpStream,
    options: FloodOptions,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let flags = if options.raise_sigpipe {
        MsgFlags::empty()
    } else {
        MsgFlags::MSG_NOSIGNAL
    };
    for _ in 0..options.count {
        thread::sleep(options.interval);
        let n = send(stream.as_raw_fd(), MESSAGE, flags)
            .map_err(io::Error::from)
            .context("send error")?;
        writeln!(out, "send into buffer {n}")?;
        out.flush()?;
    }
    Ok(())
}
