//! Lecture 34: the application behind `http_server01` and `http_server02`.
//!
//! [`on_request`] is the course's `onRequest`: it routes on the path (the query string is
//! ignored) and fills in the response. Everything HTTP (parsing, keep-alive, framing,
//! errors, timeouts) is `reactor::http`'s job, so this is all an application writes.
//! [`on_request_with_photo`] is the first exercise's answer (`http_server02`), and
//! [`serve`] the start-up both binaries share.

mod cli;

pub use cli::{HttpArgs, serve};

use reactor::http::{Request, Response, Status};

/// The page served at `/`: 116 bytes of HTML, as in the course.
pub const INDEX_HTML: &str = "<html><head><title>This is network programming</title></head>\
<body><h1>Hello, network programming</h1></body></html>";

/// The text served at `/network`: 26 bytes.
pub const NETWORK_TEXT: &str = "hello, network programming";

/// Answers `/` with [`INDEX_HTML`], `/network` with [`NETWORK_TEXT`], and anything else with
/// an empty 404 that closes the connection, as the course's server meant to (its
/// `keep_connected = 1` means "close"; the C version said so but never closed).
pub fn on_request(request: &Request, response: &mut Response) {
    match request.path() {
        "/" => {
            response.set_content_type("text/html");
            response.set_body(INDEX_HTML.as_bytes());
        }
        "/network" => {
            response.set_content_type("text/plain");
            response.set_body(NETWORK_TEXT.as_bytes());
        }
        _ => {
            response.set_status(Status::NOT_FOUND);
            response.close_connection();
        }
    }
}

/// The image served at `/photo` by `http_server02`: a 16x16 RGB PNG.
pub const PHOTO_PNG: &[u8] = include_bytes!("photo.png");

/// Exercise 1's answer: [`on_request`] plus `/photo`, answered with [`PHOTO_PNG`] as
/// `image/png`.
pub fn on_request_with_photo(request: &Request, response: &mut Response) {
    if request.path() == "/photo" {
        response.set_content_type("image/png");
        response.set_body(PHOTO_PNG);
    } else {
        on_request(request, response);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bodies_have_the_course_lengths() {
        assert_eq!(INDEX_HTML.len(), 116);
        assert_eq!(NETWORK_TEXT.len(), 26);
    }
}
