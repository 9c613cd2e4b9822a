//! TF-IDF with scikit-learn's definitions, on sparse rows.
//!
//! - tf: raw count of the n-gram in the document, or `1 + ln(count)` with `sublinear_tf`;
//! - idf: `ln((1 + n) / (1 + df)) + 1` (smoothed, the default) or `ln(n / df) + 1`;
//! - each row scaled to unit L2 norm;
//! - vocabulary: n-grams with `min_df <= df <= max_df`, then the `max_features` most frequent
//!   over the corpus (ties broken by column order, not by hash order).
//!
//! Fitting is parallel (rayon) over chunks of documents and deterministic: every count is an
//! integer, merged in any order to the same result.

use super::sparse::SparseRows;
use super::vocab::{column_order, Interner, NgramRange, Vocabulary, UNKNOWN};
use crate::error::{Error, Result};
use crate::section::Section;
use crate::text::TextPipeline;
use linfa::ParamGuard;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// A document-frequency bound: an absolute number of documents or a share of them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum DocFreq {
    Count(usize),
    Fraction(f64),
}

impl DocFreq {
    /// The bound in documents, out of `n_docs`.
    pub(crate) fn resolve(self, n_docs: usize) -> usize {
        match self {
            DocFreq::Count(c) => c,
            DocFreq::Fraction(f) => (f * n_docs as f64).round() as usize,
        }
    }

    /// Parses `5` as a count and `0.9` as a fraction, as scikit-learn's int/float convention.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        if let Ok(count) = text.parse::<usize>() {
            return Ok(DocFreq::Count(count));
        }
        match text.parse::<f64>() {
            Ok(f) if (0.0..=1.0).contains(&f) => Ok(DocFreq::Fraction(f)),
            _ => Err(format!("'{text}' is neither a document count nor a fraction in [0, 1]")),
        }
    }
}

impl std::fmt::Display for DocFreq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocFreq::Count(c) => write!(f, "{c}"),
            DocFreq::Fraction(x) => write!(f, "{x}"),
        }
    }
}

/// Checked TF-IDF hyperparameters (see [`TfidfParams`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TfidfValidParams {
    ngrams: NgramRange,
    min_df: DocFreq,
    max_df: DocFreq,
    max_features: Option<usize>,
    sublinear_tf: bool,
    smooth_idf: bool,
}

impl TfidfValidParams {
    pub fn ngrams(&self) -> NgramRange {
        self.ngrams
    }
    pub fn min_df(&self) -> DocFreq {
        self.min_df
    }
    pub fn max_df(&self) -> DocFreq {
        self.max_df
    }
    pub fn max_features(&self) -> Option<usize> {
        self.max_features
    }
    pub fn sublinear_tf(&self) -> bool {
        self.sublinear_tf
    }
    pub fn smooth_idf(&self) -> bool {
        self.smooth_idf
    }
}

/// TF-IDF hyperparameters, checked with linfa's `ParamGuard`:
/// `TfidfParams::new().min_df(DocFreq::Count(2)).check()?`.
#[derive(Debug, Clone, PartialEq)]
pub struct TfidfParams(TfidfValidParams);

impl Default for TfidfParams {
    fn default() -> Self {
        TfidfParams(TfidfValidParams {
            ngrams: NgramRange { min: 1, max: 2 },
            min_df: DocFreq::Count(2),
            max_df: DocFreq::Fraction(1.0),
            max_features: None,
            sublinear_tf: true,
            smooth_idf: true,
        })
    }
}

impl TfidfParams {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn ngrams(mut self, min: u8, max: u8) -> Self {
        self.0.ngrams = NgramRange { min, max };
        self
    }
    pub fn min_df(mut self, v: DocFreq) -> Self {
        self.0.min_df = v;
        self
    }
    pub fn max_df(mut self, v: DocFreq) -> Self {
        self.0.max_df = v;
        self
    }
    pub fn max_features(mut self, v: Option<usize>) -> Self {
        self.0.max_features = v;
        self
    }
    pub fn sublinear_tf(mut self, v: bool) -> Self {
        self.0.sublinear_tf = v;
        self
    }
    pub fn smooth_idf(mut self, v: bool) -> Self {
        self.0.smooth_idf = v;
        self
    }
}

impl ParamGuard for TfidfParams {
    type Checked = TfidfValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&TfidfValidParams> {
        let p = &self.0;
        NgramRange::new(p.ngrams.min, p.ngrams.max)?;
        for (name, v) in [("min_df", p.min_df), ("max_df", p.max_df)] {
            if let DocFreq::Fraction(f) = v {
                if !(0.0..=1.0).contains(&f) {
                    return Err(Error::params(name, format!("{f} is not a fraction in [0, 1]")));
                }
            }
        }
        if let (DocFreq::Fraction(lo), DocFreq::Fraction(hi)) = (p.min_df, p.max_df) {
            if lo > hi {
                return Err(Error::params("max_df", format!("{hi} is below min_df {lo}")));
            }
        }
        if let (DocFreq::Count(lo), DocFreq::Count(hi)) = (p.min_df, p.max_df) {
            if lo > hi {
                return Err(Error::params("max_df", format!("{hi} is below min_df {lo}")));
            }
        }
        if p.max_features == Some(0) {
            return Err(Error::params("max_features", "0: need at least 1 feature"));
        }
        Ok(p)
    }

    fn check(self) -> Result<TfidfValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// A fitted TF-IDF transform: vocabulary and idf weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Tfidf {
    pub(crate) vocab: Vocabulary,
    pub(crate) idf: Section<f64>,
    pub(crate) sublinear_tf: bool,
}

/// Per-thread buffers for [`Tfidf::transform_into`], reused across documents.
#[derive(Debug, Default)]
pub struct Scratch {
    text: String,
    ids: Vec<u32>,
    columns: Vec<u32>,
    pub indices: Vec<u32>,
    pub values: Vec<f64>,
}

/// ln(2^64) + 1, rounded up: no corpus gives a larger idf.
const MAX_IDF: f64 = 46.0;

impl Tfidf {
    pub fn new(vocab: Vocabulary, idf: impl Into<Section<f64>>, sublinear_tf: bool) -> Result<Self> {
        let idf = idf.into();
        if idf.len() != vocab.len() {
            return Err(Error::params("idf", format!("{} weights for {} features", idf.len(), vocab.len())));
        }
        // Weights also come from model files. ln(n/df) + 1 is at least 1 and, for any n that fits
        // in a u64, below 46; outside that a NaN spreads to every probability, and a huge value
        // overflows the L2 norm and zeroes the row.
        if let Some(bad) = idf.iter().find(|w| !(1.0..=MAX_IDF).contains(*w)) {
            return Err(Error::params("idf", format!("weight {bad} is outside [1, {MAX_IDF}]")));
        }
        Ok(Tfidf { vocab, idf, sublinear_tf })
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    pub fn sublinear_tf(&self) -> bool {
        self.sublinear_tf
    }

    pub fn n_features(&self) -> usize {
        self.idf.len()
    }

    /// Vectorizes one raw text into `scratch.indices` / `scratch.values` (sorted columns, unit
    /// L2 norm; empty when no known n-gram occurs).
    pub fn transform_into(&self, pipeline: &TextPipeline, text: &str, scratch: &mut Scratch) {
        let Scratch { text: buf, ids, columns, indices, values } = scratch;
        ids.clear();
        pipeline.for_each_token(text, buf, |token| ids.push(self.vocab.term_id(token)));
        columns.clear();
        self.vocab.ngrams().for_each_key(ids, |key| {
            if let Some(col) = self.vocab.column(key) {
                columns.push(col);
            }
        });
        weigh(columns, &self.idf, self.sublinear_tf, indices, values);
    }

    /// Vectorizes many texts in parallel into sparse rows, in input order.
    pub fn transform<S: AsRef<str> + Sync>(&self, pipeline: &TextPipeline, texts: &[S]) -> SparseRows {
        let blocks: Vec<SparseRows> = texts
            .par_chunks(256)
            .map_init(Scratch::default, |scratch, chunk| {
                let mut block = SparseRows::new(self.n_features());
                for text in chunk {
                    self.transform_into(pipeline, text.as_ref(), scratch);
                    block.push_row(&scratch.indices, &scratch.values);
                }
                block
            })
            .collect();
        SparseRows::concat(self.n_features(), blocks)
    }
}

/// Turns a list of column hits into a TF-IDF row: counts, optional sublinear tf, idf, L2 norm.
fn weigh(columns: &mut [u32], idf: &[f64], sublinear: bool, indices: &mut Vec<u32>, values: &mut Vec<f64>) {
    indices.clear();
    values.clear();
    columns.sort_unstable();
    let mut i = 0;
    while i < columns.len() {
        let col = columns[i];
        let mut j = i + 1;
        while j < columns.len() && columns[j] == col {
            j += 1;
        }
        let count = (j - i) as f64;
        let tf = if sublinear { 1.0 + count.ln() } else { count };
        indices.push(col);
        values.push(tf * idf[col as usize]);
        i = j;
    }
    let norm = values.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        values.iter_mut().for_each(|v| *v /= norm);
    }
}

/// Documents as sequences of term ids over one shared, alphabetically sorted term list: the
/// tokenized form of a training corpus, kept so the text itself can be dropped.
#[derive(Debug, Clone, Default)]
pub struct TokenizedCorpus {
    pub terms: Vec<Box<str>>,
    pub docs: Vec<Vec<u32>>,
}

impl TokenizedCorpus {
    /// Tokenizes texts in parallel, then gives every distinct token an id in alphabetical order.
    pub fn new<S: AsRef<str> + Sync>(pipeline: &TextPipeline, texts: &[S]) -> Self {
        struct Chunk {
            terms: Vec<Box<str>>,
            docs: Vec<Vec<u32>>,
        }
        let chunks: Vec<Chunk> = texts
            .par_chunks(256)
            .map(|chunk| {
                let mut interner = Interner::default();
                let mut buf = String::new();
                let docs = chunk
                    .iter()
                    .map(|text| {
                        let mut ids = Vec::new();
                        pipeline.for_each_token(text.as_ref(), &mut buf, |t| ids.push(interner.intern(t)));
                        ids.shrink_to_fit();
                        ids
                    })
                    .collect();
                Chunk { terms: interner.into_terms(), docs }
            })
            .collect();

        // One global id per distinct term, in first-seen order, then renumbered alphabetically.
        let mut global = Interner::default();
        let local_to_global: Vec<Vec<u32>> =
            chunks.iter().map(|c| c.terms.iter().map(|t| global.intern(t)).collect()).collect();
        let mut terms = global.into_terms();
        let mut order: Vec<u32> = (0..terms.len() as u32).collect();
        order.par_sort_unstable_by(|&a, &b| terms[a as usize].cmp(&terms[b as usize]));
        let mut rank = vec![0u32; terms.len()];
        for (r, &g) in order.iter().enumerate() {
            rank[g as usize] = r as u32;
        }
        let mut sorted: Vec<Box<str>> = Vec::with_capacity(terms.len());
        for &g in &order {
            sorted.push(std::mem::take(&mut terms[g as usize]));
        }

        let docs = chunks
            .into_par_iter()
            .zip(local_to_global.into_par_iter())
            .flat_map_iter(|(chunk, map)| {
                let final_ids: Vec<u32> = map.iter().map(|&g| rank[g as usize]).collect();
                chunk.docs.into_iter().map(move |mut doc| {
                    doc.iter_mut().for_each(|id| *id = final_ids[*id as usize]);
                    doc
                })
            })
            .collect();
        TokenizedCorpus { terms: sorted, docs }
    }
}

impl TfidfValidParams {
    /// Learns the vocabulary and idf from a tokenized corpus and returns the transform together
    /// with the corpus's own TF-IDF rows.
    pub fn fit_transform(&self, corpus: &TokenizedCorpus) -> Result<(Tfidf, SparseRows)> {
        let n_docs = corpus.docs.len();
        let ngrams = self.ngrams;
        if corpus.terms.len() as u64 > ngrams.max_terms() {
            return Err(Error::params(
                "ngrams",
                format!(
                    "{} distinct words are more than {}-grams can index ({}); use a smaller n-gram range",
                    corpus.terms.len(),
                    ngrams.max,
                    ngrams.max_terms()
                ),
            ));
        }

        // Document frequency and total count of every n-gram, counted in shards by key so that
        // every worker owns its keys and no map is merged. Each shard is pruned as soon as it is
        // counted, so only the shards in progress hold their full maps: twice as many shards as
        // workers halves the peak memory for one more pass over the token ids.
        let min_df = self.min_df.resolve(n_docs).max(1);
        let max_df = self.max_df.resolve(n_docs);
        let shards = 2 * rayon::current_num_threads().max(1) as u64;
        let mut kept: Vec<(u64, u32, u64)> = (0..shards)
            .into_par_iter()
            .flat_map_iter(|shard| {
                count_ngrams(&corpus.docs, ngrams, shard, shards)
                    .into_iter()
                    .filter(|(_, c)| (c.df as usize) >= min_df && (c.df as usize) <= max_df)
                    .map(|(k, c)| (k, c.df, c.total))
                    .collect::<Vec<_>>()
            })
            .collect();
        drop_hash_order(&mut kept, ngrams);
        if let Some(limit) = self.max_features {
            if kept.len() > limit {
                // Stable sort: equal totals keep column order.
                kept.sort_by_key(|k| std::cmp::Reverse(k.2));
                kept.truncate(limit);
                drop_hash_order(&mut kept, ngrams);
            }
        }
        if kept.is_empty() {
            return Err(no_column_left(!corpus.terms.is_empty(), ngrams, min_df, max_df, n_docs));
        }

        // Keep only the words that some column uses, and re-key columns over those words.
        let mut used = vec![false; corpus.terms.len()];
        for &(key, _, _) in &kept {
            for id in ngrams.unpack(key) {
                used[id as usize] = true;
            }
        }
        let mut new_id = vec![UNKNOWN; corpus.terms.len()];
        let mut terms = Vec::new();
        for (old, term) in corpus.terms.iter().enumerate() {
            if used[old] {
                new_id[old] = terms.len() as u32;
                terms.push(term.clone());
            }
        }
        let features: Vec<u64> = kept
            .iter()
            .map(|&(key, _, _)| {
                let ids: Vec<u32> = ngrams.unpack(key).iter().map(|&id| new_id[id as usize]).collect();
                ngrams.pack(&ids)
            })
            .collect();
        let idf: Vec<f64> = kept.iter().map(|&(_, df, _)| self.idf(n_docs as u64, df)).collect();
        // The training rows, looked up by the old keys (the corpus's own ids).
        let old_columns: FxHashMap<u64, u32> =
            kept.iter().enumerate().map(|(col, &(key, _, _))| (key, col as u32)).collect();
        let n_features = kept.len();
        let blocks: Vec<SparseRows> = corpus
            .docs
            .par_chunks(256)
            .map_init(
                || (Vec::new(), Vec::new(), Vec::new()),
                |(columns, indices, values), chunk| {
                    let mut block = SparseRows::new(n_features);
                    for doc in chunk {
                        columns.clear();
                        ngrams.for_each_key(doc, |k| {
                            if let Some(&col) = old_columns.get(&k) {
                                columns.push(col);
                            }
                        });
                        weigh(columns, &idf, self.sublinear_tf, indices, values);
                        block.push_row(indices, values);
                    }
                    block
                },
            )
            .collect();
        let rows = SparseRows::concat(n_features, blocks);

        let vocab = Vocabulary::new(ngrams, terms, features)?;
        Ok((Tfidf::new(vocab, idf, self.sublinear_tf)?, rows))
    }
}

impl TfidfValidParams {
    /// scikit-learn's idf of an n-gram in `df` of `n_docs` documents. Sharded training
    /// (`crate::shard`) calls this same function, so both give the same bits.
    pub(crate) fn idf(&self, n_docs: u64, df: u32) -> f64 {
        let (n, df) = (n_docs as f64, df as f64);
        if self.smooth_idf {
            ((1.0 + n) / (1.0 + df)).ln() + 1.0
        } else {
            (n / df).ln() + 1.0
        }
    }
}

/// Why a vocabulary came out empty, in terms of the setting to change: blaming min_df when it is
/// 1 sends users looking in the wrong place. `any_word`: some document had a token left.
pub(crate) fn no_column_left(any_word: bool, ngrams: NgramRange, min_df: usize, max_df: usize, n_docs: usize) -> Error {
    if !any_word {
        Error::params(
            "training data",
            "no document has a word left after tokenizing (stopwords, numbers and punctuation are dropped)",
        )
    } else if min_df <= 1 && max_df >= n_docs {
        Error::params("ngrams", format!("no document has {} words in a row; lower the n-gram lengths", ngrams.min))
    } else {
        Error::params(
            "min_df",
            format!(
                "no n-gram occurs in at least {min_df} and at most {max_df} of the {n_docs} documents; lower --min-df or raise --max-df"
            ),
        )
    }
}

pub(crate) struct NgramCount {
    pub df: u32,
    /// The last document counted in `df`, so a document counts once without sorting its keys.
    last_doc: u32,
    pub total: u64,
}

/// Document frequency and total count of the n-grams of `docs` (token ids) that counting shard
/// `shard` of `shards` owns; `shards` 1 counts them all.
pub(crate) fn count_ngrams(
    docs: &[Vec<u32>],
    ngrams: NgramRange,
    shard: u64,
    shards: u64,
) -> FxHashMap<u64, NgramCount> {
    let mut map = FxHashMap::<u64, NgramCount>::default();
    for (d, doc) in docs.iter().enumerate() {
        let d = d as u32;
        ngrams.for_each_key(doc, |k| {
            if shard_of(k, shards) == shard {
                let e = map.entry(k).or_insert(NgramCount { df: 0, last_doc: u32::MAX, total: 0 });
                if e.last_doc != d {
                    e.last_doc = d;
                    e.df += 1;
                }
                e.total += 1;
            }
        });
    }
    map
}

/// Which counting shard owns a key: a multiplicative hash, so shards get even shares.
#[inline]
fn shard_of(key: u64, shards: u64) -> u64 {
    ((key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) * shards) >> 32
}

/// Puts kept n-grams in column order, whatever order the hash map gave them in.
fn drop_hash_order(kept: &mut [(u64, u32, u64)], ngrams: NgramRange) {
    kept.par_sort_unstable_by_key(|&(key, _, _)| column_order(ngrams, key));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Step, TokenizerSettings};

    fn raw_pipeline() -> TextPipeline {
        // No stemming and no stopwords, so expectations can be computed by hand.
        let settings = TokenizerSettings { stem: false, stopwords: vec![], ..TokenizerSettings::default() };
        TextPipeline::new(Step::ARABIC_DEFAULT.to_vec(), settings)
    }

    #[test]
    fn matches_scikit_learn_definitions() {
        // Reference values from scikit-learn 1.x:
        // TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 1), smooth_idf=True,
        //                 sublinear_tf=False).fit_transform(docs)
        let docs = ["حرب روسيا حرب", "روسيا سلام", "سلام سلام سلام"];
        let pipeline = raw_pipeline();
        let corpus = TokenizedCorpus::new(&pipeline, &docs);
        let params = TfidfParams::new().ngrams(1, 1).min_df(DocFreq::Count(1)).sublinear_tf(false).check().unwrap();
        let (tfidf, rows) = params.fit_transform(&corpus).unwrap();
        let names: Vec<_> = (0..tfidf.n_features()).map(|c| tfidf.vocabulary().feature_name(c)).collect();
        assert_eq!(names, vec!["حرب", "روسيا", "سلام"]);
        // idf = ln(4 / (1 + df)) + 1
        let expected_idf = [(4.0f64 / 2.0).ln() + 1.0, (4.0f64 / 3.0).ln() + 1.0, (4.0f64 / 3.0).ln() + 1.0];
        for (a, b) in tfidf.idf().iter().zip(expected_idf) {
            assert!((a - b).abs() < 1e-12);
        }
        // Row 0: tf(حرب)=2, tf(روسيا)=1, then L2 normalized.
        let (idx, val) = rows.row(0);
        assert_eq!(idx, &[0, 1]);
        let (a, b) = (2.0 * expected_idf[0], expected_idf[1]);
        let norm = (a * a + b * b).sqrt();
        assert!((val[0] - a / norm).abs() < 1e-12);
        assert!((val[1] - b / norm).abs() < 1e-12);
        // The values scikit-learn 1.7 prints for this matrix.
        assert!((val[0] - 0.9347019636).abs() < 1e-9);
        assert!((val[1] - 0.3554324679).abs() < 1e-9);
        // Row 2 is one word repeated: a unit vector.
        assert_eq!(rows.row(2), (&[2u32][..], &[1.0][..]));
    }

    #[test]
    fn sublinear_bigrams_match_scikit_learn() {
        // TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True)
        //   .fit_transform(["حرب روسيا حرب حرب", "روسيا سلام"]), scikit-learn 1.7.
        let expected = [
            ("حرب", 0.7461609361),
            ("حرب حرب", 0.355549684),
            ("حرب روسيا", 0.355549684),
            ("روسيا", 0.2529765285),
            ("روسيا حرب", 0.355549684),
        ];
        let docs = ["حرب روسيا حرب حرب", "روسيا سلام"];
        let pipeline = raw_pipeline();
        let corpus = TokenizedCorpus::new(&pipeline, &docs);
        let params = TfidfParams::new().ngrams(1, 2).min_df(DocFreq::Count(1)).sublinear_tf(true).check().unwrap();
        let (tfidf, rows) = params.fit_transform(&corpus).unwrap();
        assert_eq!(tfidf.n_features(), 7);
        let (idx, val) = rows.row(0);
        assert_eq!(idx.len(), expected.len());
        for (&col, &v) in idx.iter().zip(val) {
            let name = tfidf.vocabulary().feature_name(col as usize);
            let want = expected.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("unexpected {name}")).1;
            assert!((v - want).abs() < 1e-9, "{name}: {v} vs {want}");
        }
    }

    #[test]
    fn idf_weights_outside_what_a_corpus_gives_are_refused() {
        let docs = ["حرب روسيا", "روسيا سلام"];
        let pipeline = raw_pipeline();
        let corpus = TokenizedCorpus::new(&pipeline, &docs);
        let params = TfidfParams::new().ngrams(1, 1).min_df(DocFreq::Count(1)).check().unwrap();
        let (tfidf, _) = params.fit_transform(&corpus).unwrap();
        let rebuild = |idf: Vec<f64>| Tfidf::new(tfidf.vocabulary().clone(), idf, true);
        assert!(rebuild(tfidf.idf().to_vec()).is_ok());
        // What a damaged model file can hold: each would give NaN or all-zero rows.
        for bad in [f64::NAN, f64::INFINITY, -8.4e298, 0.5, 1e6] {
            let mut idf = tfidf.idf().to_vec();
            idf[1] = bad;
            let err = rebuild(idf).unwrap_err().to_string();
            assert!(err.starts_with("invalid idf: weight"), "{bad}: {err}");
        }
    }

    #[test]
    fn transform_of_training_text_equals_fit_rows() {
        let docs = ["قصف روسي على خاركيف", "محادثات السلام في إسطنبول", "قصف على خاركيف ليلا"];
        let pipeline = raw_pipeline();
        let corpus = TokenizedCorpus::new(&pipeline, &docs);
        let params = TfidfParams::new().min_df(DocFreq::Count(1)).check().unwrap();
        let (tfidf, rows) = params.fit_transform(&corpus).unwrap();
        assert_eq!(tfidf.transform(&pipeline, &docs), rows);
        // Bigrams are columns too.
        let names: Vec<_> = (0..tfidf.n_features()).map(|c| tfidf.vocabulary().feature_name(c)).collect();
        assert!(names.contains(&"قصف علي".to_string()), "{names:?}");
    }

    #[test]
    fn min_df_max_df_and_max_features_prune() {
        let docs = ["غزه رفح", "غزه خان", "غزه رفح معبر", "القدس"];
        let pipeline = raw_pipeline();
        let corpus = TokenizedCorpus::new(&pipeline, &docs);
        let fit = |p: TfidfParams| {
            let (t, _) = p.ngrams(1, 1).check().unwrap().fit_transform(&corpus).unwrap();
            (0..t.n_features()).map(|c| t.vocabulary().feature_name(c)).collect::<Vec<_>>()
        };
        assert_eq!(fit(TfidfParams::new().min_df(DocFreq::Count(2))), vec!["رفح", "غزه"]);
        assert_eq!(
            fit(TfidfParams::new().min_df(DocFreq::Count(1)).max_df(DocFreq::Fraction(0.5))),
            vec!["القدس", "خان", "رفح", "معبر"]
        );
        assert_eq!(fit(TfidfParams::new().min_df(DocFreq::Count(1)).max_features(Some(2))), vec!["رفح", "غزه"]);
    }

    #[test]
    fn unseen_text_gives_an_empty_row() {
        let docs = ["مباراه الهلال", "مباراه النصر"];
        let pipeline = raw_pipeline();
        let corpus = TokenizedCorpus::new(&pipeline, &docs);
        let (tfidf, _) = TfidfParams::new().min_df(DocFreq::Count(1)).check().unwrap().fit_transform(&corpus).unwrap();
        let rows = tfidf.transform(&pipeline, &["hello world", ""]);
        assert_eq!(rows.nnz(), 0);
        assert_eq!(rows.nrows(), 2);
    }

    #[test]
    fn bad_params_are_refused_with_the_value() {
        let err = TfidfParams::new().min_df(DocFreq::Fraction(1.5)).check().unwrap_err();
        assert_eq!(err.to_string(), "invalid min_df: 1.5 is not a fraction in [0, 1]");
        assert!(TfidfParams::new().ngrams(2, 1).check().is_err());
        assert!(TfidfParams::new().max_features(Some(0)).check().is_err());
    }

    #[test]
    fn fitting_is_deterministic() {
        let docs: Vec<String> =
            (0..600).map(|i| format!("خبر رقم {} عن غزه والضفه ومفاوضات {}", i % 7, i % 13)).collect();
        let pipeline = TextPipeline::default();
        let params = TfidfParams::new().min_df(DocFreq::Count(1)).check().unwrap();
        let a = params.fit_transform(&TokenizedCorpus::new(&pipeline, &docs)).unwrap();
        let b = params.fit_transform(&TokenizedCorpus::new(&pipeline, &docs)).unwrap();
        assert_eq!(a, b);
    }
}
