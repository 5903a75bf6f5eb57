//! What Plume keeps in the browser (IndexedDB), in plain Rust: the schema, the records, and how a
//! trace is cut into chunks. `store/idb.rs` (wasm32) puts them into IndexedDB; the engine's worker
//! decides when.
//!
//! Schema version 5 — object stores, every key a string:
//!
//! | store | key | value | since |
//! |---|---|---|---|
//! | `traces` | trace id (hex) | [`TraceRecord`] as JSON: what the lists show, and where its chunks are | 1 |
//! | `chunks` | `<trace id>/<generation>/<n>` | up to [`CHUNK_SPANS`] spans of the trace as OTLP protobuf, then (since Plume 0.1 stored logs, schema unchanged) up to as many of its log records as an OTLP logs body, then the chunks of pieces added later; a span chunk written since 0.1 is an object `{otlp, origins}`: the bytes, and its [`Origins`] as JSON (a bare byte array still reads) | 1 |
//! | `evaluations` | `<n>`, zero-padded, one per load | the load's [`StoredEvaluation`]s as a JSON array | 2 |
//! | `files` | [`file_key`]: save time and a nonce | [`FileRecord`] as JSON: a saved file and the traces it brought | 3 |
//! | `prices` | [`StoredPriceFile::key`]: its place in load order | [`StoredPriceFile`] as JSON: a price table the user dropped | 4 |
//! | `annotations` | [`annotation_key`]: its target and name | a [`StoredEvaluation`] as JSON (`annotator` `HUMAN`): what a person noted, replaced when edited | 5 |
//! | `settings` | a setting's name: [`REDACTION_RULES`], [`CONNECTIONS`] | its value as JSON: the redaction rules ([`crate::redact::Rules`], the rules file's form); the servers connected to | 5 |
//!
//! Chunks are OTLP protobuf, so a stored trace reads back through the same ingest as a dropped
//! file, and the store holds nothing Plume could not also export.
//!
//! **No half traces.** A trace is written chunk by chunk (a transaction each), under a new
//! generation, and its record last: until the record commits, the trace does not exist for a
//! reader, and the previous generation (if any) is still whole. Chunks no record points at (an
//! import cut short, the generation a rewrite replaced) are [`stale_chunks`], deleted later.
//!
//! **Pieces are added, not rewritten.** Spans that come for a kept trace (its SDK's next batch, a
//! live piece) are written as chunks added after its generation's chunks, then its record with
//! the new count: a piece of k spans costs O(k). Chunk order means nothing (each chunk reads
//! alone, whatever it holds), so a generation is any sequence of span and log chunks; once the
//! pieces are many ([`compact`]) the trace is written whole under a new generation instead.

use serde::{Deserialize, Serialize};

use crate::analysis::Trace;
use crate::export::{encode_logs_proto, encode_proto};
use crate::model::{
    Annotator, Arena, ArenaFull, EvalTarget, Evaluation, Format, SourceId, SpanId, TraceId, Usage,
};
use crate::semantics::{CostTotal, ModelCalls, Prices, models_cost};

/// The database's name (of the page run on its own; embedded, see [`embedded_database`]).
pub const DATABASE: &str = "plume";

/// The database of a page embedded in pages of these origins (outermost last): apart from the
/// user's own, so that a page framing Plume never sees what the user kept, and each host sees
/// only what was kept in its frames.
pub fn embedded_database(ancestors: &[String]) -> String {
    format!("{DATABASE}@{}", ancestors.join(" "))
}
/// The schema version this code writes (IndexedDB's database version).
pub const SCHEMA_VERSION: u32 = 5;
/// The object store of trace records.
pub const TRACES: &str = "traces";
/// The object store of span chunks.
pub const CHUNKS: &str = "chunks";
/// The object store of evaluations.
pub const EVALUATIONS: &str = "evaluations";
/// The object store of saved files.
pub const FILES: &str = "files";
/// The object store of the user's price tables.
pub const PRICES: &str = "prices";
/// The object store of annotations.
pub const ANNOTATIONS: &str = "annotations";
/// The object store of settings the engine keeps (what the page keeps is in `localStorage`).
pub const SETTINGS: &str = "settings";
/// The setting of the redaction rules.
pub const REDACTION_RULES: &str = "redaction-rules";

/// The `settings` record of the servers connected to (JSON: a list of
/// [`crate::sources::Connection`], keys only where the user asked to remember them).
pub const CONNECTIONS: &str = "connections";
/// Spans per chunk at most: a transaction each, small enough to commit quickly.
pub const CHUNK_SPANS: usize = 2_000;

/// A stored trace: what the lists need without reading spans, and where its chunks are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceRecord {
    /// Hex trace id.
    pub trace_id: String,
    /// Which generation of chunks is the trace's current one.
    pub generation: u32,
    /// Chunks in that generation.
    pub chunks: u32,
    /// Spans in all.
    pub spans: u32,
    /// The project.
    pub project: String,
    /// The root span's name.
    pub name: String,
    /// The root span's OpenInference kind.
    pub kind: String,
    /// `ERROR` if any span failed, else the root's status.
    pub status: String,
    /// What it was asked and answered, what went wrong, for whom (flat in the stored JSON, as
    /// records written before it was a part of its own).
    #[serde(flatten)]
    pub gist: Gist,
    /// First start, ns since the epoch.
    pub start_nanos: u64,
    /// Last end, ns since the epoch.
    pub end_nanos: u64,
    /// Spans with an error.
    pub errors: u32,
    /// Tokens in all.
    pub tokens: u64,
    /// The session, if any.
    pub session: Option<String>,
    /// Its counted calls by model, so that the lists can price them without reading spans.
    #[serde(default)]
    pub models: Vec<StoredModelCalls>,
    /// Tokens of its counted calls.
    #[serde(default)]
    pub usage: Usage,
    /// Of its chunks, those added as pieces since it was last written whole (the last ones).
    #[serde(default)]
    pub pieces: u32,
    /// Spans it had when it was last written whole.
    #[serde(default)]
    pub whole_spans: u32,
}

/// What a trace (or span) was about, as a table row shows it: the start of what it was asked
/// and what it answered, what went wrong, and for whom.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Gist {
    /// The start of its input.
    pub input_preview: String,
    /// The start of what it answered.
    #[serde(default)]
    pub output_preview: String,
    /// What went wrong: a status message (for a trace, of its first failed span).
    #[serde(default)]
    pub error: String,
    /// Who it ran for (`user.id` and its kin).
    #[serde(default)]
    pub user: Option<String>,
}

impl Gist {
    /// A trace's.
    pub fn of_trace(arena: &Arena, trace: &Trace) -> Self {
        Self {
            input_preview: trace.input_preview(arena),
            output_preview: trace.output_preview(arena),
            error: trace.error_message(arena),
            user: trace.user(arena),
        }
    }
}

/// One model's calls in a stored trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredModelCalls {
    /// The model.
    pub model: String,
    /// The provider, as recorded.
    pub provider: String,
    /// What the calls came to.
    #[serde(flatten)]
    pub calls: ModelCalls,
}

impl TraceRecord {
    /// The record of `trace` written as `chunks` chunks of `generation`.
    pub fn of(arena: &Arena, trace: &Trace, generation: u32, chunks: u32) -> Self {
        let summary = &trace.summary;
        Self {
            trace_id: summary.trace_id.to_string(),
            generation,
            chunks,
            spans: summary.span_count,
            project: arena.str(summary.project).to_owned(),
            name: arena.str(summary.name).to_owned(),
            kind: summary.oi_kind.name().to_owned(),
            status: trace.status(arena).short_name().to_owned(),
            gist: Gist::of_trace(arena, trace),
            start_nanos: summary.start_unix_nanos,
            end_nanos: summary.end_unix_nanos,
            errors: summary.error_count,
            tokens: summary.usage.total().unwrap_or(0),
            session: summary.session.map(|s| arena.str(s).to_owned()),
            models: summary
                .models
                .iter()
                .map(|m| StoredModelCalls {
                    model: arena.str(m.model).to_owned(),
                    provider: arena.str(m.provider).to_owned(),
                    calls: m.calls.clone(),
                })
                .collect(),
            usage: summary.usage,
            pieces: 0,
            whole_spans: summary.span_count,
        }
    }

    /// The record of `trace` once `added` chunks of a piece are added to what `kept` holds.
    pub fn grown(arena: &Arena, trace: &Trace, kept: &TraceRecord, added: u32) -> Self {
        Self {
            pieces: kept.pieces + added,
            whole_spans: kept.whole_spans,
            ..Self::of(arena, trace, kept.generation, kept.chunks + added)
        }
    }

    /// What its calls cost with `prices`.
    pub fn cost(&self, prices: &Prices) -> CostTotal {
        let models = self
            .models
            .iter()
            .map(|m| (m.model.as_str(), m.provider.as_str(), &m.calls));
        models_cost(models, self.start_nanos, prices)
    }

    /// The key of chunk `n` of this record's generation.
    pub fn chunk_key(&self, n: u32) -> String {
        chunk_key(&self.trace_id, self.generation, n)
    }

    /// The keys of this record's chunks.
    pub fn chunk_keys(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.chunks).map(|n| self.chunk_key(n))
    }
}

/// The key of chunk `n` of `generation` of a trace.
pub fn chunk_key(trace_id: &str, generation: u32, n: u32) -> String {
    format!("{trace_id}/{generation}/{n}")
}

/// How many chunks `trace` is stored in: its spans', then its log records'.
pub fn chunk_count(arena: &Arena, trace: &Trace) -> u32 {
    let logs = arena.logs_of_trace(trace.summary.trace_id).count();
    (trace.tree.span.len().div_ceil(CHUNK_SPANS) + logs.div_ceil(CHUNK_SPANS)) as u32
}

/// Chunk `n` of `trace`: its spans `n * CHUNK_SPANS..` in tree order, as OTLP protobuf; past its
/// spans, its log records (every record naming the trace, on a loaded span or not) as an OTLP
/// logs body. One at a time, so storing a huge trace never holds all of it encoded at once.
pub fn chunk(arena: &Arena, trace: &Trace, n: u32) -> Option<StoredChunk> {
    let span_chunks = trace.tree.span.len().div_ceil(CHUNK_SPANS);
    match (n as usize).checked_sub(span_chunks) {
        None => {
            let spans = trace.tree.span.chunks(CHUNK_SPANS).nth(n as usize)?;
            Some(StoredChunk {
                otlp: encode_proto(arena, spans),
                origins: Some(Origins::of(arena, spans)),
            })
        }
        Some(log_chunk) => {
            let logs: Vec<_> = arena
                .logs_of_trace(trace.summary.trace_id)
                .skip(log_chunk * CHUNK_SPANS)
                .take(CHUNK_SPANS)
                .collect();
            (!logs.is_empty()).then(|| StoredChunk {
                otlp: encode_logs_proto(arena, &logs),
                origins: None,
            })
        }
    }
}

/// The chunks of spans (arena indices) of a trace that arrived after the rest was kept: they
/// are added to its generation after the chunks it has (a chunk reads alone, whatever it holds).
pub fn piece_chunks<'a>(
    arena: &'a Arena,
    spans: &'a [u32],
) -> impl Iterator<Item = StoredChunk> + 'a {
    spans.chunks(CHUNK_SPANS).map(|spans| StoredChunk {
        otlp: encode_proto(arena, spans),
        origins: Some(Origins::of(arena, spans)),
    })
}

/// Whether a trace kept as `kept`, which a piece is to bring to `spans` spans in `pieces` piece
/// chunks, is better written whole again: once it has grown four times over since it last was
/// (so re-encoding costs at most a third more than the trace: a constant per span) and its
/// pieces are more than one read brings back, or once they are so many that reading it back
/// would take too many reads (pieces of a few spans each).
pub fn compact(kept: &TraceRecord, spans: u32, pieces: u32) -> bool {
    let grown = spans.saturating_sub(kept.whole_spans) >= kept.whole_spans.saturating_mul(3);
    (pieces > 64 && grown) || pieces > 1024
}

/// A stored chunk: spans (or log records) as OTLP, and for spans where each came from, which
/// OTLP cannot say.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredChunk {
    /// OTLP protobuf.
    pub otlp: Vec<u8>,
    /// The files the spans came from, and their places in them (chunks written before Plume
    /// kept this have none).
    pub origins: Option<Origins>,
}

/// Where each span of a chunk came from: the file (its name and format) and the place in it
/// (line, row or index), in the chunk's order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Origins {
    /// The files: name and format name.
    pub sources: Vec<(String, String)>,
    /// Per span: its file's index in `sources`, and its place.
    pub spans: Vec<(u32, u32)>,
}

impl Origins {
    /// Where `spans` (arena indices) came from.
    pub fn of(arena: &Arena, spans: &[u32]) -> Self {
        let mut origins = Self::default();
        let mut index: hashbrown::HashMap<SourceId, u32> = hashbrown::HashMap::new();
        for &span in spans {
            let span = &arena.spans()[span as usize];
            let source = *index.entry(span.source).or_insert_with(|| {
                let (name, format) = arena.source(span.source).map_or_else(
                    || (String::new(), String::new()),
                    |s| (s.name.clone(), s.format.name().to_owned()),
                );
                origins.sources.push((name, format));
                origins.sources.len() as u32 - 1
            });
            origins.spans.push((source, span.source_location));
        }
        origins
    }

    /// Gives the spans from arena index `first` on (those read from this chunk, in its order)
    /// their files and places back. Nothing changes unless there is one origin a span.
    pub fn restore(&self, arena: &mut Arena, first: usize) -> Result<(), ArenaFull> {
        if arena.spans().len().checked_sub(first) != Some(self.spans.len()) {
            return Ok(());
        }
        let mut sources = Vec::with_capacity(self.sources.len());
        for (name, format) in &self.sources {
            let format = Format::ALL.into_iter().find(|f| f.name() == format);
            let known = arena
                .sources()
                .iter()
                .position(|s| s.name == *name && Some(s.format) == format);
            sources.push(match (known, format) {
                (Some(at), _) => Some(SourceId(at as u32)),
                (None, Some(format)) => Some(arena.add_source(name, format)?),
                (None, None) => None,
            });
        }
        for (offset, &(source, location)) in self.spans.iter().enumerate() {
            if let Some(Some(source)) = sources.get(source as usize) {
                arena.set_span_origin(first + offset, *source, location);
            }
        }
        Ok(())
    }
}

/// The chunk keys among `keys` that no record points at.
pub fn stale_chunks<'a>(records: &[TraceRecord], keys: &'a [String]) -> Vec<&'a str> {
    let current: hashbrown::HashSet<String> =
        records.iter().flat_map(TraceRecord::chunk_keys).collect();
    keys.iter()
        .filter(|key| !current.contains(key.as_str()))
        .map(String::as_str)
        .collect()
}

/// A file whose traces were saved: what the saved-files list shows, and the traces that
/// deleting the file deletes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Its key in the store ([`file_key`]).
    pub key: String,
    /// The file's name.
    pub name: String,
    /// The format it was read as.
    pub format: Option<String>,
    /// Its size.
    pub bytes: u64,
    /// When it was saved, ms since the epoch.
    pub saved_at_ms: u64,
    /// Spans it held.
    pub spans: u64,
    /// Hex ids of the traces it added spans to.
    pub traces: Vec<String>,
}

/// The key of a file saved at `saved_at_ms`: keys sort in save order, and the nonce keeps two
/// tabs saving in the same millisecond apart.
pub fn file_key(saved_at_ms: u64, nonce: u32) -> String {
    format!("{saved_at_ms:013}-{nonce:08x}")
}

/// A price table the user loaded, as kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredPriceFile {
    /// Its key: zero-padded load order, so keys sort as the tables were loaded.
    pub key: String,
    /// The file's name.
    pub name: String,
    /// The table.
    pub file: crate::semantics::PriceFile,
}

/// The key of the `n`th price table loaded.
pub fn price_file_key(n: u32) -> String {
    format!("{n:010}")
}

/// What an evaluation is of, by hex id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredTarget {
    /// A span.
    Span(String),
    /// A retrieved document of a span, by position.
    Document(String, u32),
    /// A whole trace.
    Trace(String),
}

/// An evaluation as the store keeps it (strings, not the arena's ids).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredEvaluation {
    /// What was evaluated.
    pub target: StoredTarget,
    /// The evaluation's name.
    pub name: String,
    /// Numeric score, if any.
    pub score: Option<f64>,
    /// Label, if any.
    pub label: Option<String>,
    /// Explanation, if any.
    pub explanation: Option<String>,
    /// Who made it (kept since annotations: older ones were evaluation files').
    #[serde(default)]
    pub annotator: Annotator,
}

impl StoredEvaluation {
    /// The stored form of an evaluation of the arena.
    pub fn of(arena: &Arena, evaluation: &Evaluation) -> Self {
        Self {
            target: match evaluation.target {
                EvalTarget::Span(id) => StoredTarget::Span(id.to_string()),
                EvalTarget::Document(id, n) => StoredTarget::Document(id.to_string(), n),
                EvalTarget::Trace(id) => StoredTarget::Trace(id.to_string()),
            },
            name: arena.str(evaluation.name).to_owned(),
            score: evaluation.score,
            label: evaluation.label.map(|l| arena.str(l).to_owned()),
            explanation: evaluation.explanation.map(|x| arena.str(x).to_owned()),
            annotator: evaluation.annotator,
        }
    }

    /// Puts it back into the arena, as coming from `source`; `None` if its ids do not parse.
    pub fn restore(&self, arena: &mut Arena, source: SourceId) -> Option<Result<(), ArenaFull>> {
        let evaluation = self.evaluation(arena, source)?;
        Some(evaluation.map(|e| arena.push_evaluation(e)))
    }

    /// It in the arena's terms (its strings interned); `None` if its ids do not parse.
    pub fn evaluation(
        &self,
        arena: &mut Arena,
        source: SourceId,
    ) -> Option<Result<Evaluation, ArenaFull>> {
        let target = match &self.target {
            StoredTarget::Span(id) => EvalTarget::Span(SpanId::parse(id).ok()?),
            StoredTarget::Document(id, n) => EvalTarget::Document(SpanId::parse(id).ok()?, *n),
            StoredTarget::Trace(id) => EvalTarget::Trace(TraceId::parse(id).ok()?),
        };
        let mut intern = |text: &str| arena.intern(text);
        let evaluation = (|| {
            Ok(Evaluation {
                target,
                name: intern(&self.name)?,
                score: self.score,
                label: self.label.as_deref().map(&mut intern).transpose()?,
                explanation: self.explanation.as_deref().map(&mut intern).transpose()?,
                source,
                annotator: self.annotator,
            })
        })();
        Some(evaluation)
    }
}

/// The key of an annotation: its target and its name (`span:<id>/review`), one per pair.
pub fn annotation_key(annotation: &StoredEvaluation) -> String {
    let target = match &annotation.target {
        StoredTarget::Span(id) => format!("span:{id}"),
        StoredTarget::Document(id, n) => format!("document:{id}:{n}"),
        StoredTarget::Trace(id) => format!("trace:{id}"),
    };
    format!("{target}/{}", annotation.name)
}

/// The key of the `n`th load's evaluations (zero-padded, so keys sort in load order).
pub fn evaluations_key(n: u32) -> String {
    format!("{n:010}")
}

#[cfg(target_arch = "wasm32")]
pub mod idb;

#[cfg(test)]
mod tests;
