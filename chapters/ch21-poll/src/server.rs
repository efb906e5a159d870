//! `pollserver`: an echo server for many clients on one thread, with `poll(2)`.
//!
//! `poll` takes an array of `struct pollfd {fd, events, revents}`: the kernel writes its
//! answer into `revents` and leaves `events` alone, and the array can be as long as the
//! caller likes, so there is no `FD_SETSIZE`. The course's table has a fixed number of
//! slots; when all are taken the C calls `error(1, ...)` and the whole server exits. Here
//! the newcomer reads `server full: ...` and is closed, and everybody else carries on.
//!
//! Besides the events asked for, poll always reports three (poll(2)): POLLERR (the socket
//! has a pending error), POLLHUP (the connection is shut down both ways) and POLLNVAL (the
//! descriptor is not open). Each closes the client here.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;

use anyhow::Context;
use common::{Accepted, Acceptor};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::conn::EchoConn;

/// How the server behaves.
#[derive(Debug, Clone, Copy)]
pub struct ServerOptions {
    /// Slots in the client table (the C's `INIT_SIZE` 128, less the listener's).
    pub max_clients: usize,
}

/// Serves echo on `listener` until `poll` itself fails.
///
/// Prints `accepted ADDR into slot N` and `ADDR closed`; a client's error goes to stderr
/// and closes that client only.
pub fn serve(listener: TcpListener, options: ServerOptions) -> anyhow::Result<()> {
    common::make_nonblocking(&listener).context("make the listener non-blocking")?;
    let mut acceptor = Acceptor::new(listener).context("open the reserve descriptor")?;
    // The owning table; a free slot is None (the C marks it with fd -1, which poll skips).
    let mut slots: Vec<Option<EchoConn>> = (0..options.max_clients).map(|_| None).collect();
    loop {
        let (listener_events, ready) = wait(acceptor.listener(), &slots).context("poll")?;
        for (slot, revents) in ready {
            let Some(client) = slots[slot].as_mut() else {
                continue;
            };
            match serve_client(client, revents) {
                Ok(()) if client.finished() => println!("{} closed", client.peer()),
                Ok(()) => continue,
                Err(e) => eprintln!("client {}: {e}", client.peer()),
            }
            slots[slot] = None;
        }
        if listener_events.contains(PollFlags::POLLIN) {
            accept_all(&mut acceptor, &mut slots)?;
        }
    }
}

/// Builds the pollfd array from the table, calls poll, and returns the listener's
/// `revents` and each ready slot's, so that the borrows of `slots` end here.
fn wait(
    listener: &TcpListener,
    slots: &[Option<EchoConn>],
) -> nix::Result<(PollFlags, Vec<(usize, PollFlags)>)> {
    let mut fds = vec![PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
    let mut owner = Vec::new();
    for (slot, client) in slots.iter().enumerate() {
        let Some(client) = client else { continue };
        let mut events = PollFlags::empty();
        if client.wants_read() {
            events |= PollFlags::POLLIN;
        }
        if client.wants_write() {
            events |= PollFlags::POLLOUT;
        }
        fds.push(PollFd::new(client.as_fd(), events));
        owner.push(slot);
    }
    loop {
        match poll(&mut fds, PollTimeout::NONE) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(_) => break,
        }
    }
    let revents = |fd: &PollFd<'_>| fd.revents().unwrap_or(PollFlags::empty());
    let ready = owner
        .into_iter()
        .zip(&fds[1..])
        .map(|(slot, fd)| (slot, revents(fd)))
        .filter(|(_, flags)| !flags.is_empty())
        .collect();
    Ok((revents(&fds[0]), ready))
}

fn serve_client(client: &mut EchoConn, revents: PollFlags) -> io::Result<()> {
    if revents.contains(PollFlags::POLLNVAL) {
        return Err(io::Error::other("POLLNVAL: the descriptor is not open"));
    }
    if revents.contains(PollFlags::POLLERR) {
        let error = client.take_error()?;
        return Err(error.unwrap_or_else(|| io::Error::other("POLLERR")));
    }
    // POLLHUP with POLLIN not asked for still needs a read: it returns 0 or the error.
    if revents.intersects(PollFlags::POLLIN | PollFlags::POLLHUP) {
        client.on_readable()?;
    }
    if revents.contains(PollFlags::POLLOUT) {
        client.on_writable()?;
    }
    Ok(())
}

/// Accepts every waiting client into a free slot, or refuses it when none is free.
fn accept_all(acceptor: &mut Acceptor, slots: &mut [Option<EchoConn>]) -> anyhow::Result<()> {
    loop {
        let (stream, peer) = match acceptor.accept() {
            Ok(Accepted::Client(stream, peer)) => (stream, peer),
            Ok(Accepted::Shed) => continue,
            Ok(Accepted::Empty) => return Ok(()),
            Err(e) => {
                eprintln!("accept: {e}");
                return Ok(());
            }
        };
        let Some(slot) = slots.iter().position(Option::is_none) else {
            refuse(stream, peer, slots.len());
            continue;
        };
        common::make_nonblocking(&stream).context("make a client non-blocking")?;
        println!("accepted {peer} into slot {slot}");
        slots[slot] = Some(EchoConn::new(stream, peer));
    }
}

/// Tells a client the table is full, then closes it.
fn refuse(mut stream: TcpStream, peer: SocketAddr, max_clients: usize) {
    eprintln!("refused {peer}: all {max_clients} slots are taken");
    let _ = stream.write_all(format!("server full: at most {max_clients} clients\n").as_bytes());
}
