//! `graceclient`: sends typed lines, and closes or half-closes on command.
//!
//! poll(2) watches stdin and the socket together, so replies are printed while the user types.
//! Two lines are commands (exact matches, where the C compares prefixes):
//! - `shutdown`: shutdown(SHUT_WR) sends FIN after anything still queued; the socket stays
//!   open for reading, so the delayed replies still arrive, then the server's EOF.
//! - `close`: close(2) gives up both directions at once; replies still on their way are lost.
//!
//! End of input on stdin counts as `shutdown`, and stdin leaves the poll set. The C client
//! keeps fd 0 in its select set after EOF, so select returns at once forever: a 100% CPU spin.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsFd;

use anyhow::Context;
use common::LineReader;
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// What the client does with one line from stdin.
#[derive(Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// Half-close: `shutdown(fd, SHUT_WR)`.
    Shutdown,
    /// Close both directions: `close(fd)`.
    Close,
    /// Anything else is sent as it is, without its line end.
    Send(&'a [u8]),
}

impl<'a> Command<'a> {
    /// Reads a line typed by the user.
    pub fn parse(line: &'a [u8]) -> Command<'a> {
        match line {
            b"shutdown" => Command::Shutdown,
            b"close" => Command::Close,
            other => Command::Send(other),
        }
    }
}

/// Whether the client still reads stdin.
enum Input {
    Open,
    Done,
}

/// Runs the client on a connected `stream` until the server closes or the user types `close`.
///
/// `stdin` is read with plain read(2) calls (not std's buffered `Stdin`): bytes hidden in a
/// user-space buffer would be invisible to poll, and lines typed together would wait.
pub fn run(stream: TcpStream, stdin: File) -> anyhow::Result<()> {
    let mut lines = LineReader::new(stdin);
    let mut input = Input::Open;
    loop {
        let (socket_ready, stdin_ready) = wait_readable(&stream, &lines, &input)?;
        if socket_ready && !print_reply(&stream)? {
            println!("server terminated");
            return Ok(());
        }
        if !stdin_ready {
            continue;
        }
        // One read(2) per wake-up, then every complete line it brought.
        loop {
            let Some(line) = lines.read_line().context("read stdin")? else {
                // EOF: nothing more will be typed, so say so to the server.
                stream
                    .shutdown(Shutdown::Write)
                    .context("shutdown failed")?;
                input = Input::Done;
                break;
            };
            match Command::parse(line) {
                Command::Shutdown => {
                    stream
                        .shutdown(Shutdown::Write)
                        .context("shutdown failed")?;
                    input = Input::Done;
                    break;
                }
                // Dropping the stream is close(2); nothing can be read any more.
                Command::Close => return Ok(()),
                Command::Send(text) => {
                    println!("now sending {}", String::from_utf8_lossy(text));
                    (&stream).write_all(text).context("write failed")?;
                    println!("send bytes: {}", text.len());
                }
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
    input: &Input,
) -> anyhow::Result<(bool, bool)> {
    let mut fds = vec![PollFd::new(stream.as_fd(), PollFlags::POLLIN)];
    if let Input::Open = input {
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

/// Reads what the server sent and prints it on a line; `false` at EOF.
fn print_reply(mut stream: &TcpStream) -> anyhow::Result<bool> {
    let mut buf = [0u8; common::MAXLINE];
    let n = stream.read(&mut buf).context("read error")?;
    if n > 0 {
        println!("{}", String::from_utf8_lossy(&buf[..n]));
    }
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_match_whole_lines_only() {
        assert_eq!(Command::parse(b"shutdown"), Command::Shutdown);
        assert_eq!(Command::parse(b"close"), Command::Close);
        assert_eq!(Command::parse(b"closed"), Command::Send(b"closed"));
        assert_eq!(
            Command::parse(b"shutdown now"),
            Command::Send(b"shutdown now")
        );
    }
}
