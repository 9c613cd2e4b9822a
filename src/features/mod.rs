//! Tokens to vectors: [`vocab`] (term ids, n-gram keys, columns), [`tfidf`] (weights),
//! [`sparse`] (the row storage).

pub mod sparse;
pub mod tfidf;
pub mod vocab;

pub use sparse::SparseRows;
pub use tfidf::{DocFreq, Scratch, Tfidf, TfidfParams, TfidfValidParams, TokenizedCorpus};
pub use vocab::{NgramRange, Vocabulary};
