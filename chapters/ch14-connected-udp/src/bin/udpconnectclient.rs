//! `udpconnectclient`: a connected UDP client that keeps calling `sendto` with the server address and `recvfrom`, as the course's client does (lecture 14).
//!
//! Each typed line goes out as one datagram; the reply is printed. Because the socket is
//! connected, an ICMP port unreachable comes back as an error: with no server running, the
//! first receive fails with `Connection refused (os error 111)` instead of waiting forever.
//!
//! ```text
//! cargo run -p ch14 --bin udpconnectclient -- 127.0.0.1           # no server: type g1
//! cargo run -p ch14 --bin udpconnectserver                # then start the server, retry
//! ```

use clap::Parser;
use common::ClientArgs;

/// A connected UDP client that still uses sendto/recvfrom: one datagram per line, then the reply.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server = args.client.socket_addr();
    let socket = ch14::client::connect(server)?;
    ch14::client::run(
        &socket,
        server,
        ch14::client::Calls::SendToRecvFrom,
        std::io::stdin().lock(),
    )
}
