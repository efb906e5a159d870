//! `http_server01`: lecture 34's HTTP server on the reactor framework.
//!
//! Serves `/` (a 116-byte HTML page) and `/network` (`hello, network programming`); any
//! other path gets a 404 that closes the connection. Keep-alive, pipelining, HTTP/1.0 and
//! malformed requests are handled by `reactor::http`.
//!
//! ```text
//! cargo run -p ch34 --bin http_server01                        # terminal 1
//! curl -v http://127.0.0.1:43211/                              # terminal 2
//! curl http://127.0.0.1:43211/network
//! printf 'GET /network HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n' | nc -N 127.0.0.1 43211
//! ab -k -n 10000 -c 10 http://127.0.0.1:43211/network          # or scripts/bench-http
//! ```

use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use common::ServerArgs;
use reactor::DispatcherKind;
use reactor::ServerOptions;
use reactor::http::{HttpOptions, HttpServer, Limits};

/// Lecture 34's HTTP server: `/`, `/network`, and 404 for the rest.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Sub-reactor (I/O) threads; 0 serves everything on the main thread. The course uses 2.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// The multiplexing syscall of every loop: epoll, poll or select.
    #[arg(long, default_value_t = DispatcherKind::Epoll)]
    dispatcher: DispatcherKind,
    /// Milliseconds a client may take to send each complete request (and to stay idle
    /// between requests) before it gets 408 or is closed.
    #[arg(long, default_value_t = 30_000)]
    request_timeout_ms: u64,
    /// Print the course's `[msg]` lines for every connection event (slows the server).
    #[arg(long)]
    log: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let options = HttpOptions {
        server: ServerOptions {
            threads: args.threads,
            dispatcher: args.dispatcher,
            log: args.log,
            nodelay: true,
        },
        limits: Limits::default(),
        request_timeout: Duration::from_millis(args.request_timeout_ms),
    };
    let server = HttpServer::new(args.server.socket_addr(), options, ch34::on_request)?;
    common::announce(server.local_addr()?);
    server.run().context("http server")
}
