//! thread01: a thread per connection, closed when done, and gone when the client goes.

mod support;

use std::time::Duration;

use support::{expect_closed, rot13, server};
use testkit::procfs::{self, TcpState};
use testkit::{Client, Process, TIMEOUT, eventually, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_thread01");

#[test]
fn lecture_samples_come_back_only_once_the_line_is_complete() {
    let server = server(SERVER, &[]);
    let mut client = Client::connect(server.addr());
    client.send(b"aaa");
    client.expect_silence(Duration::from_millis(200));
    client.send(b"\r\n");
    client.expect(b"nnn\r\n");
    client.send(b"afasfa\r\nagasgasg\n");
    client.expect(b"nsnfsn\r\nntnftnft\n");
}

#[test]
fn nc_and_telnet_get_replies() {
    let server = server(SERVER, &[]);
    assert_eq!(
        tools::nc(server.addr(), b"afasfa\nHello World 123\n"),
        b"nsnfsn\nUryyb Jbeyq 123\n"
    );
    let mut telnet = tools::telnet(server.addr());
    telnet.send(b"fafaf\n");
    telnet.expect_stdout("snsns");
}

#[test]
fn twenty_concurrent_clients_each_get_a_thread_that_ends_with_them() {
    let mut server = server(SERVER, &[]);
    let pid = server.pid();
    let port = server.port();
    let baseline = procfs::threads(pid);
    assert_eq!(baseline, 1, "only the accepting thread before any client");

    let mut clients: Vec<Client> = (0..20).map(|_| Client::connect(server.addr())).collect();
    for _ in 0..20 {
        server.expect_stdout(" serves 127.0.0.1:");
    }
    assert_eq!(procfs::threads(pid), baseline + 20);
    for (i, client) in clients.iter_mut().enumerate() {
        client.send(format!("client {i} says hello\r\n").as_bytes());
    }
    for (i, client) in clients.iter_mut().enumerate() {
        client.expect(&rot13(&format!("client {i} says hello\r\n")));
        client.send(format!("and goodbye from {i}\n").as_bytes());
        client.expect(&rot13(&format!("and goodbye from {i}\n")));
    }
    drop(clients);

    expect_closed(&mut server, 20);
    // Each thread closed its connection before saying so: nothing is left half-closed.
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
    assert!(
        eventually(TIMEOUT, || procfs::threads(pid) == baseline),
        "{} threads after every client left",
        procfs::threads(pid)
    );
}

#[test]
fn twenty_clients_in_parallel_get_their_own_replies() {
    let mut server = server(SERVER, &[]);
    support::twenty_clients_in_parallel(server.addr());
    expect_closed(&mut server, 20);
    assert_eq!(
        procfs::count_tcp_state(server.port(), TcpState::CloseWait),
        0
    );
}

#[test]
fn a_client_reset_never_stops_the_server() {
    let mut server = server(SERVER, &[]);
    let mut a = Client::connect(server.addr());
    a.send(b"abc\n");
    a.expect(b"nop\n");
    a.reset();
    server.expect_stderr("Connection reset by peer (os error 104)\n");
    let mut b = Client::connect(server.addr());
    b.send(b"still here\n");
    b.expect(b"fgvyy urer\n");
    server.assert_running();
    drop(b);
    expect_closed(&mut server, 1);
    assert!(eventually(TIMEOUT, || procfs::threads(server.pid()) == 1));
}

#[test]
fn a_reset_with_replies_unread_never_stops_the_server() {
    // The client sends many lines and leaves without reading the replies: whichever call
    // the server is in fails (EPIPE, ECONNRESET), and none may raise a fatal SIGPIPE.
    // 40 KB fits in the socket buffers, so the client's send cannot block.
    let mut server = server(SERVER, &[]);
    let mut a = Client::connect(server.addr());
    a.send(&b"x\n".repeat(20_000));
    a.reset();
    server.expect_stderr("127.0.0.1:");
    let mut b = Client::connect(server.addr());
    b.send(b"ok\n");
    b.expect(b"bx\n");
    server.assert_running();
}

#[test]
fn a_line_longer_than_16384_bytes_closes_that_client_only() {
    let mut server = server(SERVER, &[]);
    let mut long = Client::connect(server.addr());
    long.send(&[b'a'; 20_000]);
    long.expect_eof();
    server.expect_stderr("line longer than 16384 bytes");
    let mut next = Client::connect(server.addr());
    next.send(b"ok\n");
    next.expect(b"bx\n");
}

#[test]
fn out_of_descriptors_the_server_keeps_serving_without_spinning() {
    support::out_of_descriptors_keeps_serving(SERVER, &[]);
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(SERVER, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--addr");
    p.expect_stdout("--port");
}
