//! The course's length-prefixed message framing (lectures 16 and 18).
//!
//! On the wire a message is `[u32 length][u32 type][payload]`, both integers big-endian
//! (network byte order). The C client of lecture 16 sends the type in host order and the
//! server ignores it; here both fields are big-endian, so the type means the same on every
//! host.

use std::io::{self, Read, Write};

/// Bytes in a message header: 4 of length, 4 of type.
pub const MESSAGE_HEADER_LEN: usize = 8;

/// One framed message: its type and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The message type (the course uses 1 for data, 1/2/11/21 for heartbeats).
    pub kind: u32,
    /// The payload, exactly as many bytes as the length header announced.
    pub payload: Vec<u8>,
}

/// Reads one message whose payload may be at most `max_len` bytes.
///
/// Returns `Ok(None)` when the peer closes cleanly between messages.
///
/// Errors:
/// - [`io::ErrorKind::InvalidData`] if the length header is larger than `max_len`. The C
///   `read_message` without this check waits for the announced bytes and then overflows its
///   buffer (lecture 18); this one refuses before reading any payload.
/// - [`io::ErrorKind::UnexpectedEof`] if the peer closes mid-message.
pub fn read_message<R: Read + ?Sized>(
    reader: &mut R,
    max_len: usize,
) -> io::Result<Option<Message>> {
    let mut header = [0u8; MESSAGE_HEADER_LEN];
    // The first byte decides between "closed between messages" and "closed mid-message".
    loop {
        match reader.read(&mut header[..1]) {
            Ok(0) => return Ok(None),
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    read_full(reader, &mut header[1..])?;
    let len = u32::from_be_bytes(header[..4].try_into().expect("4 bytes")) as usize;
    let kind = u32::from_be_bytes(header[4..].try_into().expect("4 bytes"));
    if len > max_len {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("message length {len} exceeds the {max_len}-byte limit"),
        ));
    }
    let mut payload = vec![0; len];
    read_full(reader, &mut payload)?;
    Ok(Some(Message { kind, payload }))
}

/// [`crate::readn`], with EOF before the end of the record turned into an error.
fn read_full<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<()> {
    let n = crate::readn(reader, buf)?;
    if n < buf.len() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("peer closed mid-message ({n} of {} bytes)", buf.len()),
        ));
    }
    Ok(())
}

/// Writes one message as a single `write`, so a small message leaves in one segment.
pub fn write_message<W: Write + ?Sized>(
    writer: &mut W,
    kind: u32,
    payload: &[u8],
) -> io::Result<()> {
    let len = u32::try_from(payload.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "payload longer than u32::MAX bytes",
        )
    })?;
    let mut frame = Vec::with_capacity(MESSAGE_HEADER_LEN + payload.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(&kind.to_be_bytes());
    frame.extend_from_slice(payload);
    crate::writen(writer, &frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u32, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_message(&mut out, kind, payload).unwrap();
        out
    }

    #[test]
    fn wire_format_is_big_endian_length_type_payload() {
        assert_eq!(frame(1, b"network\n"), b"\0\0\0\x08\0\0\0\x01network\n");
    }

    #[test]
    fn two_messages_in_one_read() {
        let mut wire = frame(1, b"network\n");
        wire.extend(frame(1, b"good\n"));
        let mut r = &wire[..];
        assert_eq!(
            read_message(&mut r, 128).unwrap().unwrap().payload,
            b"network\n"
        );
        assert_eq!(
            read_message(&mut r, 128).unwrap().unwrap().payload,
            b"good\n"
        );
        assert_eq!(read_message(&mut r, 128).unwrap(), None);
    }

    #[test]
    fn oversized_length_is_refused_before_reading_the_payload() {
        // Lecture 18's careless client: it announces 65535 bytes and sends 12.
        let mut wire = 65535u32.to_be_bytes().to_vec();
        wire.extend(1u32.to_be_bytes());
        wire.extend(b"just for fun");
        let err = read_message(&mut &wire[..], 128).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(
            err.to_string(),
            "message length 65535 exceeds the 128-byte limit"
        );
    }

    #[test]
    fn eof_mid_header_and_mid_payload_are_errors() {
        let wire = frame(1, b"network\n");
        for cut in [3, 8, 12] {
            let err = read_message(&mut &wire[..cut], 128).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "cut at {cut}");
        }
    }

    #[test]
    fn payload_at_the_limit_is_accepted() {
        let payload = [b'x'; 128];
        let wire = frame(11, &payload);
        let msg = read_message(&mut &wire[..], 128).unwrap().unwrap();
        assert_eq!(
            msg,
            Message {
                kind: 11,
                payload: payload.to_vec()
            }
        );
    }
}
