//! `unixdataserver`: lecture 07's local datagram server. Answers each datagram with
//! `Hi, MESSAGE`, sent to the path the client bound.
//!
//! A stale socket file from an earlier run is removed; a live server or a regular file at
//! the path is left alone with an error.
//!
//! ```text
//! cargo run -p ch07 --bin unixdataserver -- /tmp/unixdata.sock              # terminal 1
//! cargo run -p ch07 --bin unixdataclient -- /tmp/unixdata.sock              # terminal 2
//! nc -U -u /tmp/unixdata.sock                                              # or with nc
//! ```

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

use anyhow::Context;
use ch07::socket_file::{self, Kind, SocketFile};
use clap::Parser;

/// Lecture 07's local datagram server: answers each datagram with `Hi, <message>`.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Path of the socket file to create [default: unixdata.sock in the temp directory]
    path: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let path = args
        .path
        .unwrap_or_else(|| ch07::default_path("unixdata.sock"));
    if socket_file::claim(&path, Kind::Datagram)? {
        eprintln!(
            "removed stale socket file {} (no server behind it)",
            path.display()
        );
    }
    let socket = UnixDatagram::bind(&path).with_context(|| format!("bind {}", path.display()))?;
    let file = SocketFile::new(&path);
    common::announce(file.path().display());
    ch07::datagram::serve(&socket, &mut std::io::stdout().lock()).context("recvfrom")
}
