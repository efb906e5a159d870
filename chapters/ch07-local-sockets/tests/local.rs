//! Lecture 07's experiments, run against the real binaries.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::Command;

use std::os::fd::AsFd;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::Signal;
use testkit::{Process, Server, TIMEOUT, tools};

const STREAM_SERVER: &str = env!("CARGO_BIN_EXE_unixstreamserver");
const STREAM_CLIENT: &str = env!("CARGO_BIN_EXE_unixstreamclient");
const DATA_SERVER: &str = env!("CARGO_BIN_EXE_unixdataserver");
const DATA_CLIENT: &str = env!("CARGO_BIN_EXE_unixdataclient");

/// A fresh directory for one test's socket files, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("ch07-{}-{test}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn start(server: &str, path: &Path, extra: &[&str]) -> Server {
    let mut args = vec![path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let server = Server::start(server, &args);
    assert_eq!(server.listening(), path.to_str().unwrap());
    server
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

/// A raw stream connection with read timeouts.
fn connect(path: &Path) -> UnixStream {
    let stream = UnixStream::connect(path).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream
}

fn read_reply(stream: &mut UnixStream, len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    stream.read_exact(&mut buf).unwrap();
    buf
}

#[test]
fn stream_exchange_as_in_the_lecture() {
    let dir = Scratch::new("stream-exchange");
    let path = dir.path("unixstream.sock");
    let mut server = start(STREAM_SERVER, &path, &[]);
    let mut client = Process::start(STREAM_CLIENT, &[path.to_str().unwrap()]);
    client.send(b"g1\ng2\ng3\n");
    client.close_stdin();
    assert!(client.wait().success());
    assert_eq!(text(client.stdout()), "Hi, g1\nHi, g2\nHi, g3\n");
    server.expect_stdout("Receive: g1\nReceive: g2\nReceive: g3\nclient quit\n");
}

#[test]
fn stream_server_with_nc() {
    let dir = Scratch::new("stream-nc");
    let path = dir.path("s.sock");
    let mut server = start(STREAM_SERVER, &path, &[]);
    let nc = tools::require("nc");
    let mut nc = Process::spawn(Command::new(nc).arg("-NU").arg(&path));
    nc.send(b"hello\r\nworld\n");
    nc.close_stdin();
    assert!(nc.wait().success());
    assert_eq!(text(nc.stdout()), "Hi, hello\nHi, world\n");
    server.expect_stdout("Receive: hello\nReceive: world\nclient quit\n");
}

#[test]
fn once_exits_after_the_first_client_and_removes_its_file() {
    let dir = Scratch::new("once");
    let path = dir.path("s.sock");
    let mut server = start(STREAM_SERVER, &path, &["--once"]);
    let mut stream = connect(&path);
    stream.write_all(b"g1\n").unwrap();
    assert_eq!(read_reply(&mut stream, 7), b"Hi, g1\n");
    drop(stream);
    assert!(server.wait().success());
    server.expect_stdout("client quit\n");
    assert!(!path.exists());
}

#[test]
fn stale_socket_file_is_removed_with_a_message() {
    let dir = Scratch::new("stale");
    let path = dir.path("s.sock");
    drop(UnixListener::bind(&path).unwrap()); // leaves the file, like a killed server
    assert!(path.exists());
    let mut server = start(STREAM_SERVER, &path, &[]);
    server.expect_stderr(&format!(
        "removed stale socket file {} (no server behind it)\n",
        path.display()
    ));
    let mut stream = connect(&path);
    stream.write_all(b"g1\n").unwrap();
    assert_eq!(read_reply(&mut stream, 7), b"Hi, g1\n");
}

#[test]
fn killed_server_leaves_a_file_the_next_one_cleans_up() {
    let dir = Scratch::new("killed");
    let path = dir.path("d.sock");
    let first = start(DATA_SERVER, &path, &[]);
    first.signal(Signal::SIGKILL);
    drop(first);
    assert!(path.exists());
    let mut second = start(DATA_SERVER, &path, &[]);
    second.expect_stderr("removed stale socket file");
}

#[test]
fn live_server_and_regular_file_are_left_alone() {
    let dir = Scratch::new("live");
    let path = dir.path("s.sock");
    let _server = start(STREAM_SERVER, &path, &[]);
    for bin in [STREAM_SERVER, DATA_SERVER] {
        let mut second = Process::start(bin, &[path.to_str().unwrap()]);
        assert!(!second.wait().success());
        let expected = if bin == STREAM_SERVER {
            "a server is already running there"
        } else {
            "in use by a server of the other socket type (EPROTOTYPE)"
        };
        second.expect_stderr(&format!("Error: {}: {expected}\n", path.display()));
    }
    // The first server still answers.
    let mut stream = connect(&path);
    stream.write_all(b"ok\n").unwrap();
    assert_eq!(read_reply(&mut stream, 7), b"Hi, ok\n");

    let file = dir.path("notes.txt");
    fs::write(&file, "keep me").unwrap();
    let mut refused = Process::start(STREAM_SERVER, &[file.to_str().unwrap()]);
    assert!(!refused.wait().success());
    refused.expect_stderr(&format!(
        "Error: {} exists and is not a socket; refusing to remove it (choose another path)\n",
        file.display()
    ));
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn stream_client_without_a_server() {
    let dir = Scratch::new("no-server");
    let path = dir.path("nobody.sock");
    let mut client = Process::start(STREAM_CLIENT, &[path.to_str().unwrap()]);
    assert!(!client.wait().success());
    client.expect_stderr(&format!(
        "Error: connect to {}\n\nCaused by:\n    No such file or directory (os error 2)\n",
        path.display()
    ));
}

#[test]
fn stream_client_reports_a_server_that_quits() {
    let dir = Scratch::new("premature");
    let path = dir.path("s.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let mut client = Process::start(STREAM_CLIENT, &[path.to_str().unwrap()]);
    let (conn, _) = listener.accept().unwrap();
    drop(conn);
    client.send(b"g1\n");
    assert!(!client.wait().success());
    client.expect_stderr("server terminated prematurely");
}

#[test]
fn stream_client_against_a_datagram_server_gets_eprototype() {
    let dir = Scratch::new("prototype");
    let path = dir.path("d.sock");
    let _server = start(DATA_SERVER, &path, &[]);
    let mut client = Process::start(STREAM_CLIENT, &[path.to_str().unwrap()]);
    assert!(!client.wait().success());
    client.expect_stderr("Protocol wrong type for socket (os error 91)\n");
}

#[test]
fn stream_bad_peers_get_an_error_line_and_the_server_goes_on() {
    let dir = Scratch::new("bad-peers");
    let path = dir.path("s.sock");
    let mut server = start(STREAM_SERVER, &path, &[]);

    // A line longer than 4096 bytes.
    let mut long = connect(&path);
    long.write_all(&[b'x'; 5000]).unwrap();
    server.expect_stderr("client: line longer than 4096 bytes\n");
    drop(long);

    // Half a line, then close.
    let mut half = connect(&path);
    half.write_all(b"no newline").unwrap();
    drop(half);
    server.expect_stderr(
        "client: peer closed in the middle of a line (10 bytes without a newline)\n",
    );

    // Reset: close with the answer still unread in our receive queue. Wait until it is
    // there (poll says readable), so the server is back in read(2) when we close.
    let mut reset = connect(&path);
    reset.write_all(b"g1\n").unwrap();
    let mut fds = [PollFd::new(reset.as_fd(), PollFlags::POLLIN)];
    assert_eq!(poll(&mut fds, PollTimeout::from(10_000u16)).unwrap(), 1);
    drop(reset);
    server.expect_stderr("client: Connection reset by peer (os error 104)\n");

    // Garbage comes back byte for byte.
    let mut garbage = connect(&path);
    garbage.write_all(b"\xff\x00\xfe\n").unwrap();
    assert_eq!(read_reply(&mut garbage, 8), b"Hi, \xff\x00\xfe\n");
    server.assert_running();
}

/// The path the datagram client printed as its first line.
fn client_path(client: &mut Process) -> PathBuf {
    client.expect_stdout("bound to ");
    PathBuf::from(client.expect_stdout("\n").trim_end())
}

#[test]
fn datagram_exchange_as_in_the_lecture_and_client_path_removed() {
    let dir = Scratch::new("dgram-exchange");
    let path = dir.path("unixdata.sock");
    let mut server = start(DATA_SERVER, &path, &[]);
    let mut client = Process::start(DATA_CLIENT, &[path.to_str().unwrap()]);
    let own = client_path(&mut client);
    assert!(own.exists());
    client.send(b"g1\ng2\n");
    client.expect_stdout("now sending g1\nHi, g1\nnow sending g2\nHi, g2\n");
    client.close_stdin();
    assert!(client.wait().success());
    assert!(!own.exists());
    assert!(!own.parent().unwrap().exists());
    server.expect_stdout("Receive: g1\nnow sending: Hi, g1\nReceive: g2\nnow sending: Hi, g2\n");
}

#[test]
fn datagram_client_removes_its_path_on_ctrl_c() {
    let dir = Scratch::new("dgram-sigint");
    let path = dir.path("d.sock");
    let _server = start(DATA_SERVER, &path, &[]);
    let mut client = Process::start(DATA_CLIENT, &[path.to_str().unwrap()]);
    let own = client_path(&mut client);
    client.send(b"g1\n");
    client.expect_stdout("Hi, g1\n");
    client.signal(Signal::SIGINT);
    assert_eq!(client.wait().code(), Some(130));
    assert!(!own.exists());
    assert!(!own.parent().unwrap().exists());
}

#[test]
fn datagram_client_without_a_server_fails_and_cleans_up() {
    let dir = Scratch::new("dgram-no-server");
    let path = dir.path("nobody.sock");
    let mut client = Process::start(DATA_CLIENT, &[path.to_str().unwrap()]);
    let own = client_path(&mut client);
    client.send(b"g1\n");
    assert!(!client.wait().success());
    client.expect_stderr(&format!(
        "Error: sendto {}\n\nCaused by:\n    No such file or directory (os error 2)\n",
        path.display()
    ));
    assert!(!own.exists());
}

#[test]
fn datagram_server_with_nc() {
    let dir = Scratch::new("dgram-nc");
    let path = dir.path("d.sock");
    let mut server = start(DATA_SERVER, &path, &[]);
    let nc = tools::require("nc");
    // OpenBSD nc binds a temporary path of its own for -U -u, so it can get answers.
    let mut nc = Process::spawn(Command::new(nc).arg("-Uu").arg(&path));
    nc.send(b"g1\n");
    nc.expect_stdout("Hi, g1\n");
    server.expect_stdout("Receive: g1\n\nnow sending: Hi, g1\n\n");
}

#[test]
fn datagram_bad_peers_get_an_error_line_and_the_server_goes_on() {
    let dir = Scratch::new("dgram-bad");
    let path = dir.path("d.sock");
    let mut server = start(DATA_SERVER, &path, &[]);

    // Unbound sender: nowhere to answer.
    let unbound = UnixDatagram::unbound().unwrap();
    unbound.send_to(b"g1", &path).unwrap();
    server.expect_stderr(
        "datagram from an unbound socket: no address to answer (the client must bind a path)\n",
    );

    // Oversized.
    let me = dir.path("me.sock");
    let bound = UnixDatagram::bind(&me).unwrap();
    bound.set_read_timeout(Some(TIMEOUT)).unwrap();
    bound.send_to(&[b'x'; 5000], &path).unwrap();
    server.expect_stderr(&format!(
        "datagram from {} is longer than 4096 bytes: dropped\n",
        me.display()
    ));

    // Garbage and the empty datagram are answered byte for byte.
    let mut buf = [0u8; 64];
    bound.send_to(b"\xff\x00", &path).unwrap();
    let n = bound.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"Hi, \xff\x00");
    bound.send_to(b"", &path).unwrap();
    let n = bound.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"Hi, ");

    // A client that never reads: its queue fills and the server drops answers instead of
    // blocking.
    let deaf_path = dir.path("deaf.sock");
    let deaf = UnixDatagram::bind(&deaf_path).unwrap();
    deaf.set_write_timeout(Some(TIMEOUT)).unwrap();
    // The receive queue of a local datagram socket holds net.unix.max_dgram_qlen (10 by
    // default) datagrams; far more than that are sent here.
    for _ in 0..100 {
        deaf.send_to(b"hello", &path).unwrap();
    }
    server.expect_stderr(&format!(
        "sendto {}: the client is not reading its answers (its queue is full): answer dropped\n",
        deaf_path.display()
    ));

    // A client that went away.
    let gone_path = dir.path("gone.sock");
    let gone = UnixDatagram::bind(&gone_path).unwrap();
    gone.send_to(b"bye", &path).unwrap();
    drop(gone);
    fs::remove_file(&gone_path).unwrap();

    // And the server still answers everyone else.
    let fresh_path = dir.path("fresh.sock");
    let fresh = UnixDatagram::bind(&fresh_path).unwrap();
    fresh.set_read_timeout(Some(TIMEOUT)).unwrap();
    fresh.send_to(b"still there?", &path).unwrap();
    let n = fresh.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"Hi, still there?");
    server.assert_running();
}

#[test]
fn help_explains_the_arguments() {
    for bin in [STREAM_SERVER, STREAM_CLIENT, DATA_SERVER, DATA_CLIENT] {
        let mut p = Process::start(bin, &["--help"]);
        assert!(p.wait().success());
        p.expect_stdout("temp directory");
    }
}
