//! `poll-server-onethread`: lecture 27's rot13 server, a single reactor thread on poll.
//!
//! One thread runs one event loop: it accepts, reads, rot13s each chunk and writes it back,
//! for every client. `--log` prints the framework's `[msg]` lines and the callbacks' lines
//! as the course does; without it the server is quiet. SIGINT or SIGTERM stops it cleanly.
//!
//! ```text
//! cargo run -p ch27 --bin poll-server-onethread -- --log      # terminal 1
//! telnet 127.0.0.1 43211                                     # terminals 2 and 3: type lines
//! printf 'afadsfaf\n' | nc -N 127.0.0.1 43211                 # prints nsnqfsns
//! cargo run -p ch27 --bin poll-server-onethread -- --dispatcher epoll   # or select
//! ```

use clap::Parser;
use common::ServerArgs;
use reactor::{DispatcherKind, ServerOptions};

/// Lecture 27: one poll thread accepts and serves every connection (rot13 of each chunk).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Multiplexing syscall: poll (this lecture), epoll (lecture 29) or select (lecture 32's
    /// exercise).
    #[arg(long, default_value = "poll")]
    dispatcher: DispatcherKind,
    /// Sub-reactor threads; 0 means the main thread does everything (this lecture).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print the course's `[msg]` log lines and the callbacks' lines.
    #[arg(long)]
    log: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let options = ServerOptions {
        threads: args.threads,
        dispatcher: args.dispatcher,
        log: args.log,
        ..ServerOptions::default()
    };
    let server = ch27::rot13_server(args.server.socket_addr(), options)?;
    common::announce(server.local_addr()?);
    server.run()?;
    Ok(())
}
