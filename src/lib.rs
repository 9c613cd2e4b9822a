//! tagger: topics for Arabic news text.
//!
//! raw text -> [`text`] (normalize, tokenize, stopwords, stem) -> [`features`] (sparse TF-IDF)
//! -> [`classify`] (naive Bayes) -> [`model`] (the saved pipeline) -> [`batch`] / [`eval`].
//!
//! The library never prints or exits; it takes readers and writers and returns [`Error`].
//!
//! Train from texts, save, load, predict, and label a CSV export:
//!
//! ```
//! use tagger::batch::{label_csv, LabelOptions, Silent};
//! use tagger::corpus::LabeledCorpus;
//! use tagger::{Decision, Model, TrainSettings, TrainingMeta};
//!
//! # fn main() -> tagger::Result<()> {
//! let rows = [
//!     ("فاز الفريق بالمباراة النهائية وأحرز اللاعب هدفين في الدوري", vec!["sports"]),
//!     ("تأهل المنتخب إلى نهائي البطولة بعد فوزه في المباراة", vec!["sports"]),
//!     ("ارتفعت أسعار النفط وتراجعت الأسهم في البورصة", vec!["economy"]),
//!     ("رفع البنك المركزي أسعار الفائدة لكبح التضخم في الأسواق", vec!["economy"]),
//! ];
//! let corpus = LabeledCorpus::from_rows("example", rows)?;
//! let model = Model::train(corpus, &TrainSettings::default(), TrainingMeta::new("example"))?;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("model.bin");
//! model.save(&path)?;
//! let model = Model::load(&path)?;
//!
//! let p = model.predict("سجل اللاعب هدفا في المباراة", Decision::default());
//! assert_eq!(model.topics()[p.topics[0]], "sports");
//!
//! let csv = "id,text\n1,ارتفعت أسعار الأسهم في البورصة\n";
//! let mut out = Vec::new();
//! let opts = LabelOptions::new(Decision::default());
//! let summary = label_csv(&model, csv.as_bytes(), "export.csv", &mut out, &opts, &mut Silent)?;
//! assert_eq!(summary.rows_written, 1);
//! assert!(String::from_utf8(out).unwrap().starts_with("id,text,topics,scores\n1,"));
//! # Ok(())
//! # }
//! ```

pub mod batch;
pub mod classify;
pub mod corpus;
pub mod csv_input;
pub mod default_model;
pub mod error;
pub mod eval;
pub mod features;
pub mod info;
pub mod model;
pub mod output;
pub mod quotes;
pub mod section;
pub mod shard;
pub mod text;

pub use error::{Error, Location, Result};
pub use linfa::ParamGuard;
pub use model::{Decision, Model, Prediction, TrainSettings, TrainingMeta, DEFAULT_THRESHOLD};
