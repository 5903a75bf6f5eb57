//! String interning for the arena.
//!
//! Every string of every span (names, keys, values) is stored once in one growing buffer and
//! referred to by a 4-byte [`StrId`]. Repeated strings — attribute keys, span names, a system
//! prompt sent with every LLM call — cost their bytes once.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

/// Index of an interned string. `StrId::EMPTY` is the empty string, always present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct StrId(u32);

impl StrId {
    /// The empty string.
    pub const EMPTY: StrId = StrId(0);

    /// The id at a raw index (only for strings every arena interns first: see `Known`).
    pub(super) const fn from_index(index: u32) -> Self {
        StrId(index)
    }

    /// The raw index, for compact encodings.
    pub fn index(self) -> u32 {
        self.0
    }
}

/// The string table: one buffer, the end offset of each string, and a hash table for dedup.
#[derive(Clone)]
pub struct Interner {
    buffer: String,
    /// `ends[i]` is where string `i` ends in `buffer`; it starts where string `i - 1` ends.
    ends: Vec<u32>,
    /// Each string's id and a 32-bit digest of its hash: growing the table re-places entries
    /// from the digest alone, without reading (and hashing) every string again.
    dedup: HashTable<(u32, u32)>,
    hasher: DefaultHashBuilder,
}

/// A 64-bit hash folded to 32 bits, and spread back to 64 for the table (its high bits pick
/// the tag, its low bits the bucket).
fn digest(hash: u64) -> u32 {
    (hash ^ (hash >> 32)) as u32
}

fn spread(digest: u32) -> u64 {
    (u64::from(digest) << 32) | u64::from(digest.rotate_left(16))
}

/// The buffer is addressed with `u32` offsets: 4 GiB of distinct text, the wasm32 ceiling anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("more than 4 GiB of distinct text")]
pub struct InternerFull;

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Self {
            buffer: String::new(),
            ends: Vec::new(),
            dedup: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        };
        // Index 0 is the empty string, so `StrId::default()` means "".
        let empty = interner.intern("");
        debug_assert_eq!(empty, Ok(StrId::EMPTY));
        interner
    }
}

impl Interner {
    /// The id of `text`, adding it if it is new.
    pub fn intern(&mut self, text: &str) -> Result<StrId, InternerFull> {
        let digest = digest(self.hasher.hash_one(text));
        let (buffer, ends) = (&self.buffer, &self.ends);
        let same = |&(id, other): &(u32, u32)| other == digest && slice(buffer, ends, id) == text;
        if let Some(&(id, _)) = self.dedup.find(spread(digest), same) {
            return Ok(StrId(id));
        }
        let end = u32::try_from(self.buffer.len() + text.len()).map_err(|_| InternerFull)?;
        let id = u32::try_from(self.ends.len()).map_err(|_| InternerFull)?;
        self.buffer.push_str(text);
        self.ends.push(end);
        self.dedup
            .insert_unique(spread(digest), (id, digest), |&(_, d)| spread(d));
        Ok(StrId(id))
    }

    /// The id of `text` if it was interned, without adding it.
    pub fn lookup(&self, text: &str) -> Option<StrId> {
        let digest = digest(self.hasher.hash_one(text));
        self.dedup
            .find(spread(digest), |&(id, other)| {
                other == digest && slice(&self.buffer, &self.ends, id) == text
            })
            .map(|&(id, _)| StrId(id))
    }

    /// The text of `id`. An id from another interner gives "" rather than panicking.
    pub fn get(&self, id: StrId) -> &str {
        slice(&self.buffer, &self.ends, id.0)
    }

    /// How many distinct strings are stored.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Always false: the empty string is always present.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of heap this table holds (capacity, not length: what the allocator gave).
    pub fn heap_bytes(&self) -> usize {
        self.buffer.capacity()
            + self.ends.capacity() * size_of::<u32>()
            + self.dedup.capacity() * (size_of::<(u32, u32)>() + 1)
    }
}

fn slice<'a>(buffer: &'a str, ends: &[u32], id: u32) -> &'a str {
    let index = id as usize;
    let Some(&end) = ends.get(index) else {
        return "";
    };
    let start = if index == 0 { 0 } else { ends[index - 1] };
    buffer.get(start as usize..end as usize).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_once_and_reads_back() -> Result<(), InternerFull> {
        let mut interner = Interner::default();
        let a = interner.intern("llm.token_count.prompt")?;
        let b = interner.intern("input.value")?;
        let again = interner.intern("llm.token_count.prompt")?;
        assert_eq!(a, again);
        assert_ne!(a, b);
        assert_eq!(interner.get(a), "llm.token_count.prompt");
        assert_eq!(interner.get(b), "input.value");
        assert_eq!(interner.intern("")?, StrId::EMPTY);
        assert_eq!(interner.len(), 3);
        assert_eq!(interner.lookup("input.value"), Some(b));
        assert_eq!(interner.lookup("absent"), None);
        Ok(())
    }

    #[test]
    fn survives_growth() -> Result<(), InternerFull> {
        let mut interner = Interner::default();
        let ids: Vec<StrId> = (0..10_000)
            .map(|i| interner.intern(&format!("key-{i}")))
            .collect::<Result<_, _>>()?;
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(interner.get(*id), format!("key-{i}"));
            assert_eq!(interner.intern(&format!("key-{i}"))?, *id);
        }
        Ok(())
    }

    #[test]
    fn heap_bytes_count_every_table_it_holds() -> Result<(), InternerFull> {
        let mut interner = Interner::default();
        assert!(!interner.is_empty(), "the empty string is always there");
        for i in 0..10_000 {
            interner.intern(&format!("attribute-{i}"))?;
        }
        // The text, the ends (u32 each), and the dedup table's entries with their control bytes.
        let held = interner.buffer.capacity()
            + interner.ends.capacity() * size_of::<u32>()
            + interner.dedup.capacity() * size_of::<(u32, u32)>();
        let bytes = interner.heap_bytes();
        assert!(
            (held + interner.dedup.capacity()..=held + 2 * interner.dedup.capacity())
                .contains(&bytes),
            "{bytes} for {held} held"
        );
        assert!(bytes > 10_000 * "attribute-0".len());
        Ok(())
    }
}
