//! `uring-server`: the rot13 server as a proactor on io_uring.
//!
//! Accepts, receives and sends through io_uring: the loop only reacts to completed
//! operations. Answers every byte with its rot13, like the course's `epoll01`.
//!
//! ```text
//! cargo run -p ch30 --bin uring-server                        # terminal 1
//! nc 127.0.0.1 43211                                          # terminal 2: type lines
//! cargo run -p ch30 --bin rot13-load -- 127.0.0.1 --connections 50 --lines 1000
//! cargo run -p ch30 --bin uring-server -- --entries 2         # a tiny queue that fills up
//! ```

use std::time::Duration;

use clap::Parser;
use common::ServerArgs;

use ch30::uring::{Options, Proactor};

/// A rot13 server on io_uring: a proactor that reacts to completed accepts, receives and sends.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Submission queue entries (rounded up to a power of two; small values make the queue
    /// fill up).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=32768))]
    entries: u32,
    /// Bytes of answers that may wait for one client before the server stops reading it.
    #[arg(long, default_value_t = 64 * 1024)]
    max_pending: usize,
    /// Milliseconds to wait before accepting again after running out of descriptors.
    #[arg(long, default_value_t = 100)]
    accept_backoff_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Probe first: a clear "io_uring is not available: ..." beats a failure mid-way.
    let ring = ch30::uring::open_ring(args.entries)?;
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    let options = Options {
        max_pending: args.max_pending,
        accept_backoff: Duration::from_millis(args.accept_backoff_ms),
        ..Options::default()
    };
    Proactor::new(ring, listener, options).run()
}
