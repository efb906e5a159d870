//! Lecture 14: connecting a UDP socket.
//!
//! connect(2) on a UDP socket sends nothing. It records the peer's address, so that
//! `send`/`recv` need none, datagrams from anyone else are no longer delivered to this
//! socket, and, the point of the lecture, an ICMP "port unreachable" that comes back for our
//! datagrams is reported to us: the next `recv` fails with ECONNREFUSED. An unconnected
//! socket is never told and waits in `recvfrom` forever (lecture 06).
//!
//! - [`client`] is `udpconnectclient` (connected, but still `sendto`/`recvfrom`) and
//!   `udpconnectclient02` (connected, `send`/`recv`).
//! - [`server`] is `udpconnectserver`: it connects to the first client that writes, and from
//!   then on talks to that client only.

pub mod client;
pub mod server;

use std::borrow::Cow;

/// The largest UDP payload over IPv4 (65535 - 20 bytes of IP header - 8 of UDP header).
pub const MAX_DATAGRAM: usize = 65_507;

/// Datagram bytes as text for a log line, invalid UTF-8 replaced.
pub fn printable(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}
