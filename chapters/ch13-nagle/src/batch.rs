//! `batchwrite`: one writev(2) per line, gathering a fixed prefix and the line.

use std::io::{self, BufRead, IoSlice, Write};

/// What the course puts in front of every line.
pub const PREFIX: &[u8] = b"hello,";

/// Sends each line of `input` (line end included) as `hello,` + line, gathered into one
/// writev per line. Returns the number of lines sent.
pub fn send_lines(input: &mut impl BufRead, out: &mut impl Write) -> io::Result<u64> {
    let mut line = Vec::new();
    let mut sent = 0;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(sent);
        }
        writev_all(out, &[PREFIX, &line])?;
        sent += 1;
    }
}

/// Writes every byte of `parts`, in order, with as few writev(2) calls as the kernel allows.
///
/// `Write::write_vectored` on a socket is one writev(2). Like write(2) it may accept only a
/// prefix (the C ignores that); the rest is finished here.
pub fn writev_all(out: &mut impl Write, parts: &[&[u8]]) -> io::Result<()> {
    let slices: Vec<IoSlice> = parts.iter().map(|p| IoSlice::new(p)).collect();
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let written = loop {
        match out.write_vectored(&slices) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            result => break result?,
        }
    };
    if written < total {
        // Rare on a blocking socket; copy the rest into one buffer and finish it.
        let rest: Vec<u8> = parts.concat().split_off(written);
        out.write_all(&rest)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that accepts at most `step` bytes per call, like a full send buffer.
    struct Stingy {
        got: Vec<u8>,
        step: usize,
    }

    impl Write for Stingy {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(self.step);
            self.got.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn each_line_gets_the_prefix() {
        let mut out = Vec::new();
        let n = send_lines(&mut &b"world\nnetwork\nlast"[..], &mut out).unwrap();
        assert_eq!(n, 3);
        assert_eq!(out, b"hello,world\nhello,network\nhello,last");
    }

    #[test]
    fn a_short_writev_is_finished() {
        let mut out = Stingy {
            got: Vec::new(),
            step: 4,
        };
        writev_all(&mut out, &[b"hello,", b"world\n"]).unwrap();
        assert_eq!(out.got, b"hello,world\n");
    }
}
