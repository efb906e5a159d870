//! The lecture 11 experiments, run against the real `graceserver` and `graceclient`.

use std::io::Write;
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use testkit::procfs::cpu_ticks;
use testkit::{Client, Process, Server};

const SERVER: &str = env!("CARGO_BIN_EXE_graceserver");
const CLIENT: &str = env!("CARGO_BIN_EXE_graceclient");

fn server(delay_ms: &str) -> Server {
    Server::start(SERVER, &["--port", "0", "--delay-ms", delay_ms])
}

fn client(server: &Server) -> Process {
    Process::start(CLIENT, &["127.0.0.1", "--port", &server.port().to_string()])
}

/// Types `data1` and `data2` so that the server reads them as two messages.
fn send_data1_data2(server: &mut Server, client: &mut Process) {
    client.send(b"data1\n");
    client.expect_stdout("now sending data1\nsend bytes: 5\n");
    server.expect_stdout("received 5 bytes: data1\n");
    client.send(b"data2\n");
    client.expect_stdout("now sending data2\nsend bytes: 5\n");
}

#[test]
fn after_shutdown_the_delayed_replies_still_arrive_then_eof() {
    let mut server = server("300");
    let mut client = client(&server);
    send_data1_data2(&mut server, &mut client);
    client.send(b"shutdown\n");
    assert_eq!(
        client.expect_stdout("server terminated\n"),
        "Hi, data1\nHi, data2\nserver terminated\n"
    );
    assert!(client.wait().success());
    assert_eq!(
        server.expect_stdout("client closed\n"),
        "send bytes: 9\nreceived 5 bytes: data2\nsend bytes: 9\nclient closed\n"
    );
}

#[test]
fn after_close_the_replies_are_lost_and_the_server_gets_epipe() {
    // The close must reach the server while it still sleeps over data1: 1 s is plenty.
    let mut server = server("1000");
    let mut client = client(&server);
    send_data1_data2(&mut server, &mut client);
    client.send(b"close\n");
    assert!(client.wait().success());
    assert!(
        !String::from_utf8_lossy(&client.stdout()).contains("Hi,"),
        "a reply reached a closed socket: {:?}",
        String::from_utf8_lossy(&client.stdout())
    );
    // The first reply still "succeeds": it only had to reach the server's kernel. The
    // client's kernel answers it with RST, so the second reply fails with EPIPE.
    assert_eq!(
        server.expect_stdout("received 5 bytes: data2\n"),
        "send bytes: 9\nreceived 5 bytes: data2\n"
    );
    server.expect_stderr("error write: Broken pipe (os error 32)\n");
    // The server goes back to accept and serves the next client.
    let mut next = Client::connect(server.addr());
    next.send(b"again");
    next.expect(b"Hi, again");
}

#[test]
fn stdin_eof_half_closes_and_does_not_spin() {
    let mut server = server("1000");
    let mut client = client(&server);
    client.send(b"data1\n");
    server.expect_stdout("received 5 bytes: data1\n");
    client.close_stdin();
    // The reply is a second away: a client that spins on stdin EOF (as the C one does) burns
    // a whole CPU meanwhile, about 30 ticks in this window; a waiting one uses none.
    let before = cpu_ticks(client.pid());
    thread::sleep(Duration::from_millis(300));
    let used = cpu_ticks(client.pid()) - before;
    assert!(
        used <= 3,
        "graceclient used {used} ticks waiting for a reply"
    );
    assert_eq!(
        client.expect_stdout("server terminated\n"),
        "now sending data1\nsend bytes: 5\nHi, data1\nserver terminated\n"
    );
    assert!(client.wait().success());
}

#[test]
fn server_echoes_any_bytes_and_survives_a_reset() {
    let mut server = server("50");
    let mut garbage = Client::connect(server.addr());
    garbage.send(b"\xff\x00abc");
    garbage.expect(b"Hi, \xff\x00abc");
    // One client at a time: the next is accepted once this one leaves.
    drop(garbage);
    server.expect_stdout("client closed\n");

    let mut rude = Client::connect(server.addr());
    rude.send(b"data1");
    server.expect_stdout("received 5 bytes: data1\n");
    rude.reset();
    server.expect_stderr("error ");

    let mut next = Client::connect(server.addr());
    next.send(b"next");
    next.expect(b"Hi, next");
}

#[test]
fn client_prints_whatever_the_server_sends_without_panicking() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let mut client = Process::start(CLIENT, &["127.0.0.1", "--port", &port]);
    let (mut peer, _) = listener.accept().unwrap();
    peer.write_all(b"\xff\xfe bad utf-8").unwrap();
    drop(peer);
    client.expect_stdout("\u{fffd}\u{fffd} bad utf-8\nserver terminated\n");
    assert!(client.wait().success());
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(SERVER, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--delay-ms");
    let mut p = Process::start(CLIENT, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--port");
}
