//! The default model, built from the project's own `data/labels.csv` and embedded in the
//! binary, so tagger works from any folder with no model file on disk.
//!
//! Rebuild it after changing the corpus or the pipeline, with the default settings (a test checks
//! that the committed file is what this command gives, byte for byte):
//! `SOURCE_DATE_EPOCH=1763856000 tagger train data/labels.csv -o models/default.bin`

use crate::error::Result;
use crate::model::Model;

/// The bytes of `models/default.bin` at build time.
pub static BYTES: &[u8] = include_bytes!("../models/default.bin");

/// How messages and `inspect` name the embedded model.
pub const NAME: &str = "<embedded default model>";

pub fn load() -> Result<Model> {
    Model::from_bytes(BYTES, NAME)
}
