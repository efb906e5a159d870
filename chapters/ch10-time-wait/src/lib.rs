//! Lecture 10: the active closer keeps TIME_WAIT, and SO_LINGER {1,0} skips it with an RST.
//!
//! [`serve`] accepts clients one after another, waits for each to say something, answers
//! with [`REPLY`] and closes the connection *first*. That makes the server the active closer: its end of the connection
//! (local port = the listening port) goes FIN_WAIT_1, FIN_WAIT_2, and once the client's FIN
//! arrives, TIME_WAIT for 2MSL (60 s on Linux, `TCP_TIMEWAIT_LEN`). The passive closer never
//! enters TIME_WAIT.
//!
//! With [`CloseMode::Reset`] the server sets `SO_LINGER {l_onoff: 1, l_linger: 0}` before
//! closing, so close(2) sends an RST instead of a FIN: no TIME_WAIT is left, and the client's
//! next read fails with ECONNRESET (socket(7), `SO_LINGER`).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use socket2::SockRef;

/// What the server answers before it hangs up.
pub const REPLY: &[u8] = b"bye from timewait, closing first\n";

/// How the server ends each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseMode {
    /// Plain close(2): FIN, then TIME_WAIT on this side once the peer's FIN comes back.
    Graceful,
    /// SO_LINGER {1, 0}, then close(2): RST at once, unsent data discarded, no TIME_WAIT.
    Reset,
}

/// Who closed a connection first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closer {
    /// The server answered and closed first, as `mode` says.
    Server,
    /// The client sent FIN before saying anything: the TIME_WAIT will be on its side.
    Client,
}

/// Accepts clients one after another; answers each and closes first the way `mode` says.
///
/// A client that resets or vanishes only costs a line on stderr.
pub fn serve(listener: &TcpListener, mode: CloseMode) -> io::Result<()> {
    let port = listener.local_addr()?.port();
    loop {
        let (stream, peer) = listener.accept()?;
        match answer_and_close(stream, mode) {
            Ok(Closer::Server) => println!("{}", closed_line(peer, port, mode)),
            Ok(Closer::Client) => {
                println!("{peer} closed first: the TIME_WAIT is on the client's side")
            }
            Err(e) => eprintln!("{peer}: {e}"),
        }
    }
}

/// Waits for the client's first bytes, answers with [`REPLY`] and closes `stream` as `mode`
/// says.
///
/// Waiting for the client first guarantees the connection is fully set up on both sides
/// before the server hangs up. The bytes are read, not left in the receive buffer: closing a
/// socket with unread data sends RST instead of FIN (RFC 2525, section 2.17), which would
/// spoil the experiment.
pub fn answer_and_close(mut stream: TcpStream, mode: CloseMode) -> io::Result<Closer> {
    let mut request = [0u8; 1024];
    if stream.read(&mut request)? == 0 {
        return Ok(Closer::Client);
    }
    stream.write_all(REPLY)?;
    if mode == CloseMode::Reset {
        // l_onoff = 1, l_linger = 0: "a close(2) ... the connection is reset" instead of the
        // normal FIN handshake; whatever is still in the send buffer is thrown away.
        SockRef::from(&stream).set_linger(Some(Duration::ZERO))?;
    }
    // Dropping the last handle is close(2).
    drop(stream);
    Ok(Closer::Server)
}

/// The line the server prints after hanging up on `peer`.
fn closed_line(peer: SocketAddr, port: u16, mode: CloseMode) -> String {
    match mode {
        CloseMode::Graceful => {
            format!("closed {peer} first: TIME_WAIT will be on this side, port {port}")
        }
        CloseMode::Reset => format!("reset {peer}: SO_LINGER {{1,0}} sent RST, no TIME_WAIT"),
    }
}
