//! `epoll-facts`: what fs/eventpoll.c does, observed from user space.
//!
//! Sets up one small situation per fact of lecture 31 (the anonymous eventpoll file, EEXIST
//! on a double add, EPERM for a regular file, EINVAL for maxevents 0, EPOLLHUP reported
//! unasked, level- vs edge-triggered re-reporting) and prints what epoll answered.
//!
//! ```text
//! cargo run -p ch31 --bin epoll-facts
//! strace -e trace=epoll_create1,epoll_ctl,epoll_wait target/debug/epoll-facts
//! ```

use clap::Parser;

/// Prints what epoll does in each situation lecture 31 reads about in the kernel source.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {}

fn main() -> anyhow::Result<()> {
    Args::parse();
    for fact in ch31::facts::all()? {
        println!("{fact}");
    }
    Ok(())
}
