//! `nonblockingserver`: the rot13 line service on `select`, every socket non-blocking.
//!
//! Nothing comes back until a line is complete; then the whole line, rot13'd, newline
//! included (`fasfasfasf` → `snfsnfsnfs`). Prints `listening socket readable` whenever
//! select reports the listener, as the C does.
//!
//! ```text
//! cargo run -p ch22 --bin nonblockingserver                        # terminal 1
//! telnet 127.0.0.1 43211                                          # terminal 2
//! printf 'fasfas' | nc 127.0.0.1 43211                            # no reply: no newline
//! cargo run -p ch22 --bin nonblockingserver -- --accept-delay-ms 5000 --blocking-listener
//! cargo run -p ch22 --bin nonblockingclient -- 127.0.0.1          # the RST experiment
//! ```

use std::time::Duration;

use clap::Parser;
use common::ServerArgs;

/// A rot13 line server on select with non-blocking sockets (lecture 22).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Refuse a client, with a message, when this many are connected (the C's 128).
    #[arg(long, default_value_t = 128)]
    max_clients: usize,
    /// Sleep this long between "the listener is readable" and accept (the lecture: 5000).
    #[arg(long, default_value_t = 0)]
    accept_delay_ms: u64,
    /// Keep the listening socket blocking, for the lecture's accept experiment.
    #[arg(long)]
    blocking_listener: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    let options = ch22::ServerOptions {
        max_clients: args.max_clients,
        accept_delay: Duration::from_millis(args.accept_delay_ms),
        blocking_listener: args.blocking_listener,
    };
    ch22::serve(listener, options)
}
