//! Ctrl-C as a flag the main loop checks, without the lost-wakeup race.
//!
//! The C `udpserver` prints its count from inside the SIGINT handler, but `printf` is not
//! async-signal-safe (signal-safety(7)): if the signal lands while the main loop is inside
//! `printf` itself, the stdio lock or buffer is corrupted. The safe pattern is that the
//! handler only sets an atomic flag and the main loop does the printing.
//!
//! A flag alone has a race: if SIGINT arrives after the loop checked the flag but before it
//! entered `recvfrom`, the loop sleeps until the next datagram. So SIGINT stays blocked
//! except *during* the wait: `ppoll(2)` unblocks it and starts waiting in one atomic step
//! (the same trick as `pselect`), and a SIGINT that arrived earlier is delivered the moment
//! the mask opens, making `ppoll` fail with `EINTR`.

use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicBool, Ordering};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, ppoll};
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, SigmaskHow, Signal, sigaction};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: nix::libc::c_int) {
    // Only a lock-free atomic store: nothing that could deadlock or allocate.
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Proof that the SIGINT handler is installed; waits for input or Ctrl-C.
#[derive(Debug)]
pub struct Interrupt {
    /// The signal mask to use while waiting: the original one, with SIGINT open.
    wait_mask: SigSet,
}

impl Interrupt {
    /// Blocks SIGINT in this thread and installs the flag-setting handler. Call it before
    /// any other thread starts, so none of them inherits an open SIGINT.
    pub fn install() -> nix::Result<Interrupt> {
        let mut sigint = SigSet::empty();
        sigint.add(Signal::SIGINT);
        let mut wait_mask = sigint.thread_swap_mask(SigmaskHow::SIG_BLOCK)?;
        wait_mask.remove(Signal::SIGINT);
        // No SA_RESTART: irrelevant for ppoll (never restarted, see signal(7)), but it keeps
        // the intent plain.
        let action = SigAction::new(
            SigHandler::Handler(on_sigint),
            SaFlags::empty(),
            SigSet::empty(),
        );
        // SAFETY: the handler only stores to an AtomicBool, which is async-signal-safe.
        unsafe { sigaction(Signal::SIGINT, &action) }?;
        Ok(Interrupt { wait_mask })
    }

    /// Sleeps until `fd` is readable (`true`) or SIGINT has arrived (`false`).
    pub fn wait_readable(&self, fd: BorrowedFd<'_>) -> nix::Result<bool> {
        loop {
            if INTERRUPTED.load(Ordering::SeqCst) {
                return Ok(false);
            }
            let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
            match ppoll(&mut fds, None, Some(self.wait_mask)) {
                Ok(_) => return Ok(true),
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e),
            }
        }
    }
}
