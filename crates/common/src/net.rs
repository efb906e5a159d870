//! Socket set-up shared by the chapters: `tcp_server_listen`, `tcp_client`, `make_nonblocking`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;

use anyhow::Context;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use socket2::{Domain, Socket, Type};

/// Binds a TCP listener the way the course's `tcp_server_listen` does: `SO_REUSEADDR` on (so
/// a restarted server is not refused while old connections sit in TIME_WAIT, lecture 15) and
/// a backlog of [`crate::LISTENQ`].
///
/// std's `TcpListener::bind` also sets `SO_REUSEADDR`, but picks its own backlog; socket2
/// spells out each step the lecture names: socket, setsockopt, bind, listen.
pub fn tcp_server_listen(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None).context("socket")?;
    socket
        .set_reuse_address(true)
        .context("setsockopt SO_REUSEADDR")?;
    socket
        .bind(&addr.into())
        .with_context(|| format!("bind {addr}"))?;
    socket
        .listen(crate::LISTENQ)
        .with_context(|| format!("listen on {addr}"))?;
    Ok(socket.into())
}

/// Connects to `addr`; the error names the address, as in
/// `connect to 127.0.0.1:43211: Connection refused (os error 111)`.
pub fn tcp_client(addr: SocketAddr) -> anyhow::Result<TcpStream> {
    TcpStream::connect(addr).with_context(|| format!("connect to {addr}"))
}

/// Adds `O_NONBLOCK` to a descriptor's file status flags.
///
/// The three steps matter: F_GETFL, OR the flag in, F_SETFL. The C version sets
/// `O_NONBLOCK` alone and so clears every other status flag (`O_APPEND`, `O_ASYNC`, ...);
/// see fcntl(2).
pub fn make_nonblocking<Fd: AsFd>(fd: Fd) -> nix::Result<()> {
    let flags = OFlag::from_bits_retain(fcntl(fd.as_fd(), FcntlArg::F_GETFL)?);
    fcntl(fd.as_fd(), FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;

    #[test]
    fn listen_connect_and_talk() {
        let listener = tcp_server_listen("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = tcp_client(addr).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        client.write_all(b"ping").unwrap();
        let mut buf = [0u8; 4];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
    }

    #[test]
    fn connect_error_names_the_address() {
        // Bind then drop a listener to get a port that refuses connections.
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let err = tcp_client(addr).unwrap_err();
        assert!(format!("{err:#}").starts_with(&format!("connect to {addr}: Connection refused")));
    }

    #[test]
    fn make_nonblocking_keeps_other_flags() {
        let (a, _b) = UnixStream::pair().unwrap();
        let before = OFlag::from_bits_retain(fcntl(&a, FcntlArg::F_GETFL).unwrap());
        fcntl(&a, FcntlArg::F_SETFL(before | OFlag::O_APPEND)).unwrap();
        make_nonblocking(&a).unwrap();
        let after = OFlag::from_bits_retain(fcntl(&a, FcntlArg::F_GETFL).unwrap());
        assert!(after.contains(OFlag::O_NONBLOCK));
        assert!(after.contains(OFlag::O_APPEND));
        let mut buf = [0u8; 1];
        assert_eq!(
            (&a).read(&mut buf).unwrap_err().kind(),
            std::io::ErrorKind::WouldBlock
        );
    }
}
