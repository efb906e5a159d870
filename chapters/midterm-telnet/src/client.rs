//! `telnet-client`: sends typed commands and prints the replies as they arrive.
//!
//! poll(2) watches stdin and the socket together (the lecture's select). Each line goes out
//! with a `\n`, so the server can tell where a command ends (the C sent none). `quit`, or
//! the end of stdin, half-closes with shutdown(SHUT_WR); the client then prints what is left
//! and `server closed` when the server's EOF arrives.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsFd;

use anyhow::Context;
use common::LineReader;
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// Runs the client until the server closes.
///
/// `stdin` is read with plain read(2) calls: bytes in std's buffered `Stdin` would be
/// invisible to poll.
pub fn run(stream: TcpStream, stdin: File) -> anyhow::Result<()> {
    let mut lines = LineReader::new(stdin);
    let mut input_open = true;
    loop {
        let (socket_ready, stdin_ready) = wait_readable(&stream, &lines, input_open)?;
        if socket_ready && !print_reply(&stream)? {
            println!("server closed");
            return Ok(());
        }
        if !stdin_ready {
            continue;
        }
        loop {
            let line = lines.read_line().context("read stdin")?;
            let line = line.unwrap_or(b"quit");
            (&stream)
                .write_all(&[line, b"\n"].concat())
                .context("write failed")?;
            if line == b"quit" {
                stream
                    .shutdown(Shutdown::Write)
                    .context("shutdown failed")?;
                input_open = false;
                break;
            }
            if !lines.buffered().contains(&b'\n') {
                break;
            }
        }
    }
}

/// Blocks in poll(2) until the socket or (while input is open) stdin is readable.
fn wait_readable(
    stream: &TcpStream,
    lines: &LineReader<File>,
    input_open: bool,
) -> anyhow::Result<(bool, bool)> {
    let mut fds = vec![PollFd::new(stream.as_fd(), PollFlags::POLLIN)];
    if input_open {
        fds.push(PollFd::new(lines.get_ref().as_fd(), PollFlags::POLLIN));
    }
    loop {
        match poll(&mut fds, PollTimeout::NONE) {
            Err(Errno::EINTR) => continue,
            result => result.context("poll failed")?,
        };
        break;
    }
    // POLLHUP and POLLERR count as readable: the read that follows reports EOF or the error.
    let ready = |fd: &PollFd| fd.revents().is_some_and(|r| !r.is_empty());
    Ok((ready(&fds[0]), fds.get(1).is_some_and(ready)))
}

/// Copies what the server sent to stdout; `false` at EOF.
fn print_reply(mut stream: &TcpStream) -> anyhow::Result<bool> {
    let mut buf = [0u8; common::MAXLINE];
    let n = stream.read(&mut buf).context("read error")?;
    let mut out = std::io::stdout().lock();
    out.write_all(&buf[..n])?;
    out.flush()?;
    Ok(n > 0)
}
