//! `reliable_client02`: keeps writing to a connection whose peer died (lecture 17).
//!
//! Sends `network programming` over and over, printing `send into buffer 19` after each
//! send. Kill the server and a send fails with ECONNRESET, or EPIPE once the reset was
//! already reported. With `--sigpipe-default` the process restores the default SIGPIPE
//! action and sends without `MSG_NOSIGNAL`, so that failed send kills it instead (as the C
//! client would without `signal(SIGPIPE, SIG_IGN)`).
//!
//! ```text
//! cargo run -p ch17 --bin reliable_server02                   # terminal 1
//! cargo run -p ch17 --bin reliable_client02 -- 127.0.0.1      # terminal 2; Ctrl-C terminal 1
//! cargo run -p ch17 --bin reliable_client02 -- 127.0.0.1 --sigpipe-default; echo "exit $?"
//! ```

use clap::Parser;
use common::ClientArgs;
use nix::sys::signal::{SigHandler, Signal, signal};

/// Floods the server with 19-byte sends; reports the first failure.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
    /// How many times to send the message (the C's 10,000,000).
    #[arg(long, default_value_t = 10_000_000)]
    count: u64,
    /// Milliseconds to wait before each send (0: as fast as the socket takes them).
    #[arg(long, default_value_t = 0)]
    interval_ms: u64,
    /// Restore SIGPIPE's default action (terminate) and send without MSG_NOSIGNAL, so a
    /// send on a reset connection kills the process, as in C. Off by default: unsafe.
    #[arg(long)]
    sigpipe_default: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.sigpipe_default {
        // The Rust runtime sets SIGPIPE to SIG_IGN before main; put back the C default.
        // SAFETY: SIG_DFL installs no handler, and no other thread exists yet.
        unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) }?;
    }
    let stream = common::tcp_client(args.client.socket_addr())?;
    let options = ch17::FloodOptions {
        count: args.count,
        interval: std::time::Duration::from_millis(args.interval_ms),
        raise_sigpipe: args.sigpipe_default,
    };
    ch17::flood(&stream, options, &mut std::io::stdout().lock())
}
