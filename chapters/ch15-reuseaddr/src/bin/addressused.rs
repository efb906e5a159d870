//! `addressused`: a server that prints what it receives, bound without SO_REUSEADDR (lecture 15).
//!
//! Restart it while its old connection sits in TIME_WAIT and bind fails with
//! `Address already in use (os error 98)`.
//!
//! ```text
//! cargo run -p ch15 --bin addressused                         # terminal 1
//! telnet 127.0.0.1 43211                                  # terminal 2: type network
//! # Ctrl-C the server, then quit telnet (Ctrl-], quit): the server's end is in TIME_WAIT
//! ss -tan state time-wait '( sport = :43211 )'
//! cargo run -p ch15 --bin addressused                         # restart at once
//! ```

use clap::Parser;
use common::ServerArgs;

/// Prints what clients send; binds its port without SO_REUSEADDR.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = ch15::listen(args.server.socket_addr(), false)?;
    common::announce(listener.local_addr()?);
    ch15::serve(&listener)
}
