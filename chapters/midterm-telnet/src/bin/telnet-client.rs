//! `telnet-client`: the midterm's client: type `pwd`, `cd <dir>`, `ls`, `quit`.
//!
//! Watches stdin and the socket together with poll(2); `quit` (or Ctrl-D) half-closes and
//! the client exits when the server closes: `server closed`.
//!
//! ```text
//! cargo run -p midterm --bin telnet-server                          # terminal 1
//! cargo run -p midterm --bin telnet-client -- 127.0.0.1             # terminal 2
//! printf 'pwd\nls\nquit\n' | cargo run -p midterm --bin telnet-client -- 127.0.0.1
//! ```

use std::fs::File;
use std::os::fd::AsFd;

use anyhow::Context;
use clap::Parser;
use common::ClientArgs;

/// The midterm's client: one command per line, replies printed as they arrive.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let stream = common::tcp_client(args.client.socket_addr())?;
    let stdin = File::from(
        std::io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .context("duplicate stdin")?,
    );
    midterm::client::run(stream, stdin)
}
