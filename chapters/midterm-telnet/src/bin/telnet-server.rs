//! `telnet-server`: the midterm's server: `pwd`, `cd <dir>`, `ls`, `quit`, one client at a time.
//!
//! Each client starts in the server's start directory (`--dir`, default: where it was
//! started) and has its own working directory. No command ever reaches a shell.
//!
//! ```text
//! cargo run -p midterm --bin telnet-server                          # terminal 1
//! cargo run -p midterm --bin telnet-client -- 127.0.0.1             # terminal 2
//! telnet 127.0.0.1 43211                                            # or with telnet
//! ```

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use common::ServerArgs;

/// The midterm's server: pwd, cd, ls and quit, with a working directory per connection.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Directory every client starts in (default: the server's current directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let start = match args.dir {
        Some(dir) => dir,
        None => std::env::current_dir().context("current directory")?,
    };
    let start = start
        .canonicalize()
        .with_context(|| format!("start directory {}", start.display()))?;
    let listener = common::tcp_server_listen(args.server.socket_addr())?;
    common::announce(listener.local_addr()?);
    midterm::server::serve(&listener, &start).context("accept")
}
