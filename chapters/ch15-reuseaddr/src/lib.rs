//! Lecture 15: why a restarted server hits `Address already in use`, and SO_REUSEADDR.
//!
//! When a server is the active closer (it exits, or closes first), its end of each
//! connection stays in TIME_WAIT for 60 s, bound to the server's own port. Without
//! SO_REUSEADDR a new `bind` to that port fails with EADDRINUSE until those entries expire.
//! With SO_REUSEADDR on both the old and the new socket, bind only refuses the port while
//! something is still *listening* on it.
//!
//! [`listen`] builds the listener with socket2 so the option is exactly what the caller
//! asks for: std's `TcpListener::bind` always turns SO_REUSEADDR on, which would hide the
//! lecture's error.

use std::borrow::Cow;
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};

use anyhow::Context;
use socket2::{Domain, Socket, Type};

/// socket(2), SO_REUSEADDR set to `reuse_address`, bind(2), listen(2).
pub fn listen(addr: SocketAddr, reuse_address: bool) -> anyhow::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None).context("socket")?;
    // Off is the kernel's default; set it either way so the one difference between
    // `addressused` and `addressused02` is this argument.
    socket
        .set_reuse_address(reuse_address)
        .context("setsockopt SO_REUSEADDR")?;
    socket
        .bind(&addr.into())
        .with_context(|| format!("bind failed ({addr})"))?;
    socket
        .listen(common::LISTENQ)
        .with_context(|| format!("listen failed ({addr})"))?;
    Ok(socket.into())
}

/// Accepts clients one after another and prints what each sends, with the course's
/// `received N bytes: ...` and `client closed` lines. A client's error is printed to stderr
/// and the server accepts the next one.
pub fn serve(listener: &TcpListener) -> anyhow::Result<()> {
    loop {
        let (mut stream, _) = listener.accept().context("accept")?;
        match print_messages(&mut stream) {
            Ok(()) => println!("client closed"),
            Err(e) => eprintln!("{e:#}"),
        }
    }
}

/// Prints each chunk read from `stream` until EOF.
pub fn print_messages(stream: &mut TcpStream) -> anyhow::Result<()> {
    let mut message = [0u8; common::MAXLINE];
    loop {
        let n = stream.read(&mut message).context("error read")?;
        if n == 0 {
            return Ok(());
        }
        println!("received {n} bytes: {}", printable(&message[..n]));
    }
}

/// Bytes as text for a log line: invalid UTF-8 replaced, one trailing line end removed
/// (telnet sends CRLF; the C prints it and so adds a blank line).
pub fn printable(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_sets_reuse_exactly_as_asked() {
        for reuse in [false, true] {
            let listener = listen("127.0.0.1:0".parse().unwrap(), reuse).unwrap();
            assert_eq!(
                socket2::SockRef::from(&listener).reuse_address().unwrap(),
                reuse
            );
        }
    }

    #[test]
    fn printable_drops_one_line_end() {
        assert_eq!(printable(b"network\r\n"), "network");
        assert_eq!(printable(b"hello,world\n"), "hello,world");
        assert_eq!(printable(b"\xffgood"), "\u{fffd}good");
    }
}
