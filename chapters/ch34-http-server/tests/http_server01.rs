//! `http_server01` through the real binary: curl, ab, raw sockets, and the failures of the C
//! original (split requests, pipelining, `Connection: close`, 404 framing, malformed input,
//! the 989th request) each turned into an assertion.

use std::io::Write;
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use ch34::{INDEX_HTML, NETWORK_TEXT};
use testkit::{Client, Server, procfs, show, tools};

const EXE: &str = env!("CARGO_BIN_EXE_http_server01");

fn start(extra: &[&str]) -> Server {
    let mut args = vec!["--port", "0"];
    args.extend_from_slice(extra);
    Server::start(EXE, &args)
}

/// The exact bytes of a response from this server.
fn response(status: &str, content_type: &str, body: &str, keep_alive: bool) -> Vec<u8> {
    let connection = if keep_alive { "Keep-Alive" } else { "close" };
    format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: {content_type}\r\n\
         Connection: {connection}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn network(keep_alive: bool) -> Vec<u8> {
    response("200 OK", "text/plain", NETWORK_TEXT, keep_alive)
}

fn index(keep_alive: bool) -> Vec<u8> {
    response("200 OK", "text/html", INDEX_HTML, keep_alive)
}

fn not_found() -> Vec<u8> {
    response("404 Not Found", "text/plain", "", false)
}

fn error(status: &str) -> Vec<u8> {
    let reason = status.split_once(' ').unwrap().1;
    response(status, "text/plain", &format!("{reason}\n"), false)
}

/// One request on a fresh connection; asserts the exact reply and then what follows it.
fn exchange(addr: SocketAddr, request: &[u8], expected: &[u8], then_closed: bool) -> Client {
    let mut client = Client::connect(addr);
    client.send(request);
    client.expect(expected);
    if then_closed {
        client.expect_eof();
    }
    client
}

fn curl_output(args: &[&str]) -> String {
    let out = tools::curl(args);
    assert!(out.status.success(), "curl {args:?}: {}", show(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn curl_gets_the_page_the_text_and_a_404() {
    let server = start(&[]);
    let base = format!("http://{}", server.listening());
    assert_eq!(curl_output(&[&format!("{base}/")]), INDEX_HTML);
    assert_eq!(curl_output(&[&format!("{base}/network?x=1")]), NETWORK_TEXT);

    let head = curl_output(&["--include", &format!("{base}/network")]);
    assert_eq!(head.as_bytes(), network(true));

    let missing = curl_output(&["--include", &format!("{base}/missing")]);
    assert_eq!(missing.as_bytes(), not_found());
}

/// Runs `ab` and asserts every request completed and none failed.
fn assert_ab_clean(args: &[&str]) {
    let ab = tools::require("ab");
    let out = Command::new(ab).args(args).output().expect("run ab");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ab {args:?}: {text}{}",
        show(&out.stderr)
    );
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_else(|| panic!("ab printed no {name:?}: {text}"))
    };
    assert_eq!(field("Complete requests:"), "1000", "{text}");
    assert_eq!(field("Failed requests:"), "0", "{text}");
    assert_eq!(field("Document Length:"), "26 bytes", "{text}");
    assert!(!text.contains("Non-2xx responses"), "{text}");
}

#[test]
fn ab_http10_without_keep_alive_has_no_failures() {
    let server = start(&[]);
    let url = format!("http://{}/network", server.listening());
    assert_ab_clean(&["-n", "1000", "-c", "10", &url]);
}

#[test]
fn ab_with_keep_alive_has_no_failures() {
    let server = start(&[]);
    let url = format!("http://{}/network", server.listening());
    assert_ab_clean(&["-k", "-n", "1000", "-c", "10", &url]);
}

#[test]
fn http10_defaults_to_close_and_keeps_alive_on_request() {
    let server = start(&[]);
    exchange(
        server.addr(),
        b"GET /network HTTP/1.0\r\n\r\n",
        &network(false),
        true,
    );
    let mut client = exchange(
        server.addr(),
        b"GET /network HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        &network(true),
        false,
    );
    client.send(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    client.expect(&index(true));
}

#[test]
fn a_request_sent_one_byte_at_a_time_is_answered_once_complete() {
    let server = start(&[]);
    let request = b"GET /network?from=trickle HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut client = Client::connect(server.addr());
    client.stream().set_nodelay(true).unwrap();
    let (last, rest) = request.split_last().unwrap();
    for byte in rest {
        client.send(&[*byte]);
    }
    // Incomplete: no answer, and no thread spinning on it (the C burns a core here). A
    // tick is 10 ms of CPU time; a spinning thread would use about 30 in these 300 ms.
    let ticks = procfs::cpu_ticks(server.pid());
    client.expect_silence(Duration::from_millis(300));
    let used = procfs::cpu_ticks(server.pid()) - ticks;
    assert!(
        used < 10,
        "the server used {used} ticks waiting for the last byte"
    );
    client.send(&[*last]);
    client.expect(&network(true));
}

#[test]
fn ten_pipelined_requests_are_answered_in_order() {
    let server = start(&[]);
    let mut requests = Vec::new();
    let mut expected = Vec::new();
    for i in 0..10 {
        if i % 2 == 0 {
            requests.extend_from_slice(format!("GET /network?{i} HTTP/1.1\r\n\r\n").as_bytes());
            expected.extend_from_slice(&network(true));
        } else {
            requests.extend_from_slice(format!("GET /?{i} HTTP/1.1\r\n\r\n").as_bytes());
            expected.extend_from_slice(&index(true));
        }
    }
    let mut client = exchange(server.addr(), &requests, &expected, false);
    client.send(b"GET /network HTTP/1.1\r\n\r\n");
    client.expect(&network(true));
}

#[test]
fn a_body_is_consumed_and_the_next_request_still_parsed() {
    let server = start(&[]);
    let request = b"POST /network HTTP/1.1\r\nContent-Length: 11\r\n\r\nGET / HTTP/GET /network HTTP/1.1\r\n\r\n";
    let expected = [network(true), network(true)].concat();
    exchange(server.addr(), request, &expected, false);
}

#[test]
fn connection_close_really_closes_and_the_server_lives_on() {
    let mut server = start(&[]);
    // The second request rides in the same segment: it must not be answered.
    let both = b"GET /network HTTP/1.1\r\nconnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n";
    let mut client = exchange(server.addr(), both, &network(false), true);
    // Writing again to the closed connection: the server must not die of SIGPIPE.
    let _ = client.stream().write_all(b"GET / HTTP/1.1\r\n\r\n");
    client.expect_eof();
    exchange(
        server.addr(),
        b"GET / HTTP/1.1\r\n\r\n",
        &index(true),
        false,
    );
    server.assert_running();
}

#[test]
fn a_404_has_a_length_and_closes() {
    let server = start(&[]);
    exchange(
        server.addr(),
        b"GET /missing HTTP/1.1\r\n\r\n",
        &not_found(),
        true,
    );
    let closing = b"GET /nope?x HTTP/1.1\r\nConnection: close\r\n\r\n";
    exchange(server.addr(), closing, &not_found(), true);
}

#[test]
fn head_gets_the_headers_only() {
    let server = start(&[]);
    let mut expected = network(true);
    expected.truncate(expected.len() - NETWORK_TEXT.len());
    let mut client = exchange(
        server.addr(),
        b"HEAD /network HTTP/1.1\r\n\r\n",
        &expected,
        false,
    );
    client.send(b"GET /network HTTP/1.1\r\n\r\n");
    client.expect(&network(true));
}

#[test]
fn malformed_requests_get_4xx_and_a_close() {
    let mut server = start(&[]);
    let oversized = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(9000));
    let cases: [(&[u8], &str); 8] = [
        (b"hello\r\n", "400 Bad Request"),
        (b"GET /network\r\n\r\n", "400 Bad Request"),
        (b"GET / HTTP/9.9\r\n\r\n", "400 Bad Request"),
        (
            b"GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n",
            "400 Bad Request",
        ),
        (
            b"POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n",
            "400 Bad Request",
        ),
        (b"GET /\0 HTTP/1.1\r\n\r\n", "400 Bad Request"),
        (b"GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", "400 Bad Request"),
        (oversized.as_bytes(), "431 Request Header Fields Too Large"),
    ];
    for (request, status) in cases {
        exchange(server.addr(), request, &error(status), true);
    }
    let big_body = b"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n";
    exchange(
        server.addr(),
        big_body,
        &error("413 Content Too Large"),
        true,
    );
    let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    exchange(server.addr(), chunked, &error("411 Length Required"), true);
    exchange(
        server.addr(),
        b"GET / HTTP/1.1\r\n\r\n",
        &index(true),
        false,
    );
    server.assert_running();
}

#[test]
fn ten_thousand_requests_on_one_connection_are_all_right() {
    let server = start(&[]);
    let mut client = Client::connect(server.addr());
    client.stream().set_nodelay(true).unwrap();
    let expected = network(true);
    for i in 0..10_000 {
        client.send(format!("GET /network?n={i} HTTP/1.1\r\n\r\n").as_bytes());
        let got = client.read_exact(expected.len());
        assert!(got == expected, "request {i}: {}", show(&got));
    }
}

#[test]
fn a_slow_client_is_timed_out() {
    let server = start(&["--request-timeout-ms", "200"]);
    // Part of a request, then nothing: 408 and a close.
    let mut slow = Client::connect(server.addr());
    slow.send(b"GET /network HTTP/1.1\r\nHost: x\r\n");
    slow.expect(&error("408 Request Timeout"));
    slow.expect_eof();
    // No request at all (an idle keep-alive connection): closed without a word.
    let mut idle = exchange(
        server.addr(),
        b"GET / HTTP/1.1\r\n\r\n",
        &index(true),
        false,
    );
    idle.expect_eof();
    // A client that keeps sending whole requests is never cut off.
    let mut busy = Client::connect(server.addr());
    for _ in 0..5 {
        busy.send(b"GET /network HTTP/1.1\r\n\r\n");
        busy.expect(&network(true));
    }
}

#[test]
fn closed_connections_leave_no_descriptors_behind() {
    // `listening on` is printed before the I/O threads open their loops; once the main loop
    // runs, every loop exists and only connections open descriptors.
    let mut server = start(&["--log"]);
    server.expect_stdout("[msg] event loop run, main thread\n");
    let before = procfs::open_fds(server.pid());
    for i in 0..50 {
        match i % 3 {
            0 => drop(exchange(
                server.addr(),
                b"GET / HTTP/1.0\r\n\r\n",
                &index(false),
                true,
            )),
            1 => drop(exchange(
                server.addr(),
                b"bad\r\n",
                &error("400 Bad Request"),
                true,
            )),
            _ => exchange(
                server.addr(),
                b"GET / HTTP/1.1\r\n\r\n",
                &index(true),
                false,
            )
            .reset(),
        }
    }
    assert!(
        testkit::eventually(testkit::TIMEOUT, || procfs::open_fds(server.pid())
            <= before),
        "fds: {} before, {} after",
        before,
        procfs::open_fds(server.pid())
    );
}

#[test]
fn the_poll_dispatcher_and_a_single_thread_serve_the_same() {
    for args in [
        ["--dispatcher", "poll", "--threads", "0"],
        ["--dispatcher", "epoll", "--threads", "0"],
    ] {
        let server = start(&args);
        let requests = b"GET / HTTP/1.1\r\n\r\nGET /network HTTP/1.1\r\n\r\n";
        exchange(
            server.addr(),
            requests,
            &[index(true), network(true)].concat(),
            false,
        );
    }
}
