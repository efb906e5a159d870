//! ICMP echo messages (RFC 792): an 8-byte header, then any payload.
//!
//! ```text
//!  0       1       2       3
//! +-------+-------+---------------+
//! | type  | code  |   checksum    |   type 8 = echo request, 0 = echo reply
//! +-------+-------+---------------+
//! |  identifier   |   sequence    |   identifier: which pinger; sequence: icmp_seq
//! +---------------+---------------+
//! | payload ...                       echoed back unchanged
//! ```
//!
//! Multi-byte fields are big-endian (network byte order). Decoding never trusts the peer:
//! every length is checked, and a short or malformed packet is an error, not a panic.

use std::fmt;

/// ICMP type of an echo request.
pub const ECHO_REQUEST: u8 = 8;
/// ICMP type of an echo reply.
pub const ECHO_REPLY: u8 = 0;
/// Length of the ICMP echo header.
pub const HEADER_LEN: usize = 8;

/// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of
/// the data as big-endian 16-bit words, an odd last byte padded with zero.
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    let mut words = data.chunks_exact(2);
    for word in &mut words {
        sum += u32::from(u16::from_be_bytes([word[0], word[1]]));
    }
    if let [last] = words.remainder() {
        sum += u32::from(u16::from_be_bytes([*last, 0]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The fields of an ICMP echo header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Echo {
    /// [`ECHO_REQUEST`] or [`ECHO_REPLY`] (other types are other messages).
    pub kind: u8,
    /// 0 for echo messages.
    pub code: u8,
    /// As found in the packet.
    pub checksum: u16,
    /// Chosen by the sender (Linux ping sockets: the socket's "port").
    pub id: u16,
    /// The `icmp_seq` ping prints.
    pub seq: u16,
}

impl fmt::Display for Echo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.kind {
            ECHO_REQUEST => "echo request",
            ECHO_REPLY => "echo reply",
            _ => "not an echo",
        };
        write!(
            f,
            "type {} ({name}) code {} checksum 0x{:04x} id {} seq {}",
            self.kind, self.code, self.checksum, self.id, self.seq
        )
    }
}

/// An echo request with `payload`, checksum filled in.
pub fn echo_request(id: u16, seq: u16, payload: &[u8]) -> Vec<u8> {
    let mut packet = Vec::with_capacity(HEADER_LEN + payload.len());
    packet.extend_from_slice(&[ECHO_REQUEST, 0, 0, 0]);
    packet.extend_from_slice(&id.to_be_bytes());
    packet.extend_from_slice(&seq.to_be_bytes());
    packet.extend_from_slice(payload);
    let sum = checksum(&packet);
    packet[2..4].copy_from_slice(&sum.to_be_bytes());
    packet
}

/// Why a received packet is not a usable ICMP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Fewer bytes than the headers need.
    Truncated(usize),
    /// The IPv4 header's length field is impossible.
    BadIpHeader,
    /// The checksum over the ICMP message does not add up.
    BadChecksum,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated(n) => write!(f, "truncated packet ({n} bytes)"),
            DecodeError::BadIpHeader => write!(f, "malformed IPv4 header"),
            DecodeError::BadChecksum => write!(f, "ICMP checksum mismatch"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// A decoded ICMP message: its header, payload length and, if the IP header came with it,
/// the TTL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The echo header fields.
    pub echo: Echo,
    /// Bytes of ICMP message (header and payload).
    pub len: usize,
    /// The IPv4 TTL, when the packet included its IP header (raw sockets).
    pub ttl: Option<u8>,
}

/// Decodes what an ICMP socket returned. A raw socket (`with_ip_header`) delivers the IPv4
/// header first; its first byte's low nibble (IHL) gives its length in 32-bit words.
pub fn decode(packet: &[u8], with_ip_header: bool) -> Result<Received, DecodeError> {
    let (icmp, ttl) = if with_ip_header {
        let first = *packet.first().ok_or(DecodeError::Truncated(0))?;
        let ip_len = usize::from(first & 0x0f) * 4;
        if ip_len < 20 {
            return Err(DecodeError::BadIpHeader);
        }
        if packet.len() < ip_len {
            return Err(DecodeError::Truncated(packet.len()));
        }
        (&packet[ip_len..], Some(packet[8]))
    } else {
        (packet, None)
    };
    if icmp.len() < HEADER_LEN {
        return Err(DecodeError::Truncated(icmp.len()));
    }
    if checksum(icmp) != 0 {
        return Err(DecodeError::BadChecksum);
    }
    let field = |i: usize| u16::from_be_bytes([icmp[i], icmp[i + 1]]);
    Ok(Received {
        echo: Echo {
            kind: icmp[0],
            code: icmp[1],
            checksum: field(2),
            id: field(4),
            seq: field(6),
        },
        len: icmp.len(),
        ttl,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (ones' complement).
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(checksum(&data), !0xddf2);
    }

    #[test]
    fn odd_length_is_padded() {
        assert_eq!(checksum(&[0xab]), !0xab00);
    }

    #[test]
    fn request_round_trips_and_verifies() {
        let packet = echo_request(0x1234, 7, b"hello");
        assert_eq!(&packet[..2], &[8, 0]);
        assert_eq!(&packet[4..8], &[0x12, 0x34, 0x00, 0x07]);
        let got = decode(&packet, false).unwrap();
        assert_eq!(got.echo.kind, ECHO_REQUEST);
        assert_eq!(
            (got.echo.id, got.echo.seq, got.len, got.ttl),
            (0x1234, 7, 13, None)
        );
        assert_eq!(
            got.echo.to_string(),
            format!(
                "type 8 (echo request) code 0 checksum 0x{:04x} id 4660 seq 7",
                got.echo.checksum
            )
        );
    }

    #[test]
    fn ip_header_is_skipped_and_ttl_read() {
        let mut packet = vec![0u8; 20];
        packet[0] = 0x45; // IPv4, 5 words
        packet[8] = 64;
        let mut reply = echo_request(1, 2, b"x");
        reply[0] = ECHO_REPLY;
        reply[2..4].copy_from_slice(&[0, 0]);
        let sum = checksum(&reply);
        reply[2..4].copy_from_slice(&sum.to_be_bytes());
        packet.extend_from_slice(&reply);
        let got = decode(&packet, true).unwrap();
        assert_eq!(
            (got.echo.kind, got.echo.seq, got.ttl),
            (ECHO_REPLY, 2, Some(64))
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert_eq!(decode(&[], true), Err(DecodeError::Truncated(0)));
        assert_eq!(decode(&[0x41], true), Err(DecodeError::BadIpHeader));
        assert_eq!(decode(&[0x4f, 0, 0], true), Err(DecodeError::Truncated(3)));
        assert_eq!(decode(&[8, 0, 0], false), Err(DecodeError::Truncated(3)));
        let mut packet = echo_request(1, 1, b"abc");
        packet[9] ^= 0xff;
        assert_eq!(decode(&packet, false), Err(DecodeError::BadChecksum));
    }
}
