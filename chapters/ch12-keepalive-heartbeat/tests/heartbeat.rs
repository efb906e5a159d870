//! The lecture 12 experiments, with intervals shrunk from seconds to milliseconds.

use std::io::Write;
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use ch12::message::{self, MESSAGE_LEN, MSG_PING, MSG_PONG, MSG_TYPE1, MSG_TYPE2};
use testkit::{Client, Process, Server, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_pingserver");
const CLIENT: &str = env!("CARGO_BIN_EXE_pingclient");

fn server(sleep: &str) -> Server {
    Server::start(SERVER, &[sleep, "--port", "0"])
}

fn client(port: u16, extra: &[&str]) -> Process {
    let port = port.to_string();
    let mut args = vec!["127.0.0.1", "--port", &port];
    args.extend_from_slice(extra);
    Process::start(CLIENT, &args)
}

#[test]
fn three_missed_heartbeats_mean_connection_dead() {
    // The course's `pingserver 60`, with a 100 ms idle time and 100 ms interval.
    let mut server = server("10s");
    let started = Instant::now();
    let mut client = client(
        server.port(),
        &["--keepalive-time", "100ms", "--keepalive-interval", "100ms"],
    );
    let status = client.wait();
    assert!(!status.success());
    assert_eq!(
        client.stdout(),
        b"sending heartbeat #1\nsending heartbeat #2\nsending heartbeat #3\n"
    );
    client.expect_stderr("connection dead");
    // Idle time plus three intervals is the earliest possible verdict.
    assert!(started.elapsed() >= Duration::from_millis(400));
    server.expect_stdout("received 1028 bytes\n");
}

#[test]
fn a_server_that_answers_in_time_is_never_declared_dead() {
    let mut server = server("100ms");
    let mut client = client(
        server.port(),
        &["--keepalive-time", "200ms", "--keepalive-interval", "500ms"],
    );
    let cycle = "sending heartbeat #1\nreceived heartbeat, make heartbeats to 0\n";
    assert_eq!(client.expect_stdout(cycle), cycle);
    assert_eq!(client.expect_stdout(cycle), cycle);
    client.assert_running();
    assert_eq!(
        server.expect_stdout("received 1028 bytes\nreceived 1028 bytes\n"),
        "received 1028 bytes\nreceived 1028 bytes\n"
    );
}

#[test]
fn a_late_answer_within_the_window_resets_the_count() {
    // Like the course's `pingserver 5` against 10 s / 3 s: #1, #2, then the PONG arrives.
    let mut server = server("600ms");
    let mut client = client(
        server.port(),
        &["--keepalive-time", "100ms", "--keepalive-interval", "400ms"],
    );
    let expected =
        "sending heartbeat #1\nsending heartbeat #2\nreceived heartbeat, make heartbeats to 0\n";
    assert_eq!(client.expect_stdout("make heartbeats to 0\n"), expected);
    client.assert_running();
    server.expect_stdout("received 1028 bytes\n");
}

#[test]
fn server_logs_type1_and_type2_and_rejects_unknown_types() {
    let mut server = server("0ms");
    let mut peer = Client::connect(server.addr());
    peer.send(&message::encode(MSG_TYPE1));
    peer.send(&message::encode(MSG_TYPE2));
    peer.send(&message::encode(MSG_PING));
    peer.expect(&message::encode(MSG_PONG));
    peer.send(&message::encode(99));
    peer.expect_eof();
    let expected = "received 1028 bytes\nprocess  MSG_TYPE1\n\
                    received 1028 bytes\nprocess  MSG_TYPE2\n\
                    received 1028 bytes\nreceived 1028 bytes\n";
    assert_eq!(server.expect_stdout(expected), expected);
    server.expect_stderr("unknown message type (99)\n");
}

#[test]
fn server_survives_half_messages_and_garbage() {
    let mut server = server("0ms");
    let mut half = Client::connect(server.addr());
    half.send(&[0xff; 100]);
    half.shutdown_write();
    half.expect_eof();
    server.expect_stderr("error read: peer closed mid-message (100 of 1028 bytes)\n");

    let mut garbage = Client::connect(server.addr());
    garbage.send(&[0xff; MESSAGE_LEN]);
    garbage.expect_eof();
    server.expect_stderr("unknown message type (4294967295)\n");

    let mut next = Client::connect(server.addr());
    next.send(&message::encode(MSG_PING));
    next.expect(&message::encode(MSG_PONG));
}

#[test]
fn client_rejects_what_is_not_a_pong() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();

    let mut wrong_type = client(port, &[]);
    let (mut peer, _) = listener.accept().unwrap();
    peer.write_all(&message::encode(99)).unwrap();
    assert!(!wrong_type.wait().success());
    wrong_type.expect_stderr("unexpected message type (99)");

    let mut cut_short = client(port, &[]);
    let (mut peer, _) = listener.accept().unwrap();
    peer.write_all(b"garbage").unwrap();
    drop(peer);
    assert!(!cut_short.wait().success());
    cut_short.expect_stderr("peer closed mid-message (7 of 1028 bytes)");
}

#[test]
fn tcp_keepalive_mode_arms_the_kernel_timer() {
    let server = server("10s");
    let mut client = client(
        server.port(),
        &[
            "--tcp-keepalive",
            "--keepalive-time",
            "1s",
            "--keepalive-interval",
            "1s",
        ],
    );
    client.expect_stdout("TCP keep-alive on: idle 1s, a probe every 1s, dead after 3 unanswered\n");
    let filter = format!("( dport = :{} )", server.port());
    let ss = Command::new(tools::require("ss"))
        .args(["-tnoH", "state", "established", &filter])
        .output()
        .expect("run ss");
    let ss = String::from_utf8_lossy(&ss.stdout);
    assert!(
        ss.contains("timer:(keepalive,"),
        "ss shows no keep-alive timer: {ss}"
    );
    client.assert_running();
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(CLIENT, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--keepalive-interval");
    let mut p = Process::start(SERVER, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("SLEEPING_TIME");
}
