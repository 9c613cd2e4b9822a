//! The Arabic stopword list. It ships in `data/stopwords-ar.txt` and is copied into every model
//! at training time, so a model keeps filtering the words it was trained without, even when the
//! list in a later release changes.

use super::normalize::Normalizer;
use rustc_hash::FxHashSet;

/// The list tagger ships, as written (not yet normalized).
pub const DEFAULT_LIST: &str = include_str!("../../data/stopwords-ar.txt");

/// Parses a stopword list: one entry per line, blank lines and `#` comments skipped.
pub fn parse_list(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).map(str::to_owned).collect()
}

/// The default list, parsed.
pub fn default_words() -> Vec<String> {
    parse_list(DEFAULT_LIST)
}

/// A set of stopwords in normalized form, for lookups on normalized tokens.
#[derive(Debug, Clone, Default)]
pub struct StopwordSet {
    words: FxHashSet<Box<str>>,
}

impl StopwordSet {
    /// Normalizes every word with `normalizer`; a multi-word entry (ما زال) adds each word.
    pub fn new(words: &[String], normalizer: &Normalizer) -> Self {
        let mut set = FxHashSet::default();
        let mut buf = String::new();
        for word in words {
            normalizer.normalize_into(word, &mut buf);
            for part in super::words::split_words(&buf) {
                set.insert(part.into());
            }
        }
        StopwordSet { words: set }
    }

    pub fn contains(&self, token: &str) -> bool {
        self.words.contains(token)
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_list_is_real_and_normalized_at_load() {
        let words = default_words();
        assert!(words.len() > 150, "only {} stopwords", words.len());
        let set = StopwordSet::new(&words, &Normalizer::default());
        // إلى is listed; its normalized spellings match.
        assert!(set.contains("الي"));
        assert!(set.contains("في"));
        assert!(set.contains("التي"));
        // Content words are not stopwords.
        assert!(!set.contains("الحرب"));
        assert!(!set.contains("سوريا"));
    }

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        assert_eq!(parse_list("# c\n\nفي\n  من  \n"), vec!["في", "من"]);
    }
}
