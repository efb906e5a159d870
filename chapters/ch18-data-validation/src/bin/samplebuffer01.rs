//! `samplebuffer01`: the 128-byte-buffer server of lecture 18, with the overflow made impossible.
//!
//! Prints every read (`received N bytes: ...`); a read of `quit` gets `COMMAND OK`.
//! `--framed` reads length-prefixed messages instead and refuses a length larger than the
//! buffer (try it with `samplebuffer02`). `--rcvtimeo-ms` and `--poll-timeout-ms` drop a
//! client that stays silent: `read timeout`.
//!
//! ```text
//! cargo run -p ch18 --bin samplebuffer01                          # terminal 1
//! telnet 127.0.0.1 43211                                          # terminal 2: type quit
//! cargo run -p ch18 --bin samplebuffer01 -- --rcvtimeo-ms 5000    # SO_RCVTIMEO
//! cargo run -p ch18 --bin samplebuffer01 -- --poll-timeout-ms 5000
//! cargo run -p ch18 --bin samplebuffer01 -- --framed              # then samplebuffer02
//! ```

use std::time::Duration;

use anyhow::Context;
use ch18::ReadTimeout;
use clap::Parser;
use common::ServerArgs;

/// The 128-byte-buffer server of lecture 18: bounded reads, `quit`, read timeouts.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Read length-prefixed messages (`[u32 length][u32 type][payload]`) instead of raw bytes.
    #[arg(long)]
    framed: bool,
    /// Drop a client silent this long, using SO_RCVTIMEO on the socket.
    #[arg(long, conflicts_with = "poll_timeout_ms")]
    rcvtimeo_ms: Option<u64>,
    /// Drop a client silent this long, using poll(2) with a timeout before each read.
    #[arg(long)]
    poll_timeout_ms: Option<u64>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let timeout = match (args.rcvtimeo_ms, args.poll_timeout_ms) {
        (Some(ms), _) => ReadTimeout::SoRcvtimeo(Duration::from_millis(ms.max(1))),
        (_, Some(ms)) => ReadTimeout::Poll(Duration::from_millis(ms)),
        _ => ReadTimeout::None,
    };
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    let handle = if args.framed {
        ch18::serve_framed
    } else {
        ch18::serve_raw
    };
    ch18::serve(&listener, timeout, handle).context("accept")
}
