//! Lecture 28's experiments against the real `poll-server-multithreads`.

use testkit::{Client, Server, procfs, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_poll-server-multithreads");

fn server(extra: &[&str]) -> Server {
    let mut args = vec!["--port", "0"];
    args.extend_from_slice(extra);
    Server::start(SERVER, &args)
}

#[test]
fn starts_four_sub_reactors_before_accepting() {
    let mut server = server(&["--log"]);
    server.expect_stdout("[msg] set poll as dispatcher, main thread\n");
    for i in 1..=4 {
        server.expect_stdout(&format!("[msg] set poll as dispatcher, Thread-{i}\n"));
        server.expect_stdout(&format!(
            "[msg] event loop thread init and signal, Thread-{i}\n"
        ));
        server.expect_stdout(&format!("[msg] event loop thread started, Thread-{i}\n"));
    }
    server.expect_stdout("[msg] event loop run, main thread\n");
    // The main thread plus Thread-1..4 (the thread count is final once main runs).
    let mut client = Client::connect(server.addr());
    client.send(b"x");
    client.expect(b"k");
    assert_eq!(procfs::threads(server.pid()), 5);
}

#[test]
fn connections_go_round_robin_and_stay_on_their_thread() {
    let mut server = server(&["--log"]);
    server.expect_stdout("[msg] event loop run, main thread\n");
    let mut clients = Vec::new();
    for expected_thread in [1, 2, 3, 4, 1] {
        let mut client = Client::connect(server.addr());
        client.send(b"afasfa\r\n");
        client.expect(b"nsnfsn\r\n");
        server.expect_stdout("[msg] new connection established, socket == ");
        let fd = server.expect_stdout("\n");
        let fd = fd.trim();
        server.expect_stdout(&format!(
            "[msg] add channel fd == {fd}, Thread-{expected_thread}\n"
        ));
        server.expect_stdout(&format!(
            "[msg] activate channel fd == {fd}, revents=2, Thread-{expected_thread}\n"
        ));
        clients.push(client);
    }
}

#[test]
fn many_clients_at_once_all_get_answers() {
    let server = server(&[]);
    let mut clients: Vec<Client> = (0..40).map(|_| Client::connect(server.addr())).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        c.send(format!("agasgasg {i}\n").as_bytes());
    }
    for (i, c) in clients.iter_mut().enumerate() {
        c.expect(format!("ntnftnft {i}\n").as_bytes());
    }
}

#[test]
fn telnet_works_on_every_dispatcher() {
    for dispatcher in ["poll", "epoll", "select"] {
        let server = server(&["--dispatcher", dispatcher]);
        let mut telnet = tools::telnet(server.addr());
        telnet.send(b"fasfsafas\n");
        telnet.expect_stdout("snfsfnsnf");
    }
}

#[test]
fn sigterm_stops_every_loop_and_joins_the_threads() {
    let mut server = server(&["--log"]);
    server.expect_stdout("[msg] event loop run, main thread\n");
    let mut client = Client::connect(server.addr());
    client.send(b"a");
    client.expect(b"n");
    server.signal(nix::sys::signal::Signal::SIGTERM);
    assert!(server.wait().success());
    let out = String::from_utf8_lossy(&server.stdout()).into_owned();
    for name in [
        "main thread",
        "Thread-1",
        "Thread-2",
        "Thread-3",
        "Thread-4",
    ] {
        assert!(
            out.contains(&format!("[msg] event loop end, {name}\n")),
            "{out}"
        );
    }
    assert!(
        out.contains("connection closed\n"),
        "open connections are closed: {out}"
    );
    client.expect_eof();
}
