//! `errnotour`: WouldBlock, a partial write, EOF, ECONNRESET, EPIPE and EINTR, each made to
//! happen on loopback, with what it means and what a server should do.
//!
//! ```text
//! cargo run -p ch22 --bin errnotour
//! ```

use clap::Parser;

/// Triggers and explains the results a non-blocking program must handle (lecture 22).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {}

fn main() -> anyhow::Result<()> {
    Args::parse();
    ch22::errno_tour::run(&mut std::io::stdout().lock())
}
