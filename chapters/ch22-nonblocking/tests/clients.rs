//! nonblockingconnect, errnotour and busypoll, run as a learner would run them.

use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

use socket2::{Domain, Socket, Type};
use testkit::{Client, Process, Server, TIMEOUT, eventually, procfs, tools};

const CONNECT: &str = env!("CARGO_BIN_EXE_nonblockingconnect");
const TOUR: &str = env!("CARGO_BIN_EXE_errnotour");
const BUSY: &str = env!("CARGO_BIN_EXE_busypoll");

fn connect(port: u16, timeout_ms: &str) -> Process {
    let port = port.to_string();
    Process::start(
        CONNECT,
        &["127.0.0.1", "--port", &port, "--timeout-ms", timeout_ms],
    )
}

#[test]
fn nonblocking_connect_to_a_listener_succeeds() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut client = connect(port, "2000");
    assert!(client.wait().success());
    client.expect_stdout("connect: EINPROGRESS, the handshake is under way\n");
    client.expect_stdout("poll: POLLOUT after ");
    client.expect_stdout(&format!(
        "SO_ERROR: 0, connected to 127.0.0.1:{port} from 127.0.0.1:"
    ));
}

#[test]
fn nonblocking_connect_reports_refused_through_so_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut client = connect(port, "2000");
    assert!(!client.wait().success());
    // A refused handshake also makes the socket writable: only SO_ERROR tells them apart.
    client.expect_stdout("connect: EINPROGRESS, the handshake is under way\n");
    client.expect_stdout("poll: POLLOUT|POLLERR|POLLHUP after ");
    client.expect_stdout("SO_ERROR: Connection refused (os error 111)\n");
    client.expect_stderr(&format!("connect to 127.0.0.1:{port}"));
}

#[test]
fn nonblocking_connect_times_out_against_a_full_backlog() {
    // listen(fd, 0) and never accept: once one connection waits in the accept queue, the
    // kernel drops further SYNs, so the next handshake never finishes.
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener
        .bind(
            &"127.0.0.1:0"
                .parse::<std::net::SocketAddr>()
                .unwrap()
                .into(),
        )
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let _queued = TcpStream::connect(addr).unwrap();
    let _stuck = TcpStream::connect_timeout(&addr, Duration::from_millis(100));
    let started = std::time::Instant::now();
    let mut client = connect(addr.port(), "300");
    assert!(!client.wait().success());
    assert!(started.elapsed() >= Duration::from_millis(300));
    client.expect_stdout("connect: EINPROGRESS, the handshake is under way\n");
    client.expect_stdout("poll: nothing after 300 ms\n");
    client.expect_stderr(&format!("connect to {addr}: timed out after 300 ms"));
}

#[test]
fn errno_tour_meets_every_result() {
    let mut tour = Process::start(TOUR, &[]);
    assert!(
        tour.wait().success(),
        "stderr: {}",
        String::from_utf8_lossy(&tour.stderr())
    );
    for line in [
        "read -> Err(WouldBlock): Resource temporarily unavailable (os error 11)\n",
        "write(4194304 bytes) -> Ok(",
        "then write -> Err(WouldBlock): Resource temporarily unavailable (os error 11)\n",
        "read -> Ok(0)\n",
        "read -> Err(ConnectionReset): Connection reset by peer (os error 104)\n",
        "write -> Err(BrokenPipe): Broken pipe (os error 32)\n",
        "read -> Err(Interrupted): Interrupted system call (os error 4)\n",
    ] {
        tour.expect_stdout(line);
    }
}

#[test]
fn busypoll_serves_but_spins() {
    let mut server = Server::start(BUSY, &["--port", "0", "--report-ms", "200"]);
    assert_eq!(tools::nc(server.addr(), b"hello\n"), b"uryyb\n");
    let report = server.expect_stdout(" ms\n");
    let report = report.lines().last().unwrap();
    // "busy-poll: N passes, ..." with nothing to do: thousands of passes in 0.2 s.
    let passes: u64 = report
        .strip_prefix("busy-poll: ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected report: {report}"));
    assert!(passes > 1000, "only {passes} passes: {report}");
}

#[test]
fn busypoll_survives_running_out_of_descriptors() {
    // It spins by design, so only "keeps serving" and "recovers" are checked here.
    let mut server = Server::start_with_fd_limit(BUSY, &["--port", "0", "--sleep-us", "1000"], 32);
    let mut first = Client::connect(server.addr());
    first.send(b"aaa\n");
    first.expect(b"nnn\n");
    let extra: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect_timeout(&server.addr(), TIMEOUT).unwrap())
        .collect();
    server.expect_stderr("Too many open files");
    first.send(b"aaa\n");
    first.expect(b"nnn\n");
    drop(extra);
    let pid = server.pid();
    assert!(eventually(TIMEOUT, || procfs::open_fds(pid) < 16));
    let mut late = Client::connect(server.addr());
    late.send(b"aaa\n");
    late.expect(b"nnn\n");
}

#[test]
fn help_explains_the_flags() {
    for (bin, flag) in [(CONNECT, "--timeout-ms"), (BUSY, "--sleep-us")] {
        let mut p = Process::start(bin, &["--help"]);
        assert!(p.wait().success());
        p.expect_stdout(flag);
    }
    let mut p = Command::new(env!("CARGO_BIN_EXE_nonblockingserver"));
    let out = p.arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("--blocking-listener"));
}
