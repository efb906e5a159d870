//! `make_socket`: lecture 04's `make_socket`, creating a TCP socket and binding it, step by step.
//!
//! Prints each call and the `sockaddr_in` it passes to `bind`, so you can see the port and
//! address in network byte order. Like the C it does not listen, unless you ask with
//! `--listen`: then it accepts one connection and shows that `accept` returns a new fd.
//!
//! ```text
//! cargo run -p ch04 --bin make_socket                     # bind 127.0.0.1:12345, exit
//! cargo run -p ch04 --bin make_socket -- --port 0         # let the kernel choose the port
//! cargo run -p ch04 --bin make_socket -- --addr ::1       # an IPv6 sockaddr_in6
//! cargo run -p ch04 --bin make_socket -- --listen         # then, in terminal 2:
//! nc -N 127.0.0.1 12345 < /dev/null
//! ```

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use clap::Parser;

/// Lecture 04's make_socket: socket(2) and bind(2), narrated.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to bind. Loopback by default; 0.0.0.0 is the C's INADDR_ANY (every interface).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    addr: IpAddr,
    /// Port to bind (the lecture's 12345); 0 lets the kernel choose.
    #[arg(long, default_value_t = 12345)]
    port: u16,
    /// Also listen(2) and accept(2) one connection, then exit.
    #[arg(long)]
    listen: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut out = std::io::stdout().lock();
    let (fd, local) =
        ch04::make_socket::make_socket(SocketAddr::new(args.addr, args.port), &mut out)?;
    if args.listen {
        ch04::make_socket::listen_and_accept_one(fd, local, &mut out)?;
    } else {
        writeln!(
            out,
            "not listening: a connect to {local} is refused; exiting closes the socket"
        )?;
    }
    Ok(())
}
