//! The connected UDP clients: one datagram per typed line, then wait for the reply.

use std::io::BufRead;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use anyhow::Context;

use crate::{MAX_DATAGRAM, printable};

/// Which system calls the client uses on its connected socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calls {
    /// `sendto` with the server's address and `recvfrom`, as `udpconnectclient` does: legal on
    /// a connected socket when the address is the connected one.
    SendToRecvFrom,
    /// `send` and `recv`, as `udpconnectclient02` does: the natural calls once connected.
    SendRecv,
}

/// Binds an ephemeral port and connects it to `server`.
pub fn connect(server: SocketAddr) -> anyhow::Result<UdpSocket> {
    let any: IpAddr = match server {
        SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    let socket = UdpSocket::bind((any, 0)).context("bind")?;
    // No packet leaves: the kernel only records the peer (and picks our source address).
    socket.connect(server).context("connect failed")?;
    Ok(socket)
}

/// Sends each line of `input` (without its line end) as one datagram and prints the reply,
/// with the course's `now sending ...` and `send bytes: N` lines.
///
/// Returns at end of input; a failed receive, such as ECONNREFUSED when no server listens,
/// is an error naming the call (`recvfrom failed`, `recv failed`).
pub fn run(
    socket: &UdpSocket,
    server: SocketAddr,
    calls: Calls,
    input: impl BufRead,
) -> anyhow::Result<()> {
    let mut reply = vec![0u8; MAX_DATAGRAM];
    for line in input.split(b'\n') {
        let line = line.context("read stdin")?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        println!("now sending {}", printable(line));
        let sent = match calls {
            Calls::SendToRecvFrom => socket.send_to(line, server).context("sendto failed")?,
            Calls::SendRecv => socket.send(line).context("send failed")?,
        };
        println!("send bytes: {sent}");
        let n = match calls {
            Calls::SendToRecvFrom => socket.recv_from(&mut reply).context("recvfrom failed")?.0,
            Calls::SendRecv => socket.recv(&mut reply).context("recv failed")?,
        };
        println!("{}", printable(&reply[..n]));
    }
    Ok(())
}
