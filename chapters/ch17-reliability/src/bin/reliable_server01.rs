//! `reliable_server01`: the slow echo server of lecture 17 (read, wait, echo).
//!
//! Kill it while it waits and the client's `read` sees the FIN: `peer connection closed`.
//!
//! ```text
//! cargo run -p ch17 --bin reliable_server01                   # terminal 1
//! cargo run -p ch17 --bin reliable_client01 -- 127.0.0.1      # terminal 2, type good
//! ```

use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use common::ServerArgs;

/// The slow echo server of lecture 17: echoes each read after a delay.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Milliseconds to wait before echoing (the lecture's 5 s).
    #[arg(long, default_value_t = 5000)]
    delay_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    let delay = Duration::from_millis(args.delay_ms);
    loop {
        let (mut stream, peer) = listener.accept().context("accept")?;
        if let Err(e) = ch17::echo_slowly(&mut stream, delay, &mut std::io::stdout().lock()) {
            eprintln!("error with {peer}: {e}");
        }
    }
}
