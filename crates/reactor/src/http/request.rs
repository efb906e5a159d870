//! The request side of HTTP/1.x: an incremental parser and the request it yields.
//!
//! Course counterpart: `lib/http_request.c` and `parse_http_request` in `lib/http_server.c`.
//! muduo counterpart: `HttpContext::parseRequest` and `HttpRequest`.
//!
//! [`RequestParser`] is a state machine over the bytes a connection has received and not yet
//! consumed. Call [`RequestParser::parse`] each time more bytes arrive, always with the whole
//! unconsumed slice (it starts at the first byte of the request being parsed). It remembers
//! how far it got, so a request that trickles in one byte at a time is scanned once, not
//! once per byte; it returns `Ok(None)` while the request is incomplete (the C version spins
//! forever there), the [`Request`] once the head and the body are all in, or a
//! [`ParseError`] carrying the 4xx status to answer with. It never panics, whatever the bytes.
//!
//! The request borrows the caller's bytes: nothing is copied, and the parser's one
//! allocation, the header table, is reused from request to request.

use std::ops::Range;

use super::response::Status;

/// The protocol versions this server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// HTTP/1.0: the connection closes after each response unless the client asks for
    /// `Connection: keep-alive`.
    Http10,
    /// HTTP/1.1: the connection stays open unless either side says `Connection: close`.
    Http11,
}

/// The limits that keep one client from making the server buffer without bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest request head (request line, header lines and the blank line) in bytes.
    /// A longer one is refused with 431.
    pub max_head: usize,
    /// The most header fields in one request; more are refused with 431.
    pub max_headers: usize,
    /// The largest `Content-Length` accepted; a larger one is refused with 413.
    pub max_body: usize,
}

impl Default for Limits {
    /// 8 KiB of head (nginx's `large_client_header_buffers` default), 64 fields, 1 MiB of body
    /// (nginx's `client_max_body_size` default).
    fn default() -> Limits {
        Limits {
            max_head: 8 * 1024,
            max_headers: 64,
            max_body: 1024 * 1024,
        }
    }
}

/// A request the server refuses: the status to answer with and, for the log, why.
///
/// After an error the framing of the byte stream is lost, so the connection must be closed
/// once the error response is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// 400, 411, 413 or 431.
    pub status: Status,
    /// A short description for the server's log.
    pub why: &'static str,
}

impl ParseError {
    fn bad(why: &'static str) -> ParseError {
        ParseError {
            status: Status::BAD_REQUEST,
            why,
        }
    }
}

/// Where the parser is in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for the request line; blank lines before it are skipped (RFC 9112 §2.2).
    RequestLine,
    /// Reading header lines until the blank line.
    Headers,
    /// The head is complete; waiting for `body_len` bytes after it.
    Body,
}

/// One header line, as offsets into the caller's bytes.
#[derive(Debug, Clone)]
struct Field {
    name: Range<usize>,
    value: Range<usize>,
}

/// The incremental HTTP/1.x request parser; one per connection.
#[derive(Debug)]
pub struct RequestParser {
    limits: Limits,
    state: State,
    /// Where the line being parsed starts.
    line_start: usize,
    /// How far the search for the end of that line has got, so new bytes are all that is
    /// searched on the next call.
    scanned: usize,
    method: Range<usize>,
    target: Range<usize>,
    version: Version,
    fields: Vec<Field>,
    content_length: Option<usize>,
    chunked: bool,
    close_asked: bool,
    keep_alive_asked: bool,
    head_len: usize,
}

impl RequestParser {
    /// A parser waiting for the first request, enforcing `limits`.
    pub fn new(limits: Limits) -> RequestParser {
        RequestParser {
            limits,
            state: State::RequestLine,
            line_start: 0,
            scanned: 0,
            method: 0..0,
            target: 0..0,
            version: Version::Http11,
            fields: Vec::new(),
            content_length: None,
            chunked: false,
            close_asked: false,
            keep_alive_asked: false,
            head_len: 0,
        }
    }

    /// Whether some bytes of a request have been seen but the request is not complete yet.
    /// Bytes the caller holds but has not passed to [`RequestParser::parse`] do not count.
    pub fn in_progress(&self) -> bool {
        self.state != State::RequestLine || self.line_start > 0 || self.scanned > 0
    }

    /// Continues parsing `buf`, the unconsumed bytes starting with the current request.
    ///
    /// Returns `Ok(None)` when more bytes are needed, and `Ok(Some(request))` when a whole
    /// request is in; the caller then consumes [`Request::wire_len`] bytes and calls again
    /// for the next pipelined request. Between calls `buf` may grow but must keep the bytes
    /// it had (a buffer that moves its data to the front is fine).
    pub fn parse<'a>(&'a mut self, buf: &'a [u8]) -> Result<Option<Request<'a>>, ParseError> {
        loop {
            if self.state == State::Body {
                let total = self.head_len + self.body_len();
                if buf.len() < total {
                    return Ok(None);
                }
                self.state = State::RequestLine;
                self.line_start = 0;
                self.scanned = 0;
                return Ok(Some(Request { buf, parser: self }));
            }
            let Some(end) = self.next_line_end(buf)? else {
                return Ok(None);
            };
            let start = self.line_start;
            self.line_start = end + 1;
            self.scanned = self.line_start;
            // RFC 9112 §2.2: a recipient may take a bare LF as the end of a line, which keeps
            // `nc` without `-C` usable; the CR before it, if any, is not part of the line.
            let line_end = if end > start && buf[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            let line = start..line_end;
            if self.state == State::RequestLine {
                if !line.is_empty() {
                    self.request_line(buf, line)?;
                    self.state = State::Headers;
                }
            } else if line.is_empty() {
                self.head_len = self.line_start;
                self.end_of_head()?;
                self.state = State::Body;
            } else {
                self.header_line(buf, line)?;
            }
        }
    }

    /// Finds the LF ending the current line, searching only bytes not searched before.
    fn next_line_end(&mut self, buf: &[u8]) -> Result<Option<usize>, ParseError> {
        let fresh = buf.get(self.scanned..).unwrap_or_default();
        match fresh.iter().position(|&b| b == b'\n') {
            Some(i) if self.scanned + i < self.limits.max_head => Ok(Some(self.scanned + i)),
            None if buf.len() < self.limits.max_head => {
                self.scanned = buf.len();
                Ok(None)
            }
            _ => Err(ParseError {
                status: Status::HEADER_FIELDS_TOO_LARGE,
                why: "request head too large",
            }),
        }
    }

    /// `method SP request-target SP HTTP-version`, each part checked (RFC 9112 §3).
    fn request_line(&mut self, buf: &[u8], line: Range<usize>) -> Result<(), ParseError> {
        // A new request starts: forget the previous one's headers, keep the table's memory.
        self.fields.clear();
        self.content_length = None;
        self.chunked = false;
        self.close_asked = false;
        self.keep_alive_asked = false;

        let bytes = &buf[line.clone()];
        let mut parts = bytes.split(|&b| b == b' ');
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ParseError::bad(
                "request line is not `METHOD TARGET VERSION`",
            ));
        };
        if method.is_empty() || !method.iter().all(|&b| is_token(b)) {
            return Err(ParseError::bad("bad method"));
        }
        if target.is_empty() || !target.iter().all(|&b| b.is_ascii_graphic()) {
            return Err(ParseError::bad("bad request target"));
        }
        self.version = match version {
            b"HTTP/1.1" => Version::Http11,
            b"HTTP/1.0" => Version::Http10,
            _ => return Err(ParseError::bad("bad HTTP version")),
        };
        self.method = line.start..line.start + method.len();
        let target_start = self.method.end + 1;
        self.target = target_start..target_start + target.len();
        Ok(())
    }

    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5), noting the fields that frame the
    /// message or decide the connection's fate.
    fn header_line(&mut self, buf: &[u8], line: Range<usize>) -> Result<(), ParseError> {
        let bytes = &buf[line.clone()];
        let Some(colon) = bytes.iter().position(|&b| b == b':') else {
            return Err(ParseError::bad("header line without a colon"));
        };
        let name = &bytes[..colon];
        // This also refuses "Name : value" and obsolete line folding (a line starting with
        // whitespace), as RFC 9112 §5.1 and §5.2 require of a server.
        if name.is_empty() || !name.iter().all(|&b| is_token(b)) {
            return Err(ParseError::bad("bad header name"));
        }
        let mut value = line.start + colon + 1..line.end;
        while value.start < value.end && is_blank(buf[value.start]) {
            value.start += 1;
        }
        while value.start < value.end && is_blank(buf[value.end - 1]) {
            value.end -= 1;
        }
        let text = &buf[value.clone()];
        // NUL, CR and the other controls have no place in a field value (RFC 9110 §5.5).
        if text.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return Err(ParseError::bad("control character in a header value"));
        }
        if self.fields.len() == self.limits.max_headers {
            return Err(ParseError {
                status: Status::HEADER_FIELDS_TOO_LARGE,
                why: "too many header fields",
            });
        }
        if name.eq_ignore_ascii_case(b"content-length") {
            self.content_length(text)?;
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            self.chunked = true;
        } else if name.eq_ignore_ascii_case(b"connection") {
            for option in text.split(|&b| b == b',') {
                let option = option.trim_ascii();
                self.close_asked |= option.eq_ignore_ascii_case(b"close");
                self.keep_alive_asked |= option.eq_ignore_ascii_case(b"keep-alive");
            }
        }
        self.fields.push(Field {
            name: line.start..line.start + colon,
            value,
        });
        Ok(())
    }

    /// Digits only; a repeated Content-Length must agree (RFC 9112 §6.3, a defence against
    /// request smuggling).
    fn content_length(&mut self, text: &[u8]) -> Result<(), ParseError> {
        if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::bad("Content-Length is not a number"));
        }
        // Saturating: any number past the body limit is refused with 413 anyway.
        let length = text.iter().fold(0usize, |n, &d| {
            n.saturating_mul(10).saturating_add(usize::from(d - b'0'))
        });
        match self.content_length {
            Some(earlier) if earlier != length => {
                Err(ParseError::bad("conflicting Content-Length fields"))
            }
            _ => {
                self.content_length = Some(length);
                Ok(())
            }
        }
    }

    /// The body rules, checked once the whole head is in.
    fn end_of_head(&self) -> Result<(), ParseError> {
        if self.chunked {
            // This server reads bodies by Content-Length only. Asking for one is what 411
            // Length Required means (RFC 9110 §15.5.12); nginx answered chunked bodies the
            // same way before it learned to decode them.
            return Err(ParseError {
                status: Status::LENGTH_REQUIRED,
                why: "Transfer-Encoding is not supported; send Content-Length",
            });
        }
        if self.body_len() > self.limits.max_body {
            return Err(ParseError {
                status: Status::CONTENT_TOO_LARGE,
                why: "Content-Length over the limit",
            });
        }
        Ok(())
    }

    fn body_len(&self) -> usize {
        self.content_length.unwrap_or(0)
    }
}

/// A complete request, borrowing the connection's bytes.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    buf: &'a [u8],
    parser: &'a RequestParser,
}

impl<'a> Request<'a> {
    /// The method, e.g. `GET`.
    pub fn method(&self) -> &'a str {
        ascii(&self.buf[self.parser.method.clone()])
    }

    /// The request target as sent, e.g. `/network?x=1`.
    pub fn target(&self) -> &'a str {
        ascii(&self.buf[self.parser.target.clone()])
    }

    /// The target without its query string: what the server routes on.
    pub fn path(&self) -> &'a str {
        let target = self.target();
        target.split_once('?').map_or(target, |(path, _)| path)
    }

    /// The protocol version.
    pub fn version(&self) -> Version {
        self.parser.version
    }

    /// The value of the first header field called `name` (compared case-insensitively, as
    /// field names are; the C version did a case-sensitive prefix match).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    /// Every header field in order, as (name, value).
    pub fn headers(&self) -> impl Iterator<Item = (&'a str, &'a [u8])> + use<'a> {
        let buf = self.buf;
        self.parser
            .fields
            .iter()
            .map(move |f| (ascii(&buf[f.name.clone()]), &buf[f.value.clone()]))
    }

    /// The body (`Content-Length` bytes; empty without one).
    pub fn body(&self) -> &'a [u8] {
        let start = self.parser.head_len;
        &self.buf[start..start + self.parser.body_len()]
    }

    /// Whether the connection stays open after the response: HTTP/1.1 unless the client
    /// said `Connection: close`; HTTP/1.0 only if it said `Connection: keep-alive`.
    pub fn keep_alive(&self) -> bool {
        let parser = self.parser;
        !parser.close_asked && (parser.version == Version::Http11 || parser.keep_alive_asked)
    }

    /// How many bytes of the connection's input this request took (head and body): the
    /// amount to consume before parsing the next one.
    pub fn wire_len(&self) -> usize {
        self.parser.head_len + self.parser.body_len()
    }
}

/// The parser only lets `tchar` bytes into names and visible ASCII into the target, so this
/// never sees anything but ASCII.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// `tchar` from RFC 9110 §5.6.2: the characters allowed in methods and field names.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Optional whitespace (OWS) around a field value.
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

#[cfg(test)]
mod tests;
