//! `http_server02`: the answer to lecture 34's first exercise, an image at `/photo`.
//!
//! The same server as `http_server01` plus one route: `/photo` answers a 16x16 PNG with
//! `Content-Type: image/png`. The body is bytes, not text; the framework's response
//! writes its length and type like any other.
//!
//! ```text
//! cargo run -p ch34 --bin http_server02                        # terminal 1
//! curl -sS -D - -o /tmp/photo.png http://127.0.0.1:43211/photo # terminal 2
//! file /tmp/photo.png
//! ```

use clap::Parser;

/// Lecture 34's HTTP server with an image: `/`, `/network`, `/photo`, and 404 for the rest.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    http: ch34::HttpArgs,
}

fn main() -> anyhow::Result<()> {
    ch34::serve(&Args::parse().http, ch34::on_request_with_photo)
}
