//! A file read as its bytes arrive, so a big one is never whole in memory: OTLP protobuf (a body,
//! one top-level field at a time, or the Collector's frames), OTLP JSON Lines and one OTLP/JSON
//! request (a batch at a time: [`otlp_json::DocumentStream`]) are read record by record as soon
//! as each is complete, and their bytes dropped; gzip is expanded as it comes into a stream of
//! its own. Anything else (zstd, other JSON, parquet) is gathered and read whole at the end.
//!
//! Fed in one piece or in any cuts, a file gives the same arena and the same [`FileReport`]: the
//! format is sniffed from the first [`SNIFF_BYTES`] (or all, if fewer; for JSON, at least its
//! first line and a byte of the next), and a record is read only once it is whole, by the same
//! readers [`super::load`] uses.

use crate::ingest::compression::{Codec, GzipStream, MAX_EXPANDED_HELD, hand_on};
use crate::ingest::error::{Located, Problem};
use crate::ingest::otlp::{Counted, SpanWriter};
use crate::ingest::otlp_proto::Signal;
use crate::ingest::{Detected, FileReport, otlp_json, otlp_jsonl, otlp_proto, sniff};
use crate::model::{Arena, Checkpoint, Format, SourceId};

/// How much of a file is gathered before its format is decided: enough for a long first line of
/// JSON Lines.
pub const SNIFF_BYTES: usize = 1 << 20;

/// The most a sniff reads to know a file by its magic bytes (tar's, at 257): never decided on
/// fewer, however small the sniffing length a test sets.
const MAGIC_BYTES: usize = 262;

/// How long a first line of JSON is waited for before the file is gathered whole: past it, it
/// is one document (or JSON Lines with a huge first line, read whole as well), and taking room
/// for all of it at once beats growing a buffer by doubling.
const FIRST_LINE_BYTES: usize = 16 << 20;

/// A file being read: feed it chunks, then finish it.
pub struct FileStream {
    report: FileReport,
    checkpoint: Checkpoint,
    /// The file's size, when known: it tells a protobuf body from framed protobuf.
    size: Option<u64>,
    /// What the size is likely to be, when only that is known: room taken at once if the file
    /// is gathered whole.
    likely_size: Option<u64>,
    mode: Mode,
    /// Bytes received and not read yet.
    pending: Vec<u8>,
    /// Where `pending` starts in the file.
    offset: u64,
    /// What the writer counted in the parts read so far.
    counted: Counted,
    /// What ended the reading early; later bytes are dropped.
    fatal: Option<Located>,
    /// How much is gathered before the format is decided.
    sniff_bytes: usize,
    /// While sniffing JSON: where its first line ends, and how far that was searched for.
    first_newline: Option<usize>,
    scanned: usize,
    /// While sniffing JSON: how far past its first line only white space has come.
    blank_to: usize,
}

/// How a file is being read.
enum Mode {
    /// Too few bytes yet to tell.
    Sniffing,
    /// Gathered, and read whole at the end.
    Whole,
    /// A protobuf body, `batches` of its `resourceSpans` (or `resourceLogs`) read; a fault
    /// stops it.
    Body {
        source: SourceId,
        signal: Signal,
        batches: usize,
        problem: Option<Located>,
    },
    /// The Collector's length-prefixed frames.
    Frames { source: SourceId, signal: Signal },
    /// JSON Lines; `line` is the number of the first line of `pending`.
    Lines { source: SourceId, line: u64 },
    /// gzip, expanded as it comes into a stream of its own, which took the report. Until that
    /// stream knows how it reads its content, the compressed bytes are `kept`: content it must
    /// hold whole is gathered compressed instead (see [`FileStream::read_whole_records`]).
    Expanding {
        gzip: Box<GzipStream>,
        inner: Box<FileStream>,
        kept: Option<Vec<u8>>,
    },
    /// One OTLP/JSON document, a batch at a time.
    Document {
        source: SourceId,
        document: Box<otlp_json::DocumentStream>,
    },
}

impl FileStream {
    /// Starts reading file `file` of `size` bytes (if known) into `arena`.
    pub fn new(arena: &Arena, file: &str, size: Option<u64>) -> Self {
        Self {
            report: FileReport::new(file),
            checkpoint: arena.checkpoint(),
            size,
            likely_size: size,
            mode: Mode::Sniffing,
            pending: Vec::new(),
            offset: 0,
            counted: Counted::default(),
            fatal: None,
            sniff_bytes: SNIFF_BYTES,
            first_newline: None,
            scanned: 0,
            blank_to: 0,
        }
    }

    /// Reads content expanded from a compressed file, whose report (so far: its name and the
    /// compression undone) goes on in `report`; its size is not known, but may be `likely`.
    pub fn expanded(arena: &Arena, report: FileReport, likely: Option<u64>) -> Self {
        Self {
            report,
            likely_size: likely,
            ..Self::new(arena, "", None)
        }
    }

    /// Reads file `file`'s content as another worker expands it from `codec` (zstd in the
    /// browser): hand each piece to [`FileStream::feed_expanded`], then finish it.
    pub fn expanding(arena: &Arena, file: &str, codec: Codec) -> Self {
        let mut report = FileReport::new(file);
        report.compression.push(codec);
        Self::expanded(arena, report, None)
    }

    /// The next piece of content expanded from `codec`: read as [`FileStream::feed`] reads
    /// it, unless the stream would then hold more than [`MAX_EXPANDED_HELD`] bytes unread
    /// (content read whole, such as a JSON array of requests, that a small file inflates to):
    /// the file then fails, and later pieces are dropped.
    pub fn feed_expanded(
        &mut self,
        arena: &mut Arena,
        codec: Codec,
        piece: &[u8],
        progress: &mut dyn FnMut(usize),
    ) {
        if self.failed() {
            return;
        }
        if let Err(problem) = hand_on(MAX_EXPANDED_HELD, codec, piece, self, arena, progress) {
            self.fail(problem);
        }
    }

    /// Ends content another worker expanded (`expanded`: whether all of it came, or why not):
    /// content the helper reads (Jaeger, Zipkin, parquet inside zstd), gathered whole, to be read
    /// there instead of finishing this stream ([`super::Helped::inside_zstd`]); else `None`, and
    /// the stream is finished as any (failed, if `expanded` says so or zstd is inside).
    pub fn expanded_helped(
        &mut self,
        expanded: Result<(), Problem>,
    ) -> Option<(Format, Vec<Codec>, Vec<u8>)> {
        if let Err(problem) = expanded {
            self.fail(problem);
        }
        match self.take_helped()?.inside_zstd() {
            Ok(helped) => Some(helped),
            Err(problem) => {
                self.fail(problem);
                None
            }
        }
    }

    /// Stops reading: the file fails with `problem` (unless it already failed), and what it
    /// stored is undone when it is finished.
    pub fn fail(&mut self, problem: Problem) {
        if self.fatal.is_none() {
            self.fatal = Some(Located::file(problem));
        }
    }

    /// What has been read so far, the rest dropped unread (the file failed as a whole).
    pub fn into_report(self) -> FileReport {
        self.report
    }

    /// Ends content expanded from a compressed file: read to its end, or, when `expanded`
    /// failed, given up with what it read (undone with the file). The report, and the outcome.
    pub(crate) fn end_expanded(
        self,
        expanded: Result<(), Located>,
        arena: &mut Arena,
        progress: &mut dyn FnMut(usize),
    ) -> (FileReport, Result<(), Located>) {
        match expanded {
            Ok(()) => (self.finish(arena, progress), Ok(())),
            Err(fatal) => (self.into_report(), Err(fatal)),
        }
    }

    /// Whether reading has failed: later bytes are dropped unread.
    pub fn failed(&self) -> bool {
        self.fatal.is_some()
            || matches!(&self.mode, Mode::Expanding { inner, .. } if inner.failed())
    }

    /// Decides the format after `bytes` (rather than [`SNIFF_BYTES`]): small files then stream
    /// too, which is how tests and the fuzzer cut records at every place.
    pub fn sniffing(mut self, bytes: usize) -> Self {
        self.sniff_bytes = bytes;
        self
    }

    /// The whole file, when it is parquet, Jaeger or Zipkin ([`super::Helped::of`]): the
    /// browser's engine has it read by its helper ([`super::load_helped`]) instead of finishing
    /// the stream, which is then done with.
    pub fn take_helped(&mut self) -> Option<super::Helped> {
        let whole = matches!(self.mode, Mode::Sniffing | Mode::Whole) && self.offset == 0;
        if !whole || self.fatal.is_some() {
            return None;
        }
        match super::Helped::of(std::mem::take(&mut self.pending)) {
            Ok(helped) => Some(helped),
            Err(bytes) => {
                self.pending = bytes;
                None
            }
        }
    }

    /// Whether the file is gathered to be read whole at the end.
    pub(crate) fn holds_whole(&self) -> bool {
        matches!(self.mode, Mode::Whole)
    }

    /// Bytes received so far, whether read yet or not.
    pub fn received(&self) -> u64 {
        self.offset + self.pending.len() as u64
    }

    /// Bytes held, received but not read yet: what the stream costs in memory.
    pub fn held(&self) -> usize {
        let inner = match &self.mode {
            Mode::Expanding { inner, kept, .. } => inner.held() + kept.as_ref().map_or(0, Vec::len),
            _ => 0,
        };
        self.pending.len() + inner
    }

    /// Takes the next bytes of the file, and reads the records they complete. `progress` hears
    /// the spans stored so far.
    pub fn feed(&mut self, arena: &mut Arena, chunk: &[u8], progress: &mut dyn FnMut(usize)) {
        if self.failed() {
            self.offset += chunk.len() as u64;
            return;
        }
        self.pending.extend_from_slice(chunk);
        let sniffing = matches!(self.mode, Mode::Sniffing);
        let fresh = if sniffing && self.can_tell() {
            self.decide(arena);
            self.pending.len()
        } else {
            chunk.len()
        };
        self.read_whole_records(arena, fresh, progress);
    }

    /// Ends the file: reads what is left and says what came of it all. A file that failed as a
    /// whole leaves the arena as it was.
    pub fn finish(mut self, arena: &mut Arena, progress: &mut dyn FnMut(usize)) -> FileReport {
        // A failed file is not read further: its failure is what it says.
        if self.fatal.is_some() && !matches!(self.mode, Mode::Expanding { .. }) {
            let fatal = self.fatal.take().map_or(Ok(()), Err);
            return super::finish(arena, self.checkpoint, fatal, self.report);
        }
        if matches!(self.mode, Mode::Sniffing) {
            self.size = Some(self.received());
            self.decide(arena);
        }
        self.read_whole_records(arena, self.pending.len(), progress);
        if matches!(self.mode, Mode::Expanding { .. })
            && let Mode::Expanding { gzip, inner, .. } =
                std::mem::replace(&mut self.mode, Mode::Whole)
        {
            let mut inner = *inner;
            let expanded = match self.fatal.take() {
                Some(fatal) => Err(fatal),
                None => gzip
                    .finish(&mut inner, arena, progress)
                    .map_err(Located::file),
            };
            let (report, outcome) = inner.end_expanded(expanded, arena, progress);
            return super::finish(arena, self.checkpoint, outcome, report);
        }
        let rest = std::mem::take(&mut self.pending);
        let outcome = match self.fatal.take() {
            Some(fatal) => Err(fatal),
            None if matches!(self.mode, Mode::Sniffing | Mode::Whole) => {
                super::read_whole(arena, &rest, &mut self.report, progress)
            }
            None => read_records(
                &mut self.mode,
                &mut self.report,
                &mut self.counted,
                arena,
                Records {
                    bytes: &rest,
                    base: self.offset,
                    end: true,
                },
                progress,
            )
            .and_then(|_| match &mut self.mode {
                // A body ends as `otlp_proto::read` ends it.
                Mode::Body {
                    batches,
                    problem,
                    signal,
                    ..
                } => {
                    let outcome = otlp_proto::Outcome {
                        batches: *batches,
                        problem: problem.take(),
                    };
                    let problem = outcome.end(*signal)?;
                    let file = self.report.file.clone();
                    self.report
                        .errors
                        .extend(problem.map(|problem| problem.in_file(&file)));
                    Ok(())
                }
                _ => Ok(()),
            }),
        };
        super::finish(arena, self.checkpoint, outcome, self.report)
    }

    /// Whether enough has come to tell the format as the whole file would tell it: the sniffing
    /// length (at least the longest magic), past any byte-order mark and white space a few bytes
    /// of content (a frame's header is five); for JSON the end of its first line and a byte of
    /// the next (JSON Lines are told from one JSON document by their lines); for frames their
    /// first batch; otherwise a first line (CSV is told by it).
    fn can_tell(&mut self) -> bool {
        if self.pending.len() < self.sniff_bytes.max(MAGIC_BYTES) {
            return false;
        }
        // A Zipkin protobuf body is told from an OTLP one by its first message: wait for it
        // whole (an OTLP body's first `ResourceSpans` is not read before it is whole either).
        if crate::ingest::wire::first_message_cut_off(&self.pending) {
            return false;
        }
        let text = crate::ingest::sniff::skip_bom_and_space(&self.pending);
        let start = self.pending.len() - text.len();
        match text.first() {
            _ if text.len() < 5 => false,
            // A body whose first length byte reads as `{` or `[` is told from JSON by whether
            // its first bytes are text: as many as the sniff reads.
            Some(b'{' | b'[')
                if self.pending.first() == Some(&b'\n')
                    && self.pending.len() < crate::ingest::sniff::TEXT_BYTES =>
            {
                false
            }
            Some(b'{' | b'[') => {
                // Each byte is searched once, however small the chunks.
                if self.first_newline.is_none() {
                    let from = self.scanned.max(start);
                    self.first_newline =
                        memchr::memchr(b'\n', &self.pending[from..]).map(|at| from + at);
                    self.scanned = self.pending.len();
                }
                // What follows the first line tells lines from a document: the first byte that
                // is not white space (searched for once, too).
                if let Some(end) = self.first_newline {
                    let from = self.blank_to.max(end + 1);
                    if self.pending[from..]
                        .iter()
                        .any(|b| !b.is_ascii_whitespace())
                    {
                        return true;
                    }
                    self.blank_to = self.pending.len();
                }
                self.pending.len() >= FIRST_LINE_BYTES
            }
            // Frames: spans or logs is told by the first batch, so it must have come.
            _ if otlp_proto::looks_framed(&self.pending, usize::MAX)
                && !otlp_proto::first_batch_whole(self.pending.get(4..).unwrap_or_default())
                && self.pending.len() < FIRST_LINE_BYTES =>
            {
                false
            }
            // Evaluations as CSV are told by their first line.
            _ => memchr::memchr(b'\n', text).is_some() || self.pending.len() >= FIRST_LINE_BYTES,
        }
    }

    /// Decides from the bytes so far how the file is read.
    fn decide(&mut self, arena: &mut Arena) {
        let format = match sniff(&self.pending) {
            // An empty file is reported as the whole reader reports it.
            _ if self.pending.is_empty() => {
                self.mode = Mode::Whole;
                return;
            }
            Detected::Format(format @ (Format::OtlpProto | Format::OtlpLogsProto)) => {
                // Frames when the size allows the first; without the size (expanded content),
                // a body only when its first bytes could not open a frame of any size.
                let framed = match self.size {
                    Some(size) => otlp_proto::looks_framed(&self.pending, size as usize),
                    None if !otlp_proto::looks_framed(&self.pending, usize::MAX) => false,
                    None => {
                        self.gather_whole();
                        return;
                    }
                };
                let body = match framed {
                    true => self.pending.get(4..).unwrap_or_default(),
                    false => &self.pending[..],
                };
                // Spans or logs is told by the first batch: it must all have come.
                if !otlp_proto::first_batch_whole(body) {
                    self.gather_whole();
                    return;
                }
                match (framed, otlp_proto::carries_logs(body)) {
                    (true, true) => Format::OtlpLogsProtoFramed,
                    (true, false) => Format::OtlpProtoFramed,
                    (false, _) => format,
                }
            }
            // gzip streams, unless the helper reads what it holds (in the browser: the helper
            // gets it whole) or it is a layer too many (said when read whole).
            Detected::Compressed(Codec::Gzip)
                if self.report.compression.len() < super::MAX_COMPRESSION_LAYERS
                    && super::helped_inside(&self.pending).is_none() =>
            {
                self.report.compression.push(Codec::Gzip);
                let file = self.report.file.clone();
                let report = std::mem::replace(&mut self.report, FileReport::new(&file));
                self.mode = Mode::Expanding {
                    gzip: Box::new(GzipStream::stopping_when_held(MAX_EXPANDED_HELD)),
                    inner: Box::new(FileStream::expanded(arena, report, None)),
                    kept: Some(Vec::new()),
                };
                return;
            }
            // A file that is not traces is refused before it is gathered.
            Detected::NotTraces(what) => {
                self.fatal = Some(Located::file(Problem::NotTraces(what)));
                return;
            }
            Detected::Format(
                format @ (Format::OtlpProtoFramed
                | Format::OtlpLogsProtoFramed
                | Format::OtlpJsonLines
                | Format::OtlpLogsJsonLines),
            ) => format,
            Detected::Format(format @ (Format::OtlpJson | Format::OtlpLogsJson))
                if otlp_json::streams(&self.pending) =>
            {
                format
            }
            _ => {
                self.gather_whole();
                return;
            }
        };
        let source = match arena.add_source(&self.report.file, format) {
            Ok(source) => source,
            Err(full) => {
                self.fatal = Some(full.into());
                return;
            }
        };
        self.report.format = Some(format);
        let signal = Signal::of(format);
        self.mode = match format {
            Format::OtlpProto | Format::OtlpLogsProto => Mode::Body {
                source,
                signal,
                batches: 0,
                problem: None,
            },
            Format::OtlpProtoFramed | Format::OtlpLogsProtoFramed => {
                Mode::Frames { source, signal }
            }
            Format::OtlpJson | Format::OtlpLogsJson => Mode::Document {
                source,
                document: Box::default(),
            },
            _ => Mode::Lines { source, line: 1 },
        };
    }

    /// Leaves expanding as the bytes come for gathering the compressed file whole: what came so
    /// far was kept, and the expanding stream, which has read nothing, gives the report back.
    fn gather_compressed(&mut self) {
        let Mode::Expanding {
            inner,
            kept: Some(kept),
            ..
        } = std::mem::replace(&mut self.mode, Mode::Whole)
        else {
            return;
        };
        let mut report = inner.into_report();
        report.compression.pop();
        self.report = report;
        self.offset -= kept.len() as u64;
        self.pending = kept;
        self.gather_whole();
    }

    /// Gathers the file whole: room for all of it is taken at once (no doubling as it grows,
    /// which in a wasm memory leaves every smaller copy behind), or the file is too large for
    /// this memory.
    fn gather_whole(&mut self) {
        self.mode = Mode::Whole;
        let more = self
            .likely_size
            .map_or(0, |size| size.saturating_sub(self.received()));
        let room = usize::try_from(more).unwrap_or(usize::MAX);
        if self.pending.try_reserve_exact(room).is_err() {
            self.fatal = Some(Located::file(Problem::TooLarge(format!(
                "{more} more bytes do not fit in this memory"
            ))));
            self.offset += self.pending.len() as u64;
            self.pending = Vec::new();
        }
    }

    /// Reads the records `pending` holds whole, and drops their bytes; its last `fresh` bytes
    /// are new since the last call.
    fn read_whole_records(
        &mut self,
        arena: &mut Arena,
        fresh: usize,
        progress: &mut dyn FnMut(usize),
    ) {
        let base = self.offset;
        if let Mode::Expanding { gzip, inner, kept } = &mut self.mode {
            if let Some(kept) = kept {
                kept.extend_from_slice(&self.pending);
            }
            let expanded = gzip.feed(&self.pending, inner, arena, progress);
            if let Err(problem) = expanded {
                self.fatal = Some(Located::file(problem));
            }
            self.offset += self.pending.len() as u64;
            self.pending.clear();
            // (The stream stopped expanding once the content was held whole.)
            if kept.is_some() && (inner.failed() || !matches!(inner.mode, Mode::Sniffing)) {
                match inner.mode {
                    // Held whole, the content is gathered compressed (smaller, and its size
                    // then taken at once from gzip's trailer, as reading it whole does) rather
                    // than expanded into a buffer that grows by doubling.
                    Mode::Whole if self.fatal.is_none() && !inner.failed() => {
                        self.gather_compressed()
                    }
                    // Streamed (or failed): nothing to go back to, so expanding never stops.
                    _ => {
                        *kept = None;
                        gzip.never_stop();
                    }
                }
            }
            return;
        }
        let whole = match &self.mode {
            Mode::Sniffing | Mode::Whole | Mode::Expanding { .. } => return,
            // The document's reader keeps what it has only begun.
            Mode::Document { .. } => self.pending.len(),
            // After a fault the rest of a body is not read.
            Mode::Body {
                problem: Some(_), ..
            } => {
                self.offset += self.pending.len() as u64;
                self.pending.clear();
                return;
            }
            Mode::Body { .. } => otlp_proto::whole_fields(&self.pending),
            Mode::Frames { .. } => otlp_proto::whole_frames(&self.pending),
            // A line can only have ended in the new bytes.
            Mode::Lines { .. } => {
                let start = self.pending.len() - fresh.min(self.pending.len());
                let tail = &self.pending[start..];
                memchr::memrchr(b'\n', tail).map_or(0, |last| start + last + 1)
            }
        };
        if whole == 0 {
            return;
        }
        // Lines are read without the newline that ends the last one.
        let records = match self.mode {
            Mode::Lines { .. } => &self.pending[..whole - 1],
            _ => &self.pending[..whole],
        };
        let read = read_records(
            &mut self.mode,
            &mut self.report,
            &mut self.counted,
            arena,
            Records {
                bytes: records,
                base,
                end: false,
            },
            progress,
        );
        let done = match read {
            Ok(done) if matches!(self.mode, Mode::Document { .. }) => done,
            Ok(_) => whole,
            Err(fatal) => {
                self.fatal = Some(fatal);
                whole
            }
        };
        self.pending.drain(..done);
        self.offset += done as u64;
    }
}

/// Bytes of a file handed to its reader: from `base` in the file, and whether they are its `end`.
struct Records<'b> {
    bytes: &'b [u8],
    base: u64,
    end: bool,
}

/// Reads `records` (starting at `base` in the file) with the reader of `mode`: the whole records
/// at the start of what is pending, or at the `end` all that is left. What the writer counts and
/// meets goes on into `counted` and `report`. A body whose reading a fault stopped reads no more.
/// Returns how many of `records` are done with (a document's reader keeps a value it has only
/// begun).
fn read_records(
    mode: &mut Mode,
    report: &mut FileReport,
    counted: &mut Counted,
    arena: &mut Arena,
    Records {
        bytes: records,
        base,
        end,
    }: Records<'_>,
    progress: &mut dyn FnMut(usize),
) -> Result<usize, Located> {
    let (Mode::Body { source, .. }
    | Mode::Frames { source, .. }
    | Mode::Lines { source, .. }
    | Mode::Document { source, .. }) = &*mode
    else {
        return Ok(records.len());
    };
    let mut writer = SpanWriter::resume(arena, *source, Some(progress), *counted);
    let read = match mode {
        Mode::Body {
            problem: Some(_), ..
        } => Ok(()),
        Mode::Body {
            batches,
            problem,
            signal,
            ..
        } => otlp_proto::read_at(records, base, *batches, *signal, &mut writer)
            .map(|outcome| {
                *batches = outcome.batches;
                *problem = outcome.problem;
            })
            .map_err(Located::from),
        Mode::Frames { signal, .. } => otlp_proto::read_framed(records, base, *signal, &mut writer),
        Mode::Lines { line, .. } => {
            let read = otlp_jsonl::read(records, *line, &mut writer);
            *line += memchr::memchr_iter(b'\n', records).count() as u64 + 1;
            read
        }
        Mode::Document { document, .. } => {
            let read = document.read(records, base, end, &mut writer);
            *counted = writer.counted();
            super::note(report, &mut writer);
            return read;
        }
        Mode::Sniffing | Mode::Whole | Mode::Expanding { .. } => Ok(()),
    };
    *counted = writer.counted();
    super::note(report, &mut writer);
    read.map(|()| records.len())
}
