//! Level-triggered or edge-triggered: the one flag that changes what epoll reports.

use nix::sys::epoll::EpollFlags;

/// How epoll reports readiness (epoll(7), "Level-triggered and edge-triggered").
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Level-triggered: reported on every `epoll_wait` while the condition holds (unread
    /// bytes, room to write). The default of epoll, and how select and poll behave.
    Lt,
    /// Edge-triggered (`EPOLLET`): reported once when the condition appears. The program
    /// must drain (read or accept until `WouldBlock`) or it will not hear again.
    Et,
}

impl Mode {
    /// The flag to add to every registration.
    pub fn flag(self) -> EpollFlags {
        match self {
            Mode::Lt => EpollFlags::empty(),
            Mode::Et => EpollFlags::EPOLLET,
        }
    }
}
