//! The lecture 15 experiments: restart a server whose old connection is in TIME_WAIT.

use nix::sys::signal::Signal;
use testkit::procfs::{TcpState, count_tcp_state, tcp_states};
use testkit::{Client, Process, Server, TIMEOUT, eventually};

const ADDRESSUSED: &str = env!("CARGO_BIN_EXE_addressused");
const ADDRESSUSED02: &str = env!("CARGO_BIN_EXE_addressused02");

/// Experiment B: a client talks to `bin`, the server is killed (so it closes first), the
/// client closes too. Returns the port, whose server-side end is now in TIME_WAIT.
fn kill_server_during_a_connection(bin: &str) -> u16 {
    let mut server = Server::start(bin, &["--port", "0"]);
    let port = server.port();
    let mut client = Client::connect(server.addr());
    client.send(b"network\r\n");
    server.expect_stdout("received 9 bytes: network\n");
    // SIGTERM rather than SIGINT: a shell may start background jobs with SIGINT ignored.
    server.signal(Signal::SIGTERM);
    server.wait();
    // The kernel closed the dead server's socket with a FIN; our FIN completes the close.
    client.expect_eof();
    drop(client);
    assert!(
        eventually(TIMEOUT, || count_tcp_state(port, TcpState::TimeWait) == 1),
        "no TIME_WAIT on {port}: {:?}",
        tcp_states(port)
    );
    port
}

fn start_on(bin: &str, port: u16) -> Process {
    Process::start(bin, &["--port", &port.to_string()])
}

#[test]
fn without_reuseaddr_a_restart_fails_with_address_in_use() {
    let port = kill_server_during_a_connection(ADDRESSUSED);
    let mut restarted = start_on(ADDRESSUSED, port);
    assert!(!restarted.wait().success());
    restarted.expect_stderr(&format!("bind failed (127.0.0.1:{port})"));
    restarted.expect_stderr("Address already in use (os error 98)");
}

#[test]
fn with_reuseaddr_a_restart_succeeds() {
    let port = kill_server_during_a_connection(ADDRESSUSED02);
    let mut restarted = Server::from_process(start_on(ADDRESSUSED02, port));
    assert_eq!(restarted.port(), port);
    let mut client = Client::connect(restarted.addr());
    client.send(b"good\r\n");
    restarted.expect_stdout("received 6 bytes: good\n");
}

#[test]
fn reuse_must_be_on_for_the_old_socket_and_the_new_one() {
    // TIME_WAIT left by a server without the option blocks even a server with it...
    let port = kill_server_during_a_connection(ADDRESSUSED);
    let mut with_reuse = start_on(ADDRESSUSED02, port);
    assert!(!with_reuse.wait().success());
    with_reuse.expect_stderr("Address already in use (os error 98)");
    // ...and TIME_WAIT left by a server with it blocks a new server without it.
    let port = kill_server_during_a_connection(ADDRESSUSED02);
    let mut without = start_on(ADDRESSUSED, port);
    assert!(!without.wait().success());
    without.expect_stderr("Address already in use (os error 98)");
}

#[test]
fn when_the_client_closes_first_a_restart_just_works() {
    let mut server = Server::start(ADDRESSUSED, &["--port", "0"]);
    let port = server.port();
    let mut client = Client::connect(server.addr());
    client.send(b"network\r\n");
    server.expect_stdout("received 9 bytes: network\n");
    drop(client);
    server.expect_stdout("client closed\n");
    // The client holds the TIME_WAIT; once the server's end is gone only the listener is left.
    assert!(eventually(TIMEOUT, || tcp_states(port) == [TcpState::Listen]));
    server.signal(Signal::SIGTERM);
    server.wait();
    let restarted = Server::from_process(start_on(ADDRESSUSED, port));
    assert_eq!(restarted.port(), port);
}

#[test]
fn reuseaddr_never_allows_two_listeners() {
    let first = Server::start(ADDRESSUSED02, &["--port", "0"]);
    let mut second = start_on(ADDRESSUSED02, first.port());
    assert!(!second.wait().success());
    second.expect_stderr("Address already in use (os error 98)");
}

#[test]
fn odd_bytes_and_resets_do_not_stop_the_server() {
    let mut server = Server::start(ADDRESSUSED, &["--port", "0"]);
    let mut odd = Client::connect(server.addr());
    odd.send(b"\xff\x00\n");
    server.expect_stdout("received 3 bytes: \u{fffd}\0\n");
    odd.reset();
    server.expect_stderr("error read: Connection reset by peer (os error 104)\n");
    let mut next = Client::connect(server.addr());
    next.send(b"good\r\n");
    server.expect_stdout("received 6 bytes: good\n");
}

#[test]
fn help_explains_the_flags() {
    for bin in [ADDRESSUSED, ADDRESSUSED02] {
        let mut p = Process::start(bin, &["--help"]);
        assert!(p.wait().success());
        p.expect_stdout("--port");
    }
}
