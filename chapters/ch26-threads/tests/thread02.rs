//! thread02: a fixed pool, a bounded queue, and what happens when the queue is full.

mod support;

use std::time::Duration;

use ch26::pool::BUSY_MESSAGE;
use support::{expect_closed, rot13, server};
use testkit::procfs::{self, TcpState};
use testkit::{Client, Process, TIMEOUT, eventually, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_thread02");

const SILENCE: Duration = Duration::from_millis(200);

#[test]
fn lecture_samples_come_back_only_once_the_line_is_complete() {
    let server = server(SERVER, &[]);
    let mut client = Client::connect(server.addr());
    client.send(b"afasfa");
    client.expect_silence(SILENCE);
    client.send(b"\r\n");
    client.expect(b"nsnfsn\r\n");
    assert_eq!(
        tools::nc(server.addr(), b"afadsfaf\nfafaf\n"),
        b"nsnqfsns\nsnsns\n"
    );
}

#[test]
fn logs_the_c_lines_with_newlines() {
    let mut server = server(SERVER, &[]);
    let mut client = Client::connect(server.addr());
    client.send(b"x\n");
    client.expect(b"k\n");
    server.expect_stdout("push fd ");
    server.expect_stdout("pop fd ");
    server.expect_stdout("get fd in thread, fd==");
    server.expect_stdout(", tid == ");
}

#[test]
fn four_workers_serve_twenty_parallel_clients_in_turn() {
    let mut server = server(SERVER, &["--workers", "4"]);
    let pid = server.pid();
    let port = server.port();
    // The workers start right after the announcement.
    assert!(
        eventually(TIMEOUT, || procfs::threads(pid) == 5),
        "expected the acceptor and four workers, got {} threads",
        procfs::threads(pid)
    );
    // Each client holds its worker until it leaves; the other sixteen wait in the queue.
    support::twenty_clients_in_parallel(server.addr());
    expect_closed(&mut server, 20);
    assert_eq!(
        procfs::count_tcp_state(port, TcpState::CloseWait),
        0,
        "server sockets: {:?}",
        procfs::tcp_states(port)
    );
    assert!(
        eventually(TIMEOUT, || procfs::tcp_states(port) == [TcpState::Listen]),
        "server sockets: {:?}",
        procfs::tcp_states(port)
    );
    assert_eq!(
        procfs::threads(pid),
        5,
        "the pool neither grows nor shrinks"
    );
}

/// Connects a client and waits until a worker serves it (it gets a reply).
fn served(server: &testkit::Server, line: &str) -> Client {
    let mut client = Client::connect(server.addr());
    client.send(format!("{line}\n").as_bytes());
    client.expect(&rot13(&format!("{line}\n")));
    client
}

#[test]
fn a_full_queue_refuses_the_newcomer_and_service_resumes_when_a_worker_frees() {
    let mut server = server(SERVER, &["--workers", "2", "--queue", "1"]);
    // Two idle clients hold both workers.
    let a = served(&server, "a");
    let b = served(&server, "b");
    // The third waits in the queue: accepted, but no worker reads it yet.
    let mut c = Client::connect(server.addr());
    server.expect_stdout("(1 waiting)\n");
    c.send(b"ccc\n");
    c.expect_silence(SILENCE);
    // The fourth finds the queue full: told so, and closed.
    let mut d = Client::connect(server.addr());
    d.expect(BUSY_MESSAGE);
    d.expect_eof();
    server.expect_stdout("queue full: refused 127.0.0.1:");

    // A leaves; its worker takes C, whose waiting line is answered at last.
    drop(a);
    c.expect(b"ppp\n");
    // The queue takes newcomers again.
    let mut e = Client::connect(server.addr());
    server.expect_stdout("(1 waiting)\n");
    e.send(b"eee\n");
    e.expect_silence(SILENCE);
    drop(b);
    e.expect(b"rrr\n");
    server.assert_running();
}

#[test]
fn when_full_wait_holds_the_newcomer_instead_of_refusing_it() {
    let mut server = server(
        SERVER,
        &["--workers", "1", "--queue", "1", "--when-full", "wait"],
    );
    let a = served(&server, "a");
    let mut b = Client::connect(server.addr());
    server.expect_stdout("(1 waiting)\n");
    b.send(b"bbb\n");
    // C is accepted, but the acceptor waits for room before queueing it (and accepts
    // nobody else meanwhile). C is not refused: it just hears nothing yet.
    let mut c = Client::connect(server.addr());
    server.expect_stdout("queue full: fd ");
    c.send(b"ccc\n");
    c.expect_silence(SILENCE);
    b.expect_silence(SILENCE);

    drop(a);
    b.expect(b"ooo\n");
    server.expect_stdout("(1 waiting)\n");
    drop(b);
    c.expect(b"ppp\n");
}

#[test]
fn a_client_reset_never_kills_a_worker() {
    // One worker: if the reset killed it (or the process), nobody would serve B.
    let mut server = server(SERVER, &["--workers", "1"]);
    let mut a = served(&server, "abc");
    a.send(b"half a line");
    a.reset();
    server.expect_stderr("Connection reset by peer (os error 104)\n");
    let mut b = served(&server, "still here");
    b.send(b"again\n");
    b.expect(b"ntnva\n");
    server.assert_running();
    assert_eq!(procfs::threads(server.pid()), 2);
}

#[test]
fn out_of_descriptors_the_server_keeps_serving_without_spinning() {
    support::out_of_descriptors_keeps_serving(SERVER, &["--workers", "4", "--queue", "100"]);
}

#[test]
fn the_pool_and_queue_sizes_must_be_positive() {
    for args in [["--workers", "0"], ["--queue", "0"]] {
        let mut p = Process::start(SERVER, &args);
        assert!(!p.wait().success());
        p.expect_stderr("invalid value '0'");
    }
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(SERVER, &["--help"]);
    assert!(p.wait().success());
    for flag in ["--port", "--workers", "--queue", "--when-full"] {
        p.expect_stdout(flag);
    }
}
