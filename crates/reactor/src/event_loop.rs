//! The event loop: one thread, one dispatcher, a map of handlers, timers and a task queue.
//!
//! Course counterpart: `lib/event_loop.c` (lectures 32-33). muduo counterpart: `EventLoop`.
//!
//! ```text
//!   +------------------------------- run() -------------------------------+
//!   v                                                                     |
//!   dispatch: one poll / epoll_wait / select, timeout = next timer        |
//!   |                                                                     |
//!   +--> for each ready token: take the handler, handle_event, put back   |
//!   +--> run the timers that are due                                      |
//!   +--> run the tasks other threads queued ------------------------------+
//! ```
//!
//! Thread affinity is enforced by the type system instead of the C's runtime check
//! (`assertInSameThread`, which `exit`ed): [`EventLoop`] is neither `Send` nor `Sync`, so
//! only the thread that created it can touch it. Other threads hold a [`LoopHandle`]
//! (`Send + Sync + Clone`), which can only queue a closure for the loop and wake it, through
//! an eventfd the loop always watches. That replaces the C's socketpair plus a
//! mutex-guarded list of pending channel operations, and its sharp edge: the C applied
//! pending operations while holding the mutex, so a callback that queued another
//! operation deadlocked. Here the queue is swapped out under the lock and run without it.
//!
//! Handlers live in the [`ChannelMap`] and are addressed by [`Token`]. Dispatch takes the
//! handler out of its slot, calls it with `&mut EventLoop`, and puts it back, unless the
//! handler asked to be removed: then the loop deregisters its descriptor, lets it run its
//! close callback, and drops it, which closes the descriptor. Deregister, tell, close:
//! exactly once, in that order, for every handler.

use std::any::Any;
use std::io;
use std::marker::PhantomData;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::eventfd::{EfdFlags, EventFd};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};

use crate::buffer::SPILL_SIZE;
use crate::channel::{Interest, Ready, Token};
use crate::channel_map::ChannelMap;
use crate::dispatcher::{Dispatcher, DispatcherKind, Event};
use crate::log::msg;
use crate::timer_queue::{TimerId, TimerQueue};

/// How a loop is built. Plain data; build it anywhere, use it on the loop's thread.
#[derive(Clone, Debug)]
pub struct LoopConfig {
    /// Which multiplexing syscall the loop uses.
    pub dispatcher: DispatcherKind,
    /// The name in log lines: `main thread` or `Thread-N`, as in the course.
    pub name: String,
    /// Print the course's `[msg]` lines for this loop.
    pub log: bool,
}

impl Default for LoopConfig {
    /// epoll, named `main thread`, quiet.
    fn default() -> LoopConfig {
        LoopConfig {
            dispatcher: DispatcherKind::default(),
            name: "main thread".to_string(),
            log: false,
        }
    }
}

/// What a handler tells the loop after an event.
pub(crate) enum Control {
    /// Keep the handler registered.
    Keep,
    /// Deregister it, call [`Handler::deregistered`], drop it (closing its descriptor).
    Remove,
}

/// Something registered with a loop: the wakeup eventfd, a signalfd, the acceptor, a
/// connection. Internal: applications see connections through callbacks.
pub(crate) trait Handler {
    /// The descriptor the dispatcher watches. The handler owns it.
    fn fd(&self) -> BorrowedFd<'_>;

    /// Reacts to readiness. Runs on the loop thread with the handler out of the map.
    fn handle_event(&mut self, lp: &mut EventLoop, token: Token, ready: Ready) -> Control;

    /// Called once after the descriptor left the dispatcher, just before the handler is
    /// dropped: the place for a close callback.
    fn deregistered(&mut self, _lp: &mut EventLoop, _token: Token) {}

    /// For the layers above, to find their own handler type behind a token.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// A closure queued for a loop by [`LoopHandle::queue`].
type Task = Box<dyn FnOnce(&mut EventLoop) + Send>;

/// The part of a loop other threads may touch.
struct Shared {
    tasks: Mutex<Vec<Task>>,
    waker: EventFd,
    quit: AtomicBool,
    name: String,
}

/// A `Send + Sync` handle to a loop, for other threads: queue work, or ask it to quit.
///
/// This is how the main reactor hands a new connection to a sub-reactor (lecture 33's
/// question: how do you add a descriptor to a loop blocked in `epoll_wait`? You queue the
/// work and wake it). Any thread may call every method; cloning is cheap.
#[derive(Clone)]
pub struct LoopHandle {
    shared: Arc<Shared>,
}

impl LoopHandle {
    /// Runs `task` on the loop's thread, after the current round of events, and wakes the
    /// loop so that happens promptly. Tasks run in the order they were queued. A task
    /// queued after the loop has finished is dropped unrun when the last handle goes.
    pub fn queue(&self, task: impl FnOnce(&mut EventLoop) + Send + 'static) {
        self.shared
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Box::new(task));
        self.wake();
    }

    /// Asks the loop to stop: [`EventLoop::run`] returns after the current round.
    pub fn quit(&self) {
        self.shared.quit.store(true, Ordering::Release);
        self.wake();
    }

    /// The loop's name (`main thread`, `Thread-1`, ...).
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    fn wake(&self) {
        // Adds 1 to the eventfd's counter, making it readable. Only EAGAIN can fail here
        // (the counter at its maximum), and then the loop is already awake.
        let _ = self.shared.waker.write(1);
    }
}

impl std::fmt::Debug for LoopHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopHandle")
            .field("name", &self.name())
            .finish()
    }
}

/// The reactor of one thread. Create it on the thread that will run it; it cannot move.
///
/// See the module docs for the shape of one iteration. Every method must be called on the
/// loop's own thread, which the compiler guarantees (the type is not `Send`); use
/// [`EventLoop::handle`] to reach it from elsewhere.
pub struct EventLoop {
    dispatcher: Box<dyn Dispatcher>,
    channels: ChannelMap,
    /// Reused by every dispatch: no allocation per iteration once warm.
    events: Vec<Event>,
    timers: TimerQueue<EventLoop>,
    /// Reused task vector, swapped with the shared one under the lock.
    tasks: Vec<Task>,
    shared: Arc<Shared>,
    quit: bool,
    config: LoopConfig,
    /// The spill area for reads (see [`crate::Buffer::read_from`]), one per loop. muduo puts
    /// it on the stack of every read; a Rust array would be zero-filled on every call,
    /// 64 KiB of memset per event, so the loop keeps one and lends it out.
    spill: Box<[u8]>,
    /// `*const ()` is neither `Send` nor `Sync`: this pins the loop to its thread.
    _not_send: PhantomData<*const ()>,
}

/// The eventfd behind [`LoopHandle`]: readable when some thread queued work or asked the
/// loop to quit. Its callback only drains the counter; the loop body runs the tasks.
struct Waker {
    shared: Arc<Shared>,
}

impl Handler for Waker {
    fn fd(&self) -> BorrowedFd<'_> {
        self.shared.waker.as_fd()
    }

    fn handle_event(&mut self, lp: &mut EventLoop, _: Token, _: Ready) -> Control {
        // Reading resets the counter to 0 however many wakes were coalesced.
        let _ = self.shared.waker.read();
        msg!(lp, "wakeup, {}", lp.name());
        Control::Keep
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A signalfd: the course's unused `EVENT_SIGNAL`, made real. Quits the loop.
struct SignalHandler {
    fd: SignalFd,
}

impl Handler for SignalHandler {
    fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn handle_event(&mut self, lp: &mut EventLoop, _: Token, _: Ready) -> Control {
        if let Ok(Some(info)) = self.fd.read_signal() {
            msg!(
                lp,
                "signal {} received, quit, {}",
                info.ssi_signo,
                lp.name()
            );
            lp.quit();
        }
        Control::Keep
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl EventLoop {
    /// Creates a loop with its dispatcher and its wakeup eventfd, and logs
    /// `set <dispatcher> as dispatcher, <name>`.
    ///
    /// # Errors
    /// Creating the dispatcher or the eventfd failed (e.g. `EMFILE`).
    pub fn new(config: LoopConfig) -> io::Result<EventLoop> {
        let dispatcher = config.dispatcher.create()?;
        let waker = EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK)?;
        let shared = Arc::new(Shared {
            tasks: Mutex::new(Vec::new()),
            waker,
            quit: AtomicBool::new(false),
            name: config.name.clone(),
        });
        let mut lp = EventLoop {
            dispatcher,
            channels: ChannelMap::default(),
            events: Vec::new(),
            timers: TimerQueue::new(),
            tasks: Vec::new(),
            shared: Arc::clone(&shared),
            quit: false,
            config,
            spill: vec![0; SPILL_SIZE].into_boxed_slice(),
            _not_send: PhantomData,
        };
        msg!(
            lp,
            "set {} as dispatcher, {}",
            lp.dispatcher.name(),
            lp.name()
        );
        lp.register(Box::new(Waker { shared }), Interest::READ)?;
        Ok(lp)
    }

    /// A handle other threads can use to queue work or stop this loop.
    pub fn handle(&self) -> LoopHandle {
        LoopHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// The loop's name: `main thread`, `Thread-1`, ...
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The dispatcher's name: `poll`, `epoll` or `select`.
    pub fn dispatcher_name(&self) -> &'static str {
        self.dispatcher.name()
    }

    /// Whether this loop prints the course's `[msg]` lines.
    pub fn log_enabled(&self) -> bool {
        self.config.log
    }

    /// How this loop was configured (for building sibling loops alike).
    pub fn config(&self) -> &LoopConfig {
        &self.config
    }

    /// Stops [`EventLoop::run`] after the current round; from a callback or timer.
    pub fn quit(&mut self) {
        self.quit = true;
    }

    /// Runs the loop until [`EventLoop::quit`] or [`LoopHandle::quit`]. Before returning it
    /// closes every handler it still holds (each connection's close callback runs), so a
    /// loop that has run once is finished.
    ///
    /// # Errors
    /// The dispatcher's wait failed with something other than `EINTR`, which means the loop
    /// itself is broken (e.g. `EBADF` on the epoll fd): it stops rather than spin.
    pub fn run(&mut self) -> io::Result<()> {
        msg!(self, "event loop run, {}", self.name());
        let result = self.run_until_quit();
        self.close_all();
        msg!(self, "event loop end, {}", self.name());
        result
    }

    fn run_until_quit(&mut self) -> io::Result<()> {
        let mut events = std::mem::take(&mut self.events);
        while !self.quit && !self.shared.quit.load(Ordering::Acquire) {
            let timeout = self
                .timers
                .next_deadline()
                .map(|deadline| deadline.saturating_duration_since(Instant::now()));
            events.clear();
            self.dispatcher.dispatch(timeout, &mut events)?;
            for event in &events {
                self.dispatch_event(event.token, event.ready);
            }
            if self.timers.len() > 0 {
                TimerQueue::run_expired(self, |lp| &mut lp.timers, Instant::now());
            }
            self.run_tasks();
        }
        self.events = events;
        Ok(())
    }

    /// Runs the handler behind `token`, ignoring tokens that went stale (an event for a
    /// connection that closed earlier in the same batch, or whose slot was reused).
    fn dispatch_event(&mut self, token: Token, ready: Ready) {
        let Some(mut handler) = self.channels.take(token) else {
            return;
        };
        msg!(
            self,
            "activate channel fd == {}, revents={}, {}",
            handler.fd().as_raw_fd(),
            ready.course_revents(),
            self.name()
        );
        let control = handler.handle_event(self, token, ready);
        self.settle(token, handler, control);
    }

    /// Puts a handler back, or removes it: deregister, tell, close.
    fn settle(&mut self, token: Token, mut handler: Box<dyn Handler>, control: Control) {
        match control {
            Control::Keep => self.channels.put_back(token, handler),
            Control::Remove => {
                let fd = handler.fd().as_raw_fd();
                if let Err(e) = self.dispatcher.remove(handler.fd()) {
                    crate::log::err(format_args!("remove fd {fd} from {}: {e}", self.name()));
                }
                self.channels.release(token);
                msg!(self, "delete channel fd == {fd}, {}", self.name());
                handler.deregistered(self, token);
                drop(handler); // closes the descriptor, after it left the dispatcher
            }
        }
    }

    fn run_tasks(&mut self) {
        {
            let mut shared = self.shared.tasks.lock().unwrap_or_else(|e| e.into_inner());
            if shared.is_empty() {
                return;
            }
            std::mem::swap(&mut *shared, &mut self.tasks);
        }
        let mut tasks = std::mem::take(&mut self.tasks);
        for task in tasks.drain(..) {
            task(self);
        }
        self.tasks = tasks;
    }

    /// Removes every handler but the loop's own waker, each through the normal close path.
    fn close_all(&mut self) {
        self.run_tasks();
        for token in self.channels.tokens() {
            let Some(handler) = self.channels.take(token) else {
                continue;
            };
            if handler.as_ref().fd().as_raw_fd() == self.shared.waker.as_fd().as_raw_fd() {
                self.channels.put_back(token, handler);
            } else {
                self.settle(token, handler, Control::Remove);
            }
        }
    }

    /// Registers `handler` for `interest` and returns its token; logs `add channel fd == N`.
    /// If the dispatcher refuses, the handler is dropped (closing its descriptor).
    pub(crate) fn register(
        &mut self,
        handler: Box<dyn Handler>,
        interest: Interest,
    ) -> io::Result<Token> {
        let token = self.channels.insert(handler);
        let handler = self.channels.get(token).expect("just inserted");
        let fd = handler.fd().as_raw_fd();
        if let Err(e) = self.dispatcher.add(handler.fd(), token, interest) {
            let handler = self.channels.take(token).expect("just inserted");
            self.channels.release(token);
            drop(handler);
            return Err(e);
        }
        msg!(self, "add channel fd == {fd}, {}", self.name());
        Ok(token)
    }

    /// Changes the interest of a handler that is out of the map running an event (it passes
    /// its own descriptor).
    pub(crate) fn set_interest(
        &mut self,
        fd: BorrowedFd<'_>,
        token: Token,
        interest: Interest,
    ) -> io::Result<()> {
        self.dispatcher.update(fd, token, interest)
    }

    /// Takes the handler behind `token` out of the map, runs `f` on it, and settles it as
    /// `f` says. Returns `false` (without running `f`) for a stale token or a handler that
    /// is already running.
    pub(crate) fn with_handler(
        &mut self,
        token: Token,
        f: impl FnOnce(&mut dyn Handler, &mut EventLoop) -> Control,
    ) -> bool {
        let Some(mut handler) = self.channels.take(token) else {
            return false;
        };
        let control = f(handler.as_mut(), self);
        self.settle(token, handler, control);
        true
    }

    /// The spill area for [`crate::Buffer::read_from`].
    pub(crate) fn spill(&mut self) -> &mut [u8] {
        &mut self.spill
    }

    /// Runs `f` once, `delay` from now, on this loop. Returns an id for
    /// [`EventLoop::cancel_timer`].
    pub fn run_after(
        &mut self,
        delay: Duration,
        f: impl FnOnce(&mut EventLoop) + 'static,
    ) -> TimerId {
        let mut f = Some(f);
        self.timers.add(
            Instant::now() + delay,
            None,
            Box::new(move |lp| {
                if let Some(f) = f.take() {
                    f(lp);
                }
            }),
        )
    }

    /// Runs `f` every `interval`, first `interval` from now, until cancelled.
    pub fn run_every(
        &mut self,
        interval: Duration,
        f: impl FnMut(&mut EventLoop) + 'static,
    ) -> TimerId {
        self.timers
            .add(Instant::now() + interval, Some(interval), Box::new(f))
    }

    /// Cancels a timer of this loop; returns whether it was still pending. A repeating
    /// timer may cancel itself from its own callback.
    pub fn cancel_timer(&mut self, id: TimerId) -> bool {
        self.timers.cancel(id)
    }

    /// Makes `signals` quit this loop, through a signalfd (signalfd(2)) the loop watches.
    ///
    /// The signals are blocked in the calling thread, and threads inherit the mask of their
    /// creator, so call this *before* starting other threads (e.g. before
    /// [`crate::TcpServer::start`]): a thread that does not block them would take the
    /// default action, which for SIGINT and SIGTERM ends the process.
    ///
    /// # Errors
    /// Blocking the signals or creating the signalfd failed.
    pub fn quit_on_signals(&mut self, signals: &[Signal]) -> io::Result<()> {
        let mut mask = SigSet::empty();
        for &signal in signals {
            mask.add(signal);
        }
        mask.thread_block()?;
        let fd = SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)?;
        self.register(Box::new(SignalHandler { fd }), Interest::READ)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::sync::mpsc;
    use std::thread;

    fn new_loop(kind: DispatcherKind) -> EventLoop {
        EventLoop::new(LoopConfig {
            dispatcher: kind,
            ..LoopConfig::default()
        })
        .unwrap()
    }

    const KINDS: [DispatcherKind; 3] = [
        DispatcherKind::Poll,
        DispatcherKind::Epoll,
        DispatcherKind::Select,
    ];

    #[test]
    fn timers_fire_in_order_and_cancelled_ones_do_not() {
        for kind in KINDS {
            let mut lp = new_loop(kind);
            let log = Rc::new(RefCell::new(Vec::new()));
            let l = Rc::clone(&log);
            lp.run_after(Duration::from_millis(20), move |lp| {
                l.borrow_mut().push("b");
                lp.quit();
            });
            let l = Rc::clone(&log);
            lp.run_after(Duration::from_millis(5), move |_| l.borrow_mut().push("a"));
            let l = Rc::clone(&log);
            let cancelled =
                lp.run_after(Duration::from_millis(1), move |_| l.borrow_mut().push("x"));
            assert!(lp.cancel_timer(cancelled));
            let l = Rc::clone(&log);
            lp.run_every(Duration::from_millis(2), move |_| {
                l.borrow_mut().push("tick")
            });
            let start = Instant::now();
            lp.run().unwrap();
            assert!(start.elapsed() >= Duration::from_millis(20), "{kind}");
            let log = log.borrow();
            let order: Vec<_> = log.iter().filter(|w| **w != "tick").collect();
            assert_eq!(order, [&"a", &"b"], "{kind}");
            assert!(log.iter().filter(|w| **w == "tick").count() >= 2, "{kind}");
        }
    }

    #[test]
    fn handle_queues_work_from_another_thread_and_quits() {
        for kind in KINDS {
            let (tx, rx) = mpsc::channel();
            let t = thread::spawn(move || {
                let mut lp = new_loop(kind);
                tx.send(lp.handle()).unwrap();
                lp.run().unwrap();
                lp.name().to_string()
            });
            let handle = rx.recv().unwrap();
            let (done_tx, done_rx) = mpsc::channel();
            handle.queue(move |lp| done_tx.send(lp.name().to_string()).unwrap());
            assert_eq!(
                done_rx.recv_timeout(Duration::from_secs(5)).unwrap(),
                "main thread"
            );
            handle.quit();
            assert_eq!(t.join().unwrap(), "main thread");
        }
    }

    /// A stale token, as a late event would carry after its handler closed and the slot
    /// was reused, never reaches the new handler.
    #[test]
    fn stale_tokens_are_ignored() {
        struct Counter {
            fd: std::os::unix::net::UnixStream,
            hits: Rc<RefCell<u32>>,
        }
        impl Handler for Counter {
            fn fd(&self) -> BorrowedFd<'_> {
                self.fd.as_fd()
            }
            fn handle_event(&mut self, _: &mut EventLoop, _: Token, _: Ready) -> Control {
                *self.hits.borrow_mut() += 1;
                Control::Remove
            }
            fn as_any_mut(&mut self) -> &mut dyn Any {
                self
            }
        }
        let mut lp = new_loop(DispatcherKind::Epoll);
        let hits = Rc::new(RefCell::new(0));
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let old = lp
            .register(
                Box::new(Counter {
                    fd: a,
                    hits: Rc::clone(&hits),
                }),
                Interest::READ,
            )
            .unwrap();
        lp.dispatch_event(old, Ready::default());
        assert_eq!(*hits.borrow(), 1, "removed after its first event");
        let (c, _d) = std::os::unix::net::UnixStream::pair().unwrap();
        let new = lp
            .register(
                Box::new(Counter {
                    fd: c,
                    hits: Rc::clone(&hits),
                }),
                Interest::READ,
            )
            .unwrap();
        assert_eq!(new.index(), old.index(), "the slot is reused");
        lp.dispatch_event(old, Ready::default());
        assert_eq!(*hits.borrow(), 1, "the stale event went nowhere");
        lp.dispatch_event(new, Ready::default());
        assert_eq!(*hits.borrow(), 2);
    }
}
