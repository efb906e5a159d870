//! `epoll02`: clients are registered and never read; edge-triggered: one event per message.
//!
//! Prints `get event on socket fd == N ` for every event. A client is closed when it
//! hangs up, or after `--max-reports` events. `--mode` switches to the other trigger.
//!
//! ```text
//! cargo run -p ch23 --bin epoll02                                 # terminal 1
//! telnet 127.0.0.1 43211                                          # terminal 2: type asfafas
//! cargo run -p ch23 --bin epoll02 -- --mode lt
//! ```

use clap::Parser;
use common::ServerArgs;

/// Reports epoll events for clients it never reads (lecture 23).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// How clients are registered: lt reports unread bytes on every epoll_wait, et once.
    #[arg(long, value_enum, default_value = "et")]
    mode: ch23::Mode,
    /// Close a client after this many events, so a level-triggered demo stops spinning.
    #[arg(long, default_value_t = 100_000)]
    max_reports: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    ch23::watch::watch(listener, args.mode, args.max_reports)
}
