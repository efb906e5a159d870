//! The poll echo server, driven through the real binary.

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use nix::sys::signal::Signal;
use testkit::{Client, Process, Server, TIMEOUT, eventually, procfs, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_pollserver");

fn server(args: &[&str]) -> Server {
    let mut all = vec!["--port", "0"];
    all.extend_from_slice(args);
    Server::start(SERVER, &all)
}

#[test]
fn echoes_byte_for_byte_including_crlf() {
    let server = server(&[]);
    let mut client = Client::connect(server.addr());
    // The lecture's transcript, as telnet sends it.
    for line in ["a", "aaaaaaaaaaa", "afafasfa", "fbaa"] {
        client.send_line(line);
        client.expect(format!("{line}\r\n").as_bytes());
    }
    let all: Vec<u8> = (0..=255).collect();
    client.send(&all);
    client.expect(&all);
}

#[test]
fn two_telnet_sessions_are_independent() {
    let server = server(&[]);
    let mut one = tools::telnet(server.addr());
    let mut two = tools::telnet(server.addr());
    one.send(b"a\n");
    two.send(b"bbbbbbb\n");
    one.expect_stdout("\na\n");
    two.expect_stdout("\nbbbbbbb\n");
    // One client leaving does not disturb the other.
    drop(one);
    two.send(b"b\n");
    two.expect_stdout("b\n");
}

#[test]
fn nc_gets_everything_back() {
    let server = server(&[]);
    assert_eq!(
        tools::nc(server.addr(), b"hello\nworld\n"),
        b"hello\nworld\n"
    );
}

#[test]
fn twenty_clients_sending_at_the_same_instant_all_get_replies() {
    let mut server = server(&[]);
    let mut clients: Vec<Client> = (0..20).map(|_| Client::connect(server.addr())).collect();
    for _ in 0..20 {
        server.expect_stdout("accepted ");
    }
    server.freeze();
    for (i, client) in clients.iter_mut().enumerate() {
        client.send(format!("client {i}\n").as_bytes());
    }
    server.signal(Signal::SIGCONT);
    for (i, client) in clients.iter_mut().enumerate() {
        client.expect(format!("client {i}\n").as_bytes());
    }
}

#[test]
fn a_reset_is_reported_as_pollerr_and_the_server_carries_on() {
    let mut server = server(&[]);
    let mut a = Client::connect(server.addr());
    a.send(b"x");
    a.expect(b"x");
    a.reset();
    server.expect_stderr("Connection reset by peer");
    let mut b = Client::connect(server.addr());
    b.send(b"still here\n");
    b.expect(b"still here\n");
    server.assert_running();
}

#[test]
fn a_full_table_refuses_the_newcomer_and_keeps_serving_the_others() {
    let mut server = server(&["--max-clients", "2"]);
    let mut a = Client::connect(server.addr());
    let mut b = Client::connect(server.addr());
    a.send(b"a\n");
    a.expect(b"a\n");
    b.send(b"b\n");
    b.expect(b"b\n");
    let mut c = Client::connect(server.addr());
    c.expect(b"server full: at most 2 clients\n");
    c.expect_eof();
    server.expect_stderr("all 2 slots are taken");
    a.send(b"again\n");
    a.expect(b"again\n");
    // The slot of a client that leaves is reused.
    drop(b);
    server.expect_stdout(" closed\n");
    let mut d = Client::connect(server.addr());
    d.send(b"d\n");
    d.expect(b"d\n");
    server.expect_stdout("into slot 1\n");
}

#[test]
fn a_client_that_never_reads_does_not_stall_the_others() {
    let server = server(&[]);
    let hog = TcpStream::connect(server.addr()).unwrap();
    hog.set_write_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let writer = thread::spawn(move || {
        let chunk = [b'x'; 64 * 1024];
        for _ in 0..64 {
            if (&hog).write_all(&chunk).is_err() {
                break;
            }
        }
        hog
    });
    let mut other = Client::connect(server.addr());
    other.send(b"abc\n");
    other.expect(b"abc\n");
    drop(writer.join().unwrap());
}

#[test]
fn out_of_file_descriptors_the_server_keeps_serving_without_spinning() {
    let mut server = Server::start_with_fd_limit(SERVER, &["--port", "0"], 32);
    let pid = server.pid();
    let mut first = Client::connect(server.addr());
    first.send(b"one\n");
    first.expect(b"one\n");

    let extra: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect_timeout(&server.addr(), TIMEOUT).unwrap())
        .collect();
    server.expect_stderr("Too many open files");
    first.send(b"two\n");
    first.expect(b"two\n");

    let before = procfs::cpu_ticks(pid);
    thread::sleep(Duration::from_millis(500));
    let spent = procfs::cpu_ticks(pid) - before;
    assert!(spent <= 5, "server used {spent} ticks in 0.5 s while idle");

    drop(extra);
    assert!(eventually(TIMEOUT, || procfs::open_fds(pid) < 16));
    let mut late = Client::connect(server.addr());
    late.send(b"three\n");
    late.expect(b"three\n");
    server.assert_running();
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(SERVER, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--max-clients");
}
