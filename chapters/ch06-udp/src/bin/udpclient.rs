//! `udpclient`: lecture 06's UDP client. Sends each stdin line as one datagram (without the
//! newline) and prints the server's answer.
//!
//! It never connects, so it learns nothing when no server is there: the C client then waits
//! forever in `recvfrom`; this one gives up after `--timeout-ms` and reads the next line.
//!
//! ```text
//! cargo run -p ch06 --bin udpserver                       # terminal 1
//! cargo run -p ch06 --bin udpclient -- 127.0.0.1          # terminal 2, type g1 <Enter>
//! printf 'g1\ng2\n' | cargo run -p ch06 --bin udpclient
//! ```

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use common::ClientArgs;

/// Lecture 06's UDP client: one datagram per stdin line, then print the answer.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
    /// How long to wait for each answer, in milliseconds; 0 waits forever, as the C does.
    #[arg(long, default_value_t = 3000)]
    timeout_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server = args.client.socket_addr();
    // Port 0 on the wildcard address of the server's family: the kernel picks an ephemeral
    // port, the one the C client gets implicitly on its first sendto.
    let local = match server {
        SocketAddr::V4(_) => SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
        SocketAddr::V6(_) => SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)),
    };
    let socket = UdpSocket::bind(local).context("bind an ephemeral port")?;
    let timeout = (args.timeout_ms > 0).then(|| Duration::from_millis(args.timeout_ms));
    let stdin = std::io::stdin().lock();
    ch06::run_client(
        &socket,
        server,
        timeout,
        stdin,
        &mut std::io::stdout().lock(),
    )
}
