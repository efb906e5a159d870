//! Lecture 26: blocking I/O with threads.
//!
//! - [`counter`] is `thread-helloworld`: two threads add to one counter, racily or not.
//! - [`echo`] is the course's `loop_echo` (echo.c), the rot13 line service every
//!   connection gets; [`serve_client`] runs it and closes the connection afterwards.
//! - [`thread_per_connection`] is `thread01`: a new thread for every client.
//! - [`pool`] is `thread02`: a fixed set of worker threads fed through a bounded
//!   [`queue::BlockQueue`], and a decision for when that queue is full.
//! - [`common::Acceptor::next_client`] keeps both servers' accept loops alive through EINTR
//!   and EMFILE.

/// `println!` that never panics: a server must not die because nobody reads its log.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprintln!` that never panics.
macro_rules! complain {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub mod counter;
pub mod pool;
pub mod queue;
pub mod thread_per_connection;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};

/// The longest line a client may send, terminator excluded (echo.c's `MAX_LINE`, 16384).
pub const MAX_LINE: usize = 16384;

/// The course's `loop_echo`: [`common::rot13_lines`] with this chapter's [`MAX_LINE`].
pub fn echo<S: Read + Write>(stream: S) -> io::Result<u64> {
    common::rot13_lines(stream, MAX_LINE)
}

/// Runs [`echo`] for one client, closes the connection, and logs how it ended: on stdout
/// when the client closed, on stderr when something went wrong (a reset, a line too long).
///
/// The C `loop_echo` returns without closing the fd, so every finished connection stays
/// in CLOSE_WAIT for the life of the server. Here the stream is moved in and dropped
/// before the log line, so when `closed after` is printed the socket is closed too.
pub fn serve_client(stream: TcpStream, peer: SocketAddr) {
    let result = echo(&stream);
    drop(stream);
    match result {
        Ok(lines) => {
            let s = if lines == 1 { "" } else { "s" };
            say!("{peer} closed after {lines} line{s}");
        }
        Err(e) => complain!("{peer}: {e}"),
    }
}
