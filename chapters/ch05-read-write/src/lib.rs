//! Lecture 05: what `write` and `read` on a TCP socket really promise.
//!
//! [`serve`] is a deliberately slow reader: one client at a time, 1 KiB per `readn`, a pause
//! after each. [`send_data`] pushes a large buffer with one blocking `write` after another.
//! Run together they show that a successful write means "copied into the kernel's send
//! buffer", not "received by the peer".

use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

/// How many bytes the server asks `readn` for each time.
pub const CHUNK: usize = 1024;

/// How the slow reader behaves.
#[derive(Debug, Clone, Copy)]
pub struct ReaderOptions {
    /// Pause after each chunk, to make the reader slower than the network.
    pub pause: Duration,
}

/// Accepts clients one after another and reads each to EOF with [`read_data`].
///
/// A client that resets or otherwise fails only ends its own turn: the error is printed to
/// stderr and the server goes back to `accept`.
pub fn serve(listener: &TcpListener, options: ReaderOptions) -> io::Result<()> {
    loop {
        let (mut stream, peer) = listener.accept()?;
        let mut out = io::stdout().lock();
        match read_data(&mut stream, options, &mut out) {
            Ok(total) => writeln!(out, "client {peer} closed after {total} bytes")?,
            Err(e) => eprintln!("read from {peer}: {e}"),
        }
        out.flush()?;
    }
}

/// Reads `stream` to EOF in [`CHUNK`]-byte records, printing the course's progress lines
/// (`block in read`, `1K read for N`) to `out`. Returns the number of bytes read.
pub fn read_data(
    stream: &mut impl Read,
    options: ReaderOptions,
    out: &mut impl Write,
) -> io::Result<u64> {
    let mut buf = [0u8; CHUNK];
    let mut chunks = 0u64;
    let mut total = 0u64;
    loop {
        writeln!(out, "block in read")?;
        out.flush()?;
        let n = common::readn(stream, &mut buf)?;
        total += n as u64;
        if n == 0 {
            return Ok(total);
        }
        chunks += 1;
        if n < CHUNK {
            // EOF arrived mid-record: the C server miscounts this as a full 1K.
            writeln!(out, "{n} bytes read for {chunks}, then EOF")?;
            return Ok(total);
        }
        writeln!(out, "1K read for {chunks}")?;
        thread::sleep(options.pause);
    }
}

/// Sends `size` bytes of `a` with blocking writes, printing `send into buffer N` after each
/// `write` call, where N is how many bytes that call accepted.
///
/// A blocking socket write returns only once all of its bytes are in the kernel's send
/// buffer (see send(2)), so on Linux one call usually takes them all, even 10 MB.
pub fn send_data(stream: &mut impl Write, size: usize, out: &mut impl Write) -> io::Result<()> {
    let data = vec![b'a'; size];
    let mut sent = 0;
    while sent < size {
        let n = match stream.write(&data[sent..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        sent += n;
        writeln!(out, "send into buffer {n}")?;
        out.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_pause() -> ReaderOptions {
        ReaderOptions {
            pause: Duration::ZERO,
        }
    }

    #[test]
    fn counts_whole_chunks_and_a_short_tail() {
        let data = vec![b'a'; 2 * CHUNK + 10];
        let mut out = Vec::new();
        let total = read_data(&mut &data[..], no_pause(), &mut out).unwrap();
        assert_eq!(total, data.len() as u64);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "block in read\n1K read for 1\nblock in read\n1K read for 2\nblock in read\n10 bytes read for 3, then EOF\n"
        );
    }

    #[test]
    fn send_data_reports_each_write() {
        let mut sink = Vec::new();
        let mut out = Vec::new();
        send_data(&mut sink, 5000, &mut out).unwrap();
        assert_eq!(sink, vec![b'a'; 5000]);
        assert_eq!(String::from_utf8(out).unwrap(), "send into buffer 5000\n");
    }
}
