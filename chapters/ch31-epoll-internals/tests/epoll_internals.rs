//! Lecture 31's observable facts and the LT/ET server, through the real binaries.

use testkit::{Client, Process, Server, TIMEOUT, eventually, procfs, tools};

const FACTS: &str = env!("CARGO_BIN_EXE_epoll-facts");
const SERVER: &str = env!("CARGO_BIN_EXE_epoll-rot13");

#[test]
fn facts_are_what_the_kernel_source_says() {
    let mut p = Process::start(FACTS, &[]);
    assert!(p.wait().success(), "{}", testkit::show(&p.stderr()));
    let out = String::from_utf8(p.stdout()).unwrap();
    let (first, rest) = out.split_once('\n').unwrap();
    assert!(first.starts_with("epoll_create1: fd "), "{first}");
    assert!(first.ends_with(" is anon_inode:[eventpoll]"), "{first}");
    assert_eq!(
        rest,
        "EPOLL_CTL_ADD twice: EEXIST (File exists)\n\
         EPOLL_CTL_ADD of a regular file: EPERM (Operation not permitted)\n\
         epoll_wait with maxevents 0: EINVAL (Invalid argument)\n\
         interest set empty, peer closed: epoll_wait reports EPOLLHUP\n\
         level-triggered: 100 bytes in: EPOLLIN; read 50: EPOLLIN; read 50 more: nothing\n\
         edge-triggered: 100 bytes in: EPOLLIN; read 50: nothing; read 50 more: nothing\n"
    );
}

fn server(trigger: &str) -> Server {
    Server::start(
        SERVER,
        &["--port", "0", "--trigger", trigger, "--read-size", "16"],
    )
}

#[test]
fn both_triggers_answer_a_long_message_read_16_bytes_at_a_time() {
    let message: Vec<u8> = (0..4096u32).map(|i| b'a' + (i % 26) as u8).collect();
    for trigger in ["lt", "et"] {
        let server = server(trigger);
        assert_eq!(
            tools::nc(server.addr(), &message),
            common::rot13(&message),
            "{trigger}"
        );
    }
}

#[test]
fn both_triggers_survive_a_reset() {
    for trigger in ["lt", "et"] {
        let mut server = server(trigger);
        let mut c = Client::connect(server.addr());
        c.send(b"abc\n");
        c.expect(b"nop\n");
        c.reset();
        server.expect_stderr("Connection reset by peer (os error 104)\n");
        let mut next = Client::connect(server.addr());
        next.send(b"still here\n");
        next.expect(b"fgvyy urer\n");
    }
}

#[test]
fn a_client_that_never_reads_does_not_block_the_others_and_nothing_leaks() {
    for trigger in ["lt", "et"] {
        let server = Server::start(SERVER, &["--port", "0", "--trigger", trigger]);
        let pid = server.pid();
        let baseline = procfs::open_fds(pid);
        // Its answers back up until the server stops reading it; every buffer on the way
        // holds at most tens of MiB (tcp_rmem/tcp_wmem maxima), far below the limit.
        let mut hog = Client::connect(server.addr());
        let (sent, stalled) = hog.flood_without_reading(256 << 20);
        assert!(
            stalled,
            "{trigger}: the server kept reading a client that never reads ({sent} bytes)"
        );
        for i in 0..5 {
            let mut c = Client::connect(server.addr());
            c.send(format!("line {i}\n").as_bytes());
            c.expect(format!("yvar {i}\n").as_bytes());
        }
        drop(hog);
        assert!(
            eventually(TIMEOUT, || procfs::open_fds(pid) == baseline),
            "{trigger}: open fds {} (baseline {baseline})",
            procfs::open_fds(pid)
        );
    }
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(SERVER, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--trigger");
    p.expect_stdout("--read-size");
}
