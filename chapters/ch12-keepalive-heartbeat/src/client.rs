//! `pingclient`: two ways to notice that a connection has died.
//!
//! - [`heartbeat`]: the application's own PING/PONG. After `idle` with nothing received it
//!   sends a PING, then one more every `interval` while no reply comes; when `probes` PINGs
//!   in a row are unanswered the connection is declared dead. The course's figures are 10 s,
//!   3 s and 3: `connection dead` 19 s after the last sign of life.
//! - [`tcp_keepalive`]: the same three numbers handed to the kernel (TCP_KEEPIDLE,
//!   TCP_KEEPINTVL, TCP_KEEPCNT, see tcp(7)). The kernel's probes are answered by the peer's
//!   kernel, so they find a dead host or a broken path, never a stuck server process.

use std::io::Write;
use std::net::TcpStream;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use socket2::{SockRef, TcpKeepalive};

use crate::message::{self, MSG_PING, MSG_PONG};

/// When to probe and when to give up.
#[derive(Debug, Clone, Copy)]
pub struct Probing {
    /// Quiet time before the first probe.
    pub idle: Duration,
    /// Time between unanswered probes.
    pub interval: Duration,
    /// Unanswered probes after which the connection is dead.
    pub probes: u32,
}

/// Runs the application heartbeat until the server closes (`Ok`) or stops answering (an
/// error saying `connection dead`).
///
/// The timer is a deadline checked around poll(2). The C client relies on Linux's select
/// rewriting its `timeval` with the time left, and only resets the seconds.
pub fn heartbeat(mut stream: TcpStream, probing: Probing) -> anyhow::Result<()> {
    let mut unanswered = 0;
    let mut deadline = Instant::now() + probing.idle;
    loop {
        if !readable_before(&stream, deadline)? {
            unanswered += 1;
            if unanswered > probing.probes {
                bail!("connection dead");
            }
            println!("sending heartbeat #{unanswered}");
            stream
                .write_all(&message::encode(MSG_PING))
                .context("send failure")?;
            deadline = Instant::now() + probing.interval;
            continue;
        }
        match message::read_message(&mut stream).context("read error")? {
            None => {
                println!("server terminated");
                return Ok(());
            }
            Some(MSG_PONG) => {
                println!("received heartbeat, make heartbeats to 0");
                unanswered = 0;
                deadline = Instant::now() + probing.idle;
            }
            Some(other) => bail!("unexpected message type ({other})"),
        }
    }
}

/// Waits until `stream` is readable (`true`) or `deadline` passes (`false`).
fn readable_before(stream: &TcpStream, deadline: Instant) -> anyhow::Result<bool> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        // Round up to whole milliseconds so a sub-millisecond rest does not spin.
        let millis = left.as_micros().div_ceil(1000);
        let timeout = PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(stream.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, timeout) {
            Ok(0) | Err(Errno::EINTR) => continue,
            Ok(_) => return Ok(true),
            Err(e) => return Err(e).context("poll failed"),
        }
    }
}

/// Turns on SO_KEEPALIVE with `probing`'s numbers and waits for the server; the kernel's
/// verdict on a dead peer comes back as ETIMEDOUT from the blocked read.
///
/// The kernel counts whole seconds, so each duration is rounded up to at least 1 s.
pub fn tcp_keepalive(mut stream: TcpStream, probing: Probing) -> anyhow::Result<()> {
    let idle = whole_seconds(probing.idle);
    let interval = whole_seconds(probing.interval);
    let keepalive = TcpKeepalive::new()
        .with_time(idle)
        .with_interval(interval)
        .with_retries(probing.probes);
    SockRef::from(&stream)
        .set_tcp_keepalive(&keepalive)
        .context("setsockopt SO_KEEPALIVE")?;
    println!(
        "TCP keep-alive on: idle {}s, a probe every {}s, dead after {} unanswered",
        idle.as_secs(),
        interval.as_secs(),
        probing.probes
    );
    loop {
        match message::read_message(&mut stream) {
            Ok(None) => {
                println!("server terminated");
                return Ok(());
            }
            Ok(Some(kind)) => println!("received message type {kind}"),
            Err(e) if e.raw_os_error() == Some(Errno::ETIMEDOUT as i32) => {
                return Err(e).context("connection dead");
            }
            Err(e) => return Err(e).context("read error"),
        }
    }
}

fn whole_seconds(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keepalive_durations_round_up_to_whole_seconds() {
        assert_eq!(
            whole_seconds(Duration::from_millis(1)),
            Duration::from_secs(1)
        );
        assert_eq!(whole_seconds(Duration::ZERO), Duration::from_secs(1));
        assert_eq!(
            whole_seconds(Duration::from_millis(2500)),
            Duration::from_secs(3)
        );
        assert_eq!(
            whole_seconds(Duration::from_secs(10)),
            Duration::from_secs(10)
        );
    }
}
