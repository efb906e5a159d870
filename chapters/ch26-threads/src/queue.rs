//! The course's `block_queue`: a bounded FIFO that worker threads wait on.
//!
//! The C queue is a ring of fds guarded by a mutex, with a condition variable the workers
//! sleep on while it is empty. It has no "full" check: the 101st waiting fd overwrites
//! the oldest, and the queue then looks empty (the lecture's 思考题 1). This one is a
//! `VecDeque` (a ring buffer too) behind a `Mutex`, with two condition variables:
//! `not_empty` for workers, `not_full` for a producer that chooses to wait for room.
//!
//! **What "full" means.** The capacity is a waiting room for items that no worker can take
//! yet. A worker sleeping in [`BlockQueue::pop`] is an empty chair: an item pushed while one
//! sleeps is hers, so it does not count against the capacity. Without this, a burst of
//! pushes that outruns the workers' wake-ups would be refused while workers sit idle.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// A bounded queue of `T` for one or more producers and consumers.
#[derive(Debug)]
pub struct BlockQueue<T> {
    state: Mutex<State<T>>,
    capacity: usize,
    not_empty: Condvar,
    not_full: Condvar,
}

#[derive(Debug)]
struct State<T> {
    items: VecDeque<T>,
    /// Consumers inside `pop` that have not taken an item yet.
    idle: usize,
}

impl<T> State<T> {
    /// Items that no idle consumer will take: those really waiting.
    fn waiting(&self) -> usize {
        self.items.len().saturating_sub(self.idle)
    }
}

impl<T> BlockQueue<T> {
    /// A queue that holds at most `capacity` items beyond what idle consumers will take.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0.
    pub fn new(capacity: usize) -> BlockQueue<T> {
        assert!(capacity > 0, "a queue needs room for at least one item");
        BlockQueue {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(capacity),
                idle: 0,
            }),
            capacity,
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
        }
    }

    /// Locks the state. A thread that panicked while holding the lock leaves the state
    /// consistent (every update below is a single step), so a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends `item` if there is room, or gives it back if the queue is full.
    ///
    /// `pushed` runs before the lock is released, with the item and how many items now
    /// wait; a log line it prints therefore comes before anything a consumer prints about
    /// the same item (the C prints inside its lock too).
    pub fn try_push(&self, item: T, pushed: impl FnOnce(&T, usize)) -> Result<(), T> {
        let mut state = self.lock();
        if state.waiting() >= self.capacity {
            return Err(item);
        }
        state.items.push_back(item);
        self.not_empty.notify_one();
        pushed(state.items.back().expect("just pushed"), state.waiting());
        Ok(())
    }

    /// Appends `item`, first waiting for room if the queue is full. `pushed` is as for
    /// [`BlockQueue::try_push`].
    pub fn push(&self, item: T, pushed: impl FnOnce(&T, usize)) {
        let mut state = self.lock();
        while state.waiting() >= self.capacity {
            state = self
                .not_full
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.items.push_back(item);
        self.not_empty.notify_one();
        pushed(state.items.back().expect("just pushed"), state.waiting());
    }

    /// Takes the oldest item, waiting while there is none.
    pub fn pop(&self) -> T {
        let mut state = self.lock();
        state.idle += 1;
        // One more idle consumer is one more free place: a waiting producer may go on.
        self.not_full.notify_one();
        // A loop, not an `if`: a wake-up may be spurious, or another consumer may have
        // taken the item first (pthread_cond_wait(3) says the same of the C).
        let item = loop {
            if let Some(item) = state.items.pop_front() {
                break item;
            }
            state = self
                .not_empty
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        };
        state.idle -= 1;
        item
    }

    /// How many items wait for a consumer.
    pub fn waiting(&self) -> usize {
        self.lock().waiting()
    }

    /// How many consumers wait in [`BlockQueue::pop`].
    pub fn idle(&self) -> usize {
        self.lock().idle
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;
    use testkit::{TIMEOUT, eventually};

    fn quiet<T>(_: &T, _: usize) {}

    /// `try_push`, returning how many items wait afterwards.
    fn try_push<T>(q: &BlockQueue<T>, item: T) -> Result<usize, T> {
        let mut waiting = None;
        q.try_push(item, |_, n| waiting = Some(n))?;
        Ok(waiting.unwrap())
    }

    #[test]
    fn first_in_first_out() {
        let q = BlockQueue::new(3);
        for i in 0..3 {
            q.try_push(i, quiet).unwrap();
        }
        assert_eq!((q.pop(), q.pop(), q.pop()), (0, 1, 2));
    }

    #[test]
    fn a_full_queue_gives_the_item_back() {
        let q = BlockQueue::new(2);
        assert_eq!(try_push(&q, "a"), Ok(1));
        assert_eq!(try_push(&q, "b"), Ok(2));
        assert_eq!(try_push(&q, "c"), Err("c"));
        assert_eq!(q.pop(), "a");
        assert_eq!(try_push(&q, "c"), Ok(2));
    }

    #[test]
    fn an_idle_consumer_is_room_for_one_more() {
        let q = Arc::new(BlockQueue::new(1));
        let consumer = {
            let q = Arc::clone(&q);
            thread::spawn(move || q.pop())
        };
        assert!(eventually(TIMEOUT, || q.idle() == 1));
        // One for the sleeping consumer (nothing waits), one for the waiting room.
        assert_eq!(try_push(&q, 1), Ok(0));
        assert_eq!(try_push(&q, 2), Ok(1));
        assert_eq!(try_push(&q, 3), Err(3));
        assert_eq!(consumer.join().unwrap(), 1);
        assert_eq!(q.waiting(), 1);
    }

    #[test]
    fn push_waits_for_room() {
        let q = Arc::new(BlockQueue::new(1));
        q.push(1, quiet);
        let producer = {
            let q = Arc::clone(&q);
            thread::spawn(move || q.push(2, quiet))
        };
        assert_eq!(q.pop(), 1);
        producer.join().unwrap();
        assert_eq!(q.pop(), 2);
    }
}
