//! The flags and the start-up both of the chapter's servers share.

use std::time::Duration;

use anyhow::Context;
use common::ServerArgs;
use reactor::http::{HttpOptions, HttpServer, Limits, Request, Response};
use reactor::{DispatcherKind, ServerOptions};

/// The flags of `http_server01` and `http_server02`.
#[derive(clap::Args, Debug)]
pub struct HttpArgs {
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

/// Binds, announces `listening on ADDR:PORT`, and serves with `handler` until SIGINT or
/// SIGTERM.
///
/// # Errors
/// Binding failed, or a loop ended with an error.
pub fn serve(
    args: &HttpArgs,
    handler: impl Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
) -> anyhow::Result<()> {
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
    let server = HttpServer::new(args.server.socket_addr(), options, handler)?;
    common::announce(server.local_addr()?);
    server.run().context("http server")
}
