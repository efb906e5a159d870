//! Accepting connections without spinning when the process runs out of file descriptors.
//!
//! When `accept` fails with EMFILE ("the per-process limit on the number of open file
//! descriptors has been reached", accept(2)), the connection stays in the listen queue, so
//! the listener stays readable. A level-triggered loop then wakes at once, fails again, and
//! burns a whole CPU while every other client waits; an edge-triggered loop that gives up
//! there never hears about that queue again. The cure muduo and libev use: keep one
//! descriptor in reserve (an open `/dev/null`). On EMFILE, close the reserve, accept the
//! waiting connection, tell that client we are busy, close it, and reopen the reserve. The
//! queue drains, the loop goes back to sleep, and the clients already connected are served.

use std::fs::File;
use std::io::{self, ErrorKind, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use nix::libc;

/// What a client turned away for lack of descriptors reads before the server closes.
pub const SHED_MESSAGE: &[u8] = b"server busy: out of file descriptors, try again later\n";

/// How long [`Acceptor::next_client`] waits before retrying after a shortage.
pub const SHORTAGE_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);

/// The outcome of one [`Acceptor::accept`].
#[derive(Debug)]
pub enum Accepted {
    /// A new client.
    Client(TcpStream, SocketAddr),
    /// The process was out of descriptors: one waiting connection was accepted and closed.
    Shed,
    /// Nobody is waiting (only a non-blocking listener says so).
    Empty,
}

/// A listener plus the reserve descriptor that lets it shed load on EMFILE.
#[derive(Debug)]
pub struct Acceptor {
    listener: TcpListener,
    reserve: Option<File>,
}

impl Acceptor {
    /// Wraps `listener` and opens the reserve descriptor.
    pub fn new(listener: TcpListener) -> io::Result<Acceptor> {
        Ok(Acceptor {
            listener,
            reserve: Some(File::open("/dev/null")?),
        })
    }

    /// The listening socket, to watch it for readability.
    pub fn listener(&self) -> &TcpListener {
        &self.listener
    }

    /// Accepts one connection, retrying `EINTR` and `ECONNABORTED` (a client that reset
    /// while it waited in the queue, accept(2)), and shedding one connection on EMFILE/ENFILE.
    pub fn accept(&mut self) -> io::Result<Accepted> {
        loop {
            match self.listener.accept() {
                Ok((stream, peer)) => return Ok(Accepted::Client(stream, peer)),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(Accepted::Empty),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::Interrupted | ErrorKind::ConnectionAborted
                    ) => {}
                Err(e) if is_out_of_descriptors(&e) => return self.shed(&e),
                Err(e) => return Err(e),
            }
        }
    }

    /// For a blocking listener (the fork and thread servers): waits for the next client
    /// that can be served, and returns only a client or an error that is a bug (`EBADF`,
    /// `EINVAL`, ...). The C servers exit on any failed `accept`; most failures are not worth
    /// dying for:
    ///
    /// - `EINTR` and `ECONNABORTED`: retried by [`Acceptor::accept`].
    /// - EMFILE/ENFILE: a blocking `accept` fails at once, before it even looks at the
    ///   queue, so "log and retry" would burn a CPU; [`Acceptor::accept`] sheds a client
    ///   with the spare descriptor instead.
    /// - The network errors accept(2) lists for TCP (`ENETDOWN`, `EPROTO`, `EHOSTUNREACH`,
    ///   ...): that one connection failed while it waited; try the next at once.
    /// - `ENOBUFS`/`ENOMEM`, or EMFILE with no spare left: retrying at once cannot cure a
    ///   shortage, so pause for [`SHORTAGE_PAUSE`] first.
    pub fn next_client(&mut self) -> io::Result<(TcpStream, SocketAddr)> {
        loop {
            let e = match self.accept() {
                Ok(Accepted::Client(stream, peer)) => return Ok((stream, peer)),
                Ok(Accepted::Shed | Accepted::Empty) => continue,
                Err(e) => e,
            };
            // Written with writeln! and the result ignored: a closed stderr must not end
            // the server, as eprintln!'s panic would.
            match e.raw_os_error() {
                // accept(2), "Error handling": pending network errors of the new connection.
                Some(
                    libc::ENETDOWN
                    | libc::EPROTO
                    | libc::ENOPROTOOPT
                    | libc::EHOSTDOWN
                    | libc::ENONET
                    | libc::EHOSTUNREACH
                    | libc::EOPNOTSUPP
                    | libc::ENETUNREACH,
                ) => {
                    let _ = writeln!(io::stderr().lock(), "accept: {e}");
                }
                Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) => {
                    let _ = writeln!(io::stderr().lock(), "accept: {e}; pausing");
                    std::thread::sleep(SHORTAGE_PAUSE);
                }
                _ => return Err(e),
            }
        }
    }

    fn shed(&mut self, cause: &io::Error) -> io::Result<Accepted> {
        // Dropping the reserve frees exactly the one descriptor accept needs. Without a
        // reserve (it could not be reopened last time) there is nothing to free: say so
        // rather than loop, and let the caller back off.
        if self.reserve.take().is_none() {
            return Err(io::Error::new(
                cause.kind(),
                format!("{cause} (no spare descriptor)"),
            ));
        }
        let outcome = match self.listener.accept() {
            Ok((mut stream, peer)) => {
                // A descriptor may have come free meanwhile (another thread closed one, or
                // a blocking listener waited here for the next client): then serve it.
                if let Ok(reserve) = File::open("/dev/null") {
                    self.reserve = Some(reserve);
                    return Ok(Accepted::Client(stream, peer));
                }
                let _ = writeln!(
                    io::stderr().lock(),
                    "accept: {cause}; turning one waiting client away"
                );
                // Best effort: a fresh socket's send buffer always has room for one line.
                let _ = stream.write(SHED_MESSAGE);
                Ok(Accepted::Shed)
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(Accepted::Empty),
            Err(e) => Err(e),
        };
        // The shed stream is closed by now, so its descriptor is free for the reserve again.
        self.reserve = File::open("/dev/null").ok();
        outcome
    }
}

/// EMFILE (this process is at `ulimit -n`) or ENFILE (the whole system is out).
fn is_out_of_descriptors(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(code) if code == libc::EMFILE || code == libc::ENFILE
    )
}
