//! `thread01`: the rot13 line service with one thread per connection.
//!
//! The main thread accepts; every client gets its own thread, which ends (and closes the
//! connection) when the client leaves. Every complete line comes back rot13'd
//! (`aaa` → `nnn`); nothing comes back before the newline.
//!
//! ```text
//! cargo run -p ch26 --bin thread01                        # terminal 1
//! telnet 127.0.0.1 43211                                  # terminal 2: type aaa
//! printf 'afasfa\n' | nc -N 127.0.0.1 43211               # nsnfsn
//! ps -L -o tid,comm -p "$(pgrep -x thread01)"             # one thread per client
//! ```

use clap::Parser;
use common::ServerArgs;

/// A rot13 line server that starts a thread per connection (lecture 26).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    ch26::thread_per_connection::serve(listener)
}
