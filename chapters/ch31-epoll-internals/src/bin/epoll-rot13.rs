//! `epoll-rot13`: a level- or edge-triggered epoll rot13 server to watch with `strace -c`.
//!
//! Answers every byte with its rot13. `--trigger lt` reads once per wakeup, so bytes left in
//! the socket make the next `epoll_wait` report it again; `--trigger et` reads until EAGAIN
//! after each wakeup. A small `--read-size` makes the difference large.
//!
//! ```text
//! cargo run -p ch31 --bin epoll-rot13 -- --trigger lt --read-size 16        # terminal 1
//! nc 127.0.0.1 43211                                                         # terminal 2
//! strace -c -e trace=epoll_wait,epoll_ctl,read,write target/debug/epoll-rot13 --trigger et
//! ```

use clap::Parser;
use common::ServerArgs;

use ch31::server::{Options, Reactor, Trigger};

/// A rot13 epoll server, level- or edge-triggered, for counting syscalls with strace -c.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Level-triggered (one read per wakeup) or edge-triggered (read until EAGAIN).
    #[arg(long, value_enum, default_value_t = Trigger::Lt)]
    trigger: Trigger,
    /// Bytes asked for in each read.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..=1048576))]
    read_size: u32,
    /// Bytes of answers that may wait for one client before the server stops reading it.
    #[arg(long, default_value_t = 64 * 1024)]
    max_pending: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    let options = Options {
        trigger: args.trigger,
        read_size: args.read_size as usize,
        max_pending: args.max_pending,
    };
    let reactor = Reactor::new(listener, options)?;
    common::announce(reactor.local_addr()?);
    reactor.run()
}
