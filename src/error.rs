//! The library's one error type. Every message is written for the person running tagger: it
//! names the file, and the line and column where there is one, and says what to do.

use std::fmt;
use std::io;
use std::path::Path;

/// Where in an input a problem was found. Lines are 1-based, as editors show them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The file name as the user gave it, or `<stdin>`.
    pub source: String,
    pub line: Option<u64>,
    pub byte: Option<u64>,
    pub column: Option<String>,
    /// The file ends its lines with CRLF: the csv crate then reports a record as starting at
    /// the `\n` that ends the previous line, one line and one byte early.
    pub crlf: bool,
}

impl Location {
    pub fn file(source: impl Into<String>) -> Self {
        Location { source: source.into(), ..Location::default() }
    }

    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    pub fn at_byte(mut self, byte: u64) -> Self {
        self.byte = Some(byte);
        self
    }

    /// Where a CSV record starts, corrected for CRLF files.
    pub fn at_record(self, pos: &csv::Position) -> Self {
        let fix = u64::from(self.crlf);
        self.at_line(pos.line() + fix).at_byte(pos.byte() + fix)
    }

    pub fn in_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        if let Some(byte) = self.byte {
            write!(f, " (byte {byte})")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },

    /// The input is readable but not what tagger expects (CSV shape, encoding, labels...).
    #[error("{location}: {message}")]
    Input { location: Location, message: String },

    /// A hyperparameter or option is out of its allowed range.
    #[error("invalid {name}: {message}")]
    Params { name: &'static str, message: String },

    /// A model file is not a tagger model, is damaged, or is of another format version.
    #[error("{path}: {message}")]
    Model { path: String, message: String },

    /// The training data cannot give a model (no documents, a single topic...).
    #[error("{source_name}: {message}")]
    Training { source_name: String, message: String },

    /// The run was interrupted (SIGINT, SIGTERM or SIGHUP); partial output was removed.
    #[error("interrupted; no output was written")]
    Interrupted,

    /// Errors raised through linfa's traits.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl AsRef<Path>, source: io::Error) -> Self {
        Error::Io { path: path.as_ref().display().to_string(), source }
    }

    pub fn input(location: Location, message: impl Into<String>) -> Self {
        Error::Input { location, message: message.into() }
    }

    pub fn params(name: &'static str, message: impl Into<String>) -> Self {
        Error::Params { name, message: message.into() }
    }

    pub fn model(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Model { path: path.into(), message: message.into() }
    }

    pub fn training(source_name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Training { source_name: source_name.into(), message: message.into() }
    }

    /// True when the error is a closed pipe on output (`tagger ... | head`), which the CLI treats
    /// as a normal end.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Error::Io { source, .. } => source.kind() == io::ErrorKind::BrokenPipe,
            _ => false,
        }
    }
}
