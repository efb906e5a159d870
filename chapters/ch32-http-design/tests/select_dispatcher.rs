//! Lecture 32's exercise: the select dispatcher, and the limit select cannot escape.

use std::net::TcpListener;
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::time::Duration;

use reactor::dispatcher::{Dispatcher, SelectDispatcher};
use reactor::{DispatcherKind, Interest};

/// Exercise 1's answer, `reactor::dispatcher::SelectDispatcher`: a descriptor at or above
/// FD_SETSIZE (1024) cannot be put in an `fd_set`, and is refused instead of corrupting
/// memory.
#[test]
fn select_refuses_descriptors_beyond_fd_setsize() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    if soft <= 1100 {
        setrlimit(Resource::RLIMIT_NOFILE, hard.min(4096), hard).unwrap();
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    // F_DUPFD_CLOEXEC gives the lowest free descriptor at or above 1100.
    let high = nix::fcntl::fcntl(&listener, nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(1100)).unwrap();
    assert!(high >= 1100);
    // SAFETY: fcntl just returned this descriptor and nothing else owns it.
    let high = unsafe { OwnedFd::from_raw_fd(high) };

    let mut select = SelectDispatcher::new();
    let err = select
        .add(high.as_fd(), token_for_test(), Interest::READ)
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("FD_SETSIZE"), "{err}");

    // poll and epoll have no such limit.
    for kind in [DispatcherKind::Poll, DispatcherKind::Epoll] {
        let mut d = kind.create().unwrap();
        d.add(high.as_fd(), token_for_test(), Interest::READ)
            .unwrap();
        let mut events = Vec::new();
        d.dispatch(Some(Duration::ZERO), &mut events).unwrap();
        assert!(events.is_empty(), "{kind}: nobody connected yet");
        d.remove(high.as_fd()).unwrap();
    }
}

/// Any token will do for a dispatcher used on its own.
fn token_for_test() -> reactor::Token {
    reactor::Token::from_raw(1)
}
