//! `thread01`: a new thread for every connection.
//!
//! The main thread only accepts. Each client gets a thread of its own that runs
//! [`crate::serve_client`] and ends when the client leaves. The thread is detached, like
//! the C's `pthread_detach`: dropping a `JoinHandle` detaches, and the thread's resources
//! are freed when it returns, with nobody joining it.
//!
//! The C passes the fd to the thread by casting the `int` into the `void *` argument. Here
//! the closure *owns* the `TcpStream`: no other thread can use or close it, and it is
//! closed exactly once, when the thread is done with it.

use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::thread;

use anyhow::Context;
use nix::unistd::gettid;

use common::Acceptor;

/// Accepts for ever, one thread per client. Returns only on a fatal accept error.
pub fn serve(listener: TcpListener) -> anyhow::Result<()> {
    let mut acceptor = Acceptor::new(listener).context("open the reserve descriptor")?;
    loop {
        let (stream, peer) = acceptor.next_client().context("accept")?;
        let fd = stream.as_raw_fd();
        // The name shows in `ps -L` and `top -H`.
        let spawned = thread::Builder::new()
            .name(format!("conn-fd{fd}"))
            .spawn(move || {
                say!("thread {} serves {peer} (fd {fd})", gettid());
                crate::serve_client(stream, peer);
            });
        if let Err(e) = spawned {
            // Out of threads (EAGAIN): the closure, and with it the stream, is dropped, so
            // the client sees the connection close. The server goes on accepting.
            complain!("cannot start a thread for {peer}: {e}");
        }
    }
}
