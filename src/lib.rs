//! tagger: topics for Arabic news text.
//!
//! raw text -> [`text`] (normalize, tokenize, stopwords, stem) -> [`features`] (sparse TF-IDF)
//! -> [`classify`] (naive Bayes) -> [`model`] (the saved pipeline) -> [`batch`] / [`eval`].
//!
//! The library never prints or exits; it takes readers and writers and returns [`Error`].

pub mod batch;
pub mod classify;
pub mod corpus;
pub mod default_model;
pub mod error;
pub mod eval;
pub mod features;
pub mod model;
pub mod output;
pub mod quotes;
pub mod shard;
pub mod text;

pub use error::{Error, Location, Result};
pub use model::{Decision, Model, Prediction, TrainSettings, TrainingMeta};
