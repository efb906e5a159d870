//! `writewriteread`: times request/reply round trips to show Nagle meeting delayed ACK.
//!
//! The request is a 4-byte big-endian length and a body, the reply a single byte. [`EchoPeer`]
//! answers only once the whole request is in, like any server that parses before replying.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::batch::writev_all;

/// The largest request body the peer accepts; a longer length header closes the connection.
pub const MAX_BODY: usize = 64 * 1024;

/// How the client sends each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Header and body as two write(2) calls, Nagle's algorithm on (the default).
    WriteWriteNagle,
    /// Header and body as two write(2) calls with TCP_NODELAY set.
    WriteWriteNoDelay,
    /// Header and body gathered into one writev(2), Nagle on: the lecture's advice.
    Writev,
}

impl Mode {
    /// Every mode, in the order they are measured.
    pub const ALL: [Mode; 3] = [Mode::WriteWriteNagle, Mode::WriteWriteNoDelay, Mode::Writev];

    /// How the mode is printed.
    pub fn label(self) -> &'static str {
        match self {
            Mode::WriteWriteNagle => "write-write-read, Nagle on (default)",
            Mode::WriteWriteNoDelay => "write-write-read, TCP_NODELAY",
            Mode::Writev => "writev-read, Nagle on",
        }
    }
}

/// A request/reply server on a background thread, one thread per connection.
#[derive(Debug)]
pub struct EchoPeer {
    addr: SocketAddr,
}

impl EchoPeer {
    /// Listens on `127.0.0.1:0` and serves in the background for the life of the process.
    pub fn spawn() -> io::Result<EchoPeer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                thread::spawn(move || {
                    if let Err(e) = answer_requests(stream) {
                        eprintln!("peer: {e}");
                    }
                });
            }
        });
        Ok(EchoPeer { addr })
    }

    /// Where the peer listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// Reads whole requests until EOF and answers each with one byte.
pub fn answer_requests(mut stream: TcpStream) -> io::Result<()> {
    let mut body = vec![0u8; MAX_BODY];
    loop {
        let mut header = [0u8; 4];
        match common::readn(&mut stream, &mut header)? {
            0 => return Ok(()),
            4 => {}
            n => return Err(cut_short(n, 4)),
        }
        let len = u32::from_be_bytes(header) as usize;
        if len > MAX_BODY {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("request body of {len} bytes exceeds the {MAX_BODY}-byte limit"),
            ));
        }
        let n = common::readn(&mut stream, &mut body[..len])?;
        if n < len {
            return Err(cut_short(n, len));
        }
        stream.write_all(b"k")?;
    }
}

fn cut_short(got: usize, wanted: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("peer closed mid-request ({got} of {wanted} bytes)"),
    )
}

/// Connects to `peer` and times `rounds` request/reply round trips sent the `mode` way.
pub fn measure(
    peer: SocketAddr,
    mode: Mode,
    rounds: u32,
    body: usize,
) -> io::Result<Vec<Duration>> {
    let mut stream = TcpStream::connect(peer)?;
    // TCP_NODELAY: "segments are always sent as soon as possible, even if there is only a
    // small amount of data" (tcp(7)).
    stream.set_nodelay(mode == Mode::WriteWriteNoDelay)?;
    let header = u32::try_from(body)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "body too large"))?
        .to_be_bytes();
    let body = vec![b'x'; body];
    let mut reply = [0u8; 1];
    let mut times = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        match mode {
            Mode::Writev => writev_all(&mut stream, &[&header, &body])?,
            Mode::WriteWriteNagle | Mode::WriteWriteNoDelay => {
                stream.write_all(&header)?;
                stream.write_all(&body)?;
            }
        }
        stream.read_exact(&mut reply)?;
        times.push(start.elapsed());
    }
    Ok(times)
}

/// One summary line: `LABEL: median X ms, min Y ms, max Z ms over N round trips`.
pub fn summary(mode: Mode, times: &[Duration]) -> String {
    let mut sorted = times.to_vec();
    sorted.sort();
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    format!(
        "{:<38} median {:6.2} ms, min {:6.2} ms, max {:6.2} ms over {} round trips",
        format!("{}:", mode.label()),
        ms(sorted.get(sorted.len() / 2)),
        ms(sorted.first()),
        ms(sorted.last()),
        sorted.len()
    )
}
