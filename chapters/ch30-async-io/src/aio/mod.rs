//! `aio01`: POSIX AIO (aio_write, aio_read) and the four ways to learn that a request is done.
//!
//! A POSIX AIO request is a control block (`struct aiocb`) that names a file, an offset and a
//! buffer. `aio_write`/`aio_read` queue it and return at once; the caller later asks
//! `aio_error` whether it is finished and `aio_return` for its result, exactly once
//! (aio_return(3): "should be called only once for any given request").
//!
//! The control block and its buffer must stay put until then: the I/O happens after the call
//! returned. nix enforces the first with `Pin` and the second with a borrow, and panics if an
//! in-progress block is dropped, so every path here waits for completion before letting go.
//!
//! [`Wait`] chooses how the caller learns of completion; see [`perform`].

mod callback;

use std::fmt::Write as _;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::{Context, bail};
use nix::errno::Errno;
use nix::sys::aio::{Aio, AioRead, AioWrite, aio_suspend};
use nix::sys::signal::{
    SaFlags, SigAction, SigHandler, SigSet, SigevNotify, SigmaskHow, Signal, sigaction,
};

/// The size of the course's buffer, `BUF_SIZE`.
pub const BUF_SIZE: usize = 512;

/// The byte the course fills its buffer with.
pub const FILL: u8 = 0xfa;

/// The signal `--wait signal` asks glibc to send on completion.
pub const SIGNAL: Signal = Signal::SIGUSR1;

/// How to learn that an AIO request has completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Wait {
    /// Call aio_error in a loop until it stops saying EINPROGRESS (the course's way: burns CPU).
    Busy,
    /// Sleep in aio_suspend until the request completes.
    Suspend,
    /// SIGEV_SIGNAL: glibc sends SIGUSR1 on completion; sleep in sigsuspend until it comes.
    Signal,
    /// SIGEV_THREAD: glibc starts a thread that runs a callback on completion.
    Thread,
}

/// Writes [`BUF_SIZE`] bytes of [`FILL`] at offset 0 of `file`, reads them back, and checks
/// them. Returns the report lines (`aio_write: ...`, `aio_read: ...`, `verified ...`).
pub fn write_then_read(file: &std::fs::File, wait: Wait) -> anyhow::Result<String> {
    let mut report = String::new();
    let data = [FILL; BUF_SIZE];
    let write = AioWrite::new(file.as_fd(), 0, &data, 0, SigevNotify::SigevNone);
    let (written, how) = perform(write, wait, 1).context("aio_write")?;
    writeln!(report, "aio_write: {written} bytes written; {how}")?;
    if written != BUF_SIZE {
        bail!("aio_write wrote {written} of {BUF_SIZE} bytes");
    }

    let mut back = [0u8; BUF_SIZE];
    let read = AioRead::new(file.as_fd(), 0, &mut back, 0, SigevNotify::SigevNone);
    let (got, how) = perform(read, wait, 2).context("aio_read")?;
    writeln!(report, "aio_read: {got} bytes read; {how}")?;
    if got != BUF_SIZE || back.iter().any(|&b| b != FILL) {
        bail!("read back {got} bytes that are not {BUF_SIZE} bytes of {FILL:#04x}");
    }
    writeln!(report, "verified {BUF_SIZE} bytes of {FILL:#04x}")?;
    Ok(report)
}

/// How a submitted request will be waited for, with what that needs.
enum Waiter {
    Poll,
    Suspend,
    /// The signal is blocked; `unblocked` is the mask from before, used by sigsuspend.
    Signal {
        unblocked: SigSet,
    },
    Callback(callback::Armed),
}

impl Waiter {
    /// Gets ready to learn of `op`'s completion the `wait` way; call before submitting.
    fn prepare<A: Aio + AsMut<libc::aiocb>>(
        wait: Wait,
        op: &mut A,
        token: usize,
    ) -> anyhow::Result<Waiter> {
        Ok(match wait {
            Wait::Busy => Waiter::Poll,
            Wait::Suspend => Waiter::Suspend,
            Wait::Signal => {
                install_signal_handler()?;
                op.set_sigev_notify(SigevNotify::SigevSignal {
                    signal: SIGNAL,
                    si_value: token as libc::intptr_t,
                });
                // Block the signal *before* submitting, so that it cannot arrive between
                // "not done yet" and going to sleep; sigsuspend unblocks it atomically
                // (sigsuspend(2)).
                let unblocked = signal_set()
                    .thread_swap_mask(SigmaskHow::SIG_BLOCK)
                    .context("block SIGUSR1")?;
                Waiter::Signal { unblocked }
            }
            Wait::Thread => Waiter::Callback(callback::arm(op.as_mut())),
        })
    }

    /// Undoes `prepare` when the request was never submitted.
    fn cancel(self) {
        match self {
            Waiter::Poll | Waiter::Suspend => {}
            Waiter::Signal { unblocked } => {
                let _ = unblocked.thread_set_mask();
            }
            Waiter::Callback(armed) => callback::disarm(armed),
        }
    }

    /// Returns once the submitted `op` has completed, saying how the wait went.
    fn wait<A: Aio + AsRef<libc::aiocb>>(
        self,
        op: Pin<&mut A>,
        token: usize,
    ) -> anyhow::Result<String> {
        match self {
            Waiter::Poll => busy_poll(op),
            Waiter::Suspend => suspend(op),
            Waiter::Signal { unblocked } => {
                let how = sigsuspend_until(token, &unblocked);
                let restored = unblocked
                    .thread_set_mask()
                    .context("restore the signal mask");
                how.and_then(|how| restored.map(|()| how))
            }
            Waiter::Callback(armed) => callback::wait(armed),
        }
    }
}

/// Submits `op`, waits for it the `wait` way, and collects its result with `aio_return`.
///
/// `token` identifies the request in a notification (`sigev_value`), as the C passes
/// `&aiocb` in `sival_ptr`. Returns the byte count and how the wait went.
pub fn perform<A>(mut op: A, wait: Wait, token: usize) -> anyhow::Result<(usize, String)>
where
    A: Aio<Output = usize> + AsRef<libc::aiocb> + AsMut<libc::aiocb>,
{
    let waiter = Waiter::prepare(wait, &mut op, token)?;
    let mut op = Box::pin(op);
    if let Err(e) = op.as_mut().submit() {
        waiter.cancel();
        return Err(e).context("submit");
    }
    match waiter.wait(op.as_mut(), token) {
        // Done: aio_return gives the byte count or the request's error, and must be called
        // exactly once (it also tells nix the block may now be dropped).
        Ok(how) => Ok((op.as_mut().aio_return().context("request failed")?, how)),
        Err(e) => {
            reap(op.as_mut());
            Err(e)
        }
    }
}

/// The course's loop: ask `aio_error` again and again. Returns the number of polls.
fn busy_poll(mut op: Pin<&mut impl Aio>) -> anyhow::Result<String> {
    let mut polls = 0u64;
    while op.as_mut().error() == Err(Errno::EINPROGRESS) {
        polls += 1;
    }
    Ok(format!("aio_error polls: {polls}"))
}

/// Sleeps in `aio_suspend` until the request completes, retrying EINTR (a signal handler ran;
/// aio_suspend(3)). Returns how many times `aio_suspend` returned.
fn suspend<A: Aio + AsRef<libc::aiocb>>(mut op: Pin<&mut A>) -> anyhow::Result<String> {
    let mut wakeups = 0u64;
    while op.as_mut().error() == Err(Errno::EINPROGRESS) {
        match aio_suspend(&[&*op], None) {
            Ok(()) | Err(Errno::EINTR) => wakeups += 1,
            Err(e) => return Err(e).context("aio_suspend"),
        }
    }
    Ok(format!("aio_suspend wakeups: {wakeups}"))
}

/// The `si_value` of the last completion signal, written by the handler.
static COMPLETED: AtomicUsize = AtomicUsize::new(0);

/// The SA_SIGINFO handler: if the signal reports an AIO completion (`si_code` SI_ASYNCIO),
/// store which request it was. Storing an atomic is all it does: nothing else (no printing,
/// no allocation) is async-signal-safe (signal-safety(7)).
extern "C" fn on_completion_signal(
    _: libc::c_int,
    info: *mut libc::siginfo_t,
    _: *mut libc::c_void,
) {
    // SAFETY: with SA_SIGINFO the kernel passes a valid siginfo_t for this delivery.
    let info = unsafe { &*info };
    if info.si_code == libc::SI_ASYNCIO {
        // SAFETY: SI_ASYNCIO signals are queued with a value (sigqueue), so si_value is set.
        let value = unsafe { info.si_value() }.sival_ptr as usize;
        COMPLETED.store(value, Ordering::SeqCst);
    }
}

fn signal_set() -> SigSet {
    let mut set = SigSet::empty();
    set.add(SIGNAL);
    set
}

fn install_signal_handler() -> anyhow::Result<()> {
    let action = SigAction::new(
        SigHandler::SigAction(on_completion_signal),
        SaFlags::SA_SIGINFO | SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the handler only reads its siginfo and stores an atomic, which is
    // async-signal-safe; no other code in this program handles SIGUSR1.
    unsafe { sigaction(SIGNAL, &action) }.context("sigaction SIGUSR1")?;
    Ok(())
}

/// Sleeps in `sigsuspend` (with the pre-submit mask, so the signal can be delivered) until
/// the handler has seen `token`. Returns how many times it woke.
fn sigsuspend_until(token: usize, unblocked: &SigSet) -> anyhow::Result<String> {
    let mut wakeups = 0u64;
    while COMPLETED.load(Ordering::SeqCst) != token {
        // sigsuspend always "fails" with EINTR once a handler has run.
        let _ = unblocked.suspend();
        wakeups += 1;
    }
    Ok(format!("{SIGNAL} (si_code SI_ASYNCIO) wakeups: {wakeups}"))
}

/// After a failed wait, lets the request finish before its control block may be dropped,
/// and collects it so glibc frees its state. Sleeps between checks: this is the error path.
fn reap(mut op: Pin<&mut impl Aio>) {
    while op.as_mut().error() == Err(Errno::EINPROGRESS) {
        thread::sleep(Duration::from_millis(1));
    }
    let _ = op.as_mut().aio_return();
}
