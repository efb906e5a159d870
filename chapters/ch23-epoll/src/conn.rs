//! One client of `epoll01`: a non-blocking socket, the rot13 of what it sent, and whether
//! epoll should watch it for reading, writing, or both.
//!
//! Like the course's epoll01 this service answers each chunk as it arrives (no waiting for
//! a newline): `fasfsafas` comes back as `snfsfnsnf`.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};

/// Stop reading a client whose replies pile up past this many bytes: it is not reading.
pub const HIGH_WATER: usize = 64 * 1024;

/// A connected rot13 client.
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    peer: SocketAddr,
    /// rot13'd bytes to send; `output[sent..]` is still unsent.
    output: Vec<u8>,
    sent: usize,
    /// The client half-closed (read returned 0).
    eof: bool,
    /// The last read stopped at [`HIGH_WATER`] with bytes possibly still in the kernel.
    stalled: bool,
}

impl Conn {
    /// Wraps a non-blocking stream.
    pub fn new(stream: TcpStream, peer: SocketAddr) -> Conn {
        Conn {
            stream,
            peer,
            output: Vec::new(),
            sent: 0,
            eof: false,
            stalled: false,
        }
    }

    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Watch for EPOLLIN? Not after EOF (a closed peer stays readable, and level-triggered
    /// epoll would report it forever), nor while replies pile up.
    pub fn wants_read(&self) -> bool {
        !self.eof && self.pending() < HIGH_WATER
    }

    /// Watch for EPOLLOUT? Only while output is queued: an idle socket is writable, so
    /// level-triggered epoll would wake us for nothing, again and again.
    pub fn wants_write(&self) -> bool {
        self.pending() > 0
    }

    /// The client half-closed and has every reply: close it.
    pub fn finished(&self) -> bool {
        self.eof && self.pending() == 0
    }

    fn pending(&self) -> usize {
        self.output.len() - self.sent
    }

    /// Handles an event: reads if `readable`, writes what is queued, and repeats while a
    /// read stopped only because the output was full and writing made room. Edge-triggered
    /// epoll reports each change once, so nothing must be left for "next time".
    pub fn on_event(&mut self, readable: bool) -> io::Result<()> {
        let mut read_now = readable;
        loop {
            if read_now && self.wants_read() {
                self.read_until_blocked()?;
            }
            self.write_until_blocked()?;
            if !(self.stalled && self.wants_read()) {
                return Ok(());
            }
            read_now = true;
        }
    }

    /// Reads until `WouldBlock` (the kernel has nothing more), EOF, or the high-water mark.
    /// Under edge-triggered epoll this loop is not optional: stop early and the bytes left
    /// behind make no new edge, so nobody reads them until the client sends more.
    fn read_until_blocked(&mut self) -> io::Result<()> {
        let mut buf = [0u8; 4096];
        self.stalled = false;
        loop {
            if !self.wants_read() {
                self.stalled = !self.eof;
                return Ok(());
            }
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    let start = self.output.len();
                    self.output.extend_from_slice(&buf[..n]);
                    common::rot13_in_place(&mut self.output[start..]);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes until the output is empty or the send buffer is full (`WouldBlock`).
    fn write_until_blocked(&mut self) -> io::Result<()> {
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

    /// The socket's pending error (`SO_ERROR`), which EPOLLERR announces.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.stream.take_error()
    }
}

impl AsFd for Conn {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.stream.as_fd()
    }
}
