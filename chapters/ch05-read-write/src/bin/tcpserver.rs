//! `tcpserver`: the slow reader of lecture 05.
//!
//! Accepts one client at a time and reads it in 1 KiB records, pausing after each, printing
//! `block in read` before every `readn` and `1K read for N` after it.
//!
//! ```text
//! cargo run -p ch05 --bin tcpserver                       # terminal 1
//! cargo run -p ch05 --bin tcpclient -- 127.0.0.1          # terminal 2
//! echo hello | nc -N 127.0.0.1 43211                      # or poke it with nc
//! ```

use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use common::ServerArgs;

/// The slow reader of lecture 05: reads 1 KiB at a time and pauses after each.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Milliseconds to pause after each 1 KiB (the C waits 1 ms; raise it for experiment 2).
    #[arg(long, default_value_t = 1)]
    pause_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let addr = args.server.socket_addr();
    let listener = common::tcp_server_listen(addr)?;
    common::announce(listener.local_addr()?);
    let options = ch05::ReaderOptions {
        pause: Duration::from_millis(args.pause_ms),
    };
    ch05::serve(&listener, options).context("accept")
}
