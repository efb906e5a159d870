//! The lecture 10 experiment: the active closer holds TIME_WAIT; SO_LINGER {1,0} resets instead.

use std::io::{ErrorKind, Read};

use testkit::procfs::{TcpState, count_tcp_state, tcp_states};
use testkit::{Client, Process, Server, TIMEOUT, eventually};

const TIMEWAIT: &str = env!("CARGO_BIN_EXE_timewait");

#[test]
fn server_that_closes_first_holds_time_wait_on_its_port() {
    let mut server = Server::start(TIMEWAIT, &["--port", "0"]);
    let port = server.port();
    let mut client = Client::connect(server.addr());
    client.send(b"hi\n");
    client.expect(ch10::REPLY);
    client.expect_eof();
    server.expect_stdout("first: TIME_WAIT will be on this side");
    // Until the client answers with its own FIN the server's end waits in FIN_WAIT_2.
    assert_eq!(count_tcp_state(port, TcpState::TimeWait), 0);
    drop(client);
    assert!(
        eventually(TIMEOUT, || count_tcp_state(port, TcpState::TimeWait) == 1),
        "no TIME_WAIT on port {port}: {:?}",
        tcp_states(port)
    );
}

#[test]
fn linger0_resets_the_peer_and_leaves_no_time_wait() {
    let mut server = Server::start(TIMEWAIT, &["--port", "0", "--linger0"]);
    let port = server.port();
    let mut client = Client::connect(server.addr());
    client.send(b"hi\n");
    // The reply left before the RST, so it is still delivered; then the read fails.
    client.expect(ch10::REPLY);
    let mut buf = [0u8; 64];
    let err = client
        .stream()
        .read(&mut buf)
        .expect_err("the RST must surface as an error, not as EOF");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    server.expect_stdout("SO_LINGER {1,0} sent RST, no TIME_WAIT");
    drop(client);
    // The RST took the server's end straight to CLOSED: only the listener is left.
    assert_eq!(tcp_states(port), vec![TcpState::Listen]);
}

#[test]
fn a_client_that_resets_at_once_does_not_stop_the_server() {
    let mut server = Server::start(TIMEWAIT, &["--port", "0"]);
    Client::connect(server.addr()).reset();
    let mut next = Client::connect(server.addr());
    next.send(b"hi\n");
    next.expect(ch10::REPLY);
    next.expect_eof();
    server.assert_running();
}

#[test]
fn a_client_that_closes_first_keeps_the_time_wait_itself() {
    let mut server = Server::start(TIMEWAIT, &["--port", "0"]);
    let port = server.port();
    let mut client = Client::connect(server.addr());
    client.shutdown_write();
    client.expect_eof();
    server.expect_stdout("closed first: the TIME_WAIT is on the client's side");
    let client_port = client.stream().local_addr().unwrap().port();
    drop(client);
    assert!(eventually(TIMEOUT, || {
        count_tcp_state(client_port, TcpState::TimeWait) == 1
    }));
    assert_eq!(count_tcp_state(port, TcpState::TimeWait), 0);
}

#[test]
fn help_explains_linger0() {
    let mut p = Process::start(TIMEWAIT, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--linger0");
}
