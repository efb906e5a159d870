//! One client of `nonblockingserver`: a non-blocking socket and the course's single Buffer.
//!
//! The course's `struct Buffer` is one queue per connection: bytes arrive from the socket,
//! go in at the back already rot13'd, and leave from the front once a newline has made
//! them a complete reply (the lecture's second 思考题 asks why one buffer is enough: the
//! service transforms input into output in place, so they are the same bytes).
//!
//! Fixed here: the C drops bytes past 1024 silently (a full buffer without a newline then
//! stalls for good), keeps stale indices for the next connection on the same fd, and
//! closes on EOF before sending what is queued.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};

/// The longest line a client may send, terminator excluded (the course's `MAXLINE`).
pub const MAX_LINE: usize = common::MAXLINE;

/// Stop reading a client whose replies pile up past this many bytes: it is not reading.
pub const HIGH_WATER: usize = 64 * 1024;

/// A connected client of the rot13 line service.
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    peer: SocketAddr,
    /// rot13'd bytes received and not yet sent.
    buffer: Vec<u8>,
    /// `buffer[..complete]` ends with a newline: those bytes may be sent.
    complete: usize,
    /// The client half-closed (read returned 0).
    eof: bool,
}

impl Conn {
    /// Wraps a non-blocking stream.
    pub fn new(stream: TcpStream, peer: SocketAddr) -> Conn {
        Conn {
            stream,
            peer,
            buffer: Vec::new(),
            complete: 0,
            eof: false,
        }
    }

    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Watch for readability?
    pub fn wants_read(&self) -> bool {
        !self.eof && self.complete < HIGH_WATER
    }

    /// Watch for writability? Only while a complete reply waits (the C's `readable` flag).
    pub fn wants_write(&self) -> bool {
        self.complete > 0
    }

    /// The client has half-closed and got every reply: close it.
    pub fn finished(&self) -> bool {
        self.eof && self.complete == 0
    }

    /// Reads until the kernel has nothing more (`WouldBlock`), the client half-closes, or
    /// replies pile up past [`HIGH_WATER`]. Returns how many bytes were read.
    ///
    /// On a non-blocking socket "nothing more" is `EAGAIN`/`EWOULDBLOCK` (the same number
    /// on Linux), which ends the loop; it is not an error.
    pub fn on_readable(&mut self) -> io::Result<usize> {
        let mut total = 0;
        let mut buf = [0u8; 1024];
        while self.wants_read() {
            let n = match self.stream.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.eof = true;
                break;
            }
            total += n;
            self.take(&buf[..n])?;
        }
        Ok(total)
    }

    fn take(&mut self, bytes: &[u8]) -> io::Result<()> {
        let start = self.buffer.len();
        self.buffer.extend_from_slice(bytes);
        // rot13 maps '\n' to itself, so a newline found in `bytes` is one in the buffer.
        common::rot13_in_place(&mut self.buffer[start..]);
        if let Some(i) = bytes.iter().rposition(|&b| b == b'\n') {
            self.complete = start + i + 1;
        }
        // MAX_LINE bytes plus a '\r' may still be followed by '\n'; more cannot.
        if self.buffer.len() - self.complete > MAX_LINE + 1 {
            return Err(io::Error::new(
                ErrorKind::InvalidData,
                format!("line longer than {MAX_LINE} bytes"),
            ));
        }
        Ok(())
    }

    /// Writes complete replies until done or the send buffer is full (`WouldBlock`: a
    /// non-blocking write takes what fits and says how much, send(2)).
    pub fn on_writable(&mut self) -> io::Result<()> {
        while self.complete > 0 {
            match self.stream.write(&self.buffer[..self.complete]) {
                Ok(n) => {
                    self.buffer.drain(..n);
                    self.complete -= n;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

impl AsFd for Conn {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.stream.as_fd()
    }
}
