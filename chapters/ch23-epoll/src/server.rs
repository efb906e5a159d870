//! `epoll01`: the rot13 service on one thread and epoll, edge-triggered and done right.
//!
//! The kernel keeps the interest list (`epoll_ctl`), so, unlike select and poll, nothing is
//! rebuilt per call, and `epoll_wait` returns only the descriptors that are ready. Each
//! registration carries a `u64` token; here it names an entry of the connection table
//! (a counter, never reused, so a stale event for a closed client cannot reach the next
//! client that gets the same descriptor number).
//!
//! The C's edge-triggered mistakes, fixed by default and reachable with `--c-bug`:
//! - it accepts once per wakeup, though one edge can stand for many queued connections:
//!   the rest starve until another client connects ([`CBug::AcceptOnce`]);
//! - its read loop reuses the outer loop's `i` and `n`, so after one client is served the
//!   rest of the batch is dropped, and with ET never reported again ([`CBug::DropBatch`]).

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsFd, AsRawFd};

use anyhow::Context;
use common::{Accepted, Acceptor};
use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

use crate::Mode;
use crate::conn::Conn;

/// The token of the listening socket; connections count up from 1.
const LISTENER: u64 = 0;

/// Events per `epoll_wait` (the C's `MAXEVENTS`).
const MAX_EVENTS: usize = 128;

/// A mistake of the C epoll01, switched back on for the lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CBug {
    /// Accept only one connection per listener wakeup.
    AcceptOnce,
    /// Stop handling a batch of events after the first client served.
    DropBatch,
}

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Level- or edge-triggered registrations (listener and clients alike).
    pub mode: Mode,
    /// The C's mistakes to reproduce.
    pub bugs: Vec<CBug>,
}

/// A client and the interest currently registered for it.
struct Entry {
    conn: Conn,
    interest: EpollFlags,
}

/// Serves rot13 on `listener` until epoll itself fails.
///
/// Prints the C's `epoll_wait wakeup` and `get event on socket fd == N `, plus
/// `accepted ADDR as fd N` and `ADDR closed`.
pub fn serve(listener: TcpListener, options: &ServerOptions) -> anyhow::Result<()> {
    common::make_nonblocking(&listener).context("make the listener non-blocking")?;
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).context("epoll_create1")?;
    epoll
        .add(
            &listener,
            EpollEvent::new(EpollFlags::EPOLLIN | options.mode.flag(), LISTENER),
        )
        .context("register the listener")?;
    let mut acceptor = Acceptor::new(listener).context("open the reserve descriptor")?;
    let mut table: HashMap<u64, Entry> = HashMap::new();
    let mut next_token = LISTENER + 1;
    let mut events = [EpollEvent::empty(); MAX_EVENTS];
    loop {
        let n = match epoll.wait(&mut events, EpollTimeout::NONE) {
            Err(Errno::EINTR) => continue,
            other => other.context("epoll_wait")?,
        };
        println!("epoll_wait wakeup");
        for event in &events[..n] {
            if event.data() == LISTENER {
                accept_clients(&epoll, &mut acceptor, &mut table, &mut next_token, options)?;
                continue;
            }
            // A client closed earlier in this batch: its event is stale.
            let Some(entry) = table.get_mut(&event.data()) else {
                continue;
            };
            println!(
                "get event on socket fd == {} ",
                entry.conn.as_fd().as_raw_fd()
            );
            if let Err(e) = handle(&epoll, event.data(), entry, event.events(), options.mode) {
                eprintln!("client {}: {e}", entry.conn.peer());
                close(&epoll, &mut table, event.data());
            } else if entry.conn.finished() {
                println!("{} closed", entry.conn.peer());
                close(&epoll, &mut table, event.data());
            }
            if options.bugs.contains(&CBug::DropBatch) {
                break;
            }
        }
    }
}

/// Serves one client event and brings its registration up to date.
fn handle(
    epoll: &Epoll,
    token: u64,
    entry: &mut Entry,
    revents: EpollFlags,
    mode: Mode,
) -> anyhow::Result<()> {
    if revents.contains(EpollFlags::EPOLLERR) {
        let error = entry.conn.take_error()?;
        return Err(error.map_or_else(|| anyhow::anyhow!("EPOLLERR"), Into::into));
    }
    // EPOLLHUP and EPOLLRDHUP need a read too: it returns 0, or the error.
    let readable =
        revents.intersects(EpollFlags::EPOLLIN | EpollFlags::EPOLLHUP | EpollFlags::EPOLLRDHUP);
    entry.conn.on_event(readable)?;
    let wanted = interest(&entry.conn, mode);
    if wanted != entry.interest && !entry.conn.finished() {
        // EPOLL_CTL_MOD replaces the whole registration, token included.
        epoll
            .modify(entry.conn.as_fd(), &mut EpollEvent::new(wanted, token))
            .context("epoll_ctl MOD")?;
        entry.interest = wanted;
    }
    Ok(())
}

/// What to watch a client for: EPOLLIN while it may send more, EPOLLOUT only while output
/// is queued (muduo's rule; an always-on EPOLLOUT under LT wakes the loop for nothing).
fn interest(conn: &Conn, mode: Mode) -> EpollFlags {
    let mut flags = mode.flag();
    if conn.wants_read() {
        flags |= EpollFlags::EPOLLIN | EpollFlags::EPOLLRDHUP;
    }
    if conn.wants_write() {
        flags |= EpollFlags::EPOLLOUT;
    }
    flags
}

/// Accepts until the queue is empty: one edge on the listener may stand for many waiting
/// connections, and it will not be reported again.
fn accept_clients(
    epoll: &Epoll,
    acceptor: &mut Acceptor,
    table: &mut HashMap<u64, Entry>,
    next_token: &mut u64,
    options: &ServerOptions,
) -> anyhow::Result<()> {
    loop {
        match acceptor.accept() {
            Ok(Accepted::Client(stream, peer)) => {
                common::make_nonblocking(&stream).context("make a client non-blocking")?;
                let token = *next_token;
                *next_token += 1;
                register(epoll, table, token, Conn::new(stream, peer), options.mode);
            }
            Ok(Accepted::Shed) => {}
            Ok(Accepted::Empty) => return Ok(()),
            Err(e) => {
                // ENOBUFS, ENOMEM: rare and transient. Under ET the rest of the queue now
                // waits for the next connection's edge.
                eprintln!("accept: {e}");
                return Ok(());
            }
        }
        if options.bugs.contains(&CBug::AcceptOnce) {
            return Ok(());
        }
    }
}

fn register(epoll: &Epoll, table: &mut HashMap<u64, Entry>, token: u64, conn: Conn, mode: Mode) {
    let peer: SocketAddr = conn.peer();
    let fd = conn.as_fd().as_raw_fd();
    let interest = interest(&conn, mode);
    // Bytes that arrived before this call are reported too: ADD checks readiness at once.
    match epoll.add(conn.as_fd(), EpollEvent::new(interest, token)) {
        Ok(()) => {
            println!("accepted {peer} as fd {fd}");
            table.insert(token, Entry { conn, interest });
        }
        // ENOSPC (fs.epoll.max_user_watches) or ENOMEM: refuse this client, serve the rest.
        Err(e) => eprintln!("epoll_ctl ADD {peer}: {e}; closing it"),
    }
}

/// Deregisters, then closes (by dropping): never the other way round.
fn close(epoll: &Epoll, table: &mut HashMap<u64, Entry>, token: u64) {
    if let Some(entry) = table.remove(&token) {
        let _ = epoll.delete(entry.conn.as_fd());
    }
}
