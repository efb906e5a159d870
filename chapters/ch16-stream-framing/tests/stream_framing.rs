//! The lecture 16 experiments, run against the real binaries.

use testkit::{Client, Process, Server};

const SERVER: &str = env!("CARGO_BIN_EXE_streamserver");
const CLIENT: &str = env!("CARGO_BIN_EXE_streamclient");

fn server() -> Server {
    Server::start(SERVER, &["--port", "0"])
}

/// One frame as the lecture draws it: big-endian length, big-endian type 1, payload.
fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u32).to_be_bytes().to_vec();
    out.extend(1u32.to_be_bytes());
    out.extend(payload);
    out
}

#[test]
fn lecture_transcript_through_the_real_client() {
    let mut server = server();
    let port = server.port().to_string();
    let mut client = Process::start(CLIENT, &["127.0.0.1", "--port", &port]);
    client.send(b"network\ngood\n");
    client.close_stdin();
    assert!(client.wait().success());
    let printed = server.expect_stdout("client closed\n");
    assert_eq!(
        printed,
        "received 8 bytes: network\n\nreceived 5 bytes: good\n\nclient closed\n"
    );
}

#[test]
fn two_messages_in_one_segment_are_two_messages() {
    let mut server = server();
    let mut client = Client::connect(server.addr());
    let mut both = frame(b"network\n");
    both.extend(frame(b"program\n"));
    client.send(&both);
    drop(client);
    assert_eq!(
        server.expect_stdout("client closed\n"),
        "received 8 bytes: network\n\nreceived 8 bytes: program\n\nclient closed\n"
    );
}

#[test]
fn one_message_split_across_segments_is_one_message() {
    let mut server = server();
    let mut client = Client::connect(server.addr());
    // Without Nagle each write leaves as its own segment: the header itself is cut in two.
    client.stream().set_nodelay(true).unwrap();
    let whole = frame(b"network\n");
    for piece in [&whole[..3], &whole[3..11], &whole[11..]] {
        client.send(piece);
    }
    drop(client);
    assert_eq!(
        server.expect_stdout("client closed\n"),
        "received 8 bytes: network\n\nclient closed\n"
    );
}

#[test]
fn oversized_length_is_refused_and_the_next_client_is_served() {
    let mut server = server();
    let mut careless = Client::connect(server.addr());
    let mut wire = 65535u32.to_be_bytes().to_vec();
    wire.extend(1u32.to_be_bytes());
    wire.extend(b"just for fun");
    careless.send(&wire);
    let line = server.expect_stderr("\n");
    assert!(
        line.ends_with(": message length 65535 exceeds the 128-byte limit\n"),
        "{line}"
    );
    // The server closed the careless client without waiting for 65535 bytes.
    careless.expect_eof();

    let mut next = Client::connect(server.addr());
    next.send(&frame(b"good\n"));
    drop(next);
    assert_eq!(
        server.expect_stdout("client closed\n"),
        "received 5 bytes: good\n\nclient closed\n"
    );
}

#[test]
fn eof_mid_message_is_an_error_not_a_message() {
    let mut server = server();
    let mut client = Client::connect(server.addr());
    client.send(&frame(b"network\n")[..10]);
    drop(client);
    let line = server.expect_stderr("\n");
    assert!(
        line.contains("peer closed mid-message (2 of 8 bytes)"),
        "{line}"
    );
    let mut next = Client::connect(server.addr());
    next.send(&frame(b"ok\n"));
    drop(next);
    server.expect_stdout("received 3 bytes: ok\n");
}
