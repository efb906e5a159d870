//! The lecture 05 experiments, run against the real binaries.

use testkit::{Client, Process, Server, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_tcpserver");
const CLIENT: &str = env!("CARGO_BIN_EXE_tcpclient");

fn server() -> Server {
    Server::start(SERVER, &["--port", "0", "--pause-ms", "0"])
}

#[test]
fn client_sends_everything_and_server_reads_it_in_1k_records() {
    let mut server = server();
    let port = server.port().to_string();
    let mut client = Process::start(CLIENT, &["127.0.0.1", "--port", &port, "--size", "10240"]);
    assert!(client.wait().success());
    assert_eq!(client.stdout(), b"send into buffer 10240\n");

    let mut expected = String::new();
    for n in 1..=10 {
        expected += &format!("block in read\n1K read for {n}\n");
    }
    expected += "block in read\nclient ";
    assert_eq!(server.expect_stdout("client "), expected);
    assert!(
        server
            .expect_stdout("\n")
            .ends_with("closed after 10240 bytes\n")
    );
}

#[test]
fn clients_are_served_one_after_another() {
    let mut server = server();
    for _ in 0..2 {
        let mut client = Client::connect(server.addr());
        client.send(&[b'x'; 2048]);
        drop(client);
        server.expect_stdout("1K read for 2\n");
        server.expect_stdout("closed after 2048 bytes\n");
    }
}

#[test]
fn short_tail_is_reported_not_counted_as_1k() {
    let mut server = server();
    let out = tools::nc(server.addr(), b"hello");
    assert!(out.is_empty());
    server.expect_stdout("block in read\n5 bytes read for 1, then EOF\n");
    server.expect_stdout("closed after 5 bytes\n");
}

#[test]
fn reset_mid_transfer_is_reported_and_server_keeps_serving() {
    let mut server = server();
    let mut client = Client::connect(server.addr());
    client.send(&[b'x'; 1500]);
    server.expect_stdout("1K read for 1\n");
    client.reset();
    server.expect_stderr("Connection reset by peer (os error 104)\n");

    let mut next = Client::connect(server.addr());
    next.send(&[b'y'; 1024]);
    drop(next);
    server.expect_stdout("closed after 1024 bytes\n");
}

#[test]
fn client_reports_a_refused_connection() {
    // A port nobody listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let port = port.to_string();
    let mut client = Process::start(CLIENT, &["127.0.0.1", "--port", &port]);
    assert!(!client.wait().success());
    client.expect_stderr(&format!("connect to 127.0.0.1:{port}"));
    client.expect_stderr("Connection refused (os error 111)");
}

#[test]
fn help_explains_the_flags() {
    for bin in [SERVER, CLIENT] {
        let mut p = Process::start(bin, &["--help"]);
        assert!(p.wait().success());
        p.expect_stdout("--port");
    }
}
