//! Why an fd-indexed channel map goes stale, with real descriptors. (Alone in its test
//! binary: another test opening descriptors in parallel could take the reused number.)

use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;

use ch32::FdMap;

/// The C epoll dispatcher closed a descriptor on EPOLLHUP without removing its map entry.
/// The kernel hands the same number to the next connection, and the map refuses it.
#[test]
fn closing_without_removing_leaves_a_stale_entry_that_blocks_the_next_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut map = FdMap::new();

    let _a = TcpStream::connect(addr).unwrap();
    let (server_a, _) = listener.accept().unwrap();
    let fd_a = server_a.as_raw_fd() as usize;
    assert!(map.insert(fd_a, "connection a"));
    // b connects first (its client socket takes a number of its own), then a's server
    // side is closed, so the accept below gets a's number back.
    let _b = TcpStream::connect(addr).unwrap();
    drop(server_a); // closed, but the entry stays: the C bug

    let (server_b, _) = listener.accept().unwrap();
    assert_eq!(
        server_b.as_raw_fd() as usize,
        fd_a,
        "the lowest free number is reused"
    );
    assert!(!map.insert(fd_a, "connection b"), "b is never registered");
    assert_eq!(
        map.get(fd_a),
        Some(&"connection a"),
        "events for b would go to a"
    );

    // The fix: remove before closing.
    map.remove(fd_a);
    assert!(map.insert(fd_a, "connection b"));
}
