//! The default model, trained on real news (SANAD-Khaleej and ASND, CC BY 4.0) and the project's
//! own texts and labels, and embedded in the binary, so tagger works from any folder with no
//! model file on disk.
//!
//! Rebuild it after changing the corpus or the pipeline (a test checks that the committed file
//! is what this gives, byte for byte, when `../shared/data` is present):
//! `cargo build --release && python3 scripts/default-model/build.py`

use crate::error::Result;
use crate::model::Model;

/// Aligns what it holds to 8 bytes, so the embedded model's arrays are used in place.
#[repr(C, align(8))]
struct Aligned<B: ?Sized>(B);

static ALIGNED: &Aligned<[u8]> = &Aligned(*include_bytes!("../models/default.bin"));

/// The bytes of `models/default.bin` at build time, starting at an 8-byte boundary.
pub static BYTES: &[u8] = &ALIGNED.0;

/// How messages and `inspect` name the embedded model.
pub const NAME: &str = "<embedded default model>";

pub fn load() -> Result<Model> {
    Model::from_static(BYTES, NAME)
}
