//! Lecture 32's second exercise, as code: the course's `channel_map`, an array indexed by
//! file descriptor that grows by doubling (`map_make_space` in `lib/channel_map.c`).
//!
//! The framework in `crates/reactor` does not use this map: its `ChannelMap` is a slab
//! addressed by generation-checked tokens. This one is here to read, to run, and to compare:
//! its tests show both why it is fast (a descriptor *is* the index) and how it goes stale
//! when a descriptor is closed without removing its entry, the C framework's EPOLLHUP bug.

/// The size of the first allocation, as in the C (`msize = 32`).
pub const INITIAL_SLOTS: usize = 32;

/// Values indexed by descriptor number. Slots 0, 1 and 2 (stdin, stdout, stderr) are
/// wasted, as lecture 35 notes; descriptors are small and dense, so that is cheap.
#[derive(Debug)]
pub struct FdMap<T> {
    entries: Vec<Option<T>>,
}

impl<T> Default for FdMap<T> {
    fn default() -> FdMap<T> {
        FdMap {
            entries: Vec::new(),
        }
    }
}

impl<T> FdMap<T> {
    /// An empty map: no slots at all (`map_init`).
    pub fn new() -> FdMap<T> {
        FdMap::default()
    }

    /// How many slots exist (`nentries`).
    pub fn slots(&self) -> usize {
        self.entries.len()
    }

    /// Grows the map so that `fd` has a slot: start from the current size, or 32, and
    /// double until it is larger than `fd`; the new slots are empty (`map_make_space`:
    /// `realloc`, then `memset` of the new tail to NULL). Doubling keeps the total copying
    /// linear in the final size, whatever order descriptors arrive in.
    pub fn make_space(&mut self, fd: usize) {
        if fd < self.entries.len() {
            return;
        }
        let mut size = self.entries.len().max(INITIAL_SLOTS);
        while size <= fd {
            size *= 2;
        }
        self.entries.resize_with(size, || None);
    }

    /// Stores `value` for `fd` if the slot is free, as the course's `handle_pending_add`
    /// does; returns false, leaving the map unchanged, if the slot is taken. (The C ignored
    /// that result: a stale entry made the new connection silently unserved.)
    pub fn insert(&mut self, fd: usize, value: T) -> bool {
        self.make_space(fd);
        let slot = &mut self.entries[fd];
        if slot.is_some() {
            return false;
        }
        *slot = Some(value);
        true
    }

    /// The value for `fd`, if any.
    pub fn get(&self, fd: usize) -> Option<&T> {
        self.entries.get(fd)?.as_ref()
    }

    /// Removes and returns the value for `fd` (`handle_pending_remove`).
    pub fn remove(&mut self, fd: usize) -> Option<T> {
        self.entries.get_mut(fd)?.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_by_doubling_from_32() {
        let mut map = FdMap::new();
        assert_eq!(map.slots(), 0);
        assert!(map.insert(5, "listener"));
        assert_eq!(map.slots(), 32);
        assert!(map.insert(31, "a"));
        assert_eq!(map.slots(), 32);
        assert!(map.insert(32, "b"));
        assert_eq!(map.slots(), 64);
        assert!(map.insert(200, "c"));
        assert_eq!(map.slots(), 256, "64 -> 128 -> 256");
        assert_eq!(map.get(5), Some(&"listener"));
        assert_eq!(map.get(100), None);
        assert_eq!(map.get(10_000), None);
    }

    #[test]
    fn a_taken_slot_refuses_a_second_value() {
        let mut map = FdMap::new();
        assert!(map.insert(7, 1));
        assert!(!map.insert(7, 2));
        assert_eq!(map.remove(7), Some(1));
        assert!(map.insert(7, 2));
        assert_eq!(map.get(7), Some(&2));
    }
}
