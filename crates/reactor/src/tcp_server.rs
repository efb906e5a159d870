//! The TCP server: an acceptor on the main loop and a pool of sub-reactor loops.
//!
//! Course counterpart: `lib/tcp_server.c` (lectures 27, 28, 33). muduo counterpart:
//! `TcpServer`.
//!
//! ```text
//!  main thread (main reactor)               Thread-1 .. Thread-N (sub-reactors)
//!  +--------------------------+             +-------------------------------+
//!  | EventLoop                |   queue +   | EventLoop                     |
//!  |   Acceptor (listen fd) --+-- wake ---->|   Connection, Connection, ... |
//!  |   signalfd (SIGINT/TERM) |  (eventfd)  |   on_connection, on_message,  |
//!  +--------------------------+             |   on_write_complete, on_close |
//!                                           +-------------------------------+
//! ```
//!
//! With `threads: 0` there is no pool: the main loop accepts *and* serves (lecture 27's
//! single reactor). Otherwise connections go to the sub-reactors round-robin (lecture 28),
//! and each connection lives on one thread for its whole life, so the per-connection path
//! takes no lock.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, mpsc};
use std::thread::{self, JoinHandle};

use nix::sys::signal::Signal;
use socket2::{Domain, Socket, Type};

use crate::acceptor::Acceptor;
use crate::buffer::Buffer;
use crate::channel::Interest;
use crate::dispatcher::DispatcherKind;
use crate::event_loop::{EventLoop, LoopConfig, LoopHandle};
use crate::event_loop_thread::EventLoopThreadPool;
use crate::tcp_connection::{Callbacks, TcpConnection};

/// How a server runs. Plain data.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    /// Sub-reactor threads; 0 serves every connection on the main loop.
    pub threads: usize,
    /// The dispatcher of every loop the server creates.
    pub dispatcher: DispatcherKind,
    /// Print the course's `[msg]` lines.
    pub log: bool,
    /// Set `TCP_NODELAY` on accepted sockets (disable Nagle's algorithm).
    pub nodelay: bool,
}

/// A listening TCP server with the four callbacks. Build it on any thread, set the
/// callbacks, then [`start`](TcpServer::start) it on a loop, [`run`](TcpServer::run) it on
/// the current thread, or [`spawn`](TcpServer::spawn) it on a new one.
pub struct TcpServer {
    listener: TcpListener,
    options: ServerOptions,
    callbacks: Callbacks,
}

impl TcpServer {
    /// Binds `addr` as the course's `tcp_server_listen` does: `SO_REUSEADDR` and a backlog
    /// of 1024 (`LISTENQ`). Port 0 lets the kernel choose; see
    /// [`TcpServer::local_addr`].
    ///
    /// # Errors
    /// socket, bind or listen failed; the message names the address.
    pub fn new(addr: SocketAddr, options: ServerOptions) -> io::Result<TcpServer> {
        let context =
            |step: &str, e: io::Error| io::Error::new(e.kind(), format!("{step} {addr}: {e}"));
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)
            .map_err(|e| context("socket for", e))?;
        socket
            .set_reuse_address(true)
            .map_err(|e| context("SO_REUSEADDR on", e))?;
        socket.bind(&addr.into()).map_err(|e| context("bind", e))?;
        socket
            .listen(common::LISTENQ)
            .map_err(|e| context("listen on", e))?;
        Ok(TcpServer::from_listener(socket.into(), options))
    }

    /// Serves connections from an existing listener.
    pub fn from_listener(listener: TcpListener, options: ServerOptions) -> TcpServer {
        TcpServer {
            listener,
            options,
            callbacks: Callbacks::default(),
        }
    }

    /// The address the server listens on (the real port after binding port 0).
    ///
    /// # Errors
    /// getsockname(2) failed.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The options the server was built with.
    pub fn options(&self) -> &ServerOptions {
        &self.options
    }

    /// Sets the callback for a new connection. It runs on the connection's own loop
    /// thread, before the connection's first read: set the context here.
    pub fn on_connection(
        &mut self,
        f: impl Fn(&mut TcpConnection<'_>) + Send + Sync + 'static,
    ) -> &mut TcpServer {
        self.callbacks.on_connection = Some(Box::new(f));
        self
    }

    /// Sets the callback for data: called after each read that returned bytes, with the
    /// input buffer. Runs on the connection's loop thread. Without one, input is
    /// discarded.
    pub fn on_message(
        &mut self,
        f: impl Fn(&mut TcpConnection<'_>, &mut Buffer) + Send + Sync + 'static,
    ) -> &mut TcpServer {
        self.callbacks.on_message = Some(Box::new(f));
        self
    }

    /// Sets the callback for "all queued output has reached the kernel", after a direct
    /// write that took everything or after the output buffer drained. (The C called it
    /// only on the buffered path, after every partial write.) Runs on the connection's
    /// loop thread, never from inside `send`.
    pub fn on_write_complete(
        &mut self,
        f: impl Fn(&mut TcpConnection<'_>) + Send + Sync + 'static,
    ) -> &mut TcpServer {
        self.callbacks.on_write_complete = Some(Box::new(f));
        self
    }

    /// Sets the callback for a closed connection: called once, after the socket left the
    /// dispatcher and just before it is closed, whatever the reason (EOF, error, reset,
    /// `force_close`, idle timeout, server shutdown). Sends are ignored by then. Runs on
    /// the connection's loop thread.
    pub fn on_close(
        &mut self,
        f: impl Fn(&mut TcpConnection<'_>) + Send + Sync + 'static,
    ) -> &mut TcpServer {
        self.callbacks.on_close = Some(Box::new(f));
        self
    }

    /// Starts the sub-reactor threads (waiting until each loop exists), then registers the
    /// acceptor on `main_loop`. Call on `main_loop`'s thread; connections are accepted once
    /// `main_loop` runs. Stop with [`ServerThreads::stop`] after the main loop returns.
    ///
    /// # Errors
    /// A thread or loop could not be created, or the listener could not be registered.
    pub fn start(self, main_loop: &mut EventLoop) -> io::Result<ServerThreads> {
        let pool = EventLoopThreadPool::start(
            self.options.threads,
            &LoopConfig {
                dispatcher: self.options.dispatcher,
                name: String::new(),
                log: self.options.log,
            },
        )?;
        let acceptor = Acceptor::new(
            self.listener,
            Arc::new(self.callbacks),
            pool.handles(),
            self.options.nodelay,
        )?;
        main_loop.register(Box::new(acceptor), Interest::READ)?;
        Ok(ServerThreads { pool })
    }

    fn main_loop_config(&self) -> LoopConfig {
        LoopConfig {
            dispatcher: self.options.dispatcher,
            name: "main thread".to_string(),
            log: self.options.log,
        }
    }

    /// Runs the server on the calling thread until SIGINT or SIGTERM, then closes every
    /// connection, stops and joins the sub-reactor threads, and returns.
    ///
    /// # Errors
    /// Start-up failed, or a loop ended with an error.
    pub fn run(self) -> io::Result<()> {
        let mut main_loop = EventLoop::new(self.main_loop_config())?;
        // Before the threads exist, so that they inherit the blocked signals.
        main_loop.quit_on_signals(&[Signal::SIGINT, Signal::SIGTERM])?;
        let threads = self.start(&mut main_loop)?;
        let result = main_loop.run();
        threads.stop()?;
        result
    }

    /// Runs the server on a new thread (its main loop) and returns once it accepts
    /// connections. For tests and for embedding.
    ///
    /// # Errors
    /// The thread could not be spawned, or start-up failed.
    pub fn spawn(self) -> io::Result<ServerHandle> {
        let addr = self.local_addr()?;
        let (tx, rx) = mpsc::channel();
        let join = thread::Builder::new()
            .name("main thread".to_string())
            .spawn(move || -> io::Result<()> {
                let started = EventLoop::new(self.main_loop_config())
                    .and_then(|mut lp| self.start(&mut lp).map(|threads| (lp, threads)));
                let (mut main_loop, threads) = match started {
                    Ok(started) => started,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return Ok(());
                    }
                };
                let _ = tx.send(Ok(main_loop.handle()));
                let result = main_loop.run();
                threads.stop()?;
                result
            })?;
        let main = rx
            .recv()
            .map_err(|_| io::Error::other("server thread ended during start-up"))??;
        Ok(ServerHandle {
            main,
            join: Some(join),
            addr,
        })
    }
}

/// The sub-reactor threads of a started server. Owned by the thread that started it.
pub struct ServerThreads {
    pool: EventLoopThreadPool,
}

impl ServerThreads {
    /// Handles to the sub-reactor loops (empty in single-reactor mode).
    pub fn handles(&self) -> Vec<LoopHandle> {
        self.pool.handles()
    }

    /// Quits every sub-reactor (each closes its connections) and joins the threads. Call
    /// after the main loop has returned, so no new connection is handed over meanwhile.
    ///
    /// # Errors
    /// A loop ended with an error or its thread panicked.
    pub fn stop(self) -> io::Result<()> {
        self.pool.stop()
    }
}

/// A server running on its own threads (from [`TcpServer::spawn`]). `Send`; stopping it
/// from any thread quits every loop and joins every thread. Dropping it stops it too.
pub struct ServerHandle {
    main: LoopHandle,
    join: Option<JoinHandle<io::Result<()>>>,
    addr: SocketAddr,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server: quits the main loop and the sub-reactors, closes every
    /// connection, joins every thread.
    ///
    /// # Errors
    /// A loop ended with an error or a thread panicked.
    pub fn stop(mut self) -> io::Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> io::Result<()> {
        self.main.quit();
        match self.join.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("server thread panicked")),
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}
