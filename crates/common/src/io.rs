//! `readn` and `writen`: whole-record reads and writes on a byte stream.
//!
//! A stream socket hands back whatever has arrived, which may be less than asked for
//! (read(2): "It is not an error if this number is smaller than the number of bytes
//! requested"). A record of known size therefore needs a loop.

use std::io::{self, Read, Write};

/// Reads until `buf` is full or the peer closes, retrying short reads and `EINTR`.
///
/// Returns how many bytes were read: `buf.len()`, or fewer only because EOF came first (0
/// means the peer closed before sending anything). The C `readn` has the same contract but
/// treats every error other than EINTR as "return -1"; here the error itself comes back.
pub fn readn<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Writes all of `buf`, retrying short writes and `EINTR`.
///
/// A blocking socket may accept only part of a large write when interrupted by a signal;
/// this is `write_all` under the course's name.
pub fn writen<W: Write + ?Sized>(writer: &mut W, buf: &[u8]) -> io::Result<()> {
    writer.write_all(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most `step` bytes per call, like a socket fed in segments.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn readn_assembles_short_reads() {
        let mut r = Trickle {
            data: b"network",
            step: 2,
        };
        let mut buf = [0u8; 7];
        assert_eq!(readn(&mut r, &mut buf).unwrap(), 7);
        assert_eq!(&buf, b"network");
    }

    #[test]
    fn readn_returns_a_short_count_at_eof() {
        let mut r = Trickle {
            data: b"net",
            step: 1,
        };
        let mut buf = [0u8; 7];
        assert_eq!(readn(&mut r, &mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"net");
        assert_eq!(readn(&mut r, &mut buf).unwrap(), 0);
    }

    #[test]
    fn readn_retries_eintr() {
        struct Interrupting(bool);
        impl Read for Interrupting {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if std::mem::replace(&mut self.0, false) {
                    return Err(io::ErrorKind::Interrupted.into());
                }
                buf[0] = b'x';
                Ok(1)
            }
        }
        let mut buf = [0u8; 1];
        assert_eq!(readn(&mut Interrupting(true), &mut buf).unwrap(), 1);
        assert_eq!(&buf, b"x");
    }

    #[test]
    fn writen_writes_everything() {
        let mut out = Vec::new();
        writen(&mut out, b"hello").unwrap();
        assert_eq!(out, b"hello");
    }
}
