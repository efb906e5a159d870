//! Lecture 13: small writes, Nagle's algorithm, delayed ACK, and batching with writev.
//!
//! - [`batch`] is `batchwrite`: each line goes out as `hello,` + line in one writev(2), so
//!   the two pieces leave as one chunk of the stream instead of two small segments.
//! - [`latency`] is `writewriteread`: a request sent as two small writes, then a read of the
//!   reply, timed with Nagle on, with TCP_NODELAY, and as one writev. On Linux the first
//!   stalls about 40 ms per round trip: Nagle holds the second write until the first is
//!   acknowledged, and the receiver delays that ACK because it has nothing to send yet.

pub mod batch;
pub mod latency;
