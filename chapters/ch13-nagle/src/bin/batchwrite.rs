//! `batchwrite`: sends `hello,` + each typed line in one writev(2) call (lecture 13).
//!
//! Gathering the pieces into one system call hands TCP one chunk of data instead of two small
//! ones, so they leave in one segment and the receiver reads them in one go. Any server that
//! prints what it reads shows it, for example `addressused02` of lecture 15.
//!
//! ```text
//! cargo run -p ch15 --bin addressused02                   # terminal 1
//! cargo run -p ch13 --bin batchwrite -- 127.0.0.1         # terminal 2: type world
//! # terminal 1 prints: received 12 bytes: hello,world
//! ```

use anyhow::Context;
use clap::Parser;
use common::ClientArgs;

/// Sends `hello,` + each line of stdin to the server, each as one writev(2).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut stream = common::tcp_client(args.client.socket_addr())?;
    ch13::batch::send_lines(&mut std::io::stdin().lock(), &mut stream).context("writev failure")?;
    Ok(())
}
