//! Each function sets up one situation and reports what epoll did, as one line.

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;

use anyhow::{Context, bail};
use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

fn new_epoll() -> anyhow::Result<Epoll> {
    Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).context("epoll_create1")
}

/// What one `epoll_wait` with a zero timeout reports, as text (`nothing` or the flags).
fn poll_once(epoll: &Epoll) -> anyhow::Result<String> {
    let mut events = [EpollEvent::empty(); 4];
    let n = epoll
        .wait(&mut events, EpollTimeout::ZERO)
        .context("epoll_wait")?;
    Ok(match n {
        0 => "nothing".to_string(),
        _ => names(events[0].events()),
    })
}

/// `epoll_create` makes an anonymous file whose private data is the `struct eventpoll`.
pub fn eventpoll_is_a_file() -> anyhow::Result<String> {
    let epoll = new_epoll()?;
    let fd = epoll.0.as_raw_fd();
    let target = std::fs::read_link(format!("/proc/self/fd/{fd}")).context("readlink")?;
    Ok(format!("epoll_create1: fd {fd} is {}", target.display()))
}

/// `ep_insert` runs only when the red-black tree has no item for (file, fd): a second ADD is
/// EEXIST.
pub fn double_add_is_eexist() -> anyhow::Result<String> {
    let epoll = new_epoll()?;
    let (a, _b) = UnixStream::pair()?;
    epoll.add(&a, EpollEvent::new(EpollFlags::EPOLLIN, 1))?;
    match epoll.add(&a, EpollEvent::new(EpollFlags::EPOLLIN, 1)) {
        Err(e) => Ok(format!("EPOLL_CTL_ADD twice: {}", describe(e))),
        Ok(()) => bail!("a second EPOLL_CTL_ADD succeeded"),
    }
}

/// A regular file has no `poll` file operation to hang a wait-queue entry on: EPERM.
pub fn regular_file_is_eperm() -> anyhow::Result<String> {
    let epoll = new_epoll()?;
    let file = std::fs::File::open("/proc/self/exe").context("open /proc/self/exe")?;
    match epoll.add(&file, EpollEvent::new(EpollFlags::EPOLLIN, 1)) {
        Err(e) => Ok(format!("EPOLL_CTL_ADD of a regular file: {}", describe(e))),
        Ok(()) => bail!("a regular file was accepted"),
    }
}

/// `epoll_wait` checks `maxevents` before anything else.
pub fn zero_maxevents_is_einval() -> anyhow::Result<String> {
    let epoll = new_epoll()?;
    match epoll.wait(&mut [], EpollTimeout::ZERO) {
        Err(e) => Ok(format!("epoll_wait with maxevents 0: {}", describe(e))),
        Ok(_) => bail!("maxevents 0 was accepted"),
    }
}

/// `epoll_ctl` ORs EPOLLERR | EPOLLHUP into every interest set: asked for nothing, a hang-up
/// is still reported.
pub fn hangup_is_always_reported() -> anyhow::Result<String> {
    let epoll = new_epoll()?;
    let (a, b) = UnixStream::pair()?;
    epoll.add(&a, EpollEvent::new(EpollFlags::empty(), 1))?;
    drop(b);
    Ok(format!(
        "interest set empty, peer closed: epoll_wait reports {}",
        poll_once(&epoll)?
    ))
}

/// After reporting a level-triggered item, `ep_send_events` puts it back on the ready list;
/// the next `epoll_wait` polls it again and reports it while it is still readable. An
/// edge-triggered item is not put back: it is reported again only after new data arrives
/// (its wait-queue callback, `ep_poll_callback`, runs again).
pub fn level_vs_edge(trigger: EpollFlags) -> anyhow::Result<String> {
    let name = if trigger.contains(EpollFlags::EPOLLET) {
        "edge-triggered"
    } else {
        "level-triggered"
    };
    let epoll = new_epoll()?;
    let (mut a, mut b) = UnixStream::pair()?;
    epoll.add(&a, EpollEvent::new(EpollFlags::EPOLLIN | trigger, 1))?;
    b.write_all(&[b'x'; 100])?;
    let first = poll_once(&epoll)?;
    let mut half = [0u8; 50];
    a.read_exact(&mut half)?;
    let second = poll_once(&epoll)?;
    a.read_exact(&mut half)?;
    let drained = poll_once(&epoll)?;
    Ok(format!(
        "{name}: 100 bytes in: {first}; read 50: {second}; read 50 more: {drained}"
    ))
}

/// `EPOLLIN|EPOLLRDHUP`, from flags.
fn names(flags: EpollFlags) -> String {
    let names: Vec<&str> = flags.iter_names().map(|(name, _)| name).collect();
    names.join("|")
}

/// "EEXIST (File exists)", from an errno.
fn describe(e: Errno) -> String {
    format!("{e:?} ({})", e.desc())
}

/// Every fact, in the order the lecture meets them.
pub fn all() -> anyhow::Result<Vec<String>> {
    Ok(vec![
        eventpoll_is_a_file()?,
        double_add_is_eexist()?,
        regular_file_is_eperm()?,
        zero_maxevents_is_einval()?,
        hangup_is_always_reported()?,
        level_vs_edge(EpollFlags::empty())?,
        level_vs_edge(EpollFlags::EPOLLET)?,
    ])
}
