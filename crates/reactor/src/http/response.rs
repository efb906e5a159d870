//! The response side of HTTP/1.x: a status, a content type, a body, and their encoding.
//!
//! Course counterpart: `lib/http_response.c`. muduo counterpart: `HttpResponse`.
//!
//! Every encoded response carries `Content-Length` and `Content-Type`, so the client always
//! knows where it ends (the C version left both out of its 404, and the client hung), and a
//! `Connection` header that says what the server will really do next. Encoding appends to
//! the caller's output bytes; a [`Response`] keeps its body's memory between requests, so
//! a connection that answers request after request does not allocate for each one.

/// An HTTP status code and its reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    code: u16,
    reason: &'static str,
}

impl Status {
    /// 200: here it is.
    pub const OK: Status = Status::new(200, "OK");
    /// 400: the request line or a header is malformed.
    pub const BAD_REQUEST: Status = Status::new(400, "Bad Request");
    /// 404: nothing is served at that path.
    pub const NOT_FOUND: Status = Status::new(404, "Not Found");
    /// 408: the client took too long to send its request.
    pub const REQUEST_TIMEOUT: Status = Status::new(408, "Request Timeout");
    /// 411: a body must be framed by `Content-Length`.
    pub const LENGTH_REQUIRED: Status = Status::new(411, "Length Required");
    /// 413: the body is larger than the server accepts.
    pub const CONTENT_TOO_LARGE: Status = Status::new(413, "Content Too Large");
    /// 431: the request head is larger than the server accepts.
    pub const HEADER_FIELDS_TOO_LARGE: Status = Status::new(431, "Request Header Fields Too Large");

    const fn new(code: u16, reason: &'static str) -> Status {
        Status { code, reason }
    }

    /// The three-digit code.
    pub fn code(&self) -> u16 {
        self.code
    }

    /// The reason phrase, e.g. `Not Found`.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// What the application answers; the HTTP server encodes it.
#[derive(Debug, Clone)]
pub struct Response {
    status: Status,
    content_type: &'static str,
    body: Vec<u8>,
    close: bool,
}

impl Default for Response {
    fn default() -> Response {
        Response::new()
    }
}

impl Response {
    /// An empty `200 OK` of type `text/plain`.
    pub fn new() -> Response {
        Response {
            status: Status::OK,
            content_type: "text/plain",
            body: Vec::new(),
            close: false,
        }
    }

    /// Makes this response a fresh `200 OK`, keeping the body's memory for reuse.
    pub fn reset(&mut self) {
        self.status = Status::OK;
        self.content_type = "text/plain";
        self.body.clear();
        self.close = false;
    }

    /// Sets the status.
    pub fn set_status(&mut self, status: Status) {
        self.status = status;
    }

    /// Sets the `Content-Type`, e.g. `text/html`.
    pub fn set_content_type(&mut self, content_type: &'static str) {
        self.content_type = content_type;
    }

    /// Replaces the body.
    pub fn set_body(&mut self, body: &[u8]) {
        self.body.clear();
        self.body.extend_from_slice(body);
    }

    /// Asks the server to close the connection after this response, whatever the client
    /// asked for (the course's `keep_connected = 1`, which despite its name meant "close").
    pub fn close_connection(&mut self) {
        self.close = true;
    }

    /// The status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Whether the application asked to close the connection after this response.
    pub fn closes(&self) -> bool {
        self.close
    }

    /// Appends the response to `out`: status line, `Content-Length`, `Content-Type`,
    /// `Connection` (`Keep-Alive` if `keep_alive`, else `close`), a blank line and the body.
    /// `head_only` leaves the body out but keeps its length, as a reply to `HEAD` must
    /// (RFC 9110 §9.3.2).
    pub fn encode(&self, keep_alive: bool, head_only: bool, out: &mut Vec<u8>) {
        write_head(
            self.status,
            self.content_type,
            self.body.len(),
            keep_alive,
            out,
        );
        if !head_only {
            out.extend_from_slice(&self.body);
        }
    }
}

/// Appends the answer to a request the parser refused, or one that timed out: the status,
/// its reason as a one-line plain-text body, and `Connection: close` (the server closes
/// after it, since it can no longer tell where the next request would start).
pub fn encode_error(status: Status, out: &mut Vec<u8>) {
    let reason = status.reason().as_bytes();
    write_head(status, "text/plain", reason.len() + 1, false, out);
    out.extend_from_slice(reason);
    out.push(b'\n');
}

fn write_head(
    status: Status,
    content_type: &str,
    content_length: usize,
    keep_alive: bool,
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(b"HTTP/1.1 ");
    push_decimal(out, usize::from(status.code));
    out.push(b' ');
    out.extend_from_slice(status.reason.as_bytes());
    out.extend_from_slice(b"\r\nContent-Length: ");
    push_decimal(out, content_length);
    out.extend_from_slice(b"\r\nContent-Type: ");
    out.extend_from_slice(content_type.as_bytes());
    out.extend_from_slice(if keep_alive {
        b"\r\nConnection: Keep-Alive\r\n\r\n".as_slice()
    } else {
        b"\r\nConnection: close\r\n\r\n".as_slice()
    });
}

/// Appends `n` in decimal; `write!` would do, but this runs for every response and needs
/// no formatting machinery.
fn push_decimal(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).unwrap()
    }

    #[test]
    fn encodes_length_type_and_keep_alive() {
        let mut response = Response::new();
        response.set_body(b"hello, network programming");
        let mut out = Vec::new();
        response.encode(true, false, &mut out);
        assert_eq!(
            text(&out),
            "HTTP/1.1 200 OK\r\nContent-Length: 26\r\nContent-Type: text/plain\r\n\
             Connection: Keep-Alive\r\n\r\nhello, network programming"
        );
    }

    #[test]
    fn a_404_without_body_still_says_its_length_and_closes() {
        let mut response = Response::new();
        response.set_status(Status::NOT_FOUND);
        response.set_content_type("text/html");
        let mut out = Vec::new();
        response.encode(false, false, &mut out);
        assert_eq!(
            text(&out),
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nContent-Type: text/html\r\n\
             Connection: close\r\n\r\n"
        );
    }

    #[test]
    fn head_keeps_the_length_but_drops_the_body() {
        let mut response = Response::new();
        response.set_body(b"abc");
        let mut out = Vec::new();
        response.encode(true, true, &mut out);
        assert!(text(&out).ends_with(
            "Content-Length: 3\r\nContent-Type: text/plain\r\nConnection: Keep-Alive\r\n\r\n"
        ));
    }

    #[test]
    fn responses_append_so_pipelined_answers_queue_in_order() {
        let mut response = Response::new();
        let mut out = Vec::new();
        response.set_body(b"one");
        response.encode(true, false, &mut out);
        response.reset();
        response.set_body(b"two");
        response.encode(true, false, &mut out);
        let s = text(&out);
        assert!(s.find("one").unwrap() < s.find("two").unwrap());
        assert_eq!(s.matches("HTTP/1.1 200 OK").count(), 2);
    }

    #[test]
    fn reset_forgets_everything_but_the_memory() {
        let mut response = Response::new();
        response.set_status(Status::NOT_FOUND);
        response.set_content_type("text/html");
        response.set_body(&[b'x'; 100]);
        response.close_connection();
        response.reset();
        assert_eq!(response.status(), Status::OK);
        assert!(response.body().is_empty() && !response.closes());
        let mut out = Vec::new();
        response.encode(true, false, &mut out);
        assert!(text(&out).contains("Content-Type: text/plain\r\n"));
    }

    #[test]
    fn errors_close_and_explain_themselves() {
        let mut out = Vec::new();
        encode_error(Status::HEADER_FIELDS_TOO_LARGE, &mut out);
        assert_eq!(
            text(&out),
            "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 32\r\n\
             Content-Type: text/plain\r\nConnection: close\r\n\r\n\
             Request Header Fields Too Large\n"
        );
    }

    #[test]
    fn decimals() {
        for n in [0, 7, 10, 116, 4096, usize::MAX] {
            let mut out = Vec::new();
            push_decimal(&mut out, n);
            assert_eq!(text(&out), n.to_string());
        }
    }
}
