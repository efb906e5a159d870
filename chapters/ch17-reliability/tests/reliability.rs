//! The lecture 17 experiments: every way a dead peer shows up in `read` and `write`.

use std::net::TcpListener;
use std::os::unix::process::ExitStatusExt;

use nix::sys::signal::Signal;
use testkit::{Process, Server};

const SERVER01: &str = env!("CARGO_BIN_EXE_reliable_server01");
const CLIENT01: &str = env!("CARGO_BIN_EXE_reliable_client01");
const SERVER02: &str = env!("CARGO_BIN_EXE_reliable_server02");
const CLIENT02: &str = env!("CARGO_BIN_EXE_reliable_client02");

fn client(program: &str, port: u16, extra: &[&str]) -> Process {
    let port = port.to_string();
    let mut args = vec!["127.0.0.1", "--port", &port];
    args.extend_from_slice(extra);
    Process::start(program, &args)
}

fn stderr(process: &Process) -> String {
    String::from_utf8_lossy(&process.stderr()).into_owned()
}

#[test]
fn echo_arrives_when_the_server_lives() {
    let server = Server::start(SERVER01, &["--port", "0", "--delay-ms", "10"]);
    let mut client = client(CLIENT01, server.port(), &[]);
    client.send(b"good\n");
    client.expect_stdout("good\n");
    client.close_stdin();
    assert!(client.wait().success());
}

#[test]
fn read_sees_eof_when_the_server_dies_with_nothing_unread() {
    let mut server = Server::start(SERVER01, &["--port", "0", "--delay-ms", "10000"]);
    let mut client = client(CLIENT01, server.port(), &[]);
    client.send(b"good\n");
    server.expect_stdout("read 5 bytes, echoing in 10000ms\n");
    // The server read everything, so its kernel closes the socket with a FIN.
    server.signal(Signal::SIGKILL);
    assert_eq!(client.wait().code(), Some(1));
    let err = stderr(&client);
    assert!(err.starts_with("Error: peer connection closed\n"), "{err}");
}

#[test]
fn read_sees_econnreset_when_the_server_dies_with_unread_data() {
    let mut server = Server::start(SERVER01, &["--port", "0", "--delay-ms", "10000"]);
    let mut client = client(CLIENT01, server.port(), &[]);
    let mut long_line = vec![b'x'; 2000];
    long_line.push(b'\n');
    client.send(&long_line);
    server.expect_stdout("read 1024 bytes");
    // 977 bytes are still unread: closing such a socket sends RST, not FIN (RFC 2525 §2.17).
    server.signal(Signal::SIGKILL);
    assert_eq!(client.wait().code(), Some(1));
    let err = stderr(&client);
    assert!(err.starts_with("Error: read failed\n"), "{err}");
    assert!(
        err.contains("Connection reset by peer (os error 104)"),
        "{err}"
    );
}

#[test]
fn send_sees_econnreset_when_the_reader_is_killed_mid_stream() {
    let mut server = Server::start(SERVER02, &["--port", "0", "--pause-ms", "1"]);
    let mut client = client(CLIENT02, server.port(), &[]);
    server.expect_stdout("1K read for 3\n");
    server.signal(Signal::SIGKILL);
    assert_eq!(client.wait().code(), Some(1));
    let err = stderr(&client);
    assert!(err.starts_with("Error: send error\n"), "{err}");
    assert!(err.contains("Connection reset by peer"), "{err}");
    client.expect_stdout("send into buffer 19\n");
}

/// A peer that accepts and closes at once, with nothing unread: it sends a FIN, and
/// answers the client's next segment with RST.
fn accept_and_close(listener: &TcpListener) {
    let (stream, _) = listener.accept().unwrap();
    drop(stream);
}

#[test]
fn second_send_after_the_peer_closed_gets_epipe() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut client = client(CLIENT02, port, &["--interval-ms", "300", "--count", "3"]);
    accept_and_close(&listener);
    assert_eq!(client.wait().code(), Some(1));
    // The first send is accepted (the peer's RST comes back afterwards); the socket was
    // in CLOSE_WAIT when the RST arrived, so Linux records EPIPE, not ECONNRESET.
    assert_eq!(client.stdout(), b"send into buffer 19\n");
    let err = stderr(&client);
    assert!(err.contains("Broken pipe (os error 32)"), "{err}");
}

#[test]
fn sigpipe_kills_a_client_that_restores_the_default_action() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let args = ["--interval-ms", "300", "--count", "3", "--sigpipe-default"];
    let mut client = client(CLIENT02, port, &args);
    accept_and_close(&listener);
    let status = client.wait();
    assert_eq!(status.signal(), Some(Signal::SIGPIPE as i32), "{status}");
    assert_eq!(client.stdout(), b"send into buffer 19\n");
    assert_eq!(stderr(&client), "");
}
