//! Reading trace files into the arena: one reader per format, one [`sniff`] that picks it.
//!
//! [`load`] is the way in ([`FileStream`] for a file read as its bytes arrive). It undoes compression, sniffs the content, hands it to the reader,
//! and returns a [`FileReport`]: the format, how many spans and evaluations were stored, and
//! every problem with its place. A file that cannot be read at all leaves the arena exactly as it
//! was; a file with some bad parts (a bad JSON line, a span without ids) keeps its good parts and
//! reports the bad ones.
//!
//! ```
//! use plume::{ingest, model::Arena};
//!
//! let mut arena = Arena::default();
//! let report = ingest::load(&mut arena, "empty.json", br#"{"resourceSpans": []}"#);
//! assert_eq!(report.spans, 0);
//! assert!(report.errors.is_empty());
//! assert_eq!(report.warnings.len(), 1); // "no spans found"
//! ```
//!
//! Every reader maps its format onto the OTLP types of `opentelemetry-proto`, and one conversion
//! ([`otlp`]) stores those, so all formats agree on what a span is.

// Errors carry a file place and are returned once per file, line or batch, never per value:
// their size costs nothing measurable, and boxing them would cost clarity.
#![allow(clippy::result_large_err)]

pub(crate) mod compression;
mod error;
mod evaluations;
pub mod helper_wire;
mod jaeger;
mod json_path;
mod otlp;
mod otlp_json;
mod otlp_jsonl;
pub(crate) mod otlp_logs;
mod otlp_proto;
mod otlp_wire;

#[cfg(fuzzing)]
pub use otlp_proto::read_both_ways;
mod parquet;
mod phoenix;
mod phoenix_parquet;
mod sniff;
mod stream;
mod tags;
pub(crate) mod wire;
mod zipkin;
mod zipkin_proto;

pub use compression::{Codec, MAX_EXPANDED_HELD, expand_into, expanded_layers};
pub use error::{IngestError, Located, Place, Problem};
pub use parquet::{Assembled, assemble as assemble_parquet};
pub use sniff::{Detected, sniff};
pub use stream::{FileStream, SNIFF_BYTES};

use crate::model::{Arena, Format, SourceId};
use otlp::SpanWriter;
use otlp_proto::Signal;

/// What became of one file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileReport {
    /// The file's name.
    pub file: String,
    /// The detected format, when one was recognised.
    pub format: Option<Format>,
    /// Compression layers undone, outermost first.
    pub compression: Vec<Codec>,
    /// Spans stored.
    pub spans: usize,
    /// Evaluations stored.
    pub evaluations: usize,
    /// Log records stored (records already stored are not counted again).
    pub logs: usize,
    /// A price table, when the file is one.
    pub prices: Option<crate::semantics::PriceFile>,
    /// Problems that lost data: a part of the file (or all of it) was not read.
    pub errors: Vec<IngestError>,
    /// Problems that lost nothing: a value read with a fallback, a file with no spans.
    pub warnings: Vec<IngestError>,
}

impl FileReport {
    /// True when nothing in the file was lost.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// How many compression layers are undone (a `.json.gz.zst` has two; more is not a real file).
const MAX_COMPRESSION_LAYERS: usize = 3;

/// Reads one file into `arena`. See the module docs.
pub fn load(arena: &mut Arena, file: &str, bytes: &[u8]) -> FileReport {
    load_with_progress(arena, file, bytes, &mut |_| {})
}

/// [`load`], telling `progress` how many spans are stored so far, after every batch.
pub fn load_with_progress(
    arena: &mut Arena,
    file: &str,
    bytes: &[u8],
    progress: &mut dyn FnMut(usize),
) -> FileReport {
    let mut report = FileReport::new(file);
    let checkpoint = arena.checkpoint();
    let outcome = read_whole(arena, bytes, &mut report, progress);
    finish(arena, checkpoint, outcome, report)
}

/// Reads a whole file's bytes: undoes compression, sniffs, reads.
fn read_whole(
    arena: &mut Arena,
    bytes: &[u8],
    report: &mut FileReport,
    progress: &mut dyn FnMut(usize),
) -> Result<(), Located> {
    let file = report.file.clone();
    if bytes.is_empty() {
        return Err(Located::file(Problem::Empty));
    }
    let codec = match sniff(bytes) {
        Detected::Compressed(codec) => codec,
        Detected::Format(format) => return read(arena, &file, bytes, format, report, progress),
        Detected::Unrecognized(what) => {
            return Err(Located::file(Problem::NotRecognized(format!(
                "JSON: {what}"
            ))));
        }
        Detected::NotTraces(what) => return Err(Located::file(Problem::NotTraces(what))),
    };
    if report.compression.len() == MAX_COMPRESSION_LAYERS {
        return Err(Located::file(Problem::NotRecognized(format!(
            "more than {MAX_COMPRESSION_LAYERS} layers of compression"
        ))));
    }
    report.compression.push(codec);
    // The expanded content is read as a file of its own as it comes (its compression, if any,
    // undone the same way): what streams is never whole in memory, what is held whole bounded.
    let taken = std::mem::replace(report, FileReport::new(&file));
    let likely = codec
        .expanded_size(bytes)
        .map(|size| size.min(MAX_EXPANDED_HELD as u64));
    let mut expanded = FileStream::expanded(arena, taken, likely);
    let outcome = expand_into(
        MAX_EXPANDED_HELD,
        codec,
        bytes,
        &mut expanded,
        arena,
        progress,
    );
    let (taken, outcome) = expanded.end_expanded(outcome.map_err(Located::file), arena, progress);
    *report = taken;
    outcome
}

/// Reads a file where the helper's readers are (the helper worker itself, or natively): what
/// the engine would hand the helper is read as the helper reads it, the rest as [`load`] does.
pub fn load_here(arena: &mut Arena, file: &str, bytes: Vec<u8>) -> FileReport {
    match Helped::of(bytes) {
        Ok(Helped {
            format: None,
            content,
            ..
        }) => load_zstd_here(arena, file, &content),
        Ok(Helped {
            format: Some(format),
            compression,
            content,
        }) => {
            let tag = helper_wire::job_tag(format).unwrap_or_default();
            let answer = helper_wire::decode(&helper_wire::read(tag, &content));
            load_helped(arena, file, (format, compression), answer, &mut |_| {})
        }
        Err(bytes) => load(arena, file, &bytes),
    }
}

/// A zstd file read as the browser reads it: expanded a piece at a time (there, by the helper
/// worker) into a stream of its content.
pub fn load_zstd_here(arena: &mut Arena, file: &str, content: &[u8]) -> FileReport {
    let mut stream = FileStream::expanding(arena, file, Codec::Zstd);
    let mut expander = helper_wire::Expander::new(content);
    let expanded = loop {
        match expander.next_piece() {
            Ok(Some(piece)) => stream.feed_expanded(arena, Codec::Zstd, piece, &mut |_| {}),
            Ok(None) => break Ok(()),
            Err(message) => break Err(Codec::Zstd.corrupt(message)),
        }
        if stream.failed() {
            break Ok(());
        }
    };
    match stream.expanded_helped(expanded) {
        Some((format, compression, content)) => {
            let tag = helper_wire::job_tag(format).unwrap_or_default();
            let answer = helper_wire::decode(&helper_wire::read(tag, &content));
            load_helped(arena, file, (format, compression), answer, &mut |_| {})
        }
        None => stream.finish(arena, &mut |_| {}),
    }
}

/// The format of a file that, in the browser, its helper worker reads (parquet, Jaeger, Zipkin:
/// their readers would make what every page downloads a quarter larger), by its content; `None`
/// for any other, and for compressed content ([`Helped::of`] looks inside).
pub fn helped(content: &[u8]) -> Option<Format> {
    match sniff(content) {
        Detected::Format(
            format @ (Format::PhoenixTraceDataset
            | Format::JaegerJson
            | Format::ZipkinJson
            | Format::ZipkinProto),
        ) => Some(format),
        _ => None,
    }
}

/// A file the helper worker reads: its format, the compression undone to reach it, and its
/// content.
#[derive(Clone, Debug, PartialEq)]
pub struct Helped {
    /// Its format (one [`helped`] names); `None` (in the browser only): a zstd file, which the
    /// helper expands (the engine holds no zstd decoder) into a stream of its content.
    pub format: Option<Format>,
    /// Compression layers undone, outermost first.
    pub compression: Vec<Codec>,
    /// What the helper reads.
    pub content: Vec<u8>,
}

impl Helped {
    /// `bytes` as the helper reads them (Jaeger and Zipkin expanded first when compressed), or
    /// the bytes back when the helper does not read them.
    pub fn of(bytes: Vec<u8>) -> Result<Helped, Vec<u8>> {
        if cfg!(target_arch = "wasm32") && sniff(&bytes) == Detected::Compressed(Codec::Zstd) {
            return Ok(Helped {
                format: None,
                compression: Vec::new(),
                content: bytes,
            });
        }
        if let Some(format) = helped(&bytes) {
            return Ok(Helped {
                format: Some(format),
                compression: Vec::new(),
                content: bytes,
            });
        }
        let expanded = helped_inside(&bytes).and_then(|format| {
            let (compression, content) =
                expanded_layers(&bytes, MAX_COMPRESSION_LAYERS, None, MAX_EXPANDED_HELD)?;
            Some(Helped {
                format: Some(format),
                compression,
                content,
            })
        });
        expanded.ok_or(bytes)
    }

    /// What the helper reads, found inside a zstd file's content: its format, the compression
    /// undone (zstd first), and the content; a zstd file inside is refused (one layer of zstd
    /// is expanded in the browser: a file of many would start a helper each).
    pub fn inside_zstd(self) -> Result<(Format, Vec<Codec>, Vec<u8>), Problem> {
        let Some(format) = self.format else {
            return Err(Problem::Invalid(
                "zstd inside zstd: in the browser one layer is undone; expand it first, or read \
                 it with the plume CLI"
                    .into(),
            ));
        };
        let compression = [Codec::Zstd].into_iter().chain(self.compression).collect();
        Ok((format, compression, self.content))
    }
}

/// What the helper reads of a compressed file, by its first bytes expanded (`bytes` may be only
/// the file's start): the helped format inside, a Phoenix dataset aside.
fn helped_inside(bytes: &[u8]) -> Option<Format> {
    let peek = Some(SNIFF_BYTES);
    expanded_layers(bytes, MAX_COMPRESSION_LAYERS, peek, MAX_EXPANDED_HELD)
        .and_then(|(_, head)| helped(&head))
        .filter(|&format| format != Format::PhoenixTraceDataset)
}

/// Spans of another tracing system (Jaeger, Zipkin) as OpenTelemetry's translators map them,
/// not yet stored, with what went wrong on the way.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Translated {
    /// The spans, as OTLP batches.
    pub batches: Vec<opentelemetry_proto::tonic::trace::v1::ResourceSpans>,
    /// Parts that were not read.
    pub errors: Vec<Located>,
    /// What was read with a fallback, or said by the other system.
    pub warnings: Vec<Located>,
}

/// Reads a Jaeger or Zipkin file (`format`, as sniffed) into OTLP batches.
pub fn translate(format: Format, content: &[u8]) -> Result<Translated, Located> {
    let mut out = Translated::default();
    match format {
        Format::JaegerJson => jaeger::read(content, &mut out),
        Format::ZipkinJson => zipkin::read(content, &mut out),
        Format::ZipkinProto => zipkin_proto::read(content, &mut out),
        other => Err(Located::file(Problem::NotRecognized(format!(
            "{} is not Jaeger's or Zipkin's",
            other.name()
        )))),
    }?;
    Ok(out)
}

/// Stores translated spans (see [`translate`]) and their problems.
fn write_translated(translated: Translated, writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    writer.errors.extend(translated.errors);
    writer.warnings.extend(translated.warnings);
    writer.write(&translated.batches, &otlp::Origin::converted())?;
    Ok(())
}

/// Reads what the helper worker answered for a file in `format` ([`helped`]), reached through
/// `compression`, as [`load`] reads the file: a parquet file's rows ([`assemble_parquet`]) or a
/// Jaeger or Zipkin file's spans ([`translate`]).
pub fn load_helped(
    arena: &mut Arena,
    file: &str,
    (format, compression): (Format, Vec<Codec>),
    answer: Result<helper_wire::Answer, Located>,
    progress: &mut dyn FnMut(usize),
) -> FileReport {
    let mut report = FileReport::new(file);
    report.compression = compression;
    // A parquet file says which Phoenix table it is once its rows are read.
    if format != Format::PhoenixTraceDataset {
        report.format = Some(format);
    }
    let checkpoint = arena.checkpoint();
    let outcome = answer.and_then(|answer| {
        let source = arena.add_source(file, format)?;
        let mut writer = SpanWriter::new(arena, source, Some(progress));
        let written = match answer {
            helper_wire::Answer::Rows(table) => {
                write_assembled(table, source, &mut writer, &mut report)
            }
            helper_wire::Answer::Translated(spans) => write_translated(spans, &mut writer),
        };
        note(&mut report, &mut writer);
        written
    });
    finish(arena, checkpoint, outcome, report)
}

/// Writes a Phoenix parquet's rows and records which kind it was.
fn write_assembled(
    table: Assembled,
    source: SourceId,
    writer: &mut SpanWriter<'_>,
    report: &mut FileReport,
) -> Result<(), Located> {
    let actual = phoenix_parquet::write(table, writer)?;
    writer.arena.set_source_format(source, actual);
    report.format = Some(actual);
    Ok(())
}

/// Parquet found inside a file (the CLI's and the tests' way in; the browser's reaches it only
/// compressed, since the worker hands a plain parquet file to its helper before reading it).
#[cfg(not(target_arch = "wasm32"))]
fn assemble_here(content: &[u8]) -> Result<Assembled, Located> {
    parquet::assemble(content)
}

/// The engine's worker holds no parquet reader (its helper does, loaded when a parquet file
/// comes): parquet inside gzip is refused with the way around (inside zstd, the helper's own
/// codec, it goes back to the helper whole: [`Helped::inside_zstd`]).
#[cfg(target_arch = "wasm32")]
fn assemble_here(_content: &[u8]) -> Result<Assembled, Located> {
    Err(Located::file(Problem::Parquet(
        "a compressed parquet file: in the browser Plume reads parquet as it is (parquet \
         compresses its own pages); expand it first, or read it with the plume CLI"
            .into(),
    )))
}

/// Jaeger or Zipkin found inside a file, as [`assemble_here`] finds parquet.
#[cfg(not(target_arch = "wasm32"))]
fn translate_here(format: Format, content: &[u8]) -> Result<Translated, Located> {
    translate(format, content)
}

/// The engine's worker holds no Jaeger or Zipkin reader (its helper does, and reads them
/// expanded: [`Helped::of`]); one found only once expanded (past the first bytes that told the
/// helper's formats) is refused with the way around.
#[cfg(target_arch = "wasm32")]
fn translate_here(format: Format, _content: &[u8]) -> Result<Translated, Located> {
    Err(Located::file(Problem::NotRecognized(format!(
        "a compressed {} file: in the browser Plume reads Jaeger and Zipkin files as they \
         are; expand it first, or read it with the plume CLI",
        format.name()
    ))))
}

/// Reads one (uncompressed) file as `format`, without sniffing: for "open as…", and for fuzzing
/// each reader on its own.
pub fn load_as(arena: &mut Arena, file: &str, bytes: &[u8], format: Format) -> FileReport {
    let mut report = FileReport::new(file);
    let checkpoint = arena.checkpoint();
    let outcome = if bytes.is_empty() {
        Err(Located::file(Problem::Empty))
    } else {
        read(arena, file, bytes, format, &mut report, &mut |_| {})
    };
    finish(arena, checkpoint, outcome, report)
}

impl FileReport {
    fn new(file: &str) -> Self {
        FileReport {
            file: file.to_owned(),
            format: None,
            compression: Vec::new(),
            spans: 0,
            evaluations: 0,
            logs: 0,
            prices: None,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// Rolls a failed file back out of the arena, or notes an empty success.
fn finish(
    arena: &mut Arena,
    checkpoint: crate::model::Checkpoint,
    outcome: Result<(), Located>,
    mut report: FileReport,
) -> FileReport {
    let file = report.file.clone();
    if let Err(fatal) = outcome {
        // Nothing of a file that failed as a whole stays behind.
        arena.rollback(checkpoint);
        report.spans = 0;
        report.evaluations = 0;
        report.logs = 0;
        report.errors.push(fatal.in_file(&file));
    } else if report.spans == 0
        && report.evaluations == 0
        && report.logs == 0
        && report.prices.is_none()
        && report.is_ok()
        && report.warnings.is_empty()
    {
        report.warnings.push(
            Located::file(Problem::NoSpans(
                "the file parsed but holds no spans".into(),
            ))
            .in_file(&file),
        );
    }
    report
}

/// Hands sniffed content to its reader and records what it wrote.
fn read(
    arena: &mut Arena,
    file: &str,
    content: &[u8],
    format: Format,
    report: &mut FileReport,
    progress: &mut dyn FnMut(usize),
) -> Result<(), Located> {
    let source = arena.add_source(file, format)?;
    let mut writer = SpanWriter::new(arena, source, Some(progress));
    report.format = Some(format);
    let result = match format {
        Format::PhoenixTraceDataset | Format::PhoenixEvaluations => assemble_here(content)
            .and_then(|table| write_assembled(table, source, &mut writer, report)),
        Format::OtlpProto | Format::OtlpLogsProto => {
            otlp_proto::read(content, Signal::of(format), &mut writer)
        }
        Format::OtlpProtoFramed | Format::OtlpLogsProtoFramed => {
            otlp_proto::read_framed(content, 0, Signal::of(format), &mut writer)
        }
        Format::OtlpJson | Format::OtlpLogsJson => otlp_json::read(content, &mut writer),
        Format::OtlpJsonLines | Format::OtlpLogsJsonLines => {
            otlp_jsonl::read(content, 1, &mut writer)
        }
        Format::PhoenixSpansJsonLines => phoenix::read_jsonl(content, &mut writer),
        Format::PhoenixSpansJson => phoenix::read_json(content, &mut writer),
        Format::PhoenixRestJson => phoenix::read_rest(content, &mut writer),
        Format::PhoenixOtlpJson => otlp_json::otlpv1::read(content, &mut writer),
        Format::EvaluationsJsonLines => evaluations::read_jsonl(content, file, &mut writer),
        Format::EvaluationsCsv => evaluations::read_csv(content, file, &mut writer),
        Format::JaegerJson | Format::ZipkinJson | Format::ZipkinProto => {
            translate_here(format, content).and_then(|t| write_translated(t, &mut writer))
        }
        Format::PriceTable => read_prices(content, report),
    };
    note(report, &mut writer);
    result
}

/// A price table, into the report (it is the engine's to use, not the arena's). A table that
/// does not read, or has a wrong entry, fails whole: a table half used would price wrongly.
fn read_prices(content: &[u8], report: &mut FileReport) -> Result<(), Located> {
    use crate::semantics::prices::{PriceFile, PriceFileError};
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    // Placed by line and column (a price table is small: no JSON path is worth a second parse).
    let prices: PriceFile =
        serde_json::from_slice(content).map_err(|error| error::json_error(&error, None))?;
    prices.check().map_err(|error| {
        let json_path = match &error {
            PriceFileError::Entry { index, .. } => Some(format!("models[{index}]")),
            PriceFileError::Shape(_) => None,
        };
        let place = Place {
            json_path,
            ..Place::file()
        };
        Located::new(place, Problem::Invalid(error.to_string()))
    })?;
    report.prices = Some(prices);
    Ok(())
}

/// Moves what a writer counted and met into the report.
fn note(report: &mut FileReport, writer: &mut SpanWriter<'_>) {
    report.spans = writer.spans_written;
    report.evaluations = writer.evaluations_written;
    report.logs = writer.logs_written;
    let file = report.file.clone();
    report
        .errors
        .extend(writer.errors.drain(..).map(|e| e.in_file(&file)));
    report
        .warnings
        .extend(writer.warnings.drain(..).map(|e| e.in_file(&file)));
}
