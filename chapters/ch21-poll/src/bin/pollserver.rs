//! `pollserver`: an echo server for many clients on one thread, with `poll`.
//!
//! Every chunk a client sends comes straight back. The client table has `--max-clients`
//! slots (128 by default, as in the course); a client that finds it full reads
//! `server full: at most N clients` and is closed, while the others carry on.
//!
//! ```text
//! cargo run -p ch21 --bin pollserver                      # terminal 1
//! telnet 127.0.0.1 43211                                  # terminals 2 and 3: type lines
//! printf 'hello\n' | nc -N 127.0.0.1 43211                # prints hello
//! cargo run -p ch21 --bin pollserver -- --max-clients 1   # then connect twice
//! ```

use clap::Parser;
use common::ServerArgs;

/// An echo server on poll (lecture 21).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Slots in the client table; a client that finds them all taken is refused with a
    /// message.
    #[arg(long, default_value_t = 128)]
    max_clients: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    ch21::serve(
        listener,
        ch21::ServerOptions {
            max_clients: args.max_clients,
        },
    )
}
