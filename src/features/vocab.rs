//! Term interning, n-gram keys and the fitted vocabulary (n-gram -> column).
//!
//! Tokens are interned to ids in alphabetical order, and an n-gram is a `u64` key packing the
//! ids of its words, so counting and looking up n-grams never builds a string. Columns are in a
//! fixed order (by n, then by the words' alphabetical order), so the same corpus always gives
//! the same vocabulary, byte for byte.

use crate::error::{Error, Result};
use crate::section::Section;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Stands for a token the vocabulary does not know; n-grams through it are skipped.
pub const UNKNOWN: u32 = u32::MAX;

/// Word n-gram lengths, inclusive, 1 to 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NgramRange {
    pub min: u8,
    pub max: u8,
}

impl NgramRange {
    pub const MAX_N: u8 = 3;

    pub fn new(min: u8, max: u8) -> Result<Self> {
        if min == 0 || min > max || max > Self::MAX_N {
            return Err(Error::params("ngrams", format!("{min}..{max}: need 1 <= min <= max <= {}", Self::MAX_N)));
        }
        Ok(NgramRange { min, max })
    }

    /// Bits per word id in a packed key.
    fn bits(self) -> u32 {
        64 / self.max as u32
    }

    /// The largest number of distinct terms a key can address.
    pub fn max_terms(self) -> u64 {
        if self.max == 1 {
            u32::MAX as u64
        } else {
            (1u64 << self.bits()) - 2
        }
    }

    /// Calls `emit` with the key of every n-gram of `ids` whose words are all known.
    #[inline]
    pub fn for_each_key(self, ids: &[u32], mut emit: impl FnMut(u64)) {
        let bits = self.bits();
        for start in 0..ids.len() {
            let mut key = 0u64;
            for n in 1..=self.max as usize {
                let Some(&id) = ids.get(start + n - 1) else { break };
                if id == UNKNOWN {
                    break;
                }
                // Ids are stored plus one so that a shorter n-gram never equals a longer one.
                key |= (id as u64 + 1) << (bits * (n as u32 - 1)).min(63);
                if n >= self.min as usize {
                    emit(key);
                }
            }
        }
    }

    /// The word ids of a key, in order.
    pub fn unpack(self, key: u64) -> Vec<u32> {
        if self.max == 1 {
            // Key 0 never comes from `pack`; a damaged file may still hold it.
            return key.checked_sub(1).map(|id| vec![id as u32]).unwrap_or_default();
        }
        let bits = self.bits();
        let mask = (1u64 << bits) - 1;
        (0..self.max as u32)
            .map(|n| (key >> (bits * n)) & mask)
            .take_while(|&part| part != 0)
            .map(|part| (part - 1) as u32)
            .collect()
    }

    /// Whether `key` is what [`NgramRange::pack`] gives for 1 to `max` ids below `n_terms`
    /// (what `unpack` then `pack` gives back unchanged), without allocating: loading checks
    /// every column's key this way (906k of them in a SANAD model).
    pub fn is_key_over(self, key: u64, n_terms: usize) -> bool {
        if self.max == 1 {
            return key.checked_sub(1).is_some_and(|id| id < n_terms as u64);
        }
        let bits = self.bits();
        let mask = (1u64 << bits) - 1;
        let mut n = 0;
        while n < self.max as u32 {
            let part = (key >> (bits * n)) & mask;
            if part == 0 {
                break;
            }
            if part > n_terms as u64 {
                return false;
            }
            n += 1;
        }
        n > 0 && (bits * n >= 64 || key >> (bits * n) == 0)
    }

    pub fn pack(self, ids: &[u32]) -> u64 {
        let bits = self.bits();
        ids.iter().enumerate().fold(0, |key, (n, &id)| key | (id as u64 + 1) << (bits * n as u32).min(63))
    }
}

impl std::fmt::Display for NgramRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.min, self.max)
    }
}

/// Interns token strings to dense ids; one per worker while tokenizing a chunk of documents.
#[derive(Debug, Default)]
pub struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    terms: Vec<Box<str>>,
}

impl Interner {
    #[inline]
    pub fn intern(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.terms.len() as u32;
        let boxed: Box<str> = term.into();
        self.terms.push(boxed.clone());
        self.ids.insert(boxed, id);
        id
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn into_terms(self) -> Vec<Box<str>> {
        self.terms
    }
}

/// Marks an empty slot of the term and feature tables.
const EMPTY: u32 = u32::MAX;

/// rustc-hash 2's multiplier: odd, with well spread bits.
const K: u64 = 0xf135_7aea_2e62_a9c5;

/// The hash of a word in a vocabulary's term table. Part of the model file format (version 3
/// stores the table), so it must never change: FxHash-like over the UTF-8 bytes read as
/// little-endian 8-byte words (the last one zero-padded), then the length. About 1 ns per
/// Arabic word of 10 to 14 bytes, where SipHash would take 15.
#[inline]
pub fn term_hash(bytes: &[u8]) -> u64 {
    let mut h = 0u64;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        h = (h.rotate_left(26) ^ u64::from_le_bytes(w.try_into().expect("8 bytes"))).wrapping_mul(K);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(26) ^ u64::from_le_bytes(last)).wrapping_mul(K);
    }
    (h.rotate_left(26) ^ bytes.len() as u64).wrapping_mul(K)
}

/// The hash of an n-gram key in a vocabulary's feature table (also part of the file format).
#[inline]
fn key_hash(key: u64) -> u64 {
    (key ^ (key >> 29)).wrapping_mul(K)
}

/// Slots for `n` entries: a power of two at least twice `n` (at most half full, so probes are
/// short and an empty slot always ends a search), and at least 2.
fn table_len(n: usize) -> usize {
    (2 * n).next_power_of_two().max(2)
}

/// The slot a hash starts probing at, in a table of `len` slots (a power of two): the top bits,
/// which a multiplicative hash mixes best.
#[inline]
fn home(hash: u64, len: usize) -> usize {
    (hash >> (64 - len.trailing_zeros())) as usize
}

/// The fitted vocabulary: the words it knows, and the n-grams that are columns.
///
/// Every array is stored as it is in a model file (format 3) and used from there in place:
/// the words as sorted concatenated UTF-8 with end offsets, an open-addressing table (linear
/// probing, [`term_hash`]) of word ids, the column keys in column order, and an open-addressing
/// table of columns by key. Loading checks them in one pass each instead of building hash maps.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    ngrams: NgramRange,
    /// The words, sorted, concatenated; a word's id is its index.
    term_bytes: Section<u8>,
    /// End of each word in `term_bytes`.
    term_ends: Section<u32>,
    /// Slot -> word id, or EMPTY.
    term_table: Section<u32>,
    /// Column -> packed key over word ids.
    features: Section<u64>,
    /// Slot -> column, or EMPTY.
    feature_table: Section<u32>,
}

impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.ngrams == other.ngrams
            && self.term_bytes == other.term_bytes
            && self.term_ends == other.term_ends
            && self.features == other.features
    }
}

/// The arrays of a vocabulary, as a model file stores them.
pub struct VocabParts {
    pub term_bytes: Section<u8>,
    pub term_ends: Section<u32>,
    pub term_table: Section<u32>,
    pub features: Section<u64>,
    pub feature_table: Section<u32>,
}

/// [`VocabParts`] borrowed, for writing.
pub struct VocabArrays<'a> {
    pub term_bytes: &'a [u8],
    pub term_ends: &'a [u32],
    pub term_table: &'a [u32],
    pub features: &'a [u64],
    pub feature_table: &'a [u32],
}

impl Vocabulary {
    /// Builds the lookup tables. `terms` must be sorted and unique, `features` unique keys over them.
    pub fn new(ngrams: NgramRange, terms: Vec<Box<str>>, features: Vec<u64>) -> Result<Self> {
        if terms.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::params("vocabulary", "terms are not sorted and unique"));
        }
        let total: usize = terms.iter().map(|t| t.len()).sum();
        if total > u32::MAX as usize || terms.len() >= EMPTY as usize || features.len() >= EMPTY as usize {
            return Err(Error::params("vocabulary", "more than 4 GiB of words or 2^32 columns"));
        }
        let mut term_bytes = Vec::with_capacity(total);
        let mut term_ends = Vec::with_capacity(terms.len());
        let mut term_table = vec![EMPTY; table_len(terms.len())];
        let mask = term_table.len() - 1;
        for (id, t) in terms.iter().enumerate() {
            term_bytes.extend_from_slice(t.as_bytes());
            term_ends.push(term_bytes.len() as u32);
            let mut i = home(term_hash(t.as_bytes()), term_table.len());
            while term_table[i] != EMPTY {
                i = (i + 1) & mask;
            }
            term_table[i] = id as u32;
        }
        let mut feature_table = vec![EMPTY; table_len(features.len())];
        let mask = feature_table.len() - 1;
        for (col, &key) in features.iter().enumerate() {
            if !ngrams.is_key_over(key, terms.len()) {
                return Err(Error::params("vocabulary", format!("feature {col} refers to an unknown term")));
            }
            let mut i = home(key_hash(key), feature_table.len());
            while feature_table[i] != EMPTY {
                if features[feature_table[i] as usize] == key {
                    return Err(Error::params("vocabulary", format!("feature {col} is listed twice")));
                }
                i = (i + 1) & mask;
            }
            feature_table[i] = col as u32;
        }
        Ok(Vocabulary {
            ngrams,
            term_bytes: term_bytes.into(),
            term_ends: term_ends.into(),
            term_table: term_table.into(),
            features: features.into(),
            feature_table: feature_table.into(),
        })
    }

    /// A vocabulary from the arrays of a model file, checked in one linear pass each (no table
    /// is rebuilt): the words are UTF-8, sorted and unique, every word is found in the term
    /// table under its own id, every column appears once in the feature table, and every key
    /// names known words, in column order (so no key is listed twice).
    pub fn from_parts(ngrams: NgramRange, parts: VocabParts) -> Result<Self> {
        let bad = |what: String| Err(Error::params("vocabulary", what));
        let VocabParts { term_bytes, term_ends, term_table, features, feature_table } = parts;
        let Ok(text) = std::str::from_utf8(&term_bytes) else { return bad("words are not UTF-8".into()) };
        if term_ends.last().map_or(0, |&e| e as usize) != text.len() {
            return bad("word offsets do not end at the end of the words".into());
        }
        let n_terms = term_ends.len();
        if n_terms >= EMPTY as usize || features.len() >= EMPTY as usize {
            return bad("2^32 words or columns".into());
        }
        let mut start = 0usize;
        let mut previous: Option<&str> = None;
        for &end in term_ends.iter() {
            let end = end as usize;
            if end < start || !text.is_char_boundary(end) {
                return bad("word offsets are out of order or split a character".into());
            }
            let term = &text[start..end];
            if previous.is_some_and(|p| p >= term) {
                return bad("terms are not sorted and unique".into());
            }
            previous = Some(term);
            start = end;
        }
        for (name, table, n) in [("term", &term_table, n_terms), ("feature", &feature_table, features.len())] {
            if table.len() != table_len(n) {
                return bad(format!("{name} table of {} slots for {n} entries", table.len()));
            }
            let mut seen = vec![0u64; n.div_ceil(64)];
            let mut occupied = 0usize;
            for &v in table.iter().filter(|&&v| v != EMPTY) {
                let v = v as usize;
                if v >= n || seen[v / 64] & (1 << (v % 64)) != 0 {
                    return bad(format!("{name} table lists entry {v} twice or out of range"));
                }
                seen[v / 64] |= 1 << (v % 64);
                occupied += 1;
            }
            if occupied != n {
                return bad(format!("{name} table holds {occupied} of {n} entries"));
            }
        }
        let mut last_order = None;
        for (col, &key) in features.iter().enumerate() {
            if !ngrams.is_key_over(key, n_terms) {
                return bad(format!("feature {col} refers to an unknown term"));
            }
            let order = column_order(ngrams, key);
            if last_order.is_some_and(|o| o >= order) {
                return bad(format!("feature {col} is out of column order or listed twice"));
            }
            last_order = Some(order);
        }
        let vocab = Vocabulary { ngrams, term_bytes, term_ends, term_table, features, feature_table };
        // Each word found under its own id: with every id in the table once, the table is
        // exactly what `new` builds, up to the order of colliding words.
        if let Some(id) = (0..n_terms).find(|&id| vocab.term_id(vocab.term(id)) != id as u32) {
            return bad(format!("word {id} is not where the term table says"));
        }
        Ok(vocab)
    }

    /// The arrays as a model file stores them.
    pub fn arrays(&self) -> VocabArrays<'_> {
        VocabArrays {
            term_bytes: &self.term_bytes,
            term_ends: &self.term_ends,
            term_table: &self.term_table,
            features: &self.features,
            feature_table: &self.feature_table,
        }
    }

    pub fn ngrams(&self) -> NgramRange {
        self.ngrams
    }

    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// How many words the vocabulary knows.
    pub fn n_terms(&self) -> usize {
        self.term_ends.len()
    }

    /// The word of an id.
    #[inline]
    pub fn term(&self, id: usize) -> &str {
        let start = if id == 0 { 0 } else { self.term_ends[id - 1] as usize };
        let bytes = &self.term_bytes[start..self.term_ends[id] as usize];
        // Checked UTF-8 with character-boundary offsets, in `new` (from &str) or `from_parts`.
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// The words, in id (alphabetical) order.
    pub fn terms(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.n_terms()).map(|id| self.term(id))
    }

    pub fn feature_keys(&self) -> &[u64] {
        &self.features
    }

    /// A token's word id, or [`UNKNOWN`]: one hash and, on average, about one comparison.
    #[inline]
    pub fn term_id(&self, token: &str) -> u32 {
        let table = &*self.term_table;
        let mask = table.len() - 1;
        let mut i = home(term_hash(token.as_bytes()), table.len());
        loop {
            let id = table[i];
            if id == EMPTY {
                return UNKNOWN;
            }
            let end = self.term_ends[id as usize] as usize;
            let start = if id == 0 { 0 } else { self.term_ends[id as usize - 1] as usize };
            if &self.term_bytes[start..end] == token.as_bytes() {
                return id;
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    pub fn column(&self, key: u64) -> Option<u32> {
        let table = &*self.feature_table;
        let mask = table.len() - 1;
        let mut i = home(key_hash(key), table.len());
        loop {
            let col = table[i];
            if col == EMPTY {
                return None;
            }
            if self.features[col as usize] == key {
                return Some(col);
            }
            i = (i + 1) & mask;
        }
    }

    /// The n-gram of a column as text, words joined by a space (as scikit-learn shows them).
    pub fn feature_name(&self, column: usize) -> String {
        self.ngrams.unpack(self.features[column]).iter().map(|&id| self.term(id as usize)).collect::<Vec<_>>().join(" ")
    }
}

/// Sort key giving the documented column order: by n, then by the words' alphabetical order.
/// Computed without allocating, since it runs once per distinct n-gram of a corpus.
#[inline]
pub fn column_order(ngrams: NgramRange, key: u64) -> u128 {
    let (bits, max) = (ngrams.bits(), ngrams.max as u32);
    if max == 1 {
        return (1u128 << 96) | (key - 1) as u128;
    }
    let mask = (1u64 << bits) - 1;
    let mut order = 0u128;
    let mut n = 0u128;
    for i in 0..max {
        let part = (key >> (bits * i)) & mask;
        if part == 0 {
            break;
        }
        n += 1;
        order |= ((part - 1) as u128) << (64 - 32 * i as i32).max(0);
    }
    (n << 96) | order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cover_each_ngram_once_and_unpack() {
        let range = NgramRange::new(1, 2).unwrap();
        let mut keys = Vec::new();
        range.for_each_key(&[4, 7, 9], |k| keys.push(k));
        let unpacked: Vec<_> = keys.iter().map(|&k| range.unpack(k)).collect();
        assert_eq!(unpacked, vec![vec![4], vec![4, 7], vec![7], vec![7, 9], vec![9]]);
        assert_eq!(range.pack(&[7, 9]), keys[3]);
    }

    #[test]
    fn unknown_words_break_ngrams() {
        let range = NgramRange::new(1, 3).unwrap();
        let mut keys = Vec::new();
        range.for_each_key(&[1, UNKNOWN, 2, 3], |k| keys.push(range.unpack(k)));
        assert_eq!(keys, vec![vec![1], vec![2], vec![2, 3], vec![3]]);
    }

    #[test]
    fn bigram_only_range_skips_unigrams() {
        let range = NgramRange::new(2, 2).unwrap();
        let mut keys = Vec::new();
        range.for_each_key(&[0, 1, 2], |k| keys.push(range.unpack(k)));
        assert_eq!(keys, vec![vec![0, 1], vec![1, 2]]);
    }

    #[test]
    fn column_order_sorts_by_length_then_words() {
        let range = NgramRange::new(1, 3).unwrap();
        let mut keys =
            [range.pack(&[2, 1]), range.pack(&[5]), range.pack(&[1, 9, 0]), range.pack(&[1, 3]), range.pack(&[0])];
        keys.sort_by_key(|&k| column_order(range, k));
        let words: Vec<_> = keys.iter().map(|&k| range.unpack(k)).collect();
        assert_eq!(words, vec![vec![0], vec![5], vec![1, 3], vec![2, 1], vec![1, 9, 0]]);
    }

    #[test]
    fn key_check_agrees_with_unpack_and_pack() {
        for range in [NgramRange::new(1, 1).unwrap(), NgramRange::new(1, 2).unwrap(), NgramRange::new(2, 3).unwrap()] {
            let bits = range.bits();
            let keys =
                [0, 1, 2, 5, 6, u64::MAX, 1 << 63, range.pack(&[4, 0]), range.pack(&[1, 2, 3]), 3 << bits, 1 << 42];
            for key in keys {
                let ids = range.unpack(key);
                let expected = !ids.is_empty()
                    && ids.len() <= range.max as usize
                    && ids.iter().all(|&id| id < 5)
                    && range.pack(&ids) == key;
                assert_eq!(range.is_key_over(key, 5), expected, "{range} key {key:#x}");
            }
        }
    }

    #[test]
    fn rejects_bad_ranges() {
        assert!(NgramRange::new(0, 1).is_err());
        assert!(NgramRange::new(2, 1).is_err());
        assert!(NgramRange::new(1, 4).is_err());
    }

    #[test]
    fn vocabulary_names_features() {
        let range = NgramRange::new(1, 2).unwrap();
        let terms: Vec<Box<str>> = vec!["حرب".into(), "روسيا".into(), "كييف".into()];
        let features = vec![range.pack(&[0]), range.pack(&[1, 2])];
        let vocab = Vocabulary::new(range, terms, features).unwrap();
        assert_eq!(vocab.feature_name(1), "روسيا كييف");
        assert_eq!(vocab.term_id("كييف"), 2);
        assert_eq!(vocab.term_id("غزه"), UNKNOWN);
        assert_eq!(vocab.column(range.pack(&[1, 2])), Some(1));
    }
}
