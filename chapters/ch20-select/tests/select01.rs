//! select01, the client of lecture 20, against the chapter's server and a scripted peer.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use testkit::{Process, Server, TIMEOUT, procfs};

const CLIENT: &str = env!("CARGO_BIN_EXE_select01");
const SERVER: &str = env!("CARGO_BIN_EXE_selectserver");

fn client(port: u16) -> Process {
    Process::start(CLIENT, &["127.0.0.1", "--port", &port.to_string()])
}

#[test]
fn sends_each_line_and_prints_the_reply() {
    let server = Server::start(SERVER, &["--port", "0"]);
    let mut client = client(server.port());
    client.send(b"hello\n");
    assert_eq!(
        client.expect_stdout("uryyb\n"),
        "now sending hello\nsend bytes: 6 \nuryyb\n"
    );
    client.send(b"fasfasfasf\n");
    client.expect_stdout("now sending fasfasfasf\nsend bytes: 11 \nsnfsnfsnfs\n");
    client.close_stdin();
    // stdin's end half-closes; the server then closes, and the client exits cleanly.
    assert!(client.wait().success());
}

#[test]
fn at_stdin_eof_it_half_closes_keeps_reading_and_does_not_spin() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = client(listener.local_addr().unwrap().port());
    let (mut peer, _) = listener.accept().unwrap();
    peer.set_read_timeout(Some(TIMEOUT)).unwrap();
    client.close_stdin();

    // The client's FIN arrives: read returns 0.
    let mut buf = [0u8; 16];
    assert_eq!(peer.read(&mut buf).unwrap(), 0);

    let before = procfs::cpu_ticks(client.pid());
    thread::sleep(Duration::from_millis(500));
    let spent = procfs::cpu_ticks(client.pid()) - before;
    assert!(
        spent <= 5,
        "client used {spent} ticks in 0.5 s after stdin EOF"
    );

    // It still prints what the server sends, and exits when the server closes.
    peer.write_all(b"late reply\n").unwrap();
    client.expect_stdout("late reply\n");
    drop(peer);
    assert!(client.wait().success());
}

#[test]
fn server_closing_first_is_reported() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = client(listener.local_addr().unwrap().port());
    drop(listener.accept().unwrap());
    assert!(!client.wait().success());
    client.expect_stderr("server terminated");
}

#[test]
fn refused_connection_names_the_address() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut client = client(port);
    assert!(!client.wait().success());
    client.expect_stderr(&format!("connect to 127.0.0.1:{port}"));
    client.expect_stderr("Connection refused (os error 111)");
}
