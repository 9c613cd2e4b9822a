//! Reading labeled CSV (for `train` and `eval`): columns chosen by name or index, labels joined
//! by `|`, every problem reported with file, line and column.

use crate::error::{Error, Location, Result};
use crate::quotes::{check_record, csv_reader, too_long, Finding, Tail, DEFAULT_MAX_RECORD_BYTES};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

/// A column chosen by header name or by 0-based index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnSpec {
    Name(String),
    Index(usize),
}

impl ColumnSpec {
    /// `3` is an index, anything else a name.
    pub fn parse(text: &str) -> ColumnSpec {
        match text.trim().parse::<usize>() {
            Ok(i) => ColumnSpec::Index(i),
            Err(_) => ColumnSpec::Name(text.trim().to_owned()),
        }
    }

    /// A comma-separated list (`title,body`).
    pub fn parse_list(text: &str) -> Vec<ColumnSpec> {
        text.split(',').filter(|s| !s.trim().is_empty()).map(ColumnSpec::parse).collect()
    }
}

impl std::fmt::Display for ColumnSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnSpec::Name(n) => write!(f, "'{n}'"),
            ColumnSpec::Index(i) => write!(f, "{i}"),
        }
    }
}

/// Finds each requested column in the header. Names match exactly, then ignoring case; a
/// duplicated name is refused as ambiguous.
pub fn resolve_columns(headers: &[String], specs: &[ColumnSpec], loc: &Location, option: &str) -> Result<Vec<usize>> {
    if specs.is_empty() {
        return Err(Error::params("column", format!("no column given to {option}")));
    }
    specs
        .iter()
        .map(|spec| match spec {
            ColumnSpec::Index(i) if *i < headers.len() => Ok(*i),
            ColumnSpec::Index(i) => Err(Error::input(
                loc.clone().at_line(1),
                format!("column index {i} is out of range: the header has {} columns ({option})", headers.len()),
            )),
            ColumnSpec::Name(name) => {
                // Header names are kept verbatim for output; matching ignores surrounding spaces.
                let exact: Vec<usize> = (0..headers.len()).filter(|&i| headers[i].trim() == name).collect();
                let found = if exact.is_empty() {
                    (0..headers.len()).filter(|&i| headers[i].trim().eq_ignore_ascii_case(name)).collect()
                } else {
                    exact
                };
                match found.as_slice() {
                    [one] => Ok(*one),
                    // A header read as one column that splits into the wanted name on another
                    // delimiter is a file with that delimiter: say so rather than suggest a column.
                    [] => match other_delimiter(headers, name) {
                        Some(d) => Err(Error::input(
                            loc.clone().at_line(1),
                            format!(
                                "no column named '{name}': the header '{}' reads as one column, but it splits on \
                                 '{d}'; is the file '{d}'-delimited? (--delimiter '{d}')",
                                headers[0],
                                d = if d == '\t' { "tab".to_string() } else { d.to_string() }
                            ),
                        )),
                        None => Err(Error::input(
                            loc.clone().at_line(1),
                            format!(
                                "no column named '{name}' (columns: {}); choose one with {option}",
                                headers.join(", ")
                            ),
                        )),
                    },
                    many => Err(Error::input(
                        loc.clone().at_line(1),
                        format!(
                            "column name '{name}' appears {} times (columns {}); choose one by index with {option}",
                            many.len(),
                            many.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
                        ),
                    )),
                }
            }
        })
        .collect()
}

/// The other supported delimiter (`;`, tab or `|`) that splits a one-column header into fields one
/// of which is `name`, if any.
fn other_delimiter(headers: &[String], name: &str) -> Option<char> {
    let [header] = headers else { return None };
    [';', '\t', '|', ',']
        .into_iter()
        .find(|&d| header.split(d).count() > 1 && header.split(d).any(|f| f.trim() == name))
}

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

#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub delimiter: u8,
    /// Joined with a line break when several.
    pub text_columns: Vec<ColumnSpec>,
    /// `None`: a column named `labels`, else one named `label`.
    pub labels_column: Option<ColumnSpec>,
    /// The longest row read, in bytes; a longer one is refused (see [`crate::quotes::Tail`]).
    pub max_record_bytes: u64,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            text_columns: vec![ColumnSpec::Name("text".into())],
            labels_column: None,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// Refuses UTF-16 and UTF-32 input up front with a message saying how to convert it (see
/// [`foreign_encoding`]), and notes whether the first line ends with CRLF (see
/// [`Location::crlf`]).
pub fn check_encoding<R: BufRead>(reader: &mut R, loc: &mut Location) -> Result<()> {
    let head = reader.fill_buf().map_err(|e| Error::io(&loc.source, e))?;
    loc.crlf = head.iter().position(|&b| b == b'\n').is_some_and(|i| i > 0 && head[i - 1] == b'\r');
    if let Some(message) = foreign_encoding(head) {
        return Err(Error::input(loc.clone().at_line(1), message));
    }
    Ok(())
}

/// Why a file that starts with `head` is not UTF-8, if it is UTF-16 or UTF-32: by its
/// byte-order mark, or, without one, by the NUL bytes of its first line (`text` in UTF-16LE is
/// `t\0e\0x\0t\0`, which was read as a column named `text` with invisible NULs, so the message
/// was `no column named 'text' (columns: text)`). The iconv advice names the byte order where
/// there is no mark, since iconv's `UTF-16` then assumes big-endian.
pub fn foreign_encoding(head: &[u8]) -> Option<String> {
    let convert = |from: &str, why: &str| {
        format!("the file is {from} ({why}); tagger reads UTF-8: convert it with `iconv -f {from} -t UTF-8`")
    };
    // UTF-32LE's mark begins with UTF-16LE's, so it is looked for first.
    if head.starts_with(&[0xFF, 0xFE, 0, 0]) || head.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Some(convert("UTF-32", "it starts with a UTF-32 byte-order mark"));
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Some(convert("UTF-16", "it starts with a UTF-16 byte-order mark"));
    }
    let line = &head[..head.len().min(512)];
    let line = &line[..line.iter().position(|&b| b == b'\n').unwrap_or(line.len())];
    let code = wide_without_mark(line)?;
    let unit = if code.starts_with("UTF-32") {
        "three NUL bytes with each character"
    } else {
        "a NUL byte beside each character"
    };
    Some(convert(code, &format!("no byte-order mark, but its first line has {unit}")))
}

/// UTF-16 or UTF-32, and its byte order, of a first line of mostly ASCII characters (a header).
fn wide_without_mark(line: &[u8]) -> Option<&'static str> {
    if line.len() < 4 || !line.contains(&0) {
        return None;
    }
    let quads = &line[..line.len() / 4 * 4];
    if quads.chunks(4).all(|c| c[0] != 0 && c[2] == 0 && c[3] == 0) {
        return Some("UTF-32LE");
    }
    if quads.chunks(4).all(|c| c[0] == 0 && c[1] == 0 && c[3] != 0) {
        return Some("UTF-32BE");
    }
    let pairs = &line[..line.len() / 2 * 2];
    let nul_second = pairs.chunks(2).filter(|p| p[0] != 0 && p[1] == 0).count();
    let nul_first = pairs.chunks(2).filter(|p| p[0] == 0 && p[1] != 0).count();
    let units = pairs.len() / 2;
    if nul_second * 2 > units && nul_first == 0 {
        Some("UTF-16LE")
    } else if nul_first * 2 > units && nul_second == 0 {
        Some("UTF-16BE")
    } else {
        None
    }
}

/// Turns a csv crate error into a message with line and column.
pub fn csv_error(err: csv::Error, loc: &Location, headers: &[String]) -> Error {
    let position = err.position().cloned();
    let mut loc = loc.clone();
    if let Some(pos) = &position {
        loc = loc.at_record(pos);
    }
    match err.into_kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            Error::input(loc, format!("{len} fields where the header has {expected_len}{}", hint_columns(headers)))
        }
        csv::ErrorKind::Io(e) => Error::io(&loc.source, e),
        csv::ErrorKind::Utf8 { err, .. } => {
            let column = headers.get(err.field()).cloned().unwrap_or_else(|| err.field().to_string());
            Error::input(loc.in_column(column), "invalid UTF-8")
        }
        other => Error::input(loc, format!("{other:?}")),
    }
}

fn hint_columns(headers: &[String]) -> String {
    if headers.is_empty() {
        String::new()
    } else {
        format!(" ({}); a field with a comma or line break must be in double quotes", headers.join(", "))
    }
}

/// Decodes one field as UTF-8, naming the line, column and byte on failure.
pub fn field_str<'r>(record: &'r csv::ByteRecord, index: usize, headers: &[String], loc: &Location) -> Result<&'r str> {
    let bytes = record.get(index).unwrap_or_default();
    std::str::from_utf8(bytes).map_err(|e| {
        let mut at = loc.clone().in_column(headers.get(index).cloned().unwrap_or_else(|| index.to_string()));
        if let Some(pos) = record.position() {
            at = at.at_record(pos);
        }
        Error::input(
            at,
            format!("invalid UTF-8 at byte {} of the field (is the file in another encoding?)", e.valid_up_to()),
        )
    })
}

/// Reads the header row as text.
pub fn read_headers<R: Read>(csv: &mut csv::Reader<Tail<R>>, loc: &Location) -> Result<Vec<String>> {
    let read = csv.byte_headers().cloned();
    if let Some(err) = too_long(csv, &csv::Position::new(), loc) {
        return Err(err);
    }
    let raw = read.map_err(|e| csv_error(e, loc, &[]))?;
    if raw.is_empty() {
        return Err(Error::input(loc.clone().at_line(1), "the file is empty: expected a header row"));
    }
    raw.iter()
        .enumerate()
        .map(|(i, h)| {
            std::str::from_utf8(h).map(|s| s.trim_start_matches('\u{FEFF}').to_owned()).map_err(|_| {
                Error::input(loc.clone().at_line(1).in_column(i.to_string()), "invalid UTF-8 in the header")
            })
        })
        .collect()
}

/// Reads a labeled CSV: every row must have text and at least one topic.
pub fn read_labeled<R: Read>(reader: R, source: &str, opts: &CsvOptions) -> Result<LabeledCorpus> {
    let mut loc = Location::file(source);
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    check_encoding(&mut reader, &mut loc)?;
    let mut csv = csv_reader(reader, opts.delimiter, opts.max_record_bytes);
    let headers = read_headers(&mut csv, &loc)?;
    let text_cols = resolve_columns(&headers, &opts.text_columns, &loc, "--text-column")?;
    let labels_col = match &opts.labels_column {
        Some(spec) => resolve_columns(&headers, std::slice::from_ref(spec), &loc, "--labels-column")?[0],
        None => resolve_columns(&headers, &[ColumnSpec::Name("labels".into())], &loc, "--labels-column")
            .or_else(|_| resolve_columns(&headers, &[ColumnSpec::Name("label".into())], &loc, "--labels-column"))
            .map_err(|_| {
                Error::input(
                    loc.clone().at_line(1),
                    format!(
                        "no 'labels' or 'label' column (columns: {}); choose one with --labels-column",
                        headers.join(", ")
                    ),
                )
            })?[0],
    };
    let labels_name = headers[labels_col].clone();

    let mut texts = TextStore::default();
    let mut names: Vec<Vec<String>> = Vec::new();
    let mut unlabeled_lines = Vec::new();
    let mut lines = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut text = String::new();
    let mut warnings = Vec::new();
    loop {
        let start = csv.position().clone();
        csv.get_mut().start_record();
        let read = csv.read_byte_record(&mut record);
        if let Some(err) = too_long(&csv, &start, &loc) {
            return Err(err);
        }
        match read {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(e, &loc, &headers)),
        }
        let line = record.position().map(|p| p.line() + u64::from(loc.crlf)).unwrap_or(0);
        match check_record(&record, line, &headers, opts.delimiter, csv.get_ref()) {
            Some(f @ Finding::Unclosed { .. }) => return Err(f.error(&loc)),
            Some(f) => warnings.push(f.warning(&loc.source)),
            None => {}
        }
        text.clear();
        for (k, &c) in text_cols.iter().enumerate() {
            if k > 0 {
                text.push('\n');
            }
            text.push_str(field_str(&record, c, &headers, &loc)?);
        }
        let raw_labels = field_str(&record, labels_col, &headers, &loc)?;
        let doc_labels = parse_labels(raw_labels)
            .map_err(|why| Error::input(loc.clone().at_line(line).in_column(labels_name.clone()), why))?;
        if doc_labels.is_empty() {
            unlabeled_lines.push(line);
        }
        texts.push(&text);
        lines.push(line);
        names.push(doc_labels);
    }
    if texts.is_empty() {
        return Err(Error::training(source, "the file has a header and no rows"));
    }
    if unlabeled_lines.len() == texts.len() {
        return Err(Error::input(
            loc.at_line(unlabeled_lines[0]).in_column(labels_name),
            "no row has a topic (topics are joined by '|' in this column)",
        ));
    }
    let mut index: BTreeMap<&str, u32> = names.iter().flatten().map(|n| (n.as_str(), 0)).collect();
    for (i, v) in index.values_mut().enumerate() {
        *v = i as u32;
    }
    let topics: Vec<String> = index.keys().map(|s| s.to_string()).collect();
    let labels = names.iter().map(|doc| doc.iter().map(|n| index[n.as_str()]).collect()).collect();
    Ok(LabeledCorpus { source: source.to_owned(), texts, labels, topics, unlabeled_lines, lines, warnings })
}

/// Splits `a|b` into sorted, unique, trimmed topic names.
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

    fn read(csv: &str) -> Result<LabeledCorpus> {
        read_labeled(csv.as_bytes(), "t.csv", &CsvOptions::default())
    }

    #[test]
    fn reads_multi_label_rows_with_quotes_and_newlines() {
        let c =
            read("text,labels\n\"محادثات، في \"\"جنيف\"\"\nحول سوريا\",diplomacy|syria\nقصف على خاركيف,ukraine-war\n")
                .unwrap();
        assert_eq!(c.topics, vec!["diplomacy", "syria", "ukraine-war"]);
        assert_eq!(c.texts.get(0), "محادثات، في \"جنيف\"\nحول سوريا");
        assert_eq!(c.labels, vec![vec![0, 1], vec![2]]);
    }

    #[test]
    fn accepts_a_single_label_column_and_a_bom() {
        let c = read("\u{FEFF}text,label\nمباراة,sports\nدواء,health\n").unwrap();
        assert_eq!(c.topics, vec!["health", "sports"]);
    }

    #[test]
    fn names_the_missing_column() {
        let err = read("body,topic\nx,y\n").unwrap_err().to_string();
        assert_eq!(err, "t.csv: line 1: no column named 'text' (columns: body, topic); choose one with --text-column");
    }

    #[test]
    fn names_the_line_of_a_short_row() {
        let err = read("text,labels\na,b\nc\n").unwrap_err().to_string();
        assert!(err.starts_with("t.csv: line 3"), "{err}");
        assert!(err.contains("1 fields where the header has 2"), "{err}");
    }

    #[test]
    fn names_line_and_column_of_invalid_utf8() {
        let mut bytes = b"text,labels\nok,a\n".to_vec();
        bytes.extend_from_slice(b"bad \xff text,b\n");
        let err = read_labeled(&bytes[..], "t.csv", &CsvOptions::default()).unwrap_err().to_string();
        assert!(err.starts_with("t.csv: line 3, column text"), "{err}");
        assert!(err.contains("invalid UTF-8"), "{err}");
    }

    #[test]
    fn rows_without_topics_are_kept_and_named() {
        let c = read("text,labels\nوصفة شوربة العدس,\nمباراة,sports\n").unwrap();
        assert_eq!(c.labels, vec![vec![], vec![0]]);
        assert_eq!(c.unlabeled_lines, vec![2]);
    }

    #[test]
    fn refuses_files_without_any_topic_and_empty_files() {
        let err = read("text,labels\nنص,\n").unwrap_err().to_string();
        assert!(err.starts_with("t.csv: line 2, column labels: no row has a topic"), "{err}");
        assert!(read("").unwrap_err().to_string().contains("empty"));
        assert!(read("text,labels\n").unwrap_err().to_string().contains("no rows"));
    }

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
    fn lint_names_rare_topics_and_duplicates() {
        let c =
            read("text,labels\nقصف على خاركيف,war\nمباراة,sports\nقصف على خاركيف,war\nمباراة الهلال,sports\n").unwrap();
        assert_eq!(c.lint(), vec![Lint::Duplicate { lines: vec![2, 4] }]);
        let c = read("text,labels\nقصف,war\nمباراة,sports\nهدف,sports\n").unwrap();
        let lint = c.lint();
        assert_eq!(lint, vec![Lint::RareTopic { topic: "war".into(), documents: 1, lines: vec![2] }]);
        assert_eq!(lint[0].to_string(), "topic 'war' has only 1 document(s) (line 2); its scores will be unreliable");
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
    fn crlf_files_name_the_lines_where_rows_start() {
        let err = read("text,labels\r\nمباراة,sports\r\nقصف\r\n").unwrap_err().to_string();
        assert!(err.starts_with("t.csv: line 3 (byte 34)"), "{err}");
        let err = read("text,labels\nمباراة,sports\nقصف\n").unwrap_err().to_string();
        assert!(err.starts_with("t.csv: line 3 (byte 32)"), "{err}");
    }

    #[test]
    fn refuses_utf16() {
        let err = read_labeled(&[0xFF, 0xFE, b't', 0][..], "u.csv", &CsvOptions::default()).unwrap_err();
        assert!(err.to_string().contains("UTF-16"));
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

    #[test]
    fn duplicate_column_names_are_ambiguous() {
        let err = read("text,text,labels\na,b,c\n").unwrap_err().to_string();
        assert!(err.contains("appears 2 times"), "{err}");
    }
}
