//! Lecture 25: blocking I/O, one process per connection.
//!
//! [`serve`] is `fork01`: the parent accepts, forks, and closes its copy of the connection;
//! the child closes its copy of the listener, serves the client with [`child_run`] (the
//! rot13 line service), and exits. [`reap`] collects the exited children so none is left
//! a zombie, and [`common::Acceptor::next_client`] keeps the accept loop alive through
//! EINTR and EMFILE.

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

pub mod reap;

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use anyhow::{Context, bail};
use common::Acceptor;
use nix::libc;
use nix::unistd::{ForkResult, fork};

pub use reap::Reap;

/// The longest line a client may send, terminator excluded (the C's `MAX_LINE`, 4096).
pub const MAX_LINE: usize = common::MAXLINE;

/// What a client reads when the server cannot fork a process for it.
pub const FORK_FAILED_MESSAGE: &[u8] = b"server busy: cannot start a process, try again later\n";

/// Runs the process-per-connection server on `listener` until a fatal error.
///
/// In the parent this loops for ever: accept, fork, close the connection. It returns only
/// with an error the server cannot survive (a broken listener, a failed `sigaction`). In
/// each child it never returns: the child serves its client and calls `_exit`.
pub fn serve(listener: TcpListener, reap: Reap) -> anyhow::Result<()> {
    let threads = threads_of_this_process().context("count threads in /proc/self/task")?;
    if threads != 1 {
        // fork copies only the calling thread; see the SAFETY comment below.
        bail!("fork01 must be single-threaded to fork safely, but has {threads} threads");
    }
    reap::install(reap).context("sigaction SIGCHLD")?;
    let mut acceptor = Acceptor::new(listener).context("open the reserve descriptor")?;

    let (stream, peer) = accept_and_fork(&mut acceptor)?;

    // From here on we are a child. The listener (and the reserve descriptor) belong to
    // the parent: close our copies, so the listening socket's life is the parent's alone.
    drop(acceptor);
    let code = match child_run(&stream) {
        Ok(lines) => {
            let s = if lines == 1 { "" } else { "s" };
            say!("{peer} closed after {lines} line{s}");
            0
        }
        Err(e) => {
            complain!("{peer}: {e}");
            1
        }
    };
    drop(stream);
    let _ = io::stdout().flush();
    // SAFETY: _exit(2) ends the process at once and is always safe to call. The child
    // leaves this way rather than by returning, so it never runs the parent's code that
    // follows `serve` (nor atexit handlers registered before the fork).
    unsafe { libc::_exit(code) }
}

/// The parent's loop: accept, fork, close the parent's copy of the connection. Returns
/// only in a child, with the connection it must serve (or on a fatal accept error).
fn accept_and_fork(acceptor: &mut Acceptor) -> anyhow::Result<(TcpStream, SocketAddr)> {
    loop {
        let (stream, peer) = acceptor.next_client().context("accept")?;
        // SAFETY: the process has a single thread (checked in `serve`; nothing here starts
        // another), so the child is an exact copy of a consistent process: no lock is held
        // by a thread that does not exist in the child, and it may allocate, print and do
        // any I/O, not only async-signal-safe calls.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => return Ok((stream, peer)),
            Ok(ForkResult::Parent { child }) => {
                say!("child {child} serves {peer}");
                // The child has its own copy of the descriptor. Without this close, the
                // parent keeps every connection open: no FIN when the child finishes, the
                // socket stays in CLOSE_WAIT, and the parent runs out of descriptors.
                drop(stream);
            }
            Err(e) => {
                complain!("fork for {peer}: {e}; turning it away");
                // Best effort, then the stream drops: the client reads why, then EOF.
                let _ = (&stream).write(FORK_FAILED_MESSAGE);
            }
        }
    }
}

/// Serves one client: reads what it sends and, for each complete line, sends the line back
/// rot13'd, terminator (`\n` or `\r\n`) included. Returns how many lines it answered when
/// the client closes.
///
/// Nothing is sent before a line is complete, as in the C. Unlike the C it reads in chunks
/// (the C calls `recv` once per byte), sends the whole reply even when `send` takes only
/// part of it, and refuses a line longer than [`MAX_LINE`] with an `InvalidData` error
/// (the C silently truncates it). Bytes after the last newline when the client closes are
/// not a line and get no reply.
pub fn child_run<S>(mut stream: S) -> io::Result<u64>
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

/// How many threads this process has (entries of `/proc/self/task`).
fn threads_of_this_process() -> io::Result<usize> {
    Ok(std::fs::read_dir("/proc/self/task")?.count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixStream;

    fn run(input: &[u8]) -> (io::Result<u64>, Vec<u8>) {
        let (mut client, server) = UnixStream::pair().unwrap();
        client.write_all(input).unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let result = child_run(&server);
        drop(server);
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

    #[test]
    fn this_test_binary_is_multithreaded_so_serve_would_refuse_to_fork() {
        // The test harness runs tests on worker threads: the very case `serve` rejects.
        let helper = std::thread::spawn(|| threads_of_this_process().unwrap());
        assert!(helper.join().unwrap() > 1);
    }
}
