//! Non-blocking `connect` with a timeout, and the two clients of this lecture.
//!
//! A blocking `connect` waits for the handshake; when nobody answers the SYN, Linux retries
//! `tcp_syn_retries` times (about two minutes) before giving up. A non-blocking `connect`
//! returns `EINPROGRESS` at once and the handshake goes on in the kernel. The recipe
//! (connect(2), EINPROGRESS):
//!
//! 1. set `O_NONBLOCK`, call `connect`: `EINPROGRESS` means "under way";
//! 2. wait for the socket to become *writable*, with our own timeout;
//! 3. read `SO_ERROR`: 0 means connected, anything else is why it failed. Writable alone
//!    proves nothing: a failed handshake makes the socket writable too.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use socket2::{Domain, Socket, Type};

/// Connects to `addr` within `timeout`, narrating each step on `out`.
///
/// Errors: the connection refused (or failed otherwise), as `SO_ERROR` reports it, or
/// `timed out after N ms` when the handshake does not finish in time.
pub fn connect_with_timeout(
    addr: SocketAddr,
    timeout: Duration,
    out: &mut impl Write,
) -> anyhow::Result<TcpStream> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None).context("socket")?;
    common::make_nonblocking(&socket).context("set O_NONBLOCK")?;
    match socket.connect(&addr.into()) {
        Ok(()) => {
            writeln!(out, "connect: done at once")?;
            return Ok(socket.into());
        }
        Err(e) if e.raw_os_error() == Some(Errno::EINPROGRESS as i32) => {
            writeln!(out, "connect: EINPROGRESS, the handshake is under way")?;
        }
        Err(e) => return Err(e).with_context(|| format!("connect to {addr}")),
    }
    out.flush()?;

    let start = Instant::now();
    let revents = loop {
        // Recomputed on every pass, so that signals (EINTR) do not stretch the timeout.
        let left = timeout.saturating_sub(start.elapsed());
        let mut fds = [PollFd::new(socket.as_fd(), PollFlags::POLLOUT)];
        let wait = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
        match poll(&mut fds, wait) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e).context("poll"),
            Ok(0) => {
                writeln!(out, "poll: nothing after {} ms", timeout.as_millis())?;
                bail!(
                    "connect to {addr}: timed out after {} ms",
                    timeout.as_millis()
                );
            }
            Ok(_) => break fds[0].revents().unwrap_or(PollFlags::empty()),
        }
    };
    writeln!(
        out,
        "poll: {} after {} ms",
        flag_names(revents),
        start.elapsed().as_millis()
    )?;
    match socket.take_error().context("getsockopt SO_ERROR")? {
        None => {
            let local = socket.local_addr()?.as_socket();
            writeln!(out, "SO_ERROR: 0, connected to {addr} from {}", show(local))?;
            Ok(socket.into())
        }
        Some(e) => {
            writeln!(out, "SO_ERROR: {e}")?;
            Err(e).with_context(|| format!("connect to {addr}"))
        }
    }
}

/// Connects, then closes with `SO_LINGER {on, 0}`, so the kernel sends RST instead of FIN
/// (socket(7), SO_LINGER): the course's `nonblockingclient`.
pub fn connect_and_reset(addr: SocketAddr) -> anyhow::Result<SocketAddr> {
    let stream = common::tcp_client(addr)?;
    let local = stream.local_addr()?;
    socket2::SockRef::from(&stream)
        .set_linger(Some(Duration::ZERO))
        .context("setsockopt SO_LINGER")?;
    drop(stream);
    Ok(local)
}

/// `POLLOUT|POLLERR|POLLHUP`.
fn flag_names(flags: PollFlags) -> String {
    let names: Vec<&str> = flags.iter_names().map(|(name, _)| name).collect();
    if names.is_empty() {
        "no events".to_string()
    } else {
        names.join("|")
    }
}

fn show(addr: Option<SocketAddr>) -> String {
    addr.map_or_else(|| "?".to_string(), |a| a.to_string())
}
