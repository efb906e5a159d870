//! `pingclient`: detects a dead connection with heartbeats or with TCP keep-alive (lecture 12).
//!
//! By default the application sends its own PING after 10 s of silence, then every 3 s, and
//! gives up after 3 unanswered: `connection dead` 19 s after the last reply. `--tcp-keepalive`
//! hands the same three numbers to the kernel instead (SO_KEEPALIVE).
//!
//! ```text
//! cargo run -p ch12 --bin pingserver -- 60                # terminal 1
//! cargo run -p ch12 --bin pingclient -- 127.0.0.1         # terminal 2
//! cargo run -p ch12 --bin pingclient -- 127.0.0.1 --keepalive-time 2s --keepalive-interval 1s
//! cargo run -p ch12 --bin pingclient -- 127.0.0.1 --tcp-keepalive --keepalive-time 2s
//! ss -tno '( dport = :43211 )'                            # shows timer:(keepalive,...)
//! ```

use std::time::Duration;

use clap::Parser;
use common::ClientArgs;

/// Sends heartbeats after a quiet spell and declares the connection dead when they go
/// unanswered; or lets the kernel do it with SO_KEEPALIVE.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
    /// Quiet time before the first probe: seconds (`10`) or milliseconds (`200ms`).
    #[arg(long, default_value = "10s", value_parser = ch12::parse_duration)]
    keepalive_time: Duration,
    /// Time between unanswered probes: seconds (`3`) or milliseconds (`100ms`).
    #[arg(long, default_value = "3s", value_parser = ch12::parse_duration)]
    keepalive_interval: Duration,
    /// Unanswered probes after which the connection is dead.
    #[arg(long, default_value_t = 3)]
    keepalive_probes: u32,
    /// Use the kernel's TCP keep-alive (SO_KEEPALIVE, TCP_KEEPIDLE/INTVL/CNT) instead of
    /// application heartbeats; durations are rounded up to whole seconds.
    #[arg(long)]
    tcp_keepalive: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let stream = common::tcp_client(args.client.socket_addr())?;
    let probing = ch12::client::Probing {
        idle: args.keepalive_time,
        interval: args.keepalive_interval,
        probes: args.keepalive_probes,
    };
    if args.tcp_keepalive {
        ch12::client::tcp_keepalive(stream, probing)
    } else {
        ch12::client::heartbeat(stream, probing)
    }
}
