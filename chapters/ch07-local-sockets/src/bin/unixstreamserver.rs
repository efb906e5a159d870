//! `unixstreamserver`: lecture 07's local stream server. Answers each line with `Hi, LINE`.
//!
//! Serves one client at a time; `--once` exits after the first, as the C does. A stale
//! socket file from an earlier run is removed; a live server or a regular file at the path
//! is left alone with an error. The socket file is removed when the server exits normally.
//!
//! ```text
//! cargo run -p ch07 --bin unixstreamserver -- /tmp/unixstream.sock          # terminal 1
//! cargo run -p ch07 --bin unixstreamclient -- /tmp/unixstream.sock          # terminal 2
//! nc -U /tmp/unixstream.sock                                               # or with nc
//! ```

use std::os::unix::net::UnixListener;
use std::path::PathBuf;

use anyhow::Context;
use ch07::socket_file::{self, Kind, SocketFile};
use clap::Parser;

/// Lecture 07's local stream server: answers each line with `Hi, <line>`.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Path of the socket file to create [default: unixstream.sock in the temp directory]
    path: Option<PathBuf>,
    /// Exit after the first client quits, like the C server.
    #[arg(long)]
    once: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let path = args
        .path
        .unwrap_or_else(|| ch07::default_path("unixstream.sock"));
    if socket_file::claim(&path, Kind::Stream)? {
        eprintln!(
            "removed stale socket file {} (no server behind it)",
            path.display()
        );
    }
    let listener = UnixListener::bind(&path).with_context(|| format!("bind {}", path.display()))?;
    let file = SocketFile::new(&path);
    common::announce(file.path().display());
    ch07::stream::serve(&listener, args.once, &mut std::io::stdout().lock()).context("accept")
}
