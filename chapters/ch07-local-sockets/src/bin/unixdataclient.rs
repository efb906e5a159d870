//! `unixdataclient`: lecture 07's local datagram client. Binds a path of its own (printed
//! first), sends each stdin line as one datagram and prints the answer. Its path is removed
//! when it exits: at end of input, on an error, or on Ctrl-C.
//!
//! ```text
//! cargo run -p ch07 --bin unixdataserver -- /tmp/unixdata.sock              # terminal 1
//! cargo run -p ch07 --bin unixdataclient -- /tmp/unixdata.sock              # terminal 2
//! ```

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use ch07::datagram::{self, ClientPath};
use clap::Parser;

/// Lecture 07's local datagram client: binds its own path, one datagram per stdin line.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Path of the server's socket file [default: unixdata.sock in the temp directory]
    path: Option<PathBuf>,
    /// How long to wait for each answer, in milliseconds; 0 waits forever, as the C does.
    #[arg(long, default_value_t = 3000)]
    timeout_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server = args
        .path
        .unwrap_or_else(|| ch07::default_path("unixdata.sock"));
    let (socket, own) = ClientPath::bind()?;
    datagram::remove_on_signal(&own).context("block signals")?;
    println!("bound to {}", own.path().display());
    let timeout = (args.timeout_ms > 0).then(|| Duration::from_millis(args.timeout_ms));
    let stdin = std::io::stdin().lock();
    datagram::run_client(
        &socket,
        &server,
        timeout,
        stdin,
        &mut std::io::stdout().lock(),
    )
}
