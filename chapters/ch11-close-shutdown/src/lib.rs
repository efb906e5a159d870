//! Lecture 11: closing a connection with `close` versus `shutdown`.
//!
//! - [`server`] is `graceserver`: it answers every message with `Hi, <message>`, but only after
//!   a delay, so a client has time to close or half-close while replies are still due.
//! - [`client`] is `graceclient`: it watches stdin and the socket at once with poll(2); the
//!   typed command `shutdown` half-closes (FIN, keep reading), `close` closes both directions.
//!
//! After `shutdown` the client still receives every delayed reply, then EOF. After `close` the
//! replies have nowhere to go: the client's kernel answers them with RST, and the server's
//! next write fails with EPIPE.

pub mod client;
pub mod server;

use std::borrow::Cow;

/// What the server puts in front of each message it sends back.
pub const REPLY_PREFIX: &[u8] = b"Hi, ";

/// Bytes as text for a log line: invalid UTF-8 replaced, one trailing line end removed (telnet
/// and nc send them; the course's C prints them and so adds a blank line).
pub fn printable(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_drops_one_line_end_and_replaces_bad_utf8() {
        assert_eq!(printable(b"data1"), "data1");
        assert_eq!(printable(b"data1\r\n"), "data1");
        assert_eq!(printable(b"a\n\n"), "a\n");
        assert_eq!(printable(b"\xff!"), "\u{fffd}!");
    }
}
