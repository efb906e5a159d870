//! `epoll01`: the rot13 service on epoll, edge-triggered and done right.
//!
//! Every chunk comes back rot13'd (`fasfsafas` → `snfsfnsnf`). Prints the C's
//! `epoll_wait wakeup` and `get event on socket fd == N ` lines. `--mode lt` switches to
//! level-triggered; `--c-bug accept-once` and `--c-bug drop-batch` bring back the C's two
//! edge-triggered mistakes, to watch clients starve.
//!
//! ```text
//! cargo run -p ch23 --bin epoll01                                 # terminal 1
//! telnet 127.0.0.1 43211                                          # terminal 2: fasfsafas
//! printf 'hello\n' | nc -N 127.0.0.1 43211                        # uryyb
//! cargo run -p ch23 --bin epoll01 -- --c-bug accept-once          # then see the README
//! ```

use clap::Parser;
use common::ServerArgs;

/// A rot13 server on epoll (lecture 23).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Level- or edge-triggered registrations.
    #[arg(long, value_enum, default_value = "et")]
    mode: ch23::Mode,
    /// Bring back one of the C original's mistakes (repeat the flag for both).
    #[arg(long, value_enum)]
    c_bug: Vec<ch23::CBug>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    let options = ch23::ServerOptions {
        mode: args.mode,
        bugs: args.c_bug,
    };
    ch23::serve(listener, &options)
}
