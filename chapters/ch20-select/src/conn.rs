//! One client of the rot13 line service: its socket and its two buffers.
//!
//! A single-threaded server cannot park in `read` or `write` for one client, so each
//! connection keeps its own state between wakeups (the libevent book's `struct fd_state`):
//! the bytes of a line still being typed, and the rot13 replies not yet accepted by the
//! kernel. The server asks two questions before every `select`: [`LineConn::wants_read`]
//! and [`LineConn::wants_write`].

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};

/// The longest line a client may send, terminator excluded (the course's `MAXLINE`).
pub const MAX_LINE: usize = common::MAXLINE;

/// Stop reading a client whose replies pile up past this many bytes: it is not reading
/// them, and buffering more would let one client eat the server's memory.
pub const HIGH_WATER: usize = 64 * 1024;

/// A connected client of the rot13 line service.
#[derive(Debug)]
pub struct LineConn {
    stream: TcpStream,
    peer: SocketAddr,
    /// The line being received: bytes after the last newline.
    partial: Vec<u8>,
    /// rot13 replies waiting to be written; `output[sent..]` is still unsent.
    output: Vec<u8>,
    sent: usize,
    /// The client half-closed (read returned 0).
    eof: bool,
}

impl LineConn {
    /// Wraps a non-blocking stream.
    pub fn new(stream: TcpStream, peer: SocketAddr) -> LineConn {
        LineConn {
            stream,
            peer,
            partial: Vec::new(),
            output: Vec::new(),
            sent: 0,
            eof: false,
        }
    }

    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Watch this client for readability?
    pub fn wants_read(&self) -> bool {
        !self.eof && self.pending() < HIGH_WATER
    }

    /// Watch this client for writability? Only while a reply is queued: an idle socket is
    /// almost always writable, so watching it always would make `select` return at once,
    /// forever.
    pub fn wants_write(&self) -> bool {
        self.pending() > 0
    }

    /// The client has half-closed and every reply has been written: close it.
    pub fn finished(&self) -> bool {
        self.eof && self.pending() == 0
    }

    fn pending(&self) -> usize {
        self.output.len() - self.sent
    }

    /// Handles readability with one `read`: select is level-triggered, so bytes left in
    /// the kernel make the socket readable again next time, and one read per wakeup keeps
    /// a chatty client from starving the others.
    ///
    /// Every complete line is queued in rot13, newline included; no reply before the
    /// newline. A partial line when the client half-closes is dropped.
    pub fn on_readable(&mut self) -> io::Result<()> {
        let mut buf = [0u8; 4096];
        let n = match self.stream.read(&mut buf) {
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        if n == 0 {
            self.eof = true;
            return Ok(());
        }
        for &byte in &buf[..n] {
            self.partial.push(byte);
            if byte == b'\n' {
                common::rot13_in_place(&mut self.partial);
                self.output.append(&mut self.partial);
            } else if self.partial.len() > MAX_LINE + 1 {
                // MAX_LINE bytes plus a '\r' may still be followed by '\n'; more cannot.
                return Err(io::Error::new(
                    ErrorKind::InvalidData,
                    format!("line longer than {MAX_LINE} bytes"),
                ));
            }
        }
        Ok(())
    }

    /// Handles writability: writes queued replies until done or the kernel's send buffer is
    /// full (WouldBlock; the rest waits for the next writable event).
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
}

impl AsFd for LineConn {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.stream.as_fd()
    }
}
