//! `rot13-load`: N connections, each sending M lines and waiting for each answer.
//!
//! One thread per connection, blocking I/O: a closed-loop load like `ab`'s. Every answer is
//! checked byte for byte against rot13 of the line, so a fast wrong server does not win.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// The shape of the load.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Concurrent connections.
    pub connections: usize,
    /// Round trips per connection.
    pub lines: usize,
    /// Bytes per line, newline included.
    pub line_len: usize,
}

/// What a run measured.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// Lines answered correctly, in total.
    pub lines: usize,
    /// Wall time from the moment every connection was open to the last answer.
    pub elapsed: Duration,
}

impl Outcome {
    /// Round trips per second.
    pub fn lines_per_sec(&self) -> f64 {
        self.lines as f64 / self.elapsed.as_secs_f64()
    }
}

/// Opens every connection, then runs the round trips on all of them at once.
pub fn run(addr: SocketAddr, load: Load) -> anyhow::Result<Outcome> {
    let streams = (0..load.connections)
        .map(|_| common::tcp_client(addr))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let start = Arc::new(Barrier::new(load.connections + 1));
    let workers: Vec<_> = streams
        .into_iter()
        .enumerate()
        .map(|(i, stream)| {
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
                round_trips(stream, i, load)
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let mut lines = 0;
    for worker in workers {
        lines += worker
            .join()
            .map_err(|_| anyhow::anyhow!("a load thread panicked"))??;
    }
    Ok(Outcome {
        lines,
        elapsed: began.elapsed(),
    })
}

/// One connection's share: `lines` lines out, each answer read and checked before the next.
fn round_trips(mut stream: TcpStream, id: usize, load: Load) -> anyhow::Result<usize> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_nodelay(true)?;
    let mut answer = vec![0u8; load.line_len];
    for n in 0..load.lines {
        let line = make_line(id, n, load.line_len);
        stream.write_all(&line).context("send a line")?;
        stream
            .read_exact(&mut answer)
            .with_context(|| format!("connection {id}: read the answer to line {n}"))?;
        if answer != common::rot13(&line) {
            bail!(
                "connection {id}, line {n}: sent {:?}, got {:?}",
                String::from_utf8_lossy(&line),
                String::from_utf8_lossy(&answer)
            );
        }
    }
    Ok(load.lines)
}

/// A line of exactly `len` bytes (newline included) that names its connection and number.
pub fn make_line(id: usize, n: usize, len: usize) -> Vec<u8> {
    let mut line = format!("conn {id} line {n} ").into_bytes();
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    while line.len() + 1 < len {
        line.push(letters[line.len() % letters.len()]);
    }
    line.truncate(len.saturating_sub(1));
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_have_the_asked_length_and_one_newline() {
        for len in [1, 8, 64] {
            let line = make_line(3, 7, len);
            assert_eq!(line.len(), len);
            assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        }
        assert!(make_line(3, 7, 64).starts_with(b"conn 3 line 7 "));
    }
}
