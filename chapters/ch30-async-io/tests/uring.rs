//! io_uring: the file demo and the proactor server, through the real binaries.
//!
//! Each test first checks that io_uring works here; where it does not (an old kernel, a
//! seccomp profile, `kernel.io_uring_disabled`), it prints why and returns.

use std::thread;

use testkit::{Client, Process, Server, TIMEOUT, eventually, procfs, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_uring-server");
const FILE: &str = env!("CARGO_BIN_EXE_uring-file");
const LOAD: &str = env!("CARGO_BIN_EXE_rot13-load");

/// The one allowed skip: io_uring missing or forbidden on this machine.
///
/// The probe runs on a thread of its own: tearing a ring down queues kernel work on the
/// thread that created it, and in our runs that made the thread's next blocking socket read
/// with a timeout (every testkit read has one) fail with EINTR.
macro_rules! require_io_uring {
    () => {
        if let Err(reason) = thread::spawn(ch30::uring::available).join().unwrap() {
            eprintln!("skipping: {reason}");
            return;
        }
    };
}

fn server(extra: &[&str]) -> Server {
    let mut args = vec!["--port", "0"];
    args.extend_from_slice(extra);
    Server::start(SERVER, &args)
}

#[test]
fn uring_file_writes_reads_and_verifies() {
    require_io_uring!();
    let mut p = Process::start(FILE, &[]);
    assert!(p.wait().success(), "{}", testkit::show(&p.stderr()));
    let out = String::from_utf8(p.stdout()).unwrap();
    let (first, rest) = out.split_once('\n').unwrap();
    assert!(
        first.starts_with("scratch file ") && first.ends_with("(removed at exit; --keep keeps it)")
    );
    assert_eq!(
        rest,
        "write: 512 bytes written (completion user_data 1)\n\
         read: 512 bytes read (completion user_data 2)\n\
         verified 512 bytes of 0xfa\n\
         Success.\n"
    );
}

#[test]
fn fifty_concurrent_clients_get_byte_exact_answers_through_a_tiny_queue() {
    require_io_uring!();
    // Two submission entries: the queue is full all the time and must be submitted and retried.
    let mut server = server(&["--entries", "2"]);
    let mut clients: Vec<Client> = (0..50).map(|_| Client::connect(server.addr())).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        c.send(format!("Hello, client {i}! abcxyz\r\n").as_bytes());
    }
    for (i, c) in clients.iter_mut().enumerate() {
        c.expect(format!("Uryyb, pyvrag {i}! nopklm\r\n").as_bytes());
    }
    // And a heavier round: the load generator checks every answer.
    let port = server.port().to_string();
    let mut load = Process::start(
        LOAD,
        &[
            "127.0.0.1",
            "--port",
            &port,
            "--connections",
            "50",
            "--lines",
            "20",
        ],
    );
    assert!(load.wait().success(), "{}", testkit::show(&load.stderr()));
    load.expect_stdout("50 connections x 20 lines of 64 bytes: 1000 round trips in ");
    server.assert_running();
}

#[test]
fn answers_nc_and_closes_after_eof() {
    require_io_uring!();
    let server = server(&[]);
    assert_eq!(
        tools::nc(server.addr(), b"network\nprogramming\n"),
        b"argjbex\ncebtenzzvat\n"
    );
    // Half-close: the answer still comes, then the server closes.
    let mut c = Client::connect(server.addr());
    c.send(b"half");
    c.shutdown_write();
    c.expect(b"unys");
    c.expect_eof();
}

#[test]
fn survives_a_reset_and_keeps_serving() {
    require_io_uring!();
    let mut server = server(&[]);
    let mut c = Client::connect(server.addr());
    c.send(b"abc\n");
    c.expect(b"nop\n");
    c.reset();
    server.expect_stderr("recv: Connection reset by peer (os error 104)\n");
    let mut next = Client::connect(server.addr());
    next.send(b"still here\n");
    next.expect(b"fgvyy urer\n");
}

#[test]
fn a_client_that_never_reads_does_not_block_the_others() {
    require_io_uring!();
    let server = server(&["--max-pending", "65536"]);
    let pid = server.pid();
    let baseline = procfs::open_fds(pid);

    // The hog reads nothing: its answers fill its receive buffer and our send buffer, then
    // the server stops reading it, and its own writes stall. Every buffer on the way holds
    // at most tens of MiB (tcp_rmem/tcp_wmem maxima), far below the limit.
    let mut hog = Client::connect(server.addr());
    let (sent, stalled) = hog.flood_without_reading(256 << 20);
    assert!(
        stalled,
        "the hog sent all {sent} bytes: the server kept reading it"
    );

    // Everyone else is served at once.
    for i in 0..10 {
        let mut c = Client::connect(server.addr());
        c.send(format!("line {i}\n").as_bytes());
        c.expect(format!("yvar {i}\n").as_bytes());
    }

    // The hog goes away (unread data makes its close a reset); everything is closed.
    drop(hog);
    assert!(
        eventually(TIMEOUT, || procfs::open_fds(pid) == baseline),
        "open fds: {} (baseline {baseline})",
        procfs::open_fds(pid)
    );
}

#[test]
fn closes_everything_it_opened() {
    require_io_uring!();
    let server = server(&[]);
    let pid = server.pid();
    let baseline = procfs::open_fds(pid);
    let mut clients: Vec<Client> = (0..20).map(|_| Client::connect(server.addr())).collect();
    for c in &mut clients {
        c.send(b"x\n");
        c.expect(b"k\n");
    }
    assert_eq!(procfs::open_fds(pid), baseline + 20);
    for (i, c) in clients.into_iter().enumerate() {
        if i % 2 == 0 { drop(c) } else { c.reset() }
    }
    assert!(
        eventually(TIMEOUT, || procfs::open_fds(pid) == baseline),
        "open fds: {} (baseline {baseline})",
        procfs::open_fds(pid)
    );
}

#[test]
fn more_clients_than_descriptors_wait_and_are_served_later() {
    require_io_uring!();
    let mut server =
        Server::start_with_fd_limit(SERVER, &["--port", "0", "--accept-backoff-ms", "20"], 16);
    // Open connections until the server reports it ran out of descriptors.
    let mut clients = Vec::new();
    for _ in 0..16 {
        clients.push(Client::connect(server.addr()));
    }
    server.expect_stderr("accept: Too many open files (os error 24); retrying in 20 ms\n");
    // The ones it accepted still work.
    clients[0].send(b"ok\n");
    clients[0].expect(b"bx\n");
    // Once the others leave, the last one, still waiting in the backlog, is accepted.
    let mut last = clients.pop().unwrap();
    clients.clear();
    last.send(b"late\n");
    last.expect(b"yngr\n");
    server.assert_running();
}

#[test]
fn help_explains_the_flags() {
    for (bin, flag) in [
        (SERVER, "--entries"),
        (FILE, "--keep"),
        (LOAD, "--connections"),
    ] {
        let mut p = Process::start(bin, &["--help"]);
        assert!(p.wait().success());
        p.expect_stdout(flag);
    }
}
