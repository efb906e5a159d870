//! `udpconnectserver`: a UDP server that connects to its first client (lecture 14).
//!
//! It answers `Hi, <message>`. After the first datagram it connects its socket to that
//! client, so from then on a second client's datagrams are refused (ICMP port unreachable)
//! and that client's `recv` fails with `Connection refused`. `goodbye` ends it.
//!
//! ```text
//! cargo run -p ch14 --bin udpconnectserver                # terminal 1
//! cargo run -p ch14 --bin udpconnectclient -- 127.0.0.1   # terminal 2: g1 -> Hi, g1
//! cargo run -p ch14 --bin udpconnectclient02 -- 127.0.0.1 # terminal 3: g2 -> refused
//! ```

use std::net::UdpSocket;

use anyhow::Context;
use clap::Parser;
use common::ServerArgs;

/// Answers `Hi, <message>` to the first UDP client, connected to it, until it says goodbye.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let addr = args.server.socket_addr();
    let socket = UdpSocket::bind(addr).with_context(|| format!("bind {addr}"))?;
    common::announce(socket.local_addr()?);
    ch14::server::serve(&socket)
}
