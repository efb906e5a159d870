//! What `/proc` says about a process and its sockets: the leak and zombie checks.

use std::fs;

/// Number of open file descriptors of process `pid` (entries of `/proc/PID/fd`).
pub fn open_fds(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap_or_else(|e| panic!("read /proc/{pid}/fd: {e}"))
        .count()
}

/// Number of threads of process `pid` (`Threads:` in `/proc/PID/status`).
pub fn threads(pid: u32) -> usize {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).expect("read status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("Threads: line")
}

/// CPU time used by process `pid` so far, in clock ticks (utime + stime of
/// `/proc/PID/stat`). Compare two readings to tell a sleeping server from a spinning one.
pub fn cpu_ticks(pid: u32) -> u64 {
    let fields = stat_fields(pid).expect("process exists");
    // Fields after the command name: state is [0], utime [11], stime [12].
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// The scheduler state of process `pid` (`R`, `S`, `T` stopped, `Z` zombie, ...), or
/// `None` once it is gone.
pub fn state(pid: u32) -> Option<char> {
    stat_fields(pid)?.first()?.chars().next()
}

/// The children of process `pid` as `(pid, state)`, where state `Z` is a zombie.
pub fn children(pid: u32) -> Vec<(u32, char)> {
    let mut out = Vec::new();
    for entry in fs::read_dir("/proc").expect("read /proc").flatten() {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        // The process may exit while we look: skip it.
        let Some(fields) = stat_fields(child) else {
            continue;
        };
        if fields[1].parse::<u32>().ok() == Some(pid) {
            out.push((child, fields[0].chars().next().unwrap_or('?')));
        }
    }
    out
}

/// The fields of `/proc/PID/stat` after the `(comm)` field, which may contain spaces.
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_comm = &stat[stat.rfind(')')? + 2..];
    Some(after_comm.split_whitespace().map(str::to_owned).collect())
}

/// A TCP state as `/proc/net/tcp` numbers it (see include/net/tcp_states.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum TcpState {
    Established,
    SynSent,
    SynRecv,
    FinWait1,
    FinWait2,
    TimeWait,
    Close,
    CloseWait,
    LastAck,
    Listen,
    Closing,
    NewSynRecv,
}

impl TcpState {
    fn from_hex(s: &str) -> Option<TcpState> {
        use TcpState::*;
        Some(match u8::from_str_radix(s, 16).ok()? {
            1 => Established,
            2 => SynSent,
            3 => SynRecv,
            4 => FinWait1,
            5 => FinWait2,
            6 => TimeWait,
            7 => Close,
            8 => CloseWait,
            9 => LastAck,
            10 => Listen,
            11 => Closing,
            12 => NewSynRecv,
            _ => return None,
        })
    }
}

/// The states of every TCP socket (IPv4 and IPv6) whose local port is `port`: a server's
/// listener and its accepted connections.
pub fn tcp_states(port: u16) -> Vec<TcpState> {
    let mut out = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (fields.get(1), fields.get(3)) else {
                continue;
            };
            let local_port = local
                .rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            if local_port == Some(port) {
                out.extend(TcpState::from_hex(state));
            }
        }
    }
    out
}

/// How many TCP sockets with local port `port` are in `state`.
pub fn count_tcp_state(port: u16, state: TcpState) -> usize {
    tcp_states(port).into_iter().filter(|s| *s == state).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn sees_our_own_listener_and_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let _client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (_server, _) = listener.accept().unwrap();
        assert_eq!(count_tcp_state(port, TcpState::Listen), 1);
        assert_eq!(count_tcp_state(port, TcpState::Established), 1);
    }

    #[test]
    fn counts_our_own_fds_and_threads() {
        let me = std::process::id();
        let before = open_fds(me);
        let _l = TcpListener::bind("127.0.0.1:0").unwrap();
        assert!(open_fds(me) > before - 1);
        assert!(threads(me) >= 1);
        assert!(children(me).is_empty() || children(me).iter().all(|c| c.1 != '?'));
    }
}
