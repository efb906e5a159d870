//! `streamserver`: the framed-message reader of lecture 16.
//!
//! Accepts one client at a time and prints `received N bytes: PAYLOAD` for every
//! `[u32 length][u32 type][payload]` frame, however TCP split or merged the bytes.
//! A frame longer than 128 bytes is refused with an error line and the next client is served.
//!
//! ```text
//! cargo run -p ch16 --bin streamserver                      # terminal 1
//! cargo run -p ch16 --bin streamclient -- 127.0.0.1         # terminal 2, type lines
//! printf '\0\0\0\x04\0\0\0\x01abcd' | nc -N 127.0.0.1 43211 # or send a raw frame
//! ```

use anyhow::Context;
use clap::Parser;
use common::ServerArgs;

/// The framed-message reader of lecture 16: prints each message's length and payload.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    ch16::serve(&listener).context("accept")
}
