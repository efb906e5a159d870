//! `epoll02` and `epoll03`: register clients, report their events, and never read.
//!
//! With nothing ever read, a client's bytes stay in the kernel. Edge-triggered (`epoll02`)
//! reports one event when they arrive and then stays quiet until the client sends more:
//! one line per message. Level-triggered (`epoll03`) reports them on every `epoll_wait`,
//! so the loop turns as fast as the CPU allows. The C then spins forever, even after the
//! client leaves; here a client is closed when it hangs up (EPOLLRDHUP) or after
//! `max_reports` events, so the demonstration ends by itself.

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd};

use anyhow::Context;
use common::{Accepted, Acceptor};
use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

use crate::Mode;

const LISTENER: u64 = 0;

/// A client nobody reads, and how often epoll has reported it.
struct Watched {
    stream: TcpStream,
    reports: u64,
}

/// Accepts clients and prints `get event on socket fd == N ` for each of their events,
/// without reading. `mode` applies to the clients; the listener is always drained.
pub fn watch(listener: TcpListener, mode: Mode, max_reports: u64) -> anyhow::Result<()> {
    common::make_nonblocking(&listener).context("make the listener non-blocking")?;
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).context("epoll_create1")?;
    epoll
        .add(
            &listener,
            EpollEvent::new(EpollFlags::EPOLLIN | EpollFlags::EPOLLET, LISTENER),
        )
        .context("register the listener")?;
    let mut acceptor = Acceptor::new(listener).context("open the reserve descriptor")?;
    let mut table: HashMap<u64, Watched> = HashMap::new();
    let mut next_token = LISTENER + 1;
    let mut events = [EpollEvent::empty(); 128];
    loop {
        let n = match epoll.wait(&mut events, EpollTimeout::NONE) {
            Err(Errno::EINTR) => continue,
            other => other.context("epoll_wait")?,
        };
        println!("epoll_wait wakeup");
        for event in &events[..n] {
            let token = event.data();
            if token == LISTENER {
                accept_clients(&epoll, &mut acceptor, &mut table, &mut next_token, mode);
                continue;
            }
            let Some(client) = table.get_mut(&token) else {
                continue;
            };
            let fd = client.stream.as_raw_fd();
            client.reports += 1;
            println!("get event on socket fd == {fd} ");
            let hung_up = event
                .events()
                .intersects(EpollFlags::EPOLLRDHUP | EpollFlags::EPOLLHUP | EpollFlags::EPOLLERR);
            let why = if hung_up {
                format!("fd {fd}: the client hung up; closing it")
            } else if client.reports >= max_reports {
                format!("fd {fd}: {max_reports} events without a read; closing it")
            } else {
                continue;
            };
            println!("{why}");
            if let Some(client) = table.remove(&token) {
                let _ = epoll.delete(client.stream.as_fd());
            }
        }
    }
}

fn accept_clients(
    epoll: &Epoll,
    acceptor: &mut Acceptor,
    table: &mut HashMap<u64, Watched>,
    next_token: &mut u64,
    mode: Mode,
) {
    loop {
        let (stream, peer) = match acceptor.accept() {
            Ok(Accepted::Client(stream, peer)) => (stream, peer),
            Ok(Accepted::Shed) => continue,
            Ok(Accepted::Empty) => return,
            Err(e) => {
                eprintln!("accept: {e}");
                return;
            }
        };
        let fd = stream.as_raw_fd();
        let interest = EpollFlags::EPOLLIN | EpollFlags::EPOLLRDHUP | mode.flag();
        let token = *next_token;
        *next_token += 1;
        match epoll.add(&stream, EpollEvent::new(interest, token)) {
            Ok(()) => {
                println!("accepted {peer} as fd {fd}");
                table.insert(token, Watched { stream, reports: 0 });
            }
            Err(e) => eprintln!("epoll_ctl ADD {peer}: {e}; closing it"),
        }
    }
}
