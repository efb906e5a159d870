//! HTTP/1.1 on the framework (lecture 34).
//!
//! Course counterpart: `lib/http_request.c`, `lib/http_response.c`, `lib/http_server.c`.
//! muduo counterpart: `muduo/net/http`.
//!
//! - [`RequestParser`] turns a connection's bytes into [`Request`]s: incremental, pipelining
//!   aware, strict about what it accepts, and unable to panic on input.
//! - [`Response`] is what an application answers; its encoding always carries
//!   `Content-Length`, `Content-Type` and an honest `Connection` header.
//! - [`HttpServer`] runs both on a [`crate::TcpServer`]: one parser per connection,
//!   pipelined requests answered in order, keep-alive and `Connection: close` honoured, and
//!   a deadline for each request so a slow client cannot hold a connection forever.

mod request;
mod response;
mod server;

pub use request::{Limits, ParseError, Request, RequestParser, Version};
pub use response::{Response, Status, encode_error};
pub use server::{HttpOptions, HttpServer, MAX_QUEUED_OUTPUT};
