//! `samplebuffer02`: the careless client of lecture 18, whose length header lies.
//!
//! Sends a header announcing 65535 bytes followed by only 12 (`just for fun`), then waits
//! for the server's verdict. A server that checks the length closes at once (with our bytes
//! unread, so with RST): `server reset the connection: it refused the message`. One that
//! trusts the header would wait for 65523 more bytes.
//!
//! ```text
//! cargo run -p ch18 --bin samplebuffer01 -- --framed              # terminal 1
//! cargo run -p ch18 --bin samplebuffer02 -- 127.0.0.1             # terminal 2
//! ```

use std::io::{ErrorKind, Read, Write};

use anyhow::Context;
use clap::Parser;
use common::ClientArgs;

/// The careless client of lecture 18: claims 65535 bytes, sends 12.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut stream = common::tcp_client(args.client.socket_addr())?;
    stream
        .write_all(&ch18::careless_message())
        .context("send failure")?;
    // The C client sleeps 100 s here; waiting for EOF shows the server's decision instead.
    // A server that refuses the header closes with our 12 payload bytes unread, so its
    // kernel answers with RST rather than FIN (RFC 2525 §2.17): ECONNRESET means "refused".
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => println!("server closed the connection"),
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {
            println!("server reset the connection: it refused the message");
        }
        Err(e) => return Err(e).context("read"),
    }
    Ok(())
}
