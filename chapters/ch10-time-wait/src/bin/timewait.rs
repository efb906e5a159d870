//! `timewait`: makes TIME_WAIT visible on the side that closes first (lecture 10).
//!
//! A server that answers each client's first line and hangs up at once. Because the server closes first,
//! the TIME_WAIT entry belongs to the server's end, the one whose local port is the listening
//! port. With `--linger0` it closes with SO_LINGER {1,0}: an RST instead of a FIN, and no
//! TIME_WAIT.
//!
//! ```text
//! cargo run -p ch10 --bin timewait                        # terminal 1
//! nc 127.0.0.1 43211                                      # terminal 2: type hi, get a reply and EOF
//! ss -tan state time-wait '( sport = :43211 )'            # the server's end, for 60 s
//! cargo run -p ch10 --bin timewait -- --linger0           # RST instead: nothing in TIME_WAIT
//! ```

use anyhow::Context;
use clap::Parser;
use common::ServerArgs;

/// Answers each client and closes first, so the server's end of the connection holds TIME_WAIT.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Close with SO_LINGER {on, 0}: send RST instead of FIN and leave no TIME_WAIT.
    /// Dangerous outside a demo: unsent data is thrown away and the peer sees ECONNRESET.
    #[arg(long)]
    linger0: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    let mode = if args.linger0 {
        ch10::CloseMode::Reset
    } else {
        ch10::CloseMode::Graceful
    };
    ch10::serve(&listener, mode).context("accept")
}
