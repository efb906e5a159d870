//! Lecture 12: finding dead connections with an application heartbeat or TCP keep-alive.
//!
//! - [`message`] is the course's fixed 1028-byte message: a 4-byte type (PING, PONG, TYPE1,
//!   TYPE2) and 1024 bytes of data.
//! - [`server`] is `pingserver`: it answers each PING with a PONG after a configurable sleep,
//!   standing in for a server that is alive but too slow (or stuck).
//! - [`client`] is `pingclient`: after a quiet spell it sends PINGs at an interval and declares
//!   the connection dead after a number of unanswered ones; or it leaves the job to the
//!   kernel with SO_KEEPALIVE, tuned through socket2's `TcpKeepalive`.

pub mod client;
pub mod message;
pub mod server;

use std::time::Duration;

/// Parses a duration as the programs take it: `10` or `10s` is ten seconds, `250ms` is 250
/// milliseconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.strip_suffix("ms") {
        Some(n) => (n, Duration::from_millis(1)),
        None => (
            text.strip_suffix('s').unwrap_or(text),
            Duration::from_secs(1),
        ),
    };
    let count: u32 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 10, 3s or 250ms"))?;
    Ok(unit * count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_default_to_seconds() {
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("1.5s").is_err());
        assert!(parse_duration("-1").is_err());
    }
}
