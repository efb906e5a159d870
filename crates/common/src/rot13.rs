//! rot13, the "work" the course's echo servers do on each line (lectures 20-29), and the
//! blocking rot13 line service the fork and thread servers run for each client.

use std::io::{self, ErrorKind, Read, Write};

/// Rotates ASCII letters by 13 places in place; every other byte is left alone.
pub fn rot13_in_place(bytes: &mut [u8]) {
    for b in bytes {
        *b = match *b {
            b'a'..=b'm' | b'A'..=b'M' => *b + 13,
            b'n'..=b'z' | b'N'..=b'Z' => *b - 13,
            other => other,
        };
    }
}

/// Returns a rot13 copy of `bytes`.
pub fn rot13(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    rot13_in_place(&mut out);
    out
}

/// Serves one client of a blocking server: answers every complete line with its rot13,
/// terminator (`\n` or `\r\n`) included, until the client closes; returns how many lines
/// it answered.
///
/// This is the course's `loop_echo` (and fork01's `child_run`), minus its faults: it reads
/// in chunks rather than one `recv` per byte, sends the whole reply even when `send` takes
/// only part of it, refuses a line longer than `max_line` bytes with an `InvalidData`
/// error instead of truncating it, and hands errors back to its caller instead of exiting
/// the whole process. Nothing is sent before a line is complete; bytes after the last
/// newline when the client closes are not a line and get no reply.
pub fn rot13_lines<S>(mut stream: S, max_line: usize) -> io::Result<u64>
where
    S: Read + Write,
{
    let mut pending = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut lines = 0;
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Ok(lines),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        pending.extend_from_slice(&chunk[..n]);
        let complete = pending
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        // A complete line may be max_line bytes plus its terminator; the unfinished rest may
        // be max_line bytes plus a '\r' still waiting for its '\n'.
        let too_long = pending[..complete]
            .split_inclusive(|&b| b == b'\n')
            .any(|line| without_terminator(line).len() > max_line)
            || pending.len() - complete > max_line + 1;
        if too_long {
            return Err(io::Error::new(
                ErrorKind::InvalidData,
                format!("line longer than {max_line} bytes"),
            ));
        }
        if complete > 0 {
            rot13_in_place(&mut pending[..complete]);
            stream.write_all(&pending[..complete])?;
            lines += pending[..complete].iter().filter(|&&b| b == b'\n').count() as u64;
            pending.drain(..complete);
        }
    }
}

/// `line` without its trailing `\n` or `\r\n`.
fn without_terminator(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixStream;

    #[test]
    fn lecture_samples() {
        assert_eq!(rot13(b"fasfasfasf"), b"snfsnfsnfs");
        assert_eq!(rot13(b"Hello, World! 123\r\n"), b"Uryyb, Jbeyq! 123\r\n");
    }

    #[test]
    fn twice_is_identity_for_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(rot13(&rot13(&all)), all);
    }

    const MAX_LINE: usize = 64;

    fn run(input: &[u8]) -> (io::Result<u64>, Vec<u8>) {
        let (mut client, server) = UnixStream::pair().unwrap();
        let writer = std::thread::spawn({
            let input = input.to_vec();
            let mut client = client.try_clone().unwrap();
            move || {
                let _ = client.write_all(&input);
                let _ = client.shutdown(std::net::Shutdown::Write);
            }
        });
        let result = rot13_lines(&server, MAX_LINE);
        drop(server);
        writer.join().unwrap();
        let mut reply = Vec::new();
        // Closing with unread input resets the pair: keep what arrived before that.
        let _ = client.read_to_end(&mut reply);
        (result, reply)
    }

    #[test]
    fn answers_each_complete_line_with_its_terminator() {
        let (result, reply) = run(b"afasfa\r\nagasgasg\nunfinished");
        assert_eq!(result.unwrap(), 2);
        assert_eq!(reply, b"nsnfsn\r\nntnftnft\n");
    }

    #[test]
    fn a_line_at_the_limit_passes_and_one_past_it_fails() {
        let mut input = vec![b'a'; MAX_LINE];
        input.extend_from_slice(b"\r\n");
        let (result, reply) = run(&input);
        assert_eq!(result.unwrap(), 1);
        assert_eq!(reply.len(), MAX_LINE + 2);

        let mut input = vec![b'a'; MAX_LINE + 1];
        input.push(b'\n');
        let (result, reply) = run(&input);
        assert_eq!(result.unwrap_err().kind(), ErrorKind::InvalidData);
        assert!(reply.is_empty());
    }

    #[test]
    fn an_endless_line_fails_without_reading_for_ever() {
        let (result, _) = run(&[b'a'; 3 * MAX_LINE]);
        assert_eq!(result.unwrap_err().kind(), ErrorKind::InvalidData);
    }
}
