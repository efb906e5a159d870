//! `busypoll`: the counter-example. Serves rot13 lines by trying every non-blocking socket
//! over and over, without select: it works, and it burns a whole CPU doing nothing.
//!
//! ```text
//! cargo run -p ch22 --bin busypoll                          # terminal 1; watch `top`
//! printf 'hello\n' | nc -N 127.0.0.1 43211                  # terminal 2: uryyb
//! cargo run -p ch22 --bin busypoll -- --sleep-us 1000       # less CPU, more latency
//! ```

use std::time::Duration;

use clap::Parser;
use common::ServerArgs;

/// A rot13 line server that busy-polls non-blocking sockets (don't do this).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Print how many passes and calls the loop made, this often.
    #[arg(long, default_value_t = 1000)]
    report_ms: u64,
    /// Sleep this many microseconds after each pass (0: spin).
    #[arg(long, default_value_t = 0)]
    sleep_us: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    let options = ch22::busy_poll::BusyOptions {
        report_every: Duration::from_millis(args.report_ms),
        sleep: Duration::from_micros(args.sleep_us),
    };
    ch22::busy_poll::serve(listener, options)
}
