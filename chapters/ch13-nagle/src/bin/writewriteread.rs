//! `writewriteread`: measures Nagle's algorithm meeting delayed ACK (lecture 13).
//!
//! Starts a small request/reply peer on loopback and times round trips three ways: the
//! request as two small writes with Nagle on (the default), the same with TCP_NODELAY, and
//! as one writev(2) with Nagle on. On Linux the first shows about 40 ms per round trip, the
//! delayed-ACK timer; the other two a few tens of microseconds.
//!
//! ```text
//! cargo run -p ch13 --bin writewriteread
//! cargo run -p ch13 --bin writewriteread -- --rounds 50 --body 200
//! sudo tcpdump -i lo -n tcp                               # watch the held-back segment
//! ```

use ch13::latency::{self, EchoPeer, Mode};
use clap::Parser;

/// Times write-write-read round trips with Nagle on, with TCP_NODELAY, and with writev.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Round trips to time in each mode.
    #[arg(long, default_value_t = 20)]
    rounds: u32,
    /// Bytes in each request's body (after its 4-byte header); keep it below the MSS.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=65536))]
    body: u32,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let peer = EchoPeer::spawn()?;
    for mode in Mode::ALL {
        let times = latency::measure(peer.addr(), mode, args.rounds, args.body as usize)?;
        println!("{}", latency::summary(mode, &times));
    }
    Ok(())
}
