//! `thread-helloworld`: two threads add 1 to one shared counter, 1000 times each.
//!
//! `counter += 1` is three steps: read the value, add one, write it back. When two threads
//! interleave those steps (both read 41, both write 42), one increment is lost. The C
//! printed 2000 and called it lucky; it was, for two reasons:
//!
//! - 1000 increments take a few microseconds, less than starting a thread, so the first
//!   thread is usually done before the second one runs: there is no overlap to lose in.
//! - Even when they overlap, the window between read and write is a few nanoseconds.
//!
//! In C an unsynchronised `+=` from two threads is a data race, which is undefined
//! behaviour; safe Rust does not compile it. To show the lost updates anyway, the racy
//! version does the read and the write as two separate atomic operations (each is defined;
//! together they are not one step), starts both threads at the same moment, and holds the
//! value it read for a microsecond before writing, as a preemption at the worst moment
//! would. The fixed version makes read-add-write one indivisible step with `fetch_add`.
//!
//! On a single CPU the two threads cannot run at the same moment: one may finish its 1000
//! increments before the other gets the CPU, and the racy total is then 2000 again.
//! More iterations (`--iterations 100000`) outlast a time slice and show the loss there too.

use std::io::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use nix::unistd::gettid;

/// How each thread adds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Increment {
    /// A `load`, a pause, then a `store` of the value plus one: updates get lost.
    Racy,
    /// One `fetch_add`: the read-add-write is indivisible, and the total is always exact.
    Atomic,
}

/// Runs two threads that each add one to a shared counter `iterations` times, and returns
/// the counter. With [`Increment::Atomic`] that is exactly `2 * iterations`; with
/// [`Increment::Racy`] it is at most that, and usually less.
///
/// Each thread first prints the course's `hello, world, tid == N` to stderr.
pub fn count(increment: Increment, iterations: u64) -> u64 {
    let counter = AtomicU64::new(0);
    let ready = AtomicUsize::new(0);
    // Scoped threads may borrow `counter`, a local, as the C passes `&calculator` to its
    // threads; the scope joins both before it returns, so the borrow cannot outlive it.
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let _ = writeln!(std::io::stderr(), "hello, world, tid == {}", gettid());
                start_together(&ready);
                for _ in 0..iterations {
                    match increment {
                        Increment::Racy => add_one_racily(&counter),
                        Increment::Atomic => {
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    counter.into_inner()
}

/// Waits until both threads are here. It spins rather than sleeps: a `Barrier` puts the
/// first one to sleep, and the second could finish its loop before the first wakes up.
fn start_together(ready: &AtomicUsize) {
    ready.fetch_add(1, Ordering::SeqCst);
    while ready.load(Ordering::SeqCst) < 2 {
        std::hint::spin_loop();
    }
}

/// `*counter += 1` as the C compiles it: read, then write. Another thread's write between
/// the two is overwritten.
fn add_one_racily(counter: &AtomicU64) {
    let value = counter.load(Ordering::Relaxed);
    // Hold the value for a microsecond, as if the thread were preempted right here. (A
    // timed spin, not `yield_now`: a yield takes anything from nothing to a whole time
    // slice, depending on what else the machine runs.)
    let until = Instant::now() + RACE_WINDOW;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
    counter.store(value + 1, Ordering::Relaxed);
}

/// How long [`add_one_racily`] holds the value it read before writing it back.
const RACE_WINDOW: Duration = Duration::from_micros(1);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_add_never_loses_an_update() {
        for _ in 0..10 {
            assert_eq!(count(Increment::Atomic, 1000), 2000);
        }
    }

    #[test]
    fn the_racy_total_is_never_more_than_the_work_done() {
        let total = count(Increment::Racy, 1000);
        assert!((1..=2000).contains(&total), "{total}");
    }
}
