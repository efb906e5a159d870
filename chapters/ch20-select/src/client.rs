//! `select01`: a client that waits on its keyboard and its socket at the same time.
//!
//! A blocking client that sits in `read(stdin)` cannot notice the server closing, and one
//! that sits in `read(socket)` cannot notice the user typing. `select` waits for either.
//!
//! Unlike the C original, stdin's end is an event too: the client half-closes the
//! connection (`shutdown(SHUT_WR)`, so the server sees EOF), stops watching stdin, and
//! keeps printing what the server sends until the server closes. The C keeps fd 0 in the
//! set after EOF; fd 0 then stays readable forever and the loop spins at 100% CPU.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsFd;

use anyhow::{Context, bail};
use nix::errno::Errno;
use nix::sys::select::{FdSet, select};

/// Runs the client: lines read from `stdin` go to the server, the server's bytes go to
/// `out`. Returns when the server closes after stdin has ended.
///
/// Each line is sent with its newline (the C drops it, so a line server never answers);
/// `out` gets `now sending LINE` before and `send bytes: N ` after each write.
pub fn run(mut stream: TcpStream, stdin: impl AsFd, out: &mut impl Write) -> anyhow::Result<()> {
    let mut typed = Vec::new();
    let mut stdin_open = true;
    let mut buf = [0u8; 4096];
    loop {
        let (socket_ready, stdin_ready) = wait(&stream, stdin.as_fd(), stdin_open)?;
        if socket_ready {
            let n = match stream.read(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => other.context("read from the server")?,
            };
            if n == 0 {
                if stdin_open {
                    bail!("server terminated");
                }
                return Ok(());
            }
            out.write_all(&buf[..n])?;
            out.flush()?;
        }
        if stdin_ready {
            // A raw read(2) on fd 0: a buffered reader could keep a second line in its
            // buffer, where select cannot see it.
            let n = match nix::unistd::read(stdin.as_fd(), &mut buf) {
                Err(Errno::EINTR) => continue,
                other => other.context("read stdin")?,
            };
            if n == 0 {
                stdin_open = false;
                if !typed.is_empty() {
                    send(&mut stream, &std::mem::take(&mut typed), out)?;
                }
                stream
                    .shutdown(Shutdown::Write)
                    .context("shutdown(SHUT_WR)")?;
                continue;
            }
            typed.extend_from_slice(&buf[..n]);
            while let Some(end) = typed.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = typed.drain(..=end).collect();
                send(&mut stream, &line, out)?;
            }
        }
    }
}

/// Waits until the socket (always) or stdin (while open) is readable.
fn wait(
    stream: &TcpStream,
    stdin: std::os::fd::BorrowedFd<'_>,
    stdin_open: bool,
) -> anyhow::Result<(bool, bool)> {
    loop {
        // Re-armed on every pass: select leaves only the ready descriptors in the set.
        let mut reads = FdSet::new();
        reads.insert(stream.as_fd());
        if stdin_open {
            reads.insert(stdin);
        }
        match select(None, &mut reads, None, None, None) {
            Err(Errno::EINTR) => continue,
            other => other.context("select")?,
        };
        return Ok((
            reads.contains(stream.as_fd()),
            stdin_open && reads.contains(stdin),
        ));
    }
}

fn send(stream: &mut TcpStream, line: &[u8], out: &mut impl Write) -> anyhow::Result<()> {
    let text = String::from_utf8_lossy(line);
    writeln!(out, "now sending {}", text.trim_end_matches(['\r', '\n']))?;
    out.flush()?;
    stream.write_all(line).context("write to the server")?;
    // The trailing space is the C's printf("send bytes: %zu \n").
    writeln!(out, "send bytes: {} ", line.len())?;
    out.flush()?;
    Ok(())
}
