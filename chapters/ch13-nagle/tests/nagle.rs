//! Lecture 13: writev keeps `hello,` and the line together; the latency demo runs all modes.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use ch13::latency::{self, EchoPeer, Mode};
use testkit::{Process, TIMEOUT};

const BATCHWRITE: &str = env!("CARGO_BIN_EXE_batchwrite");
const WRITEWRITEREAD: &str = env!("CARGO_BIN_EXE_writewriteread");

/// One read(2) from the server's side of the connection.
fn read_once(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).expect("read");
    buf[..n].to_vec()
}

#[test]
fn each_line_arrives_as_one_message_with_its_prefix() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let mut client = Process::start(BATCHWRITE, &["127.0.0.1", "--port", &port]);
    let (mut server, _) = listener.accept().unwrap();
    server.set_read_timeout(Some(TIMEOUT)).unwrap();

    client.send(b"world\n");
    assert_eq!(read_once(&mut server), b"hello,world\n");
    client.send(b"network\n");
    assert_eq!(read_once(&mut server), b"hello,network\n");
    client.close_stdin();
    assert!(client.wait().success());
    assert_eq!(
        read_once(&mut server),
        b"",
        "batchwrite should close at end of input"
    );
}

#[test]
fn writewriteread_prints_every_mode() {
    let mut p = Process::start(WRITEWRITEREAD, &["--rounds", "2"]);
    assert!(
        p.wait().success(),
        "{}",
        String::from_utf8_lossy(&p.stderr())
    );
    let out = String::from_utf8(p.stdout()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    for (line, mode) in lines.iter().zip(Mode::ALL) {
        assert!(line.starts_with(&format!("{}:", mode.label())), "{line}");
        assert!(line.ends_with("over 2 round trips"), "{line}");
    }
}

#[test]
fn every_mode_gets_one_reply_per_request() {
    let peer = EchoPeer::spawn().unwrap();
    for mode in Mode::ALL {
        assert_eq!(latency::measure(peer.addr(), mode, 3, 10).unwrap().len(), 3);
    }
}

#[test]
fn the_peer_drops_oversized_and_cut_short_requests_and_keeps_serving() {
    let peer = EchoPeer::spawn().unwrap();
    let mut huge = TcpStream::connect(peer.addr()).unwrap();
    huge.set_read_timeout(Some(TIMEOUT)).unwrap();
    huge.write_all(&u32::MAX.to_be_bytes()).unwrap();
    assert_eq!(read_once(&mut huge), b"");

    let mut half = TcpStream::connect(peer.addr()).unwrap();
    half.set_read_timeout(Some(TIMEOUT)).unwrap();
    half.write_all(&[0, 0, 0, 10, b'x']).unwrap();
    half.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(read_once(&mut half), b"");

    assert_eq!(
        latency::measure(peer.addr(), Mode::Writev, 1, 10)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(WRITEWRITEREAD, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--rounds");
    let mut p = Process::start(BATCHWRITE, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--port");
}
