//! Lecture 27's experiments against the real `poll-server-onethread`.

use testkit::{Client, Server, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_poll-server-onethread");

fn server(extra: &[&str]) -> Server {
    let mut args = vec!["--port", "0"];
    args.extend_from_slice(extra);
    Server::start(SERVER, &args)
}

#[test]
fn telnet_lines_come_back_in_rot13_at_once() {
    let server = server(&[]);
    let mut telnet = tools::telnet(server.addr());
    telnet.send(b"afadsfaf\n");
    telnet.expect_stdout("nsnqfsns");
    telnet.send(b"Hello World 123\n");
    telnet.expect_stdout("Uryyb Jbeyq 123");
}

#[test]
fn each_chunk_is_answered_without_waiting_for_a_newline() {
    for dispatcher in ["poll", "epoll", "select"] {
        let server = server(&["--dispatcher", dispatcher]);
        let mut client = Client::connect(server.addr());
        client.send(b"fafaf");
        client.expect(b"snsns");
        client.send(b"aaa\r\n");
        client.expect(b"nnn\r\n");
    }
}

#[test]
fn one_thread_serves_several_clients_at_once() {
    let server = server(&[]);
    let mut clients: Vec<Client> = (0..5).map(|_| Client::connect(server.addr())).collect();
    for round in 0..3 {
        for (i, c) in clients.iter_mut().enumerate() {
            let msg = format!("client {i} round {round}\n");
            c.send(msg.as_bytes());
            c.expect(&common::rot13(msg.as_bytes()));
        }
    }
    assert_eq!(testkit::procfs::threads(server.pid()), 1, "a single thread");
}

#[test]
fn nc_gets_its_reply_and_the_server_closes_after_the_half_close() {
    let server = server(&[]);
    assert_eq!(tools::nc(server.addr(), b"fasfasfasf\n"), b"snfsnfsnfs\n");
}

#[test]
fn log_shows_the_course_lines_in_order() {
    let mut server = server(&["--log"]);
    server.expect_stdout("[msg] set poll as dispatcher, main thread\n");
    server.expect_stdout("[msg] event loop run, main thread\n");

    let mut client = Client::connect(server.addr());
    client.send(b"afadsfaf\r\n");
    client.expect(b"nsnqfsns\r\n");
    server.expect_stdout("[msg] new connection established, socket == ");
    let fd = server.expect_stdout("\n");
    let fd = fd.trim();
    server.expect_stdout(&format!(
        "[msg] add channel fd == {fd}, main thread\nconnection completed\n"
    ));
    server.expect_stdout(&format!(
        "[msg] activate channel fd == {fd}, revents=2, main thread\n\
         get message from tcp connection connection-{fd}\nafadsfaf\r\nwrite completed\n"
    ));

    // A second message prints only itself (the C printed the whole buffer history).
    client.send(b"fdafasf\r\n");
    client.expect(b"sqnsnfs\r\n");
    server.expect_stdout(&format!("connection-{fd}\nfdafasf\r\nwrite completed\n"));

    drop(client);
    server.expect_stdout(&format!(
        "[msg] delete channel fd == {fd}, main thread\nconnection closed\n"
    ));
}

#[test]
fn quiet_by_default_and_stops_cleanly_on_sigterm() {
    let mut server = server(&[]);
    let mut client = Client::connect(server.addr());
    client.send(b"abc");
    client.expect(b"nop");
    server.signal(nix::sys::signal::Signal::SIGTERM);
    assert!(server.wait().success());
    client.expect_eof();
    assert_eq!(
        String::from_utf8_lossy(&server.stdout()),
        format!("listening on {}\n", server.addr()),
        "nothing but the announcement without --log"
    );
}

#[test]
fn rejects_an_unknown_dispatcher_and_explains_flags() {
    let mut p = testkit::Process::start(SERVER, &["--dispatcher", "kqueue"]);
    assert!(!p.wait().success());
    p.expect_stderr("expected poll, epoll or select");
    let mut p = testkit::Process::start(SERVER, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--dispatcher");
    p.expect_stdout("--threads");
    p.expect_stdout("--log");
}
