//! `busypoll`: the counter-example. Non-blocking sockets, and no `select` to wait with.
//!
//! The libevent book's second attempt: make every socket non-blocking and try each of them
//! in turn, forever. `EAGAIN` means "nothing here", so the loop moves on to the next
//! socket, and then starts over. It works, and it is "unforgivably bad": with nobody
//! sending it still burns a whole CPU, and it makes one system call per socket per pass
//! whether or not anything happened. `--sleep-us` adds the tutorial's `usleep` between
//! passes, which trades the CPU for latency. `selectserver` (lecture 20) and
//! `nonblockingserver` do the same work and sleep in the kernel instead.

use std::io::Write;
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Context;
use common::{Accepted, Acceptor};

use crate::conn::Conn;

/// How the busy loop behaves.
#[derive(Debug, Clone, Copy)]
pub struct BusyOptions {
    /// Print a report this often.
    pub report_every: Duration,
    /// Sleep between passes (zero: spin).
    pub sleep: Duration,
}

/// Serves the rot13 line service by trying every socket over and over.
///
/// Prints `busy-poll: N passes, M calls, K found data in the last T ms` every
/// `report_every`.
pub fn serve(listener: TcpListener, options: BusyOptions) -> anyhow::Result<()> {
    common::make_nonblocking(&listener).context("make the listener non-blocking")?;
    let mut acceptor = Acceptor::new(listener).context("open the reserve descriptor")?;
    let mut clients: Vec<Conn> = Vec::new();
    let (mut passes, mut calls, mut found) = (0u64, 0u64, 0u64);
    let mut since = Instant::now();
    loop {
        passes += 1;
        calls += 1;
        match acceptor.accept() {
            Ok(Accepted::Client(stream, peer)) => {
                common::make_nonblocking(&stream)?;
                println!("accepted {peer}");
                clients.push(Conn::new(stream, peer));
                found += 1;
            }
            Ok(Accepted::Shed | Accepted::Empty) => {}
            Err(e) => eprintln!("accept: {e}"),
        }
        for i in (0..clients.len()).rev() {
            let client = &mut clients[i];
            // Two calls per client and pass: a read, and a write when a reply waits.
            calls += 1 + u64::from(client.wants_write());
            let result = client.on_readable().and_then(|n| {
                found += u64::from(n > 0);
                client.on_writable()
            });
            match result {
                Ok(()) if client.finished() => println!("{} closed", client.peer()),
                Ok(()) => continue,
                Err(e) => eprintln!("client {}: {e}", client.peer()),
            }
            clients.swap_remove(i);
        }
        if since.elapsed() >= options.report_every {
            println!(
                "busy-poll: {passes} passes, {calls} calls, {found} found data in the last {} ms",
                since.elapsed().as_millis()
            );
            std::io::stdout().flush()?;
            (passes, calls, found) = (0, 0, 0);
            since = Instant::now();
        }
        if !options.sleep.is_zero() {
            thread::sleep(options.sleep);
        }
    }
}
