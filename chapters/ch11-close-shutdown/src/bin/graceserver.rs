//! `graceserver`: answers each message with `Hi, <message>`, after a delay (lecture 11).
//!
//! The delay (5 s, as in the course) leaves time to close or half-close the client while a
//! reply is still due. Use it with `graceclient`.
//!
//! ```text
//! cargo run -p ch11 --bin graceserver                     # terminal 1
//! cargo run -p ch11 --bin graceclient -- 127.0.0.1        # terminal 2: data1, data2, shutdown
//! nc 127.0.0.1 43211                                      # or any client: type a line
//! ```

use std::time::Duration;

use clap::Parser;
use common::ServerArgs;

/// Replies `Hi, <message>` to each message after a delay, one client at a time.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Milliseconds to wait before each reply (the course sleeps 5 s).
    #[arg(long, default_value_t = 5000)]
    delay_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    ch11::server::serve(&listener, Duration::from_millis(args.delay_ms))
}
