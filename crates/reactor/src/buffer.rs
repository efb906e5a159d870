//! A growable byte buffer with a cheap prepend area: the connection's input and output.
//!
//! Course counterpart: `lib/buffer.c` (lecture 34). muduo counterpart: `Buffer`, whose
//! diagram this keeps:
//!
//! ```text
//! +-------------------+------------------+------------------+
//! | prependable bytes |  readable bytes  |  writable bytes  |
//! |                   |     (CONTENT)    |                  |
//! +-------------------+------------------+------------------+
//! |                   |                  |                  |
//! 0      <=      read_index   <=   write_index    <=     len
//! ```
//!
//! Appending writes at `write_index`; consuming ("retrieving") advances `read_index`. When
//! the writable tail is too short, the readable bytes first slide back to the front
//! (compaction, a `memmove`); only if that is still not enough does the storage grow, at
//! least doubling so that appends stay amortised O(1). The C version grew by exactly the
//! missing size and compacted with a byte loop.
//!
//! Storage is allocated on first use, not at creation, so an idle connection costs no
//! buffer memory (the C allocated 2 x 64 KiB per connection at accept).
//!
//! A `Buffer` is plain data: it belongs to whoever holds it, on any thread.

use std::io::{self, IoSliceMut, Read};

/// Bytes kept free in front of the readable region, so a length header can be prepended
/// without moving the body (muduo's `kCheapPrepend`).
pub const CHEAP_PREPEND: usize = 8;

/// The size of the first allocation (muduo's `kInitialSize`).
pub const INITIAL_SIZE: usize = 1024;

/// The size of the spill area a read uses beyond the buffer's own free space.
pub const SPILL_SIZE: usize = 64 * 1024;

/// A byte buffer with prependable, readable and writable regions.
#[derive(Default, Clone)]
pub struct Buffer {
    data: Vec<u8>,
    read_index: usize,
    write_index: usize,
}

impl std::fmt::Debug for Buffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Buffer")
            .field("prependable", &self.prependable_bytes())
            .field("readable", &self.readable_bytes())
            .field("writable", &self.writable_bytes())
            .finish()
    }
}

impl Buffer {
    /// An empty buffer; no memory is allocated until something is written.
    pub fn new() -> Buffer {
        Buffer::default()
    }

    /// How many bytes are waiting to be read: `write_index - read_index`.
    pub fn readable_bytes(&self) -> usize {
        self.write_index - self.read_index
    }

    /// How many bytes can be appended without compacting or growing.
    pub fn writable_bytes(&self) -> usize {
        self.data.len() - self.write_index
    }

    /// How many bytes lie in front of the readable region.
    pub fn prependable_bytes(&self) -> usize {
        self.read_index
    }

    /// Whether there is nothing to read.
    pub fn is_empty(&self) -> bool {
        self.readable_bytes() == 0
    }

    /// The readable bytes, without consuming them.
    pub fn peek(&self) -> &[u8] {
        &self.data[self.read_index..self.write_index]
    }

    /// The readable bytes, mutable in place (e.g. to rot13 them before echoing).
    pub fn peek_mut(&mut self) -> &mut [u8] {
        &mut self.data[self.read_index..self.write_index]
    }

    /// Consumes `n` readable bytes.
    ///
    /// # Panics
    /// If `n` is larger than [`Buffer::readable_bytes`]: that is a bug in the caller.
    pub fn retrieve(&mut self, n: usize) {
        assert!(
            n <= self.readable_bytes(),
            "retrieve past the readable bytes"
        );
        if n < self.readable_bytes() {
            self.read_index += n;
        } else {
            self.retrieve_all();
        }
    }

    /// Consumes everything; the indexes go back to the front so the next append needs no
    /// compaction.
    pub fn retrieve_all(&mut self) {
        let front = CHEAP_PREPEND.min(self.data.len());
        self.read_index = front;
        self.write_index = front;
    }

    /// Consumes and returns the readable bytes.
    pub fn retrieve_all_as_vec(&mut self) -> Vec<u8> {
        let bytes = self.peek().to_vec();
        self.retrieve_all();
        bytes
    }

    /// Appends `bytes` after the readable region.
    pub fn append(&mut self, bytes: &[u8]) {
        self.ensure_writable(bytes.len());
        self.data[self.write_index..self.write_index + bytes.len()].copy_from_slice(bytes);
        self.write_index += bytes.len();
    }

    /// Puts `bytes` in front of the readable region, e.g. a length header computed after
    /// the body was appended. Cheap while [`Buffer::prependable_bytes`] suffices.
    pub fn prepend(&mut self, bytes: &[u8]) {
        if bytes.len() > self.read_index {
            // Not enough room in front: make some by moving the content back.
            let body = self.retrieve_all_as_vec();
            self.ensure_writable(bytes.len() + body.len());
            self.read_index += bytes.len();
            self.write_index = self.read_index;
            self.append(&body);
        }
        self.read_index -= bytes.len();
        self.data[self.read_index..self.read_index + bytes.len()].copy_from_slice(bytes);
    }

    /// Makes sure at least `n` bytes can be appended: compacts, or grows.
    pub fn ensure_writable(&mut self, n: usize) {
        if self.writable_bytes() >= n {
            return;
        }
        if self.data.is_empty() {
            self.data.resize((CHEAP_PREPEND + n).max(INITIAL_SIZE), 0);
            self.read_index = CHEAP_PREPEND;
            self.write_index = CHEAP_PREPEND;
            return;
        }
        let readable = self.readable_bytes();
        if self.writable_bytes() + self.prependable_bytes() >= n + CHEAP_PREPEND {
            // Slide the content to the front instead of allocating.
            self.data
                .copy_within(self.read_index..self.write_index, CHEAP_PREPEND);
            self.read_index = CHEAP_PREPEND;
            self.write_index = CHEAP_PREPEND + readable;
        } else {
            let needed = self.write_index + n;
            self.data.resize(needed.max(self.data.len() * 2), 0);
        }
    }

    /// Frees the storage if nothing is readable and it is larger than `keep` bytes, so a
    /// connection that once moved megabytes does not keep them while it idles.
    pub fn shrink_if_empty(&mut self, keep: usize) {
        if self.is_empty() && self.data.len() > keep {
            *self = Buffer::new();
        }
    }

    /// The writable tail, to fill in place; follow with [`Buffer::has_written`].
    pub fn writable_slice(&mut self) -> &mut [u8] {
        &mut self.data[self.write_index..]
    }

    /// Marks `n` bytes of the writable tail as readable content.
    ///
    /// # Panics
    /// If `n` is larger than [`Buffer::writable_bytes`].
    pub fn has_written(&mut self, n: usize) {
        assert!(
            n <= self.writable_bytes(),
            "has_written past the writable bytes"
        );
        self.write_index += n;
    }

    /// The offset of the first `\r\n` in the readable bytes.
    pub fn find_crlf(&self) -> Option<usize> {
        self.peek().windows(2).position(|w| w == b"\r\n")
    }

    /// The offset of the first `\n` in the readable bytes.
    pub fn find_eol(&self) -> Option<usize> {
        self.peek().iter().position(|&b| b == b'\n')
    }

    /// Reads once from `source` with a vectored read (readv(2)) into two places: this
    /// buffer's writable tail and `spill`, then appends whatever landed in `spill`.
    ///
    /// One syscall thus takes everything the socket has ready, up to the tail plus
    /// `spill.len()`, without asking the kernel first how much there is (`FIONREAD`) and
    /// without giving every connection a large buffer (muduo's `Buffer::readFd`, the
    /// course's `buffer_socket_read`). Returns the number of bytes read; 0 means EOF.
    ///
    /// # Errors
    /// The read's error, including `WouldBlock` on a non-blocking socket with nothing to
    /// read.
    pub fn read_from(&mut self, mut source: impl Read, spill: &mut [u8]) -> io::Result<usize> {
        let writable = self.writable_bytes();
        let n = {
            let (_, tail) = self.data.split_at_mut(self.write_index);
            let mut iov = [IoSliceMut::new(tail), IoSliceMut::new(spill)];
            source.read_vectored(&mut iov)?
        };
        if n <= writable {
            self.write_index += n;
        } else {
            self.write_index = self.data.len();
            self.append(&spill[..n - writable]);
        }
        Ok(n)
    }
}

/// `write!` into a buffer appends, e.g. for an HTTP status line. Never fails.
impl io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.append(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Asserts the three regions: prependable, readable, writable.
    #[track_caller]
    fn regions(b: &Buffer, prependable: usize, readable: usize, writable: usize) {
        assert_eq!(
            (
                b.prependable_bytes(),
                b.readable_bytes(),
                b.writable_bytes()
            ),
            (prependable, readable, writable)
        );
    }

    #[test]
    fn new_buffer_allocates_nothing() {
        let b = Buffer::new();
        regions(&b, 0, 0, 0);
        assert!(b.is_empty());
        assert_eq!(b.peek(), b"");
    }

    #[test]
    fn append_and_retrieve_move_the_indexes() {
        let mut b = Buffer::new();
        let s = vec![b'x'; 200];
        b.append(&s);
        regions(&b, CHEAP_PREPEND, 200, INITIAL_SIZE - CHEAP_PREPEND - 200);

        b.retrieve(50);
        regions(
            &b,
            CHEAP_PREPEND + 50,
            150,
            INITIAL_SIZE - CHEAP_PREPEND - 200,
        );
        assert_eq!(b.peek(), &s[50..]);

        b.append(&s);
        regions(
            &b,
            CHEAP_PREPEND + 50,
            350,
            INITIAL_SIZE - CHEAP_PREPEND - 400,
        );

        assert_eq!(b.retrieve_all_as_vec().len(), 350);
        regions(&b, CHEAP_PREPEND, 0, INITIAL_SIZE - CHEAP_PREPEND);
    }

    #[test]
    fn retrieving_everything_resets_to_the_front() {
        let mut b = Buffer::new();
        b.append(b"hello");
        b.retrieve(5);
        regions(&b, CHEAP_PREPEND, 0, INITIAL_SIZE - CHEAP_PREPEND);
    }

    #[test]
    fn grows_when_compaction_is_not_enough() {
        let mut b = Buffer::new();
        b.append(&[b'y'; 400]);
        regions(&b, CHEAP_PREPEND, 400, INITIAL_SIZE - CHEAP_PREPEND - 400);
        b.append(&[b'z'; 1000]);
        // Doubled: 2048 bytes in all.
        regions(
            &b,
            CHEAP_PREPEND,
            1400,
            2 * INITIAL_SIZE - CHEAP_PREPEND - 1400,
        );
        assert_eq!(&b.peek()[..400], &[b'y'; 400][..]);
        assert_eq!(&b.peek()[400..], &[b'z'; 1000][..]);

        b.retrieve(1400);
        b.append(&vec![b'w'; 5000]);
        regions(&b, CHEAP_PREPEND, 5000, 0);
    }

    #[test]
    fn compacts_instead_of_growing_when_the_front_has_room() {
        let mut b = Buffer::new();
        b.append(&[b'a'; 800]);
        b.retrieve(500);
        regions(
            &b,
            CHEAP_PREPEND + 500,
            300,
            INITIAL_SIZE - CHEAP_PREPEND - 800,
        );
        // 216 writable, 508 in front: 300 more fit after sliding the content back.
        b.append(&[b'b'; 300]);
        regions(&b, CHEAP_PREPEND, 600, INITIAL_SIZE - CHEAP_PREPEND - 600);
        assert_eq!(&b.peek()[..300], &[b'a'; 300][..]);
        assert_eq!(&b.peek()[300..], &[b'b'; 300][..]);
    }

    #[test]
    fn shrinks_only_when_empty_and_large() {
        let mut b = Buffer::new();
        b.append(&vec![b'q'; 5000]);
        b.shrink_if_empty(SPILL_SIZE);
        regions(&b, CHEAP_PREPEND, 5000, 0);
        b.retrieve(5000);
        b.shrink_if_empty(SPILL_SIZE);
        regions(&b, CHEAP_PREPEND, 0, 5000);
        b.shrink_if_empty(1000);
        regions(&b, 0, 0, 0);
    }

    #[test]
    fn prepend_uses_the_front_and_makes_room_when_needed() {
        let mut b = Buffer::new();
        b.append(b"body");
        b.prepend(&4u32.to_be_bytes());
        regions(&b, CHEAP_PREPEND - 4, 8, INITIAL_SIZE - CHEAP_PREPEND - 4);
        assert_eq!(b.peek(), b"\0\0\0\x04body");

        b.prepend(b"0123456789");
        assert_eq!(b.peek(), b"0123456789\0\0\0\x04body");
        assert_eq!(b.readable_bytes(), 18);
    }

    #[test]
    fn fill_in_place_and_find_line_ends() {
        let mut b = Buffer::new();
        write!(b, "GET / HTTP/1.1\r\n").unwrap();
        b.ensure_writable(3);
        b.writable_slice()[..3].copy_from_slice(b"a\nb");
        b.has_written(3);
        assert_eq!(b.find_crlf(), Some(14));
        assert_eq!(b.find_eol(), Some(15));
        b.retrieve(16);
        assert_eq!(b.find_crlf(), None);
        assert_eq!(b.find_eol(), Some(1));
        b.peek_mut()[0] = b'A';
        assert_eq!(b.peek(), b"A\nb");
    }

    #[test]
    fn read_fits_in_the_writable_tail() {
        let mut b = Buffer::new();
        b.append(b"x");
        let mut spill = [0u8; 16];
        let n = b.read_from(&b"hello"[..], &mut spill).unwrap();
        assert_eq!(n, 5);
        regions(&b, CHEAP_PREPEND, 6, INITIAL_SIZE - CHEAP_PREPEND - 6);
        assert_eq!(b.peek(), b"xhello");
    }

    #[test]
    fn read_spills_past_the_tail_and_is_appended() {
        // A fresh buffer has no tail at all: everything lands in the spill area.
        let mut b = Buffer::new();
        let data: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
        let mut spill = vec![0u8; SPILL_SIZE];
        let n = b.read_from(&data[..], &mut spill).unwrap();
        assert_eq!(n, 3000);
        assert_eq!(b.peek(), &data[..]);
        regions(&b, CHEAP_PREPEND, 3000, 0);

        // Now a tail of 0: the next read goes to the spill and grows the buffer.
        let n = b.read_from(&data[..100], &mut spill).unwrap();
        assert_eq!(n, 100);
        assert_eq!(b.readable_bytes(), 3100);
        assert_eq!(&b.peek()[3000..], &data[..100]);
    }

    #[test]
    fn read_from_a_socket_uses_both_iovecs() {
        use std::os::unix::net::UnixStream;
        let (mut a, bsock) = UnixStream::pair().unwrap();
        let data = vec![7u8; 2000];
        a.write_all(&data).unwrap();
        let mut b = Buffer::new();
        b.append(&[1u8; 1000]); // 16 bytes of tail left
        let mut spill = vec![0u8; SPILL_SIZE];
        let n = b.read_from(&bsock, &mut spill).unwrap();
        assert_eq!(n, 2000);
        assert_eq!(b.readable_bytes(), 3000);
        assert_eq!(&b.peek()[1000..], &data[..]);
        drop(a);
        assert_eq!(b.read_from(&bsock, &mut spill).unwrap(), 0, "EOF");
    }

    #[test]
    #[should_panic(expected = "retrieve past the readable bytes")]
    fn retrieving_too_much_is_a_bug() {
        let mut b = Buffer::new();
        b.append(b"ab");
        b.retrieve(3);
    }
}
