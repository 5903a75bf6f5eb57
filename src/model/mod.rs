//! The span data: what every other layer reads and only `ingest` writes.
//!
//! An [`Arena`] holds every span of every loaded file in flat tables: spans are rows of
//! [`Span`] (≈130 bytes, no pointers), their attributes, events and links are row ranges
//! ([`Rows`]) into shared tables, and all text is interned once ([`Interner`]). A million spans
//! are a handful of large allocations, not millions of small ones.
//!
//! ```
//! use plume::model::{Arena, AnyValue, KeyValue};
//!
//! let mut arena = Arena::default();
//! let key = arena.intern("llm.model_name").unwrap();
//! let value = AnyValue::Str(arena.intern("gpt-4o").unwrap());
//! let rows = arena.push_attributes(&[KeyValue { key, value }]).unwrap();
//! assert_eq!(arena.attributes(rows).len(), 1);
//! ```

mod call;
mod ids;
mod log;
mod span;
mod strings;
mod time;
mod value;
mod vocabulary;

use std::hash::Hash;

use hashbrown::HashMap;

pub use call::{Call, Dialect, RecordedCost, TokenKind, Usage, Usd};
pub use ids::{IdError, SpanId, TraceId};
pub use log::LogRecord;
pub use span::{Event, Link, OiKind, ResourceId, ScopeId, SourceId, Span, SpanKind, StatusCode};
pub use strings::{Caseless, Interner, InternerFull, StrId, StrSet};
pub use time::{format_rfc3339_nanos, parse_rfc3339_nanos, unix_nanos_from_epoch_number};
pub use value::{AnyValue, KeyValue, Rows};
pub use vocabulary::Known;

/// Project name used when a resource names none.
pub const DEFAULT_PROJECT: &str = "default";

/// The formats Plume reads; recorded on every [`Source`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// An OTLP/HTTP protobuf body (`ExportTraceServiceRequest` or `TracesData`).
    OtlpProto,
    /// The Collector file exporter's protobuf framing: 4-byte big-endian length, message, …
    OtlpProtoFramed,
    /// One OTLP/JSON document (or a top-level array of them).
    OtlpJson,
    /// JSON Lines, one OTLP/JSON request per line (the Collector file exporter).
    OtlpJsonLines,
    /// An OTLP/HTTP protobuf logs body (`ExportLogsServiceRequest` or `LogsData`).
    OtlpLogsProto,
    /// The Collector file exporter's protobuf framing of logs requests.
    OtlpLogsProtoFramed,
    /// One OTLP/JSON logs document (or a top-level array of them).
    OtlpLogsJson,
    /// JSON Lines, one OTLP/JSON logs request per line.
    OtlpLogsJsonLines,
    /// Phoenix's spans dataframe as JSON Lines (`df.to_json(orient="records", lines=True)`).
    PhoenixSpansJsonLines,
    /// Phoenix's spans dataframe as one JSON array of records (`df.to_json(orient="records")`).
    PhoenixSpansJson,
    /// Phoenix REST `GET /v1/projects/{p}/spans`: `{data: [...], next_cursor}`.
    PhoenixRestJson,
    /// Phoenix REST `GET /v1/projects/{p}/spans/otlpv1`: `{data: [OTLP span, ...], next_cursor}`,
    /// the spans in OTLP/JSON with snake_case keys.
    PhoenixOtlpJson,
    /// Phoenix `TraceDataset.save()` parquet.
    PhoenixTraceDataset,
    /// Phoenix `SpanEvaluations` / `DocumentEvaluations` / `TraceEvaluations` parquet.
    PhoenixEvaluations,
    /// Evaluation results as JSON Lines (`span_id`, `score`, `label`, `explanation`).
    EvaluationsJsonLines,
    /// Evaluation results as CSV with a header row.
    EvaluationsCsv,
    /// Jaeger UI's JSON download (`{data: [{traceID, spans, processes}]}`), or one such trace.
    JaegerJson,
    /// Zipkin v2 JSON (an array of spans, or an array of traces).
    ZipkinJson,
    /// A price table (Plume's `prices.json` shape): what model calls cost.
    PriceTable,
    /// Zipkin v2 protobuf (`ListOfSpans`, what OpenTelemetry's Zipkin protobuf exporters send).
    ZipkinProto,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 20] = [
        Self::OtlpProto,
        Self::OtlpProtoFramed,
        Self::OtlpJson,
        Self::OtlpJsonLines,
        Self::OtlpLogsProto,
        Self::OtlpLogsProtoFramed,
        Self::OtlpLogsJson,
        Self::OtlpLogsJsonLines,
        Self::PhoenixSpansJsonLines,
        Self::PhoenixSpansJson,
        Self::PhoenixRestJson,
        Self::PhoenixOtlpJson,
        Self::PhoenixTraceDataset,
        Self::PhoenixEvaluations,
        Self::EvaluationsJsonLines,
        Self::EvaluationsCsv,
        Self::JaegerJson,
        Self::ZipkinJson,
        Self::PriceTable,
        Self::ZipkinProto,
    ];

    /// A short stable name, used by the CLI's JSON output and the UI.
    pub fn name(self) -> &'static str {
        match self {
            Self::OtlpProto => "otlp-proto",
            Self::OtlpProtoFramed => "otlp-proto-framed",
            Self::OtlpJson => "otlp-json",
            Self::OtlpJsonLines => "otlp-jsonl",
            Self::OtlpLogsProto => "otlp-logs-proto",
            Self::OtlpLogsProtoFramed => "otlp-logs-proto-framed",
            Self::OtlpLogsJson => "otlp-logs-json",
            Self::OtlpLogsJsonLines => "otlp-logs-jsonl",
            Self::PhoenixSpansJsonLines => "phoenix-spans-jsonl",
            Self::PhoenixSpansJson => "phoenix-spans-json",
            Self::PhoenixRestJson => "phoenix-rest-json",
            Self::PhoenixOtlpJson => "phoenix-otlp-json",
            Self::PhoenixTraceDataset => "phoenix-trace-dataset",
            Self::PhoenixEvaluations => "phoenix-evaluations",
            Self::EvaluationsJsonLines => "evaluations-jsonl",
            Self::EvaluationsCsv => "evaluations-csv",
            Self::JaegerJson => "jaeger-json",
            Self::ZipkinJson => "zipkin-json",
            Self::PriceTable => "prices",
            Self::ZipkinProto => "zipkin-proto",
        }
    }

    /// What a span's [`Span::source_location`] counts in this format.
    pub fn location_unit(self) -> LocationUnit {
        match self {
            Self::OtlpJsonLines
            | Self::OtlpLogsJsonLines
            | Self::PhoenixSpansJsonLines
            | Self::EvaluationsJsonLines
            | Self::EvaluationsCsv => LocationUnit::Line,
            Self::PhoenixTraceDataset | Self::PhoenixEvaluations => LocationUnit::Row,
            _ => LocationUnit::SpanIndex,
        }
    }
}

/// The unit of [`Span::source_location`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocationUnit {
    /// 0-based index of the span among the file's spans.
    SpanIndex,
    /// 1-based line number.
    Line,
    /// 0-based row of a table.
    Row,
}

/// An input file.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// The file's name, as the user gave it.
    pub name: String,
    /// What it was read as.
    pub format: Format,
}

/// A resource: the entity (service, process) that produced spans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Resource {
    /// Rows of the attribute table.
    pub attributes: Rows,
    /// Attributes the producer dropped.
    pub dropped_attributes_count: u32,
    /// `ResourceSpans.schema_url`.
    pub schema_url: StrId,
    /// `openinference.project.name`, else `service.name`, else [`DEFAULT_PROJECT`].
    pub project: StrId,
}

/// An instrumentation scope (library) that produced spans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scope {
    /// Scope name.
    pub name: StrId,
    /// Scope version.
    pub version: StrId,
    /// Rows of the attribute table.
    pub attributes: Rows,
    /// Attributes the producer dropped.
    pub dropped_attributes_count: u32,
    /// `ScopeSpans.schema_url`.
    pub schema_url: StrId,
}

/// What an evaluation is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvalTarget {
    /// A span.
    Span(SpanId),
    /// One retrieved document of a span, by its position.
    Document(SpanId, u32),
    /// A whole trace.
    Trace(TraceId),
}

/// Who made an evaluation or an annotation: Phoenix's `annotator_kind`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Annotator {
    /// A model judged it (what evaluation files hold unless they say).
    #[default]
    Llm,
    /// Code judged it.
    Code,
    /// A person did: an annotation.
    Human,
}

impl Annotator {
    /// Phoenix's name for it: `LLM`, `CODE`, `HUMAN`.
    pub fn name(self) -> &'static str {
        match self {
            Annotator::Llm => "LLM",
            Annotator::Code => "CODE",
            Annotator::Human => "HUMAN",
        }
    }

    /// From Phoenix's name (any case).
    pub fn parse(name: &str) -> Option<Self> {
        [Annotator::Llm, Annotator::Code, Annotator::Human]
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// One evaluation result (Phoenix's `SpanEvaluations` and kin), or an annotation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// What was evaluated.
    pub target: EvalTarget,
    /// The evaluation's name, e.g. `correctness`.
    pub name: StrId,
    /// Numeric score, if any.
    pub score: Option<f64>,
    /// Label, if any.
    pub label: Option<StrId>,
    /// Explanation, if any.
    pub explanation: Option<StrId>,
    /// The file it came from (an annotation made in Plume: `SourceId::default()`, which says
    /// nothing; its `annotator` tells it apart).
    pub source: SourceId,
    /// Who made it.
    pub annotator: Annotator,
}

/// The rows of `table` an index lists.
fn indexed<'a>(
    table: &'a [Evaluation],
    rows: Option<&'a Vec<u32>>,
) -> impl DoubleEndedIterator<Item = &'a Evaluation> {
    rows.into_iter()
        .flatten()
        .filter_map(|&row| table.get(row as usize))
}

/// A position in the arena's tables, to undo a failed file's partial writes.
#[derive(Clone, Copy, Debug)]
pub struct Checkpoint {
    spans: usize,
    attributes: usize,
    array_values: usize,
    blobs: usize,
    events: usize,
    links: usize,
    resources: usize,
    scopes: usize,
    sources: usize,
    evaluations: usize,
    calls: usize,
    logs: usize,
}

/// All loaded spans and what they refer to. See the module docs.
#[derive(Clone)]
pub struct Arena {
    strings: Interner,
    spans: Vec<Span>,
    /// What is known of model calls; a span points at its row with [`Span::call`].
    calls: Vec<Call>,
    attributes: Vec<KeyValue>,
    array_values: Vec<AnyValue>,
    blobs: Vec<Box<[u8]>>,
    events: Vec<Event>,
    links: Vec<Link>,
    resources: Vec<Resource>,
    resource_dedup: HashMap<ContentKey, ResourceId>,
    scopes: Vec<Scope>,
    scope_dedup: HashMap<ContentKey, ScopeId>,
    sources: Vec<Source>,
    evaluations: Vec<Evaluation>,
    /// Rows of `evaluations` about each span (the span or one of its documents), in load order.
    span_evaluations: HashMap<SpanId, Vec<u32>>,
    /// Rows of `evaluations` about each whole trace, in load order.
    trace_evaluations: HashMap<TraceId, Vec<u32>>,
    /// What people noted ([`Arena::annotate`]): one per target and name, edited in place; a
    /// failed load's rollback leaves them as they are.
    annotations: Vec<Evaluation>,
    /// Rows of `annotations` by target and name, about each span, and about each trace.
    annotation_rows: HashMap<(EvalTarget, StrId), u32>,
    span_annotations: HashMap<SpanId, Vec<u32>>,
    trace_annotations: HashMap<TraceId, Vec<u32>>,
    /// The annotations set or removed since [`Arena::take_annotation_changes`].
    annotation_changes: Vec<(EvalTarget, StrId)>,
    logs: Vec<LogRecord>,
    /// Rows of `logs` naming each span, in load order.
    span_logs: HashMap<SpanId, Vec<u32>>,
    /// Rows of `logs` naming each trace, in load order.
    trace_logs: HashMap<TraceId, Vec<u32>>,
    /// Each record's content and row, so that a record read twice (the same file dropped
    /// again, a trace read back from the store) is kept once.
    log_dedup: HashMap<ContentKey, u32>,
}

/// Drops the rows at or past `end` from an index of table rows.
fn keep_rows_below<K>(index: &mut HashMap<K, Vec<u32>>, end: u32) {
    index.retain(|_, rows| {
        rows.retain(|&row| row < end);
        !rows.is_empty()
    });
}

/// A value's type tag and bits (nested values by their rows).
fn value_bits(value: AnyValue) -> [u64; 2] {
    match value {
        AnyValue::Empty => [0, 0],
        AnyValue::Str(id) => [1, u64::from(id.index())],
        AnyValue::Bool(b) => [2, u64::from(b)],
        AnyValue::Int(n) => [3, n as u64],
        AnyValue::Double(x) => [4, x.to_bits()],
        AnyValue::Bytes(i) => [5, u64::from(i)],
        AnyValue::Array(r) => [6, u64::from(r.start) << 32 | u64::from(r.len)],
        AnyValue::KvList(r) => [7, u64::from(r.start) << 32 | u64::from(r.len)],
    }
}

/// Identity of a resource or scope by content: interned ids and scalar bits. Nested arrays and
/// lists compare by position, so equal resources with nested values may be stored twice — harmless.
type ContentKey = Vec<u64>;

/// The arena ran out of `u32` row numbers or string space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too much data for one arena (more than 4 billion rows or 4 GiB of text)")]
pub struct ArenaFull;

impl From<InternerFull> for ArenaFull {
    fn from(_: InternerFull) -> Self {
        ArenaFull
    }
}

impl Default for Arena {
    fn default() -> Self {
        let mut strings = Interner::default();
        for known in Known::ALL {
            let id = strings.intern(known.text());
            debug_assert_eq!(id, Ok(known.id()), "{known:?} is interned at its fixed id");
        }
        Self {
            strings,
            spans: Vec::new(),
            calls: Vec::new(),
            attributes: Vec::new(),
            array_values: Vec::new(),
            blobs: Vec::new(),
            events: Vec::new(),
            links: Vec::new(),
            resources: Vec::new(),
            resource_dedup: HashMap::new(),
            scopes: Vec::new(),
            scope_dedup: HashMap::new(),
            sources: Vec::new(),
            evaluations: Vec::new(),
            span_evaluations: HashMap::new(),
            trace_evaluations: HashMap::new(),
            annotations: Vec::new(),
            annotation_rows: HashMap::new(),
            span_annotations: HashMap::new(),
            trace_annotations: HashMap::new(),
            annotation_changes: Vec::new(),
            logs: Vec::new(),
            span_logs: HashMap::new(),
            trace_logs: HashMap::new(),
            log_dedup: HashMap::new(),
        }
    }
}

fn rows_after<T>(table: &mut Vec<T>, items: &[T]) -> Result<Rows, ArenaFull>
where
    T: Clone,
{
    let start = u32::try_from(table.len()).map_err(|_| ArenaFull)?;
    let len = u32::try_from(items.len()).map_err(|_| ArenaFull)?;
    start.checked_add(len).ok_or(ArenaFull)?;
    table.extend_from_slice(items);
    Ok(Rows { start, len })
}

fn next_index<T>(table: &[T]) -> Result<u32, ArenaFull> {
    u32::try_from(table.len()).map_err(|_| ArenaFull)
}

impl Arena {
    // ---- reading -------------------------------------------------------------------------

    /// The text of an interned string.
    pub fn str(&self, id: StrId) -> &str {
        self.strings.get(id)
    }

    /// The string table.
    pub fn strings(&self) -> &Interner {
        &self.strings
    }

    /// Every span, in load order.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// What is known of the model call `span` made (or sums), if anything.
    pub fn call(&self, span: &Span) -> Option<&Call> {
        self.calls.get(span.call as usize)
    }

    /// The attributes in `rows`.
    pub fn attributes(&self, rows: Rows) -> &[KeyValue] {
        self.attributes.get(rows.range()).unwrap_or(&[])
    }

    /// The array elements in `rows`.
    pub fn array_values(&self, rows: Rows) -> &[AnyValue] {
        self.array_values.get(rows.range()).unwrap_or(&[])
    }

    /// A bytes value.
    pub fn blob(&self, index: u32) -> &[u8] {
        self.blobs.get(index as usize).map_or(&[], |blob| blob)
    }

    /// The events in `rows`.
    pub fn events(&self, rows: Rows) -> &[Event] {
        self.events.get(rows.range()).unwrap_or(&[])
    }

    /// The links in `rows`.
    pub fn links(&self, rows: Rows) -> &[Link] {
        self.links.get(rows.range()).unwrap_or(&[])
    }

    /// Every resource.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// One resource.
    pub fn resource(&self, id: ResourceId) -> Option<&Resource> {
        self.resources.get(id.0 as usize)
    }

    /// Every scope.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// One scope.
    pub fn scope(&self, id: ScopeId) -> Option<&Scope> {
        self.scopes.get(id.0 as usize)
    }

    /// Every input file.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// One input file.
    pub fn source(&self, id: SourceId) -> Option<&Source> {
        self.sources.get(id.0 as usize)
    }

    /// Every evaluation.
    pub fn evaluations(&self) -> &[Evaluation] {
        &self.evaluations
    }

    /// The evaluations of a span and of its documents, in load order, then its annotations.
    pub fn evaluations_of_span(&self, id: SpanId) -> impl DoubleEndedIterator<Item = &Evaluation> {
        let annotations = self.span_annotations.get(&id);
        indexed(&self.evaluations, self.span_evaluations.get(&id))
            .chain(indexed(&self.annotations, annotations))
    }

    /// The evaluations of a whole trace, in load order, then its annotations.
    pub fn evaluations_of_trace(
        &self,
        id: TraceId,
    ) -> impl DoubleEndedIterator<Item = &Evaluation> {
        let annotations = self.trace_annotations.get(&id);
        indexed(&self.evaluations, self.trace_evaluations.get(&id))
            .chain(indexed(&self.annotations, annotations))
    }

    /// The annotations set or removed since the last call (target and name), in order.
    pub fn take_annotation_changes(&mut self) -> Vec<(EvalTarget, StrId)> {
        std::mem::take(&mut self.annotation_changes)
    }

    /// The annotation of `target` named `name`, if there is one.
    pub fn annotation(&self, target: EvalTarget, name: StrId) -> Option<&Evaluation> {
        let row = *self.annotation_rows.get(&(target, name))?;
        self.annotations.get(row as usize)
    }

    /// What people noted here, in the order they first did.
    pub fn annotations(&self) -> &[Evaluation] {
        &self.annotations
    }

    /// Sets `annotation`, replacing the one of its target and name if there is one (made by a
    /// person: [`Annotator::Human`] whatever it says).
    pub fn annotate(&mut self, mut annotation: Evaluation) {
        annotation.annotator = Annotator::Human;
        let key = (annotation.target, annotation.name);
        self.annotation_changes.push(key);
        match self.annotation_rows.get(&key) {
            Some(&row) => self.annotations[row as usize] = annotation,
            None => {
                let row = self.annotations.len() as u32;
                self.annotations.push(annotation);
                self.index_annotation(row);
            }
        }
    }

    /// Removes the annotation of `target` named `name`; whether there was one.
    pub fn remove_annotation(&mut self, target: EvalTarget, name: StrId) -> bool {
        let Some(row) = self.annotation_rows.get(&(target, name)).copied() else {
            return false;
        };
        self.annotation_changes.push((target, name));
        self.annotations.remove(row as usize);
        self.annotation_rows.clear();
        self.span_annotations.clear();
        self.trace_annotations.clear();
        for row in 0..self.annotations.len() as u32 {
            self.index_annotation(row);
        }
        true
    }

    fn index_annotation(&mut self, row: u32) {
        let annotation = &self.annotations[row as usize];
        self.annotation_rows
            .insert((annotation.target, annotation.name), row);
        match annotation.target {
            EvalTarget::Span(id) | EvalTarget::Document(id, _) => {
                self.span_annotations.entry(id).or_default().push(row)
            }
            EvalTarget::Trace(id) => self.trace_annotations.entry(id).or_default().push(row),
        }
    }

    /// Every log record, in load order.
    pub fn logs(&self) -> &[LogRecord] {
        &self.logs
    }

    /// The log records naming `span` (its trace and span ids), in load order.
    pub fn logs_of_span<'a>(&'a self, span: &'a Span) -> impl Iterator<Item = &'a LogRecord> {
        self.indexed_logs(self.span_logs.get(&span.span_id))
            .filter(move |log| log.trace_id.is_none_or(|t| t == span.trace_id))
    }

    /// The log records naming trace `id`, in load order.
    pub fn logs_of_trace(&self, id: TraceId) -> impl Iterator<Item = &LogRecord> {
        self.indexed_logs(self.trace_logs.get(&id))
    }

    /// The log records of every trace the spans (arena indices) belong to, trace by trace.
    pub fn logs_of_traces_of(&self, spans: &[u32]) -> Vec<&LogRecord> {
        let mut traces: Vec<TraceId> = (spans.iter())
            .filter_map(|&i| self.spans.get(i as usize))
            .map(|span| span.trace_id)
            .collect();
        traces.sort_unstable();
        traces.dedup();
        (traces.into_iter())
            .flat_map(|id| self.logs_of_trace(id))
            .collect()
    }

    fn indexed_logs<'a>(
        &'a self,
        rows: Option<&'a Vec<u32>>,
    ) -> impl Iterator<Item = &'a LogRecord> + 'a {
        rows.into_iter()
            .flatten()
            .filter_map(|&row| self.logs.get(row as usize))
    }

    /// The project a span belongs to.
    pub fn project_of(&self, span: &Span) -> &str {
        let project = self
            .resource(span.resource)
            .map_or(Known::DefaultProject.id(), |resource| resource.project);
        self.str(project)
    }

    /// The value of the attribute `key` on `rows` (the last one, if repeated).
    pub fn attribute(&self, rows: Rows, key: StrId) -> Option<AnyValue> {
        self.attributes(rows)
            .iter()
            .rev()
            .find(|kv| kv.key == key)
            .map(|kv| kv.value)
    }

    /// The attribute `key` as text, when it is a string.
    pub fn attribute_str(&self, rows: Rows, key: StrId) -> Option<&str> {
        match self.attribute(rows, key)? {
            AnyValue::Str(id) => Some(self.str(id)),
            _ => None,
        }
    }

    /// Heap bytes held by all tables (capacities), for the memory-per-span measurement.
    pub fn heap_bytes(&self) -> usize {
        fn table<T>(v: &Vec<T>) -> usize {
            v.capacity() * size_of::<T>()
        }
        let blob_bytes: usize = self.blobs.iter().map(|b| b.len()).sum();
        let dedup_bytes = (self.resource_dedup.capacity() + self.scope_dedup.capacity())
            * (size_of::<ContentKey>() + size_of::<u32>() + 1);
        self.strings.heap_bytes()
            + table(&self.spans)
            + table(&self.calls)
            + table(&self.logs)
            + table(&self.attributes)
            + table(&self.array_values)
            + table(&self.blobs)
            + blob_bytes
            + table(&self.events)
            + table(&self.links)
            + table(&self.resources)
            + table(&self.scopes)
            + table(&self.sources)
            + table(&self.evaluations)
            + dedup_bytes
    }

    // ---- writing (ingest only) -------------------------------------------------------------

    /// Interns a string.
    pub fn intern(&mut self, text: &str) -> Result<StrId, ArenaFull> {
        Ok(self.strings.intern(text)?)
    }

    /// Interns `bytes` as text: `None` if they are not UTF-8 (see [`Interner::intern_utf8`]).
    pub fn intern_utf8(&mut self, bytes: &[u8]) -> Result<Option<StrId>, ArenaFull> {
        Ok(self.strings.intern_utf8(bytes)?)
    }

    /// Registers an input file.
    pub fn add_source(&mut self, name: &str, format: Format) -> Result<SourceId, ArenaFull> {
        let id = next_index(&self.sources)?;
        self.sources.push(Source {
            name: name.to_owned(),
            format,
        });
        Ok(SourceId(id))
    }

    /// Says where span `index` came from: which file, and the place in it (a restored span
    /// gets back the file it was first read from).
    pub fn set_span_origin(&mut self, index: usize, source: SourceId, location: u32) {
        if let Some(span) = self.spans.get_mut(index) {
            span.source = source;
            span.source_location = location;
        }
    }

    /// Changes what a registered file is read as (a sniffed JSON file turns out to be Jaeger).
    pub fn set_source_format(&mut self, id: SourceId, format: Format) {
        if let Some(source) = self.sources.get_mut(id.0 as usize) {
            source.format = format;
        }
    }

    /// Stores a bytes value.
    pub fn push_blob(&mut self, bytes: &[u8]) -> Result<u32, ArenaFull> {
        let index = next_index(&self.blobs)?;
        self.blobs.push(bytes.into());
        Ok(index)
    }

    /// Stores array elements (already converted) and returns their rows.
    pub fn push_array(&mut self, values: &[AnyValue]) -> Result<Rows, ArenaFull> {
        rows_after(&mut self.array_values, values)
    }

    /// Stores attributes and returns their rows. Nested values must be pushed first.
    pub fn push_attributes(&mut self, attributes: &[KeyValue]) -> Result<Rows, ArenaFull> {
        rows_after(&mut self.attributes, attributes)
    }

    /// Stores events and returns their rows.
    pub fn push_events(&mut self, events: &[Event]) -> Result<Rows, ArenaFull> {
        rows_after(&mut self.events, events)
    }

    /// Stores links and returns their rows.
    pub fn push_links(&mut self, links: &[Link]) -> Result<Rows, ArenaFull> {
        rows_after(&mut self.links, links)
    }

    /// Stores a resource, or returns the id of an identical one already stored.
    pub fn add_resource(
        &mut self,
        attributes: Rows,
        dropped_attributes_count: u32,
        schema_url: StrId,
    ) -> Result<ResourceId, ArenaFull> {
        let mut key = self.content_key(attributes);
        key.extend([
            u64::from(dropped_attributes_count),
            u64::from(schema_url.index()),
        ]);
        if let Some(&id) = self.resource_dedup.get(&key) {
            // The attribute rows just pushed are unused; reclaim them when they are the tail.
            self.drop_tail_attributes(attributes);
            return Ok(id);
        }
        let named = |key| match self.attribute(attributes, key) {
            Some(AnyValue::Str(id)) if !self.str(id).is_empty() => Some(id),
            _ => None,
        };
        let project = named(Known::ProjectName.id())
            .or_else(|| named(Known::ServiceName.id()))
            .unwrap_or(Known::DefaultProject.id());
        let id = ResourceId(next_index(&self.resources)?);
        self.resources.push(Resource {
            attributes,
            dropped_attributes_count,
            schema_url,
            project,
        });
        self.resource_dedup.insert(key, id);
        Ok(id)
    }

    /// Stores a scope, or returns the id of an identical one already stored.
    pub fn add_scope(&mut self, scope: Scope) -> Result<ScopeId, ArenaFull> {
        let mut key = self.content_key(scope.attributes);
        key.extend([
            u64::from(scope.name.index()),
            u64::from(scope.version.index()),
            u64::from(scope.dropped_attributes_count),
            u64::from(scope.schema_url.index()),
        ]);
        if let Some(&id) = self.scope_dedup.get(&key) {
            self.drop_tail_attributes(scope.attributes);
            return Ok(id);
        }
        let id = ScopeId(next_index(&self.scopes)?);
        self.scopes.push(scope);
        self.scope_dedup.insert(key, id);
        Ok(id)
    }

    /// Stores a span, with what is known of its model call (the `semantics` layer reads both
    /// its kind and the call from its attributes before it is stored).
    pub fn push_span(&mut self, mut span: Span, call: Option<Call>) -> Result<u32, ArenaFull> {
        let index = next_index(&self.spans)?;
        span.call = match call {
            Some(call) => {
                let row = next_index(&self.calls)?;
                self.calls.push(call);
                row
            }
            None => Span::NO_CALL,
        };
        self.spans.push(span);
        Ok(index)
    }

    /// Stores an evaluation.
    pub fn push_evaluation(&mut self, evaluation: Evaluation) {
        let row = self.evaluations.len() as u32;
        match evaluation.target {
            EvalTarget::Span(id) | EvalTarget::Document(id, _) => {
                self.span_evaluations.entry(id).or_default().push(row)
            }
            EvalTarget::Trace(id) => self.trace_evaluations.entry(id).or_default().push(row),
        }
        self.evaluations.push(evaluation);
    }

    /// Stores a log record, unless an identical one is stored already; says whether it was new.
    /// `written_from` marks where its values (attributes and body) begin: a duplicate's rows are
    /// reclaimed, nested ones included.
    pub fn push_log(
        &mut self,
        log: LogRecord,
        written_from: Checkpoint,
    ) -> Result<bool, ArenaFull> {
        // The ids whole (an absent id is all zeros, which no stored id is), then the rest.
        let trace = log.trace_id.map_or([0; 16], |t| t.0);
        let span = log.span_id.map_or([0; 8], |s| s.0);
        let mut key: ContentKey = trace
            .chunks(8)
            .chain(span.chunks(8))
            .map(|eight| eight.iter().fold(0u64, |n, b| n << 8 | u64::from(*b)))
            .collect();
        key.extend([
            log.time_unix_nanos,
            log.observed_time_unix_nanos,
            log.severity_number as u64,
            u64::from(log.severity_text.index()),
            u64::from(log.event_name.index()),
        ]);
        self.deep_key(AnyValue::KvList(log.attributes), &mut key, 0);
        self.deep_key(log.body, &mut key, 0);
        let row = next_index(&self.logs)?;
        if let hashbrown::hash_map::Entry::Vacant(slot) = self.log_dedup.entry(key) {
            slot.insert(row);
            if let Some(span) = log.span_id {
                self.span_logs.entry(span).or_default().push(row);
            }
            if let Some(trace) = log.trace_id {
                self.trace_logs.entry(trace).or_default().push(row);
            }
            self.logs.push(log);
            return Ok(true);
        }
        self.attributes.truncate(written_from.attributes);
        self.array_values.truncate(written_from.array_values);
        self.blobs.truncate(written_from.blobs);
        Ok(false)
    }

    /// A value's content, nested values included (by content, not by row).
    fn deep_key(&self, value: AnyValue, key: &mut ContentKey, depth: u32) {
        // Hostile nesting is cut short: the key still tells records apart in practice.
        if depth > 64 {
            return;
        }
        match value {
            AnyValue::Array(rows) => {
                key.extend([6, u64::from(rows.len)]);
                for item in self.array_values(rows) {
                    self.deep_key(*item, key, depth + 1);
                }
            }
            AnyValue::KvList(rows) => {
                key.extend([7, u64::from(rows.len)]);
                for kv in self.attributes(rows) {
                    key.push(u64::from(kv.key.index()));
                    self.deep_key(kv.value, key, depth + 1);
                }
            }
            AnyValue::Bytes(index) => {
                let blob = self.blob(index);
                key.extend([5, blob.len() as u64]);
                key.extend(
                    blob.chunks(8)
                        .map(|c| c.iter().fold(0u64, |n, b| n << 8 | u64::from(*b))),
                );
            }
            scalar => key.extend(value_bits(scalar)),
        }
    }

    /// Marks the current end of every table.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            spans: self.spans.len(),
            calls: self.calls.len(),
            attributes: self.attributes.len(),
            array_values: self.array_values.len(),
            blobs: self.blobs.len(),
            events: self.events.len(),
            links: self.links.len(),
            resources: self.resources.len(),
            scopes: self.scopes.len(),
            sources: self.sources.len(),
            evaluations: self.evaluations.len(),
            logs: self.logs.len(),
        }
    }

    /// Forgets everything written since `checkpoint`, as if the failed input never came.
    /// Interned strings stay (they are shared and harmless); all rows go.
    pub fn rollback(&mut self, checkpoint: Checkpoint) {
        self.spans.truncate(checkpoint.spans);
        self.calls.truncate(checkpoint.calls);
        self.attributes.truncate(checkpoint.attributes);
        self.array_values.truncate(checkpoint.array_values);
        self.blobs.truncate(checkpoint.blobs);
        self.events.truncate(checkpoint.events);
        self.links.truncate(checkpoint.links);
        self.resources.truncate(checkpoint.resources);
        self.scopes.truncate(checkpoint.scopes);
        self.sources.truncate(checkpoint.sources);
        self.evaluations.truncate(checkpoint.evaluations);
        let evaluations = checkpoint.evaluations as u32;
        keep_rows_below(&mut self.span_evaluations, evaluations);
        keep_rows_below(&mut self.trace_evaluations, evaluations);
        self.logs.truncate(checkpoint.logs);
        let logs = checkpoint.logs as u32;
        keep_rows_below(&mut self.span_logs, logs);
        keep_rows_below(&mut self.trace_logs, logs);
        self.log_dedup.retain(|_, row| *row < logs);
        let (resources, scopes) = (checkpoint.resources as u32, checkpoint.scopes as u32);
        self.resource_dedup.retain(|_, id| id.0 < resources);
        self.scope_dedup.retain(|_, id| id.0 < scopes);
    }

    fn drop_tail_attributes(&mut self, rows: Rows) {
        if rows.len > 0 && rows.range().end == self.attributes.len() {
            self.attributes.truncate(rows.start as usize);
        }
    }

    fn content_key(&self, rows: Rows) -> ContentKey {
        let mut key = Vec::with_capacity(rows.len as usize * 2 + 4);
        for kv in self.attributes(rows) {
            let [tag, bits] = value_bits(kv.value);
            key.extend([u64::from(kv.key.index()) << 8 | tag, bits]);
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scope named `name`, nothing else set but its dropped count (to tell scopes apart).
    fn scope(name: StrId, dropped_attributes_count: u32) -> Scope {
        Scope {
            name,
            version: StrId::EMPTY,
            attributes: Rows::default(),
            dropped_attributes_count,
            schema_url: StrId::EMPTY,
        }
    }

    fn kv(arena: &mut Arena, key: &str, value: &str) -> Result<KeyValue, ArenaFull> {
        Ok(KeyValue {
            key: arena.intern(key)?,
            value: AnyValue::Str(arena.intern(value)?),
        })
    }

    #[test]
    fn project_is_openinference_name_then_service_name_then_default() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let both = [
            kv(&mut arena, "service.name", "svc")?,
            kv(&mut arena, "openinference.project.name", "proj")?,
        ];
        let rows = arena.push_attributes(&both)?;
        let a = arena.add_resource(rows, 0, StrId::EMPTY)?;
        let service_only = [kv(&mut arena, "service.name", "svc")?];
        let rows = arena.push_attributes(&service_only)?;
        let b = arena.add_resource(rows, 0, StrId::EMPTY)?;
        let rows = arena.push_attributes(&[])?;
        let c = arena.add_resource(rows, 0, StrId::EMPTY)?;
        let names: Vec<&str> = [a, b, c]
            .iter()
            .filter_map(|id| arena.resource(*id))
            .map(|r| arena.str(r.project))
            .collect();
        assert_eq!(names, ["proj", "svc", "default"]);
        Ok(())
    }

    #[test]
    fn identical_resources_are_stored_once() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let attrs = [kv(&mut arena, "service.name", "svc")?];
        let first = arena.push_attributes(&attrs)?;
        let a = arena.add_resource(first, 0, StrId::EMPTY)?;
        let second = arena.push_attributes(&attrs)?;
        let b = arena.add_resource(second, 0, StrId::EMPTY)?;
        assert_eq!(a, b);
        assert_eq!(arena.resources().len(), 1);
        assert_eq!(
            arena.attributes.len(),
            1,
            "the duplicate's rows are reclaimed"
        );
        Ok(())
    }

    #[test]
    fn a_log_record_read_again_is_kept_once_and_its_rows_reclaimed() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let push = |arena: &mut Arena, trace: [u8; 16]| -> Result<bool, ArenaFull> {
            let written_from = arena.checkpoint();
            let attrs = [kv(arena, "event.name", "gen_ai.choice")?];
            let attributes = arena.push_attributes(&attrs)?;
            let message = [kv(arena, "content", "hi")?];
            let body = AnyValue::KvList(arena.push_attributes(&message)?);
            let record = LogRecord {
                severity_number: 9,
                attributes,
                trace_id: Some(TraceId(trace)),
                ..crate::testutil::log_record(1, body)
            };
            arena.push_log(record, written_from)
        };
        let mut trace = [0; 16];
        trace[0] = 1;
        assert!(push(&mut arena, trace)?);
        assert!(!push(&mut arena, trace)?, "the same record again");
        assert_eq!(arena.logs().len(), 1);
        assert_eq!(
            arena.attributes.len(),
            2,
            "its attribute and body rows, once"
        );
        // Another trace whose id differs only in where its byte stands is another record.
        let mut other = [0; 16];
        other[8] = 1;
        assert!(push(&mut arena, other)?);
        assert_eq!(arena.logs().len(), 2);
        Ok(())
    }

    #[test]
    fn rollback_forgets_a_failed_input() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let attrs = [kv(&mut arena, "k", "v")?];
        let rows = arena.push_attributes(&attrs)?;
        arena.add_resource(rows, 0, StrId::EMPTY)?;
        let mark = arena.checkpoint();
        let attrs = [kv(&mut arena, "other", "v")?];
        let rows = arena.push_attributes(&attrs)?;
        arena.add_resource(rows, 0, StrId::EMPTY)?;
        arena.add_source("bad.json", Format::OtlpJson)?;
        assert_eq!(arena.resources().len(), 2);
        arena.rollback(mark);
        assert_eq!(arena.resources().len(), 1);
        assert_eq!(arena.sources().len(), 0);
        assert_eq!(arena.attributes.len(), 1);
        // The dedup map forgot the rolled-back resource: adding it again makes a new row, which
        // exists.
        let rows = arena.push_attributes(&attrs)?;
        let id = arena.add_resource(rows, 0, StrId::EMPTY)?;
        assert_eq!(id, ResourceId(1));
        assert_eq!(arena.resources().len(), 2);
        assert!(arena.resource(id).is_some());
        Ok(())
    }
    #[test]
    fn evaluations_are_found_by_span_and_trace_and_roll_back() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let name = arena.intern("correctness")?;
        let (span, trace) = (SpanId([1; 8]), TraceId([2; 16]));
        let evaluation = |target| Evaluation {
            target,
            name,
            score: Some(1.0),
            label: None,
            explanation: None,
            source: SourceId(0),
            annotator: Default::default(),
        };
        arena.push_evaluation(evaluation(EvalTarget::Span(span)));
        arena.push_evaluation(evaluation(EvalTarget::Trace(trace)));
        let mark = arena.checkpoint();
        arena.push_evaluation(evaluation(EvalTarget::Document(span, 3)));
        let targets = |arena: &Arena| -> Vec<EvalTarget> {
            arena.evaluations_of_span(span).map(|e| e.target).collect()
        };
        assert_eq!(
            targets(&arena),
            [EvalTarget::Span(span), EvalTarget::Document(span, 3)]
        );
        assert_eq!(arena.evaluations_of_trace(trace).count(), 1);
        assert_eq!(arena.evaluations_of_span(SpanId([9; 8])).count(), 0);
        arena.rollback(mark);
        assert_eq!(targets(&arena), [EvalTarget::Span(span)]);
        Ok(())
    }

    #[test]
    fn rollback_forgets_logs_and_scopes_and_their_dedup() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let name = arena.intern("lib")?;
        let scope = scope(name, 0);
        let record = |time| LogRecord {
            trace_id: Some(TraceId([3; 16])),
            span_id: Some(SpanId([4; 8])),
            ..crate::testutil::log_record(time, AnyValue::Empty)
        };
        assert!(arena.push_log(record(1), arena.checkpoint())?);
        let early = Scope {
            dropped_attributes_count: 1,
            ..scope
        };
        assert_eq!(arena.add_scope(early)?, ScopeId(0));
        let mark = arena.checkpoint();
        assert_eq!(arena.add_scope(scope)?, ScopeId(1));
        assert_eq!(arena.add_scope(scope)?, ScopeId(1), "stored once");
        assert!(arena.push_log(record(2), arena.checkpoint())?);
        arena.rollback(mark);
        assert_eq!((arena.scopes().len(), arena.logs().len()), (1, 1));
        assert_eq!(arena.logs_of_trace(TraceId([3; 16])).count(), 1);
        // What came before is still known; what was rolled back comes back as a new row.
        assert_eq!(arena.add_scope(early)?, ScopeId(0));
        assert_eq!(arena.add_scope(scope)?, ScopeId(1));
        assert_eq!(arena.scopes().len(), 2);
        assert!(arena.push_log(record(2), arena.checkpoint())?);
        assert!(!arena.push_log(record(1), arena.checkpoint())?);
        assert_eq!(arena.logs().len(), 2);
        Ok(())
    }

    #[test]
    fn resources_differing_only_inside_an_array_are_two() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let key = arena.intern("tags")?;
        let mut resource = |item: &str| -> Result<ResourceId, ArenaFull> {
            let item = AnyValue::Str(arena.intern(item)?);
            let list = arena.push_array(&[item])?;
            let rows = arena.push_attributes(&[KeyValue {
                key,
                value: AnyValue::Array(list),
            }])?;
            arena.add_resource(rows, 0, StrId::EMPTY)
        };
        let a = resource("a")?;
        let b = resource("b")?;
        assert_ne!(a, b);
        // And inside a key/value list.
        let inner = arena.intern("inner")?;
        let mut map = |item: &str| -> Result<ResourceId, ArenaFull> {
            let item = AnyValue::Str(arena.intern(item)?);
            let list = arena.push_attributes(&[KeyValue {
                key: inner,
                value: item,
            }])?;
            let rows = arena.push_attributes(&[KeyValue {
                key,
                value: AnyValue::KvList(list),
            }])?;
            arena.add_resource(rows, 0, StrId::EMPTY)
        };
        assert_ne!(map("a")?, map("b")?);
        Ok(())
    }

    #[test]
    fn heap_bytes_grow_with_every_table() -> Result<(), ArenaFull> {
        /// A thousand rows of each table in turn: the figure grows by at least their size (and
        /// their dedup entries', where a table has one), and by no more than twice that (a Vec's
        /// doubling).
        const N: usize = 1_000;
        const DEDUP_ENTRY: usize = size_of::<ContentKey>() + size_of::<u32>() + 1;
        fn grew(arena: &Arena, last: &mut usize, what: &str, row: usize) {
            let now = arena.heap_bytes();
            let grown = now.saturating_sub(*last);
            assert!(
                (N * row..=2 * N * row + 4096).contains(&grown),
                "{what}: {} → {now}",
                *last
            );
            *last = now;
        }
        let mut arena = Arena::default();
        let mut last = arena.heap_bytes();
        for id in 0..N as u64 {
            let span = crate::testutil::TestSpan {
                id,
                ..Default::default()
            };
            crate::testutil::push(&mut arena, span);
        }
        grew(&arena, &mut last, "spans", size_of::<Span>());
        let span = arena.spans()[0].clone();
        for _ in 0..N {
            arena.push_span(span.clone(), Some(Call::default()))?;
        }
        grew(
            &arena,
            &mut last,
            "calls",
            size_of::<Span>() + size_of::<Call>(),
        );
        for time in 0..N as u64 {
            let log = crate::testutil::log_record(time, AnyValue::Empty);
            arena.push_log(log, arena.checkpoint())?;
        }
        grew(&arena, &mut last, "logs", size_of::<LogRecord>());
        let one = KeyValue {
            key: StrId::EMPTY,
            value: AnyValue::Int(1),
        };
        let attributes = arena.push_attributes(&[one; N])?;
        grew(&arena, &mut last, "attributes", size_of::<KeyValue>());
        arena.push_array(&[AnyValue::Int(1); N])?;
        grew(&arena, &mut last, "array values", size_of::<AnyValue>());
        for _ in 0..N {
            arena.push_blob(&[7; 64])?;
        }
        grew(&arena, &mut last, "blobs", size_of::<Box<[u8]>>() + 64);
        let event = Event {
            time_unix_nanos: 0,
            name: StrId::EMPTY,
            attributes: Rows::default(),
            dropped_attributes_count: 0,
        };
        arena.push_events(&[event; N])?;
        grew(&arena, &mut last, "events", size_of::<Event>());
        let link = Link {
            trace_id: TraceId([1; 16]),
            span_id: SpanId([1; 8]),
            trace_state: StrId::EMPTY,
            attributes: Rows::default(),
            dropped_attributes_count: 0,
            flags: 0,
        };
        arena.push_links(&[link; N])?;
        grew(&arena, &mut last, "links", size_of::<Link>());
        for n in 0..N as u32 {
            arena.add_resource(attributes, n, StrId::EMPTY)?;
        }
        grew(
            &arena,
            &mut last,
            "resources",
            size_of::<Resource>() + DEDUP_ENTRY,
        );
        for n in 0..N as u32 {
            arena.add_scope(scope(StrId::EMPTY, n))?;
        }
        grew(
            &arena,
            &mut last,
            "scopes",
            size_of::<Scope>() + DEDUP_ENTRY,
        );
        for _ in 0..N {
            arena.add_source("a.json", Format::OtlpJson)?;
        }
        grew(&arena, &mut last, "sources", size_of::<Source>());
        for _ in 0..N {
            arena.push_evaluation(Evaluation {
                target: EvalTarget::Trace(TraceId([1; 16])),
                name: StrId::EMPTY,
                score: None,
                label: None,
                explanation: None,
                source: SourceId(0),
                annotator: Default::default(),
            });
        }
        grew(&arena, &mut last, "evaluations", size_of::<Evaluation>());
        Ok(())
    }

    #[test]
    fn a_source_format_can_be_set_after_sniffing() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let id = arena.add_source("a.bin", Format::OtlpJson)?;
        assert_eq!(arena.sources().len(), 1);
        arena.set_source_format(id, Format::OtlpProto);
        assert_eq!(arena.source(id).map(|s| s.format), Some(Format::OtlpProto));
        Ok(())
    }

    #[test]
    fn a_string_attribute_reads_as_text_and_others_do_not() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let text = kv(&mut arena, "k", "v")?;
        let number = KeyValue {
            key: arena.intern("n")?,
            value: AnyValue::Int(3),
        };
        let rows = arena.push_attributes(&[text, number])?;
        assert_eq!(arena.attribute_str(rows, text.key), Some("v"));
        assert_eq!(arena.attribute_str(rows, number.key), None);
        Ok(())
    }

    #[test]
    fn rollback_keeps_what_came_before_and_its_indexes_exact() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let attrs = [kv(&mut arena, "service.name", "svc")?];
        let rows = arena.push_attributes(&attrs)?;
        let first = arena.add_resource(rows, 0, StrId::EMPTY)?;
        let name = arena.intern("correctness")?;
        let evaluation = |span| Evaluation {
            target: EvalTarget::Span(SpanId([span; 8])),
            name,
            score: None,
            label: None,
            explanation: None,
            source: SourceId(0),
            annotator: Default::default(),
        };
        arena.push_evaluation(evaluation(1));
        let mark = arena.checkpoint();
        arena.push_evaluation(evaluation(1));
        arena.rollback(mark);
        // The row rolled back is reused by another span's evaluation, which span 1 must not see.
        arena.push_evaluation(evaluation(2));
        assert_eq!(arena.evaluations_of_span(SpanId([1; 8])).count(), 1);
        assert_eq!(arena.evaluations_of_span(SpanId([2; 8])).count(), 1);
        // The resource stored before the mark is still found as a duplicate.
        let rows = arena.push_attributes(&attrs)?;
        assert_eq!(arena.add_resource(rows, 0, StrId::EMPTY)?, first);
        assert_eq!(arena.resources().len(), 1);
        Ok(())
    }

    #[test]
    fn log_records_differing_only_in_nested_values_are_both_kept() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let mut push = |body: &dyn Fn(&mut Arena) -> Result<AnyValue, ArenaFull>| {
            let written_from = arena.checkpoint();
            let body = body(&mut arena)?;
            let record = crate::testutil::log_record(5, body);
            arena.push_log(record, written_from)
        };
        // Bytes that differ in a chunk's first byte.
        assert!(push(&|a| Ok(AnyValue::Bytes(a.push_blob(&[1, 0])?)))?);
        assert!(push(&|a| Ok(AnyValue::Bytes(a.push_blob(&[0, 0])?)))?);
        assert!(!push(&|a| Ok(AnyValue::Bytes(a.push_blob(&[0, 0])?)))?);
        // Arrays, nested.
        let nested = |inner: i64| {
            move |a: &mut Arena| -> Result<AnyValue, ArenaFull> {
                let inside = a.push_array(&[AnyValue::Int(inner)])?;
                Ok(AnyValue::Array(a.push_array(&[AnyValue::Array(inside)])?))
            }
        };
        assert!(push(&nested(1))?);
        assert!(push(&nested(2))?);
        assert!(!push(&nested(2))?);
        Ok(())
    }

    #[test]
    fn an_empty_project_name_falls_back_to_the_service() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let attrs = [
            kv(&mut arena, "openinference.project.name", "")?,
            kv(&mut arena, "service.name", "svc")?,
        ];
        let rows = arena.push_attributes(&attrs)?;
        let id = arena.add_resource(rows, 0, StrId::EMPTY)?;
        assert_eq!(
            arena.resource(id).map(|r| arena.str(r.project)),
            Some("svc")
        );
        Ok(())
    }

    #[test]
    fn scopes_are_found_by_id() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        let name = arena.intern("openinference.instrumentation.openai")?;
        let scope = scope(name, 0);
        let id = arena.add_scope(scope)?;
        assert_eq!(arena.scope(id), Some(&scope));
        assert_eq!(arena.scope(ScopeId(id.0 + 1)), None);
        Ok(())
    }

    #[test]
    fn log_keys_reach_sixty_four_levels_deep_and_no_further() -> Result<(), ArenaFull> {
        let mut arena = Arena::default();
        // `levels` arrays (or key/value lists), one inside the other, around an integer.
        let key = arena.intern("k")?;
        let mut push = |levels: usize, inner: i64, lists: bool| -> Result<bool, ArenaFull> {
            let written_from = arena.checkpoint();
            let mut body = AnyValue::Int(inner);
            for _ in 0..levels {
                body = match lists {
                    true => {
                        AnyValue::KvList(arena.push_attributes(&[KeyValue { key, value: body }])?)
                    }
                    false => AnyValue::Array(arena.push_array(&[body])?),
                };
            }
            let record = crate::testutil::log_record(levels as u64 + u64::from(lists) * 1000, body);
            arena.push_log(record, written_from)
        };
        assert!(push(64, 1, false)?);
        assert!(
            push(64, 2, false)?,
            "the integer at depth 64 tells them apart"
        );
        assert!(push(65, 1, false)?);
        assert!(
            !push(65, 2, false)?,
            "below that, hostile nesting is cut short"
        );
        // The same through key/value lists.
        assert!(push(64, 1, true)?);
        assert!(push(64, 2, true)?);
        assert!(push(65, 1, true)?);
        assert!(!push(65, 2, true)?);
        Ok(())
    }

    #[test]
    fn a_location_counts_lines_rows_or_spans_by_format() {
        assert_eq!(Format::OtlpJsonLines.location_unit(), LocationUnit::Line);
        assert_eq!(Format::EvaluationsCsv.location_unit(), LocationUnit::Line);
        assert_eq!(
            Format::PhoenixTraceDataset.location_unit(),
            LocationUnit::Row
        );
        assert_eq!(
            Format::PhoenixEvaluations.location_unit(),
            LocationUnit::Row
        );
        assert_eq!(Format::OtlpProto.location_unit(), LocationUnit::SpanIndex);
    }
}
