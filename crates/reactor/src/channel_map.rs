//! The loop's table of handlers, addressed by [`Token`]: the course's `channel_map`.
//!
//! The C `channel_map` was an array of `struct channel *` indexed by fd, grown by doubling
//! (lecture 35). Indexing by fd is what made its stale-entry bug possible: after the epoll
//! dispatcher closed an fd behind the loop's back, the slot still held the old channel, and
//! the next connection with that fd number was silently never registered.
//!
//! This map is a slab instead: a `Vec` of slots indexed by a slot number the map chooses,
//! reusing freed slots from a free list, and each slot has a *generation* that increases
//! whenever it is freed. A [`Token`] is (slot, generation), so a token issued for a closed
//! handler never resolves to its successor.
//!
//! A slot is `Busy` while its handler is out of the map running an event ("take, call, put
//! back"): the handler gets `&mut EventLoop` without aliasing itself, and a handler that
//! asks to be removed is dropped only after its own call has returned.

use crate::channel::Token;
use crate::event_loop::Handler;

enum Slot {
    Free,
    Occupied(Box<dyn Handler>),
    /// Taken out by [`ChannelMap::take`]; to be put back or released.
    Busy,
}

struct Entry {
    generation: u32,
    slot: Slot,
}

#[derive(Default)]
pub(crate) struct ChannelMap {
    entries: Vec<Entry>,
    free: Vec<u32>,
}

impl ChannelMap {
    /// Stores `handler` and returns its token.
    pub(crate) fn insert(&mut self, handler: Box<dyn Handler>) -> Token {
        if let Some(index) = self.free.pop() {
            let entry = &mut self.entries[index as usize];
            entry.slot = Slot::Occupied(handler);
            Token::new(index, entry.generation)
        } else {
            let index = u32::try_from(self.entries.len()).expect("fewer than 2^32 handlers");
            self.entries.push(Entry {
                generation: 0,
                slot: Slot::Occupied(handler),
            });
            Token::new(index, 0)
        }
    }

    fn entry(&mut self, token: Token) -> Option<&mut Entry> {
        self.entries
            .get_mut(token.index())
            .filter(|e| e.generation == token.generation())
    }

    /// The handler behind a live token, left in place.
    pub(crate) fn get(&self, token: Token) -> Option<&dyn Handler> {
        let entry = self.entries.get(token.index())?;
        match &entry.slot {
            Slot::Occupied(h) if entry.generation == token.generation() => Some(h.as_ref()),
            _ => None,
        }
    }

    /// Takes the handler out, leaving the slot `Busy`. `None` for a stale token, a free
    /// slot, or a handler that is already out.
    pub(crate) fn take(&mut self, token: Token) -> Option<Box<dyn Handler>> {
        let entry = self.entry(token)?;
        match std::mem::replace(&mut entry.slot, Slot::Busy) {
            Slot::Occupied(h) => Some(h),
            other => {
                entry.slot = other;
                None
            }
        }
    }

    /// Returns a handler taken by [`ChannelMap::take`] to its slot.
    pub(crate) fn put_back(&mut self, token: Token, handler: Box<dyn Handler>) {
        let entry = self.entry(token).expect("put back into its own slot");
        debug_assert!(matches!(entry.slot, Slot::Busy));
        entry.slot = Slot::Occupied(handler);
    }

    /// Frees a `Busy` slot: its token, and every event still carrying it, goes stale.
    pub(crate) fn release(&mut self, token: Token) {
        let entry = self.entry(token).expect("release its own slot");
        debug_assert!(matches!(entry.slot, Slot::Busy));
        entry.slot = Slot::Free;
        entry.generation = entry.generation.wrapping_add(1);
        self.free.push(token.index() as u32);
    }

    /// The tokens of every handler in the map.
    pub(crate) fn tokens(&self) -> Vec<Token> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e.slot, Slot::Occupied(_)))
            .map(|(i, e)| Token::new(i as u32, e.generation))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::Ready;
    use crate::event_loop::{Control, EventLoop};
    use std::any::Any;
    use std::os::fd::{AsFd, BorrowedFd};
    use std::os::unix::net::UnixStream;

    struct Dummy(UnixStream);

    impl Handler for Dummy {
        fn fd(&self) -> BorrowedFd<'_> {
            self.0.as_fd()
        }
        fn handle_event(&mut self, _: &mut EventLoop, _: Token, _: Ready) -> Control {
            Control::Keep
        }
        fn as_any_mut(&mut self) -> &mut dyn Any {
            self
        }
    }

    fn dummy() -> Box<dyn Handler> {
        Box::new(Dummy(UnixStream::pair().unwrap().0))
    }

    #[test]
    fn take_put_back_and_release() {
        let mut map = ChannelMap::default();
        let a = map.insert(dummy());
        let b = map.insert(dummy());
        assert_ne!(a.index(), b.index());
        assert_eq!(map.tokens(), [a, b]);

        let handler = map.take(a).expect("live");
        assert!(map.take(a).is_none(), "busy: already out");
        assert!(map.get(a).is_none());
        assert_eq!(map.tokens(), [b], "a busy slot is not listed");
        map.put_back(a, handler);
        assert!(map.get(a).is_some());

        let handler = map.take(a).unwrap();
        map.release(a);
        drop(handler);
        assert!(map.take(a).is_none(), "released: the token is stale");

        let c = map.insert(dummy());
        assert_eq!(c.index(), a.index(), "the free slot is reused");
        assert_ne!(c.generation(), a.generation());
        assert!(
            map.get(a).is_none(),
            "the old token does not reach the new handler"
        );
        assert!(map.get(c).is_some());
    }
}
