//! `unixdataserver` and `unixdataclient`: messages over a local `SOCK_DGRAM` socket.
//!
//! A local datagram socket keeps message boundaries like UDP, but differs in two ways the
//! lesson turns on:
//!
//! - A client has no address until it binds one: there is no ephemeral port to hand out.
//!   An unbound client can send, but the server cannot answer it. [`ClientPath`] binds a
//!   fresh path in a private directory (the C uses `tmpnam`, which the linker warns about,
//!   and never removes the file) and removes both when dropped.
//! - Nothing is lost silently: when the receiver's queue is full, `sendto` waits (or, with
//!   `MSG_DONTWAIT`, fails with `EAGAIN`) instead of dropping the datagram as UDP would.

use std::io::{self, BufRead, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use nix::sys::signal::{SigSet, Signal};
use nix::sys::socket::{MsgFlags, UnixAddr, sendto};

use crate::{GREETING, MAX_MESSAGE, strip_line_ending};

/// Answers each datagram with `Hi, MESSAGE`, sent to the path the client is bound to.
///
/// Prints `Receive: MESSAGE` and `now sending: Hi, MESSAGE`. Problems with one client (it
/// is unbound, has gone, does not read its answers, sent more than [`MAX_MESSAGE`] bytes)
/// are reported on stderr and the server carries on. Returns only on a failing `recvfrom`.
pub fn serve(socket: &UnixDatagram, out: &mut impl Write) -> io::Result<()> {
    // One spare byte: a datagram that fills it was longer than allowed (recvfrom(2) cuts
    // datagrams to the buffer's size without saying so).
    let mut buf = vec![0u8; MAX_MESSAGE + 1];
    loop {
        let (n, peer) = match socket.recv_from(&mut buf) {
            Ok(received) => received,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n > MAX_MESSAGE {
            eprintln!(
                "datagram from {} is longer than {MAX_MESSAGE} bytes: dropped",
                describe(&peer)
            );
            continue;
        }
        let message = &buf[..n];
        writeln!(out, "Receive: {}", String::from_utf8_lossy(message))?;
        let Some(path) = peer.as_pathname() else {
            eprintln!(
                "datagram from an unbound socket: no address to answer (the client must bind a path)"
            );
            continue;
        };
        let reply = [GREETING, message].concat();
        writeln!(out, "now sending: {}", String::from_utf8_lossy(&reply))?;
        out.flush()?;
        if let Err(e) = send_without_waiting(socket, &reply, path) {
            eprintln!("sendto {}: {e}", path.display());
        }
    }
}

/// `sendto` with `MSG_DONTWAIT`: a client that never reads its answers fills its receive
/// queue, and a plain `sendto` would then block the whole server until that client reads.
fn send_without_waiting(socket: &UnixDatagram, buf: &[u8], to: &Path) -> io::Result<()> {
    let addr = UnixAddr::new(to)?;
    match sendto(socket.as_raw_fd(), buf, &addr, MsgFlags::MSG_DONTWAIT) {
        Ok(_) => Ok(()),
        Err(nix::errno::Errno::EAGAIN) => Err(io::Error::new(
            io::ErrorKind::WouldBlock,
            "the client is not reading its answers (its queue is full): answer dropped",
        )),
        Err(e) => Err(e.into()),
    }
}

fn describe(addr: &SocketAddr) -> String {
    match addr.as_pathname() {
        Some(path) => path.display().to_string(),
        None => "an unbound socket".to_string(),
    }
}

/// The client's own socket file, in a private directory: a fresh, unpredictable name made
/// with mode 0700 by `mkdir(2)`, which fails rather than reuse anything already there (what
/// `mkdtemp(3)` does). The C uses `tmpnam`, whose name another process may take between the
/// call and the `bind`, and never removes the file. Dropping this removes file and directory.
#[derive(Debug)]
pub struct ClientPath {
    dir: PathBuf,
    path: PathBuf,
}

impl ClientPath {
    /// Creates the private directory and binds a datagram socket to `client.sock` in it.
    pub fn bind() -> anyhow::Result<(UnixDatagram, ClientPath)> {
        let dir = private_dir().context("create a private directory for the client's socket")?;
        let client = ClientPath {
            path: dir.join("client.sock"),
            dir,
        };
        let socket = UnixDatagram::bind(&client.path)
            .with_context(|| format!("bind {}", client.path.display()))?;
        Ok((socket, client))
    }

    /// The bound path, where the server sends its answers.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ClientPath {
    fn drop(&mut self) {
        remove_files(&self.path, &self.dir);
    }
}

/// Makes `$TMPDIR/unixdataclient.PID.RANDOM` with mode 0700, trying new names on collision.
fn private_dir() -> io::Result<PathBuf> {
    use std::hash::{BuildHasher, RandomState};
    use std::os::unix::fs::DirBuilderExt;
    let mut last = None;
    for _ in 0..16 {
        // RandomState is seeded from the OS's random source: good enough for a unique,
        // hard-to-guess name, and mkdir refuses a name that exists anyway.
        let random = RandomState::new().hash_one(std::process::id());
        let dir = std::env::temp_dir().join(format!(
            "unixdataclient.{}.{random:016x}",
            std::process::id()
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::ErrorKind::AlreadyExists.into()))
}

/// Removes the socket file and its directory; what is already gone is not an error.
fn remove_files(path: &Path, dir: &Path) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_dir(dir);
}

/// Makes Ctrl-C (and SIGTERM, SIGHUP) remove the client's files before the process exits.
///
/// The default action of these signals ends the process at once, skipping every `Drop`. So
/// they are blocked, and one thread waits for them with `sigwait(3)`: it runs as ordinary
/// code, not as a signal handler, so it may do anything, then exits with 128 + the signal
/// number, as a shell reports a process killed by that signal. Call this before starting
/// other threads: they inherit the blocked mask, so only the waiting thread receives these
/// signals.
pub fn remove_on_signal(path: &ClientPath) -> nix::Result<()> {
    let mut signals = SigSet::empty();
    for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        signals.add(signal);
    }
    signals.thread_block()?;
    let (file, dir) = (path.path.clone(), path.dir.clone());
    std::thread::spawn(move || {
        let code = match signals.wait() {
            Ok(signal) => 128 + signal as i32,
            Err(_) => 1,
        };
        remove_files(&file, &dir);
        std::process::exit(code);
    });
    Ok(())
}

/// Sends each line of `input` (without its line ending) to `server` and prints the answer:
///
/// ```text
/// now sending g1
/// Hi, g1
/// ```
///
/// Waits at most `timeout` (if any) for each answer. Only processes of the same user can
/// send to the client's private path, so anything that arrives is the server's answer.
pub fn run_client(
    socket: &UnixDatagram,
    server: &Path,
    timeout: Option<Duration>,
    mut input: impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    socket
        .set_read_timeout(timeout)
        .context("setsockopt SO_RCVTIMEO")?;
    let mut line = Vec::new();
    let mut buf = vec![0u8; GREETING.len() + MAX_MESSAGE];
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).context("read stdin")? == 0 {
            return Ok(());
        }
        let message = strip_line_ending(&line);
        if message.len() > MAX_MESSAGE {
            eprintln!(
                "line of {} bytes is longer than {MAX_MESSAGE}: not sent",
                message.len()
            );
            continue;
        }
        writeln!(out, "now sending {}", String::from_utf8_lossy(message))?;
        out.flush()?;
        socket
            .send_to(message, server)
            .with_context(|| format!("sendto {}", server.display()))?;
        match socket.recv(&mut buf) {
            Ok(n) => writeln!(out, "{}", String::from_utf8_lossy(&buf[..n]))?,
            // SO_RCVTIMEO expiring shows up as EAGAIN (socket(7)).
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => eprintln!(
                "no answer from {} within {} ms",
                server.display(),
                timeout.unwrap_or_default().as_millis()
            ),
            Err(e) => return Err(e).context("recvfrom"),
        }
        out.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_path_is_private_and_removed_on_drop() {
        use std::os::unix::fs::PermissionsExt;
        let (_socket, client) = ClientPath::bind().unwrap();
        let dir = client.path().parent().unwrap().to_path_buf();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert!(client.path().exists());
        drop(client);
        assert!(!dir.exists());
    }
}
