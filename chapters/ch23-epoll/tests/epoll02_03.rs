//! epoll02 (ET) and epoll03 (LT): how often the same unread bytes are reported.

use std::net::TcpStream;
use std::time::Duration;

use testkit::{Client, Server, TIMEOUT, eventually, procfs};

const EPOLL02: &str = env!("CARGO_BIN_EXE_epoll02");
const EPOLL03: &str = env!("CARGO_BIN_EXE_epoll03");

const EVENT: &str = "get event on socket fd == ";

fn events(server: &Server) -> usize {
    String::from_utf8_lossy(&server.stdout())
        .matches(EVENT)
        .count()
}

#[test]
fn edge_triggered_reports_exactly_one_event_per_message() {
    let mut server = Server::start(EPOLL02, &["--port", "0"]);
    let mut client = Client::connect(server.addr());
    server.expect_stdout("accepted ");
    client.send_line("asfafas");
    server.expect_stdout(EVENT);
    // The bytes stay unread, and ET stays quiet about them.
    client.expect_silence(Duration::from_millis(300));
    assert_eq!(events(&server), 1);
    client.send_line("again");
    server.expect_stdout(EVENT);
    client.expect_silence(Duration::from_millis(300));
    assert_eq!(events(&server), 2);
    // Hanging up is one more edge, and the server closes its end.
    drop(client);
    server.expect_stdout("the client hung up; closing it\n");
    assert_eq!(events(&server), 3);
}

#[test]
fn level_triggered_reports_the_same_bytes_again_and_again() {
    let mut server = Server::start(EPOLL03, &["--port", "0", "--max-reports", "500"]);
    let mut client = Client::connect(server.addr());
    server.expect_stdout("accepted ");
    client.send_line("asfafas");
    // One message, and epoll_wait returns it every time until the cap closes the client.
    server.expect_stdout("500 events without a read; closing it\n");
    assert_eq!(events(&server), 500);
    client.expect_eof();
}

#[test]
fn the_mode_switch_turns_each_program_into_the_other() {
    let mut lt = Server::start(
        EPOLL02,
        &["--port", "0", "--mode", "lt", "--max-reports", "50"],
    );
    let mut client = Client::connect(lt.addr());
    client.send_line("x");
    lt.expect_stdout("50 events without a read");

    let mut et = Server::start(EPOLL03, &["--port", "0", "--mode", "et"]);
    let mut client = Client::connect(et.addr());
    client.send_line("x");
    et.expect_stdout(EVENT);
    client.expect_silence(Duration::from_millis(300));
    assert_eq!(events(&et), 1);
}

#[test]
fn out_of_file_descriptors_the_watchers_keep_reporting_without_spinning() {
    for (bin, args) in [(EPOLL02, &[][..]), (EPOLL03, &["--max-reports", "100"])] {
        let mut server = Server::start_with_fd_limit(bin, &[&["--port", "0"], args].concat(), 32);
        let pid = server.pid();
        let mut first = Client::connect(server.addr());
        server.expect_stdout("accepted ");
        let extra: Vec<TcpStream> = (0..40)
            .map(|_| TcpStream::connect_timeout(&server.addr(), TIMEOUT).unwrap())
            .collect();
        server.expect_stderr("Too many open files");
        // Idle clients make no events, whatever the mode: nothing to spin on.
        let before = procfs::cpu_ticks(pid);
        std::thread::sleep(Duration::from_millis(500));
        let spent = procfs::cpu_ticks(pid) - before;
        assert!(spent <= 5, "{bin}: used {spent} ticks in 0.5 s while idle");
        let seen = events(&server);
        first.send_line("still watched");
        assert!(eventually(TIMEOUT, || events(&server) > seen));
        if bin == EPOLL03 {
            // Let its flood of reports end before counting again.
            server.expect_stdout("100 events without a read; closing it\n");
        }
        drop(extra);
        assert!(eventually(TIMEOUT, || procfs::open_fds(pid) < 16));
        let mut late = Client::connect(server.addr());
        let seen = events(&server);
        late.send_line("late");
        assert!(eventually(TIMEOUT, || events(&server) > seen));
    }
}
