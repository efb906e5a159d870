//! Lecture 06: UDP, where every datagram stands alone.
//!
//! [`serve`] is the course's `udpserver`: it answers each datagram with `Hi, ` plus the
//! datagram, to whichever address sent it, and counts datagrams until Ctrl-C. [`run_client`]
//! is `udpclient`: one datagram per stdin line, then wait for the answer. Neither side keeps
//! any state about the other between datagrams: that is the lecture's point.

pub mod interrupt;

use std::io::{self, BufRead, Write};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use anyhow::Context;
use interrupt::Interrupt;

/// The largest message either side accepts, the course's `MAXLINE`.
pub const MAX_MESSAGE: usize = common::MAXLINE;

/// What the server puts in front of each message it returns.
pub const GREETING: &[u8] = b"Hi, ";

/// The server's answer to `message`.
pub fn reply(message: &[u8]) -> Vec<u8> {
    [GREETING, message].concat()
}

/// Answers datagrams on `socket` until SIGINT; returns how many datagrams arrived.
///
/// For each datagram it prints `received N bytes: MESSAGE` to `out` and sends
/// [`reply`] back to the sender. A datagram longer than [`MAX_MESSAGE`] is reported on
/// stderr and not answered: `recvfrom(2)` would silently cut it to the buffer's size, so the
/// buffer has one spare byte, and a datagram that fills it was longer than allowed.
pub fn serve(socket: &UdpSocket, interrupt: &Interrupt, out: &mut impl Write) -> io::Result<u64> {
    let mut buf = vec![0u8; MAX_MESSAGE + 1];
    let mut count = 0;
    while interrupt.wait_readable(socket.as_fd())? {
        let (n, peer) = match socket.recv_from(&mut buf) {
            Ok(received) => received,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        count += 1;
        if n > MAX_MESSAGE {
            eprintln!("datagram from {peer} is longer than {MAX_MESSAGE} bytes: dropped");
            continue;
        }
        let message = &buf[..n];
        writeln!(
            out,
            "received {n} bytes: {}",
            String::from_utf8_lossy(message)
        )?;
        out.flush()?;
        // A failed send concerns that one peer only; say so and serve the next datagram.
        if let Err(e) = socket.send_to(&reply(message), peer) {
            eprintln!("sendto {peer}: {e}");
        }
    }
    Ok(count)
}

/// Sends each line of `input` (without its line ending) to `server` and prints the answer,
/// the way the course's `udpclient` does:
///
/// ```text
/// now sending g1
/// send bytes: 2
/// Hi, g1
/// ```
///
/// Unlike the C client it does not wait forever: after `timeout` (if any) it reports that no
/// answer came and goes on with the next line. Datagrams from anyone but `server` are
/// reported and ignored: an unconnected UDP socket accepts datagrams from every sender.
pub fn run_client(
    socket: &UdpSocket,
    server: SocketAddr,
    timeout: Option<Duration>,
    mut input: impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    let mut buf = vec![0u8; GREETING.len() + MAX_MESSAGE + 1];
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
        writeln!(out, "now sending {}", String::from_utf8_lossy(message))?;
        let sent = socket
            .send_to(message, server)
            .with_context(|| format!("sendto {server}"))?;
        writeln!(out, "send bytes: {sent}")?;
        out.flush()?;
        match receive_from(socket, server, timeout, &mut buf)? {
            Some(n) => writeln!(out, "{}", String::from_utf8_lossy(&buf[..n]))?,
            None => eprintln!(
                "no reply from {server} within {} ms: UDP cannot tell whether anyone is listening",
                timeout.unwrap_or_default().as_millis()
            ),
        }
        out.flush()?;
    }
}

/// Waits for a datagram from `server`; `None` if `timeout` passes first.
fn receive_from(
    socket: &UdpSocket,
    server: SocketAddr,
    timeout: Option<Duration>,
    buf: &mut [u8],
) -> anyhow::Result<Option<usize>> {
    let deadline = timeout.map(|t| Instant::now() + t);
    loop {
        let remaining = match deadline {
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return Ok(None),
            },
            None => None,
        };
        socket
            .set_read_timeout(remaining)
            .context("setsockopt SO_RCVTIMEO")?;
        match socket.recv_from(buf) {
            Ok((n, from)) if from == server => return Ok(Some(n)),
            Ok((n, from)) => eprintln!("ignoring {n} bytes from {from}: not the server"),
            // SO_RCVTIMEO expiring shows up as EAGAIN (socket(7)).
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).context("recvfrom"),
        }
    }
}

/// `line` without a trailing `\n` or `\r\n`.
fn strip_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_greets_the_exact_bytes() {
        assert_eq!(reply(b"g1"), b"Hi, g1");
        assert_eq!(reply(b""), b"Hi, ");
        assert_eq!(reply(&[0xff, 0]), b"Hi, \xff\0");
    }

    #[test]
    fn line_endings_are_not_sent() {
        assert_eq!(strip_line_ending(b"g1\n"), b"g1");
        assert_eq!(strip_line_ending(b"g1\r\n"), b"g1");
        assert_eq!(strip_line_ending(b"g1"), b"g1");
        assert_eq!(strip_line_ending(b"\n"), b"");
    }

    #[test]
    fn client_prints_the_course_lines() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let server_addr = server.local_addr().unwrap();
        let answer = std::thread::spawn(move || {
            let mut buf = [0u8; 64];
            let (n, from) = server.recv_from(&mut buf).unwrap();
            server.send_to(&reply(&buf[..n]), from).unwrap();
        });
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut out = Vec::new();
        let timeout = Some(Duration::from_secs(10));
        run_client(&client, server_addr, timeout, &b"g1\n"[..], &mut out).unwrap();
        answer.join().unwrap();
        assert_eq!(out, b"now sending g1\nsend bytes: 2\nHi, g1\n");
    }
}
