//! `pingserver`: answers each heartbeat PING with a PONG, after sleeping (lecture 12).
//!
//! The sleep plays a server that is alive but slow. Sleep longer than the client's probing
//! window and the client declares the connection dead; sleep less and it never does.
//!
//! ```text
//! cargo run -p ch12 --bin pingserver -- 60                # terminal 1: a very slow server
//! cargo run -p ch12 --bin pingclient -- 127.0.0.1         # terminal 2: dead after 19 s
//! cargo run -p ch12 --bin pingserver -- 5                 # answers in time: never dead
//! ```

use clap::Parser;
use common::ServerArgs;

/// Answers PING with PONG after SLEEPING_TIME; logs TYPE1 and TYPE2 messages.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// How long to sleep before each PONG: seconds (`60`, `60s`) or milliseconds (`250ms`).
    #[arg(value_parser = ch12::parse_duration)]
    sleeping_time: std::time::Duration,
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    ch12::server::serve(&listener, args.sleeping_time)
}
