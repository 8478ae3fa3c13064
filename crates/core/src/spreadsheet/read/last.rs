//! The cells of the last file read, kept for a few minutes: the mapping step, the preview and
//! the import of one file each read it, and parsing a 100,000-row sheet is most of a
//! preview's time. A file is known by the digest of its bytes (and its extension, which words
//! a refusal), never by its name: a file saved again under the same name is read again.
//!
//! One file's cells at most are kept (tens of MB for 100,000 rows), and none older than
//! [`KEPT_FOR`]; a failed or cancelled read keeps nothing.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::Grid;

/// How long the cells of the last file read are kept.
pub(super) const KEPT_FOR: Duration = Duration::from_secs(10 * 60);

/// What tells two files apart: the SHA-256 of the bytes and the extension.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Key {
    digest: [u8; 32],
    ext: String,
}

impl Key {
    pub(super) fn of(bytes: &[u8], ext: &str) -> Self {
        Self {
            digest: Sha256::digest(bytes).into(),
            ext: ext.to_owned(),
        }
    }
}

struct Kept {
    key: Key,
    at: Instant,
    grid: Arc<Grid>,
}

/// Where the cells of one file are kept.
pub(super) struct Shelf(Mutex<Option<Kept>>);

/// The reader's shelf.
pub(super) static LAST: Shelf = Shelf::new();

impl Shelf {
    pub(super) const fn new() -> Self {
        Self(Mutex::new(None))
    }

    fn slot(&self) -> MutexGuard<'_, Option<Kept>> {
        // The value is replaced whole, so a holder that panicked left it consistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cells of the file with `key`, when it was the last one kept and is not too old;
    /// drops what is kept once it is.
    pub(super) fn cells_of(&self, key: &Key) -> Option<Grid> {
        let mut slot = self.slot();
        if slot.as_ref().is_some_and(|k| k.at.elapsed() > KEPT_FOR) {
            *slot = None;
        }
        let grid = Arc::clone(&slot.as_ref().filter(|k| k.key == *key)?.grid);
        drop(slot);
        // Copied outside the lock: the readers of the table take the cells by value.
        Some(Grid::clone(&grid))
    }

    /// Keeps `grid` as the cells of the file with `key`, in place of any other file's.
    pub(super) fn keep(&self, key: Key, grid: &Grid) {
        self.keep_at(key, grid, Instant::now());
    }

    fn keep_at(&self, key: Key, grid: &Grid, at: Instant) {
        let kept = Kept {
            key,
            at,
            grid: Arc::new(grid.clone()),
        };
        *self.slot() = Some(kept);
    }
}

#[cfg(test)]
mod tests {
    use super::super::RawCell;
    use super::*;

    fn grid(text: &str) -> Grid {
        vec![(1, vec![RawCell::Text(text.into())])]
    }

    #[test]
    fn hands_out_the_cells_of_the_same_bytes_only() {
        let shelf = Shelf::new();
        let (a, b) = (Key::of(b"name\nAda", "csv"), Key::of(b"name\nBob", "csv"));
        assert!(shelf.cells_of(&a).is_none());
        assert_eq!(shelf.cells_of(&a), None);
        shelf.keep(a.clone(), &grid("Ada"));
        assert!(shelf.cells_of(&a).is_some());
        assert_eq!(shelf.cells_of(&a), Some(grid("Ada")));
        // Handed out again: a copy each time, the kept cells untouched.
        assert_eq!(shelf.cells_of(&a), Some(grid("Ada")));
        assert!(shelf.cells_of(&b).is_none());
        assert_eq!(shelf.cells_of(&b), None);
        // The same bytes under another extension are another file (its refusals differ).
        assert!(shelf.cells_of(&Key::of(b"name\nAda", "xlsx")).is_none());
        // Another file takes the place of the first.
        shelf.keep(b.clone(), &grid("Bob"));
        assert_eq!(shelf.cells_of(&a), None);
        assert_eq!(shelf.cells_of(&b), Some(grid("Bob")));
    }

    #[test]
    fn lets_go_of_cells_kept_too_long() {
        let shelf = Shelf::new();
        let a = Key::of(b"name\nAda", "csv");
        let Some(long_ago) = Instant::now().checked_sub(KEPT_FOR + Duration::from_secs(1)) else {
            return; // A clock that started less than ten minutes ago cannot say "too long".
        };
        shelf.keep_at(a.clone(), &grid("Ada"), long_ago);
        assert!(shelf.cells_of(&a).is_none());
        assert_eq!(shelf.cells_of(&a), None);
        assert!(
            shelf.slot().is_none(),
            "the old cells are dropped once asked for"
        );
    }
}
