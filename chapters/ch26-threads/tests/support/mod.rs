//! Helpers shared by the server tests.

#![allow(dead_code)]

use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use testkit::{Client, Server, TIMEOUT, eventually, procfs};

/// `text` rot13'd.
pub fn rot13(text: &str) -> Vec<u8> {
    common::rot13(text.as_bytes())
}

/// Starts `bin` on port 0 with `args`.
pub fn server(bin: &str, args: &[&str]) -> Server {
    let mut all = vec!["--port", "0"];
    all.extend_from_slice(args);
    Server::start(bin, &all)
}

/// Twenty clients, each on a thread of its own: they connect, wait until all twenty are
/// connected, then each sends two lines of its own, checks both replies, and leaves.
pub fn twenty_clients_in_parallel(addr: SocketAddr) {
    let all_connected = Arc::new(Barrier::new(20));
    let clients: Vec<_> = (0..20)
        .map(|i| {
            let all_connected = Arc::clone(&all_connected);
            thread::spawn(move || {
                let mut client = Client::connect(addr);
                all_connected.wait();
                client.send(format!("client {i} says hello\r\n").as_bytes());
                client.expect(&rot13(&format!("client {i} says hello\r\n")));
                client.send(format!("and goodbye from {i}\n").as_bytes());
                client.expect(&rot13(&format!("and goodbye from {i}\n")));
            })
        })
        .collect();
    for client in clients {
        client.join().expect("a client failed");
    }
}

/// Waits for `n` more `closed after` lines on the server's stdout. The servers close a
/// connection before they print that line.
pub fn expect_closed(server: &mut Server, n: usize) {
    for _ in 0..n {
        server.expect_stdout(" closed after ");
    }
}

/// Runs `bin` with `ulimit -n 32` and connects more clients than it has descriptors for:
/// the extras are turned away, the server does not spin, and it serves again once the
/// extras leave.
pub fn out_of_descriptors_keeps_serving(bin: &str, args: &[&str]) {
    let mut server = Server::start_with_fd_limit(bin, &[&["--port", "0"], args].concat(), 32);
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

    // Connections the server has yet to accept or turn away keep it busy for a moment;
    // after that it must go quiet. A server spinning on EMFILE never does.
    assert!(goes_quiet(pid), "{bin}: keeps using CPU while idle");

    drop(extra);
    drop(first);
    assert!(
        eventually(TIMEOUT, || procfs::open_fds(pid) < 16),
        "{bin}: {} fds still open",
        procfs::open_fds(pid)
    );
    let mut late = Client::connect(server.addr());
    late.send(b"agasgasg\n");
    late.expect(b"ntnftnft\n");
}

/// Whether process `pid` spends (almost) no CPU during some 300 ms window, of five tried.
/// A loop that spins uses all 30 ticks of a window, every time.
pub fn goes_quiet(pid: u32) -> bool {
    (0..5).any(|_| {
        let before = procfs::cpu_ticks(pid);
        thread::sleep(Duration::from_millis(300));
        procfs::cpu_ticks(pid) - before <= 3
    })
}
