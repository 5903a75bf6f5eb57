//! What went wrong reading a file, and where.

use std::fmt;

/// A place in a file. Parts that do not apply stay `None`; a JSON Lines error has a line *and*
/// a JSON path inside that line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// 1-based line.
    pub line: Option<u64>,
    /// 1-based column within the line.
    pub column: Option<u64>,
    /// 0-based byte offset into the (decompressed) content.
    pub byte_offset: Option<u64>,
    /// Path from the document root, e.g. `resourceSpans[0].scopeSpans[1].spans[3].traceId`.
    pub json_path: Option<String>,
    /// A parquet column.
    pub column_name: Option<String>,
    /// 0-based row of a table.
    pub row: Option<u64>,
}

impl Place {
    /// The whole file.
    pub fn file() -> Self {
        Self::default()
    }

    /// A line.
    pub fn line(line: u64) -> Self {
        Self {
            line: Some(line),
            ..Self::default()
        }
    }

    /// A byte offset.
    pub fn byte(offset: u64) -> Self {
        Self {
            byte_offset: Some(offset),
            ..Self::default()
        }
    }

    /// A JSON path.
    pub fn path(path: impl Into<String>) -> Self {
        Self {
            json_path: Some(path.into()),
            ..Self::default()
        }
    }

    /// This place, inside the given line (for JSON Lines).
    pub fn in_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    fn is_file(&self) -> bool {
        *self == Self::default()
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(line) = self.line {
            parts.push(format!("line {line}"));
        }
        if let Some(column) = self.column {
            parts.push(format!("column {column}"));
        }
        if let Some(offset) = self.byte_offset {
            parts.push(format!("byte {offset}"));
        }
        if let Some(path) = &self.json_path {
            parts.push(format!("at {path}"));
        }
        if let Some(column) = &self.column_name {
            parts.push(format!("column {column:?}"));
        }
        if let Some(row) = self.row {
            parts.push(format!("row {row}"));
        }
        f.write_str(&parts.join(", "))
    }
}

/// What was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The file has no bytes.
    #[error("the file is empty")]
    Empty,
    /// No reader recognised the content.
    #[error("not a trace format Plume reads ({0})")]
    NotRecognized(String),
    /// A common kind of file that holds no traces (an image, a PDF, an archive…), named.
    #[error("this is {0}, not a trace file")]
    NotTraces(&'static str),
    /// Invalid JSON, or JSON of the wrong shape.
    #[error("{0}")]
    Json(String),
    /// Invalid protobuf (OTLP, or Zipkin's).
    #[error("invalid protobuf: {0}")]
    Protobuf(String),
    /// Invalid or unsupported parquet.
    #[error("parquet: {0}")]
    Parquet(String),
    /// A problem the helper worker found (see [`super::helper_wire`]), in the words it used.
    #[error("{0}")]
    FromHelper(String),
    /// The gzip or zstd stream is broken.
    #[error("{codec} data is corrupt: {message}")]
    Decompress {
        /// `gzip` or `zstd`.
        codec: &'static str,
        /// The decoder's words.
        message: String,
    },
    /// A value is present but unusable (a malformed id, a time before 1970, ...).
    #[error("{0}")]
    Invalid(String),
    /// The content parsed but holds no spans.
    #[error("no spans found ({0})")]
    NoSpans(String),
    /// The program that wrote the file left a warning in it (Jaeger's `warnings`): nothing was
    /// lost reading it, but the data may not be what it seems.
    #[error("{by} warns: {message}")]
    Warned {
        /// Who wrote the warning (`Jaeger`).
        by: &'static str,
        /// Its words.
        message: String,
    },
    /// Past a size limit.
    #[error("{0}")]
    TooLarge(String),
}

/// A problem in a named file at a place. Shown as `file: place: problem`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct IngestError {
    /// The file's name as the user gave it.
    pub file: String,
    /// Where in the file.
    pub place: Place,
    /// What was wrong.
    pub problem: Problem,
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.place.is_file() {
            write!(f, "{}: {}", self.file, self.problem)
        } else {
            write!(f, "{}: {}: {}", self.file, self.place, self.problem)
        }
    }
}

/// A problem not yet tied to a file name: what format readers return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// Where.
    pub place: Place,
    /// What.
    pub problem: Problem,
}

impl Located {
    /// A problem at a place.
    pub fn new(place: Place, problem: Problem) -> Self {
        Self { place, problem }
    }

    /// A problem with the whole file.
    pub fn file(problem: Problem) -> Self {
        Self::new(Place::file(), problem)
    }

    /// Names the file.
    pub fn in_file(self, file: &str) -> IngestError {
        IngestError {
            file: file.to_owned(),
            place: self.place,
            problem: self.problem,
        }
    }
}

impl From<crate::model::ArenaFull> for Located {
    fn from(full: crate::model::ArenaFull) -> Self {
        Located::file(Problem::TooLarge(full.to_string()))
    }
}

/// A `serde_json` error as a place (line, column) and a message without serde's position suffix.
pub fn json_error(error: &serde_json::Error, path: Option<String>) -> Located {
    let message = error.to_string();
    // serde_json appends " at line L column C"; the place carries those.
    let message = match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    };
    json_fault(message, error.line(), error.column(), path)
}

/// A fault in JSON at serde_json's place: `line` 1-based, `column` the bytes before the fault on
/// its line (0 for either: not known).
pub fn json_fault(message: String, line: usize, column: usize, path: Option<String>) -> Located {
    let place = Place {
        line: (line > 0).then_some(line as u64),
        column: (column > 0).then_some(column as u64),
        json_path: path.filter(|p| !p.is_empty()),
        ..Place::default()
    };
    Located::new(place, Problem::Json(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_file_place_and_problem() {
        let error = Located::new(
            Place {
                line: Some(3),
                json_path: Some("resourceSpans[0].scopeSpans[0].spans[1].traceId".into()),
                ..Place::default()
            },
            Problem::Invalid("\"xyz\" is not an id".into()),
        )
        .in_file("batch.jsonl");
        assert_eq!(
            error.to_string(),
            "batch.jsonl: line 3, at resourceSpans[0].scopeSpans[0].spans[1].traceId: \"xyz\" is not an id"
        );
        let whole = Located::file(Problem::Empty).in_file("x.json");
        assert_eq!(whole.to_string(), "x.json: the file is empty");
    }
}
