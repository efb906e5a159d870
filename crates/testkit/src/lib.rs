//! Test helpers for the chapters: run the real binaries and real clients, with timeouts.
//!
//! - [`Process`] runs any program with piped stdio and lets a test wait for text on its
//!   stdout or stderr; [`Server`] is a process that announced `listening on ADDR`.
//! - [`Client`] is a TCP client whose reads time out, so a hung server fails the test
//!   instead of hanging it.
//! - [`tools`] runs `nc`, `telnet` and `curl` against a server.
//! - [`procfs`] reads `/proc`: open fds, TCP states, threads and children of a process.
//!
//! Every wait is bounded by [`TIMEOUT`]. Children are killed and reaped when dropped.

#![warn(missing_docs)]

mod client;
mod process;
pub mod procfs;
pub mod tools;

pub use client::Client;
pub use process::{Process, Server};

use std::time::{Duration, Instant};

/// How long any single wait in a test may take before it fails. Generous, because CI runs
/// the whole suite in parallel on two cores.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
///
/// For conditions with no event to wait on, such as a socket leaving CLOSE_WAIT in
/// `/proc/net/tcp`.
pub fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Renders bytes for an assertion message: printable ASCII as is, the rest escaped.
pub fn show(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}
