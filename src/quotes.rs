//! Unclosed quotes in CSV. The grammar lets a quoted field hold line breaks, so a quote that is
//! never closed (or closed by the next row's quote) silently folds the rows after it into one
//! field: removing one closing quote in row 100 of a 7,278-row export merged 15 articles and
//! exited 0. The csv crate cannot tell, so every field that holds a line break is checked here,
//! and the likely cases are refused, naming the line where the quote opened.

use crate::error::{Error, Location};
use std::io::Read;

/// A quoted field spanning more physical lines than this is taken for an unclosed quote: a news
/// article with 1,000 paragraphs is far rarer than a missing quote.
pub const MAX_QUOTED_LINES: u64 = 1000;

/// What a field with line breaks looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Almost surely an unclosed quote: refused (or the row skipped under `--skip-bad`).
    Unclosed { opened: u64, column: String, why: String },
    /// Legal and possibly meant, but worth a warning.
    Suspicious { opened: u64, column: String, why: String },
}

impl Finding {
    /// The error for an [`Finding::Unclosed`] field.
    pub fn error(&self, loc: &Location) -> Error {
        let (opened, column, why) = match self {
            Finding::Unclosed { opened, column, why } | Finding::Suspicious { opened, column, why } => {
                (opened, column, why)
            }
        };
        Error::input(
            loc.clone().at_line(*opened).in_column(column.clone()),
            format!(
                "a quoted field opened on this line {why}: is its closing quote missing? Close it where the text ends"
            ),
        )
    }

    /// The warning for a [`Finding::Suspicious`] field, without the `tagger: warning: ` prefix.
    pub fn warning(&self, source: &str) -> String {
        let (opened, column, why) = match self {
            Finding::Unclosed { opened, column, why } | Finding::Suspicious { opened, column, why } => {
                (opened, column, why)
            }
        };
        format!("{source}: line {opened}, column {column}: a quoted field opened on this line {why}; check that its closing quote is where you meant")
    }
}

/// Remembers whether the input has ended and its last bytes, so that a field the csv crate
/// ended at the end of the input can be told from one closed by a quote. It also bounds how much
/// one record may read: the csv crate grows a record's buffer until the record ends, so a field
/// that never ends (`tagger label /dev/zero`, a quote opened near the top of a huge file) once
/// grew until the allocator aborted the process, leaving a temporary file behind.
pub struct Tail<R> {
    inner: R,
    /// The last three bytes read, latest last.
    last: [u8; 3],
    len: u64,
    /// The inner reader returned 0: everything was read.
    pub ended: bool,
    /// The longest record, in bytes, that [`too_long`] lets through.
    max_record: u64,
    /// `len` when the current record started ([`Tail::start_record`]).
    record_start: u64,
    /// Reading stopped because the current record passed `max_record` without ending.
    stopped: bool,
}

/// The csv crate's read buffer, set explicitly because the bound on a record counts it: a record
/// may find up to this many of its bytes already read before it starts, and the reader reads up
/// to this many past its end.
pub const CSV_BUFFER: usize = 8 << 10;

/// The longest row, JSON line or document read by default (`--max-record-size`): far above any
/// news article (the longest of SANAD's 45,500 is under 100 KiB), and low enough that one
/// endless field fails with a message instead of exhausting memory.
pub const DEFAULT_MAX_RECORD_BYTES: u64 = 256 << 20;

impl<R: Read> Tail<R> {
    pub fn new(inner: R) -> Self {
        Tail::with_limit(inner, u64::MAX)
    }

    /// A reader whose records may be at most `max_record` bytes long (see [`too_long`]).
    pub fn with_limit(inner: R, max_record: u64) -> Self {
        Tail { inner, last: [0; 3], len: 0, ended: false, max_record, record_start: 0, stopped: false }
    }

    /// The input ended without closing a quote: its last byte that is not a line break is not
    /// a quote.
    fn ends_in_open_quote(&self) -> bool {
        let mut tail: &[u8] = &self.last[3 - self.len.min(3) as usize..];
        tail = tail.strip_suffix(b"\n").unwrap_or(tail);
        tail = tail.strip_suffix(b"\r").unwrap_or(tail);
        self.ended && tail.last() != Some(&b'"')
    }

    /// Physical lines read: line breaks, plus one for a last line without one.
    pub fn lines(&self, breaks: u64) -> u64 {
        breaks + u64::from(self.len > 0 && self.last[2] != b'\n')
    }

    /// A new record begins: the bound counts from here.
    pub fn start_record(&mut self) {
        self.record_start = self.len;
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Never more than the record's bound plus the csv crate's buffer since the record
        // started, so memory stays near the bound whatever the input (see [`CSV_BUFFER`]).
        let allowed = self.max_record.saturating_add(CSV_BUFFER as u64).saturating_sub(self.len - self.record_start);
        if allowed == 0 && !buf.is_empty() {
            self.stopped = true;
            return Err(std::io::Error::other("a record longer than the limit"));
        }
        let end = buf.len().min(usize::try_from(allowed).unwrap_or(usize::MAX));
        let buf = &mut buf[..end];
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.ended = !buf.is_empty();
        }
        for &b in &buf[n.saturating_sub(3)..n] {
            self.last = [self.last[1], self.last[2], b];
        }
        self.len += n as u64;
        Ok(n)
    }
}

/// A CSV reader over `input` whose records may be at most `max_record` bytes.
pub fn csv_reader<R: Read>(input: R, delimiter: u8, max_record: u64) -> csv::Reader<Tail<R>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .buffer_capacity(CSV_BUFFER)
        .from_reader(Tail::with_limit(input, max_record))
}

/// After reading (or failing to read) the record that started at `start`: the error for a
/// record longer than the reader's bound, whether reading stopped inside it or it ended just
/// past the bound. Always fatal, also under `--skip-bad`: a record that does not end cannot be
/// skipped, and one refused at a size that depends on buffering would be hard to explain.
pub fn too_long<R: Read>(csv: &csv::Reader<Tail<R>>, start: &csv::Position, loc: &Location) -> Option<Error> {
    let tail = csv.get_ref();
    let length = csv.position().byte().saturating_sub(start.byte());
    (tail.stopped || length > tail.max_record).then(|| {
        Error::input(loc.clone().at_record(start), too_long_message("the row that starts here", tail.max_record))
    })
}

/// Why a record, line or document longer than `limit` bytes is refused, and what to do.
pub fn too_long_message(what: &str, limit: u64) -> String {
    format!(
        "{what} is longer than {} (--max-record-size): is a closing quote or a line end missing? If the text is meant to be that long, raise --max-record-size",
        size_text(limit)
    )
}

/// `256 MiB`, `4 KiB` or `1000 bytes`: a size as `--max-record-size` takes it.
pub fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        1 => "1 byte".to_string(),
        b => format!("{b} bytes"),
    }
}

/// Checks each field of `record` that holds a line break. `start_line` is the line the record
/// starts on; `input` tells whether the record ran to the end of the input.
pub fn check_record<R: Read>(
    record: &csv::ByteRecord,
    start_line: u64,
    headers: &[String],
    delimiter: u8,
    input: &Tail<R>,
) -> Option<Finding> {
    let mut line = start_line;
    let mut found = None;
    for (i, field) in record.iter().enumerate() {
        let breaks = field.iter().filter(|&&b| b == b'\n').count() as u64;
        if breaks == 0 {
            continue;
        }
        let column = headers.get(i).cloned().unwrap_or_else(|| i.to_string());
        let last = i + 1 == record.len();
        let rows: Vec<u64> = if headers.len() >= 2 {
            field
                .split(|&b| b == b'\n')
                .enumerate()
                .skip(1)
                .filter(|(_, l)| starts_like_a_row(l, delimiter) && fields_in(l, delimiter) == headers.len())
                .map(|(k, _)| line + k as u64)
                .collect()
        } else {
            Vec::new()
        };
        let finding = if last && input.ends_in_open_quote() {
            Some(Finding::Unclosed {
                opened: line,
                column,
                why: format!("runs to the end of the file ({} lines)", breaks + u64::from(!field.ends_with(b"\n"))),
            })
        } else if breaks + 1 > MAX_QUOTED_LINES {
            Some(Finding::Unclosed {
                opened: line,
                column,
                why: format!("spans {} lines, more than {MAX_QUOTED_LINES}", breaks + 1),
            })
        } else if rows.len() >= 2 {
            Some(Finding::Unclosed {
                opened: line,
                column,
                why: format!(
                    "holds {} lines that read as rows of {} fields ({})",
                    rows.len(),
                    headers.len(),
                    crate::corpus::some_lines(&rows)
                ),
            })
        } else if let [row] = rows[..] {
            Some(Finding::Suspicious {
                opened: line,
                column,
                why: format!("holds a line that reads as a row of {} fields (line {row})", headers.len()),
            })
        } else {
            None
        };
        match finding {
            Some(f @ Finding::Unclosed { .. }) => return Some(f),
            Some(f) if found.is_none() => found = Some(f),
            _ => {}
        }
        line += breaks;
    }
    found
}

/// The number of fields one line parses into.
/// Whether a line inside a field begins as the rows of an export do: with a quoted field, or
/// with a number (an id) and the delimiter. A paragraph of an article that happens to hold as
/// many commas as the header has fields does not (data/labels.csv has dozens of those, and
/// counting them refused the project's own corpus).
fn starts_like_a_row(line: &[u8], delimiter: u8) -> bool {
    let digits = line.iter().take_while(|b| b.is_ascii_digit()).count();
    line.first() == Some(&b'"')
        || (digits > 0 && line.get(digits) == Some(&delimiter))
        || short_fields_but_one(line, delimiter)
}

/// Every field but the longest is a short word without spaces (a label, an id, a date), as in
/// `text,label` rows; prose split at a comma has words on both sides.
fn short_fields_but_one(line: &[u8], delimiter: u8) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut csv = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(line);
    let mut record = csv::ByteRecord::new();
    if !matches!(csv.read_byte_record(&mut record), Ok(true)) || record.len() < 2 {
        return false;
    }
    let longest = (0..record.len()).max_by_key(|&i| record[i].len()).expect("two fields");
    (0..record.len()).filter(|&i| i != longest).all(|i| record[i].len() <= 40 && !record[i].contains(&b' '))
}

fn fields_in(line: &[u8], delimiter: u8) -> usize {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut csv = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(line);
    let mut record = csv::ByteRecord::new();
    match csv.read_byte_record(&mut record) {
        Ok(true) => record.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(input: &str) -> Vec<Finding> {
        let mut csv = csv::ReaderBuilder::new().from_reader(Tail::new(input.as_bytes()));
        let headers: Vec<String> = csv.headers().unwrap().iter().map(str::to_owned).collect();
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while csv.read_byte_record(&mut record).unwrap() {
            let line = record.position().unwrap().line();
            out.extend(check_record(&record, line, &headers, b',', csv.get_ref()));
        }
        out
    }

    #[test]
    fn a_closed_multi_line_field_is_fine() {
        assert_eq!(findings("id,text\n1,\"سطر\nسطر ثان\"\n2,نص\n"), vec![]);
        assert_eq!(findings("id,text\n1,\"سطر\nسطر ثان\""), vec![]);
    }

    #[test]
    fn a_quote_open_to_the_end_of_the_file_is_unclosed() {
        let f = findings("id,text\n1,نص\n2,\"بداية\nتكملة\nنهاية\n");
        assert!(
            matches!(&f[..], [Finding::Unclosed { opened: 3, why, .. }] if why.contains("end of the file")),
            "{f:?}"
        );
    }

    #[test]
    fn rows_folded_into_a_field_are_unclosed_and_one_is_suspicious() {
        let f = findings("id,text\n1,\"نص\n2,نص\n3,نص\n4,\"نص\"\n5,نص\n");
        assert!(matches!(&f[..], [Finding::Unclosed { opened: 2, .. }]), "{f:?}");
        let f = findings("id,text\n1,\"نص\n2,نص\"\n5,نص\n");
        assert!(matches!(&f[..], [Finding::Suspicious { opened: 2, .. }]), "{f:?}");
    }

    #[test]
    fn a_field_of_more_than_the_limit_of_lines_is_unclosed() {
        let long = "سطر\n".repeat(MAX_QUOTED_LINES as usize);
        let f = findings(&format!("id,text\n1,\"{long}\"\n"));
        assert!(matches!(&f[..], [Finding::Unclosed { opened: 2, .. }]), "{f:?}");
        let ok = "سطر\n".repeat(MAX_QUOTED_LINES as usize - 1);
        assert_eq!(findings(&format!("id,text\n1,\"{ok}\"\n")), vec![]);
    }
}
