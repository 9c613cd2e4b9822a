//! Integration tests of the real `tagger` binary on the project's own data: `data/labels.csv`
//! (Arabic news articles on 10 topics, and texts about none of them) and `data/samples/*.txt`,
//! one module per subcommand or subject. Helpers shared with the other test files are in
//! `tests/common/`.
//!
//! Every run goes through `common::tagger`, which also checks that the binary never panics.

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod default_model;
mod eval;
mod inspect;
mod label;
mod outputs;
mod predict;
mod train;
mod usage;
mod vocab;
