//! The heartbeat protocol's message: `messageObject` in the course's `message_objecte.h`.
//!
//! On the wire: a 4-byte big-endian type, then 1024 bytes of data, 1028 bytes in all. The C
//! client sends the data uninitialised (leaking stack bytes) and the C server sends the PONG
//! type in host byte order; here the data is zeroed and both types are big-endian.

use std::io::{self, Read};

/// A heartbeat request.
pub const MSG_PING: u32 = 1;
/// A heartbeat reply.
pub const MSG_PONG: u32 = 2;
/// An ordinary message of the first kind; the server only logs it.
pub const MSG_TYPE1: u32 = 11;
/// An ordinary message of the second kind; the server only logs it.
pub const MSG_TYPE2: u32 = 21;

/// Bytes of data after the type.
pub const DATA_LEN: usize = 1024;
/// Bytes of one message on the wire.
pub const MESSAGE_LEN: usize = 4 + DATA_LEN;

/// The 1028 bytes of a message of type `kind` with zeroed data.
pub fn encode(kind: u32) -> [u8; MESSAGE_LEN] {
    let mut wire = [0u8; MESSAGE_LEN];
    wire[..4].copy_from_slice(&kind.to_be_bytes());
    wire
}

/// Reads one whole message and returns its type, or `None` if the peer closed cleanly
/// between messages.
///
/// A stream has no message boundaries, so this loops (`readn`) until all 1028 bytes are in:
/// the C server's single `read` may return part of a message. A peer that closes mid-message
/// is an [`io::ErrorKind::UnexpectedEof`] error.
pub fn read_message<R: Read + ?Sized>(reader: &mut R) -> io::Result<Option<u32>> {
    let mut wire = [0u8; MESSAGE_LEN];
    match common::readn(reader, &mut wire)? {
        0 => Ok(None),
        MESSAGE_LEN => Ok(Some(u32::from_be_bytes([
            wire[0], wire[1], wire[2], wire[3],
        ]))),
        n => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("peer closed mid-message ({n} of {MESSAGE_LEN} bytes)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ping_is_1028_bytes_with_a_big_endian_type() {
        let wire = encode(MSG_PING);
        assert_eq!(wire.len(), 1028);
        assert_eq!(&wire[..4], b"\0\0\0\x01");
        assert!(wire[4..].iter().all(|&b| b == 0));
        assert_eq!(read_message(&mut &wire[..]).unwrap(), Some(MSG_PING));
    }

    #[test]
    fn clean_eof_and_short_messages() {
        assert_eq!(read_message(&mut &b""[..]).unwrap(), None);
        let wire = encode(MSG_TYPE2);
        let err = read_message(&mut &wire[..100]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }
}
