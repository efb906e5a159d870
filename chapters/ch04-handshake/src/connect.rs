//! The ways `connect(2)` fails, provoked on loopback and explained.
//!
//! `connect` on a blocking TCP socket sends a SYN and sleeps until the handshake completes or
//! fails. Each scenario here builds its own target, so it works on any machine without root:
//!
//! - [`refused`]: a port that is bound but not listening. The kernel answers the SYN with RST
//!   and `connect` fails at once with `ECONNREFUSED`.
//! - [`full_backlog`]: a listener that never calls `accept`. Once its accept queue is full,
//!   the kernel drops further SYNs without answering; the client retransmits and, with no
//!   timer of its own, would give up with `ETIMEDOUT` only after about two minutes
//!   (`net.ipv4.tcp_syn_retries`). We bound the wait with a connect timeout instead.
//! - [`attempt`]: one connect to any address, for the cases loopback cannot show
//!   (`EHOSTUNREACH`, `ENETUNREACH`).

use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};
use socket2::{Domain, Socket, Type};

/// Connects to `addr`, giving up after `timeout` (a non-blocking `connect` plus `poll`, as
/// socket2's `connect_timeout` does; lecture 22 builds this by hand).
pub fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.connect_timeout(&addr.into(), timeout)?;
    Ok(socket)
}

/// What an outcome of `connect` means, in one line.
pub fn explain(result: &io::Result<Socket>, timeout: Duration) -> String {
    let Err(e) = result else {
        return "established: the three-way handshake completed".to_string();
    };
    match e.raw_os_error() {
        Some(libc::ECONNREFUSED) => "ECONNREFUSED: the peer's kernel answered our SYN with RST, \
             so nothing listens on that port"
            .to_string(),
        Some(libc::ETIMEDOUT) => "ETIMEDOUT: the kernel retransmitted the SYN \
             net.ipv4.tcp_syn_retries times and never got an answer"
            .to_string(),
        Some(libc::EHOSTUNREACH) => "EHOSTUNREACH: a route says the host is unreachable, or \
             nobody answered ARP/neighbour discovery, or a router sent ICMP host unreachable"
            .to_string(),
        Some(libc::ENETUNREACH) => "ENETUNREACH: no route to that network in the routing \
             table (see ip route), or a router sent ICMP net unreachable"
            .to_string(),
        _ if e.kind() == io::ErrorKind::TimedOut => format!(
            "timeout: no SYN+ACK within {} ms; the SYN or its answer was dropped",
            timeout.as_millis()
        ),
        _ => format!("{e}"),
    }
}

/// Prints `connect to ADDR: RESULT` and, indented, what it means.
fn report(
    label: &str,
    addr: SocketAddr,
    result: &io::Result<Socket>,
    timeout: Duration,
    out: &mut impl Write,
) -> io::Result<()> {
    match result {
        Ok(_) => writeln!(out, "{label} to {addr}: ok")?,
        Err(e) if e.kind() == io::ErrorKind::TimedOut && e.raw_os_error().is_none() => writeln!(
            out,
            "{label} to {addr}: no answer within {} ms",
            timeout.as_millis()
        )?,
        Err(e) => writeln!(out, "{label} to {addr}: {e}")?,
    }
    writeln!(out, "  {}", explain(result, timeout))?;
    out.flush()
}

/// Connects to a loopback port that is bound but not listening: `ECONNREFUSED`.
pub fn refused(timeout: Duration, out: &mut impl Write) -> anyhow::Result<()> {
    // Holding the bound socket keeps the port ours, so nobody can start listening on it
    // between our bind and our connect.
    let bound = Socket::new(Domain::IPV4, Type::STREAM, None).context("socket")?;
    bound
        .bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
        .context("bind 127.0.0.1:0")?;
    let addr = local_addr(&bound)?;
    writeln!(out, "refused: {addr} is bound but not listening")?;
    let result = connect(addr, timeout);
    report("connect", addr, &result, timeout, out)?;
    if result.is_ok() {
        bail!("connect to {addr} succeeded although nothing listens there");
    }
    Ok(())
}

/// Fills the accept queue of a listener that never accepts, until a connect gets no answer.
///
/// Linux admits `backlog + 1` connections into the accept queue (the queue counts as full
/// only when it holds *more* than `backlog`). After that the listener's kernel drops each
/// new SYN (`ListenOverflows` in `nstat -az TcpExtListenOverflows`). Gives up with an error
/// after `max_attempts` successful connects.
pub fn full_backlog(
    backlog: i32,
    timeout: Duration,
    max_attempts: usize,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).context("socket")?;
    listener
        .bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
        .context("bind 127.0.0.1:0")?;
    listener.listen(backlog).context("listen")?;
    let addr = local_addr(&listener)?;
    writeln!(
        out,
        "timeout: {addr} listens with backlog {backlog} and never calls accept"
    )?;

    // Connected sockets must stay open: closing one would free its place in the queue.
    let mut waiting = Vec::new();
    for n in 1..=max_attempts {
        let result = connect(addr, timeout);
        report(&format!("connect #{n}"), addr, &result, timeout, out)?;
        match result {
            Ok(socket) => waiting.push(socket),
            // With net.ipv4.tcp_abort_on_overflow = 1 the listener answers with RST instead.
            Err(e) if e.kind() != io::ErrorKind::TimedOut => return Ok(()),
            Err(_) => {
                writeln!(
                    out,
                    "  the accept queue is full (backlog {backlog} + 1 = {} waiting), so \
                     the kernel drops new SYNs;\n  without a timer, connect(2) would retransmit \
                     for about two minutes before failing with ETIMEDOUT",
                    waiting.len()
                )?;
                return Ok(());
            }
        }
    }
    bail!(
        "{max_attempts} connects to {addr} all succeeded: is net.ipv4.tcp_abort_on_overflow \
         set, or is the backlog larger than --max-attempts?"
    )
}

/// One connect to `addr`, reported and explained, whatever happens.
pub fn attempt(addr: SocketAddr, timeout: Duration, out: &mut impl Write) -> anyhow::Result<()> {
    let result = connect(addr, timeout);
    report("connect", addr, &result, timeout, out)?;
    Ok(())
}

fn local_addr(socket: &Socket) -> anyhow::Result<SocketAddr> {
    socket
        .local_addr()
        .context("getsockname")?
        .as_socket()
        .context("getsockname: not an internet address")
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Duration = Duration::from_millis(300);

    fn err(code: i32) -> io::Result<Socket> {
        Err(io::Error::from_raw_os_error(code))
    }

    #[test]
    fn every_failure_has_its_own_explanation() {
        assert!(explain(&err(libc::ECONNREFUSED), WAIT).starts_with("ECONNREFUSED: "));
        assert!(explain(&err(libc::ETIMEDOUT), WAIT).starts_with("ETIMEDOUT: "));
        assert!(explain(&err(libc::EHOSTUNREACH), WAIT).starts_with("EHOSTUNREACH: "));
        assert!(explain(&err(libc::ENETUNREACH), WAIT).starts_with("ENETUNREACH: "));
        assert_eq!(
            explain(&Err(io::ErrorKind::TimedOut.into()), WAIT),
            "timeout: no SYN+ACK within 300 ms; the SYN or its answer was dropped"
        );
    }

    #[test]
    fn backlog_zero_admits_one_connection_then_drops_syns() {
        let mut out = Vec::new();
        full_backlog(0, WAIT, 8, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let results: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("connect #"))
            .collect();
        assert_eq!(results.len(), 2, "{text}");
        assert!(text.contains("full (backlog 0 + 1 = 1 waiting)"), "{text}");
        assert!(results[0].ends_with(": ok"), "{text}");
        assert!(results[1].ends_with(": no answer within 300 ms"), "{text}");
    }
}
