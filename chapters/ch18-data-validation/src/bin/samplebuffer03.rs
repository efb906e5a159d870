//! `samplebuffer03`: readline into the lecture's 10-byte buffer, without the off-by-one.
//!
//! A line fits if it has at most 8 characters: with its `\n` and the C's NUL that is 10
//! bytes. A longer line is refused with `line longer than 8 bytes` and the connection
//! closed; the next client is served. Several lines in one segment are all kept.
//!
//! ```text
//! cargo run -p ch18 --bin samplebuffer03                          # terminal 1
//! printf '01234567\n012345678\n' | nc -N 127.0.0.1 43211          # terminal 2
//! ```

use anyhow::Context;
use clap::Parser;
use common::ServerArgs;

/// The readline server of lecture 18: lines of at most 8 characters.
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
    ch18::serve(&listener, ch18::ReadTimeout::None, ch18::serve_lines).context("accept")
}
