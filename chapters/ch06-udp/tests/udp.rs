//! Lecture 06's scenarios, run against the real binaries.

use std::net::{SocketAddr, UdpSocket};
use std::process::Command;

use nix::sys::signal::Signal;
use testkit::{Process, Server, TIMEOUT, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_udpserver");
const CLIENT: &str = env!("CARGO_BIN_EXE_udpclient");

fn server() -> Server {
    Server::start(SERVER, &["--port", "0"])
}

/// A UDP socket on loopback whose reads time out.
fn peer() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(TIMEOUT)).unwrap();
    socket
}

/// Sends `message` to `to` and returns the answer.
fn exchange(socket: &UdpSocket, to: SocketAddr, message: &[u8]) -> Vec<u8> {
    socket.send_to(message, to).unwrap();
    let mut buf = vec![0u8; 65536];
    let (n, from) = socket.recv_from(&mut buf).expect("an answer");
    assert_eq!(from, to);
    buf.truncate(n);
    buf
}

fn client(port: u16, timeout_ms: &str) -> Process {
    Process::start(
        CLIENT,
        &[
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--timeout-ms",
            timeout_ms,
        ],
    )
}

#[test]
fn server_says_hi_to_each_datagram() {
    let mut server = server();
    let socket = peer();
    assert_eq!(exchange(&socket, server.addr(), b"g1"), b"Hi, g1");
    assert_eq!(exchange(&socket, server.addr(), b"g2"), b"Hi, g2");
    server.expect_stdout("received 2 bytes: g1\nreceived 2 bytes: g2\n");
}

#[test]
fn client_and_server_talk_as_in_the_lecture() {
    let mut server = server();
    let mut client = client(server.port(), "10000");
    client.send(b"g1\ng2\n");
    client.close_stdin();
    assert!(client.wait().success());
    assert_eq!(
        String::from_utf8(client.stdout()).unwrap(),
        "now sending g1\nsend bytes: 2\nHi, g1\nnow sending g2\nsend bytes: 2\nHi, g2\n"
    );
    server.expect_stdout("received 2 bytes: g1\nreceived 2 bytes: g2\n");
}

#[test]
fn ctrl_c_prints_the_datagram_count() {
    let mut server = server();
    let socket = peer();
    for message in [&b"g1"[..], b"g2", b"g3"] {
        exchange(&socket, server.addr(), message);
    }
    server.signal(Signal::SIGINT);
    assert!(server.wait().success());
    assert_eq!(
        String::from_utf8(server.stdout()).unwrap(),
        format!(
            "listening on {}\nreceived 2 bytes: g1\nreceived 2 bytes: g2\nreceived 2 bytes: g3\n\
             \nreceived 3 datagrams\n",
            server.addr()
        )
    );
}

#[test]
fn ctrl_c_before_any_datagram_counts_zero() {
    let mut server = server();
    server.signal(Signal::SIGINT);
    assert!(server.wait().success());
    assert_eq!(
        String::from_utf8(server.stdout()).unwrap(),
        format!("listening on {}\n\nreceived 0 datagrams\n", server.addr())
    );
}

#[test]
fn nc_as_the_client() {
    let server = server();
    let nc = tools::require("nc");
    let mut nc = Process::spawn(
        Command::new(nc)
            .args(["-u", "127.0.0.1"])
            .arg(server.port().to_string()),
    );
    // nc sends what it reads, newline included, and prints whatever comes back.
    nc.send(b"g1\n");
    nc.expect_stdout("Hi, g1\n");
}

#[test]
fn garbage_is_answered_byte_for_byte() {
    let mut server = server();
    let socket = peer();
    let garbage = [0xff, 0x00, 0xfe, b'\r', b'\n'];
    assert_eq!(
        exchange(&socket, server.addr(), &garbage),
        [&b"Hi, "[..], &garbage].concat()
    );
    assert_eq!(exchange(&socket, server.addr(), b""), b"Hi, ");
    server.expect_stdout("received 5 bytes: \u{fffd}\0\u{fffd}\r\n\n");
    server.expect_stdout("received 0 bytes: \n");
}

#[test]
fn oversized_datagram_is_reported_and_the_server_keeps_serving() {
    let mut server = server();
    let socket = peer();
    let local = socket.local_addr().unwrap();
    socket.send_to(&[b'x'; 5000], server.addr()).unwrap();
    server.expect_stderr(&format!(
        "datagram from {local} is longer than 4096 bytes: dropped\n"
    ));
    // Exactly the limit is fine.
    let max = vec![b'y'; 4096];
    assert_eq!(
        exchange(&socket, server.addr(), &max),
        [&b"Hi, "[..], &max].concat()
    );
    server.assert_running();
}

#[test]
fn client_without_a_server_times_out_and_goes_on() {
    // A port with nobody behind it: bind, note, close.
    let port = peer().local_addr().unwrap().port();
    let mut client = client(port, "200");
    client.send(b"g1\n");
    client.close_stdin();
    assert!(client.wait().success());
    assert_eq!(client.stdout(), b"now sending g1\nsend bytes: 2\n");
    client.expect_stderr(&format!(
        "no reply from 127.0.0.1:{port} within 200 ms: UDP cannot tell whether anyone is listening\n"
    ));
}

#[test]
fn client_ignores_datagrams_from_strangers() {
    let fake_server = peer();
    let port = fake_server.local_addr().unwrap().port();
    let mut client = client(port, "10000");
    client.send(b"g1\n");
    let mut buf = [0u8; 64];
    let (n, client_addr) = fake_server.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"g1");

    let stranger = peer();
    stranger.send_to(b"spoof", client_addr).unwrap();
    client.expect_stderr(&format!(
        "ignoring 5 bytes from {}: not the server\n",
        stranger.local_addr().unwrap()
    ));
    fake_server.send_to(b"Hi, g1", client_addr).unwrap();
    client.expect_stdout("send bytes: 2\nHi, g1\n");
}

#[test]
fn client_refuses_an_oversized_line_and_continues() {
    let server = server();
    let mut client = client(server.port(), "10000");
    client.send(&[b'z'; 5000]);
    client.send(b"\ng1\n");
    client.close_stdin();
    assert!(client.wait().success());
    client.expect_stderr("line of 5000 bytes is longer than 4096: not sent\n");
    assert_eq!(client.stdout(), b"now sending g1\nsend bytes: 2\nHi, g1\n");
}

#[test]
fn a_restarted_server_answers_the_same_client() {
    // No connection to lose: the client keeps its socket while the server restarts.
    let first = server();
    let port = first.port();
    let mut client = client(port, "10000");
    client.send(b"g5\n");
    client.expect_stdout("Hi, g5\n");
    drop(first);

    let _second = Server::start(SERVER, &["--port", &port.to_string()]);
    client.send(b"g6\n");
    client.expect_stdout("now sending g6\nsend bytes: 2\nHi, g6\n");
}

#[test]
fn help_explains_the_flags() {
    for (bin, flag) in [(SERVER, "--port"), (CLIENT, "--timeout-ms")] {
        let mut p = Process::start(bin, &["--help"]);
        assert!(p.wait().success());
        p.expect_stdout(flag);
    }
}
