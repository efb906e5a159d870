//! `thread-helloworld`: two threads add 1 to one counter 1000 times each.
//!
//! Each thread prints `hello, world, tid == N` (on stderr); the total goes to stdout, alone,
//! so a shell loop can tally it. The default uses `fetch_add` and always prints `2000`.
//! `--racy` reads and writes in two steps and loses updates, which the C's "lucky" 2000
//! hid.
//!
//! ```text
//! cargo run -p ch26 --bin thread-helloworld                   # 2000
//! cargo run -p ch26 --bin thread-helloworld -- --racy         # e.g. 1043
//! for i in $(seq 20); do target/debug/thread-helloworld --racy 2>/dev/null; done | sort -n | uniq -c
//! ```

use clap::Parser;
use std::io::Write;

use ch26::counter::{Increment, count};

/// Two threads share a counter (lecture 26): racy, or fixed with an atomic add.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Increment with a separate load and store, so concurrent updates get lost.
    #[arg(long)]
    racy: bool,
    /// How many times each thread adds one.
    #[arg(long, default_value_t = 1000)]
    iterations: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let increment = if args.racy {
        Increment::Racy
    } else {
        Increment::Atomic
    };
    let total = count(increment, args.iterations);
    writeln!(std::io::stdout(), "{total}")?;
    Ok(())
}
