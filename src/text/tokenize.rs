//! Splitting normalized text into tokens, and the token filters (length, stopwords, stemming).
//!
//! Tokens are `&str` slices of the normalized buffer: no token is allocated.

use super::normalize::Normalizer;
use super::stem::light_stem;
use super::stopwords::StopwordSet;
pub use super::words::{is_word_char, split_words};
use serde::{Deserialize, Serialize};

/// Tokenizer settings, stored in the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenizerSettings {
    /// Tokens shorter than this many characters are dropped (scikit-learn's default pattern
    /// drops one-character tokens too).
    pub min_chars: usize,
    /// Drop tokens made only of digits (years, counts, scores rarely say what a text is about).
    pub drop_numbers: bool,
    /// Apply the light stemmer.
    pub stem: bool,
    /// The stopword list as written; normalized when the tokenizer is built.
    pub stopwords: Vec<String>,
}

impl Default for TokenizerSettings {
    fn default() -> Self {
        TokenizerSettings { min_chars: 2, drop_numbers: true, stem: true, stopwords: super::stopwords::default_words() }
    }
}

/// Splits normalized text on every character that is not a letter or a digit, so Arabic
/// punctuation (، ؛ ؟ « ») and Latin punctuation separate tokens alike, then filters.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    settings: TokenizerSettings,
    stopwords: StopwordSet,
}

impl Tokenizer {
    /// `normalizer` is the one the text will be normalized with, so stopwords match.
    pub fn new(settings: TokenizerSettings, normalizer: &Normalizer) -> Self {
        let stopwords = StopwordSet::new(&settings.stopwords, normalizer);
        Tokenizer { settings, stopwords }
    }

    pub fn settings(&self) -> &TokenizerSettings {
        &self.settings
    }

    /// Calls `emit` with every token of `normalized` that passes the filters, in order.
    pub fn for_each_token<'a>(&self, normalized: &'a str, mut emit: impl FnMut(&'a str)) {
        for raw in split_words(normalized) {
            if raw.chars().take(self.settings.min_chars).count() < self.settings.min_chars {
                continue;
            }
            if self.settings.drop_numbers && raw.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            if self.stopwords.contains(raw) {
                continue;
            }
            emit(if self.settings.stem { light_stem(raw) } else { raw });
        }
    }

    /// The filtered tokens of `normalized`, collected (for tests and inspection).
    pub fn tokens<'a>(&self, normalized: &'a str) -> Vec<&'a str> {
        let mut out = Vec::new();
        self.for_each_token(normalized, |t| out.push(t));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline(text: &str, settings: TokenizerSettings) -> Vec<String> {
        let n = Normalizer::default();
        let t = Tokenizer::new(settings, &n);
        let normalized = n.normalize(text);
        t.tokens(&normalized).into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn splits_on_arabic_and_latin_punctuation() {
        let words: Vec<_> = split_words("موسكو،كييف؛ غزة؟ «سوريا» (NATO) 2024-11").collect();
        assert_eq!(words, vec!["موسكو", "كييف", "غزة", "سوريا", "NATO", "2024", "11"]);
    }

    #[test]
    fn drops_stopwords_short_tokens_and_numbers() {
        let settings = TokenizerSettings { stem: false, ..TokenizerSettings::default() };
        let tokens = pipeline("قال المتحدث إن الوفد الروسي وصل إلى إسطنبول في ٢٠٢٥ و ب", settings);
        assert_eq!(tokens, vec!["المتحدث", "الوفد", "الروسي", "وصل", "اسطنبول"]);
    }

    #[test]
    fn stems_after_filtering() {
        let tokens = pipeline("والمفاوضات بين روسيا وأوكرانيا مستمرة", TokenizerSettings::default());
        assert_eq!(tokens, vec!["مفاوض", "روسيا", "اوكرانيا", "مستمر"]);
    }

    #[test]
    fn keeps_numbers_when_asked() {
        let settings = TokenizerSettings { drop_numbers: false, ..TokenizerSettings::default() };
        let tokens = pipeline("قمة مجموعة العشرين G20 في 2025", settings);
        assert_eq!(tokens, vec!["قمه", "مجموع", "عشر", "g20", "2025"]);
    }

    #[test]
    fn word_char_table_agrees_with_the_standard_library() {
        for cp in (0..0x3_0000u32).step_by(7).chain(0x0600..0x0700) {
            if let Some(c) = char::from_u32(cp) {
                assert_eq!(is_word_char(c), c.is_alphanumeric(), "U+{cp:04X}");
            }
        }
    }

    #[test]
    fn no_token_is_empty() {
        let tokens = pipeline("؟؟ ... — «» 🙂 ـــ", TokenizerSettings::default());
        assert!(tokens.is_empty());
    }
}
