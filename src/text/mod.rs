//! Raw text to tokens: [`normalize`] (character rules), [`words`] (splitting), [`stopwords`],
//! [`stem`], [`tokenize`] (split and filter). Each imports only from those listed before it.
//! This module knows nothing of vectors or models.

pub mod normalize;
pub mod stem;
pub mod stopwords;
pub mod tokenize;
pub mod words;

pub use normalize::{Normalizer, Step};
pub use tokenize::{Tokenizer, TokenizerSettings};

/// Normalizer and tokenizer together, with the settings that a model stores.
#[derive(Debug, Clone)]
pub struct TextPipeline {
    pub normalizer: Normalizer,
    pub tokenizer: Tokenizer,
}

impl TextPipeline {
    pub fn new(steps: Vec<Step>, settings: TokenizerSettings) -> Self {
        let normalizer = Normalizer::new(steps);
        let tokenizer = Tokenizer::new(settings, &normalizer);
        TextPipeline { normalizer, tokenizer }
    }

    /// Normalizes `text` into `buf` and calls `emit` with each token. `buf` is the caller's, to
    /// be reused across documents.
    pub fn for_each_token<'b>(&self, text: &str, buf: &'b mut String, emit: impl FnMut(&'b str)) {
        self.normalizer.normalize_into(text, buf);
        self.tokenizer.for_each_token(buf, emit);
    }
}

impl Default for TextPipeline {
    fn default() -> Self {
        TextPipeline::new(Step::ARABIC_DEFAULT.to_vec(), TokenizerSettings::default())
    }
}
