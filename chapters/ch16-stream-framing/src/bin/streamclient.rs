//! `streamclient`: the framed-message writer of lecture 16.
//!
//! Reads lines from stdin and sends each as one `[u32 length][u32 type = 1][line]` frame,
//! both integers big-endian. Stdin EOF closes the connection.
//!
//! ```text
//! cargo run -p ch16 --bin streamserver                      # terminal 1
//! cargo run -p ch16 --bin streamclient -- 127.0.0.1         # terminal 2, type lines
//! printf 'network\ngood\n' | cargo run -p ch16 --bin streamclient -- 127.0.0.1
//! ```

use anyhow::Context;
use clap::Parser;
use common::ClientArgs;

/// The framed-message writer of lecture 16: one frame per line of stdin.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut stream = common::tcp_client(args.client.socket_addr())?;
    ch16::send_lines(&mut std::io::stdin().lock(), &mut stream).context("send failure")
}
