//! The lecture 14 experiments: connected UDP sockets learn about ICMP port unreachable.

use std::net::UdpSocket;

use testkit::{Process, Server, TIMEOUT};

const SERVER: &str = env!("CARGO_BIN_EXE_udpconnectserver");
const CLIENT: &str = env!("CARGO_BIN_EXE_udpconnectclient");
const CLIENT02: &str = env!("CARGO_BIN_EXE_udpconnectclient02");

/// A UDP port nobody listens on: bind one, note it, close it.
fn closed_udp_port() -> String {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap().port().to_string()
}

fn client(bin: &str, port: &str) -> Process {
    Process::start(bin, &["127.0.0.1", "--port", port])
}

#[test]
fn connected_client_with_no_server_gets_connection_refused() {
    for (bin, call) in [(CLIENT, "recvfrom failed"), (CLIENT02, "recv failed")] {
        let mut client = client(bin, &closed_udp_port());
        client.send(b"g1\n");
        assert!(!client.wait().success());
        assert_eq!(client.stdout(), b"now sending g1\nsend bytes: 2\n");
        client.expect_stderr(call);
        client.expect_stderr("Connection refused (os error 111)");
    }
}

#[test]
fn the_server_talks_to_its_first_client_only() {
    let mut server = Server::start(SERVER, &["--port", "0"]);
    let port = server.port().to_string();

    let mut first = client(CLIENT, &port);
    first.send(b"g1\n");
    first.expect_stdout("now sending g1\nsend bytes: 2\nHi, g1\n");
    server.expect_stdout("received 2 bytes: g1\n");
    server.expect_stdout("send bytes: 6\n");

    // The server's socket is connected to the first client: nothing else matches g2, so the
    // kernel answers with ICMP port unreachable.
    let mut second = client(CLIENT02, &port);
    second.send(b"g2\n");
    assert!(!second.wait().success());
    assert_eq!(second.stdout(), b"now sending g2\nsend bytes: 2\n");
    second.expect_stderr("recv failed");
    second.expect_stderr("Connection refused (os error 111)");

    first.send(b"g3\n");
    first.expect_stdout("now sending g3\nsend bytes: 2\nHi, g3\n");
    first.send(b"goodbye\n");
    first.expect_stdout("Hi, goodbye\n");
    assert!(server.wait().success());
    assert!(!String::from_utf8_lossy(&server.stdout()).contains("g2"));
}

#[test]
fn server_survives_an_oversized_datagram_and_odd_bytes() {
    let mut server = Server::start(SERVER, &["--port", "0"]);
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(TIMEOUT)).unwrap();
    peer.connect(server.addr()).unwrap();
    let mut reply = vec![0u8; 70_000];

    peer.send(b"\xff\x00").unwrap();
    let n = peer.recv(&mut reply).unwrap();
    assert_eq!(&reply[..n], b"Hi, \xff\x00");

    // The largest datagram there is: the reply would be 4 bytes too big to send.
    peer.send(&vec![b'x'; ch14::MAX_DATAGRAM]).unwrap();
    server.expect_stderr("send failed: Message too long (os error 90)\n");

    peer.send(b"g3").unwrap();
    let n = peer.recv(&mut reply).unwrap();
    assert_eq!(&reply[..n], b"Hi, g3");
}

#[test]
fn client_prints_odd_reply_bytes_without_panicking() {
    let fake = UdpSocket::bind("127.0.0.1:0").unwrap();
    fake.set_read_timeout(Some(TIMEOUT)).unwrap();
    let port = fake.local_addr().unwrap().port().to_string();
    let mut client = client(CLIENT02, &port);
    client.send(b"g1\n");
    let mut buf = [0u8; 16];
    let (n, from) = fake.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"g1");
    fake.send_to(b"\xff\xfe!", from).unwrap();
    client.expect_stdout("\u{fffd}\u{fffd}!\n");
    client.close_stdin();
    assert!(client.wait().success());
}

#[test]
fn help_explains_the_flags() {
    for bin in [SERVER, CLIENT, CLIENT02] {
        let mut p = Process::start(bin, &["--help"]);
        assert!(p.wait().success());
        p.expect_stdout("--port");
    }
}
