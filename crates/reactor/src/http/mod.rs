//! HTTP/1.1 on the framework (lecture 34).
//!
//! Course counterpart: `lib/http_request.c`, `lib/http_response.c`, `lib/http_server.c`.
//! muduo counterpart: `muduo/net/http`.
//!
//! - [`RequestParser`] turns a connection's bytes into [`Request`]s: incremental, pipelining
//!   aware, strict about what it accepts, and unable to panic on input.
//! - [`Response`] is what an application answers; its encoding always carries
//!   `Content-Length`, `Content-Type` and an honest `Connection` header.

mod request;
mod response;

pub use request::{Limits, ParseError, Request, RequestParser, Version};
pub use response::{Response, Status, encode_error};
