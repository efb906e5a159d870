//! Timers: run a callback after a delay, or every interval, on the loop's own thread.
//!
//! The course defines `EVENT_TIMEOUT` and never uses it; muduo has a `TimerQueue` on a
//! timerfd. This queue needs no descriptor at all: the loop passes the time until the
//! earliest deadline as the dispatcher's timeout, so timers cost nothing while none is due
//! and the loop still makes one multiplexing call per iteration.
//!
//! Deadlines sit in a min-heap keyed by `(deadline, id)`; cancelling removes the callback
//! from a map and leaves the heap entry to be skipped when it surfaces ("lazy deletion"),
//! so both adding and cancelling are O(log n) with no search.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

/// Names one timer so it can be cancelled. Plain data; cancelling must happen on the loop
/// that created it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(u64);

/// A timer's callback, given the context the queue's owner passes in (the event loop).
pub(crate) type Callback<C> = Box<dyn FnMut(&mut C)>;

struct Timer<C> {
    callback: Callback<C>,
    /// `Some` for a repeating timer.
    interval: Option<Duration>,
}

/// Pending timers for one loop. Not `Send`: it belongs to its loop's thread.
pub(crate) struct TimerQueue<C> {
    heap: BinaryHeap<Reverse<(Instant, TimerId)>>,
    timers: HashMap<TimerId, Timer<C>>,
    next_id: u64,
    /// The timer whose callback is running, and whether that callback cancelled it.
    running: Option<(TimerId, bool)>,
}

impl<C> TimerQueue<C> {
    pub(crate) fn new() -> TimerQueue<C> {
        TimerQueue {
            heap: BinaryHeap::new(),
            timers: HashMap::new(),
            next_id: 0,
            running: None,
        }
    }

    /// Schedules `callback` at `deadline`, then every `interval` if one is given.
    pub(crate) fn add(
        &mut self,
        deadline: Instant,
        interval: Option<Duration>,
        callback: Callback<C>,
    ) -> TimerId {
        let id = TimerId(self.next_id);
        self.next_id += 1;
        self.timers.insert(id, Timer { callback, interval });
        self.heap.push(Reverse((deadline, id)));
        id
    }

    /// Cancels a timer; returns whether it was still pending. A repeating timer may cancel
    /// itself from its own callback.
    pub(crate) fn cancel(&mut self, id: TimerId) -> bool {
        if let Some((running, cancelled)) = &mut self.running
            && *running == id
        {
            let was_live = !*cancelled;
            *cancelled = true;
            return was_live;
        }
        self.timers.remove(&id).is_some()
    }

    /// How many timers are pending.
    pub(crate) fn len(&self) -> usize {
        self.timers.len()
    }

    /// The earliest deadline of a live timer, dropping cancelled heap entries on the way.
    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        while let Some(Reverse((deadline, id))) = self.heap.peek() {
            if self.timers.contains_key(id) {
                return Some(*deadline);
            }
            self.heap.pop();
        }
        None
    }

    /// Runs every timer due at `now`, in deadline order, passing `context` to each; a
    /// repeating timer is put back for `now + interval` (not its old deadline plus the
    /// interval, so a loop that fell behind does not fire a burst to catch up). Returns how
    /// many callbacks ran. Timers added by the callbacks run on a later call at the
    /// earliest, even when already due, so a callback that re-arms itself with a zero
    /// delay cannot trap the loop here.
    pub(crate) fn run_expired(
        context: &mut C,
        queue: impl Fn(&mut C) -> &mut TimerQueue<C>,
        now: Instant,
    ) -> usize {
        let last_id = queue(context).next_id;
        let mut ran = 0;
        loop {
            let q = queue(context);
            let Some(&Reverse((deadline, id))) = q.heap.peek() else {
                break;
            };
            if deadline > now || id.0 >= last_id {
                break;
            }
            q.heap.pop();
            let Some(mut timer) = q.timers.remove(&id) else {
                continue; // cancelled earlier
            };
            q.running = Some((id, false));
            (timer.callback)(context);
            ran += 1;
            let q = queue(context);
            let cancelled = q.running.take().is_some_and(|(_, c)| c);
            if let (Some(interval), false) = (timer.interval, cancelled) {
                q.timers.insert(id, timer);
                q.heap.push(Reverse((now + interval, id)));
            }
        }
        ran
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A context that is its own queue, plus a log of what ran.
    struct Ctx {
        queue: TimerQueue<Ctx>,
        log: Vec<&'static str>,
    }

    fn ctx() -> Ctx {
        Ctx {
            queue: TimerQueue::new(),
            log: Vec::new(),
        }
    }

    fn run(c: &mut Ctx, now: Instant) -> usize {
        TimerQueue::run_expired(c, |c| &mut c.queue, now)
    }

    fn say(word: &'static str) -> Callback<Ctx> {
        Box::new(move |c: &mut Ctx| c.log.push(word))
    }

    #[test]
    fn fires_in_deadline_order_and_only_when_due() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut c = ctx();
        c.queue.add(t0 + ms(30), None, say("c"));
        c.queue.add(t0 + ms(10), None, say("a"));
        c.queue.add(t0 + ms(20), None, say("b"));
        assert_eq!(c.queue.next_deadline(), Some(t0 + ms(10)));
        assert_eq!(run(&mut c, t0 + ms(5)), 0);
        assert_eq!(run(&mut c, t0 + ms(20)), 2);
        assert_eq!(c.log, ["a", "b"]);
        assert_eq!(c.queue.next_deadline(), Some(t0 + ms(30)));
        assert_eq!(run(&mut c, t0 + ms(30)), 1);
        assert_eq!(c.log, ["a", "b", "c"]);
        assert_eq!(c.queue.len(), 0);
        assert_eq!(c.queue.next_deadline(), None);
    }

    #[test]
    fn cancelled_timers_never_fire_and_vanish_from_the_deadline() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut c = ctx();
        let a = c.queue.add(t0 + ms(10), None, say("a"));
        c.queue.add(t0 + ms(20), None, say("b"));
        assert!(c.queue.cancel(a));
        assert!(!c.queue.cancel(a), "cancelling twice reports false");
        assert_eq!(c.queue.next_deadline(), Some(t0 + ms(20)));
        run(&mut c, t0 + ms(100));
        assert_eq!(c.log, ["b"]);
    }

    #[test]
    fn repeating_timer_rearms_from_now_until_cancelled() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut c = ctx();
        let id = c.queue.add(t0 + ms(10), Some(ms(10)), say("tick"));
        assert_eq!(run(&mut c, t0 + ms(10)), 1);
        assert_eq!(c.queue.next_deadline(), Some(t0 + ms(20)));
        // The loop fell behind by 45 ms: one tick, not four.
        assert_eq!(run(&mut c, t0 + ms(65)), 1);
        assert_eq!(c.queue.next_deadline(), Some(t0 + ms(75)));
        assert!(c.queue.cancel(id));
        assert_eq!(run(&mut c, t0 + ms(1000)), 0);
        assert_eq!(c.log, ["tick", "tick"]);
    }

    #[test]
    fn repeating_timer_can_cancel_itself() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut c = ctx();
        let id = TimerId(c.queue.next_id);
        c.queue.add(
            t0,
            Some(ms(1)),
            Box::new(move |c: &mut Ctx| {
                c.log.push("once");
                assert!(c.queue.cancel(id));
            }),
        );
        run(&mut c, t0);
        run(&mut c, t0 + ms(10));
        assert_eq!(c.log, ["once"]);
        assert_eq!(c.queue.len(), 0);
    }

    #[test]
    fn timers_added_by_a_callback_wait_for_the_next_round() {
        let t0 = Instant::now();
        let mut c = ctx();
        c.queue.add(
            t0,
            None,
            Box::new(move |c: &mut Ctx| {
                c.log.push("first");
                c.queue.add(t0, None, say("second"));
            }),
        );
        assert_eq!(run(&mut c, t0), 1);
        assert_eq!(c.log, ["first"]);
        assert_eq!(run(&mut c, t0), 1);
        assert_eq!(c.log, ["first", "second"]);
    }
}
