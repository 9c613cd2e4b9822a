//! Reading labeled CSV (for `train`, `eval` and `vocab`) into a [`LabeledCorpus`], and the CSV
//! helpers `batch` shares: columns chosen by name or index, labels joined by `|`, encodings
//! refused with advice, every problem reported with file, line and column.

use crate::corpus::{parse_labels, LabeledCorpus, TextStore};
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Lint;

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
    fn duplicate_column_names_are_ambiguous() {
        let err = read("text,text,labels\na,b,c\n").unwrap_err().to_string();
        assert!(err.contains("appears 2 times"), "{err}");
    }
}
