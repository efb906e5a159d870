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

use std::io::{self, Read, Write};
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

/// The child's whole job, the course's `child_run`: [`common::rot13_lines`] with
/// [`MAX_LINE`], until the client closes.
pub fn child_run<S: Read + Write>(stream: S) -> io::Result<u64> {
    common::rot13_lines(stream, MAX_LINE)
}

/// How many threads this process has (entries of `/proc/self/task`).
fn threads_of_this_process() -> io::Result<usize> {
    Ok(std::fs::read_dir("/proc/self/task")?.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_test_binary_is_multithreaded_so_serve_would_refuse_to_fork() {
        // The test harness runs tests on worker threads: the very case `serve` rejects.
        let helper = std::thread::spawn(|| threads_of_this_process().unwrap());
        assert!(helper.join().unwrap() > 1);
    }
}
