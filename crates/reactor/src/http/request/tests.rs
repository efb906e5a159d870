//! Unit tests for the request parser: framing, validation, keep-alive rules, limits, and a
//! deterministic fuzz loop that feeds it random and mutated bytes.

use super::*;

const GET: &[u8] = b"GET /network?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n";

fn parser() -> RequestParser {
    RequestParser::new(Limits::default())
}

/// Parses `input` as one complete request and returns what the tests look at.
fn parse_one(input: &[u8]) -> Result<(String, String, Version, bool, usize), ParseError> {
    let mut p = parser();
    let request = p.parse(input)?.expect("a complete request");
    Ok((
        request.method().to_owned(),
        request.path().to_owned(),
        request.version(),
        request.keep_alive(),
        request.wire_len(),
    ))
}

fn status_of(input: &[u8]) -> u16 {
    let mut p = parser();
    match p.parse(input) {
        Err(e) => e.status.code(),
        Ok(r) => panic!("expected an error, got {r:?}"),
    }
}

#[test]
fn parses_a_complete_request() {
    let mut p = parser();
    let request = p.parse(GET).unwrap().unwrap();
    assert_eq!(request.method(), "GET");
    assert_eq!(request.target(), "/network?x=1");
    assert_eq!(request.path(), "/network");
    assert_eq!(request.version(), Version::Http11);
    assert_eq!(request.header("host"), Some(&b"127.0.0.1"[..]));
    assert_eq!(request.header("ACCEPT"), Some(&b"*/*"[..]));
    assert_eq!(
        request.header("Acc"),
        None,
        "no prefix matches, unlike the C"
    );
    let names: Vec<_> = request.headers().map(|(n, _)| n).collect();
    assert_eq!(names, ["Host", "Accept"]);
    assert!(request.body().is_empty());
    assert!(request.keep_alive());
    assert_eq!(request.wire_len(), GET.len());
}

#[test]
fn one_byte_at_a_time_completes_exactly_at_the_last_byte() {
    let mut p = parser();
    for end in 1..GET.len() {
        assert!(p.parse(&GET[..end]).unwrap().is_none(), "complete at {end}");
        assert!(p.in_progress());
    }
    let request = p.parse(GET).unwrap().unwrap();
    assert_eq!(request.path(), "/network");
    assert!(!p.in_progress());
}

#[test]
fn resumes_where_it_stopped_instead_of_rescanning() {
    let mut p = parser();
    assert!(p.parse(&GET[..20]).unwrap().is_none());
    assert_eq!(p.scanned, 20);
    assert!(p.parse(&GET[..30]).unwrap().is_none());
    // The request line ended at byte 26: the parser is now inside the Host line.
    assert_eq!(p.state, State::Headers);
    assert_eq!(p.line_start, 27);
    assert_eq!(p.scanned, 30);
}

#[test]
fn pipelined_requests_come_out_in_order() {
    let mut input = Vec::new();
    for i in 0..10 {
        input.extend_from_slice(format!("GET /{i} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
    }
    let mut p = parser();
    let mut consumed = 0;
    for i in 0..10 {
        let request = p.parse(&input[consumed..]).unwrap().unwrap();
        assert_eq!(request.path(), format!("/{i}"));
        consumed += request.wire_len();
    }
    assert_eq!(consumed, input.len());
    assert!(p.parse(&input[consumed..]).unwrap().is_none());
}

#[test]
fn a_pipelined_request_split_mid_way_waits_for_the_rest() {
    let input = [GET, GET].concat();
    let mut p = parser();
    let first = p
        .parse(&input[..GET.len() + 5])
        .unwrap()
        .unwrap()
        .wire_len();
    assert_eq!(first, GET.len());
    assert!(p.parse(&input[first..first + 5]).unwrap().is_none());
    assert!(p.parse(&input[first..]).unwrap().is_some());
}

#[test]
fn keep_alive_rules() {
    let cases: [(&[u8], bool); 7] = [
        (b"GET / HTTP/1.1\r\n\r\n", true),
        (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false),
        (b"GET / HTTP/1.1\r\nconnection: CLOSE\r\n\r\n", false),
        (b"GET / HTTP/1.0\r\n\r\n", false),
        (b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
        (
            b"GET / HTTP/1.0\r\nConnection: foo, keep-alive\r\n\r\n",
            true,
        ),
        (
            b"GET / HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n",
            false,
        ),
    ];
    for (input, keep) in cases {
        let (.., keep_alive, _) = parse_one(input).unwrap();
        assert_eq!(keep_alive, keep, "{}", input.escape_ascii());
    }
}

#[test]
fn bare_lf_and_leading_blank_lines_are_accepted() {
    let (method, path, version, ..) = parse_one(b"\r\n\nHEAD /a HTTP/1.0\nHost: x\n\n").unwrap();
    assert_eq!((method.as_str(), path.as_str()), ("HEAD", "/a"));
    assert_eq!(version, Version::Http10);
}

#[test]
fn header_values_lose_surrounding_whitespace_only() {
    let mut p = parser();
    let request = p
        .parse(b"GET / HTTP/1.1\r\nX-A:\t a  b \t\r\nX-B:\r\n\r\n")
        .unwrap()
        .unwrap();
    assert_eq!(request.header("x-a"), Some(&b"a  b"[..]));
    assert_eq!(request.header("x-b"), Some(&b""[..]));
}

#[test]
fn a_body_is_framed_by_content_length() {
    let input = b"POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n";
    let mut p = parser();
    let head = input.len() - b"helloGET / HTTP/1.1\r\n\r\n".len();
    assert!(
        p.parse(&input[..head + 4]).unwrap().is_none(),
        "body incomplete"
    );
    let request = p.parse(input).unwrap().unwrap();
    assert_eq!(request.body(), b"hello");
    let used = request.wire_len();
    assert_eq!(used, head + 5);
    assert_eq!(p.parse(&input[used..]).unwrap().unwrap().method(), "GET");
}

#[test]
fn repeated_equal_content_lengths_are_fine() {
    let input = b"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok";
    assert_eq!(parse_one(input).unwrap().4, input.len());
}

#[test]
fn malformed_requests_get_400() {
    let cases: [&[u8]; 16] = [
        b"hello\r\n",
        b"GET /\r\n\r\n",
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"GET  / HTTP/1.1\r\n\r\n",
        b"G(T / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/2.0\r\n\r\n",
        b"GET / http/1.1\r\n\r\n",
        b"GET /\0 HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
        b"GET / HTTP/1.1\r\n: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: a\0b\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    ];
    for input in cases {
        assert_eq!(status_of(input), 400, "{}", input.escape_ascii());
    }
    assert_eq!(
        status_of(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
        400
    );
    assert_eq!(
        status_of(b"POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"),
        400
    );
}

#[test]
fn errors_are_reported_as_soon_as_the_bad_line_is_in() {
    let mut p = parser();
    let err = p.parse(b"hello\r\nmore bytes that never end").unwrap_err();
    assert_eq!(err.status, Status::BAD_REQUEST);
    assert_eq!(err.why, "request line is not `METHOD TARGET VERSION`");
}

#[test]
fn an_oversized_head_gets_431_without_waiting_for_its_end() {
    let limits = Limits::default();
    let mut p = parser();
    let mut input = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
    input.resize(limits.max_head - 1, b'a');
    assert!(p.parse(&input).unwrap().is_none(), "just under the limit");
    input.push(b'a');
    assert_eq!(
        p.parse(&input).unwrap_err().status,
        Status::HEADER_FIELDS_TOO_LARGE
    );

    // A head of exactly the limit is fine.
    let mut exact = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
    exact.resize(limits.max_head - 4, b'a');
    exact.extend_from_slice(b"\r\n\r\n");
    assert_eq!(parse_one(&exact).unwrap().4, limits.max_head);

    // One whose lines all end, but only past the limit, is refused too.
    let mut long = exact.clone();
    long.insert(20, b'a');
    assert_eq!(status_of(&long), 431);
}

#[test]
fn too_many_fields_get_431() {
    let limits = Limits {
        max_headers: 3,
        ..Limits::default()
    };
    let input = b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
    let err = RequestParser::new(limits).parse(input).unwrap_err();
    assert_eq!(err.status, Status::HEADER_FIELDS_TOO_LARGE);
    assert!(RequestParser::new(limits).parse(&input[..36]).is_ok());
}

#[test]
fn body_rules_413_and_411() {
    let limits = Limits::default();
    let too_big = format!(
        "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
        limits.max_body + 1
    );
    assert_eq!(status_of(too_big.as_bytes()), 413);
    let huge = b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n";
    assert_eq!(status_of(huge), 413);
    let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
    assert_eq!(status_of(chunked), 411);
}

#[test]
fn the_header_table_is_reused_between_requests() {
    let mut p = parser();
    let input = b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n";
    p.parse(input).unwrap().unwrap();
    let capacity = p.fields.capacity();
    for _ in 0..1000 {
        assert_eq!(p.parse(input).unwrap().unwrap().headers().count(), 2);
    }
    assert_eq!(p.fields.capacity(), capacity);
}

/// xorshift64*: a tiny deterministic generator, so a failure reproduces exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Feeds `input` in random-sized pieces, then drains every pipelined request, checking the
/// parser's promises: no panic, only 4xx errors, and each request inside the input.
fn feed(rng: &mut Rng, input: &[u8], limits: Limits) {
    let mut p = RequestParser::new(limits);
    let mut start = 0;
    let mut end = 0;
    while end < input.len() {
        end = (end + 1 + rng.below(16)).min(input.len());
        loop {
            match p.parse(&input[start..end]) {
                Ok(Some(request)) => {
                    let len = request.wire_len();
                    assert!(len > 0 && start + len <= end);
                    let _ = (request.method(), request.path(), request.body());
                    let _ = (request.keep_alive(), request.headers().count());
                    start += len;
                }
                Ok(None) => break,
                Err(e) => {
                    assert!((400..500).contains(&e.status.code()));
                    return;
                }
            }
        }
    }
}

#[test]
fn fuzz_random_and_mutated_inputs_never_panic() {
    let seeds: [&[u8]; 4] = [
        GET,
        b"POST /f HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /x HTTP/1.1\r\n\r\n",
        b"\r\nHEAD /a?b HTTP/1.1\nX:\t y \n\n",
    ];
    let alphabet = b"GET /HTP1.0\r\n: \0\t?Content-Length";
    let limits = Limits {
        max_head: 64,
        max_headers: 4,
        max_body: 16,
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..20_000 {
        let mut input = seeds[round % seeds.len()].to_vec();
        if round % 3 == 0 {
            // Pure noise, mostly from bytes that matter to HTTP.
            input.clear();
            for _ in 0..rng.below(200) {
                input.push(if rng.below(4) == 0 {
                    rng.next() as u8
                } else {
                    alphabet[rng.below(alphabet.len())]
                });
            }
        } else {
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(input.len() + 1);
                match rng.below(3) {
                    0 if at < input.len() => input[at] = rng.next() as u8,
                    1 if at < input.len() => {
                        input.remove(at);
                    }
                    _ => input.insert(at, alphabet[rng.below(alphabet.len())]),
                }
            }
        }
        let limits = if round % 2 == 0 {
            limits
        } else {
            Limits::default()
        };
        feed(&mut rng, &input, limits);
    }
}
