//! `nonblockingconnect`: `connect` with a timeout: EINPROGRESS, wait for writable, SO_ERROR.
//!
//! Prints each step. Exits 0 when connected; 1 when refused or timed out.
//!
//! ```text
//! cargo run -p ch22 --bin nonblockingserver                          # terminal 1
//! cargo run -p ch22 --bin nonblockingconnect -- 127.0.0.1            # connected
//! cargo run -p ch22 --bin nonblockingconnect -- 127.0.0.1 --port 1   # refused
//! cargo run -p ch22 --bin nonblockingconnect -- 10.255.255.1 --timeout-ms 500   # timed out
//! ```

use std::time::Duration;

use clap::Parser;
use common::ClientArgs;

/// A non-blocking connect with a timeout (lecture 22 and the non-blocking I/O seed).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
    /// Give up when the handshake has not finished after this many milliseconds.
    #[arg(long, default_value_t = 1000)]
    timeout_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let timeout = Duration::from_millis(args.timeout_ms);
    let mut out = std::io::stdout().lock();
    ch22::connect::connect_with_timeout(args.client.socket_addr(), timeout, &mut out)?;
    Ok(())
}
