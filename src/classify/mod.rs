//! Vectors to topics.

pub mod naive_bayes;

pub use naive_bayes::{LabelMode, NaiveBayes, NbCounts, NbKind, NbParams, NbValidParams, Sums};
