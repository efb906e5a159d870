//! `selectserver`: the rot13 line service on one thread and `select(2)`.
//!
//! The loop is the libevent book's select server: before every call, build the read set
//! (the listener, and every client that may send more) and the write set (clients with a
//! reply queued); call `select`; then serve whatever it marked. The sets are rebuilt every
//! time because `select` overwrites them with its answer.
//!
//! An `fd_set` is a bit vector of `FD_SETSIZE` (1024) bits, so a descriptor numbered 1024
//! or more cannot be watched at all (select(2), BUGS). A client that would get such a
//! descriptor, or that arrives when `max_clients` are already connected, is told so and
//! closed; everybody else keeps being served.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd};

use anyhow::Context;
use common::{Accepted, Acceptor};
use nix::errno::Errno;
use nix::sys::select::{FD_SETSIZE, FdSet, select};

use crate::conn::LineConn;

/// How the server behaves.
#[derive(Debug, Clone, Copy)]
pub struct ServerOptions {
    /// Refuse a client when this many are connected.
    pub max_clients: usize,
    /// Print the sets handed to `select` and the sets it hands back.
    pub trace: bool,
}

/// What `select` said about one client.
#[derive(Debug, Clone, Copy)]
struct Ready {
    read: bool,
    write: bool,
}

/// Serves the rot13 line service on `listener` until `select` itself fails.
///
/// Prints `accepted ADDR as fd N` and `ADDR closed` on stdout; a client's error (reset,
/// over-long line) goes to stderr and closes that client only.
pub fn serve(listener: TcpListener, options: ServerOptions) -> anyhow::Result<()> {
    // Non-blocking, so a client that resets between select and accept cannot park us in
    // accept (lecture 22).
    common::make_nonblocking(&listener).context("make the listener non-blocking")?;
    let mut acceptor = Acceptor::new(listener).context("open the reserve descriptor")?;
    // The owning table. The fd sets only borrow from it, one loop iteration at a time.
    let mut clients: Vec<LineConn> = Vec::new();
    loop {
        let (listener_ready, ready) =
            wait(acceptor.listener(), &clients, options.trace).context("select")?;
        // Back to front, so swap_remove leaves the unvisited indices untouched.
        for i in (0..clients.len()).rev() {
            let client = &mut clients[i];
            match serve_client(client, ready[i]) {
                Ok(()) if client.finished() => println!("{} closed", client.peer()),
                Ok(()) => continue,
                Err(e) => eprintln!("client {}: {e}", client.peer()),
            }
            clients.swap_remove(i);
        }
        if listener_ready {
            accept_all(&mut acceptor, &mut clients, options.max_clients)?;
        }
    }
}

/// Builds the sets, calls select, and copies the answer out of the sets so that the
/// borrows of `clients` end here.
fn wait(
    listener: &TcpListener,
    clients: &[LineConn],
    trace: bool,
) -> nix::Result<(bool, Vec<Ready>)> {
    loop {
        let mut reads = FdSet::new();
        let mut writes = FdSet::new();
        reads.insert(listener.as_fd());
        for client in clients {
            if client.wants_read() {
                reads.insert(client.as_fd());
            }
            if client.wants_write() {
                writes.insert(client.as_fd());
            }
        }
        if trace {
            println!("select: read {} write {}", show(&reads), show(&writes));
        }
        // nfds None: nix passes the highest descriptor + 1, as select(2) requires.
        match select(None, &mut reads, &mut writes, None, None) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        if trace {
            println!("ready:  read {} write {}", show(&reads), show(&writes));
        }
        let ready = clients
            .iter()
            .map(|c| Ready {
                read: reads.contains(c.as_fd()),
                write: writes.contains(c.as_fd()),
            })
            .collect();
        return Ok((reads.contains(listener.as_fd()), ready));
    }
}

fn serve_client(client: &mut LineConn, ready: Ready) -> io::Result<()> {
    if ready.read {
        client.on_readable()?;
    }
    if ready.write {
        client.on_writable()?;
    }
    Ok(())
}

/// Accepts every waiting client (select is level-triggered, but taking the whole queue in
/// one go serves a burst of connects sooner).
fn accept_all(
    acceptor: &mut Acceptor,
    clients: &mut Vec<LineConn>,
    max_clients: usize,
) -> anyhow::Result<()> {
    loop {
        let (stream, peer) = match acceptor.accept() {
            Ok(Accepted::Client(stream, peer)) => (stream, peer),
            Ok(Accepted::Shed) => continue,
            Ok(Accepted::Empty) => return Ok(()),
            Err(e) => {
                // ENOBUFS, ENOMEM and friends: transient, the next wakeup tries again.
                eprintln!("accept: {e}");
                return Ok(());
            }
        };
        let fd = stream.as_raw_fd();
        if clients.len() >= max_clients {
            refuse(stream, peer, &format!("at most {max_clients} clients"));
        } else if fd as usize >= FD_SETSIZE {
            refuse(
                stream,
                peer,
                &format!("descriptor {fd} does not fit in an fd_set (FD_SETSIZE {FD_SETSIZE})"),
            );
        } else {
            common::make_nonblocking(&stream).context("make a client non-blocking")?;
            println!("accepted {peer} as fd {fd}");
            clients.push(LineConn::new(stream, peer));
        }
    }
}

/// Tells a client why it cannot be served, then closes it.
fn refuse(mut stream: TcpStream, peer: SocketAddr, why: &str) {
    eprintln!("refused {peer}: {why}");
    // A fresh socket's send buffer has room for one line; a failure only means the client
    // is already gone.
    let _ = stream.write_all(format!("server full: {why}\n").as_bytes());
}

/// Renders a set as `{3, 5}`.
fn show(set: &FdSet<'_>) -> String {
    let fds: Vec<String> = set.fds(None).map(|fd| fd.as_raw_fd().to_string()).collect();
    format!("{{{}}}", fds.join(", "))
}
