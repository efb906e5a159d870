//! The lecture 18 experiments, run against the real binaries.

use testkit::{Client, Process, Server, tools};

const SERVER01: &str = env!("CARGO_BIN_EXE_samplebuffer01");
const CLIENT02: &str = env!("CARGO_BIN_EXE_samplebuffer02");
const SERVER03: &str = env!("CARGO_BIN_EXE_samplebuffer03");
const BUFFERCLIENT: &str = env!("CARGO_BIN_EXE_bufferclient");

fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u32).to_be_bytes().to_vec();
    out.extend(1u32.to_be_bytes());
    out.extend(payload);
    out
}

#[test]
fn quit_with_crlf_and_with_lf_gets_command_ok_without_nul() {
    let mut server = Server::start(SERVER01, &["--port", "0"]);
    for quit in ["quit\r\n", "quit\n"] {
        let mut client = Client::connect(server.addr());
        client.send(quit.as_bytes());
        client.expect(b"COMMAND OK");
        client.expect_eof();
        server.expect_stdout(&format!(
            "received {} bytes: quit\nclient quit\n",
            quit.len()
        ));
    }
}

#[test]
fn quit_through_telnet() {
    let server = Server::start(SERVER01, &["--port", "0"]);
    let mut telnet = tools::telnet(server.addr());
    telnet.send(b"quit\n");
    telnet.expect_stdout("COMMAND OK");
}

#[test]
fn more_than_128_bytes_is_read_in_bounded_pieces() {
    let mut server = Server::start(SERVER01, &["--port", "0"]);
    let mut client = Client::connect(server.addr());
    client.send(&[b'a'; 200]);
    drop(client);
    let printed = server.expect_stdout("client closed\n");
    let total: usize = printed
        .lines()
        .filter_map(|l| l.strip_prefix("received "))
        .map(|l| l.split(' ').next().unwrap().parse::<usize>().unwrap())
        .inspect(|&n| assert!(n <= 128, "{printed}"))
        .sum();
    assert_eq!(total, 200, "{printed}");
}

#[test]
fn so_rcvtimeo_drops_a_silent_client() {
    let mut server = Server::start(SERVER01, &["--port", "0", "--rcvtimeo-ms", "200"]);
    let mut silent = Client::connect(server.addr());
    server.expect_stdout("read timeout\n");
    silent.expect_eof();
}

#[test]
fn poll_timeout_drops_a_silent_client_and_serves_the_next() {
    let mut server = Server::start(SERVER01, &["--port", "0", "--poll-timeout-ms", "200"]);
    let mut silent = Client::connect(server.addr());
    server.expect_stdout("read timeout\n");
    silent.expect_eof();
    let mut next = Client::connect(server.addr());
    next.send(b"quit\n");
    next.expect(b"COMMAND OK");
}

#[test]
fn oversized_length_header_is_refused_and_the_next_client_is_served() {
    let mut server = Server::start(SERVER01, &["--port", "0", "--framed"]);
    let port = server.port().to_string();
    let mut careless = Process::start(CLIENT02, &["127.0.0.1", "--port", &port]);
    assert!(careless.wait().success());
    assert_eq!(
        careless.stdout(),
        b"server reset the connection: it refused the message\n"
    );
    let line = server.expect_stderr("\n");
    assert!(
        line.ends_with(": message length 65535 exceeds the 128-byte limit\n"),
        "{line}"
    );

    let mut next = Client::connect(server.addr());
    next.send(&frame(b"network\n"));
    drop(next);
    assert_eq!(
        server.expect_stdout("client closed\n"),
        "received 8 bytes: network\nclient closed\n"
    );
}

#[test]
fn readline_keeps_8_characters_and_refuses_9() {
    let mut server = Server::start(SERVER03, &["--port", "0"]);
    let mut client = Client::connect(server.addr());
    // Three lines in one segment: the C readline lost all but the first.
    client.send(b"0123\n01234567\r\n012345678\n");
    client.expect_eof();
    assert_eq!(
        server.expect_stdout("01234567\n"),
        "received 4 bytes: 0123\nreceived 8 bytes: 01234567\n"
    );
    let line = server.expect_stderr("\n");
    assert!(line.ends_with(": line longer than 8 bytes\n"), "{line}");

    let mut next = Client::connect(server.addr());
    next.send(b"ok\n");
    drop(next);
    server.expect_stdout("received 2 bytes: ok\nclient closed\n");
}

#[test]
fn bufferclient_sends_everything_in_pieces_of_at_most_11_bytes() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let mut client = Process::start(BUFFERCLIENT, &["127.0.0.1", "--port", &port]);
    let (stream, _) = listener.accept().unwrap();
    // TCP may merge the pieces again on the way; what must hold is that every byte arrives.
    client.send(b"hello, network programming\n");
    client.close_stdin();
    assert!(client.wait().success());
    let mut got = Vec::new();
    std::io::Read::read_to_end(&mut &stream, &mut got).unwrap();
    assert_eq!(got, b"hello, network programming\n");
}
