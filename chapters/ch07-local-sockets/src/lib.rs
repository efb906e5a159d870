//! Lecture 07: local sockets, the same socket API with a file path for an address.
//!
//! - [`socket_file`]: getting a path ready for `bind` (a stale socket file from a crashed
//!   server is removed; a live server or a regular file is never touched) and removing it
//!   again when the server ends.
//! - [`stream`]: `unixstreamserver`/`unixstreamclient`, a line-based `Hi, ` exchange over
//!   `SOCK_STREAM`.
//! - [`datagram`]: `unixdataserver`/`unixdataclient` over `SOCK_DGRAM`, where the client
//!   must bind a path of its own so the server has somewhere to send the answer.

pub mod datagram;
pub mod socket_file;
pub mod stream;

use std::path::PathBuf;

/// What the servers put in front of each message they return.
pub const GREETING: &[u8] = b"Hi, ";

/// The longest message (line or datagram) either side accepts, the course's `MAXLINE`.
pub const MAX_MESSAGE: usize = common::MAXLINE;

/// `name` in the system's temporary directory (`$TMPDIR`, else `/tmp`): the default path
/// of the servers, where any user may create a socket file, unlike the C's
/// `/var/lib/unixstream.sock`.
pub fn default_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(name)
}

/// `line` without a trailing `\n` or `\r\n`.
pub fn strip_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_are_stripped() {
        assert_eq!(strip_line_ending(b"g1\r\n"), b"g1");
        assert_eq!(strip_line_ending(b"g1\n"), b"g1");
        assert_eq!(strip_line_ending(b"g1"), b"g1");
    }
}
