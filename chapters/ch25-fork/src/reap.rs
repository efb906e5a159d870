//! Reaping children: what SIGCHLD is for, and why the handler loops.
//!
//! A child that exits keeps its process-table entry, with its exit status, until the parent
//! collects it with `wait`/`waitpid`. Until then it is a zombie: `ps` shows state `Z` and
//! `<defunct>`. The kernel sends the parent SIGCHLD when a child exits, so the handler is
//! the place to collect it. Two rules make that handler correct:
//!
//! - **Loop, with `WNOHANG`.** Signals of one kind do not queue: while a SIGCHLD is pending
//!   (or its handler runs, which blocks it), more children exiting add nothing. One call to
//!   the handler may therefore stand for several dead children, so it collects until
//!   `waitpid` says "none left" (`0` with `WNOHANG`, or `ECHILD`). `WNOHANG` because other
//!   children are still running, and a plain `wait` would block the server in its handler.
//! - **Only async-signal-safe calls.** The handler interrupts the main loop at any
//!   instruction, perhaps inside `malloc` or while holding the stdout lock, so it may not
//!   print or allocate (signal-safety(7)). `waitpid` is safe. So is saving and restoring
//!   `errno`, which `waitpid` overwrites and the interrupted code may be about to read.
//!
//! `SA_RESTART` makes the kernel restart an `accept` the signal interrupted, instead of
//! failing it with `EINTR` (signal(7), "Interruption of system calls"); the C relies on
//! glibc's `signal()` setting it. [`Reap::Once`] and [`Reap::Off`] exist to see what goes
//! wrong without the loop and without the handler.

use nix::errno::Errno;
use nix::libc::c_int;
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};

/// How the parent collects its exited children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Reap {
    /// A SIGCHLD handler that loops on `waitpid(-1, WNOHANG)` until no exited child is
    /// left: the lecture's answer, and the default.
    Loop,
    /// A handler that collects one child per signal (the lecture's 思考题 2). Children that
    /// exit together share one signal, and all but one stay zombies.
    Once,
    /// Set SIGCHLD to SIG_IGN: the kernel then discards exited children itself, with no
    /// handler at all (POSIX.1-2001; see sigaction(2), "SA_NOCLDWAIT").
    Ignore,
    /// Never collect: every finished child stays a zombie until the parent exits.
    Off,
}

extern "C" fn reap_all(_: c_int) {
    let saved = Errno::last_raw();
    // `StillAlive` means "children exist, none has exited"; an error (ECHILD) means "no
    // children at all". Either way, nothing more to collect now.
    while let Ok(status) = waitpid(None, Some(WaitPidFlag::WNOHANG)) {
        if status == WaitStatus::StillAlive {
            break;
        }
    }
    Errno::set_raw(saved);
}

extern "C" fn reap_one(_: c_int) {
    let saved = Errno::last_raw();
    let _ = waitpid(None, Some(WaitPidFlag::WNOHANG));
    Errno::set_raw(saved);
}

/// Sets SIGCHLD's disposition for `reap`. Call it before the first `fork`, so that no child
/// can exit before its parent is ready to collect it.
pub fn install(reap: Reap) -> nix::Result<()> {
    let handler = match reap {
        Reap::Loop => SigHandler::Handler(reap_all),
        Reap::Once => SigHandler::Handler(reap_one),
        Reap::Ignore => SigHandler::SigIgn,
        // Set SIG_DFL explicitly: an ignored SIGCHLD is inherited across exec, and would
        // hide the zombies this mode is meant to show.
        Reap::Off => SigHandler::SigDfl,
    };
    // SA_NOCLDSTOP: no signal when a child is merely stopped (kill -STOP), only when it ends.
    let action = SigAction::new(
        handler,
        SaFlags::SA_RESTART | SaFlags::SA_NOCLDSTOP,
        SigSet::empty(),
    );
    // SAFETY: the handlers call only waitpid(2) and read and write errno, which are
    // async-signal-safe; they touch no lock, no allocation and no shared Rust state.
    unsafe { sigaction(Signal::SIGCHLD, &action) }?;
    Ok(())
}
