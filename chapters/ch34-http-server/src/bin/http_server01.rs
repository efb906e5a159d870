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

use clap::Parser;

/// Lecture 34's HTTP server: `/`, `/network`, and 404 for the rest.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    http: ch34::HttpArgs,
}

fn main() -> anyhow::Result<()> {
    ch34::serve(&Args::parse().http, ch34::on_request)
}
