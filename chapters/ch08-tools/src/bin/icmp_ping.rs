//! `icmp_ping`: lecture 08's `ping`, rebuilt to show the ICMP echo messages it exchanges.
//!
//! Prints every echo request it sends and every echo reply it gets, with type, code,
//! checksum, identifier and sequence number. Needs root (raw socket) unless
//! `net.ipv4.ping_group_range` lets your group open a ping socket.
//!
//! ```text
//! cargo run -p ch08 --bin icmp_ping -- 127.0.0.1
//! cargo run -p ch08 --bin icmp_ping -- 127.0.0.1 --count 5 --interval-ms 200
//! sudo tcpdump -i lo -nn -X icmp          # in another terminal: the same bytes on the wire
//! ```

use std::net::Ipv4Addr;
use std::thread;
use std::time::Duration;

use clap::Parser;

/// Sends ICMP echo requests and prints each request and reply field by field.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The IPv4 address to ping.
    host: Ipv4Addr,
    /// How many echo requests to send.
    #[arg(long, default_value_t = 3)]
    count: u16,
    /// Pause between requests, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
    /// How long to wait for each reply, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    timeout_ms: u64,
    /// Payload bytes per request (ping's default 56 makes a 64-byte ICMP message).
    #[arg(long, default_value_t = 56, value_parser = clap::value_parser!(u16).range(0..=1472))]
    size: u16,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let pinger = ch08::ping::Pinger::open(args.host)?;
    println!(
        "PING {}: {} data bytes, {} ICMP socket",
        args.host,
        args.size,
        pinger.socket_type()
    );
    let payload: Vec<u8> = (0..args.size).map(|i| i as u8).collect();
    let mut out = std::io::stdout().lock();
    let mut received = 0;
    for seq in 1..=args.count {
        if seq > 1 {
            thread::sleep(Duration::from_millis(args.interval_ms));
        }
        let timeout = Duration::from_millis(args.timeout_ms);
        if pinger.ping(seq, &payload, timeout, &mut out)?.is_some() {
            received += 1;
        }
    }
    println!(
        "--- {}: {} sent, {received} received",
        args.host, args.count
    );
    Ok(())
}
