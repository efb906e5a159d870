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

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};

/// The longest line a client may send, terminator excluded (echo.c's `MAX_LINE`, 16384).
pub const MAX_LINE: usize = 16384;

/// Serves one client: reads what it sends and, for each complete line, sends the line back
/// rot13'd, terminator (`\n` or `\r\n`) included. Returns how many lines it answered when
/// the client closes.
///
/// This is the course's `loop_echo`, minus its faults: it reads in chunks rather than one
/// `recv` per byte, sends the whole reply even when `send` takes only part of it, refuses
/// a line longer than [`MAX_LINE`] with an `InvalidData` error instead of truncating it,
/// and hands errors back to its caller instead of exiting the whole process. Nothing is
/// sent before a line is complete; bytes after the last newline when the client closes
/// are not a line and get no reply.
pub fn echo<S>(mut stream: S) -> io::Result<u64>
where
    S: Read + Write,
{
    let mut pending = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut lines = 0;
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Ok(lines),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        pending.extend_from_slice(&chunk[..n]);
        let complete = pending
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        // A complete line may be MAX_LINE bytes plus its terminator; the unfinished rest may
        // be MAX_LINE bytes plus a '\r' still waiting for its '\n'.
        let too_long = pending[..complete]
            .split_inclusive(|&b| b == b'\n')
            .any(|line| without_terminator(line).len() > MAX_LINE)
            || pending.len() - complete > MAX_LINE + 1;
        if too_long {
            return Err(io::Error::new(
                ErrorKind::InvalidData,
                format!("line longer than {MAX_LINE} bytes"),
            ));
        }
        if complete > 0 {
            common::rot13_in_place(&mut pending[..complete]);
            stream.write_all(&pending[..complete])?;
            lines += pending[..complete].iter().filter(|&&b| b == b'\n').count() as u64;
            pending.drain(..complete);
        }
    }
}

/// `line` without its trailing `\n` or `\r\n`.
fn without_terminator(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixStream;

    fn run(input: &[u8]) -> (io::Result<u64>, Vec<u8>) {
        let (mut client, server) = UnixStream::pair().unwrap();
        let writer = std::thread::spawn({
            let input = input.to_vec();
            let mut client = client.try_clone().unwrap();
            move || {
                let _ = client.write_all(&input);
                let _ = client.shutdown(std::net::Shutdown::Write);
            }
        });
        let result = echo(&server);
        drop(server);
        writer.join().unwrap();
        let mut reply = Vec::new();
        // Closing with unread input resets the pair: keep what arrived before that.
        let _ = client.read_to_end(&mut reply);
        (result, reply)
    }

    #[test]
    fn answers_each_complete_line_with_its_terminator() {
        let (result, reply) = run(b"afasfa\r\nagasgasg\nunfinished");
        assert_eq!(result.unwrap(), 2);
        assert_eq!(reply, b"nsnfsn\r\nntnftnft\n");
    }

    #[test]
    fn a_line_at_the_limit_passes_and_one_past_it_fails() {
        let mut input = vec![b'a'; MAX_LINE];
        input.extend_from_slice(b"\r\n");
        let (result, reply) = run(&input);
        assert_eq!(result.unwrap(), 1);
        assert_eq!(reply.len(), MAX_LINE + 2);

        let mut input = vec![b'a'; MAX_LINE + 1];
        input.push(b'\n');
        let (result, reply) = run(&input);
        assert_eq!(result.unwrap_err().kind(), ErrorKind::InvalidData);
        assert!(reply.is_empty());
    }

    #[test]
    fn an_endless_line_fails_without_reading_for_ever() {
        let (result, _) = run(&vec![b'a'; 3 * MAX_LINE]);
        assert_eq!(result.unwrap_err().kind(), ErrorKind::InvalidData);
    }
}
