//! `nonblockingclient`: connects, then closes with RST (`SO_LINGER {on, 0}`).
//!
//! The other half of the lecture's accept experiment: run it while `nonblockingserver`
//! sleeps between select and accept, and watch what the server does with a connection that
//! was reset while it waited in the queue.
//!
//! ```text
//! cargo run -p ch22 --bin nonblockingserver -- --accept-delay-ms 5000 --blocking-listener
//! cargo run -p ch22 --bin nonblockingclient -- 127.0.0.1
//! sudo tcpdump -i lo port 43211                            # see the R flag
//! ```

use clap::Parser;
use common::ClientArgs;

/// Connects and closes with RST instead of FIN (lecture 22).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server = args.client.socket_addr();
    let local = ch22::connect::connect_and_reset(server)?;
    println!("connected {local} -> {server}, closed with SO_LINGER {{on, 0}}: RST sent");
    Ok(())
}
