//! The framework in process: a spawned server per dispatcher, real sockets on port 0.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reactor::{DispatcherKind, ServerOptions, TcpServer};
use testkit::Client;

const KINDS: [DispatcherKind; 3] = [
    DispatcherKind::Poll,
    DispatcherKind::Epoll,
    DispatcherKind::Select,
];

fn echo_server(kind: DispatcherKind, threads: usize) -> TcpServer {
    let options = ServerOptions {
        threads,
        dispatcher: kind,
        ..ServerOptions::default()
    };
    let mut server = TcpServer::new("127.0.0.1:0".parse().unwrap(), options).unwrap();
    server.on_message(|conn, input| conn.send_buffer(input));
    server
}

#[test]
fn echoes_on_every_dispatcher_and_thread_count() {
    for kind in KINDS {
        for threads in [0, 2] {
            let server = echo_server(kind, threads).spawn().unwrap();
            let mut clients: Vec<Client> = (0..4)
                .map(|_| Client::connect(server.local_addr()))
                .collect();
            for (i, c) in clients.iter_mut().enumerate() {
                let line = format!("hello {i}\r\n");
                c.send(line.as_bytes());
                c.expect(line.as_bytes());
            }
            server.stop().unwrap();
            for c in &mut clients {
                c.expect_eof();
            }
        }
    }
}

#[test]
fn context_set_in_on_connection_is_there_for_the_first_message() {
    for kind in KINDS {
        let options = ServerOptions {
            threads: 2,
            dispatcher: kind,
            ..ServerOptions::default()
        };
        let mut server = TcpServer::new("127.0.0.1:0".parse().unwrap(), options).unwrap();
        server.on_connection(|conn| conn.set_context(String::from("ctx:")));
        server.on_message(|conn, input| {
            let reply = match conn.context::<String>() {
                Some(prefix) => [prefix.as_bytes(), input.peek()].concat(),
                None => b"no context\n".to_vec(),
            };
            input.retrieve_all();
            conn.send(&reply);
        });
        let server = server.spawn().unwrap();
        for _ in 0..20 {
            let mut c = Client::connect(server.local_addr());
            c.send(b"x");
            c.expect(b"ctx:x");
        }
    }
}

#[test]
fn write_complete_shutdown_and_close_callbacks_run_once_each() {
    for kind in KINDS {
        let completes = Arc::new(AtomicUsize::new(0));
        let closes = Arc::new(AtomicUsize::new(0));
        let mut server = echo_server(kind, 1);
        let c = Arc::clone(&completes);
        server.on_write_complete(move |_| {
            c.fetch_add(1, Ordering::SeqCst);
        });
        let c = Arc::clone(&closes);
        server.on_close(move |conn| {
            assert!(!conn.is_connected());
            c.fetch_add(1, Ordering::SeqCst);
        });
        server.on_message(|conn, input| {
            conn.send_buffer(input);
            conn.shutdown();
        });
        let server = server.spawn().unwrap();
        let mut client = Client::connect(server.local_addr());
        client.send(b"bye");
        client.expect(b"bye");
        client.expect_eof();
        drop(client);
        assert!(testkit::eventually(testkit::TIMEOUT, || closes
            .load(Ordering::SeqCst)
            == 1));
        assert_eq!(completes.load(Ordering::SeqCst), 1, "{kind}");
        server.stop().unwrap();
        assert_eq!(closes.load(Ordering::SeqCst), 1, "{kind}: closed once");
    }
}

#[test]
fn idle_connections_are_closed_and_busy_ones_kept() {
    for kind in KINDS {
        let mut server = echo_server(kind, 0);
        server.on_connection(|conn| conn.set_idle_timeout(Some(Duration::from_millis(200))));
        let server = server.spawn().unwrap();
        let mut idle = Client::connect(server.local_addr());
        let mut busy = Client::connect(server.local_addr());
        for _ in 0..6 {
            busy.send(b"k");
            busy.expect(b"k");
            std::thread::sleep(Duration::from_millis(50));
        }
        idle.expect_eof();
        busy.send(b"still here");
        busy.expect(b"still here");
    }
}

/// Lecture 35's first answer: a reply that fits goes out with the direct write and nothing
/// is buffered; a reply the kernel cannot take is queued, and "write complete" comes only
/// once the queue has drained.
#[test]
fn direct_write_first_then_queue_until_drained() {
    const LARGE: usize = 8_000_000;
    for kind in KINDS {
        let queued = Arc::new(std::sync::Mutex::new(Vec::new()));
        let completes = Arc::new(AtomicUsize::new(0));
        let mut server = echo_server(kind, 1);
        let q = Arc::clone(&queued);
        server.on_message(move |conn, input| {
            let size = if input.peek().starts_with(b"large") {
                LARGE
            } else {
                100
            };
            input.retrieve_all();
            conn.send(&vec![b'x'; size]);
            q.lock().unwrap().push(conn.queued_output());
        });
        let c = Arc::clone(&completes);
        server.on_write_complete(move |_| {
            c.fetch_add(1, Ordering::SeqCst);
        });
        let server = server.spawn().unwrap();
        let mut client = Client::connect(server.local_addr());

        client.send(b"small\n");
        client.expect(&[b'x'; 100]);
        assert!(testkit::eventually(testkit::TIMEOUT, || completes
            .load(Ordering::SeqCst)
            == 1));
        assert_eq!(*queued.lock().unwrap(), [0], "{kind}: all written directly");

        client.send(b"large\n");
        assert!(testkit::eventually(testkit::TIMEOUT, || queued
            .lock()
            .unwrap()
            .len()
            == 2));
        let left = queued.lock().unwrap()[1];
        assert!(
            left > 0 && left < LARGE,
            "{kind}: part written, {left} queued"
        );
        assert_eq!(
            completes.load(Ordering::SeqCst),
            1,
            "{kind}: not complete yet"
        );

        let got = client.read_exact(LARGE);
        assert!(got.iter().all(|&b| b == b'x'));
        assert!(testkit::eventually(testkit::TIMEOUT, || completes
            .load(Ordering::SeqCst)
            == 2));
    }
}

/// The C's `size_t nwrited = write(...)` turned a failed write into a huge count. Here a
/// peer that resets while megabytes are queued for it makes the write fail, and the
/// connection is closed once; the server goes on serving.
#[test]
fn a_reset_with_output_queued_closes_the_connection_once() {
    for kind in KINDS {
        let closes = Arc::new(AtomicUsize::new(0));
        let mut server = echo_server(kind, 1);
        server.on_message(|conn, input| {
            let big = input.peek().starts_with(b"big");
            conn.send_buffer(input);
            if big {
                conn.send(&vec![b'z'; 8_000_000]);
            }
        });
        let c = Arc::clone(&closes);
        server.on_close(move |_| {
            c.fetch_add(1, Ordering::SeqCst);
        });
        let server = server.spawn().unwrap();

        let mut victim = Client::connect(server.local_addr());
        victim.send(b"big\n");
        victim.expect(b"big\n");
        victim.reset();
        assert!(testkit::eventually(testkit::TIMEOUT, || closes
            .load(Ordering::SeqCst)
            == 1));

        let mut next = Client::connect(server.local_addr());
        next.send(b"still serving\n");
        next.expect(b"still serving\n");
        drop(next);
        assert!(testkit::eventually(testkit::TIMEOUT, || closes
            .load(Ordering::SeqCst)
            == 2));
    }
}
