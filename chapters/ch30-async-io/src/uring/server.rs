//! `uring-server`: a proactor. The loop never reads or writes a socket itself; it asks the
//! kernel to accept, receive and send, and reacts to *completed* operations.
//!
//! Compare with an epoll reactor, which is told a socket is *ready* and then calls
//! `read`/`write` itself. Here:
//!
//! - every operation in flight is an [`Op`] in a slab; its slab key is the entry's
//!   `user_data`, so a completion finds its operation (mio's `Token`, the C framework's
//!   channel map);
//! - an operation owns its buffer: a `Recv` owns the bytes the kernel fills, a `Send` owns
//!   the bytes the kernel drains. Nothing else can touch, reuse or free them until the
//!   completion hands the operation back;
//! - a connection has at most one receive and one send in flight, and its fd is closed only
//!   when neither is (the fd number in a queued entry must still mean that socket);
//! - a peer that never reads cannot make the server buffer without limit: once
//!   `max_pending` bytes of answers wait for it, no new receive is armed for it, so its own
//!   sends stall in its kernel, not ours. Other connections are untouched: nothing blocks.
//! - a full submission queue is submitted to the kernel (which empties it) and the push is
//!   retried.

use std::io;
use std::net::TcpListener;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

use anyhow::Context;
use io_uring::{IoUring, opcode, squeue, types};

use super::slab::Slab;

/// Tunables of the proactor.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Bytes per receive.
    pub recv_size: usize,
    /// Answers waiting for one peer beyond which its receives stop.
    pub max_pending: usize,
    /// How long accept waits after running out of descriptors.
    pub accept_backoff: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            recv_size: common::BUFFER_SIZE,
            max_pending: 64 * 1024,
            accept_backoff: Duration::from_millis(100),
        }
    }
}

/// An operation the kernel is working on, with everything it borrowed.
enum Op {
    /// Accept one connection on the listener.
    Accept,
    /// Wait before accepting again (after EMFILE and friends). The kernel reads the
    /// timespec; we only keep it alive.
    Backoff { _timespec: Box<types::Timespec> },
    /// Receive into `buf` for connection `conn`.
    Recv { conn: usize, buf: Box<[u8]> },
    /// Send `buf[sent..]` to connection `conn`.
    Send {
        conn: usize,
        buf: Vec<u8>,
        sent: usize,
    },
}

/// One client.
struct Conn {
    fd: OwnedFd,
    /// rot13'd bytes not yet handed to a send.
    queued: Vec<u8>,
    receiving: bool,
    sending: bool,
    /// No more receives: the peer closed or failed. Close once nothing is in flight.
    closing: bool,
}

/// The proactor: a ring, a listener, the operations in flight and the connections.
pub struct Proactor {
    // Declared first so it is dropped first: closing the ring cancels what is in flight.
    ring: IoUring,
    listener: TcpListener,
    ops: Slab<Op>,
    conns: Slab<Conn>,
    /// Receive buffers not lent to the kernel right now.
    spare: Vec<Box<[u8]>>,
    options: Options,
}

impl Proactor {
    /// A proactor that serves `listener` through `ring`.
    pub fn new(ring: IoUring, listener: TcpListener, options: Options) -> Self {
        Self {
            ring,
            listener,
            ops: Slab::new(),
            conns: Slab::new(),
            spare: Vec::new(),
            options,
        }
    }

    /// Serves forever: submit, wait for at least one completion, handle every completion.
    pub fn run(&mut self) -> anyhow::Result<()> {
        self.arm_accept()?;
        let mut done = Vec::new();
        loop {
            match self.ring.submit_and_wait(1) {
                Ok(_) => {}
                // EINTR: a signal; EBUSY: completions overflowed and must be reaped first.
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINTR | libc::EBUSY)) => {}
                Err(e) => return Err(e).context("io_uring_enter"),
            }
            done.extend(self.ring.completion().map(|c| (c.user_data(), c.result())));
            for (token, result) in done.drain(..) {
                self.complete(token as usize, result)?;
            }
        }
    }

    /// Dispatches one completion. The operation leaves the slab: the kernel is done with
    /// its buffer, which is ours again.
    fn complete(&mut self, token: usize, result: i32) -> anyhow::Result<()> {
        let op = self
            .ops
            .remove(token)
            .with_context(|| format!("completion for unknown token {token}"))?;
        match op {
            Op::Accept => self.accepted(result),
            Op::Backoff { .. } => self.arm_accept(),
            Op::Recv { conn, buf } => self.received(conn, buf, result),
            Op::Send { conn, buf, sent } => self.sent(conn, buf, sent, result),
        }
    }

    fn accepted(&mut self, result: i32) -> anyhow::Result<()> {
        if result < 0 {
            let err = io::Error::from_raw_os_error(-result);
            if matches!(
                -result,
                libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM
            ) {
                // Out of descriptors or memory: accepting again at once would fail at once,
                // forever. Wait a little; the client waits in the listen backlog meanwhile.
                eprintln!(
                    "accept: {err}; retrying in {} ms",
                    self.options.accept_backoff.as_millis()
                );
                return self.arm_backoff();
            }
            eprintln!("accept: {err}");
            return self.arm_accept();
        }
        // SAFETY: a successful accept's result is a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(result) };
        let conn = self.conns.insert(Conn {
            fd,
            queued: Vec::new(),
            receiving: false,
            sending: false,
            closing: false,
        });
        self.arm_recv(conn)?;
        self.arm_accept()
    }

    fn received(&mut self, conn: usize, mut buf: Box<[u8]>, result: i32) -> anyhow::Result<()> {
        let c = self.conn(conn)?;
        c.receiving = false;
        if result > 0 {
            let data = &mut buf[..result as usize];
            common::rot13_in_place(data);
            c.queued.extend_from_slice(data);
        } else {
            if result < 0 {
                eprintln!(
                    "connection {conn}: recv: {}",
                    io::Error::from_raw_os_error(-result)
                );
                c.queued.clear();
            }
            // EOF: the peer sends no more; answer what it sent, then close.
            c.closing = true;
        }
        self.spare.push(buf);
        self.start_send(conn)?;
        self.resume_recv(conn)?;
        self.close_if_idle(conn)
    }

    fn sent(
        &mut self,
        conn: usize,
        mut buf: Vec<u8>,
        sent: usize,
        result: i32,
    ) -> anyhow::Result<()> {
        let c = self.conn(conn)?;
        c.sending = false;
        if result < 0 {
            eprintln!(
                "connection {conn}: send: {}",
                io::Error::from_raw_os_error(-result)
            );
            c.queued.clear();
            c.closing = true;
            // A receive may still be waiting on this socket; shutting it down completes it
            // (with 0 bytes) so the connection can be closed.
            let _ = nix::sys::socket::shutdown(c.fd.as_raw_fd(), nix::sys::socket::Shutdown::Both);
            return self.close_if_idle(conn);
        }
        let sent = sent + result as usize;
        if sent < buf.len() {
            // A short send: the rest of the same buffer goes out next.
            return self.arm_send(conn, buf, sent);
        }
        // All sent. Reuse the allocation for whatever queued up meanwhile.
        buf.clear();
        std::mem::swap(&mut buf, &mut c.queued);
        if !buf.is_empty() {
            self.arm_send(conn, buf, 0)?;
        }
        self.resume_recv(conn)?;
        self.close_if_idle(conn)
    }

    /// Hands the queued answers to a send, unless one is already in flight.
    fn start_send(&mut self, conn: usize) -> anyhow::Result<()> {
        let c = self.conn(conn)?;
        if c.sending || c.queued.is_empty() {
            return Ok(());
        }
        let buf = std::mem::take(&mut c.queued);
        self.arm_send(conn, buf, 0)
    }

    /// Arms the next receive if the peer is still sending and its answers are being read.
    fn resume_recv(&mut self, conn: usize) -> anyhow::Result<()> {
        let max_pending = self.options.max_pending;
        let c = self.conn(conn)?;
        if c.receiving || c.closing || c.queued.len() >= max_pending {
            return Ok(());
        }
        self.arm_recv(conn)
    }

    /// Closes the connection once nothing is in flight for it and nothing is left to send.
    fn close_if_idle(&mut self, conn: usize) -> anyhow::Result<()> {
        let c = self.conn(conn)?;
        if c.closing && !c.receiving && !c.sending && c.queued.is_empty() {
            // Dropping the OwnedFd closes it.
            self.conns.remove(conn);
        }
        Ok(())
    }

    fn arm_accept(&mut self) -> anyhow::Result<()> {
        let accept = opcode::Accept::new(
            types::Fd(self.listener.as_raw_fd()),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
        .flags(libc::SOCK_CLOEXEC);
        self.push(accept.build(), Op::Accept)
    }

    fn arm_backoff(&mut self) -> anyhow::Result<()> {
        let timespec = Box::new(types::Timespec::from(self.options.accept_backoff));
        let timeout = opcode::Timeout::new(&*timespec);
        self.push(
            timeout.build(),
            Op::Backoff {
                _timespec: timespec,
            },
        )
    }

    fn arm_recv(&mut self, conn: usize) -> anyhow::Result<()> {
        let size = self.options.recv_size;
        let mut buf = self
            .spare
            .pop()
            .unwrap_or_else(|| vec![0; size].into_boxed_slice());
        let c = self.conn(conn)?;
        c.receiving = true;
        let fd = types::Fd(c.fd.as_raw_fd());
        // The pointer stays valid when `buf` moves into the Op: a Box moves, its heap does not.
        let recv = opcode::Recv::new(fd, buf.as_mut_ptr(), buf.len() as u32);
        self.push(recv.build(), Op::Recv { conn, buf })
    }

    fn arm_send(&mut self, conn: usize, buf: Vec<u8>, sent: usize) -> anyhow::Result<()> {
        let c = self.conn(conn)?;
        c.sending = true;
        let rest = &buf[sent..];
        // MSG_NOSIGNAL: a peer that is gone gives EPIPE, not SIGPIPE.
        let send = opcode::Send::new(
            types::Fd(c.fd.as_raw_fd()),
            rest.as_ptr(),
            rest.len() as u32,
        )
        .flags(libc::MSG_NOSIGNAL);
        self.push(send.build(), Op::Send { conn, buf, sent })
    }

    /// Records `op` in the slab and pushes `entry` with its key as `user_data`. When the
    /// submission queue is full, submits what is there (the kernel takes every entry) and
    /// retries.
    fn push(&mut self, entry: squeue::Entry, op: Op) -> anyhow::Result<()> {
        let token = self.ops.insert(op);
        let entry = entry.user_data(token as u64);
        loop {
            // SAFETY: every buffer, timespec and fd the entry points at is owned by `op`, now
            // in `self.ops`, or by its connection, which is not closed while `op` is in flight;
            // `op` leaves the slab only when its completion arrives.
            if unsafe { self.ring.submission().push(&entry) }.is_ok() {
                return Ok(());
            }
            match self.ring.submit() {
                Ok(_) => {}
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINTR | libc::EBUSY)) => {}
                Err(e) => return Err(e).context("io_uring_enter (submission queue full)"),
            }
        }
    }

    fn conn(&mut self, conn: usize) -> anyhow::Result<&mut Conn> {
        self.conns
            .get_mut(conn)
            .with_context(|| format!("operation for closed connection {conn}"))
    }
}

impl Drop for Proactor {
    fn drop(&mut self) {
        // Closing the ring does not wait for the kernel to let go of the buffers of
        // operations still in flight, so they are leaked rather than freed under it.
        std::mem::forget(std::mem::replace(&mut self.ops, Slab::new()));
    }
}
