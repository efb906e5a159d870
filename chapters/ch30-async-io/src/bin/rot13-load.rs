//! `rot13-load`: a load generator for any rot13 server of the course (epoll, io_uring, ...).
//!
//! Opens `--connections` connections, then each sends `--lines` lines and waits for every
//! answer before sending the next, checking it. Prints the round trips per second.
//!
//! ```text
//! cargo run -p ch30 --bin uring-server                                   # terminal 1
//! cargo run -p ch30 --bin rot13-load -- 127.0.0.1 --connections 50 --lines 1000
//! scripts/bench-uring                                   # io_uring vs an epoll server
//! ```

use clap::Parser;
use common::ClientArgs;

/// Closed-loop load for a rot13 line server: N connections x M checked round trips.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
    /// Concurrent connections.
    #[arg(long, default_value_t = 50)]
    connections: usize,
    /// Lines (round trips) per connection.
    #[arg(long, default_value_t = 1000)]
    lines: usize,
    /// Bytes per line, newline included.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=4096))]
    line_len: u16,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let load = ch30::load::Load {
        connections: args.connections,
        lines: args.lines,
        line_len: args.line_len.into(),
    };
    let outcome = ch30::load::run(args.client.socket_addr(), load)?;
    println!(
        "{} connections x {} lines of {} bytes: {} round trips in {:.3} s, {:.0} lines/s",
        load.connections,
        load.lines,
        load.line_len,
        outcome.lines,
        outcome.elapsed.as_secs_f64(),
        outcome.lines_per_sec()
    );
    Ok(())
}
