//! A buffered line reader: the course's `readline`, without its data loss.
//!
//! The C `readline` of lecture 18 reads a chunk into a `static` buffer and hands out one
//! line, but its "bytes left" counter is a local variable, so every line after the first in
//! a segment is thrown away, and the static buffer is shared by every connection. Here the
//! buffer belongs to the reader, one reader per connection, and the bytes after a line stay
//! for the next call.

use std::io::{self, Read};

/// Reads `\n`- or `\r\n`-terminated lines from a byte stream, at most `max_line` bytes each.
///
/// Telnet ends lines with CRLF, `nc` and most programs with LF; both are accepted and the
/// terminator is not part of the returned line. Bytes after a line stay buffered for the
/// next call, so three lines that arrive in one segment come back as three lines.
///
/// Wrap a shared reference to read and write the same socket: `LineReader::new(&stream)`
/// reads while `(&stream).write_all(..)` writes.
#[derive(Debug)]
pub struct LineReader<R> {
    inner: R,
    buf: Box<[u8]>,
    /// Start of the unread bytes.
    start: usize,
    /// End of the bytes read from `inner`.
    end: usize,
    /// Length (terminator included) of the line handed out last; consumed on the next call.
    pending: usize,
    max_line: usize,
}

impl<R: Read> LineReader<R> {
    /// A reader whose lines may be at most [`crate::MAXLINE`] bytes, terminator excluded.
    pub fn new(inner: R) -> Self {
        Self::with_max_line(inner, crate::MAXLINE)
    }

    /// A reader whose lines may be at most `max_line` bytes, terminator excluded.
    pub fn with_max_line(inner: R, max_line: usize) -> Self {
        // Room for the longest line plus "\r\n"; at least 1 KiB so short limits still read in
        // reasonable chunks.
        let capacity = (max_line + 2).max(1024);
        Self {
            inner,
            buf: vec![0; capacity].into_boxed_slice(),
            start: 0,
            end: 0,
            pending: 0,
            max_line,
        }
    }

    /// Returns the next line without its terminator, or `None` at a clean EOF.
    ///
    /// Errors:
    /// - [`io::ErrorKind::InvalidData`] if a line is longer than the limit. The reader is not
    ///   usable afterwards: close the connection.
    /// - [`io::ErrorKind::UnexpectedEof`] if the peer closed in the middle of a line.
    /// - any error of the underlying read; `EINTR` is retried.
    pub fn read_line(&mut self) -> io::Result<Option<&[u8]>> {
        self.start += std::mem::take(&mut self.pending);
        let mut scanned = self.start;
        loop {
            if let Some(i) = self.buf[scanned..self.end].iter().position(|&b| b == b'\n') {
                let newline = scanned + i;
                let mut line_end = newline;
                if line_end > self.start && self.buf[line_end - 1] == b'\r' {
                    line_end -= 1;
                }
                if line_end - self.start > self.max_line {
                    return Err(self.too_long());
                }
                self.pending = newline + 1 - self.start;
                return Ok(Some(&self.buf[self.start..line_end]));
            }
            scanned = self.end;
            // No newline yet: a longer run than "max_line bytes + \r" can never become a line.
            if self.end - self.start > self.max_line + 1 {
                return Err(self.too_long());
            }
            if self.end == self.buf.len() {
                // Move the partial line to the front to make room (muduo's Buffer does the same).
                self.buf.copy_within(self.start..self.end, 0);
                scanned -= self.start;
                self.end -= self.start;
                self.start = 0;
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) if self.start == self.end => return Ok(None),
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "peer closed in the middle of a line ({} bytes without a newline)",
                            self.end - self.start
                        ),
                    ));
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn too_long(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("line longer than {} bytes", self.max_line),
        )
    }

    /// The bytes read from the stream but not yet returned as a line.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.start + self.pending..self.end]
    }

    /// The wrapped reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// A reader that returns one scripted chunk per call, like a socket receiving segments.
    struct Segments(VecDeque<&'static [u8]>);

    impl Read for Segments {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some(chunk) = self.0.pop_front() else {
                return Ok(0);
            };
            let n = chunk.len().min(buf.len());
            buf[..n].copy_from_slice(&chunk[..n]);
            if n < chunk.len() {
                self.0.push_front(&chunk[n..]);
            }
            Ok(n)
        }
    }

    fn reader(chunks: &[&'static [u8]], max: usize) -> LineReader<Segments> {
        LineReader::with_max_line(Segments(chunks.iter().copied().collect()), max)
    }

    fn next(r: &mut LineReader<Segments>) -> Option<Vec<u8>> {
        r.read_line().unwrap().map(<[u8]>::to_vec)
    }

    #[test]
    fn three_lines_in_one_segment_are_three_lines() {
        let mut r = reader(&[b"one\ntwo\r\nthree\n"], 100);
        assert_eq!(next(&mut r).unwrap(), b"one");
        assert_eq!(r.buffered(), b"two\r\nthree\n");
        assert_eq!(next(&mut r).unwrap(), b"two");
        assert_eq!(next(&mut r).unwrap(), b"three");
        assert_eq!(next(&mut r), None);
    }

    #[test]
    fn crlf_split_across_segments() {
        let mut r = reader(&[b"net", b"work\r", b"\ngood\r\n"], 100);
        assert_eq!(next(&mut r).unwrap(), b"network");
        assert_eq!(next(&mut r).unwrap(), b"good");
        assert_eq!(next(&mut r), None);
    }

    #[test]
    fn empty_lines_are_lines() {
        let mut r = reader(&[b"\n\r\nx\n"], 100);
        assert_eq!(next(&mut r).unwrap(), b"");
        assert_eq!(next(&mut r).unwrap(), b"");
        assert_eq!(next(&mut r).unwrap(), b"x");
    }

    #[test]
    fn eof_mid_line_is_an_error() {
        let mut r = reader(&[b"ok\nhalf"], 100);
        assert_eq!(next(&mut r).unwrap(), b"ok");
        let err = r.read_line().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn line_at_the_limit_passes_and_one_past_fails() {
        // "012345678" is 9 bytes: the lecture 18 example against a 10-byte C buffer.
        let mut r = reader(&[b"012345678\n0123456789\n"], 9);
        assert_eq!(next(&mut r).unwrap(), b"012345678");
        let err = r.read_line().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(err.to_string(), "line longer than 9 bytes");
    }

    #[test]
    fn endless_line_without_newline_fails_without_reading_forever() {
        static BIG: [u8; 5000] = [b'a'; 5000];
        let mut r = reader(&[&BIG], 2000);
        assert_eq!(
            r.read_line().unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }

    #[test]
    fn compaction_keeps_a_partial_line() {
        // The buffer is 1024 bytes; fill it almost full with one line, then split the next
        // line across the buffer's end so it has to be moved to the front.
        static FIRST: [u8; 1020] = {
            let mut a = [b'x'; 1020];
            a[1019] = b'\n';
            a
        };
        let mut r = reader(&[&FIRST, b"abcdefghij\n"], 1019);
        assert_eq!(next(&mut r).unwrap().len(), 1019);
        assert_eq!(next(&mut r).unwrap(), b"abcdefghij");
    }
}
