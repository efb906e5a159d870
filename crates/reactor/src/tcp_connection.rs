//! One accepted TCP connection: its socket, its two buffers, its context, its callbacks.
//!
//! Course counterpart: `lib/tcp_connection.c` (lectures 33-35). muduo counterpart:
//! `TcpConnection`.
//!
//! Lecture 35 asks why a connection object exists beside the channel. Here the split is:
//! the loop's channel is just a token and an interest; the connection owns the socket
//! (closing it on drop), the input and output [`Buffer`]s, the application's context and
//! the four callbacks. An application meets a connection only inside a callback, as
//! [`TcpConnection`], a short-lived view that also borrows the loop, so `send` can change
//! the write interest and `run_after` can set a timer without any shared pointer.
//!
//! The rules it keeps, each one a bug of the C framework:
//!
//! - **Write first, buffer the rest.** [`TcpConnection::send`] writes directly while nothing
//!   is queued; whatever the kernel does not take goes to the output buffer, and only then
//!   does the connection ask for write readiness, which it drops again once the buffer is
//!   empty (level-triggered epoll would otherwise wake the loop forever). The C version
//!   reached the interest through a pointer cast to the wrong type and deadlocked its
//!   thread on the first partial write.
//! - **Close exactly once.** EOF, a read or write error, a hang-up, `force_close`, an idle
//!   timeout: each only marks the connection closing; the loop then deregisters it, runs
//!   `on_close`, and drops it, which closes the socket. The C version never closed
//!   connection sockets (CLOSE_WAIT forever).
//! - **Context before data.** `on_connection` runs on the connection's own loop before its
//!   socket is registered for reading, so a context it sets is there for the first
//!   `on_message`. The C version attached the HTTP context from the acceptor thread after
//!   handing the connection over, and crashed when the request won the race.
//! - **A peer's half-close is not an abort.** On EOF the connection stops reading, sends
//!   what is still queued, then closes.

use std::any::Any;
use std::io::{self, IoSlice, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::buffer::Buffer;
use crate::channel::{Interest, Ready, Token};
use crate::event_loop::{Control, EventLoop, Handler, LoopHandle};
use crate::log::msg;
use crate::timer_queue::TimerId;

/// An empty buffer larger than this gives its memory back (after a burst of traffic).
const KEEP_BUFFER: usize = 64 * 1024;

/// A callback that receives a connection: `on_connection`, `on_write_complete`,
/// `on_close`. Shared by every loop thread, hence `Send + Sync`.
pub type ConnectionCallback = Box<dyn Fn(&mut TcpConnection<'_>) + Send + Sync>;

/// The `on_message` callback: the connection and its input buffer. Consume what you use
/// with [`Buffer::retrieve`]; what you leave stays for the next call (e.g. half a request).
pub type MessageCallback = Box<dyn Fn(&mut TcpConnection<'_>, &mut Buffer) + Send + Sync>;

/// The application's four callbacks (the course's "program hook points"), shared by every
/// connection of a server.
#[derive(Default)]
pub(crate) struct Callbacks {
    pub(crate) on_connection: Option<ConnectionCallback>,
    pub(crate) on_message: Option<MessageCallback>,
    pub(crate) on_write_complete: Option<ConnectionCallback>,
    pub(crate) on_close: Option<ConnectionCallback>,
}

/// The connection as the loop holds it: the handler behind its token.
pub(crate) struct Connection {
    core: Core,
    input: Buffer,
    callbacks: Arc<Callbacks>,
}

/// Everything a [`TcpConnection`] view may touch.
struct Core {
    stream: TcpStream,
    token: Token,
    name: String,
    output: Buffer,
    /// The interest the dispatcher currently has for this socket.
    interest: Interest,
    context: Option<Box<dyn Any>>,
    /// The peer sent FIN: stop reading, finish writing, close.
    peer_closed: bool,
    /// `shutdown()` was called: half-close once the output drains; accept no more sends.
    shutdown_requested: bool,
    /// `shutdown(SHUT_WR)` has been done.
    write_shut: bool,
    /// The connection is finished; the loop removes it after the current callback.
    closing: bool,
    /// All output reached the kernel and `on_write_complete` is yet to run.
    write_complete_pending: bool,
    idle: Option<Idle>,
}

struct Idle {
    timeout: Duration,
    last_activity: Instant,
    timer: TimerId,
}

/// A connection, as the application sees it inside a callback.
///
/// It borrows both the connection and its loop for the duration of the callback; it cannot
/// be kept or sent elsewhere (use [`TcpConnection::handle`] for that). Every method runs on
/// the connection's loop thread, because that is the only place a `TcpConnection` exists.
pub struct TcpConnection<'a> {
    core: &'a mut Core,
    lp: &'a mut EventLoop,
}

impl TcpConnection<'_> {
    /// The course's name for it: `connection-<fd>`.
    pub fn name(&self) -> &str {
        &self.core.name
    }

    /// The connected socket's descriptor number (for logs; the connection owns it).
    pub fn fd(&self) -> RawFd {
        self.core.stream.as_raw_fd()
    }

    /// The connection's token in its loop.
    pub fn token(&self) -> Token {
        self.core.token
    }

    /// The peer's address (getpeername(2)).
    ///
    /// # Errors
    /// The socket is no longer connected (e.g. the peer reset it).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.core.stream.peer_addr()
    }

    /// Sends `data`: written directly if nothing is queued, the rest queued and written as
    /// the socket becomes writable. Never blocks. Ignored once the connection is closing or
    /// `shutdown` was called. A write error (the peer reset) closes the connection.
    pub fn send(&mut self, data: &[u8]) {
        self.send_parts(&[data]);
    }

    /// Sends several slices as one stream, with one writev(2) when nothing is queued (an
    /// HTTP header and body without copying them together). Same rules as [`Self::send`].
    pub fn send_parts(&mut self, parts: &[&[u8]]) {
        let core = &mut *self.core;
        if core.closing || core.shutdown_requested {
            return;
        }
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if total == 0 {
            return;
        }
        let mut written = 0;
        if core.output.is_empty() {
            written = match write_parts(&core.stream, parts) {
                Ok(n) => n,
                Err(e) => {
                    fail(core, self.lp, "write", &e);
                    return;
                }
            };
        }
        let mut skip = written;
        for part in parts {
            if skip >= part.len() {
                skip -= part.len();
                continue;
            }
            core.output.append(&part[skip..]);
            skip = 0;
        }
        if written == total {
            core.write_complete_pending = true;
        }
    }

    /// Sends the readable bytes of `buffer` and empties it (the course's
    /// `tcp_connection_send_buffer`).
    pub fn send_buffer(&mut self, buffer: &mut Buffer) {
        self.send(buffer.peek());
        buffer.retrieve_all();
    }

    /// How many bytes are queued in the output buffer, waiting for the socket: the number
    /// to watch to slow down a producer for a slow reader.
    pub fn queued_output(&self) -> usize {
        self.core.output.readable_bytes()
    }

    /// Half-closes: once everything queued has been written, `shutdown(SHUT_WR)` sends FIN.
    /// The connection stays open for reading until the peer closes its side. Later sends
    /// are ignored.
    pub fn shutdown(&mut self) {
        self.core.shutdown_requested = true;
    }

    /// Closes now, dropping any queued output. `on_close` runs once the current callback
    /// returns.
    pub fn force_close(&mut self) {
        self.core.closing = true;
    }

    /// Whether the connection is still open for sending (not closing, not shut down).
    pub fn is_connected(&self) -> bool {
        !self.core.closing && !self.core.shutdown_requested
    }

    /// Stores the application's per-connection state, replacing any earlier one. Set it in
    /// `on_connection`: it is then in place before the first `on_message`.
    pub fn set_context<T: Any>(&mut self, context: T) {
        self.core.context = Some(Box::new(context));
    }

    /// The context, if one of type `T` is set.
    pub fn context<T: Any>(&self) -> Option<&T> {
        self.core.context.as_ref()?.downcast_ref()
    }

    /// The context, mutably, if one of type `T` is set.
    pub fn context_mut<T: Any>(&mut self) -> Option<&mut T> {
        self.core.context.as_mut()?.downcast_mut()
    }

    /// Removes and returns the context, if one of type `T` is set.
    pub fn take_context<T: Any>(&mut self) -> Option<T> {
        match self.core.context.take()?.downcast::<T>() {
            Ok(context) => Some(*context),
            Err(other) => {
                self.core.context = Some(other);
                None
            }
        }
    }

    /// Runs `f` on this connection once, `delay` from now, unless the connection is gone
    /// by then (then nothing happens) or the timer is cancelled. E.g. a header-read
    /// timeout that calls `force_close`.
    pub fn run_after(
        &mut self,
        delay: Duration,
        f: impl FnOnce(&mut TcpConnection<'_>) + 'static,
    ) -> TimerId {
        let token = self.core.token;
        self.lp.run_after(delay, move |lp| {
            with_connection(lp, token, f);
        })
    }

    /// Cancels a timer set by [`Self::run_after`] (or any timer of this loop).
    pub fn cancel_timer(&mut self, id: TimerId) -> bool {
        self.lp.cancel_timer(id)
    }

    /// Closes the connection once nothing has been read from it for `timeout`; `None`
    /// turns that off. Costs one `Instant::now()` per read and one timer per timeout
    /// period, not one timer per message: the timer checks the time of the last read
    /// when it fires and re-arms itself for the rest.
    pub fn set_idle_timeout(&mut self, timeout: Option<Duration>) {
        if let Some(idle) = self.core.idle.take() {
            self.lp.cancel_timer(idle.timer);
        }
        if let Some(timeout) = timeout {
            let timer = arm_idle_timer(self.lp, self.core.token, timeout);
            self.core.idle = Some(Idle {
                timeout,
                last_activity: Instant::now(),
                timer,
            });
        }
    }

    /// A `Send` handle to this connection for other threads (e.g. a worker pool that
    /// computes a reply).
    pub fn handle(&self) -> ConnectionHandle {
        ConnectionHandle {
            lp: self.lp.handle(),
            token: self.core.token,
        }
    }

    /// The loop this connection belongs to, e.g. for [`EventLoop::run_every`].
    pub fn event_loop(&mut self) -> &mut EventLoop {
        self.lp
    }
}

/// A connection, addressed from another thread. `Clone + Send + Sync`; every method may be
/// called from any thread. Each queues a task for the connection's loop; if the connection
/// has closed by the time the task runs, it does nothing.
#[derive(Clone, Debug)]
pub struct ConnectionHandle {
    lp: LoopHandle,
    token: Token,
}

impl ConnectionHandle {
    /// Queues `data` to be sent (as [`TcpConnection::send`]).
    pub fn send(&self, data: Vec<u8>) {
        let token = self.token;
        self.lp.queue(move |lp| {
            with_connection(lp, token, |c| c.send(&data));
        });
    }

    /// Half-closes after the queued output (as [`TcpConnection::shutdown`]).
    pub fn shutdown(&self) {
        let token = self.token;
        self.lp.queue(move |lp| {
            with_connection(lp, token, |c| c.shutdown());
        });
    }

    /// Closes the connection (as [`TcpConnection::force_close`]).
    pub fn force_close(&self) {
        let token = self.token;
        self.lp.queue(move |lp| {
            with_connection(lp, token, |c| c.force_close());
        });
    }
}

/// One write(2) or writev(2) of `parts`, retrying EINTR; `WouldBlock` counts as 0 bytes.
fn write_parts(mut stream: &TcpStream, parts: &[&[u8]]) -> io::Result<usize> {
    loop {
        let result = match parts {
            [one] => stream.write(one),
            _ => {
                // On the stack: no allocation per send. Parts beyond the eighth are simply
                // queued by the caller.
                let mut slices = [IoSlice::new(&[]); 8];
                for (slice, part) in slices.iter_mut().zip(parts) {
                    *slice = IoSlice::new(part);
                }
                stream.write_vectored(&slices[..parts.len().min(8)])
            }
        };
        match result {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(0),
            Err(e) => return Err(e),
        }
    }
}

/// A failed read or write ends the connection: logged (with `--log`), then closed.
fn fail(core: &mut Core, lp: &EventLoop, op: &str, e: &io::Error) {
    msg!(lp, "{op} {}: {e}, {}", core.name, lp.name());
    core.closing = true;
}

fn arm_idle_timer(lp: &mut EventLoop, token: Token, delay: Duration) -> TimerId {
    lp.run_after(delay, move |lp| {
        lp.with_handler(token, |handler, lp| {
            let Some(conn) = handler.as_any_mut().downcast_mut::<Connection>() else {
                return Control::Keep;
            };
            conn.check_idle(lp);
            conn.reconcile(lp)
        });
    })
}

/// Runs `f` on the connection behind `token`, if it still exists, then applies whatever
/// `f` changed (interest, close).
fn with_connection(lp: &mut EventLoop, token: Token, f: impl FnOnce(&mut TcpConnection<'_>)) {
    lp.with_handler(token, |handler, lp| {
        let Some(conn) = handler.as_any_mut().downcast_mut::<Connection>() else {
            return Control::Keep;
        };
        if conn.core.closing {
            return Control::Remove;
        }
        f(&mut TcpConnection {
            core: &mut conn.core,
            lp,
        });
        conn.reconcile(lp)
    });
}

impl Connection {
    /// Registers a freshly accepted socket with `lp` and runs `on_connection`, on `lp`'s
    /// thread, before the first read. If the loop cannot watch the socket (select's
    /// FD_SETSIZE, or an epoll_ctl error), the socket is closed with an error line and no
    /// callback runs.
    pub(crate) fn establish(lp: &mut EventLoop, stream: TcpStream, callbacks: Arc<Callbacks>) {
        let fd = stream.as_raw_fd();
        let conn = Connection {
            core: Core {
                stream,
                token: Token(u64::MAX),
                name: format!("connection-{fd}"),
                output: Buffer::new(),
                interest: Interest::READ,
                context: None,
                peer_closed: false,
                shutdown_requested: false,
                write_shut: false,
                closing: false,
                write_complete_pending: false,
                idle: None,
            },
            input: Buffer::new(),
            callbacks,
        };
        let token = match lp.register(Box::new(conn), Interest::READ) {
            Ok(token) => token,
            Err(e) => {
                crate::log::err(format_args!(
                    "cannot watch connection-{fd} on {}: {e}; closing it",
                    lp.name()
                ));
                return;
            }
        };
        lp.with_handler(token, |handler, lp| {
            let conn = handler
                .as_any_mut()
                .downcast_mut::<Connection>()
                .expect("just registered a connection");
            conn.core.token = token;
            if let Some(cb) = &conn.callbacks.on_connection {
                cb(&mut TcpConnection {
                    core: &mut conn.core,
                    lp,
                });
            }
            conn.reconcile(lp)
        });
    }

    fn handle_read(&mut self, lp: &mut EventLoop) {
        let core = &mut self.core;
        match self.input.read_from(&core.stream, lp.spill()) {
            Ok(0) => core.peer_closed = true,
            Ok(_) => {
                if let Some(idle) = &mut core.idle {
                    idle.last_activity = Instant::now();
                }
                match &self.callbacks.on_message {
                    Some(cb) => cb(&mut TcpConnection { core, lp }, &mut self.input),
                    // Nobody wants the bytes: drop them rather than let them pile up.
                    None => self.input.retrieve_all(),
                }
                self.input.shrink_if_empty(KEEP_BUFFER);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => fail(core, lp, "read", &e),
        }
    }

    fn handle_write(&mut self, lp: &mut EventLoop) {
        let core = &mut self.core;
        if core.output.is_empty() {
            return; // woken only to run a pending write-complete callback
        }
        match write_parts(&core.stream, &[core.output.peek()]) {
            Ok(n) => {
                core.output.retrieve(n);
                if core.output.is_empty() {
                    core.output.shrink_if_empty(KEEP_BUFFER);
                    core.write_complete_pending = true;
                }
            }
            Err(e) => fail(core, lp, "write", &e),
        }
    }

    fn check_idle(&mut self, lp: &mut EventLoop) {
        let token = self.core.token;
        let Some(idle) = &mut self.core.idle else {
            return;
        };
        let quiet = idle.last_activity.elapsed();
        if quiet >= idle.timeout {
            msg!(lp, "idle timeout {}, {}", self.core.name, lp.name());
            self.core.idle = None;
            self.core.closing = true;
        } else {
            idle.timer = arm_idle_timer(lp, token, idle.timeout - quiet);
        }
    }

    /// After any callback: run a pending write-complete callback, half-close or close if
    /// due, and make the dispatcher's interest match the state. The one place that decides
    /// the connection's fate.
    fn reconcile(&mut self, lp: &mut EventLoop) -> Control {
        let core = &mut self.core;
        if core.write_complete_pending && !core.closing {
            core.write_complete_pending = false;
            if let Some(cb) = &self.callbacks.on_write_complete {
                cb(&mut TcpConnection {
                    core: &mut *core,
                    lp: &mut *lp,
                });
                // If the callback sent more and it all went out at once, the flag is set
                // again; the write interest below brings the loop back for it, instead of
                // calling back in a tight loop here.
            }
        }
        if core.shutdown_requested && !core.write_shut && core.output.is_empty() && !core.closing {
            core.write_shut = true;
            if let Err(e) = core.stream.shutdown(Shutdown::Write) {
                fail(core, lp, "shutdown", &e);
            }
        }
        if core.peer_closed && core.output.is_empty() {
            core.closing = true;
        }
        if core.closing {
            return Control::Remove;
        }
        let callback_pending =
            core.write_complete_pending && self.callbacks.on_write_complete.is_some();
        let want = Interest {
            read: !core.peer_closed,
            write: !core.output.is_empty() || callback_pending,
        };
        if want != core.interest {
            if let Err(e) = lp.set_interest(core.stream.as_fd(), core.token, want) {
                fail(core, lp, "update interest", &e);
                return Control::Remove;
            }
            core.interest = want;
        }
        Control::Keep
    }
}

impl Handler for Connection {
    fn fd(&self) -> BorrowedFd<'_> {
        self.core.stream.as_fd()
    }

    fn handle_event(&mut self, lp: &mut EventLoop, _: Token, ready: Ready) -> Control {
        if ready.readable || ready.hup || ready.error {
            if !self.core.peer_closed {
                self.handle_read(lp);
            } else if ready.hup || ready.error {
                // Not reading any more, and the peer is gone (RST): nothing can be sent.
                self.core.closing = true;
            }
        }
        if ready.writable && !self.core.closing {
            self.handle_write(lp);
        }
        self.reconcile(lp)
    }

    fn deregistered(&mut self, lp: &mut EventLoop, _: Token) {
        self.core.closing = true;
        if let Some(idle) = self.core.idle.take() {
            lp.cancel_timer(idle.timer);
        }
        if let Some(cb) = &self.callbacks.on_close {
            cb(&mut TcpConnection {
                core: &mut self.core,
                lp,
            });
        }
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
