//! `thread02`: a fixed pool of worker threads and a bounded queue of connections.
//!
//! The pool's threads start once, before the first client, so no client pays for a
//! thread's creation. The main thread accepts and pushes each connection onto a
//! [`BlockQueue`]; each worker pops one, serves it until the client leaves, and pops the
//! next. The log lines are the C's (`push fd N`, `pop fd N`, `get fd in thread, ...`),
//! with the newlines the C forgot, so they show up at once.
//!
//! **When every worker is busy and the queue is full** (the lecture's 思考题 1; the C does
//! not check, and overwrites a waiting fd) there are two honest answers, chosen with
//! [`WhenFull`]:
//!
//! - [`WhenFull::Refuse`] (the default): tell the newcomer [`BUSY_MESSAGE`] and close it.
//!   It learns at once, and can retry later or elsewhere; the clients already queued keep
//!   their places and the server keeps accepting.
//! - [`WhenFull::Wait`]: the acceptor stops accepting until a place frees up. Newcomers
//!   then wait in the kernel's listen backlog: connected (the handshake is the kernel's
//!   job) but unanswered, with no way to know why, until the backlog fills too and new
//!   SYNs go unanswered.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::thread;

use anyhow::Context;
use nix::unistd::gettid;

use crate::queue::BlockQueue;
use common::Acceptor;

/// What a newcomer reads when every worker is busy and the queue is full, before the
/// server closes it ([`WhenFull::Refuse`]).
pub const BUSY_MESSAGE: &[u8] = b"server busy, try later\n";

/// What the acceptor does with a newcomer when the queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WhenFull {
    /// Send "server busy, try later" and close the newcomer; keep accepting.
    Refuse,
    /// Stop accepting until a worker frees a place; newcomers wait in the listen backlog.
    Wait,
}

/// The pool's shape.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    /// Worker threads (the C's `THREAD_NUMBER`, 4).
    pub workers: usize,
    /// Connections that may wait for a busy worker (the C's `BLOCK_QUEUE_SIZE`, 100).
    pub queue: usize,
    /// What to do with a newcomer when `queue` connections already wait.
    pub when_full: WhenFull,
}

/// One accepted connection on its way to a worker.
#[derive(Debug)]
struct Job {
    stream: TcpStream,
    peer: SocketAddr,
}

/// Starts the workers, then accepts for ever. Returns only on a fatal error.
pub fn serve(listener: TcpListener, options: PoolOptions) -> anyhow::Result<()> {
    anyhow::ensure!(options.workers > 0, "the pool needs at least one worker");
    anyhow::ensure!(
        options.queue > 0,
        "the queue needs room for at least one connection"
    );
    let queue = Arc::new(BlockQueue::new(options.queue));
    for i in 1..=options.workers {
        let queue = Arc::clone(&queue);
        thread::Builder::new()
            .name(format!("worker-{i}"))
            .spawn(move || work(&queue))
            .with_context(|| format!("start worker {i}"))?;
    }
    let mut acceptor = Acceptor::new(listener).context("open the reserve descriptor")?;
    loop {
        let (stream, peer) = acceptor.next_client().context("accept")?;
        let job = Job { stream, peer };
        let Err(job) = queue.try_push(job, log_push) else {
            continue;
        };
        match options.when_full {
            WhenFull::Refuse => refuse(job),
            WhenFull::Wait => {
                let fd = job.stream.as_raw_fd();
                say!("queue full: fd {fd} waits for a free worker, and so does accept");
                queue.push(job, log_push);
            }
        }
    }
}

/// The C's `push fd N`, plus how many connections now wait for a worker.
fn log_push(job: &Job, waiting: usize) {
    say!("push fd {} ({waiting} waiting)", job.stream.as_raw_fd());
}

/// A worker: serve one connection after another, for ever.
fn work(queue: &BlockQueue<Job>) {
    let tid = gettid();
    loop {
        let Job { stream, peer } = queue.pop();
        let fd = stream.as_raw_fd();
        say!("pop fd {fd}");
        say!("get fd in thread, fd=={fd}, tid == {tid}");
        crate::serve_client(stream, peer);
    }
}

/// Tells a newcomer that the server is busy, then closes it.
fn refuse(job: Job) {
    let Job { stream, peer } = job;
    say!("queue full: refused {peer}");
    // A fresh socket's send buffer has room for one line, so this write cannot block the
    // acceptor. Dropping the stream then closes it: FIN follows the message.
    let _ = (&stream).write_all(BUSY_MESSAGE);
}
