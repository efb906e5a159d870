//! The course's network framework (lectures 27-35), in Rust.

#![warn(missing_docs)]

pub mod http;
