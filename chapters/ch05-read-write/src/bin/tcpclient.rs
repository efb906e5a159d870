//! `tcpclient`: the bulk sender of lecture 05.
//!
//! Connects and writes 10,240,000 bytes of `a`, printing `send into buffer N` after each
//! `write`. Compare when it finishes with when the slow `tcpserver` finishes reading.
//!
//! ```text
//! cargo run -p ch05 --bin tcpserver                       # terminal 1
//! cargo run -p ch05 --bin tcpclient -- 127.0.0.1          # terminal 2
//! cargo run -p ch05 --bin tcpclient -- 127.0.0.1 --size 1024000
//! ```

use clap::Parser;
use common::ClientArgs;

/// The bulk sender of lecture 05: writes SIZE bytes and reports each write's count.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
    /// How many bytes to send (the lecture's 10,240,000; experiment 2 uses 1,024,000).
    #[arg(long, default_value_t = 10_240_000)]
    size: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut stream = common::tcp_client(args.client.socket_addr())?;
    ch05::send_data(&mut stream, args.size, &mut std::io::stdout().lock())?;
    Ok(())
}
