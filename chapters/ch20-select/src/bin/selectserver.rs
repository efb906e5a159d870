//! `selectserver`: the rot13 line service for many clients on one thread, with `select`.
//!
//! Each line a client sends comes back in rot13 once its newline arrives
//! (`fasfasfasf` → `snfsnfsnfs`). The fd sets are rebuilt before every `select`
//! (`--trace` prints them); a client past `--max-clients`, or whose descriptor would not
//! fit in an `fd_set`, reads `server full: ...` and is closed.
//!
//! ```text
//! cargo run -p ch20 --bin selectserver                    # terminal 1
//! cargo run -p ch20 --bin selectserver -- --trace         # or: print the sets
//! telnet 127.0.0.1 43211                                  # terminal 2, type fasfasfasf
//! printf 'Hello World 123\n' | nc -N 127.0.0.1 43211      # prints Uryyb Jbeyq 123
//! ```

use clap::Parser;
use common::ServerArgs;
use nix::sys::select::FD_SETSIZE;

/// A rot13 line server on select (lecture 20).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Refuse a client, with a message, when this many are connected. Descriptors past
    /// FD_SETSIZE (1024) are refused whatever this says.
    #[arg(long, default_value_t = FD_SETSIZE)]
    max_clients: usize,
    /// Print the read and write sets given to select, and the sets it returns.
    #[arg(long)]
    trace: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    let options = ch20::ServerOptions {
        max_clients: args.max_clients,
        trace: args.trace,
    };
    ch20::serve(listener, options)
}
