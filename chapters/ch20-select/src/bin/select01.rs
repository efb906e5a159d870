//! `select01`: type lines, see replies, with one `select` watching stdin and the socket.
//!
//! Prints `now sending LINE` and `send bytes: N ` for each line typed, and whatever the
//! server sends back. At the end of stdin (Ctrl-D) it half-closes the connection and exits
//! once the server closes; it never spins.
//!
//! ```text
//! cargo run -p ch20 --bin selectserver                    # terminal 1
//! cargo run -p ch20 --bin select01 -- 127.0.0.1           # terminal 2, then type lines
//! printf 'hello\nfasfasfasf\n' | cargo run -p ch20 --bin select01 -- 127.0.0.1
//! ```

use clap::Parser;
use common::ClientArgs;

/// select01 of lecture 20: sends the lines you type and prints what comes back.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let stream = common::tcp_client(args.client.socket_addr())?;
    ch20::client::run(stream, std::io::stdin(), &mut std::io::stdout().lock())
}
