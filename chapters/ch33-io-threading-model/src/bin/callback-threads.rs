//! `callback-threads`: an echo server that prints which thread runs each callback
//! (lecture 33).
//!
//! The main thread accepts; each connection is handed to a sub-reactor, and all four of
//! its callbacks run there, never on the main thread. Connections take turns between the
//! sub-reactors.
//!
//! ```text
//! cargo run -p ch33 --bin callback-threads                  # terminal 1
//! printf 'hello\n' | nc -N 127.0.0.1 43211                   # terminal 2, a few times
//! cargo run -p ch33 --bin callback-threads -- --threads 0   # everything on the main thread
//! ```

use clap::Parser;
use common::ServerArgs;
use reactor::{DispatcherKind, ServerOptions};

/// Lecture 33: an echo server whose callbacks print the thread they run on.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Multiplexing syscall of every loop: epoll, poll or select.
    #[arg(long, default_value = "epoll")]
    dispatcher: DispatcherKind,
    /// Sub-reactor threads; 0 runs everything on the main thread. Default: 2 x CPUs.
    #[arg(long)]
    threads: Option<usize>,
    /// Also print the framework's `[msg]` lines.
    #[arg(long)]
    log: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let options = ServerOptions {
        threads: args.threads.unwrap_or_else(ch33::default_sub_reactors),
        dispatcher: args.dispatcher,
        log: args.log,
        ..ServerOptions::default()
    };
    let server = ch33::traced_server(args.server.socket_addr(), options)?;
    common::announce(server.local_addr()?);
    server.run()?;
    Ok(())
}
