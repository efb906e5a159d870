//! `thread02`: the rot13 line service on a fixed pool of worker threads.
//!
//! The main thread accepts and queues each connection; `--workers` threads take them off
//! the queue one at a time and serve each until it leaves. When every worker is busy and
//! `--queue` connections already wait, a newcomer reads `server busy, try later` and is
//! closed (`--when-full wait` makes the acceptor wait for room instead).
//!
//! ```text
//! cargo run -p ch26 --bin thread02                        # terminal 1
//! telnet 127.0.0.1 43211                                  # terminal 2: type afasfa
//! cargo run -p ch26 --bin thread02 -- --workers 1 --queue 1
//! telnet 127.0.0.1 43211                                  # three of these: the third is refused
//! ```

use clap::Parser;
use common::ServerArgs;

use ch26::pool::{PoolOptions, WhenFull};

/// A rot13 line server on a pool of worker threads with a bounded queue (lecture 26).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Worker threads, each serving one connection at a time (the C's THREAD_NUMBER).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    workers: u16,
    /// Connections that may wait for a busy worker (the C's BLOCK_QUEUE_SIZE).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    queue: u32,
    /// What to do with a newcomer when every worker is busy and the queue is full:
    /// `refuse` tells it "server busy, try later" and closes it; `wait` stops accepting
    /// until a place frees up.
    #[arg(long, value_enum, default_value = "refuse")]
    when_full: WhenFull,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    let options = PoolOptions {
        workers: usize::from(args.workers),
        queue: args.queue as usize,
        when_full: args.when_full,
    };
    ch26::pool::serve(listener, options)
}
