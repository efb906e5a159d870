//! epoll01, done right and with the C's mistakes switched back on.

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use nix::sys::signal::Signal;
use testkit::{Client, Process, Server, TIMEOUT, eventually, procfs, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_epoll01");

fn server(args: &[&str]) -> Server {
    let mut all = vec!["--port", "0"];
    all.extend_from_slice(args);
    Server::start(SERVER, &all)
}

fn rot13(text: &str) -> Vec<u8> {
    common::rot13(text.as_bytes())
}

#[test]
fn lecture_samples_come_back_in_rot13_byte_exact() {
    for mode in ["et", "lt"] {
        let server = server(&["--mode", mode]);
        let mut client = Client::connect(server.addr());
        for (line, reply) in [
            ("fasfsafas", "snfsfnsnf"),
            ("fasfasfasf", "snfsnfsnfs"),
            ("Hello World 123", "Uryyb Jbeyq 123"),
        ] {
            client.send_line(line);
            client.expect(format!("{reply}\r\n").as_bytes());
        }
    }
}

#[test]
fn logs_the_c_lines() {
    let mut server = server(&[]);
    let mut client = Client::connect(server.addr());
    server.expect_stdout("epoll_wait wakeup\naccepted 127.0.0.1:");
    client.send(b"abc\n");
    client.expect(b"nop\n");
    server.expect_stdout("epoll_wait wakeup\nget event on socket fd == ");
}

#[test]
fn nc_and_telnet_get_replies() {
    let server = server(&[]);
    assert_eq!(
        tools::nc(server.addr(), b"Hello Yolanda\n"),
        b"Uryyb Lbynaqn\n"
    );
    let mut telnet = tools::telnet(server.addr());
    telnet.send(b"abc xyz\n");
    telnet.expect_stdout("nop klm");
}

#[test]
fn a_burst_of_50_connects_is_all_accepted_and_served() {
    let server = server(&[]);
    // While the server is stopped, the kernel completes 50 handshakes into the accept
    // queue; the listener then makes one edge for all of them.
    server.freeze();
    let mut clients: Vec<Client> = (0..50).map(|_| Client::connect(server.addr())).collect();
    server.signal(Signal::SIGCONT);
    for (i, client) in clients.iter_mut().enumerate() {
        client.send(format!("client {i}\n").as_bytes());
    }
    for (i, client) in clients.iter_mut().enumerate() {
        client.expect(&rot13(&format!("client {i}\n")));
    }
}

#[test]
fn twenty_clients_sending_at_the_same_instant_all_get_replies() {
    let mut server = server(&[]);
    let mut clients: Vec<Client> = (0..20).map(|_| Client::connect(server.addr())).collect();
    for _ in 0..20 {
        server.expect_stdout("accepted ");
    }
    // All twenty lines arrive while the server is stopped: one epoll_wait returns them all.
    server.freeze();
    for (i, client) in clients.iter_mut().enumerate() {
        client.send(format!("client {i}\n").as_bytes());
    }
    server.signal(Signal::SIGCONT);
    for (i, client) in clients.iter_mut().enumerate() {
        client.expect(&rot13(&format!("client {i}\n")));
    }
}

#[test]
fn c_bug_accept_once_starves_a_burst_under_et() {
    let server = server(&["--c-bug", "accept-once"]);
    server.freeze();
    let mut clients: Vec<Client> = (0..5).map(|_| Client::connect(server.addr())).collect();
    server.signal(Signal::SIGCONT);
    for client in &mut clients {
        client.send(b"aaa\n");
    }
    // One edge, one accept: the first client is served, the other four wait in the queue.
    clients[0].expect(b"nnn\n");
    for client in &mut clients[1..] {
        client.expect_silence(Duration::from_millis(200));
    }
    // A new connection makes a new edge, which accepts one more: the oldest in the queue.
    let _newcomer = Client::connect(server.addr());
    clients[1].expect(b"nnn\n");
    clients[2].expect_silence(Duration::from_millis(200));
}

#[test]
fn c_bug_drop_batch_loses_events_under_et_but_not_under_lt() {
    for mode in ["et", "lt"] {
        let mut server = server(&["--mode", mode, "--c-bug", "drop-batch"]);
        let mut a = Client::connect(server.addr());
        let mut b = Client::connect(server.addr());
        server.expect_stdout("accepted ");
        server.expect_stdout("accepted ");
        server.freeze();
        a.send(b"aaa\n");
        b.send(b"bbb\n");
        server.signal(Signal::SIGCONT);
        // One wakeup reports both; the batch is dropped after the first client.
        a.expect(b"nnn\n");
        if mode == "et" {
            // b's edge is gone: its line sits unread until b sends again.
            b.expect_silence(Duration::from_millis(200));
            b.send(b"ccc\n");
            b.expect(b"ooo\nppp\n");
        } else {
            // Level-triggered: the next epoll_wait reports b again.
            b.expect(b"ooo\n");
        }
    }
}

#[test]
fn a_client_reset_never_stops_the_server() {
    let mut server = server(&[]);
    let mut a = Client::connect(server.addr());
    a.send(b"x");
    a.expect(b"k");
    a.reset();
    server.expect_stderr("Connection reset by peer");
    let mut b = Client::connect(server.addr());
    b.send(b"still here\n");
    b.expect(b"fgvyy urer\n");
    server.assert_running();
}

#[test]
fn a_client_that_never_reads_does_not_stall_the_others() {
    for mode in ["et", "lt"] {
        let server = server(&["--mode", mode]);
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
        other.expect(b"nop\n");
        drop(writer.join().unwrap());
    }
}

#[test]
fn a_large_reply_to_a_slow_reader_arrives_whole() {
    // More than the socket buffers hold, so the server must queue, wait for EPOLLOUT, and
    // (under ET) go back to reading what it left behind at the high-water mark.
    let server = server(&[]);
    let mut client = Client::connect(server.addr());
    let data: Vec<u8> = (0..4 * 1024 * 1024)
        .map(|i| b"abcdefghij\n"[i % 11])
        .collect();
    let stream = client.stream().try_clone().unwrap();
    let sent = data.clone();
    let writer = thread::spawn(move || (&stream).write_all(&sent).unwrap());
    let got = client.read_exact(data.len());
    writer.join().unwrap();
    assert!(
        got == common::rot13(&data),
        "reply differs from rot13 of the input"
    );
}

#[test]
fn out_of_file_descriptors_the_server_keeps_serving_without_spinning() {
    for mode in ["et", "lt"] {
        let mut server = Server::start_with_fd_limit(SERVER, &["--port", "0", "--mode", mode], 32);
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
        assert!(
            spent <= 5,
            "{mode}: server used {spent} ticks in 0.5 s while idle"
        );

        drop(extra);
        assert!(eventually(TIMEOUT, || procfs::open_fds(pid) < 16));
        let mut late = Client::connect(server.addr());
        late.send(b"agasgasg\n");
        late.expect(b"ntnftnft\n");
    }
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(SERVER, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--c-bug");
}
