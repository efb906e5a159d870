//! Lecture 08: the tools. The one we rebuild is `ping`, to see the ICMP echo messages the
//! lecture describes field by field.
//!
//! [`icmp`] encodes echo requests and decodes replies (with the RFC 1071 checksum);
//! [`ping`] sends them through an ICMP socket and times the answers.

pub mod icmp;
pub mod ping;
