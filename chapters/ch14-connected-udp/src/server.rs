//! `udpconnectserver`: waits for a first datagram, connects to its sender, then serves only it.

use std::io::ErrorKind;
use std::net::UdpSocket;

use anyhow::Context;

use crate::{MAX_DATAGRAM, printable};

/// What ends the conversation: the connected client sends exactly this.
pub const GOODBYE: &[u8] = b"goodbye";

/// Answers `Hi, <message>` to the first client and, once connected to it, to that client only,
/// until it says `goodbye` (which is answered too: the C exits without a reply and leaves the
/// client hanging in `recv`).
///
/// Datagrams from other clients are not delivered to a connected socket: their kernel gets an
/// ICMP port unreachable and their `recv` fails with ECONNREFUSED.
pub fn serve(socket: &UdpSocket) -> anyhow::Result<()> {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let (n, client) = socket.recv_from(&mut buf).context("recvfrom failed")?;
    println!("received {n} bytes: {}", printable(&buf[..n]));
    socket.connect(client).context("connect failed")?;
    println!("connected to {client}");
    let mut message = buf[..n].to_vec();
    loop {
        let reply = [b"Hi, ", &message[..]].concat();
        match socket.send(&reply) {
            Ok(sent) => println!("send bytes: {sent}"),
            // A 65507-byte message makes a reply too large for one datagram (EMSGSIZE).
            Err(e) => eprintln!("send failed: {e}"),
        }
        if message == GOODBYE {
            return Ok(());
        }
        let n = loop {
            match socket.recv(&mut buf) {
                Ok(n) => break n,
                // Our own earlier reply hit a closed port: the client is gone. Keep waiting; a
                // connected server cannot hear from anyone else (the lecture's trade-off).
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                    eprintln!("recv failed: {e}")
                }
                Err(e) => return Err(e).context("recv failed"),
            }
        };
        message = buf[..n].to_vec();
        println!("received {n} bytes: {}", printable(&message));
    }
}
