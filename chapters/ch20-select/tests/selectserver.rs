//! The select rot13 server, driven through the real binary.

use std::io::Write;
use std::net::TcpStream;
use std::process::Command;
use std::thread;
use std::time::Duration;

use nix::sys::signal::Signal;
use testkit::{Client, Process, Server, TIMEOUT, eventually, procfs, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_selectserver");

fn server(args: &[&str]) -> Server {
    let mut all = vec!["--port", "0"];
    all.extend_from_slice(args);
    Server::start(SERVER, &all)
}

/// The lectures' samples (seed-002 part 2, Appendix E), sent as telnet sends them.
const SAMPLES: &[(&str, &str)] = &[
    ("fasfasfasf", "snfsnfsnfs"),
    ("fasfsafas", "snfsfnsnf"),
    ("afasfa", "nsnfsn"),
    ("agasgasg", "ntnftnft"),
    ("aaa", "nnn"),
    ("fafaf", "snsns"),
    ("afadsfaf", "nsnqfsns"),
    ("Hello World 123", "Uryyb Jbeyq 123"),
];

#[test]
fn lecture_samples_come_back_in_rot13_byte_exact() {
    let server = server(&[]);
    let mut client = Client::connect(server.addr());
    for (line, reply) in SAMPLES {
        client.send_line(line);
        client.expect(format!("{reply}\r\n").as_bytes());
    }
}

#[test]
fn no_reply_before_the_newline() {
    let server = server(&[]);
    let mut client = Client::connect(server.addr());
    client.send(b"fasfas");
    client.expect_silence(Duration::from_millis(300));
    client.send(b"fasf\r\n");
    client.expect(b"snfsnfsnfs\r\n");
}

#[test]
fn three_lines_in_one_segment_get_three_replies() {
    let server = server(&[]);
    let mut client = Client::connect(server.addr());
    client.send(b"abc\nxyz\nHello\n");
    client.expect(b"nop\nklm\nUryyb\n");
}

#[test]
fn nc_gets_its_reply_before_the_server_closes() {
    let server = server(&[]);
    // nc -N half-closes right after sending: the reply must still be written (the C
    // nonblockingserver loses it).
    let out = tools::nc(server.addr(), b"Hello World 123\nfasfasfasf\n");
    assert_eq!(out, b"Uryyb Jbeyq 123\nsnfsnfsnfs\n");
}

#[test]
fn telnet_session() {
    let server = server(&[]);
    let mut telnet = tools::telnet(server.addr());
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
    // Freeze the server so that all twenty lines are waiting when select next looks.
    server.freeze();
    for (i, client) in clients.iter_mut().enumerate() {
        client.send(format!("client {i}\n").as_bytes());
    }
    server.signal(Signal::SIGCONT);
    for (i, client) in clients.iter_mut().enumerate() {
        client.expect(
            String::from_utf8(common::rot13(format!("client {i}\n").as_bytes()))
                .unwrap()
                .as_bytes(),
        );
    }
}

#[test]
fn trace_shows_the_sets_rebuilt_every_time() {
    let mut server = server(&["--trace"]);
    // fd 3 is the listener, fd 4 the reserve descriptor, so the first client is fd 5.
    server.expect_stdout("select: read {3} write {}\n");
    let mut client = Client::connect(server.addr());
    server.expect_stdout("ready:  read {3} write {}\n");
    server.expect_stdout("as fd 5\n");
    server.expect_stdout("select: read {3, 5} write {}\n");
    client.send(b"abc\n");
    server.expect_stdout("ready:  read {5} write {}\n");
    // The reply is queued: now, and only now, fd 5 is in the write set.
    server.expect_stdout("select: read {3, 5} write {5}\n");
    server.expect_stdout("ready:  read {} write {5}\n");
    client.expect(b"nop\n");
    server.expect_stdout("select: read {3, 5} write {}\n");
}

#[test]
fn a_client_reset_never_stops_the_server() {
    let mut server = server(&[]);
    let mut a = Client::connect(server.addr());
    a.send(b"half a li");
    a.reset();
    let mut b = Client::connect(server.addr());
    b.send(b"abc\n");
    b.reset();
    server.expect_stderr("Connection reset by peer");
    let mut c = Client::connect(server.addr());
    c.send_line("aaa");
    c.expect(b"nnn\r\n");
    server.assert_running();
}

#[test]
fn an_overlong_line_closes_only_that_client() {
    let mut server = server(&[]);
    let mut good = Client::connect(server.addr());
    let mut bad = Client::connect(server.addr());
    bad.send(&[b'a'; 5000]);
    server.expect_stderr("line longer than 4096 bytes");
    bad.expect_eof();
    good.send(b"aaa\n");
    good.expect(b"nnn\n");
}

#[test]
fn a_client_that_never_reads_does_not_stall_the_others() {
    let server = server(&[]);
    let hog = TcpStream::connect(server.addr()).unwrap();
    hog.set_write_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    // Send lines and never read the replies: the server must stop reading this client
    // once its replies pile up, not block writing to it.
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
fn a_client_past_max_clients_is_refused_and_the_others_are_served() {
    let mut server = server(&["--max-clients", "2"]);
    let mut a = Client::connect(server.addr());
    let mut b = Client::connect(server.addr());
    a.send(b"aaa\n");
    a.expect(b"nnn\n");
    b.send(b"aaa\n");
    b.expect(b"nnn\n");
    let mut c = Client::connect(server.addr());
    c.expect(b"server full: at most 2 clients\n");
    c.expect_eof();
    server.expect_stderr("refused 127.0.0.1:");
    a.send(b"fafaf\n");
    a.expect(b"snsns\n");
    // A seat frees up when a client leaves.
    drop(b);
    server.expect_stdout(" closed\n");
    let mut d = Client::connect(server.addr());
    d.send(b"afasfa\n");
    d.expect(b"nsnfsn\n");
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

    // 40 more connections than the 32 descriptors allow.
    let extra: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect_timeout(&server.addr(), TIMEOUT).unwrap())
        .collect();
    server.expect_stderr("Too many open files");
    first.send(b"fasfasfasf\n");
    first.expect(b"snfsnfsnfs\n");

    // The listen queue was drained, so nothing keeps select awake.
    let before = procfs::cpu_ticks(pid);
    thread::sleep(Duration::from_millis(500));
    let spent = procfs::cpu_ticks(pid) - before;
    assert!(spent <= 5, "server used {spent} ticks in 0.5 s while idle");

    drop(extra);
    assert!(eventually(TIMEOUT, || procfs::open_fds(pid) < 16));
    let mut late = Client::connect(server.addr());
    late.send(b"agasgasg\n");
    late.expect(b"ntnftnft\n");
    server.assert_running();
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(SERVER, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--max-clients");
}
