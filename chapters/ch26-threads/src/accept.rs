//! `accept` on a blocking listener, without dying on harmless errors or spinning on EMFILE.
//!
//! The C `thread01` and `thread02` exit on any `accept` failure. Most failures are not
//! worth dying for:
//!
//! - `EINTR` (a signal with a handler arrived while `accept` slept) and `ECONNABORTED` (a
//!   client gave up while it waited in the queue): [`common::Acceptor`] retries both.
//! - `EMFILE`/`ENFILE`: out of descriptors. A blocking `accept` fails at once, before it
//!   even looks at the queue, so "log and retry" would be a loop that burns a CPU.
//!   [`common::Acceptor`] keeps one descriptor in reserve: it gives it up to accept the
//!   next client and, if none came free meanwhile (a client thread may have closed one),
//!   tells that client [`common::SHED_MESSAGE`] and closes it.
//! - The network errors accept(2) lists for TCP (`ENETDOWN`, `EPROTO`, `EHOSTUNREACH`,
//!   ...): that one connection failed while it waited; try the next at once.
//! - `ENOBUFS`/`ENOMEM`, or EMFILE with no reserve left: a shortage that retrying at once
//!   cannot cure; pause briefly first.
//!
//! Anything else (`EBADF`, `EINVAL`, ...) is a bug in the program, and is returned.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use common::{Accepted, Acceptor};
use nix::libc;

/// How long to wait before retrying when retrying at once cannot help.
const PAUSE: Duration = Duration::from_millis(100);

/// Waits for the next client that can be served. Returns only a client or a fatal error.
pub fn next_client(acceptor: &mut Acceptor) -> io::Result<(TcpStream, SocketAddr)> {
    loop {
        let e = match acceptor.accept() {
            Ok(Accepted::Client(stream, peer)) => return Ok((stream, peer)),
            Ok(Accepted::Shed | Accepted::Empty) => continue,
            Err(e) => e,
        };
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
            ) => complain!("accept: {e}"),
            Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) => {
                complain!("accept: {e}; pausing");
                thread::sleep(PAUSE);
            }
            _ => return Err(e),
        }
    }
}
