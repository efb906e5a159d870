//! The listening socket as a loop handler: accept, classify errors, hand connections on.
//!
//! Course counterpart: `lib/acceptor.c` plus `handle_connection_established` in
//! `lib/tcp_server.c`. muduo counterpart: `Acceptor`.
//!
//! The C acceptor ignored `accept`'s result. When the process ran out of descriptors it
//! built a connection for fd -1, and because the listener is level-triggered and the
//! pending connection was still queued, it did so again at once: a busy loop, then a crash.
//! Here errors are sorted as muduo sorts them (`SocketsOps.cc`):
//!
//! - `EAGAIN`: the queue is empty, wait for the next event;
//! - `EINTR`, `ECONNABORTED`, `EPROTO`, `EPERM`: this connection failed, try the next;
//! - `EMFILE`, `ENFILE`: out of descriptors. The acceptor keeps one spare descriptor open
//!   (on `/dev/null`); it closes the spare, accepts the waiting connection, closes that at
//!   once (the client sees the connection end instead of hanging in the queue), and reopens
//!   the spare ("the special problem of accept()ing when you can't", libev's docs);
//! - anything else, or `EMFILE` with no spare left: stop watching the listener for
//!   [`PAUSE`] and try again then. The loop keeps serving established connections.

use std::any::Any;
use std::fs::File;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd};
use std::sync::Arc;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::socket::{SockFlag, accept4};

use crate::channel::{Interest, Ready, Token};
use crate::event_loop::{Control, EventLoop, Handler, LoopHandle};
use crate::log::{err, msg};
use crate::tcp_connection::{Callbacks, Connection};

/// How long the listener rests after an error that accepting again would only repeat.
pub const PAUSE: Duration = Duration::from_millis(100);

/// At most this many accepts per readiness event, so a flood of connections cannot starve
/// the loop's other handlers; level triggering reports the rest next round.
const ACCEPTS_PER_EVENT: usize = 64;

pub(crate) struct Acceptor {
    listener: TcpListener,
    /// The spare descriptor for the EMFILE trick.
    spare: Option<File>,
    callbacks: Arc<Callbacks>,
    /// The sub-reactors, chosen round-robin; empty means "serve on this loop".
    sub_loops: Vec<LoopHandle>,
    next: usize,
    nodelay: bool,
}

fn open_spare() -> Option<File> {
    File::open("/dev/null").ok()
}

impl Acceptor {
    pub(crate) fn new(
        listener: TcpListener,
        callbacks: Arc<Callbacks>,
        sub_loops: Vec<LoopHandle>,
        nodelay: bool,
    ) -> io::Result<Acceptor> {
        listener.set_nonblocking(true)?;
        Ok(Acceptor {
            listener,
            spare: open_spare(),
            callbacks,
            sub_loops,
            next: 0,
            nodelay,
        })
    }

    /// accept4(2) with `SOCK_NONBLOCK | SOCK_CLOEXEC`: the new socket is born non-blocking
    /// (the course's "don't forget make_nonblocking"), in one syscall.
    fn accept(&self) -> Result<TcpStream, Errno> {
        let fd = accept4(
            self.listener.as_raw_fd(),
            SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
        )?;
        // SAFETY: accept4 just returned this descriptor; nothing else owns it.
        Ok(unsafe { TcpStream::from_raw_fd(fd) })
    }

    /// Passes a new connection to a sub-reactor (round-robin) or serves it here.
    fn hand_off(&mut self, lp: &mut EventLoop, stream: TcpStream) {
        msg!(
            lp,
            "new connection established, socket == {}",
            stream.as_raw_fd()
        );
        if self.nodelay {
            // Small replies go out at once instead of waiting for the previous segment's
            // ACK (Nagle's algorithm, tcp(7) TCP_NODELAY).
            let _ = stream.set_nodelay(true);
        }
        let callbacks = Arc::clone(&self.callbacks);
        if self.sub_loops.is_empty() {
            Connection::establish(lp, stream, callbacks);
        } else {
            let target = &self.sub_loops[self.next];
            self.next = (self.next + 1) % self.sub_loops.len();
            // The connection's whole state travels in this closure: nothing about it is
            // filled in after the hand-off.
            target.queue(move |lp| Connection::establish(lp, stream, callbacks));
        }
    }

    /// Stops watching the listener for [`PAUSE`], then resumes: the answer to errors that
    /// would otherwise make a level-triggered listener spin.
    fn pause(&mut self, lp: &mut EventLoop, token: Token) -> Control {
        if let Err(e) = lp.set_interest(self.listener.as_fd(), token, Interest::NONE) {
            err(format_args!("pause accepting: {e}"));
        }
        lp.run_after(PAUSE, move |lp| {
            lp.with_handler(token, |handler, lp| {
                if let Some(acceptor) = handler.as_any_mut().downcast_mut::<Acceptor>() {
                    if acceptor.spare.is_none() {
                        acceptor.spare = open_spare();
                    }
                    if let Err(e) =
                        lp.set_interest(acceptor.listener.as_fd(), token, Interest::READ)
                    {
                        err(format_args!("resume accepting: {e}"));
                    }
                }
                Control::Keep
            });
        });
        Control::Keep
    }

    /// Out of descriptors: refuse one waiting connection using the spare descriptor.
    /// Returns false if that did not work (no spare, or the freed descriptor was taken by
    /// another thread before the accept), so the caller pauses instead of retrying.
    fn refuse_one(&mut self) -> bool {
        let Some(spare) = self.spare.take() else {
            return false;
        };
        drop(spare);
        let refused = match self.accept() {
            Ok(stream) => {
                let peer = stream
                    .peer_addr()
                    .map_or_else(|_| "a client".to_string(), |a| a.to_string());
                err(format_args!(
                    "accept: {}; closed the connection from {peer}",
                    io::Error::from(Errno::EMFILE)
                ));
                true
            }
            Err(e) => e == Errno::EAGAIN,
        };
        self.spare = open_spare();
        refused
    }
}

impl Handler for Acceptor {
    fn fd(&self) -> BorrowedFd<'_> {
        self.listener.as_fd()
    }

    fn handle_event(&mut self, lp: &mut EventLoop, token: Token, _: Ready) -> Control {
        for _ in 0..ACCEPTS_PER_EVENT {
            match self.accept() {
                Ok(stream) => self.hand_off(lp, stream),
                Err(Errno::EAGAIN) => break,
                Err(Errno::EINTR | Errno::ECONNABORTED | Errno::EPROTO | Errno::EPERM) => {}
                Err(Errno::EMFILE | Errno::ENFILE) => {
                    if !self.refuse_one() {
                        err(format_args!(
                            "accept: out of file descriptors and no spare; pausing {PAUSE:?}"
                        ));
                        return self.pause(lp, token);
                    }
                }
                Err(e) => {
                    err(format_args!(
                        "accept: {}; pausing {PAUSE:?}",
                        io::Error::from(e)
                    ));
                    return self.pause(lp, token);
                }
            }
        }
        Control::Keep
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
