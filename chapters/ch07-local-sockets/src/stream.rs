//! `unixstreamserver` and `unixstreamclient`: lines over a local `SOCK_STREAM` socket.
//!
//! The wire format is one line per message: the client sends `g1\n`, the server answers
//! `Hi, g1\n`. The C pair instead writes whole 4096-byte buffers and reads with a single
//! `read`, which works only as long as every `read` happens to return a whole buffer; a byte
//! stream promises no such thing, local or not. [`common::LineReader`] collects whole lines
//! however the bytes arrive.

use std::io::{self, BufRead, Write};
use std::os::unix::net::{UnixListener, UnixStream};

use anyhow::{Context, bail};
use common::LineReader;

use crate::{GREETING, MAX_MESSAGE, strip_line_ending};

/// Accepts clients one after another and answers each line with `Hi, LINE`.
///
/// Prints `Receive: LINE` for each line and `client quit` when a client closes. A client
/// that misbehaves (resets, sends a line longer than [`MAX_MESSAGE`], closes mid-line) gets
/// an error line on stderr and is dropped; the server goes on with the next client. With
/// `once` it returns after the first client, as the C server does.
pub fn serve(listener: &UnixListener, once: bool, out: &mut impl Write) -> io::Result<()> {
    loop {
        let (stream, _) = listener.accept()?;
        match talk(&stream, out) {
            Ok(()) => writeln!(out, "client quit")?,
            Err(e) => eprintln!("client: {e}"),
        }
        out.flush()?;
        if once {
            return Ok(());
        }
    }
}

/// Answers one client's lines until it closes.
fn talk(stream: &UnixStream, out: &mut impl Write) -> io::Result<()> {
    let mut lines = LineReader::with_max_line(stream, MAX_MESSAGE);
    while let Some(line) = lines.read_line()? {
        writeln!(out, "Receive: {}", String::from_utf8_lossy(line))?;
        out.flush()?;
        let reply = [GREETING, line, b"\n"].concat();
        // `&UnixStream` implements Write: the reader keeps its own shared reference.
        let mut writer = stream;
        writer.write_all(&reply)?;
    }
    Ok(())
}

/// Sends each line of `input` to the server and prints the answer line.
///
/// Lines longer than [`MAX_MESSAGE`] are refused with a message instead of being sent. If
/// the server closes before answering, this fails with `server terminated prematurely`.
pub fn run_client(
    stream: &UnixStream,
    mut input: impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut replies = LineReader::with_max_line(stream, GREETING.len() + MAX_MESSAGE);
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).context("read stdin")? == 0 {
            return Ok(());
        }
        let message = strip_line_ending(&line);
        if message.len() > MAX_MESSAGE {
            eprintln!(
                "line of {} bytes is longer than {MAX_MESSAGE}: not sent",
                message.len()
            );
            continue;
        }
        let mut writer = stream;
        match writer.write_all(&[message, b"\n"].concat()) {
            Ok(()) => {}
            // The server closed its end: writing gets EPIPE (std ignores SIGPIPE).
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                bail!("server terminated prematurely (write: {e})")
            }
            Err(e) => return Err(e).context("write to server"),
        }
        match replies.read_line().context("read from server")? {
            Some(reply) => {
                out.write_all(reply)?;
                out.write_all(b"\n")?;
                out.flush()?;
            }
            None => bail!("server terminated prematurely"),
        }
    }
}
