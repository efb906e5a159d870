//! `unixstreamclient`: lecture 07's local stream client. Sends each stdin line and prints
//! the server's answer.
//!
//! ```text
//! cargo run -p ch07 --bin unixstreamserver -- /tmp/unixstream.sock          # terminal 1
//! cargo run -p ch07 --bin unixstreamclient -- /tmp/unixstream.sock          # terminal 2
//! ```

use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;

/// Lecture 07's local stream client: one line out, one answer back.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Path of the server's socket file [default: unixstream.sock in the temp directory]
    path: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let path = args
        .path
        .unwrap_or_else(|| ch07::default_path("unixstream.sock"));
    let stream =
        UnixStream::connect(&path).with_context(|| format!("connect to {}", path.display()))?;
    ch07::stream::run_client(
        &stream,
        std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
    )
}
