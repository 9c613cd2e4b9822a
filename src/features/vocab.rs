//! Term interning, n-gram keys and the fitted vocabulary (n-gram -> column).
//!
//! Tokens are interned to ids in alphabetical order, and an n-gram is a `u64` key packing the
//! ids of its words, so counting and looking up n-grams never builds a string. Columns are in a
//! fixed order (by n, then by the words' alphabetical order), so the same corpus always gives
//! the same vocabulary, byte for byte.

use crate::error::{Error, Result};
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

/// The fitted vocabulary: the words it knows, and the n-grams that are columns.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    ngrams: NgramRange,
    /// Words, sorted; a word's id is its index.
    terms: Vec<Box<str>>,
    /// Column -> packed key over `terms` ids.
    features: Vec<u64>,
    term_index: FxHashMap<Box<str>, u32>,
    feature_index: FxHashMap<u64, u32>,
}

impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.ngrams == other.ngrams && self.terms == other.terms && self.features == other.features
    }
}

impl Vocabulary {
    /// Builds the lookup maps. `terms` must be sorted and unique, `features` unique keys over them.
    pub fn new(ngrams: NgramRange, terms: Vec<Box<str>>, features: Vec<u64>) -> Result<Self> {
        if terms.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::params("vocabulary", "terms are not sorted and unique"));
        }
        let term_index = terms.iter().enumerate().map(|(i, t)| (t.clone(), i as u32)).collect();
        let mut feature_index = FxHashMap::default();
        feature_index.reserve(features.len());
        for (col, &key) in features.iter().enumerate() {
            let ids = ngrams.unpack(key);
            if ids.is_empty()
                || ids.len() > ngrams.max as usize
                || ids.iter().any(|&id| id as usize >= terms.len())
                || ngrams.pack(&ids) != key
            {
                return Err(Error::params("vocabulary", format!("feature {col} refers to an unknown term")));
            }
            if feature_index.insert(key, col as u32).is_some() {
                return Err(Error::params("vocabulary", format!("feature {col} is listed twice")));
            }
        }
        Ok(Vocabulary { ngrams, terms, features, term_index, feature_index })
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

    pub fn terms(&self) -> &[Box<str>] {
        &self.terms
    }

    pub fn feature_keys(&self) -> &[u64] {
        &self.features
    }

    #[inline]
    pub fn term_id(&self, token: &str) -> u32 {
        self.term_index.get(token).copied().unwrap_or(UNKNOWN)
    }

    #[inline]
    pub fn column(&self, key: u64) -> Option<u32> {
        self.feature_index.get(&key).copied()
    }

    /// The n-gram of a column as text, words joined by a space (as scikit-learn shows them).
    pub fn feature_name(&self, column: usize) -> String {
        self.ngrams
            .unpack(self.features[column])
            .iter()
            .map(|&id| &*self.terms[id as usize])
            .collect::<Vec<_>>()
            .join(" ")
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
