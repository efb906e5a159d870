//! A small `ping`: send ICMP echo requests to an IPv4 host and time the replies.
//!
//! Two kinds of socket can carry ICMP:
//!
//! - `SOCK_DGRAM` with `IPPROTO_ICMP`, Linux's unprivileged "ping socket", allowed to the
//!   groups in `net.ipv4.ping_group_range`. The kernel picks the identifier (it shows up as
//!   the socket's port) and delivers only replies to this socket, without the IP header.
//! - `SOCK_RAW`, which needs root or `CAP_NET_RAW`. It receives *every* ICMP message for this
//!   host, IP header included, so replies must be picked out by identifier; on loopback it
//!   even sees its own echo requests.
//!
//! [`Pinger::open`] tries the first and falls back to the second.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use socket2::{Domain, Protocol, Socket, Type};

use crate::icmp::{self, ECHO_REPLY};

/// An ICMP socket connected to one host.
#[derive(Debug)]
pub struct Pinger {
    socket: Socket,
    raw: bool,
    id: u16,
    target: Ipv4Addr,
}

impl Pinger {
    /// Opens an ICMP socket for `target`: a ping socket if allowed, else a raw one.
    pub fn open(target: Ipv4Addr) -> anyhow::Result<Pinger> {
        let any = SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0));
        let (socket, raw, id) = match Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::ICMPV4))
        {
            Ok(socket) => {
                socket.bind(&any.into()).context("bind ping socket")?;
                let port = socket.local_addr()?.as_socket().map_or(0, |a| a.port());
                (socket, false, port)
            }
            Err(e) if is_denied(&e) => {
                match Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4)) {
                    // Truncating the pid is what ping does: the id only has 16 bits.
                    Ok(socket) => (socket, true, std::process::id() as u16),
                    Err(e) if is_denied(&e) => bail!(
                        "no ICMP socket: {e}. Run as root, or allow ping sockets for your group: \
                     sudo sysctl -w net.ipv4.ping_group_range='0 2147483647'"
                    ),
                    Err(e) => return Err(e).context("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)"),
                }
            }
            Err(e) => return Err(e).context("socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)"),
        };
        // connect(2) on an ICMP socket only sets the default destination and filters what
        // we receive to packets from `target`; nothing is sent.
        socket
            .connect(&SocketAddr::V4(SocketAddrV4::new(target, 0)).into())
            .with_context(|| format!("connect to {target}"))?;
        Ok(Pinger {
            socket,
            raw,
            id,
            target,
        })
    }

    /// `SOCK_RAW` or `SOCK_DGRAM`.
    pub fn socket_type(&self) -> &'static str {
        if self.raw { "SOCK_RAW" } else { "SOCK_DGRAM" }
    }

    /// Sends echo request `seq` with `payload` and waits up to `timeout` for its reply,
    /// printing both. Returns the round-trip time, or `None` if no reply came.
    ///
    /// Messages that are not our reply (other pingers' replies, our own request seen by a
    /// raw socket on loopback) are skipped; malformed ones are reported and skipped.
    pub fn ping(
        &self,
        seq: u16,
        payload: &[u8],
        timeout: Duration,
        out: &mut impl Write,
    ) -> anyhow::Result<Option<Duration>> {
        let request = icmp::echo_request(self.id, seq, payload);
        let header = icmp::decode(&request, false).context("encode request")?;
        writeln!(out, "sent {}", header.echo)?;
        let start = Instant::now();
        self.socket
            .send(&request)
            .with_context(|| format!("sendto {}", self.target))?;

        let mut buf = [0u8; 65536];
        loop {
            let left = timeout.saturating_sub(start.elapsed());
            if left.is_zero() {
                writeln!(
                    out,
                    "no reply for seq {seq} within {} ms",
                    timeout.as_millis()
                )?;
                return Ok(None);
            }
            self.socket.set_read_timeout(Some(left))?;
            let n = match (&self.socket).read(&mut buf) {
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) =>
                {
                    continue;
                }
                Err(e) => return Err(e).context("recv"),
            };
            let rtt = start.elapsed();
            let got = match icmp::decode(&buf[..n], self.raw) {
                Ok(got) => got,
                Err(e) => {
                    writeln!(out, "ignored {n} bytes from {}: {e}", self.target)?;
                    continue;
                }
            };
            let echo = got.echo;
            if echo.kind != ECHO_REPLY || echo.id != self.id || echo.seq != seq {
                continue;
            }
            let ttl = got.ttl.map(|t| format!(", ttl {t}")).unwrap_or_default();
            writeln!(
                out,
                "{} bytes from {}: {echo}{ttl}, time {:.3} ms",
                got.len,
                self.target,
                rtt.as_secs_f64() * 1000.0
            )?;
            return Ok(Some(rtt));
        }
    }
}

fn is_denied(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::PermissionDenied
}
