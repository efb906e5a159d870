//! The HTTP server: a [`TcpServer`] whose connections each carry a request parser.
//!
//! Course counterpart: `lib/http_server.c`. muduo counterpart: `HttpServer`.
//!
//! The application gives one function, `Fn(&Request, &mut Response)`, as the course's
//! `request_callback`; the server does the rest on the framework's callbacks:
//!
//! - `on_connection` puts an [`HttpConnection`] (parser, reusable response and output
//!   bytes, the request deadline) in the connection's context *before* the first read, and
//!   arms the deadline timer. The C attached its request object from the acceptor thread
//!   after the hand-off, and crashed when the request won the race.
//! - `on_message` parses every complete request in the input, in order (pipelining), calls
//!   the application for each, encodes all the answers into one byte string and sends it
//!   with one write. A partial request stays in the input for the next read. After a
//!   response that closes (the client asked, HTTP/1.0 without keep-alive, the application
//!   asked, or a parse error), the server half-closes: `shutdown(SHUT_WR)` once the output
//!   is written, discarding whatever the client still sends until it closes. Closing at
//!   once could turn unread input into an RST that destroys the response in flight.
//! - The deadline: a client gets `request_timeout` to deliver each complete request,
//!   counted from the connection's start or the previous request. Then it gets 408 if it
//!   had sent part of one, or is closed quietly if it had sent nothing (an idle keep-alive
//!   connection). A half-closed connection gets the same time to close its side. One
//!   timer per connection, re-armed only when it fires, so a request costs one clock read
//!   instead of a timer insertion.

use std::io;
use std::mem;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Request;
use super::request::{Limits, RequestParser};
use super::response::{Response, Status, encode_error};
use crate::buffer::Buffer;
use crate::log::{err, msg};
use crate::tcp_connection::TcpConnection;
use crate::tcp_server::{ServerOptions, TcpServer};

/// More output than this waiting for a client that sends requests but does not read the
/// answers, and the server gives up on it instead of buffering without bound.
pub const MAX_QUEUED_OUTPUT: usize = 4 * 1024 * 1024;

/// How an [`HttpServer`] runs.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Threads, dispatcher, logging, `TCP_NODELAY`: the underlying [`TcpServer`]'s options.
    pub server: ServerOptions,
    /// Request size limits.
    pub limits: Limits,
    /// How long a client may take to send each complete request.
    pub request_timeout: Duration,
}

/// The application's request handler, shared by every loop thread.
type Handler = dyn Fn(&Request<'_>, &mut Response) + Send + Sync;

/// The per-connection state, kept in the connection's context.
struct HttpConnection {
    parser: RequestParser,
    response: Response,
    /// The answers to one batch of requests, sent with one write; kept for its memory.
    out: Vec<u8>,
    /// When the server started waiting for the request it has not yet had in full.
    waiting_since: Instant,
    /// A response that closes the connection has been sent: discard input, await EOF.
    closing: bool,
}

/// An HTTP/1.1 server on the framework.
pub struct HttpServer {
    tcp: TcpServer,
}

impl HttpServer {
    /// Binds `addr` and wires `handler` to every connection.
    ///
    /// # Errors
    /// socket, bind or listen failed.
    pub fn new(
        addr: SocketAddr,
        options: HttpOptions,
        handler: impl Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    ) -> io::Result<HttpServer> {
        let log = options.server.log;
        let mut tcp = TcpServer::new(addr, options.server)?;
        let handler: Arc<Handler> = Arc::new(handler);
        let (limits, timeout) = (options.limits, options.request_timeout);
        tcp.on_connection(move |conn| {
            msg!(conn.event_loop(), "connection completed");
            conn.set_context(HttpConnection {
                parser: RequestParser::new(limits),
                response: Response::new(),
                out: Vec::new(),
                waiting_since: Instant::now(),
                closing: false,
            });
            arm_deadline(conn, timeout, timeout);
        })
        .on_message(move |conn, input| {
            msg!(
                conn.event_loop(),
                "get message from tcp connection {}",
                conn.name()
            );
            serve(conn, input, &*handler);
        });
        if log {
            tcp.on_write_complete(|conn| msg!(conn.event_loop(), "write completed"))
                .on_close(|conn| msg!(conn.event_loop(), "connection closed"));
        }
        Ok(HttpServer { tcp })
    }

    /// The address the server listens on (the real port after binding port 0).
    ///
    /// # Errors
    /// getsockname(2) failed.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }

    /// Serves on the calling thread until SIGINT or SIGTERM, then closes every connection
    /// and joins the I/O threads.
    ///
    /// # Errors
    /// Start-up failed, or a loop ended with an error.
    pub fn run(self) -> io::Result<()> {
        self.tcp.run()
    }
}

/// Answers every complete request in `input`; see the module docs.
fn serve(conn: &mut TcpConnection<'_>, input: &mut Buffer, handler: &Handler) {
    let Some(http) = conn.context_mut::<HttpConnection>() else {
        return;
    };
    if http.closing {
        input.retrieve_all();
        return;
    }
    let mut refused = None;
    let mut served = false;
    loop {
        match http.parser.parse(input.peek()) {
            Ok(Some(request)) => {
                http.response.reset();
                handler(&request, &mut http.response);
                let keep_alive = request.keep_alive() && !http.response.closes();
                let head_only = request.method() == "HEAD";
                http.response.encode(keep_alive, head_only, &mut http.out);
                let used = request.wire_len();
                input.retrieve(used);
                served = true;
                if !keep_alive {
                    http.closing = true;
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                encode_error(e.status, &mut http.out);
                http.closing = true;
                refused = Some(e);
                break;
            }
        }
    }
    if served || http.closing {
        http.waiting_since = Instant::now();
    }
    if http.closing {
        input.retrieve_all();
    }
    let closing = http.closing;
    let mut out = mem::take(&mut http.out);
    if let Some(e) = refused {
        err(format_args!(
            "{} from {}: {}",
            e.status.code(),
            conn.name(),
            e.why
        ));
    }
    conn.send(&out);
    out.clear();
    if let Some(http) = conn.context_mut::<HttpConnection>() {
        http.out = out;
    }
    if closing {
        conn.shutdown();
    } else if conn.queued_output() > MAX_QUEUED_OUTPUT {
        err(format_args!(
            "{} sends requests but does not read the answers; closing it",
            conn.name()
        ));
        conn.force_close();
    }
}

/// Checks the connection's deadline `delay` from now.
fn arm_deadline(conn: &mut TcpConnection<'_>, delay: Duration, timeout: Duration) {
    conn.run_after(delay, move |conn| check_deadline(conn, timeout));
}

/// The deadline timer fired: re-arm if the client made progress meanwhile, otherwise 408
/// a half-sent request, close an idle connection, or give up on a lingering one.
fn check_deadline(conn: &mut TcpConnection<'_>, timeout: Duration) {
    let Some(http) = conn.context_mut::<HttpConnection>() else {
        return;
    };
    let waited = http.waiting_since.elapsed();
    if waited < timeout {
        arm_deadline(conn, timeout - waited, timeout);
        return;
    }
    if http.closing || !http.parser.in_progress() {
        msg!(
            conn.event_loop(),
            "request timeout, closing {}",
            conn.name()
        );
        conn.force_close();
        return;
    }
    http.closing = true;
    http.waiting_since = Instant::now();
    let mut out = mem::take(&mut http.out);
    encode_error(Status::REQUEST_TIMEOUT, &mut out);
    err(format_args!("408 to {}: request incomplete", conn.name()));
    conn.send(&out);
    conn.shutdown();
    arm_deadline(conn, timeout, timeout);
}
