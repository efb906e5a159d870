//! `poll-server-multithreads`: lecture 28's rot13 server, a main reactor plus four
//! sub-reactor threads, every loop on poll.
//!
//! The main thread only accepts; connections go round-robin to `Thread-1` .. `Thread-4`,
//! and each connection's reads and writes stay on its thread. `--log` shows the hand-off
//! (`new connection established` on the main thread, then `wakeup, Thread-N` and
//! `add channel fd == N, Thread-N`). SIGINT or SIGTERM stops every loop and joins the
//! threads.
//!
//! ```text
//! cargo run -p ch28 --bin poll-server-multithreads -- --log    # terminal 1
//! telnet 127.0.0.1 43211                                      # several terminals
//! printf 'fasfsafas\n' | nc -N 127.0.0.1 43211                 # prints snfsfnsnf
//! ```

use clap::Parser;
use common::ServerArgs;
use reactor::{DispatcherKind, ServerOptions};

/// Lecture 28: a main reactor accepts, four poll sub-reactors serve (rot13 of each chunk).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Multiplexing syscall of every loop: poll (this lecture), epoll or select.
    #[arg(long, default_value = "poll")]
    dispatcher: DispatcherKind,
    /// Sub-reactor threads (the lecture uses 4, one per core); 0 is lecture 27's model.
    #[arg(long, default_value_t = 4)]
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
    let server = ch28::rot13_server(args.server.socket_addr(), options)?;
    common::announce(server.local_addr()?);
    server.run()?;
    Ok(())
}
