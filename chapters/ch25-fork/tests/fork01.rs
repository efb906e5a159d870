//! fork01 as a separate process: replies, children, zombies, CLOSE_WAIT, resets, EMFILE.
//!
//! The server forks, so it is only ever run as its own process, never by forking the
//! (multi-threaded) test runner.

use std::thread;
use std::time::Duration;

use nix::sys::signal::Signal;
use testkit::procfs::{self, TcpState};
use testkit::{Client, Process, Server, TIMEOUT, eventually, tools};

const SERVER: &str = env!("CARGO_BIN_EXE_fork01");

fn server(args: &[&str]) -> Server {
    let mut all = vec!["--port", "0"];
    all.extend_from_slice(args);
    Server::start(SERVER, &all)
}

/// The server's children, as `(pid, state)`; state `Z` is a zombie.
fn children(server: &Server) -> Vec<(u32, char)> {
    procfs::children(server.pid())
}

fn zombies(server: &Server) -> usize {
    children(server).iter().filter(|c| c.1 == 'Z').count()
}

/// Sends SIGSTOP and waits until the kernel has really stopped the server (state `T`).
fn freeze(server: &Server) {
    server.signal(Signal::SIGSTOP);
    let stat = format!("/proc/{}/stat", server.pid());
    let stopped = || {
        std::fs::read_to_string(&stat).is_ok_and(|s| {
            s.rsplit(") ")
                .next()
                .is_some_and(|rest| rest.starts_with('T'))
        })
    };
    assert!(eventually(TIMEOUT, stopped), "server did not stop");
}

fn rot13(text: &str) -> Vec<u8> {
    common::rot13(text.as_bytes())
}

#[test]
fn lecture_samples_come_back_only_once_the_line_is_complete() {
    let server = server(&[]);
    let mut client = Client::connect(server.addr());
    client.send(b"afasfa");
    client.expect_silence(Duration::from_millis(200));
    client.send(b"\r\n");
    client.expect(b"nsnfsn\r\n");
    // Two lines in one segment are two replies; LF alone is kept as LF.
    client.send(b"agasgasg\r\nHello World 123\n");
    client.expect(b"ntnftnft\r\nUryyb Jbeyq 123\n");
}

#[test]
fn nc_and_telnet_get_replies() {
    let server = server(&[]);
    assert_eq!(
        tools::nc(server.addr(), b"afasfa\nagasgasg\n"),
        b"nsnfsn\nntnftnft\n"
    );
    let mut telnet = tools::telnet(server.addr());
    telnet.send(b"fasfasfasf\n");
    telnet.expect_stdout("snfsnfsnfs");
}

#[test]
fn twenty_concurrent_clients_leave_no_zombie_and_no_close_wait() {
    let mut server = server(&[]);
    let port = server.port();
    let mut clients: Vec<Client> = (0..20).map(|_| Client::connect(server.addr())).collect();
    // One child per connection, all alive at once.
    for _ in 0..20 {
        server.expect_stdout("child ");
    }
    assert!(
        eventually(TIMEOUT, || children(&server).len() == 20),
        "expected 20 children, got {:?}",
        children(&server)
    );
    for (i, client) in clients.iter_mut().enumerate() {
        client.send(format!("client {i} says hello\r\n").as_bytes());
    }
    for (i, client) in clients.iter_mut().enumerate() {
        client.expect(&rot13(&format!("client {i} says hello\r\n")));
        client.send(format!("and goodbye from {i}\n").as_bytes());
        client.expect(&rot13(&format!("and goodbye from {i}\n")));
    }
    drop(clients);

    // Every child exits when its client leaves, and the SIGCHLD handler collects it: a
    // zombie would stay in the list for ever.
    assert!(
        eventually(TIMEOUT, || children(&server).is_empty()),
        "children left behind: {:?}",
        children(&server)
    );
    // With every child gone, only the parent could still hold a connection open.
    assert_eq!(
        procfs::count_tcp_state(port, TcpState::CloseWait),
        0,
        "server sockets: {:?}",
        procfs::tcp_states(port)
    );
    assert_eq!(procfs::tcp_states(port), vec![TcpState::Listen]);
    // Twenty SIGCHLDs arrived while the parent slept in accept; it still accepts.
    let mut late = Client::connect(server.addr());
    late.send(b"aaa\n");
    late.expect(b"nnn\n");
    server.assert_running();
}

#[test]
fn ignoring_sigchld_also_leaves_no_zombie() {
    let server = server(&["--reap", "ignore"]);
    for i in 0..5 {
        let mut client = Client::connect(server.addr());
        client.send(format!("{i}\n").as_bytes());
        client.expect(format!("{i}\n").as_bytes());
    }
    assert!(
        eventually(TIMEOUT, || children(&server).is_empty()),
        "children left behind: {:?}",
        children(&server)
    );
}

#[test]
fn without_reaping_every_finished_child_is_a_zombie() {
    let mut server = server(&["--reap", "off"]);
    for _ in 0..3 {
        let mut client = Client::connect(server.addr());
        client.send(b"x\n");
        client.expect(b"k\n");
        drop(client);
        server.expect_stdout("closed after 1 line\n");
    }
    assert!(
        eventually(TIMEOUT, || zombies(&server) == 3),
        "expected 3 zombies, got {:?}",
        children(&server)
    );
}

/// Three children exit while the parent is stopped: their three SIGCHLDs merge into one
/// pending signal, delivered when the parent resumes.
fn three_children_exit_together(server: &mut Server) {
    let mut clients: Vec<Client> = (0..3).map(|_| Client::connect(server.addr())).collect();
    for client in &mut clients {
        client.send(b"z\n");
        client.expect(b"m\n");
    }
    freeze(server);
    drop(clients);
    assert!(
        eventually(TIMEOUT, || zombies(server) == 3),
        "expected 3 exited children, got {:?}",
        children(server)
    );
    server.signal(Signal::SIGCONT);
}

#[test]
fn one_waitpid_per_signal_leaves_zombies_and_the_loop_does_not() {
    // The lecture's 思考题 2: why does the handler loop?
    let mut once = server(&["--reap", "once"]);
    three_children_exit_together(&mut once);
    assert!(
        eventually(TIMEOUT, || zombies(&once) == 2),
        "expected 2 zombies, got {:?}",
        children(&once)
    );
    // Nothing else will collect them: no further signal is coming.
    thread::sleep(Duration::from_millis(300));
    assert_eq!(zombies(&once), 2, "{:?}", children(&once));

    let mut looping = server(&[]);
    three_children_exit_together(&mut looping);
    assert!(
        eventually(TIMEOUT, || children(&looping).is_empty()),
        "children left behind: {:?}",
        children(&looping)
    );
}

#[test]
fn children_close_the_listener_so_it_dies_with_the_parent() {
    let server = server(&[]);
    let port = server.port();
    let mut client = Client::connect(server.addr());
    client.send(b"before\n");
    client.expect(b"orsber\n");
    // (Not `server.wait()`: that also waits for the output pipes, which the child holds.)
    server.signal(Signal::SIGKILL);
    // Had the child kept its copy of the listener, the port would still be listening,
    // and new clients would queue there with nobody to accept them.
    assert!(
        eventually(TIMEOUT, || procfs::count_tcp_state(port, TcpState::Listen)
            == 0),
        "server sockets: {:?}",
        procfs::tcp_states(port)
    );
    // The orphaned child still serves the client it has.
    client.send(b"after\n");
    client.expect(b"nsgre\n");
}

#[test]
fn a_client_reset_never_stops_the_server() {
    let mut server = server(&[]);
    let mut a = Client::connect(server.addr());
    a.send(b"abc\n");
    a.expect(b"nop\n");
    a.reset();
    // The child reports it and exits; the parent is untouched.
    server.expect_stderr("Connection reset by peer");
    let mut b = Client::connect(server.addr());
    b.send(b"still here\n");
    b.expect(b"fgvyy urer\n");
    server.assert_running();
    drop(b);
    assert!(
        eventually(TIMEOUT, || children(&server).is_empty()),
        "children left behind: {:?}",
        children(&server)
    );
}

#[test]
fn a_line_longer_than_4096_bytes_closes_that_client_only() {
    let mut server = server(&[]);
    let mut long = Client::connect(server.addr());
    long.send(&[b'a'; 5000]);
    long.expect_eof();
    server.expect_stderr("line longer than 4096 bytes");
    let mut next = Client::connect(server.addr());
    next.send(b"ok\n");
    next.expect(b"bx\n");
}

#[test]
fn out_of_descriptors_clients_are_turned_away_without_spinning() {
    // 0, 1, 2, the listener and the reserve: with a limit of 5, every accept hits EMFILE.
    let mut server = Server::start_with_fd_limit(SERVER, &["--port", "0"], 5);
    for _ in 0..2 {
        let mut client = Client::connect(server.addr());
        client.expect(common::SHED_MESSAGE);
        client.expect_eof();
        server.expect_stderr("Too many open files");
    }
    let before = procfs::cpu_ticks(server.pid());
    thread::sleep(Duration::from_millis(500));
    let spent = procfs::cpu_ticks(server.pid()) - before;
    assert!(spent <= 5, "server used {spent} ticks in 0.5 s while idle");
    server.assert_running();
}

#[test]
fn help_explains_the_flags() {
    let mut p = Process::start(SERVER, &["--help"]);
    assert!(p.wait().success());
    p.expect_stdout("--port");
    p.expect_stdout("--reap");
}
