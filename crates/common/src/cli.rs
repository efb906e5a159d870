//! Command-line pieces every server shares, so all binaries read the same.

use std::fmt::Display;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};

/// `--addr` and `--port`, flattened into each server's clap arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerArgs {
    /// Address to listen on. Loopback by default: a toy server is not exposed to the network
    /// unless you ask (use 0.0.0.0 for every interface).
    #[arg(long, default_value = "127.0.0.1")]
    pub addr: IpAddr,
    /// Port to listen on; 0 lets the kernel choose a free one.
    #[arg(long, default_value_t = crate::SERV_PORT)]
    pub port: u16,
}

impl ServerArgs {
    /// The address to bind.
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.addr, self.port)
    }
}

/// Prints `listening on ADDR` as the first line on stdout and flushes it.
///
/// Tests and scripts start servers on port 0 and read this line to learn the real port, so
/// it must leave the process at once even when stdout is a pipe (and so block-buffered).
pub fn announce(addr: impl Display) {
    let mut out = std::io::stdout().lock();
    // A closed stdout must not stop the server: the line is for whoever is watching.
    let _ = writeln!(out, "listening on {addr}").and_then(|()| out.flush());
}

/// The server address a client takes, as the course's clients do (`tcpclient 127.0.0.1`),
/// plus `--port`.
#[derive(clap::Args, Debug, Clone)]
pub struct ClientArgs {
    /// The server's IP address.
    #[arg(default_value = "127.0.0.1")]
    pub server: IpAddr,
    /// The server's port.
    #[arg(long, default_value_t = crate::SERV_PORT)]
    pub port: u16,
}

impl ClientArgs {
    /// The address to connect to.
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.server, self.port)
    }
}
