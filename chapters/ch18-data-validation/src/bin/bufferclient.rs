//! `bufferclient`: sends stdin lines in 11-byte pieces, as the C's `fgets` into `buf[12]`.
//!
//! ```text
//! cargo run -p ch18 --bin samplebuffer01                          # terminal 1
//! echo 'hello, network programming' | cargo run -p ch18 --bin bufferclient -- 127.0.0.1
//! ```

use anyhow::Context;
use clap::Parser;
use common::ClientArgs;

/// The C client's buffer size: `fgets` keeps one byte for the NUL.
const C_BUFFER: usize = 12;

/// Sends each stdin line in pieces of at most 11 bytes.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut stream = common::tcp_client(args.client.socket_addr())?;
    let mut stdin = std::io::stdin().lock();
    ch18::send_in_chunks(&mut stdin, &mut stream, C_BUFFER - 1).context("send failure")
}
