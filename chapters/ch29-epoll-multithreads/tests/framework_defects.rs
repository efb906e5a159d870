//! The framework's regression suite: one test per defect of the C framework (lecture 35,
//! seed §4.11), each run against the real `epoll-server-multithreads` with every
//! dispatcher. Each test fails on a framework that has the defect.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use nix::sys::signal::Signal;
use testkit::procfs::{self, TcpState};
use testkit::{Client, Server, TIMEOUT, eventually};

const SERVER: &str = env!("CARGO_BIN_EXE_epoll-server-multithreads");

fn start(dispatcher: &str, threads: &str, extra: &[&str]) -> Server {
    let mut args = vec![
        "--port",
        "0",
        "--dispatcher",
        dispatcher,
        "--threads",
        threads,
    ];
    args.extend_from_slice(extra);
    Server::start(SERVER, &args)
}

/// One request and its rot13 reply.
fn round_trip(client: &mut Client, text: &str) {
    client.send(text.as_bytes());
    client.expect(&common::rot13(text.as_bytes()));
}

/// Defect 1: the C never closed a connection's socket (CLOSE_WAIT forever, one fd leaked per
/// connection).
fn finished_connections_leave_no_fd_and_no_close_wait(dispatcher: &str) {
    let server = start(dispatcher, "2", &[]);
    let (pid, port) = (server.pid(), server.port());
    let mut first = Client::connect(server.addr());
    round_trip(&mut first, "warm up\n");
    let with_one = procfs::open_fds(pid);
    drop(first);
    assert!(
        eventually(TIMEOUT, || procfs::open_fds(pid) == with_one - 1),
        "the first connection's fd was not closed"
    );
    let baseline = with_one - 1;

    for i in 0..20 {
        let mut c = Client::connect(server.addr());
        round_trip(&mut c, &format!("session {i}\n"));
    }
    // Half-closing clients too (nc -N style): they get their reply, then the server closes.
    for _ in 0..5 {
        let mut c = TcpStream::connect(server.addr()).unwrap();
        c.set_read_timeout(Some(TIMEOUT)).unwrap();
        c.write_all(b"bye\n").unwrap();
        c.shutdown(std::net::Shutdown::Write).unwrap();
        let mut reply = Vec::new();
        c.read_to_end(&mut reply).unwrap();
        assert_eq!(reply, b"olr\n");
    }
    assert!(
        eventually(TIMEOUT, || procfs::open_fds(pid) == baseline
            && procfs::count_tcp_state(port, TcpState::CloseWait) == 0),
        "fds {} (baseline {baseline}), CLOSE_WAIT {}",
        procfs::open_fds(pid),
        procfs::count_tcp_state(port, TcpState::CloseWait)
    );
}

/// Defect 2: the first partial write deadlocked the C sub-reactor (a pointer cast to the
/// wrong type, then a lock on garbage). Here a client that sends 8 MB without reading gets
/// every byte back later, and a second client on the same (only) sub-reactor is served in
/// the meantime.
fn a_slow_reader_gets_everything_and_does_not_block_its_thread(dispatcher: &str) {
    const SIZE: usize = 8 * 1024 * 1024;
    let server = start(dispatcher, "1", &[]);
    let data: Vec<u8> = (0..SIZE).map(|i| b'a' + (i % 26) as u8).collect();

    let mut slow = TcpStream::connect(server.addr()).unwrap();
    slow.set_read_timeout(Some(TIMEOUT)).unwrap();
    slow.set_write_timeout(Some(TIMEOUT)).unwrap();
    let writer = {
        let mut slow = slow.try_clone().unwrap();
        let data = data.clone();
        // The server must keep reading while its replies pile up, or this write blocks.
        thread::spawn(move || slow.write_all(&data))
    };
    writer
        .join()
        .unwrap()
        .expect("the server kept reading the slow client");

    // The server now holds megabytes of output for `slow`, far beyond the socket buffers:
    // its writes have been partial for a while. The same thread still serves others.
    let mut other = Client::connect(server.addr());
    round_trip(&mut other, "hello\n");

    let mut got = vec![0u8; SIZE];
    slow.read_exact(&mut got).expect("every byte comes back");
    assert!(
        got == common::rot13(&data),
        "the echo is the rot13 of the input, in order"
    );
    round_trip(&mut other, "still served\n");
}

/// Defect 3: after an RST the C epoll dispatcher closed the fd without clearing the
/// channel map, so the next connection given the same fd number was never served.
fn the_connection_after_a_reset_reuses_the_fd_and_is_served(dispatcher: &str) {
    for threads in ["0", "1"] {
        let mut server = start(dispatcher, threads, &["--log"]);
        server.expect_stdout("[msg] event loop run, main thread\n");
        // Every loop exists once the main loop runs: nothing else opens descriptors.
        let baseline = procfs::open_fds(server.pid());

        let mut a = Client::connect(server.addr());
        round_trip(&mut a, "client a\n");
        server.expect_stdout("[msg] new connection established, socket == ");
        let fd_a = server.expect_stdout("\n");
        a.reset();
        server.expect_stdout("connection closed\n");
        assert!(
            eventually(TIMEOUT, || procfs::open_fds(server.pid()) == baseline),
            "a's socket was closed"
        );

        let mut b = Client::connect(server.addr());
        round_trip(&mut b, "client b\n");
        server.expect_stdout("[msg] new connection established, socket == ");
        let fd_b = server.expect_stdout("\n");
        assert_eq!(fd_a, fd_b, "the test needs b to get a's fd number");
        round_trip(&mut b, "and again\n");
    }
}

/// Defect 5: the C attached per-connection context from the acceptor thread after handing
/// the connection over, so a request that arrived first found none (the HTTP crash). Here
/// clients that send immediately after connecting always find the context `on_connection`
/// set (the server answers `[err]` and closes otherwise).
fn clients_that_send_at_once_find_their_context(dispatcher: &str) {
    let mut server = start(dispatcher, "4", &[]);
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let addr = server.addr();
            thread::spawn(move || {
                for i in 0..10 {
                    let mut c = Client::connect(addr);
                    round_trip(&mut c, &format!("thread {t} client {i}\n"));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    server.assert_running();
    assert!(
        server.stderr().is_empty(),
        "{}",
        String::from_utf8_lossy(&server.stderr())
    );
}

/// Defect 9: the C ignored accept's errors: at EMFILE it built a connection for fd -1 and,
/// the listener staying readable, did so again in a busy loop until it crashed. Here the
/// spare-fd trick refuses the extra clients, the CPU stays idle, and the server recovers.
fn more_clients_than_fds_neither_crash_nor_spin(dispatcher: &str) {
    let mut server = Server::start_with_fd_limit(
        SERVER,
        &["--port", "0", "--dispatcher", dispatcher, "--threads", "2"],
        64,
    );
    let pid = server.pid();
    let mut clients: Vec<Client> = (0..100).map(|_| Client::connect(server.addr())).collect();
    server.expect_stderr("Too many open files (os error 24)");

    let mut served = 0;
    for (i, c) in clients.iter_mut().enumerate().take(40) {
        round_trip(c, &format!("early {i}\n"));
        served += 1;
    }
    assert_eq!(served, 40, "the first clients got fds and are served");

    // Refused clients were closed, not left spinning in the accept queue.
    let before = procfs::cpu_ticks(pid);
    thread::sleep(Duration::from_millis(500));
    let used = procfs::cpu_ticks(pid) - before;
    assert!(
        used < 15,
        "{used} ticks of CPU in 0.5 s: the server is spinning"
    );
    server.assert_running();

    drop(clients);
    assert!(
        eventually(TIMEOUT, || procfs::open_fds(pid) < 20),
        "fds released"
    );
    let mut late = Client::connect(server.addr());
    round_trip(&mut late, "recovered\n");
}

/// The C loop could not be stopped (`quit` was never set). Here SIGTERM quits every loop,
/// closes every connection, joins every thread and exits 0.
fn sigterm_shuts_down_cleanly_and_joins_the_threads(dispatcher: &str) {
    let mut server = start(dispatcher, "3", &["--log"]);
    server.expect_stdout("[msg] event loop run, main thread\n");
    let mut clients: Vec<Client> = (0..3).map(|_| Client::connect(server.addr())).collect();
    for c in &mut clients {
        round_trip(c, "x\n");
    }
    server.signal(Signal::SIGTERM);
    assert!(server.wait().success(), "clean exit");
    let out = String::from_utf8_lossy(&server.stdout()).into_owned();
    for name in ["Thread-1", "Thread-2", "Thread-3", "main thread"] {
        assert!(
            out.contains(&format!("[msg] event loop end, {name}\n")),
            "{out}"
        );
    }
    assert_eq!(out.matches("connection closed\n").count(), 3, "{out}");
    for c in &mut clients {
        c.expect_eof();
    }
}

macro_rules! suite {
    ($($dispatcher:ident),*) => {$(
        mod $dispatcher {
            #[test]
            fn finished_connections_leave_no_fd_and_no_close_wait() {
                super::finished_connections_leave_no_fd_and_no_close_wait(stringify!($dispatcher));
            }
            #[test]
            fn a_slow_reader_gets_everything_and_does_not_block_its_thread() {
                super::a_slow_reader_gets_everything_and_does_not_block_its_thread(stringify!($dispatcher));
            }
            #[test]
            fn the_connection_after_a_reset_reuses_the_fd_and_is_served() {
                super::the_connection_after_a_reset_reuses_the_fd_and_is_served(stringify!($dispatcher));
            }
            #[test]
            fn clients_that_send_at_once_find_their_context() {
                super::clients_that_send_at_once_find_their_context(stringify!($dispatcher));
            }
            #[test]
            fn more_clients_than_fds_neither_crash_nor_spin() {
                super::more_clients_than_fds_neither_crash_nor_spin(stringify!($dispatcher));
            }
            #[test]
            fn sigterm_shuts_down_cleanly_and_joins_the_threads() {
                super::sigterm_shuts_down_cleanly_and_joins_the_threads(stringify!($dispatcher));
            }
        }
    )*};
}

suite!(poll, epoll, select);
