//! nonblockingserver and nonblockingclient, driven through the real binaries.

use std::io::Write;
use std::net::TcpStream;
use std::process::Command;
use std::thread;
use std::time::Duration;

use nix::sys::signal::Signal;
use testkit::{Client, Process, Server, TIMEOUT, eventually, procfs, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_nonblockingserver");
const RESETTER: &str = env!("CARGO_BIN_EXE_nonblockingclient");

fn server(args: &[&str]) -> Server {
    let mut all = vec!["--port", "0"];
    all.extend_from_slice(args);
    Server::start(SERVER, &all)
}

#[test]
fn lecture_samples_come_back_in_rot13_byte_exact() {
    let server = server(&[]);
    let mut client = Client::connect(server.addr());
    for (line, reply) in [
        ("fasfasfasf", "snfsnfsnfs"),
        ("fasfsafas", "snfsfnsnf"),
        ("afasfa", "nsnfsn"),
        ("agasgasg", "ntnftnft"),
        ("aaa", "nnn"),
        ("fafaf", "snsns"),
        ("afadsfaf", "nsnqfsns"),
    ] {
        client.send_line(line);
        client.expect(format!("{reply}\r\n").as_bytes());
    }
    client.send(b"Hello World 123\n");
    client.expect(b"Uryyb Jbeyq 123\n");
}

#[test]
fn no_reply_before_the_newline() {
    let server = server(&[]);
    let mut client = Client::connect(server.addr());
    client.send(b"fasfas");
    client.expect_silence(Duration::from_millis(300));
    client.send(b"fasf\r\n");
    client.expect(b"snfsnfsnfs\r\n");
    // Only complete lines leave: "abc" waits for its newline.
    client.send(b"xyz\nabc");
    client.expect(b"klm\n");
    client.expect_silence(Duration::from_millis(200));
    client.send(b"\n");
    client.expect(b"nop\n");
}

#[test]
fn data_and_fin_together_still_get_the_reply() {
    // The C closes on EOF before flushing, so `nc -N` printed nothing.
    let server = server(&[]);
    assert_eq!(
        tools::nc(server.addr(), b"hello\nworld\n"),
        b"uryyb\njbeyq\n"
    );
}

#[test]
fn telnet_session() {
    let mut server = server(&[]);
    let mut telnet = tools::telnet(server.addr());
    server.expect_stdout("listening socket readable\n");
    telnet.send(b"fasfasfasf\n");
    telnet.expect_stdout("snfsnfsnfs");
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
        client.expect(format!("pyvrag {i}\n").as_bytes());
    }
}

#[test]
fn a_client_reset_never_stops_the_server() {
    let mut server = server(&[]);
    let mut a = Client::connect(server.addr());
    a.send(b"half");
    a.reset();
    server.expect_stderr("Connection reset by peer");
    let mut b = Client::connect(server.addr());
    b.send(b"aaa\n");
    b.expect(b"nnn\n");
}

#[test]
fn reset_while_the_server_sleeps_before_accept_does_not_hang_it_on_linux() {
    // The lecture's experiment, blocking listener and all: Linux still hands the reset
    // connection to accept, and the first read reports the reset.
    let mut server = server(&["--blocking-listener", "--accept-delay-ms", "300"]);
    let port = server.port().to_string();
    let mut resetter = Process::start(RESETTER, &["127.0.0.1", "--port", &port]);
    assert!(resetter.wait().success());
    resetter.expect_stdout("closed with SO_LINGER {on, 0}: RST sent\n");
    server.expect_stdout("listening socket readable\n");
    server.expect_stdout("accepted ");
    server.expect_stderr("Connection reset by peer");
    let mut next = Client::connect(server.addr());
    next.send(b"aaa\n");
    next.expect(b"nnn\n");
}

#[test]
fn a_client_past_max_clients_is_refused_and_the_others_are_served() {
    let mut server = server(&["--max-clients", "1"]);
    let mut a = Client::connect(server.addr());
    a.send(b"aaa\n");
    a.expect(b"nnn\n");
    let mut b = Client::connect(server.addr());
    b.expect(b"server full: at most 1 clients\n");
    b.expect_eof();
    server.expect_stderr("refused 127.0.0.1:");
    a.send(b"fafaf\n");
    a.expect(b"snsns\n");
}

#[test]
fn a_client_that_never_reads_does_not_stall_the_others() {
    let server = server(&[]);
    let hog = TcpStream::connect(server.addr()).unwrap();
    hog.set_write_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let writer = thread::spawn(move || {
        let line = [b'x'; 1023]
            .iter()
            .chain(b"\n")
            .copied()
            .collect::<Vec<u8>>();
        for _ in 0..4096 {
            if (&hog).write_all(&line).is_err() {
                break;
            }
        }
        hog
    });
    let mut other = Client::connect(server.addr());
    other.send(b"abc\n");
    other.expect(b"nop\n");
    drop(writer.join().unwrap());
}

#[test]
fn a_descriptor_past_fd_setsize_is_refused_not_a_crash() {
    // Fill descriptors 5..=1023 before the server starts: its listener gets 3, its reserve
    // 4, and the first client 1024, one past the last bit of an fd_set.
    let command = format!(
        "ulimit -n 1100 && for fd in $(seq 5 1023); do eval \"exec $fd</dev/null\"; done && exec {SERVER} --port 0"
    );
    let mut server =
        Server::from_process(Process::spawn(Command::new("bash").args(["-c", &command])));
    for _ in 0..2 {
        let mut client = Client::connect(server.addr());
        client
            .expect(b"server full: descriptor 1024 does not fit in an fd_set (FD_SETSIZE 1024)\n");
        client.expect_eof();
    }
    server.expect_stderr("refused 127.0.0.1:");
    server.assert_running();
}

#[test]
fn out_of_file_descriptors_the_server_keeps_serving_without_spinning() {
    let mut server = Server::start_with_fd_limit(SERVER, &["--port", "0"], 32);
    let pid = server.pid();
    let mut first = Client::connect(server.addr());
    first.send(b"aaa\n");
    first.expect(b"nnn\n");

    let extra: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect_timeout(&server.addr(), TIMEOUT).unwrap())
        .collect();
    server.expect_stderr("Too many open files");
    first.send(b"fasfasfasf\n");
    first.expect(b"snfsnfsnfs\n");

    let before = procfs::cpu_ticks(pid);
    thread::sleep(Duration::from_millis(500));
    let spent = procfs::cpu_ticks(pid) - before;
    assert!(spent <= 5, "server used {spent} ticks in 0.5 s while idle");

    drop(extra);
    assert!(eventually(TIMEOUT, || procfs::open_fds(pid) < 16));
    let mut late = Client::connect(server.addr());
    late.send(b"agasgasg\n");
    late.expect(b"ntnftnft\n");
}
