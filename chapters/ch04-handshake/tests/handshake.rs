//! Lecture 04's programs, run as a learner runs them.

use std::net::{SocketAddr, TcpListener};

use testkit::{Process, Server, tools};

const MAKE_SOCKET: &str = env!("CARGO_BIN_EXE_make_socket");
const CONNECT_FAILURES: &str = env!("CARGO_BIN_EXE_connect_failures");

/// The output after the `socket(...) = fd N` line, with the fd number (which depends on what
/// the process inherited) replaced by `N`.
fn after_first_line(stdout: &[u8]) -> String {
    let text = String::from_utf8(stdout.to_vec()).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    let fd = first
        .strip_prefix("socket(AF_INET, SOCK_STREAM, 0) = fd ")
        .unwrap_or_else(|| panic!("{first}"));
    rest.replace(&format!("fd {fd}"), "fd N")
}

#[test]
fn make_socket_binds_and_reports_the_kernel_chosen_port() {
    let mut p = Process::start(MAKE_SOCKET, &["--port", "0"]);
    assert!(p.wait().success());
    let text = after_first_line(&p.stdout());
    let port = text
        .lines()
        .find_map(|l| l.strip_prefix("getsockname(fd N) = 127.0.0.1:"))
        .expect("a getsockname line")
        .parse::<u16>()
        .unwrap();
    assert_ne!(port, 0);
    assert_eq!(
        text,
        format!(
            "sockaddr_in {{\n  sin_family: AF_INET (2)\n  \
             sin_port:   bytes 00 00 = htons(0); in host order: 00 00\n  \
             sin_addr:   bytes 7f 00 00 01 = 127.0.0.1\n}}\n\
             bind(fd N, 127.0.0.1:0) = 0\n\
             getsockname(fd N) = 127.0.0.1:{port}\n\
             not listening: a connect to 127.0.0.1:{port} is refused; exiting closes the socket\n"
        )
    );
}

#[test]
fn make_socket_reports_a_port_in_use() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut p = Process::start(MAKE_SOCKET, &["--port", &port]);
    assert!(!p.wait().success());
    p.expect_stderr(&format!(
        "Error: bind 127.0.0.1:{port}\n\nCaused by:\n    Address already in use (os error 98)\n"
    ));
}

#[test]
fn make_socket_listen_accepts_a_real_client_on_a_new_fd() {
    let mut server = Server::start(MAKE_SOCKET, &["--port", "0", "--listen"]);
    let out = tools::nc(server.addr(), b"");
    assert!(out.is_empty());
    assert!(server.wait().success());
    let text = after_first_line(&server.stdout());
    let accept = text.lines().last().unwrap();
    let rest = accept
        .strip_prefix("accept(fd N) = fd ")
        .unwrap_or_else(|| panic!("{accept}"));
    let (fd, rest) = rest.split_once(" for ").unwrap();
    assert!(fd.parse::<u32>().is_ok(), "{accept}");
    let (peer, rest) = rest.split_once(';').unwrap();
    assert!(peer.parse::<SocketAddr>().unwrap().ip().is_loopback());
    assert_eq!(rest, " fd N still listens");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn refused_is_reported_with_its_errno() {
    let mut p = Process::start(CONNECT_FAILURES, &["refused"]);
    assert!(p.wait().success());
    let text = String::from_utf8(p.stdout()).unwrap();
    let addr = text
        .strip_prefix("refused: ")
        .and_then(|t| t.split_once(' '))
        .map(|(a, _)| a.to_string())
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        text,
        format!(
            "refused: {addr} is bound but not listening\n\
             connect to {addr}: Connection refused (os error 111)\n  \
             ECONNREFUSED: the peer's kernel answered our SYN with RST, so nothing listens on that port\n"
        )
    );
}

#[test]
fn a_full_accept_queue_makes_connect_time_out() {
    let mut p = Process::start(
        CONNECT_FAILURES,
        &["timeout", "--backlog", "1", "--timeout-ms", "200"],
    );
    assert!(p.wait().success());
    let text = String::from_utf8(p.stdout()).unwrap();
    let addr = text
        .strip_prefix("timeout: ")
        .and_then(|t| t.split_once(' '))
        .map(|(a, _)| a.to_string())
        .unwrap_or_else(|| panic!("{text}"));
    let ok = "  established: the three-way handshake completed\n";
    assert_eq!(
        text,
        format!(
            "timeout: {addr} listens with backlog 1 and never calls accept\n\
             connect #1 to {addr}: ok\n{ok}\
             connect #2 to {addr}: ok\n{ok}\
             connect #3 to {addr}: no answer within 200 ms\n  \
             timeout: no SYN+ACK within 200 ms; the SYN or its answer was dropped\n  \
             the accept queue is full (backlog 1 + 1 = 2 waiting), so the kernel drops new SYNs;\n  \
             without a timer, connect(2) would retransmit for about two minutes before failing with ETIMEDOUT\n"
        )
    );
}

#[test]
fn to_explains_success_and_refusal() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let mut p = Process::start(CONNECT_FAILURES, &["to", &addr]);
    assert!(p.wait().success());
    assert_eq!(
        String::from_utf8(p.stdout()).unwrap(),
        format!("connect to {addr}: ok\n  established: the three-way handshake completed\n")
    );

    let closed = format!("127.0.0.1:{}", free_port());
    let mut p = Process::start(CONNECT_FAILURES, &["to", &closed]);
    assert!(p.wait().success());
    p.expect_stdout(&format!(
        "connect to {closed}: Connection refused (os error 111)\n  ECONNREFUSED: "
    ));
}

#[test]
fn bad_arguments_get_a_clear_error_not_a_panic() {
    let mut p = Process::start(CONNECT_FAILURES, &["to", "not-an-address"]);
    assert!(!p.wait().success());
    p.expect_stderr("invalid value 'not-an-address' for '<ADDR>'");
    assert!(!String::from_utf8_lossy(&p.stderr()).contains("panicked"));
}

#[test]
fn help_explains_the_flags() {
    for (bin, flag) in [
        (MAKE_SOCKET, "--listen"),
        (CONNECT_FAILURES, "--timeout-ms"),
    ] {
        let mut p = Process::start(bin, &["--help"]);
        assert!(p.wait().success());
        p.expect_stdout(flag);
    }
}
