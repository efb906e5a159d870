//! Lecture 33's claims about threads, checked against the real `callback-threads`.

use testkit::{Client, Server, procfs};

const SERVER: &str = env!("CARGO_BIN_EXE_callback-threads");

/// Reads the four trace lines of one echoed, then closed, connection and returns the
/// thread they name.
fn one_connection(server: &mut Server) -> String {
    let mut client = Client::connect(server.addr());
    client.send(b"ping\n");
    client.expect(b"ping\n");
    drop(client);
    server.expect_stdout("on_connection connection-");
    let line = server.expect_stdout("\n");
    let (conn, thread) = line
        .trim()
        .split_once(" on ")
        .expect("`<conn> on <thread>`");
    for callback in ["on_message", "on_write_complete", "on_close"] {
        server.expect_stdout(&format!("{callback} connection-{conn} on {thread}\n"));
    }
    thread.to_string()
}

#[test]
fn every_callback_of_a_connection_runs_on_its_sub_reactor_in_turn() {
    let mut server = Server::start(SERVER, &["--port", "0", "--threads", "2"]);
    let threads: Vec<String> = (0..4).map(|_| one_connection(&mut server)).collect();
    assert_eq!(threads, ["Thread-1", "Thread-2", "Thread-1", "Thread-2"]);
    assert_eq!(
        procfs::threads(server.pid()),
        3,
        "main thread + 2 sub-reactors"
    );
}

#[test]
fn with_no_sub_reactors_the_main_thread_runs_everything() {
    let mut server = Server::start(SERVER, &["--port", "0", "--threads", "0"]);
    for _ in 0..2 {
        // Rust names the process's first thread `main`.
        assert_eq!(one_connection(&mut server), "main");
    }
    assert_eq!(procfs::threads(server.pid()), 1);
}

#[test]
fn default_is_two_sub_reactors_per_cpu() {
    let cpus = std::thread::available_parallelism().unwrap().get();
    assert_eq!(ch33::default_sub_reactors(), 2 * cpus);
    let mut server = Server::start(SERVER, &["--port", "0"]);
    one_connection(&mut server);
    assert_eq!(procfs::threads(server.pid()), 1 + 2 * cpus);
}
