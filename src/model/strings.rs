//! String interning for the arena.
//!
//! Every string of every span (names, keys, values) is stored once, in chunks of text that are
//! not grown once made, and referred to by a 4-byte [`StrId`]. Repeated strings — attribute
//! keys, span names, a system prompt sent with every LLM call — cost their bytes once.

use std::cmp::Reverse;
use std::hash::BuildHasher;

use hashbrown::DefaultHashBuilder;
use wide::u8x16;

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

/// The string table: the text in chunks, the end offset of each string, and a hash table for
/// dedup.
#[derive(Clone)]
pub struct Interner {
    /// The text, in chunks of `1 << shift` bytes: a string never straddles two, so a chunk is
    /// never grown once made (but the first, which grows as a small trace fills it), and no
    /// text is copied or held twice as it grows. One buffer grown by doubling copied all the
    /// text at each growth and held the old and the new at once: at 1M spans, 0.5 GB beside
    /// 1 GB. A string longer than an eighth of a chunk that does not fit in the rest of the
    /// last one has a chunk of its own, of its size (the slots it covers after the first stay
    /// empty), so that the ends of chunks waste little.
    chunks: Vec<String>,
    /// `ends[i]` is where string `i` ends, in a space where chunk `k` starts at `k << shift`;
    /// it starts where string `i - 1` ends. An id that no string has (a filler) takes what is
    /// left of a chunk when the next string does not go in it. 64-bit: a string with a chunk
    /// of its own takes room in this space that holds no text.
    ends: Vec<u64>,
    shift: u32,
    /// Bytes of text stored, and the most that may be.
    stored: u64,
    most: u64,
    /// Each string's id by a 32-bit digest of its hash.
    dedup: Dedup,
    /// The digest's seed, so that a file cannot be made of strings that collide in every run:
    /// from the standard hasher's, natively random (address-space layout, time); in the
    /// browser's wasm, which has neither, from [`Interner::randomize`].
    seed: u64,
}

/// Every interner's seed once set (not 0): see [`Interner::randomize`].
static RANDOM: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A chunk's size: 8 MiB, so that a small trace's text is one chunk (the first grows as it
/// fills) and a large one wastes little at each chunk's end.
const CHUNK_SHIFT: u32 = 23;

/// The room the first chunk starts with.
const FIRST_ROOM: usize = 4096;

/// The most distinct text an interner holds: 4 GiB, the wasm32 ceiling anyway.
const MOST_TEXT: u64 = u32::MAX as u64;

/// Whether `a` and `b` are the same bytes, compared eight at a time: in wasm `==` on slices
/// calls a `memcmp` that compares one byte at a time (5% of the worker reading a 1M-span file).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match (a.last_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(a_last), Some(b_last)) => {
            let (a_words, b_words) = (a.as_chunks::<8>().0, b.as_chunks::<8>().0);
            a_last == b_last && a_words.iter().zip(b_words).all(|(x, y)| x == y)
        }
        _ => a.iter().zip(b).all(|(x, y)| x == y),
    }
}

/// A 32-bit digest of `bytes`, seeded. Only 64-bit multiplies: wasm has no 64×64 → 128-bit one,
/// which foldhash (hashbrown's) spends several instructions on for every 16 bytes — hashing was
/// 9% of the engine's worker reading a 1M-span file. Words are mixed by a multiply and a shift,
/// two lanes at a time for long strings, and the result by murmur3's finalizer.
#[inline]
fn digest(seed: u64, bytes: &[u8]) -> u32 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |h: u64, word: u64| {
        let h = (h ^ word).wrapping_mul(K);
        h ^ (h >> 29)
    };
    let half = |half: Option<&[u8; 4]>| u64::from(u32::from_le_bytes(*half.unwrap_or(&[0; 4])));
    let len = bytes.len();
    let mut h = seed ^ (len as u64).wrapping_mul(K);
    // Whole arrays, so that no read is bounds-checked.
    if let Some(last) = bytes.last_chunk::<8>() {
        let (pairs, rest) = bytes.as_chunks::<16>();
        let mut other = h.rotate_left(32);
        for pair in pairs {
            let pair = u128::from_le_bytes(*pair);
            h = mix(h, pair as u64);
            other = mix(other, (pair >> 64) as u64);
        }
        if let Some(word) = rest.first_chunk::<8>() {
            h = mix(h, u64::from_le_bytes(*word));
        }
        // The last word, overlapping what was read: the length is in the seed.
        h = mix(h ^ other.rotate_left(17), u64::from_le_bytes(*last));
    } else if len >= 4 {
        h = mix(
            h,
            half(bytes.first_chunk()) << 32 | half(bytes.last_chunk()),
        );
    } else if let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) {
        let middle = bytes.get(len / 2).copied().unwrap_or_default();
        h = mix(
            h,
            u64::from(first) << 16 | u64::from(middle) << 8 | u64::from(last),
        );
    }
    // murmur3's fmix64: every bit of the state moves the digest's low bits, which pick slots.
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^= h >> 33;
    (h ^ (h >> 32)) as u32
}

/// The interner's dedup table: open addressing, probed in order, over slots that hold a
/// string's digest and id side by side (8 bytes, eight to a cache line). A probe reads one
/// place in memory where a table with control bytes apart from its entries (hashbrown's) reads
/// two — at a million spans its 3.2M strings fill tens of MB, and each read is a cache miss.
/// Growing re-places slots by their digests alone, without reading (and hashing) every string
/// again.
#[derive(Clone, Default)]
struct Dedup {
    /// A power of two long, or empty.
    slots: Vec<Slot>,
    used: usize,
}

#[derive(Clone, Copy)]
struct Slot {
    digest: u32,
    /// [`Slot::FREE`] where no string is.
    id: u32,
}

impl Slot {
    /// No string has this id: [`Interner::append`] keeps two ids spare below it.
    const FREE: u32 = u32::MAX;
}

impl Dedup {
    /// The id whose digest is `digest` and that `same` says is the one looked for.
    fn find(&self, digest: u32, mut same: impl FnMut(u32) -> bool) -> Option<u32> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = digest as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot.id == Slot::FREE {
                return None;
            }
            if slot.digest == digest && same(slot.id) {
                return Some(slot.id);
            }
            at = (at + 1) & mask;
        }
    }

    /// Room for one more string (the table is grown once it would be 7/8 full).
    fn make_room(&mut self) -> Result<(), InternerFull> {
        if (self.used + 1) * 8 <= self.slots.len() * 7 {
            return Ok(());
        }
        let size = (self.slots.len() * 2).max(16);
        let mut slots = Vec::new();
        slots.try_reserve_exact(size).map_err(|_| InternerFull)?;
        let free = Slot {
            digest: 0,
            id: Slot::FREE,
        };
        slots.resize(size, free);
        let old = std::mem::replace(&mut self.slots, slots);
        for slot in old.into_iter().filter(|slot| slot.id != Slot::FREE) {
            self.place(slot);
        }
        Ok(())
    }

    /// Adds `id`, not in the table, after [`Dedup::make_room`].
    fn insert(&mut self, digest: u32, id: u32) {
        self.place(Slot { digest, id });
        self.used += 1;
    }

    fn place(&mut self, slot: Slot) {
        let mask = self.slots.len() - 1;
        let mut at = slot.digest as usize & mask;
        while self.slots[at].id != Slot::FREE {
            at = (at + 1) & mask;
        }
        self.slots[at] = slot;
    }

    fn heap_bytes(&self) -> usize {
        self.slots.capacity() * size_of::<Slot>()
    }
}

/// More distinct text than an interner holds (4 GiB), or than memory has room for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("more distinct text than can be held")]
pub struct InternerFull;

impl Default for Interner {
    fn default() -> Self {
        Self::with_limits(CHUNK_SHIFT, MOST_TEXT)
    }
}

impl Interner {
    /// An interner whose chunks hold `1 << shift` bytes, holding at most `most` bytes of text
    /// (small ones let tests cross chunks and fill it).
    fn with_limits(shift: u32, most: u64) -> Self {
        let mut interner = Self {
            chunks: Vec::new(),
            ends: Vec::new(),
            shift,
            stored: 0,
            most,
            dedup: Dedup::default(),
            seed: match RANDOM.load(std::sync::atomic::Ordering::Relaxed) {
                0 => DefaultHashBuilder::default().hash_one(0x5EED_u64),
                random => random,
            },
        };
        // Index 0 is the empty string, so `StrId::default()` means "".
        let empty = interner.intern("");
        debug_assert_eq!(empty, Ok(StrId::EMPTY));
        interner
    }

    /// `random` (not 0) as the seed of every interner made from now on: the engine's worker
    /// gives it the browser's random numbers when it starts, since in wasm the standard
    /// hasher's seed is the same in every page.
    pub fn randomize(random: u64) {
        RANDOM.store(random, std::sync::atomic::Ordering::Relaxed);
    }

    /// The id of `text`, adding it if it is new.
    pub fn intern(&mut self, text: &str) -> Result<StrId, InternerFull> {
        let digest = digest(self.seed, text.as_bytes());
        match self.find(digest, text.as_bytes()) {
            Some(id) => Ok(id),
            None => self.add(digest, text),
        }
    }

    /// The id of `bytes` as text, adding it if it is new; `None` if they are not UTF-8. Text
    /// already held is found before the bytes are checked (bytes equal to text are UTF-8), so
    /// a repeated string — most of a trace's, keys above all — is read once, not twice.
    pub fn intern_utf8(&mut self, bytes: &[u8]) -> Result<Option<StrId>, InternerFull> {
        let digest = digest(self.seed, bytes);
        if let Some(id) = self.find(digest, bytes) {
            return Ok(Some(id));
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => self.add(digest, text).map(Some),
            Err(_) => Ok(None),
        }
    }

    fn find(&self, digest: u32, bytes: &[u8]) -> Option<StrId> {
        (self.dedup.find(digest, |id| same(self.bytes(id), bytes))).map(StrId)
    }

    /// Adds `text`, not held, whose digest is `digest`.
    fn add(&mut self, digest: u32, text: &str) -> Result<StrId, InternerFull> {
        // Room first: nothing that can fail comes after the text is stored.
        self.dedup.make_room()?;
        let id = self.append(text)?;
        self.dedup.insert(digest, id);
        Ok(StrId(id))
    }

    /// Stores `text` after the last string, or at the next chunk when it does not fit in the
    /// rest of this one: its id. Everything that can fail is done before anything changes.
    fn append(&mut self, text: &str) -> Result<u32, InternerFull> {
        let (len, size) = (text.len() as u64, 1u64 << self.shift);
        let stored = (self.stored.checked_add(len)).filter(|&stored| stored <= self.most);
        // The string's id and at most two fillers, one before it and one after.
        let id = u32::try_from(self.ends.len()).map_err(|_| InternerFull)?;
        let (Some(stored), Some(_)) = (stored, id.checked_add(2)) else {
            return Err(InternerFull);
        };
        let last = self.ends.last().copied().unwrap_or(0);
        let (used, next) = (last % size, last.next_multiple_of(size));
        let fits = used + len <= size;
        let start = if fits { last } else { next };
        let own = !fits && len > size / 8;
        let end = start + len;
        let slot = usize::try_from(start >> self.shift).map_err(|_| InternerFull)?;
        let chunks_wanted = (slot + 1).saturating_sub(self.chunks.len());
        (self.chunks.try_reserve(chunks_wanted)).map_err(|_| InternerFull)?;
        self.ends.try_reserve(3).map_err(|_| InternerFull)?;
        self.chunks
            .resize_with(self.chunks.len() + chunks_wanted, String::new);
        let chunk = &mut self.chunks[slot];
        if chunk.capacity() - chunk.len() < text.len() {
            // The first chunk grows as it fills (a small trace's text stays small); later ones
            // are made whole, and one of a string's own to its size.
            let room = match (slot, own) {
                (_, true) => text.len(),
                (0, false) => (2 * chunk.capacity()).max(FIRST_ROOM).min(1 << self.shift),
                _ => 1 << self.shift,
            };
            let wanted = room.max(chunk.len() + text.len()) - chunk.len();
            chunk.try_reserve_exact(wanted).map_err(|_| InternerFull)?;
        }
        chunk.push_str(text);
        self.stored = stored;
        // After a filler, if there is one (`id + 2` was checked to fit).
        let id = id + u32::from(start != last);
        if start != last {
            self.ends.push(start);
        }
        self.ends.push(end);
        // Nothing else goes in a string's own chunk.
        if own && end % size != 0 {
            self.ends.push(end.next_multiple_of(size));
        }
        Ok(id)
    }

    /// The id of `text` if it was interned, without adding it.
    pub fn lookup(&self, text: &str) -> Option<StrId> {
        self.find(digest(self.seed, text.as_bytes()), text.as_bytes())
    }

    /// The text of `id`. An id from another interner gives "" rather than panicking.
    pub fn get(&self, id: StrId) -> &str {
        self.slice(id.0)
    }

    fn slice(&self, id: u32) -> &str {
        (self.place(id))
            .and_then(|(chunk, range)| chunk.get(range))
            .unwrap_or("")
    }

    /// The bytes of `id`, for comparing: no check that they start and end at characters.
    #[inline]
    fn bytes(&self, id: u32) -> &[u8] {
        (self.place(id))
            .and_then(|(chunk, range)| chunk.as_bytes().get(range))
            .unwrap_or_default()
    }

    /// The chunk of `id` and where it is in it.
    #[inline]
    fn place(&self, id: u32) -> Option<(&String, std::ops::Range<usize>)> {
        let index = id as usize;
        let end = *self.ends.get(index)?;
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1],
        };
        let slot = start >> self.shift;
        let from = (start - (slot << self.shift)) as usize;
        let len = end.saturating_sub(start) as usize;
        let chunk = self.chunks.get(usize::try_from(slot).ok()?)?;
        Some((chunk, from..from + len))
    }

    /// How many ids are given out: every distinct string, and the fillers of chunks' ends.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Always false: the empty string is always present.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of heap this table holds (capacity, not length: what the allocator gave).
    pub fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(String::capacity).sum::<usize>()
            + self.chunks.capacity() * size_of::<String>()
            + self.ends.capacity() * size_of::<u64>()
            + self.dedup.heap_bytes()
    }
}

/// A set of interned strings, as one bit per id.
#[derive(Clone, Debug, Default)]
pub struct StrSet(Vec<u64>);

impl StrSet {
    fn insert(&mut self, id: u32) {
        let word = id as usize / 64;
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << (id % 64);
    }

    /// Whether the set holds no string.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|bits| *bits == 0)
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: StrId) -> bool {
        let word = id.0 as usize / 64;
        self.0
            .get(word)
            .is_some_and(|bits| bits & (1 << (id.0 % 64)) != 0)
    }
}

impl Interner {
    /// The strings holding `needle`, in one pass over the text rather than a search in each
    /// string: stopping only where the needle's rarest byte is when that byte is rare, else
    /// testing 16 places at a time for its two rarest bytes.
    pub fn containing(&self, needle: &Caseless) -> StrSet {
        let mut found = StrSet::default();
        let mut holder = Holder {
            ends: &self.ends,
            id: 0,
            found: &mut found,
        };
        // A string lies in one chunk: each is searched apart.
        for (slot, chunk) in self.chunks.iter().enumerate() {
            holder.scan(chunk.as_bytes(), (slot as u64) << self.shift, needle);
        }
        found
    }

    /// Whether the string `id` holds `needle`: for a few strings, where
    /// [`Interner::containing`] would read them all.
    pub fn holds(&self, id: StrId, needle: &Caseless) -> bool {
        let text = self.get(id).as_bytes();
        needle.find(text, 0, text.len().max(1)).is_some()
    }
}

/// Text to look for, its ASCII letters in either case, prepared once: lower-cased, and its two
/// rarest bytes in both cases in every lane. Where it is not rare, text is searched 16 places
/// at a time: at each, those two bytes are compared with the text's, and only where both agree
/// is the whole needle compared. No lower-cased copy of the text is made: in the browser's
/// wasm (built for size, so the compiler does not vectorize) making that copy was most of a
/// search's time.
pub struct Caseless {
    needle: Vec<u8>,
    /// Its rarest byte, and the next rarest.
    pair: [NeedleByte; 2],
}

/// A byte of the needle, where it is in it, in every lane: lower-cased, and what to set in a
/// byte of the text to lower-case it when it is a letter — one compare finds both cases.
#[derive(Clone, Copy)]
struct NeedleByte {
    at: usize,
    lower: u8x16,
    fold: u8x16,
}

impl Caseless {
    /// `needle` to look for; an empty one is in no text.
    pub fn new(needle: &[u8]) -> Self {
        let needle = needle.to_ascii_lowercase();
        let rarest = (needle.iter().enumerate())
            .min_by_key(|(_, byte)| commonness(**byte))
            .map_or(0, |(at, _)| at);
        // Of bytes as rare, the farthest from the rarest: neighbours come together ("er").
        let next = (needle.iter().enumerate())
            .filter(|(at, _)| *at != rarest)
            .min_by_key(|(at, byte)| (commonness(**byte), Reverse(at.abs_diff(rarest))))
            .map_or(rarest, |(at, _)| at);
        let byte = |at: usize| {
            let byte = needle.get(at).copied().unwrap_or_default();
            NeedleByte {
                at,
                lower: u8x16::splat(byte),
                // Of a letter's byte, only its case differs in bit 5; no other byte but the
                // letter's upper case becomes it with that bit set.
                fold: u8x16::splat(if byte.is_ascii_lowercase() { 0x20 } else { 0 }),
            }
        };
        let pair = [byte(rarest), byte(next)];
        Self { needle, pair }
    }

    /// The needle, lower-cased.
    pub fn needle(&self) -> &[u8] {
        &self.needle
    }

    /// Where the needle first starts in `text` at or after `from`, before `from + window`.
    /// Called a window at a time, as the browser gives wasm code run many times optimized
    /// code at its next call: a scan of the whole text in one call would run unoptimized.
    #[inline(never)]
    fn find(&self, text: &[u8], from: usize, window: usize) -> Option<usize> {
        if self.needle.is_empty() {
            return None;
        }
        let last_start =
            (text.len().checked_sub(self.needle.len())?).min(from.saturating_add(window - 1));
        let mut at = from;
        while let Some((block, mut starts)) = next_block(text, at, last_start, self.pair) {
            while starts != 0 {
                let start = block + starts.trailing_zeros() as usize;
                if self.is_at(text, start) {
                    return Some(start);
                }
                starts &= starts - 1;
            }
            at = block + 16;
        }
        // The last starts, fewer than a block.
        (at.max(last_start.saturating_sub(15))..=last_start).find(|&start| self.is_at(text, start))
    }

    fn is_at(&self, text: &[u8], start: usize) -> bool {
        (text.get(start..start + self.needle.len()))
            .is_some_and(|text| text.eq_ignore_ascii_case(&self.needle))
    }
}

/// The first block of 16 starts from `at` (each with `last_start` or less) where both bytes of
/// the pair are, in either case: the block and which starts. None when no whole block is left.
/// Kept apart from checking the candidates, so that this loop, where the time goes, keeps its
/// values in registers; four blocks a turn, so that more of the text is on its way from memory
/// at once.
#[inline(never)]
fn next_block(
    text: &[u8],
    mut at: usize,
    last_start: usize,
    [one, two]: [NeedleByte; 2],
) -> Option<(usize, u32)> {
    let starts = |at: usize| {
        let first: u8x16 = bytemuck::pod_read_unaligned(&text[at + one.at..at + one.at + 16]);
        let second: u8x16 = bytemuck::pod_read_unaligned(&text[at + two.at..at + two.at + 16]);
        (first | one.fold).simd_eq(one.lower) & (second | two.fold).simd_eq(two.lower)
    };
    while at + 63 <= last_start {
        let blocks = [
            starts(at),
            starts(at + 16),
            starts(at + 32),
            starts(at + 48),
        ];
        if (blocks[0] | blocks[1] | blocks[2] | blocks[3]).to_bitmask() != 0 {
            break;
        }
        at += 64;
    }
    while at + 15 <= last_start {
        let found = starts(at).to_bitmask();
        if found != 0 {
            return Some((at, found));
        }
        at += 16;
    }
    None
}

/// Bytes of text searched in one call.
const WINDOW: usize = 1 << 16;

/// A needle byte at most this common is looked for byte by byte.
const RARE: u8 = 2;

/// Which string a place in the text is in, for places met in order.
struct Holder<'a> {
    ends: &'a [u64],
    id: usize,
    found: &'a mut StrSet,
}

impl Holder<'_> {
    /// Counts the strings of `text`, which starts at `base`, that hold `needle`.
    fn scan(&mut self, text: &[u8], base: u64, needle: &Caseless) {
        let [rarest, _] = needle.pair;
        let Some(&byte) = needle.needle.get(rarest.at) else {
            return;
        };
        let len = needle.needle.len() as u64;
        // Where the string counted at `start` (in `text`) ends in `text`.
        let mut count = |start: usize, held: bool| {
            (self.at(base + start as u64, len, held)).map(|end| (end - base) as usize)
        };
        if commonness(byte) <= RARE {
            let (lower, upper, anchor) = (byte, byte.to_ascii_uppercase(), rarest.at);
            let mut from = anchor;
            while let Some(at) = text
                .get(from..)
                .and_then(|rest| memchr::memchr2(lower, upper, rest))
            {
                let start = from + at - anchor;
                from = match count(start, needle.is_at(text, start)) {
                    Some(end) => end.max(from + at + 1 - anchor) + anchor,
                    None => from + at + 1,
                };
            }
            return;
        }
        let mut from = 0;
        while from < text.len() {
            from = match needle.find(text, from, WINDOW) {
                Some(start) => match count(start, true) {
                    Some(end) => end.max(start + 1),
                    None => start + 1,
                },
                None => from + WINDOW,
            };
        }
    }

    /// A match (`held`) of `len` bytes at `start`: counted if it lies in one string. Returns
    /// where that string ends when it was counted (the rest of it need not be looked at).
    fn at(&mut self, start: u64, len: u64, held: bool) -> Option<u64> {
        while self.ends.get(self.id).is_some_and(|&end| end <= start) {
            self.id += 1;
        }
        let end = *self.ends.get(self.id)?;
        if !held || start + len > end {
            return None;
        }
        self.found.insert(self.id as u32);
        Some(end)
    }
}

/// How often a byte comes in trace text, roughly (English, JSON, ids): the scan stops at the
/// needle's least common byte.
fn commonness(byte: u8) -> u8 {
    match byte.to_ascii_lowercase() {
        b' ' | b'"' | b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' => 9,
        b'h' | b'l' | b'd' | b'c' | b'u' | b'm' | b',' | b':' | b'.' | b'0'..=b'9' => 7,
        b'f' | b'p' | b'g' | b'w' | b'y' | b'b' | b'{' | b'}' | b'_' | b'-' => 5,
        b'v' | b'k' | b'/' | b'[' | b']' | b'\\' => 3,
        b'x' | b'j' | b'q' | b'z' => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_finds_ids_whose_digests_collide_and_wrap_past_the_end() -> Result<(), InternerFull> {
        let mut dedup = Dedup::default();
        // Every digest lands on the table's last slot, so probes run on from the start; the
        // table grows through 16, 32 and 64 slots on the way.
        for id in 0..40 {
            dedup.make_room()?;
            dedup.insert(u32::MAX - 2, id);
        }
        dedup.make_room()?;
        dedup.insert(7, 40);
        assert_eq!(dedup.slots.len(), 64);
        for id in 0..41 {
            let digest = if id == 40 { 7 } else { u32::MAX - 2 };
            assert_eq!(dedup.find(digest, |found| found == id), Some(id));
        }
        assert_eq!(dedup.find(u32::MAX - 2, |_| false), None);
        assert_eq!(dedup.find(8, |_| true), None);
        assert_eq!(Dedup::default().find(8, |_| true), None);
        Ok(())
    }

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
    fn bytes_are_interned_as_text_only_when_utf8() -> Result<(), InternerFull> {
        let mut interner = Interner::default();
        let held = interner.intern("héllo")?;
        assert_eq!(interner.intern_utf8("héllo".as_bytes())?, Some(held));
        assert_eq!(interner.intern_utf8(b"h\xFFllo")?, None);
        // Cut inside a character: not text, though its bytes begin a string that is held.
        assert_eq!(interner.intern_utf8(&"héllo".as_bytes()[..2])?, None);
        assert_eq!(
            interner.len(),
            2,
            "nothing added for bytes that are not text"
        );
        let new = interner.intern_utf8("wörld".as_bytes())?;
        assert_eq!(new.map(|id| interner.get(id)), Some("wörld"));
        assert_eq!(interner.lookup("wörld"), new);
        Ok(())
    }

    #[test]
    fn strings_of_every_length_are_found_again_either_way() -> Result<(), InternerFull> {
        let mut interner = Interner::default();
        // Every length around the digest's eight- and sixteen-byte reads, and past them.
        let texts: Vec<String> = (0..3000)
            .map(|i: usize| format!("{i}.{}", "k".repeat(i % 70)))
            .collect();
        let ids =
            (texts.iter().map(|text| interner.intern(text))).collect::<Result<Vec<_>, _>>()?;
        for (text, &id) in texts.iter().zip(&ids).rev().chain(texts.iter().zip(&ids)) {
            assert_eq!(interner.intern(text)?, id);
            assert_eq!(interner.intern_utf8(text.as_bytes())?, Some(id));
            assert_eq!(interner.get(id), text);
        }
        assert_eq!(interner.len(), texts.len() + 1);
        assert_eq!(interner.intern("")?, StrId::EMPTY);
        Ok(())
    }

    #[test]
    fn bytes_are_the_same_only_when_every_one_is() {
        for len in 0..40 {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same(&text, &text.clone()));
            assert!(!same(&text, &[&text[..], b"x"].concat()), "length {len}");
            for at in 0..len {
                let mut changed = text.clone();
                changed[at] ^= 1;
                assert!(!same(&text, &changed), "length {len}, byte {at}");
            }
        }
    }

    #[test]
    fn every_byte_of_a_string_moves_its_digest() {
        // Lengths around each way the digest reads a string (bytes, halves, words, two lanes,
        // the overlapping last word), a byte changed at each place.
        for len in 1..=40 {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let base = digest(7, &text);
            for at in 0..len {
                let mut changed = text.clone();
                changed[at] ^= 1;
                assert_ne!(digest(7, &changed), base, "length {len}, byte {at}");
            }
            assert_ne!(digest(8, &text), base, "the seed, length {len}");
            assert_ne!(digest(7, &text[..len - 1]), base, "the length, {len}");
        }
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
    fn text_stays_where_it_was_stored_across_chunks() -> Result<(), InternerFull> {
        const SIZE: usize = 1 << 10;
        let mut interner = Interner::with_limits(10, MOST_TEXT);
        let mut stored = Vec::new();
        for i in 0..5_000 {
            // Strings of a chunk of their own (ending inside a chunk, on a chunk's end, of a
            // chunk's size, of an eighth and a bit), and strings filling chunks to their end.
            let text = match i % 500 {
                7 => "x".repeat(3_000 + i),
                8 => "y".repeat(SIZE),
                9 => "w".repeat(2 * SIZE + i % 2),
                10 => "v".repeat(SIZE / 8 + 1 + i % 50),
                _ => format!("value-{i}-{}", "z".repeat(i % 90)),
            };
            stored.push((interner.intern(&text)?, text));
        }
        // A string in a chunk made whole: more text does not move it.
        let (id, text) = &stored[2_000];
        let at = interner.get(*id).as_ptr();
        for i in 0..20_000 {
            interner.intern(&format!("more-{i}"))?;
        }
        assert_eq!(interner.get(*id).as_ptr(), at);
        assert_eq!(interner.get(*id), text);
        for (id, text) in &stored {
            assert_eq!(interner.get(*id), text);
            assert_eq!(interner.intern(text)?, *id);
            assert_eq!(interner.lookup(text), Some(*id));
        }
        // Strings never straddle chunks: a chunk holds a chunk's bytes at most and is made
        // whole, but for one holding a string of its own, alone and to its size, and the first.
        // (Slots a string of its own covers after its first are left empty.)
        let made = interner.chunks.iter().enumerate().skip(1);
        for (slot, chunk) in made.filter(|(_, chunk)| chunk.capacity() > 0) {
            let alone = chunk.bytes().all(|b| b == chunk.as_bytes()[0]) && chunk.len() > SIZE / 8;
            match alone {
                true => assert_eq!(chunk.capacity(), chunk.len(), "slot {slot}"),
                false => assert_eq!((chunk.capacity(), chunk.len() <= SIZE), (SIZE, true)),
            }
        }
        Ok(())
    }

    #[test]
    fn a_full_interner_refuses_text_and_stays_whole() {
        // At most 5,000 bytes of text, in chunks of 64.
        let mut interner = Interner::with_limits(6, 5_000);
        let mut kept = Vec::new();
        let mut refused = 0;
        for i in 0..2_000 {
            let text = format!("{i}-{}", "q".repeat(i % 150));
            match interner.intern(&text) {
                Ok(id) => kept.push((id, text)),
                Err(InternerFull) => refused += 1,
            }
        }
        assert!(refused > 0 && kept.len() > 50, "{refused} refused");
        assert!(interner.stored <= 5_000);
        // What was kept reads back and is found again; nothing refused took an id.
        for (id, text) in &kept {
            assert_eq!(interner.get(*id), text);
            assert_eq!(interner.lookup(text), Some(*id));
        }
        let found = interner.containing(&Caseless::new(b"-q"));
        for (id, text) in &kept {
            assert_eq!(found.contains(*id), text.contains("-q"), "{text}");
        }
    }

    #[test]
    fn heap_bytes_count_every_table_it_holds() -> Result<(), InternerFull> {
        let mut interner = Interner::default();
        assert!(!interner.is_empty(), "the empty string is always there");
        for i in 0..10_000 {
            interner.intern(&format!("attribute-{i}"))?;
        }
        // The text, the ends (u64 each), and the dedup table's slots (8 bytes each).
        let held = interner.chunks.iter().map(String::capacity).sum::<usize>()
            + interner.chunks.capacity() * size_of::<String>()
            + interner.ends.capacity() * size_of::<u64>()
            + interner.dedup.slots.capacity() * 8;
        assert_eq!(interner.heap_bytes(), held);
        // 10,001 strings at most 7/8 of the table: 16,384 slots.
        assert_eq!(interner.dedup.slots.len(), 16_384);
        let bytes = interner.heap_bytes();
        assert!(bytes > 10_000 * "attribute-0".len());
        Ok(())
    }

    #[test]
    fn interners_made_after_randomize_take_its_seed() {
        // Natively the standard hasher gives every interner a seed of its own.
        Interner::randomize(7);
        let (first, second) = (Interner::default(), Interner::default());
        Interner::randomize(8);
        let third = Interner::default();
        assert_eq!((first.seed, second.seed, third.seed), (7, 7, 8));
    }

    #[test]
    fn finds_what_a_string_by_string_search_finds_in_random_text() -> Result<(), InternerFull> {
        // Text of few letters in both cases (so needles and near misses are frequent), strings
        // of every length, needles cut from the text or made up.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |below: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % below as u64) as usize
        };
        for round in 0..200 {
            // Every other round in chunks of 16 to 256 bytes: strings end at chunks' ends and
            // some are longer than a chunk.
            let mut interner = match round % 2 {
                0 => Interner::default(),
                _ => Interner::with_limits(4 + round % 5, MOST_TEXT),
            };
            let mut texts = Vec::new();
            for _ in 0..1 + next(30) {
                let len = next(if round % 3 == 0 { 400 } else { 70 });
                let text: String = (0..len).map(|_| b"eErRoO_x zZ"[next(11)] as char).collect();
                interner.intern(&text)?;
                texts.push(text);
            }
            let all = texts.concat();
            for _ in 0..10 {
                let needle = match next(3) {
                    0 if !all.is_empty() => {
                        let start = next(all.len());
                        all[start..(start + 1 + next(8)).min(all.len())].to_ascii_lowercase()
                    }
                    _ => (0..1 + next(5))
                        .map(|_| b"eroxz_"[next(6)] as char)
                        .collect(),
                };
                let caseless = Caseless::new(needle.as_bytes());
                let found = interner.containing(&caseless);
                // No id but a string's (no filler) is found.
                let ids: Vec<StrId> = (texts.iter()).filter_map(|t| interner.lookup(t)).collect();
                assert!(
                    (0..interner.len() as u32)
                        .all(|id| !found.contains(StrId(id)) || ids.contains(&StrId(id)))
                );
                for text in &texts {
                    let holds = text.to_ascii_lowercase().contains(&needle);
                    let id = interner.lookup(text).expect("interned");
                    assert_eq!(found.contains(id), holds, "{needle:?} in {text:?}");
                    assert_eq!(interner.holds(id, &caseless), holds, "{needle:?}");
                }
            }
        }
        Ok(())
    }

    #[test]
    fn finds_every_string_holding_a_needle_and_no_other() -> Result<(), InternerFull> {
        let mut interner = Interner::default();
        let texts = [
            "You are a Helpful assistant",
            "help",
            "ful",
            "helpful helpful",
            "HELPFUL",
            "unhelpfu",
            "l and more",
            "héllo wörld",
            "convert_currency",
            "convert currency",
            "x",
        ];
        let ids: Vec<StrId> = texts
            .iter()
            .map(|t| interner.intern(t))
            .collect::<Result<_, _>>()?;
        // Each needle against the naive answer: every string that holds it, ASCII case aside;
        // "unhelpfu" + "l and more" lie side by side in the text but hold "helpful" in
        // neither.
        for needle in [
            "helpful",
            "ful",
            "héllo",
            "_",
            "convert_c",
            "x",
            "q",
            "l",
            "you are",
        ] {
            let found = interner.containing(&Caseless::new(needle.as_bytes()));
            for (text, id) in texts.iter().zip(&ids) {
                let holds = text.to_ascii_lowercase().contains(needle);
                assert_eq!(found.contains(*id), holds, "{needle:?} in {text:?}");
            }
            assert!(!found.contains(StrId::EMPTY));
        }
        // At every place around the scan's blocks of 16, at the very end of the text, and
        // across two strings (held by neither).
        for before in 0..40 {
            let mut interner = Interner::default();
            let texts = [
                format!("{}HeLPful{}", "b".repeat(before), "c".repeat(before % 7)),
                "help".to_owned(),
                "ful helpFUL".to_owned(),
                "xhelpfu".to_owned(),
            ];
            let ids: Vec<StrId> =
                (texts.iter().map(|t| interner.intern(t))).collect::<Result<_, _>>()?;
            let found = interner.containing(&Caseless::new(b"helpful"));
            let held: Vec<bool> = ids.iter().map(|id| found.contains(*id)).collect();
            assert_eq!(held, [true, false, true, false], "{before} bytes before");
        }
        // Across the end of a window searched in one call, and at the start of one.
        for at in [WINDOW - 4, WINDOW - 1, WINDOW] {
            let mut interner = Interner::default();
            let long = format!("{}HelpFul", "a".repeat(at));
            let ids = [interner.intern(&long)?, interner.intern("helpful")?];
            let found = interner.containing(&Caseless::new(b"helpful"));
            assert!(ids.iter().all(|id| found.contains(*id)), "at {at}");
        }
        Ok(())
    }
}
