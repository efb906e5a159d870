//! A TCP client for tests: every read and write times out after [`crate::TIMEOUT`].

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};

use crate::{TIMEOUT, show};

/// A connected TCP client whose operations fail instead of hanging.
#[derive(Debug)]
pub struct Client {
    stream: TcpStream,
}

impl Client {
    /// Connects to `addr` and sets read and write timeouts.
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect_timeout(&addr, TIMEOUT)
            .unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
        stream
            .set_read_timeout(Some(TIMEOUT))
            .expect("set read timeout");
        stream
            .set_write_timeout(Some(TIMEOUT))
            .expect("set write timeout");
        Client { stream }
    }

    /// Sends raw bytes.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("send {}: {e}", show(bytes)));
    }

    /// Sends `line` followed by CRLF, as telnet does.
    pub fn send_line(&mut self, line: &str) {
        self.send(format!("{line}\r\n").as_bytes());
    }

    /// Reads exactly `expected.len()` bytes and asserts they are `expected`.
    pub fn expect(&mut self, expected: &[u8]) {
        let got = self.read_exact(expected.len());
        assert_eq!(
            show(&got),
            show(expected),
            "unexpected bytes from the server"
        );
    }

    /// Reads exactly `n` bytes.
    pub fn read_exact(&mut self, n: usize) -> Vec<u8> {
        let mut buf = vec![0; n];
        let mut filled = 0;
        while filled < n {
            match self.stream.read(&mut buf[filled..]) {
                Ok(0) => panic!(
                    "server closed after {filled} of {n} bytes: {}",
                    show(&buf[..filled])
                ),
                Ok(k) => filled += k,
                // A signal (e.g. from an io_uring or AIO helper in this process) is not an error.
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => panic!(
                    "read after {filled} of {n} bytes ({}): {e}",
                    show(&buf[..filled])
                ),
            }
        }
        buf
    }

    /// Reads whatever arrives next (at least one byte).
    pub fn read_some(&mut self) -> Vec<u8> {
        let mut buf = vec![0; 64 * 1024];
        let n = loop {
            match self.stream.read(&mut buf) {
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                result => break result.expect("read"),
            }
        };
        buf.truncate(n);
        buf
    }

    /// Asserts that the server closes the connection (read returns 0) with nothing more
    /// to say. A reset also counts as closed.
    pub fn expect_eof(&mut self) {
        let mut buf = [0u8; 1024];
        match self.stream.read(&mut buf) {
            Ok(0) => {}
            Ok(n) => panic!("expected EOF, got {}", show(&buf[..n])),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            Err(e) => panic!("expected EOF, got error: {e}"),
        }
    }

    /// Asserts that nothing arrives within `wait` (the server must not answer yet).
    pub fn expect_silence(&mut self, wait: std::time::Duration) {
        self.stream
            .set_read_timeout(Some(wait))
            .expect("set read timeout");
        let mut buf = [0u8; 1024];
        match self.stream.read(&mut buf) {
            Ok(0) => panic!("expected silence, got EOF"),
            Ok(n) => panic!("expected silence, got {}", show(&buf[..n])),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("expected silence, got error: {e}"),
        }
        self.stream
            .set_read_timeout(Some(crate::TIMEOUT))
            .expect("set read timeout");
    }

    /// Half-closes: sends FIN, keeps reading.
    pub fn shutdown_write(&mut self) {
        self.stream
            .shutdown(Shutdown::Write)
            .expect("shutdown(SHUT_WR)");
    }

    /// Closes with RST instead of FIN (SO_LINGER {on, 0}), like a crashed peer.
    pub fn reset(self) {
        let socket = socket2::SockRef::from(&self.stream);
        socket
            .set_linger(Some(std::time::Duration::ZERO))
            .expect("SO_LINGER");
        drop(self);
    }

    /// Plays the client that sends and never reads: writes until one write has blocked for
    /// half a second (the server stopped reading it) or `limit` bytes went out. Returns the
    /// bytes sent and whether the writes stalled. A small receive buffer (set here, which
    /// also turns off its autotuning, see tcp(7)) makes the server's answers back up sooner.
    /// The client keeps that half-second write timeout afterwards.
    pub fn flood_without_reading(&mut self, limit: usize) -> (usize, bool) {
        let socket = socket2::SockRef::from(&self.stream);
        socket.set_recv_buffer_size(16 * 1024).expect("SO_RCVBUF");
        self.stream
            .set_write_timeout(Some(std::time::Duration::from_millis(500)))
            .expect("set write timeout");
        let chunk = [b'a'; 64 * 1024];
        let mut sent = 0;
        while sent < limit {
            match self.stream.write(&chunk) {
                Ok(n) => sent += n,
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return (sent, true);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => panic!("flood after {sent} bytes: {e}"),
            }
        }
        (sent, false)
    }

    /// The underlying stream, for anything else.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }
}
