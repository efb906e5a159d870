//! `reliable_client01`: sends each stdin line and waits for its echo (lecture 17).
//!
//! When the server dies, its `read` reports what Linux saw: EOF after a FIN
//! (`peer connection closed`), or `Connection reset by peer (os error 104)` after an RST.
//!
//! ```text
//! cargo run -p ch17 --bin reliable_server01                   # terminal 1
//! cargo run -p ch17 --bin reliable_client01 -- 127.0.0.1      # terminal 2, type good
//! ```

use clap::Parser;
use common::ClientArgs;

/// Sends lines and prints their echoes; reports how the connection ended.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut stream = common::tcp_client(args.client.socket_addr())?;
    ch17::ask_and_print(
        &mut std::io::stdin().lock(),
        &mut stream,
        &mut std::io::stdout().lock(),
    )
}
