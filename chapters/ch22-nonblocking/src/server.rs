//! `nonblockingserver`: the rot13 line service on `select`, with every socket non-blocking.
//!
//! Each pass builds the read set (the listener and every client that may send more) and the
//! write set (clients with a complete reply queued), calls `select`, then reads what is
//! readable until `EAGAIN` and writes what is writable until `EAGAIN`. Non-blocking sockets
//! are what make this safe: a readiness report can be stale by the time we act on it (a
//! client may reset between `select` and `accept`), and a blocking call on a stale report
//! would park the one thread that serves everybody.
//!
//! The lecture's demonstration of that: `--accept-delay-ms 5000` sleeps between "the
//! listener is readable" and `accept`, as the C does, and `--blocking-listener` keeps the
//! listener blocking. On BSD, a client that connects and resets during the sleep leaves
//! `accept` blocked forever. Linux keeps the reset connection in the queue, so `accept`
//! returns it and the first read reports `ECONNRESET`; the README shows both.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd};
use std::thread;
use std::time::Duration;

use anyhow::Context;
use common::{Accepted, Acceptor};
use nix::errno::Errno;
use nix::sys::select::{FD_SETSIZE, FdSet, select};

use crate::conn::Conn;

/// How the server behaves.
#[derive(Debug, Clone, Copy)]
pub struct ServerOptions {
    /// Refuse a client, with a message, when this many are connected (the C's
    /// `FD_INIT_SIZE` 128, where the C exits instead).
    pub max_clients: usize,
    /// Sleep between seeing the listener readable and calling `accept` (the C's `sleep(5)`).
    pub accept_delay: Duration,
    /// Leave the listening socket blocking, to try the lecture's accept experiment.
    pub blocking_listener: bool,
}

/// Serves the rot13 line service until `select` itself fails.
pub fn serve(listener: TcpListener, options: ServerOptions) -> anyhow::Result<()> {
    if !options.blocking_listener {
        common::make_nonblocking(&listener).context("make the listener non-blocking")?;
    }
    let mut acceptor = Acceptor::new(listener).context("open the reserve descriptor")?;
    let mut clients: Vec<Conn> = Vec::new();
    loop {
        let (listener_ready, ready) = wait(acceptor.listener(), &clients).context("select")?;
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
            println!("listening socket readable");
            thread::sleep(options.accept_delay);
            accept_clients(&mut acceptor, &mut clients, options)?;
        }
    }
}

/// What `select` said about one client: (readable, writable).
type Ready = (bool, bool);

fn wait(listener: &TcpListener, clients: &[Conn]) -> nix::Result<(bool, Vec<Ready>)> {
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
        match select(None, &mut reads, &mut writes, None, None) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        let ready = clients
            .iter()
            .map(|c| (reads.contains(c.as_fd()), writes.contains(c.as_fd())))
            .collect();
        return Ok((reads.contains(listener.as_fd()), ready));
    }
}

fn serve_client(client: &mut Conn, (readable, writable): Ready) -> io::Result<()> {
    if readable {
        client.on_readable()?;
    }
    if writable {
        client.on_writable()?;
    }
    Ok(())
}

/// Accepts every waiting client; with a blocking listener only one, because a second
/// `accept` on an empty queue would block.
fn accept_clients(
    acceptor: &mut Acceptor,
    clients: &mut Vec<Conn>,
    options: ServerOptions,
) -> anyhow::Result<()> {
    loop {
        let (stream, peer) = match acceptor.accept() {
            Ok(Accepted::Client(stream, peer)) => (stream, peer),
            Ok(Accepted::Shed) if !options.blocking_listener => continue,
            Ok(Accepted::Shed | Accepted::Empty) => return Ok(()),
            Err(e) => {
                eprintln!("accept: {e}");
                return Ok(());
            }
        };
        let fd = stream.as_raw_fd();
        if clients.len() >= options.max_clients {
            refuse(
                stream,
                peer,
                &format!("at most {} clients", options.max_clients),
            );
        } else if fd as usize >= FD_SETSIZE {
            refuse(
                stream,
                peer,
                &format!("descriptor {fd} does not fit in an fd_set (FD_SETSIZE {FD_SETSIZE})"),
            );
        } else {
            // accept(2) on Linux: the new socket does not inherit O_NONBLOCK.
            common::make_nonblocking(&stream).context("make a client non-blocking")?;
            println!("accepted {peer} as fd {fd}");
            clients.push(Conn::new(stream, peer));
        }
        if options.blocking_listener {
            return Ok(());
        }
    }
}

/// Tells a client why it cannot be served, then closes it.
fn refuse(mut stream: TcpStream, peer: SocketAddr, why: &str) {
    eprintln!("refused {peer}: {why}");
    let _ = stream.write_all(format!("server full: {why}\n").as_bytes());
}
