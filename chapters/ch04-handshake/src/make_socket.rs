//! `socket(2)` and `bind(2)` one step at a time, narrated.
//!
//! The C `make_socket` fills a `struct sockaddr_in` by hand (`htons(port)`,
//! `htonl(INADDR_ANY)`) and passes it to `bind`. Here nix builds the same `libc::sockaddr_in`
//! (or `sockaddr_in6`), and [`describe`] prints the bytes of its fields as they sit in memory,
//! which is the order the kernel and the wire use: most significant byte first.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, OwnedFd};

use anyhow::Context;
use nix::sys::socket::{
    AddressFamily, Backlog, SockFlag, SockType, SockaddrIn, SockaddrIn6, bind, listen, socket,
};

/// Creates a TCP socket and binds it to `addr`, narrating each call to `out`. Does not listen.
///
/// Returns the socket and the address the kernel actually bound (with port 0 the kernel
/// picks a free port, which `getsockname(2)` reveals).
pub fn make_socket(
    addr: SocketAddr,
    out: &mut impl Write,
) -> anyhow::Result<(OwnedFd, SocketAddr)> {
    let (family, family_name) = match addr {
        SocketAddr::V4(_) => (AddressFamily::Inet, "AF_INET"),
        SocketAddr::V6(_) => (AddressFamily::Inet6, "AF_INET6"),
    };
    let fd = socket(family, SockType::Stream, SockFlag::empty(), None)
        .map_err(io::Error::from)
        .context("socket")?;
    let raw = fd.as_raw_fd();
    writeln!(out, "socket({family_name}, SOCK_STREAM, 0) = fd {raw}")?;

    describe(addr, out)?;
    let bound = match addr {
        SocketAddr::V4(a) => bind(raw, &SockaddrIn::from(a)),
        SocketAddr::V6(a) => bind(raw, &SockaddrIn6::from(a)),
    };
    bound
        .map_err(io::Error::from)
        .with_context(|| format!("bind {addr}"))?;
    writeln!(out, "bind(fd {raw}, {addr}) = 0")?;

    let local = socket2::SockRef::from(&fd)
        .local_addr()
        .context("getsockname")?
        .as_socket()
        .context("getsockname: not an internet address")?;
    writeln!(out, "getsockname(fd {raw}) = {local}")?;
    Ok((fd, local))
}

/// Prints the fields of the `sockaddr_in`/`sockaddr_in6` that `bind(2)` receives for `addr`.
///
/// Port and address are shown as their bytes in memory: network byte order (big-endian).
/// For comparison the port is also shown in this CPU's own order, which on x86 and most ARM
/// machines is little-endian, hence `htons`.
pub fn describe(addr: SocketAddr, out: &mut impl Write) -> std::io::Result<()> {
    let port = addr.port();
    let host_order = hex(&port.to_ne_bytes());
    match addr {
        SocketAddr::V4(a) => {
            let sa = SockaddrIn::from(a);
            let sin: &libc::sockaddr_in = sa.as_ref();
            writeln!(out, "sockaddr_in {{")?;
            writeln!(out, "  sin_family: AF_INET ({})", sin.sin_family)?;
            writeln!(
                out,
                "  sin_port:   bytes {} = htons({port}); in host order: {host_order}",
                hex(&sin.sin_port.to_ne_bytes())
            )?;
            writeln!(
                out,
                "  sin_addr:   bytes {} = {}",
                hex(&sin.sin_addr.s_addr.to_ne_bytes()),
                a.ip()
            )?;
        }
        SocketAddr::V6(a) => {
            let sa = SockaddrIn6::from(a);
            let sin6: &libc::sockaddr_in6 = sa.as_ref();
            writeln!(out, "sockaddr_in6 {{")?;
            writeln!(out, "  sin6_family: AF_INET6 ({})", sin6.sin6_family)?;
            writeln!(
                out,
                "  sin6_port:   bytes {} = htons({port}); in host order: {host_order}",
                hex(&sin6.sin6_port.to_ne_bytes())
            )?;
            writeln!(
                out,
                "  sin6_addr:   bytes {} = {}",
                hex(&sin6.sin6_addr.s6_addr),
                a.ip()
            )?;
        }
    }
    writeln!(out, "}}")
}

/// Turns a bound socket into a listening one and accepts one connection, narrating the
/// calls: the lecture's point that `accept` returns a *new* descriptor for the connection
/// while the listening descriptor stays as it was, ready for the next client.
pub fn listen_and_accept_one(
    fd: OwnedFd,
    local: SocketAddr,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let raw = fd.as_raw_fd();
    let backlog = Backlog::new(common::LISTENQ).context("backlog")?;
    listen(&fd, backlog)
        .map_err(io::Error::from)
        .context("listen")?;
    writeln!(out, "listen(fd {raw}, {}) = 0", common::LISTENQ)?;
    out.flush()?;
    common::announce(local);

    let listener = TcpListener::from(fd);
    let (conn, peer) = listener.accept().context("accept")?;
    writeln!(
        out,
        "accept(fd {raw}) = fd {} for {peer}; fd {raw} still listens",
        conn.as_raw_fd()
    )?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(addr: &str) -> String {
        let mut out = Vec::new();
        describe(addr.parse().unwrap(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn ipv4_fields_are_in_network_byte_order() {
        let host = hex(&12345u16.to_ne_bytes());
        assert_eq!(
            described("127.0.0.1:12345"),
            format!(
                "sockaddr_in {{\n  sin_family: AF_INET (2)\n  \
                 sin_port:   bytes 30 39 = htons(12345); in host order: {host}\n  \
                 sin_addr:   bytes 7f 00 00 01 = 127.0.0.1\n}}\n"
            )
        );
    }

    #[test]
    fn ipv6_fields_are_in_network_byte_order() {
        let host = hex(&443u16.to_ne_bytes());
        assert_eq!(
            described("[::1]:443"),
            format!(
                "sockaddr_in6 {{\n  sin6_family: AF_INET6 (10)\n  \
                 sin6_port:   bytes 01 bb = htons(443); in host order: {host}\n  \
                 sin6_addr:   bytes 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 = ::1\n}}\n"
            )
        );
    }

    #[test]
    fn port_zero_lets_the_kernel_choose() {
        let mut out = Vec::new();
        let (_fd, local) = make_socket("127.0.0.1:0".parse().unwrap(), &mut out).unwrap();
        assert_ne!(local.port(), 0);
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with(&format!(") = {local}\n")), "{text}");
    }
}
