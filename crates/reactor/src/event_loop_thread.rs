//! Sub-reactor threads: each runs its own [`EventLoop`] (lecture 33).
//!
//! Course counterparts: `lib/event_loop_thread.c` and `lib/thread_pool.c`. muduo
//! counterparts: `EventLoopThread`, `EventLoopThreadPool`.
//!
//! Start-up is lecture 33's first problem: the main thread must not hand out connections
//! until each sub-reactor's loop exists. The new thread builds its loop (it must: a loop is
//! not `Send`, so it has to be born on the thread that runs it), puts a [`LoopHandle`] in a
//! mutex-guarded slot and signals a condition variable; the starting thread waits on the
//! condition in a `while` loop until the slot is filled. Lecture 35 explains why not spin
//! on a shared variable instead: a data race, and a burned core. (The C version wrapped
//! the lock and the wait in `assert()`, so a release build compiled them away and hung.)

use std::io;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};

use crate::event_loop::{EventLoop, LoopConfig, LoopHandle};
use crate::log::msg;

/// What a starting thread reports: its loop's handle, or why the loop could not be built.
type Slot = Mutex<Option<io::Result<LoopHandle>>>;

/// A thread running one event loop. Created and stopped by its owner thread; the handle
/// may be cloned and used anywhere.
pub struct EventLoopThread {
    handle: LoopHandle,
    join: Option<JoinHandle<io::Result<()>>>,
}

impl EventLoopThread {
    /// Spawns a thread named after `config.name`, builds a loop with `config` on it, and
    /// returns once that loop exists. Logs `event loop thread init and signal, <name>`
    /// (child) and `event loop thread started, <name>` (caller).
    ///
    /// # Errors
    /// The thread could not be spawned, or its loop could not be built.
    pub fn start(config: LoopConfig) -> io::Result<EventLoopThread> {
        let started = Arc::new((Slot::new(None), Condvar::new()));
        let child_started = Arc::clone(&started);
        let child_config = config.clone();
        let join = thread::Builder::new()
            .name(config.name.clone())
            .spawn(move || {
                let (slot, cond) = &*child_started;
                let mut lp = match EventLoop::new(child_config) {
                    Ok(lp) => lp,
                    Err(e) => {
                        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(Err(e));
                        cond.notify_one();
                        return Ok(());
                    }
                };
                {
                    let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
                    *guard = Some(Ok(lp.handle()));
                    msg!(lp, "event loop thread init and signal, {}", lp.name());
                    cond.notify_one();
                }
                lp.run()
            })?;
        let (slot, cond) = &*started;
        let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
        // `wait` releases the lock while asleep and takes it back on waking; the loop
        // guards against spurious wake-ups, and against a child that signalled before we
        // began to wait (then the slot is already full and we never sleep).
        while guard.is_none() {
            guard = cond.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
        let handle = guard.take().expect("filled")?;
        drop(guard);
        if config.log {
            crate::log::print_msg(format_args!("event loop thread started, {}", config.name));
        }
        Ok(EventLoopThread {
            handle,
            join: Some(join),
        })
    }

    /// The loop's handle, to queue work on it.
    pub fn handle(&self) -> &LoopHandle {
        &self.handle
    }

    /// Quits the loop (it closes its connections) and joins the thread.
    ///
    /// # Errors
    /// The loop ended with an error, or the thread panicked (reported as an error).
    pub fn stop(mut self) -> io::Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> io::Result<()> {
        self.handle.quit();
        match self.join.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other(format!("{} panicked", self.handle.name()))),
        }
    }
}

impl Drop for EventLoopThread {
    /// A thread is never left running behind its owner: dropping quits and joins it.
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}

/// N sub-reactor threads, `Thread-1` to `Thread-N` (the course's `thread_pool`). Owned by
/// the thread that started it (the main reactor's); the loop handles it gives out may be
/// used from any thread.
pub struct EventLoopThreadPool {
    threads: Vec<EventLoopThread>,
}

impl EventLoopThreadPool {
    /// Starts `count` loop threads one after another, each configured like `base` but
    /// named `Thread-i`. With `count == 0` no thread starts (the single-reactor model).
    ///
    /// # Errors
    /// A thread or its loop could not be created; the ones already started are stopped.
    pub fn start(count: usize, base: &LoopConfig) -> io::Result<EventLoopThreadPool> {
        let mut threads = Vec::with_capacity(count);
        for i in 1..=count {
            threads.push(EventLoopThread::start(LoopConfig {
                name: format!("Thread-{i}"),
                ..base.clone()
            })?);
        }
        Ok(EventLoopThreadPool { threads })
    }

    /// Handles to every loop, in thread order.
    pub fn handles(&self) -> Vec<LoopHandle> {
        self.threads.iter().map(|t| t.handle().clone()).collect()
    }

    /// How many threads run.
    pub fn len(&self) -> usize {
        self.threads.len()
    }

    /// Whether the pool has no threads (single-reactor mode).
    pub fn is_empty(&self) -> bool {
        self.threads.is_empty()
    }

    /// Quits every loop, then joins every thread. Returns the first error, after all
    /// threads are joined.
    ///
    /// # Errors
    /// A loop ended with an error or its thread panicked.
    pub fn stop(self) -> io::Result<()> {
        for t in &self.threads {
            t.handle().quit();
        }
        let mut result = Ok(());
        for t in self.threads {
            let r = t.stop();
            if result.is_ok() {
                result = r;
            }
        }
        result
    }
}
