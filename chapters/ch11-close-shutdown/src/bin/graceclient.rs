//! `graceclient`: sends typed lines; `shutdown` half-closes, `close` closes (lecture 11).
//!
//! Watches stdin and the socket together with poll(2) and prints each reply as it arrives.
//! Type `data1`, `data2`, then `shutdown` (both replies still arrive, then
//! `server terminated`) or `close` (the replies are lost). End of input acts as `shutdown`.
//!
//! ```text
//! cargo run -p ch11 --bin graceserver                     # terminal 1
//! cargo run -p ch11 --bin graceclient -- 127.0.0.1        # terminal 2
//! printf 'data1\ndata2\nshutdown\n' | cargo run -p ch11 --bin graceclient -- 127.0.0.1
//! ```

use std::fs::File;
use std::os::fd::AsFd;

use anyhow::Context;
use clap::Parser;
use common::ClientArgs;

/// Sends typed lines to a server; the commands `shutdown` and `close` end the connection
/// half or whole.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let stream = common::tcp_client(args.client.socket_addr())?;
    // Our own handle on fd 0, read with plain read(2) calls (see ch11::client::run).
    let stdin = File::from(
        std::io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .context("duplicate stdin")?,
    );
    ch11::client::run(stream, stdin)
}
