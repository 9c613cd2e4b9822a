//! Labeled documents in memory: [`LabeledCorpus`] (texts, topics, the lines rows came from),
//! [`TextStore`] (many texts in one buffer), topic names and the warnings a corpus gives
//! ([`Lint`]). Reading them from CSV is [`crate::csv_input`]'s; this module knows no file format,
//! so that `model` and `shard` can train on a corpus without depending on CSV parsing.

use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// Many texts in one buffer. A training corpus is read once and dropped once tokenized: one large
/// allocation goes back to the operating system when freed, where tens of thousands of small
/// `String`s stay in the allocator's heap and keep the process's memory high for the rest of
/// training (measured on SANAD: 124 MB that never came back).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextStore {
    buf: String,
    ends: Vec<usize>,
}

impl TextStore {
    pub fn push(&mut self, text: &str) {
        self.buf.push_str(text);
        self.ends.push(self.buf.len());
    }

    /// Appends one text that `write` writes straight into the shared buffer (no `String` per
    /// text); if `write` fails, the store is left as it was.
    pub fn push_with<E>(
        &mut self,
        write: impl FnOnce(&mut String) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let start = self.buf.len();
        match write(&mut self.buf) {
            Ok(()) => {
                self.ends.push(self.buf.len());
                Ok(())
            }
            Err(e) => {
                self.buf.truncate(start);
                Err(e)
            }
        }
    }

    /// Empties the store and keeps its capacity, for reuse.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Every text as a slice, for the APIs that take `&[impl AsRef<str>]`.
    pub fn views(&self) -> Vec<&str> {
        self.iter().collect()
    }

    /// Total bytes of text.
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }
}

impl<S: AsRef<str>> FromIterator<S> for TextStore {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut store = TextStore::default();
        for text in iter {
            store.push(text.as_ref());
        }
        store
    }
}

/// Labeled documents with topic names in sorted order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabeledCorpus {
    /// The file name, for messages and model metadata.
    pub source: String,
    pub texts: TextStore,
    /// For each document, indices into `topics`.
    pub labels: Vec<Vec<u32>>,
    pub topics: Vec<String>,
    /// Lines of rows with an empty topics field: in multi-label training they are negative
    /// examples (texts about none of the topics), which teaches the model to give no topic.
    pub unlabeled_lines: Vec<u64>,
    /// The line each document starts on (for messages about rows); empty when the corpus was
    /// not read from a file.
    pub lines: Vec<u64>,
    /// Legal but suspicious things seen while reading (a quote that may close too late), as
    /// `file: line N, column C: ...` for the caller to print as warnings.
    pub warnings: Vec<String>,
}

/// Something in a training corpus worth a warning: legal, but likely a mistake.
#[derive(Debug, Clone, PartialEq)]
pub enum Lint {
    /// A topic carried by fewer than 2 documents: its statistics are one article's words.
    RareTopic { topic: String, documents: usize, lines: Vec<u64> },
    /// The same text more than once (it weighs once per copy).
    Duplicate { lines: Vec<u64> },
}

/// Line numbers a message names before it says "and N more": 300,000 copies of one text gave
/// a warning of 2.3 MB when every line was named.
pub const LINES_NAMED: usize = 10;

/// `2, 4` or, past [`LINES_NAMED`], `2, 3, ... 11 and 299990 more`.
pub fn some_lines(lines: &[u64]) -> String {
    let named = lines.iter().take(LINES_NAMED).map(|n| n.to_string()).collect::<Vec<_>>().join(", ");
    match lines.len().saturating_sub(LINES_NAMED) {
        0 => named,
        more => format!("{named} and {more} more"),
    }
}

impl std::fmt::Display for Lint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |l: &[u64]| some_lines(l);
        match self {
            Lint::RareTopic { topic, documents, lines } => {
                write!(
                    f,
                    "topic '{topic}' has only {documents} document(s) (line {}); its scores will be unreliable",
                    join(lines)
                )
            }
            Lint::Duplicate { lines } if lines.len() > LINES_NAMED => {
                write!(f, "the same text appears on {} lines: {}", lines.len(), join(lines))
            }
            Lint::Duplicate { lines } => write!(f, "the same text appears on lines {}", join(lines)),
        }
    }
}

impl LabeledCorpus {
    /// A corpus from texts and their topics held in memory, without a CSV file. Topic names
    /// are trimmed; a text with no topic trains as a text about none of them (multi-label).
    /// Messages about a row name it by its 1-based position, as "line".
    ///
    /// ```
    /// let corpus = tagger::corpus::LabeledCorpus::from_rows(
    ///     "notes",
    ///     [("مباراة كرة القدم", vec!["sports"]), ("أسعار النفط", vec!["economy"]), ("وصفة", vec![])],
    /// )
    /// .unwrap();
    /// assert_eq!(corpus.topics, ["economy", "sports"]);
    /// assert_eq!(corpus.unlabeled_lines, [3]);
    /// ```
    pub fn from_rows<T, L, S>(source: &str, rows: impl IntoIterator<Item = (T, L)>) -> Result<LabeledCorpus>
    where
        T: AsRef<str>,
        L: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut texts = TextStore::default();
        let mut names: Vec<Vec<String>> = Vec::new();
        let mut unlabeled_lines = Vec::new();
        for (i, (text, topics)) in rows.into_iter().enumerate() {
            let mut doc = Vec::new();
            for topic in topics {
                let name = topic_name(topic.as_ref())
                    .map_err(|why| Error::training(source, format!("row {}: {why}", i + 1)))?;
                doc.extend(name);
            }
            doc.sort();
            doc.dedup();
            if doc.is_empty() {
                unlabeled_lines.push(i as u64 + 1);
            }
            texts.push(text.as_ref());
            names.push(doc);
        }
        if texts.is_empty() {
            return Err(Error::training(source, "no texts: nothing to learn from"));
        }
        if unlabeled_lines.len() == texts.len() {
            return Err(Error::training(source, "no text has a topic"));
        }
        let index: BTreeMap<&str, u32> = names
            .iter()
            .flatten()
            .map(|n| n.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .zip(0..)
            .collect();
        let topics: Vec<String> = index.keys().map(|s| s.to_string()).collect();
        let labels = names.iter().map(|doc| doc.iter().map(|n| index[n.as_str()]).collect()).collect();
        Ok(LabeledCorpus {
            source: source.to_owned(),
            texts,
            labels,
            topics,
            unlabeled_lines,
            lines: Vec::new(),
            warnings: Vec::new(),
        })
    }

    /// The line row `i` starts on: from the file, or as if the rows were one line each after a
    /// header when the corpus was not read from a file.
    fn line(&self, i: usize) -> u64 {
        self.lines.get(i).copied().unwrap_or(i as u64 + 2)
    }

    /// The rows at `idx` as their own corpus (a cross-validation fold, a shard): topics none of
    /// them carries are dropped and labels renumbered; rows without a topic stay named.
    pub fn subset(&self, idx: &[usize]) -> LabeledCorpus {
        LabeledCorpus {
            source: self.source.clone(),
            texts: idx.iter().map(|&i| self.texts.get(i)).collect(),
            labels: idx.iter().map(|&i| self.labels[i].clone()).collect(),
            topics: self.topics.clone(),
            unlabeled_lines: idx.iter().filter(|&&i| self.labels[i].is_empty()).map(|&i| self.line(i)).collect(),
            lines: idx.iter().filter_map(|&i| self.lines.get(i).copied()).collect(),
            warnings: Vec::new(),
        }
        .compact_topics()
    }

    /// Drops topics no document carries (a fold can miss a rare topic) and renumbers labels.
    pub fn compact_topics(mut self) -> LabeledCorpus {
        let mut used = vec![false; self.topics.len()];
        self.labels.iter().flatten().for_each(|&t| used[t as usize] = true);
        if used.iter().all(|&u| u) {
            return self;
        }
        let mut new_index = vec![0u32; self.topics.len()];
        let mut topics = Vec::new();
        for (i, t) in self.topics.iter().enumerate() {
            if used[i] {
                new_index[i] = topics.len() as u32;
                topics.push(t.clone());
            }
        }
        self.labels.iter_mut().flatten().for_each(|t| *t = new_index[*t as usize]);
        self.topics = topics;
        self
    }

    /// Rare topics and duplicate texts, in file order.
    pub fn lint(&self) -> Vec<Lint> {
        let line = |i: usize| self.line(i);
        let mut out = Vec::new();
        let mut members: Vec<Vec<u64>> = vec![Vec::new(); self.topics.len()];
        for (i, labels) in self.labels.iter().enumerate() {
            for &t in labels {
                members[t as usize].push(line(i));
            }
        }
        for (topic, lines) in self.topics.iter().zip(members) {
            if lines.len() < 2 {
                out.push(Lint::RareTopic { topic: topic.clone(), documents: lines.len(), lines });
            }
        }
        let mut seen: rustc_hash::FxHashMap<&str, Vec<u64>> = rustc_hash::FxHashMap::default();
        for (i, text) in self.texts.iter().enumerate() {
            seen.entry(text).or_default().push(line(i));
        }
        let mut dups: Vec<Vec<u64>> = seen.into_values().filter(|l| l.len() > 1).collect();
        dups.sort();
        out.extend(dups.into_iter().map(|lines| Lint::Duplicate { lines }));
        out
    }
}

/// Splits `a|b` into sorted, unique topic names (see [`topic_name`]), or says why one of them
/// cannot be a topic.
pub fn parse_labels(raw: &str) -> std::result::Result<Vec<String>, String> {
    let mut out = Vec::new();
    for part in raw.split('|') {
        out.extend(topic_name(part)?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// One topic name as models keep it: trimmed and lowercased, so that `Syria` and `syria` are
/// one topic (they became two); `None` for an empty one. A name with a space, a control
/// character, `:` or `|` is refused: `label` writes scores as `topic:probability` pairs joined
/// by `|`, which such a name would make ambiguous, and a space is most often two topics missing
/// their `|`.
pub fn topic_name(raw: &str) -> std::result::Result<Option<String>, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Ok(None);
    }
    let suggestion = || {
        let fixed: String = name
            .to_lowercase()
            .split(|c: char| c.is_whitespace() || c == ':' || c == '|' || c.is_control())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        format!("such as '{fixed}'")
    };
    if let Some(c) = name.chars().find(|&c| c == ':' || c == '|') {
        return Err(format!(
            "topic '{name}' has '{c}', which would make label's scores column (topic:probability pairs joined by '|') ambiguous; rename it, {}",
            suggestion()
        ));
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "topic '{name}' has a space or control character: topics are single names joined by '|'; join its words with '-', {}, or separate two topics with '|'",
            suggestion()
        ));
    }
    Ok(Some(name.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_push_leaves_the_store_as_it_was() {
        let mut store: TextStore = ["قصف على خاركيف"].into_iter().collect();
        let failed = store.push_with(|buf| {
            buf.push_str("نص ناقص");
            Err("invalid UTF-8")
        });
        assert_eq!(failed, Err("invalid UTF-8"));
        let pushed = store.push_with(|buf| {
            buf.push_str("مباراة الدوري");
            Ok::<(), ()>(())
        });
        assert_eq!(pushed, Ok(()));
        assert_eq!(store.views(), ["قصف على خاركيف", "مباراة الدوري"]);
        store.clear();
        assert!(store.is_empty() && store.bytes() == 0);
    }

    #[test]
    fn a_text_repeated_on_many_lines_names_the_first_ten_and_counts_the_rest() {
        let lint = Lint::Duplicate { lines: (2..300_002).collect() };
        assert_eq!(
            lint.to_string(),
            "the same text appears on 300000 lines: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 299990 more"
        );
        let ten = Lint::Duplicate { lines: (2..12).collect() };
        assert_eq!(ten.to_string(), "the same text appears on lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11");
    }

    #[test]
    fn topic_names_are_lowercased_and_ambiguous_ones_refused() {
        assert_eq!(parse_labels(" Syria | syria|DIPLOMACY||").unwrap(), ["diplomacy", "syria"]);
        assert_eq!(topic_name("ثقافة").unwrap().as_deref(), Some("ثقافة"));
        assert!(topic_name("a:b").unwrap_err().contains("such as 'a-b'"));
        assert!(topic_name("ukraine war").unwrap_err().contains("such as 'ukraine-war'"));
        assert!(topic_name("tab\there").is_err());
        let rows = [("نص", vec!["Sports"]), ("نص آخر", vec!["sports"]), ("خبر", vec!["economy"])];
        assert_eq!(LabeledCorpus::from_rows("rows", rows).unwrap().topics, ["economy", "sports"]);
        assert!(LabeledCorpus::from_rows("rows", [("نص", vec!["a|b"])]).is_err());
    }
}
