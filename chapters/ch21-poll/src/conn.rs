//! One echo client: its socket and the bytes read from it but not yet written back.
//!
//! The C `pollserver` writes each chunk back with a blocking `write`, so one client that
//! stops reading freezes the whole server. Here the sockets are non-blocking and the echo
//! waits in [`EchoConn`] until `poll` says the socket is writable again.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};

/// Stop reading a client whose echo piles up past this many bytes: it is not reading.
pub const HIGH_WATER: usize = 64 * 1024;

/// A connected echo client.
#[derive(Debug)]
pub struct EchoConn {
    stream: TcpStream,
    peer: SocketAddr,
    /// Bytes to echo; `output[sent..]` is still unsent.
    output: Vec<u8>,
    sent: usize,
    /// The client half-closed (read returned 0).
    eof: bool,
}

impl EchoConn {
    /// Wraps a non-blocking stream.
    pub fn new(stream: TcpStream, peer: SocketAddr) -> EchoConn {
        EchoConn {
            stream,
            peer,
            output: Vec::new(),
            sent: 0,
            eof: false,
        }
    }

    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Ask poll for POLLIN?
    pub fn wants_read(&self) -> bool {
        !self.eof && self.pending() < HIGH_WATER
    }

    /// Ask poll for POLLOUT? Only while an echo is queued, or poll would return at once.
    pub fn wants_write(&self) -> bool {
        self.pending() > 0
    }

    /// The client has half-closed and got every byte back: close it.
    pub fn finished(&self) -> bool {
        self.eof && self.pending() == 0
    }

    fn pending(&self) -> usize {
        self.output.len() - self.sent
    }

    /// One `read` of up to `MAXLINE` bytes, queued for the echo as they are.
    pub fn on_readable(&mut self) -> io::Result<()> {
        let mut buf = [0u8; common::MAXLINE];
        match self.stream.read(&mut buf) {
            Ok(0) => self.eof = true,
            Ok(n) => self.output.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Writes queued bytes until done or the send buffer is full.
    pub fn on_writable(&mut self) -> io::Result<()> {
        while self.pending() > 0 {
            match self.stream.write(&self.output[self.sent..]) {
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if self.pending() == 0 {
            self.output.clear();
            self.sent = 0;
        }
        Ok(())
    }

    /// The socket's pending error (getsockopt `SO_ERROR`), which POLLERR announces.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.stream.take_error()
    }
}

impl AsFd for EchoConn {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.stream.as_fd()
    }
}
