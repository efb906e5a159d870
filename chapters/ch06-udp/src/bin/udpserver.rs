//! `udpserver`: lecture 06's UDP server. Answers every datagram with `Hi, ` and the datagram,
//! and on Ctrl-C prints how many datagrams it received.
//!
//! ```text
//! cargo run -p ch06 --bin udpserver                       # terminal 1
//! cargo run -p ch06 --bin udpclient -- 127.0.0.1          # terminal 2, type g1 <Enter>
//! nc -u 127.0.0.1 43211                                   # or poke it with nc, type g1
//! ```

use anyhow::Context;
use clap::Parser;
use common::ServerArgs;

/// Lecture 06's UDP server: replies `Hi, <message>` and counts datagrams until Ctrl-C.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Before announcing: whoever sees "listening on" may press Ctrl-C at once.
    let interrupt = ch06::interrupt::Interrupt::install().context("install SIGINT handler")?;
    let addr = args.server.socket_addr();
    let socket = std::net::UdpSocket::bind(addr).with_context(|| format!("bind {addr}"))?;
    common::announce(socket.local_addr()?);
    let mut out = std::io::stdout().lock();
    let count = ch06::serve(&socket, &interrupt, &mut out).context("serve")?;
    // The leading newline keeps the count off the line where the terminal echoed ^C.
    println!("\nreceived {count} datagrams");
    Ok(())
}
