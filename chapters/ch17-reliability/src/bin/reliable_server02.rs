//! `reliable_server02`: the slow reader of lecture 17, to be killed mid-stream.
//!
//! ```text
//! cargo run -p ch17 --bin reliable_server02                   # terminal 1
//! cargo run -p ch17 --bin reliable_client02 -- 127.0.0.1      # terminal 2; then Ctrl-C terminal 1
//! ```

use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use common::ServerArgs;

/// The slow reader of lecture 17: 1 KiB reads with a pause after each.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Milliseconds to pause after each read (the C repo's 10 ms).
    #[arg(long, default_value_t = 10)]
    pause_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    let pause = Duration::from_millis(args.pause_ms);
    loop {
        let (mut stream, peer) = listener.accept().context("accept")?;
        if let Err(e) = ch17::read_slowly(&mut stream, pause, &mut std::io::stdout().lock()) {
            eprintln!("error with {peer}: {e}");
        }
    }
}
