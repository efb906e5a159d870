//! rot13, the "work" the course's echo servers do on each line (lectures 20-29).

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
