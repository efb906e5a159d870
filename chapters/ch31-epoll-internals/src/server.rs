//! `epoll-rot13`: a single-threaded epoll reactor answering every byte with its rot13, either
//! level- or edge-triggered, reading at most `read_size` bytes per `read`.
//!
//! It exists to be watched with `strace -c`: with `--trigger lt` and a small `--read-size`,
//! each `epoll_wait` is followed by one `read`, and the kernel reports the socket again and
//! again while bytes remain (the LT item goes back on the ready list). With `--trigger et`
//! one wakeup is followed by reads until EAGAIN, as edge-triggering demands.
//!
//! Output is bounded: once `max_pending` bytes wait for a client that does not read, the
//! server stops reading that client (LT: drops EPOLLIN from its interest; ET: stops its read
//! loop and resumes it when the output drains).

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};

use anyhow::Context;
use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

/// Level- or edge-triggered notification for the connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Trigger {
    /// Level-triggered: reported after every epoll_wait while readable.
    Lt,
    /// Edge-triggered (EPOLLET): reported when new data arrives; read until EAGAIN.
    Et,
}

/// How the reactor behaves.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// LT or ET.
    pub trigger: Trigger,
    /// Bytes per `read` call.
    pub read_size: usize,
    /// Answers waiting for one client beyond which it is not read.
    pub max_pending: usize,
}

/// The listener's token in `epoll_event.data`; connections get 1, 2, ...
const LISTENER: u64 = 0;

/// One client.
struct Conn {
    stream: TcpStream,
    /// Answers not yet written.
    out: Vec<u8>,
    /// The client sent FIN.
    eof: bool,
    /// ET only: reading stopped because `out` was full, with data possibly left unread.
    starved: bool,
    /// LT only: the interest set currently registered.
    interest: EpollFlags,
}

/// The reactor: the listener and its epoll instance, ready to serve.
pub struct Reactor {
    listener: TcpListener,
    epoll: Epoll,
    options: Options,
}

impl Reactor {
    /// Creates the epoll instance and registers the listener, so the caller can announce
    /// `listening on` knowing every descriptor of the idle server exists.
    pub fn new(listener: TcpListener, options: Options) -> anyhow::Result<Reactor> {
        listener.set_nonblocking(true)?;
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).context("epoll_create1")?;
        epoll.add(&listener, EpollEvent::new(EpollFlags::EPOLLIN, LISTENER))?;
        Ok(Reactor {
            listener,
            epoll,
            options,
        })
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves forever.
    pub fn run(self) -> anyhow::Result<()> {
        let Reactor {
            listener,
            epoll,
            options,
        } = self;
        let mut conns: HashMap<u64, Conn> = HashMap::new();
        let mut next_token = LISTENER + 1;
        let mut events = vec![EpollEvent::empty(); 128];
        loop {
            let n = match epoll.wait(&mut events, EpollTimeout::NONE) {
                Ok(n) => n,
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e).context("epoll_wait"),
            };
            for event in &events[..n] {
                let token = event.data();
                if token == LISTENER {
                    accept_all(&listener, &epoll, &mut conns, &mut next_token, options)?;
                    continue;
                }
                let Some(conn) = conns.get_mut(&token) else {
                    continue;
                };
                match conn.on_event(event.events(), options) {
                    Ok(true) => conn.update_interest(&epoll, token, options)?,
                    Ok(false) => close(&epoll, &mut conns, token),
                    Err(e) => {
                        eprintln!("connection {token}: {e}");
                        close(&epoll, &mut conns, token);
                    }
                }
            }
        }
    }
}

fn accept_all(
    listener: &TcpListener,
    epoll: &Epoll,
    conns: &mut HashMap<u64, Conn>,
    next_token: &mut u64,
    options: Options,
) -> anyhow::Result<()> {
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                // EMFILE and friends: say so and try again on the next wakeup.
                eprintln!("accept: {e}");
                return Ok(());
            }
        };
        stream.set_nonblocking(true)?;
        // Answers go out in read-size pieces; with Nagle's algorithm each piece after the
        // first would wait for the client's delayed ACK (lecture 13).
        stream.set_nodelay(true)?;
        let token = *next_token;
        *next_token += 1;
        let interest = match options.trigger {
            // ET: register once for both directions and never modify.
            Trigger::Et => EpollFlags::EPOLLIN | EpollFlags::EPOLLOUT | EpollFlags::EPOLLET,
            Trigger::Lt => EpollFlags::EPOLLIN,
        };
        epoll.add(&stream, EpollEvent::new(interest, token))?;
        conns.insert(
            token,
            Conn {
                stream,
                out: Vec::new(),
                eof: false,
                starved: false,
                interest,
            },
        );
    }
}

fn close(epoll: &Epoll, conns: &mut HashMap<u64, Conn>, token: u64) {
    if let Some(conn) = conns.remove(&token) {
        // close(2) would remove it too, unless the fd were duplicated; say it explicitly.
        let _ = epoll.delete(&conn.stream);
    }
}

impl Conn {
    /// Handles one event. Returns whether the connection stays open.
    fn on_event(&mut self, events: EpollFlags, options: Options) -> io::Result<bool> {
        if events.intersects(EpollFlags::EPOLLOUT | EpollFlags::EPOLLERR | EpollFlags::EPOLLHUP) {
            self.flush()?;
        }
        let readable =
            events.intersects(EpollFlags::EPOLLIN | EpollFlags::EPOLLERR | EpollFlags::EPOLLHUP);
        match options.trigger {
            Trigger::Lt if readable && !self.eof && self.out.len() < options.max_pending => {
                // One read per wakeup: if bytes remain, the next epoll_wait reports us again.
                self.read_once(options.read_size)?;
            }
            Trigger::Et if readable || self.starved => self.read_until_eagain(options)?,
            _ => {}
        }
        Ok(!(self.eof && self.out.is_empty()))
    }

    /// Reads once; returns whether the socket may have more (false at EAGAIN or EOF).
    fn read_once(&mut self, read_size: usize) -> io::Result<bool> {
        let mut buf = vec![0u8; read_size];
        match self.stream.read(&mut buf) {
            Ok(0) => {
                self.eof = true;
                Ok(false)
            }
            Ok(n) => {
                common::rot13_in_place(&mut buf[..n]);
                self.out.extend_from_slice(&buf[..n]);
                self.flush()?;
                Ok(true)
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(false),
            Err(e) if e.kind() == ErrorKind::Interrupted => Ok(true),
            Err(e) => Err(e),
        }
    }

    /// Edge-triggered: no new report comes until new data arrives, so drain to EAGAIN, or
    /// stop because the client is not reading its answers and remember to come back.
    fn read_until_eagain(&mut self, options: Options) -> io::Result<()> {
        self.starved = false;
        while !self.eof {
            if self.out.len() >= options.max_pending {
                self.starved = true;
                return Ok(());
            }
            if !self.read_once(options.read_size)? {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Writes as much of `out` as the socket takes now.
    fn flush(&mut self) -> io::Result<()> {
        while !self.out.is_empty() {
            match self.stream.write(&self.out) {
                Ok(n) => {
                    self.out.drain(..n);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// LT: read interest while there is room for answers, write interest while answers wait
    /// (a writable socket would otherwise wake every epoll_wait). ET: registered once.
    fn update_interest(
        &mut self,
        epoll: &Epoll,
        token: u64,
        options: Options,
    ) -> anyhow::Result<()> {
        if options.trigger == Trigger::Et {
            return Ok(());
        }
        let mut wanted = EpollFlags::empty();
        if !self.eof && self.out.len() < options.max_pending {
            wanted |= EpollFlags::EPOLLIN;
        }
        if !self.out.is_empty() {
            wanted |= EpollFlags::EPOLLOUT;
        }
        if wanted != self.interest {
            epoll.modify(&self.stream, &mut EpollEvent::new(wanted, token))?;
            self.interest = wanted;
        }
        Ok(())
    }
}
