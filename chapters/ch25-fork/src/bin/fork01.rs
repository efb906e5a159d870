//! `fork01`: the rot13 line service with one process per connection.
//!
//! The parent accepts and forks; each child serves one client and exits. Every complete
//! line comes back rot13'd (`afasfa` → `nsnfsn`); nothing comes back before the newline.
//! A SIGCHLD handler collects exited children, so `ps` shows no zombies. `--reap` picks
//! another way (or none) to watch what goes wrong.
//!
//! ```text
//! cargo run -p ch25 --bin fork01                          # terminal 1
//! telnet 127.0.0.1 43211                                  # terminal 2: type afasfa
//! printf 'agasgasg\n' | nc -N 127.0.0.1 43211             # ntnftnft
//! ps -C fork01 -o pid,ppid,stat,cmd                       # the parent and its children
//! cargo run -p ch25 --bin fork01 -- --reap off            # and watch <defunct> pile up
//! ```

use clap::Parser;
use common::ServerArgs;

/// A rot13 line server that forks a process per connection (lecture 25).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// How the parent collects exited children: `loop` is the lecture's SIGCHLD handler;
    /// `once` and `off` leave zombies behind, to see why.
    #[arg(long, value_enum, default_value = "loop")]
    reap: ch25::Reap,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    ch25::serve(listener, args.reap)
}
