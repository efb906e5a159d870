//! `addressused02`: a server that prints what it receives, bound with SO_REUSEADDR (lecture 15).
//!
//! Restarted while its old connection sits in TIME_WAIT, it binds at once: SO_REUSEADDR
//! lets bind ignore TIME_WAIT entries (but never a second listener).
//!
//! ```text
//! cargo run -p ch15 --bin addressused02                         # terminal 1
//! telnet 127.0.0.1 43211                                  # terminal 2: type network
//! # Ctrl-C the server, then quit telnet (Ctrl-], quit): the server's end is in TIME_WAIT
//! ss -tan state time-wait '( sport = :43211 )'
//! cargo run -p ch15 --bin addressused02                         # restart at once
//! ```

use clap::Parser;
use common::ServerArgs;

/// Prints what clients send; binds its port with SO_REUSEADDR.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = ch15::listen(args.server.socket_addr(), true)?;
    common::announce(listener.local_addr()?);
    ch15::serve(&listener)
}
