//! `connect_failures`: how `connect(2)` fails, provoked on loopback and explained.
//!
//! `refused` connects to a port that is bound but not listening (RST, `ECONNREFUSED`).
//! `timeout` fills the accept queue of a listener that never accepts, until the kernel drops
//! our SYN and the connect gets no answer. `to ADDR` tries any address, for the unreachable
//! cases. With no scenario it runs `refused` then `timeout`.
//!
//! ```text
//! cargo run -p ch04 --bin connect_failures
//! cargo run -p ch04 --bin connect_failures -- timeout --backlog 2 --timeout-ms 500
//! cargo run -p ch04 --bin connect_failures -- to 127.0.0.1:43211
//! sudo ip route add unreachable 198.51.100.0/24       # then:
//! cargo run -p ch04 --bin connect_failures -- to 198.51.100.7:80
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};

/// Shows connect(2)'s failure modes: refused, timed out, unreachable.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Which failure to show; both loopback scenarios when omitted.
    #[command(subcommand)]
    scenario: Option<Scenario>,
    /// How long one connect may wait for the handshake, in milliseconds.
    #[arg(long, global = true, default_value_t = 1000)]
    timeout_ms: u64,
}

#[derive(Subcommand, Debug)]
enum Scenario {
    /// Connect to a loopback port that is bound but not listening.
    Refused,
    /// Fill the accept queue of a listener that never accepts, until a connect times out.
    Timeout {
        /// The listener's backlog; Linux queues backlog + 1 connections.
        #[arg(long, default_value_t = 0)]
        backlog: i32,
        /// Give up after this many successful connects.
        #[arg(long, default_value_t = 64)]
        max_attempts: usize,
    },
    /// Connect to ADDR (IP:PORT) and explain the outcome.
    To {
        /// The address to connect to, e.g. `127.0.0.1:43211` or `[::1]:80`.
        addr: SocketAddr,
    },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let timeout = Duration::from_millis(args.timeout_ms);
    let mut out = std::io::stdout().lock();
    match args.scenario {
        Some(Scenario::Refused) => ch04::connect::refused(timeout, &mut out),
        Some(Scenario::Timeout {
            backlog,
            max_attempts,
        }) => ch04::connect::full_backlog(backlog, timeout, max_attempts, &mut out),
        Some(Scenario::To { addr }) => ch04::connect::attempt(addr, timeout, &mut out),
        None => {
            ch04::connect::refused(timeout, &mut out)?;
            ch04::connect::full_backlog(0, timeout, 64, &mut out)
        }
    }
}
