//! `pingserver`: answers PING with PONG after a sleep, logs the other message types.
//!
//! One client at a time, like the course's server; when a client leaves, or breaks the
//! protocol, the server prints why and accepts the next one instead of exiting.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::message::{self, MESSAGE_LEN, MSG_PING, MSG_PONG, MSG_TYPE1, MSG_TYPE2};

/// Accepts clients one after another and serves each with [`serve_client`].
pub fn serve(listener: &TcpListener, sleep: Duration) -> anyhow::Result<()> {
    loop {
        let (mut stream, _) = listener.accept().context("accept")?;
        match serve_client(&mut stream, sleep) {
            Ok(()) => println!("client closed"),
            Err(e) => eprintln!("{e:#}"),
        }
    }
}

/// Reads messages until EOF. A PING is answered with a PONG after `sleep`; TYPE1 and TYPE2
/// are logged; any other type ends the connection with an error.
pub fn serve_client(stream: &mut TcpStream, sleep: Duration) -> anyhow::Result<()> {
    while let Some(kind) = message::read_message(stream).context("error read")? {
        println!("received {MESSAGE_LEN} bytes");
        match kind {
            MSG_TYPE1 => println!("process  MSG_TYPE1"),
            MSG_TYPE2 => println!("process  MSG_TYPE2"),
            MSG_PING => {
                // A server that is alive but busy: the heartbeat's answer is late.
                thread::sleep(sleep);
                stream
                    .write_all(&message::encode(MSG_PONG))
                    .context("send failure")?;
            }
            other => bail!("unknown message type ({other})"),
        }
    }
    Ok(())
}
