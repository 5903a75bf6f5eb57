//! The engine: everything loaded, and the answers to what the UI asks.
//!
//! In the browser the engine lives in a Web Worker and the UI talks to it with the messages of
//! [`protocol`]; here it is plain Rust, so the same questions are tested natively. It owns the
//! [`Arena`] and the assembled [`Traces`], and for every trace the UI has open a [`view::View`]:
//! which rows are collapsed, what the search matches, where the critical path runs. The UI only
//! ever receives what it shows: a page of a table, a window of rows, one span's details.
//!
//! ```
//! use plume::engine::{Engine, protocol::{Request, Response}};
//!
//! let mut engine = Engine::default();
//! let otlp = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c",
//!   "spanId":"b7ad6b7169203331","name":"root","startTimeUnixNano":"1","endTimeUnixNano":"9"}]}]}]}"#;
//! let result = engine.load("trace.json", otlp, &mut |_| {});
//! assert_eq!(result.spans, 1);
//! let Response::Summary(summary) = engine.handle(Request::Summary) else { panic!() };
//! assert_eq!(summary.traces, 1);
//! ```

mod details;
pub mod events;
#[cfg(target_arch = "wasm32")]
mod helper;
#[cfg(target_arch = "wasm32")]
mod jobs;
#[cfg(target_arch = "wasm32")]
pub mod keeper;
mod lists;
#[cfg(target_arch = "wasm32")]
mod live;
pub mod messages;
pub mod protocol;
#[cfg(target_arch = "wasm32")]
mod reading;
#[cfg(target_arch = "wasm32")]
mod remote;
#[cfg(target_arch = "wasm32")]
mod sending;
mod view;
#[cfg(target_arch = "wasm32")]
pub mod worker;

use std::ops::Range;

use hashbrown::{HashMap, HashSet};

use crate::analysis::filter::Filter;
use crate::analysis::{Trace, Traces};
use crate::export::{self, Target};
use crate::ingest;
use crate::model::{Arena, SourceId, SpanId, StatusCode, TraceId};
use crate::redact::job::{Job as RedactionJob, Redacted};
use crate::semantics::Prices;
use crate::store::{FileRecord, StoredEvaluation, StoredPriceFile, TraceRecord, price_file_key};
use protocol::{
    FileResult, Missing, Request, Response, SavedFileRow, ShareRequest, SpanSelection, Summary,
    TraceQuery, TraceTableRows,
};

/// Stored traces not read yet, by id.
type Pending = HashMap<TraceId, TraceRecord>;
use view::View;

/// An exported file.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    /// A file name saying what is in it.
    pub name: String,
    /// Spans written.
    pub spans: usize,
    /// The file's form.
    pub target: Target,
    /// The file.
    pub bytes: Vec<u8>,
}

/// Everything loaded, and the state of the traces the UI has open.
#[derive(Default)]
pub struct Engine {
    arena: Arena,
    traces: Traces,
    files: Vec<FileResult>,
    views: HashMap<TraceId, View>,
    /// While set, loads of files without log records leave assembling their traces to
    /// [`Engine::assemble`]: a batch of files is assembled once, not once a file.
    defer_assembly: bool,
    /// Traces loads touched since they were last assembled (while assembling is left for later).
    unassembled: HashSet<TraceId>,
    /// The traces the last load touched.
    last_touched: Vec<TraceId>,
    /// What the views of traces that grew held, for their next views.
    carried: HashMap<TraceId, view::Carried>,
    /// Traces that loads changed since [`Engine::take_changed`] was last asked.
    changed: HashSet<TraceId>,
    /// The spans (arena indices) loads added to each changed trace, for keeping only them
    /// ([`Engine::stored_piece`]); `None`: the trace is to be written whole (log records came
    /// for it, or spans that were held).
    unkept: HashMap<TraceId, Option<Vec<u32>>>,
    /// Stored traces whose spans have not been read: the lists show their records, and a
    /// request that needs their spans waits until [`Engine::unread`] ones are restored.
    pending: Pending,
    /// Evaluations of the arena the store does not have yet, as ranges of its table.
    unsaved_evaluations: Vec<Range<usize>>,
    /// Annotations set or removed (target, name) that the store has not kept yet.
    unsaved_annotations: HashSet<(crate::model::EvalTarget, crate::model::StrId)>,
    /// The redaction rules and the servers connected to.
    settings: Settings,
    /// What came from a link or a host page: shown, never kept until the user keeps it.
    held: Held,
    /// The files saved in the store, in save order.
    saved_files: Vec<FileRecord>,
    /// Bumped by every change to spans, traces, stored records or evaluations, so that kept
    /// answers know when they are stale.
    revision: u64,
    /// The last traces-table query's rows in order.
    table: Option<TableOrder>,
    /// What calls are priced with: the built-in table and the user's price files.
    prices: Prices,
    /// The user's price tables, in load order (later ones are consulted first).
    price_files: Vec<StoredPriceFile>,
    /// Keys of price tables the store does not have yet.
    unsaved_price_files: Vec<String>,
}

/// What loads from a link or a host page brought ([`Engine::load_held`]): a page that may name a
/// file or post spans must not add to what the user kept (a span carrying a kept trace's id
/// would join it for good), so none of it is kept until [`Engine::keep_held`].
#[derive(Default)]
struct Held {
    /// Traces such loads touched: not kept, even when another load touches them too.
    traces: HashSet<TraceId>,
    /// Their evaluations, as ranges of the arena's table.
    evaluations: Vec<Range<usize>>,
    /// Keys of their price tables.
    price_files: Vec<String>,
    /// The annotations they set (target, name).
    annotations: Vec<(crate::model::EvalTarget, crate::model::StrId)>,
}

/// How a load's spans came, which says what becomes of them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arrival {
    /// A file the user loaded: kept.
    Loaded,
    /// From a link or a host page: held until the user keeps it.
    Held,
    /// From `plume serve` while its page is open: shown, the traces it touches marked as still
    /// arriving, not listed among the files.
    Live,
}

/// Where the arena's tables ended before a load.
#[derive(Clone, Copy)]
struct Before {
    spans: usize,
    logs: usize,
    evaluations: usize,
}

impl Before {
    fn of(arena: &Arena) -> Self {
        Self {
            spans: arena.spans().len(),
            logs: arena.logs().len(),
            evaluations: arena.evaluations().len(),
        }
    }
}

/// A traces-table query's rows in order, as of a revision.
struct TableOrder {
    query: TraceQuery,
    revision: u64,
    order: Vec<lists::RowRef>,
    /// Spans the query's filter matches, when it matches no root span.
    spans_matching: Option<u32>,
}

/// A file being read as its bytes arrive ([`Engine::begin`]).
pub struct Loading {
    stream: ingest::FileStream,
    before: Before,
    arrival: Arrival,
}

impl Loading {
    /// Whether reading has failed: later bytes are dropped unread.
    pub fn failed(&self) -> bool {
        self.stream.failed()
    }

    /// Ends content another worker expanded: what the helper reads, to be read there instead
    /// of finishing this (see [`ingest::FileStream::expanded_helped`]).
    pub fn expanded_helped(
        &mut self,
        expanded: Result<(), ingest::Problem>,
    ) -> Option<(crate::model::Format, Vec<ingest::Codec>, Vec<u8>)> {
        self.stream.expanded_helped(expanded)
    }

    /// The whole file and its format, when the helper worker reads it (see
    /// [`ingest::FileStream::take_helped`]): read it with [`Engine::load_helped`] instead of
    /// finishing this.
    pub fn take_helped(&mut self) -> Option<ingest::Helped> {
        self.stream.take_helped()
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.stream.received()
    }
}

/// What [`Engine::forget`] forgot, for the store to delete too.
#[derive(Debug, Default, PartialEq)]
pub struct Forgotten {
    /// The traces, sorted.
    pub traces: Vec<TraceId>,
    /// The keys of the saved files none of whose traces is left.
    pub files: Vec<String>,
}

/// What the page sets and the store keeps beside the data.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The redaction rules in use.
    pub rules: Setting<crate::redact::Rules>,
    /// The servers connected to (keys only of those the user asked to remember are kept).
    pub connections: Setting<Vec<crate::sources::Connection>>,
}

/// A setting: its value, and whether the store has kept it since it was set.
#[derive(Clone, Debug, Default)]
pub struct Setting<T> {
    value: T,
    unsaved: bool,
}

impl<T: Clone> Setting<T> {
    /// Uses `value` from now on; the store keeps it next.
    pub fn set(&mut self, value: T) {
        self.value = value;
        self.unsaved = true;
    }

    /// Puts back what the store kept (as it is: rules that no longer read say so when used
    /// rather than fall back to others).
    pub fn restore(&mut self, value: T) {
        self.value = value;
    }

    /// The value set since the store last kept it, once.
    pub fn take_unsaved(&mut self) -> Option<T> {
        std::mem::take(&mut self.unsaved).then(|| self.value.clone())
    }
}

impl Engine {
    /// Reads a file; `progress` hears the spans stored so far. Traces it touches are
    /// re-assembled (and their views reset).
    pub fn load(
        &mut self,
        file: &str,
        bytes: &[u8],
        progress: &mut dyn FnMut(usize),
    ) -> FileResult {
        self.read_whole(file, bytes, Arrival::Loaded, progress)
    }

    /// Reads what `plume serve` kept since the last read of `file`: the traces it touches grow
    /// in place (their views keep what was collapsed, searched and traced) and are marked as
    /// still arriving.
    pub fn load_live(&mut self, file: &str, bytes: &[u8]) -> FileResult {
        self.read_whole(file, bytes, Arrival::Live, &mut |_| {})
    }

    /// Reads a file a link or a host page gave, as [`Engine::load`] does; none of what it
    /// brings is kept until [`Engine::keep_held`].
    pub fn load_held(
        &mut self,
        file: &str,
        bytes: &[u8],
        progress: &mut dyn FnMut(usize),
    ) -> FileResult {
        self.read_whole(file, bytes, Arrival::Held, progress)
    }

    /// Reads what the helper worker answered for a file in `format`, reached through
    /// `compression` (parquet rows, Jaeger or Zipkin spans), as [`Engine::load`] (or, `held`,
    /// [`Engine::load_held`]) reads the file.
    pub fn load_helped(
        &mut self,
        file: &str,
        format: (crate::model::Format, Vec<ingest::Codec>),
        answer: Result<ingest::helper_wire::Answer, ingest::Located>,
        held: bool,
        progress: &mut dyn FnMut(usize),
    ) -> FileResult {
        let arrival = match held {
            true => Arrival::Held,
            false => Arrival::Loaded,
        };
        self.read_with(arrival, |arena| {
            ingest::load_helped(arena, file, format, answer, progress)
        })
    }

    fn read_whole(
        &mut self,
        file: &str,
        bytes: &[u8],
        arrival: Arrival,
        progress: &mut dyn FnMut(usize),
    ) -> FileResult {
        self.read_with(arrival, |arena| {
            ingest::load_with_progress(arena, file, bytes, progress)
        })
    }

    /// Reads a whole file into the arena with `read`, and notes what it added.
    fn read_with(
        &mut self,
        arrival: Arrival,
        read: impl FnOnce(&mut Arena) -> ingest::FileReport,
    ) -> FileResult {
        self.revision += 1;
        let before = Before::of(&self.arena);
        let report = read(&mut self.arena);
        self.loaded(&report, before, arrival)
    }

    /// What links and host pages brought becomes what the store must write; whether there was
    /// any.
    pub fn keep_held(&mut self) -> bool {
        let held = std::mem::take(&mut self.held);
        let any = !held.traces.is_empty()
            || !held.evaluations.is_empty()
            || !held.price_files.is_empty()
            || !held.annotations.is_empty();
        self.unsaved_annotations.extend(held.annotations);
        self.unkept.extend(held.traces.iter().map(|&id| (id, None)));
        self.changed.extend(held.traces);
        self.unsaved_evaluations.extend(held.evaluations);
        self.unsaved_price_files.extend(held.price_files);
        any
    }

    /// Starts reading a file of `size` bytes (if known) as its bytes arrive: hand them to
    /// [`Engine::feed`], then [`Engine::finish`] it. Nothing else may load meanwhile.
    pub fn begin(&self, file: &str, size: Option<u64>) -> Loading {
        Loading {
            stream: ingest::FileStream::new(&self.arena, file, size),
            before: Before::of(&self.arena),
            arrival: Arrival::Loaded,
        }
    }

    /// Starts reading a file's content as another worker expands it from `codec` (zstd in the
    /// browser): hand its pieces to [`Engine::feed_expanded`], then [`Engine::finish`] it;
    /// `held`, as [`Engine::load_held`] reads a file.
    pub fn begin_expanding(&self, file: &str, codec: ingest::Codec, held: bool) -> Loading {
        Loading {
            stream: ingest::FileStream::expanding(&self.arena, file, codec),
            before: Before::of(&self.arena),
            arrival: match held {
                true => Arrival::Held,
                false => Arrival::Loaded,
            },
        }
    }

    /// The next piece of content expanded from `codec` (see [`ingest::FileStream::feed_expanded`]).
    pub fn feed_expanded(
        &mut self,
        loading: &mut Loading,
        codec: ingest::Codec,
        piece: &[u8],
        progress: &mut dyn FnMut(usize),
    ) {
        self.revision += 1;
        (loading.stream).feed_expanded(&mut self.arena, codec, piece, progress);
    }

    /// The next bytes of a file being read; `progress` hears the spans stored so far.
    pub fn feed(&mut self, loading: &mut Loading, chunk: &[u8], progress: &mut dyn FnMut(usize)) {
        self.revision += 1;
        loading.stream.feed(&mut self.arena, chunk, progress);
    }

    /// Ends a file being read, as [`Engine::load`] (or, begun held, [`Engine::load_held`]) ends one.
    pub fn finish(&mut self, loading: Loading, progress: &mut dyn FnMut(usize)) -> FileResult {
        self.revision += 1;
        let report = loading.stream.finish(&mut self.arena, progress);
        self.loaded(&report, loading.before, loading.arrival)
    }

    /// Assembles what a file added (the arena's rows from `before` on) and notes its result.
    fn loaded(
        &mut self,
        report: &ingest::FileReport,
        before: Before,
        arrival: Arrival,
    ) -> FileResult {
        let annotated = self.arena.take_annotation_changes();
        let new_spans = self.arena.spans().get(before.spans..).unwrap_or_default();
        self.unassembled
            .extend(new_spans.iter().map(|span| span.trace_id));
        // Log records are placed among assembled traces: a file with some is assembled now.
        let defer = self.defer_assembly && self.arena.logs().len() == before.logs;
        if !defer {
            self.assemble();
        }
        let new_logs = self.arena.logs().get(before.logs..).unwrap_or_default();
        let new_spans = self.arena.spans().get(before.spans..).unwrap_or_default();
        // Every new span's trace is (or will be, once assembled) a trace; a trace whose spans
        // are kept changes when records about it come.
        let records_about = new_logs
            .iter()
            .filter_map(|log| log.trace_id)
            .filter(|id| self.traces.get(id).is_some() || self.pending.contains_key(id));
        let touched: HashSet<TraceId> = new_spans
            .iter()
            .map(|s| s.trace_id)
            .chain(records_about)
            .collect();
        // Assembled, the touched traces' views are made again (those of traces that grew, from
        // what `assemble` carried); left for later, they still show the trees they were made of.
        if !defer {
            for trace_id in &touched {
                self.views.remove(trace_id);
            }
        }
        let evaluations = before.evaluations..self.arena.evaluations().len();
        let held = arrival == Arrival::Held;
        match arrival {
            Arrival::Held => {
                self.held.traces.extend(touched.iter().copied());
                self.held.evaluations.push(evaluations);
                self.held.annotations.extend(annotated);
            }
            Arrival::Loaded | Arrival::Live => {
                self.changed.extend(touched.iter().copied());
                self.unsaved_evaluations.push(evaluations);
                self.unsaved_annotations.extend(annotated);
            }
        }
        if arrival == Arrival::Live {
            self.traces.mark_arriving(touched.iter().copied());
        }
        let result = FileResult {
            file: report.file.clone(),
            format: report.format.map(|f| f.name().to_owned()),
            spans: report.spans as u64,
            traces: touched.len() as u64,
            evaluations: report.evaluations as u64,
            logs: self.traces.attach(&self.arena, new_logs),
            price_models: report.prices.as_ref().map(|p| p.models.len() as u64),
            errors: report.errors.iter().map(ToString::to_string).collect(),
            warnings: report.warnings.iter().map(ToString::to_string).collect(),
            held,
        };
        if !held {
            self.note_unkept(before, &touched);
        }
        self.last_touched = touched.iter().copied().collect();
        // A live piece is part of a file already listed; one that did not read is listed.
        if arrival != Arrival::Live || !result.errors.is_empty() {
            self.files.push(result.clone());
        }
        if let Some(prices) = &report.prices {
            let key = self.add_price_file(&report.file, prices.clone());
            if held {
                self.unsaved_price_files.retain(|k| *k != key);
                self.held.price_files.push(key);
            }
        }
        result
    }

    /// Leaves assembling traces to [`Engine::assemble`] (`true`), or assembles now and stops.
    pub fn defer_assembly(&mut self, defer: bool) {
        self.defer_assembly = defer;
        if !defer && !self.unassembled.is_empty() {
            self.assemble();
        }
    }

    /// Assembles the traces of the spans loaded since traces were last assembled; their open
    /// views are made again for the grown trees, keeping what they held (by span id).
    pub fn assemble(&mut self) {
        for trace_id in std::mem::take(&mut self.unassembled) {
            if let (Some(view), Some(trace)) =
                (self.views.remove(&trace_id), self.traces.get(&trace_id))
            {
                self.carried
                    .insert(trace_id, view.carried(&self.arena, trace));
            }
        }
        self.revision += 1;
        self.traces.update(&self.arena);
    }

    /// The traces the last load touched (for the store: what deleting its file deletes).
    pub fn take_touched(&mut self) -> Vec<TraceId> {
        std::mem::take(&mut self.last_touched)
    }

    /// Notes the spans a load added (from `before` on) as unkept; the `touched` traces that log
    /// records came for are to be written whole.
    fn note_unkept(&mut self, before: Before, touched: &HashSet<TraceId>) {
        let spans = self.arena.spans().get(before.spans..).unwrap_or_default();
        let mut added: HashMap<TraceId, usize> = HashMap::new();
        for span in spans {
            *added.entry(span.trace_id).or_default() += 1;
        }
        // A trace that had no spans before this load is new: it is written whole, and its spans
        // need no list (a big file's spans would otherwise cost a list as long).
        let earlier = |id: &TraceId, added: usize| {
            let assembled = self
                .traces
                .get(id)
                .map_or(0, |t| t.tree.span.len() + t.tree.duplicates.len());
            self.pending.contains_key(id) || assembled > added
        };
        for (&id, &count) in &added {
            match earlier(&id, count) {
                true => {
                    self.unkept.entry(id).or_insert_with(|| Some(Vec::new()));
                }
                false => {
                    self.unkept.insert(id, None);
                }
            }
        }
        for (index, span) in spans.iter().enumerate() {
            if let Some(Some(list)) = self.unkept.get_mut(&span.trace_id) {
                list.push((before.spans + index) as u32);
            }
        }
        // Log records are kept with their trace's spans, written whole.
        for log in self.arena.logs().get(before.logs..).unwrap_or_default() {
            if let Some(id) = log.trace_id.filter(|id| touched.contains(id)) {
                self.unkept.insert(id, None);
            }
        }
    }

    /// These traces' spans could not be kept: the next time they are kept, they are written whole.
    pub fn keep_whole_next(&mut self, ids: &[TraceId]) {
        self.unkept.extend(ids.iter().map(|&id| (id, None)));
    }

    /// What keeping a changed trace kept as `kept` takes, when it is only the spans loads
    /// added: its record with the chunks they make added, and those chunks. `None`: it is to be
    /// written whole (not kept yet, log records came, or it is time to compact its pieces,
    /// [`crate::store::compact`]). Either way the trace's added spans count as kept now.
    pub fn stored_piece(
        &mut self,
        trace_id: &TraceId,
        kept: Option<&TraceRecord>,
    ) -> Option<(TraceRecord, Vec<crate::store::StoredChunk>)> {
        let added = self.unkept.remove(trace_id).flatten()?;
        let kept = kept?;
        let trace = self.traces.get(trace_id)?;
        // Copies of spans already there (a file loaded again) are not kept again.
        let copies: HashSet<u32> = trace.tree.duplicates.iter().copied().collect();
        let added: Vec<u32> = added.into_iter().filter(|i| !copies.contains(i)).collect();
        let pieces = added.len().div_ceil(crate::store::CHUNK_SPANS) as u32;
        if crate::store::compact(kept, trace.summary.span_count, kept.pieces + pieces) {
            return None;
        }
        let chunks = crate::store::piece_chunks(&self.arena, &added).collect();
        Some((TraceRecord::grown(&self.arena, trace, kept, pieces), chunks))
    }

    /// Answers a request.
    pub fn handle(&mut self, request: Request) -> Response {
        match request {
            Request::Summary => Response::Summary(self.summary()),
            Request::RedactionRules => Response::RedactionRules(self.rules()),
            Request::Connections => Response::Connections(self.settings.connections.value.clone()),
            // They wait on a server or the helper: the worker's jobs answer them.
            Request::RedactionPreview { .. }
            | Request::SourceProjects { .. }
            | Request::SourceTraces { .. } => {
                Response::Failed("the worker's jobs answer this, not the engine".into())
            }
            Request::SavedFiles => Response::SavedFiles(self.saved_file_rows()),
            Request::PriceTables => Response::PriceTables(self.price_tables()),
            Request::Projects => Response::Projects(lists::projects(
                &self.arena,
                &self.traces,
                self.unread_records(),
                &self.prices,
            )),
            Request::Traces(query) => self.traces_page(&query),
            Request::Sessions { project } => {
                let sessions = lists::sessions(
                    &self.arena,
                    &self.traces,
                    self.unread_records(),
                    &project,
                    &self.prices,
                );
                self.unless_no_project(&project, sessions.is_empty(), || {
                    Response::Sessions(sessions)
                })
            }
            Request::Session { project, session } => {
                match lists::session(&self.arena, &self.traces, &project, &session, &self.prices) {
                    turns if turns.is_empty() => self.unless_no_project(&project, true, || {
                        Response::NotFound(Missing::Session {
                            project: project.clone(),
                            session,
                        })
                    }),
                    turns => Response::Session(turns),
                }
            }
            Request::OpenTrace { trace_id } => self.with_view(&trace_id, |_, _, _, _| {}),
            Request::Toggle {
                trace_id,
                row,
                expand,
            } => self.with_view(&trace_id, |view, trace, _, _| {
                view.toggle(trace, row, expand)
            }),
            Request::ToggleAll { trace_id, expand } => self
                .with_view(&trace_id, |view, trace, _, _| {
                    view.toggle_all(trace, expand)
                }),
            Request::Search {
                trace_id,
                text,
                as_text,
            } => self.with_view(&trace_id, |view, trace, arena, prices| {
                view.search(arena, trace, &text, as_text, prices)
            }),
            Request::CriticalPath { trace_id, on } => self
                .with_view(&trace_id, |view, trace, arena, _| {
                    view.set_critical_path(arena, trace, on)
                }),
            Request::Reveal { trace_id, span_id } => self.reveal(&trace_id, &span_id),
            Request::Rows {
                trace_id,
                first,
                count,
            } => match self.open(&trace_id) {
                Some((view, trace, arena, prices)) => {
                    Response::Rows(view.rows(arena, trace, first, count, prices))
                }
                None => not_found(&trace_id),
            },
            Request::SpanDetails { trace_id, span_id } => {
                match details::span_details(
                    &self.arena,
                    &self.traces,
                    &self.prices,
                    &trace_id,
                    &span_id,
                ) {
                    Some(details) => Response::SpanDetails(Box::new(details)),
                    None if self.trace(&trace_id).is_some() => missing_span(&trace_id, &span_id),
                    None => not_found(&trace_id),
                }
            }
            Request::Compare { base, other } => match (self.trace(&base), self.trace(&other)) {
                (Some(a), Some(b)) => {
                    Response::Comparison(Box::new(comparison(&self.arena, a, b, &self.prices)))
                }
                (None, _) => not_found(&base),
                (_, None) => not_found(&other),
            },
            Request::SpanDiff { base, other } => match (self.span(&base), self.span(&other)) {
                (Some(a), Some(b)) => Response::SpanDiff(Box::new(
                    crate::analysis::call_diff::span_diff(&self.arena, a, b, &self.prices),
                )),
                (None, _) => self.span_missing(&base),
                (_, None) => self.span_missing(&other),
            },
            Request::Stats { project } => {
                let stats = crate::analysis::project_stats::project_stats(
                    &self.arena,
                    &self.traces,
                    &project,
                    &self.prices,
                );
                self.unless_no_project(&project, stats.traces == 0, || {
                    Response::Stats(Box::new(stats))
                })
            }
            Request::AgentGraph {
                selection,
                expanded,
            } => {
                let traces = self.whole_traces(&selection);
                Response::AgentGraph(Box::new(crate::analysis::agent_graph::agent_graph(
                    &self.arena,
                    &traces,
                    expanded,
                )))
            }
            Request::Flame { trace_id, focus } => match self.trace(&trace_id) {
                Some(trace) => Response::Flame(flame_view(&self.arena, trace, focus)),
                None => not_found(&trace_id),
            },
            Request::CheckFilter { filter } => match Filter::parse(&filter) {
                Ok(_) => Response::FilterReads,
                Err(error) => Response::BadFilter(error),
            },
            Request::Query { filter } => match Filter::parse(&filter) {
                Ok(filter) => Response::SpanIds(
                    filter
                        .matching_spans(&self.arena, &self.traces, &self.prices)
                        .into_iter()
                        .map(|i| self.arena.spans()[i as usize].span_id.to_string())
                        .collect(),
                ),
                Err(error) => Response::BadFilter(error),
            },
        }
    }

    /// Arena indices of the selected spans, trace by trace, each trace in tree order.
    pub fn select(&self, selection: &SpanSelection) -> Vec<u32> {
        match selection {
            SpanSelection::Traces(_) | SpanSelection::File(_) => self
                .named_traces(selection)
                .iter()
                .filter_map(|id| self.traces.get(&TraceId::parse(id).ok()?))
                .flat_map(|trace| trace.tree.span.iter().copied())
                .collect(),
            SpanSelection::Project(project) => self
                .project_traces(project)
                .flat_map(|trace| trace.tree.span.iter().copied())
                .collect(),
            SpanSelection::Matching(query) => {
                lists::matching(&self.arena, &self.traces, query, &self.prices)
                    .into_iter()
                    .flat_map(|row| match row.is_trace {
                        true => row.trace.tree.span.clone(),
                        false => vec![row.span],
                    })
                    .collect()
            }
        }
    }

    /// The assembled trace of hex id `trace_id`, if it is loaded.
    fn trace(&self, trace_id: &str) -> Option<&Trace> {
        TraceId::parse(trace_id)
            .ok()
            .and_then(|id| self.traces.get(&id))
    }

    /// The span at `at`, if its trace is loaded and holds it.
    fn span(&self, at: &protocol::SpanAt) -> Option<&crate::model::Span> {
        let span_id = crate::model::SpanId::parse(&at.span_id).ok()?;
        let spans = self.arena.spans();
        (self.trace(&at.trace_id)?.tree.span.iter())
            .map(|&index| &spans[index as usize])
            .find(|span| span.span_id == span_id)
    }

    /// Why the span at `at` cannot be answered about: its trace or it is not loaded.
    fn span_missing(&self, at: &protocol::SpanAt) -> Response {
        match self.trace(&at.trace_id) {
            Some(_) => missing_span(&at.trace_id, &at.span_id),
            None => not_found(&at.trace_id),
        }
    }

    /// `answer()`, unless the answer came out `empty` because no trace, read or only recorded,
    /// belongs to `project` (asked only then: answers that are not empty need no look).
    fn unless_no_project(
        &self,
        project: &str,
        empty: bool,
        answer: impl FnOnce() -> Response,
    ) -> Response {
        let known = !empty
            || self.project_traces(project).next().is_some()
            || self.unread_records().any(|r| r.project == project);
        match known {
            true => answer(),
            false => Response::NotFound(Missing::Project(project.to_owned())),
        }
    }

    /// The assembled traces of a project.
    fn project_traces<'a>(&'a self, project: &'a str) -> impl Iterator<Item = &'a Trace> {
        self.traces
            .all()
            .iter()
            .filter(move |t| self.arena.str(t.summary.project) == project)
    }

    /// The selected spans as a file of `target` form; with `redacted` (what the helper made of
    /// [`Engine::export_job`]), secrets taken out, and named so.
    pub fn export(
        &self,
        selection: &SpanSelection,
        target: Target,
        redacted: Option<&Redacted>,
    ) -> Result<Export, String> {
        let spans = self.select(selection);
        let stem = match selection {
            SpanSelection::Traces(ids) if ids.len() == 1 => format!("trace-{}", ids[0]),
            SpanSelection::Traces(ids) => format!("{}-traces", ids.len()),
            SpanSelection::File(key) => format!(
                "{}-traces",
                file_stem(self.saved_file(key).map_or("file", |f| f.name.as_str()))
            ),
            SpanSelection::Project(project) => file_stem(project),
            SpanSelection::Matching(query) => format!(
                "{}-matching-{}",
                file_stem(&query.project),
                if query.all_spans { "spans" } else { "traces" }
            ),
        };
        let (stem, bytes) = match redacted {
            // Annotations are not spans: their texts were redacted one by one.
            Some(redacted) if target == Target::PhoenixAnnotations => {
                let jsonl =
                    export::annotations::encode_phoenix_jsonl(&self.arena, &spans, redacted.text());
                (format!("{stem}-redacted"), jsonl.into_bytes())
            }
            Some(redacted) => {
                let clean = redacted.arena()?;
                let all: Vec<u32> = (0..clean.spans().len() as u32).collect();
                (
                    format!("{stem}-redacted"),
                    export::encode(&clean, &all, target),
                )
            }
            None => (stem, export::encode(&self.arena, &spans, target)),
        };
        Ok(Export {
            name: format!("{stem}.{}", target.extension()),
            spans: spans.len(),
            target,
            bytes,
        })
    }

    /// What the helper must redact for [`Engine::export`] with secrets taken out: the spans,
    /// or, for annotations, their texts.
    pub fn export_job(&self, selection: &SpanSelection, target: Target) -> RedactionJob {
        let spans = self.select(selection);
        match target {
            Target::PhoenixAnnotations => RedactionJob::new(&self.arena, &[], &[], self.rules())
                .with_texts_of(|text| {
                    export::annotations::encode_phoenix_jsonl(&self.arena, &spans, text);
                }),
            _ => RedactionJob::new(&self.arena, &spans, &[], self.rules()),
        }
    }

    /// Every trace with a selected span, whole, in trace id order.
    fn whole_traces(&self, selection: &SpanSelection) -> Vec<&Trace> {
        let mut ids: Vec<TraceId> = (self.select(selection).iter())
            .filter_map(|&i| self.arena.spans().get(i as usize))
            .map(|span| span.trace_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.iter().filter_map(|id| self.traces.get(id)).collect()
    }

    /// The traces of `request`'s selection, whole, ready for a share file (with `redacted`,
    /// what the helper made of [`Engine::share_job`]); its title, unless given, says what they
    /// are.
    pub fn share(
        &self,
        request: &ShareRequest,
        redacted: Option<&Redacted>,
    ) -> Result<crate::share::Shared, String> {
        let (spans, info) = self.share_info(request);
        crate::share::share(&self.arena, &spans, redacted, info)
    }

    /// What the helper must redact for [`Engine::share`]: the traces, their log records, the
    /// title and the evaluations' texts.
    pub fn share_job(&self, request: &ShareRequest) -> RedactionJob {
        let (spans, info) = self.share_info(request);
        crate::share::redaction_job(&self.arena, &spans, &info, self.rules())
    }

    /// The spans of `request`'s whole traces, and what the share file says of them.
    fn share_info(&self, request: &ShareRequest) -> (Vec<u32>, crate::share::ShareInfo) {
        let whole = self.whole_traces(&request.selection);
        let spans: Vec<u32> = (whole.iter())
            .flat_map(|trace| trace.tree.span.iter().copied())
            .collect();
        let mut info = request.info.clone();
        if info.title.trim().is_empty() {
            info.title = match (whole.as_slice(), &request.selection) {
                ([one], _) => self.arena.str(one.summary.name).to_owned(),
                (_, SpanSelection::Project(project)) => project.clone(),
                (_, SpanSelection::Matching(query)) if !query.filter.trim().is_empty() => {
                    format!("{}: {}", query.project, query.filter)
                }
                (_, SpanSelection::Matching(query)) => query.project.clone(),
                (_, SpanSelection::File(key)) => self
                    .saved_file(key)
                    .map_or_else(|| "Shared traces".to_owned(), |file| file.name.clone()),
                (_, SpanSelection::Traces(_)) => format!("{} traces", whole.len()),
            };
        }
        (spans, info)
    }

    /// Traces that loads changed since the last call: what the store must write (again).
    pub fn take_changed(&mut self) -> Vec<TraceId> {
        let held = &self.held.traces;
        let mut changed: Vec<TraceId> = self
            .changed
            .drain()
            .filter(|id| !held.contains(id))
            .collect();
        changed.sort_unstable();
        changed
    }

    /// Forgets the selected traces (whole traces, whatever the selection), read or not, and
    /// the saved files none of whose traces is left; returns both, so the store can delete
    /// them too.
    pub fn forget(&mut self, selection: &SpanSelection) -> Forgotten {
        self.revision += 1;
        let mut ids: HashSet<TraceId> = match selection {
            SpanSelection::Traces(_) | SpanSelection::File(_) => self
                .named_traces(selection)
                .iter()
                .filter_map(|id| TraceId::parse(id).ok())
                .collect(),
            SpanSelection::Project(project) => self
                .project_traces(project)
                .map(|t| t.summary.trace_id)
                .chain(
                    self.pending
                        .iter()
                        .filter(|(_, r)| &r.project == project)
                        .map(|(id, _)| *id),
                )
                .collect(),
            SpanSelection::Matching(query) => {
                let found = lists::matching(&self.arena, &self.traces, query, &self.prices);
                let unread = lists::unread_matching(self.unread_records(), query);
                found
                    .iter()
                    .map(|row| row.trace.summary.trace_id)
                    .chain(unread.filter_map(|r| TraceId::parse(&r.trace_id).ok()))
                    .collect()
            }
        };
        ids.retain(|id| self.traces.get(id).is_some() || self.pending.contains_key(id));
        self.forget_annotations(&ids);
        self.traces.remove(&ids);
        for id in &ids {
            self.pending.remove(id);
            self.views.remove(id);
            self.carried.remove(id);
            self.changed.remove(id);
            self.unkept.remove(id);
            self.held.traces.remove(id);
        }
        let (emptied, files): (Vec<FileRecord>, Vec<FileRecord>) =
            std::mem::take(&mut self.saved_files)
                .into_iter()
                .partition(|file| self.kept_traces_of(file) == 0);
        self.saved_files = files;
        let mut traces: Vec<TraceId> = ids.into_iter().collect();
        traces.sort_unstable();
        Forgotten {
            traces,
            files: emptied.into_iter().map(|f| f.key).collect(),
        }
    }

    /// Uses a user's price table (before the others) and notes it for the store; returns its key.
    fn add_price_file(&mut self, name: &str, file: crate::semantics::PriceFile) -> String {
        let key = self.keep_price_file(name, file);
        self.reprice();
        key
    }

    /// Notes a user's price table, to be used from the next [`Engine::reprice`]; returns its key.
    fn keep_price_file(&mut self, name: &str, file: crate::semantics::PriceFile) -> String {
        let next = self
            .price_files
            .last()
            .and_then(|f| f.key.parse::<u32>().ok())
            .map_or(0, |n| n + 1);
        let key = price_file_key(next);
        self.unsaved_price_files.push(key.clone());
        self.price_files.push(StoredPriceFile {
            key: key.clone(),
            name: name.to_owned(),
            file,
        });
        key
    }

    /// Uses the price tables the store kept (before any loaded since).
    pub fn restore_price_files(&mut self, files: Vec<StoredPriceFile>) {
        let loaded = std::mem::take(&mut self.price_files);
        self.price_files = files;
        for file in loaded {
            let was_held = self.held.price_files.contains(&file.key);
            let key = self.keep_price_file(&file.name, file.file);
            if was_held {
                // Renumbered after the kept ones: still held, under its new key.
                self.held.price_files.retain(|k| *k != file.key);
                self.unsaved_price_files.retain(|k| *k != key);
                self.held.price_files.push(key);
            }
        }
        self.reprice();
    }

    /// The price tables the store does not have yet.
    pub fn take_unsaved_price_files(&mut self) -> Vec<StoredPriceFile> {
        let keys = std::mem::take(&mut self.unsaved_price_files);
        self.price_files
            .iter()
            .filter(|f| keys.contains(&f.key))
            .cloned()
            .collect()
    }

    /// Removes what people noted on these traces and their spans (the store deletes it next).
    fn forget_annotations(&mut self, traces: &HashSet<TraceId>) {
        let gone: Vec<_> = (self.annotations_on(traces).into_iter())
            .map(|a| (a.target, a.name))
            .collect();
        for (target, name) in gone {
            self.arena.remove_annotation(target, name);
        }
        self.unsaved_annotations
            .extend(self.arena.take_annotation_changes());
    }

    /// Stops using a price table; whether there was one of that key.
    pub fn forget_price_file(&mut self, key: &str) -> bool {
        let before = self.price_files.len();
        self.price_files.retain(|f| f.key != key);
        self.unsaved_price_files.retain(|k| k != key);
        self.held.price_files.retain(|k| k != key);
        self.reprice();
        self.price_files.len() < before
    }

    /// Builds the prices in use again: the built-in table, then each user table before it.
    fn reprice(&mut self) {
        self.revision += 1;
        let mut prices = Prices::builtin();
        for file in &self.price_files {
            prices.add(file.file.clone());
        }
        self.prices = prices;
    }

    /// The price tables in use, as the page lists them.
    fn price_tables(&self) -> protocol::PriceTables {
        let builtin = Prices::builtin_file();
        protocol::PriceTables {
            builtin_version: builtin.as_ref().and_then(|f| f.version.clone()),
            builtin_models: builtin.map_or(0, |f| f.models.len() as u32),
            files: self
                .price_files
                .iter()
                .rev()
                .map(|f| protocol::PriceFileRow {
                    key: f.key.clone(),
                    name: f.name.clone(),
                    models: f.file.models.len() as u32,
                    version: f.file.version.clone(),
                })
                .collect(),
        }
    }

    /// Shows the files saved in the store (replacing what it knew of them).
    pub fn list_saved_files(&mut self, files: Vec<FileRecord>) {
        self.saved_files = files;
    }

    /// Adds a file just saved.
    pub fn add_saved_file(&mut self, file: FileRecord) {
        self.saved_files.push(file);
    }

    fn saved_file(&self, key: &str) -> Option<&FileRecord> {
        self.saved_files.iter().find(|f| f.key == key)
    }

    /// The trace ids a selection names outright: its traces, or a saved file's.
    fn named_traces<'a>(&'a self, selection: &'a SpanSelection) -> &'a [String] {
        match selection {
            SpanSelection::Traces(ids) => ids,
            SpanSelection::File(key) => self.saved_file(key).map_or(&[], |f| &f.traces),
            SpanSelection::Project(_) | SpanSelection::Matching(_) => &[],
        }
    }

    /// How many of a saved file's traces the engine still has, read or not.
    fn kept_traces_of(&self, file: &FileRecord) -> usize {
        file.traces
            .iter()
            .filter_map(|id| TraceId::parse(id).ok())
            .filter(|id| self.traces.get(id).is_some() || self.pending.contains_key(id))
            .count()
    }

    fn saved_file_rows(&self) -> Vec<SavedFileRow> {
        self.saved_files
            .iter()
            .map(|file| SavedFileRow {
                key: file.key.clone(),
                name: file.name.clone(),
                format: file.format.clone(),
                bytes: file.bytes,
                saved_at_ms: file.saved_at_ms,
                spans: file.spans,
                traces: self.kept_traces_of(file) as u64,
            })
            .collect()
    }

    /// Evaluations loaded since the last call, as the store keeps them.
    pub fn take_new_evaluations(&mut self) -> Vec<crate::store::StoredEvaluation> {
        let all = self.arena.evaluations();
        std::mem::take(&mut self.unsaved_evaluations)
            .into_iter()
            .flat_map(|range| all.get(range).unwrap_or_default())
            .map(|e| crate::store::StoredEvaluation::of(&self.arena, e))
            .collect()
    }

    /// The settings: set by the page, restored from the store, and kept by it
    /// ([`Setting::take_unsaved`]).
    pub fn settings(&mut self) -> &mut Settings {
        &mut self.settings
    }

    /// The annotations people made on `traces` (on them or their spans), as stored: what a
    /// trace fetched again keeps.
    pub fn notes_on(&self, traces: &[String]) -> Vec<StoredEvaluation> {
        let ids: HashSet<TraceId> = traces
            .iter()
            .filter_map(|id| TraceId::parse(id).ok())
            .collect();
        (self.annotations_on(&ids).into_iter())
            .map(|a| StoredEvaluation::of(&self.arena, a))
            .collect()
    }

    /// The annotations on `traces` or their (assembled) spans.
    fn annotations_on(&self, traces: &HashSet<TraceId>) -> Vec<&crate::model::Evaluation> {
        let spans: HashSet<SpanId> = (traces.iter())
            .filter_map(|id| self.traces.get(id))
            .flat_map(|trace| trace.tree.span.iter())
            .filter_map(|&i| self.arena.spans().get(i as usize))
            .map(|span| span.span_id)
            .collect();
        (self.arena.annotations().iter())
            .filter(|a| match a.target {
                crate::model::EvalTarget::Trace(id) => traces.contains(&id),
                crate::model::EvalTarget::Span(id) | crate::model::EvalTarget::Document(id, _) => {
                    spans.contains(&id)
                }
            })
            .collect()
    }

    /// Whether any of `traces` (hex ids) is loaded, read or not.
    pub fn holds_any(&self, traces: &[String]) -> bool {
        (traces.iter().filter_map(|id| TraceId::parse(id).ok()))
            .any(|id| self.traces.get(&id).is_some() || self.pending.contains_key(&id))
    }

    /// The server connected to as `name`.
    pub fn connection(&self, name: &str) -> Option<&crate::sources::Connection> {
        (self.settings.connections.value.iter()).find(|c| c.name == name)
    }

    /// This engine emptied, its settings kept (they are not data).
    pub fn emptied(&self) -> Self {
        Self {
            settings: self.settings.clone(),
            ..Self::default()
        }
    }

    /// The redaction rules in use (read again where they are applied: a pattern that does not
    /// read stops what would leave with it left out).
    pub fn rules(&self) -> crate::redact::Rules {
        self.settings.rules.value.clone()
    }

    /// What the helper must look at for a preview of what the rules in use would take out of
    /// the selected spans (and their log records).
    pub fn preview_job(&self, selection: &SpanSelection) -> RedactionJob {
        let spans = self.select(selection);
        let logs = self.arena.logs_of_traces_of(&spans);
        RedactionJob {
            preview: true,
            ..RedactionJob::new(&self.arena, &spans, &logs, self.rules())
        }
    }

    /// The annotations set or removed since the store last kept them, once: each one's key, and
    /// it (none once removed). Those of loads held from a link, a host or a share file wait for
    /// [`Engine::keep_held`].
    pub fn take_unsaved_annotations(&mut self) -> Vec<(String, Option<StoredEvaluation>)> {
        let unsaved = std::mem::take(&mut self.unsaved_annotations);
        unsaved
            .into_iter()
            .map(|(target, name)| {
                let kept = self.arena.annotation(target, name);
                let removed = crate::model::Evaluation {
                    target,
                    name,
                    score: None,
                    label: None,
                    explanation: None,
                    source: SourceId::default(),
                    annotator: crate::model::Annotator::Human,
                };
                let stored = StoredEvaluation::of(&self.arena, kept.unwrap_or(&removed));
                (crate::store::annotation_key(&stored), kept.map(|_| stored))
            })
            .collect()
    }

    /// Puts kept evaluations back; returns how many were.
    pub fn restore_evaluations(&mut self, stored: &[crate::store::StoredEvaluation]) -> usize {
        self.revision += 1;
        let Ok(source) = self.arena.add_source(
            "Kept in this browser",
            crate::model::Format::PhoenixEvaluations,
        ) else {
            return 0;
        };
        stored
            .iter()
            .filter(|e| matches!(e.restore(&mut self.arena, source), Some(Ok(()))))
            .count()
    }

    /// Sets (or with `remove`, removes) what a person noted on a span or a trace; what the
    /// store keeps of it: its key, and it (none once removed). `Err`: why it cannot be.
    pub fn annotate(
        &mut self,
        annotation: &StoredEvaluation,
        remove: bool,
    ) -> Result<(String, Option<StoredEvaluation>), String> {
        let mut annotation = annotation.clone();
        annotation.annotator = crate::model::Annotator::Human;
        annotation.name = annotation.name.trim().to_owned();
        if annotation.name.is_empty() {
            return Err("an annotation needs a name".into());
        }
        let key = crate::store::annotation_key(&annotation);
        let evaluation = match annotation.evaluation(&mut self.arena, SourceId::default()) {
            Some(Ok(evaluation)) => evaluation,
            Some(Err(full)) => return Err(full.to_string()),
            None => return Err(format!("{key} names no span or trace")),
        };
        self.revision += 1;
        match remove {
            true => self
                .arena
                .remove_annotation(evaluation.target, evaluation.name),
            false => {
                self.arena.annotate(evaluation);
                true
            }
        };
        self.unsaved_annotations
            .extend(self.arena.take_annotation_changes());
        Ok((key, (!remove).then_some(annotation)))
    }

    /// Puts kept annotations back; how many.
    pub fn restore_annotations(&mut self, stored: &[StoredEvaluation]) -> usize {
        self.revision += 1;
        let mut restored = 0;
        for annotation in stored {
            if let Some(Ok(evaluation)) =
                annotation.evaluation(&mut self.arena, SourceId::default())
            {
                self.arena.annotate(evaluation);
                restored += 1;
            }
        }
        // They are the store's already.
        self.arena.take_annotation_changes();
        restored
    }

    /// Shows stored traces in the lists from their records, until [`Engine::restore`] reads
    /// their spans. A record replaces the one of the same trace.
    pub fn list_stored(&mut self, records: impl IntoIterator<Item = TraceRecord>) {
        self.revision += 1;
        for record in records {
            if let Ok(id) = TraceId::parse(&record.trace_id) {
                self.pending.insert(id, record);
            }
        }
    }

    /// Whether a trace is stored but not read.
    pub fn is_unread(&self, trace_id: &TraceId) -> bool {
        self.pending.contains_key(trace_id)
    }

    /// Whether the engine has spans of a trace (read, or loaded from a file).
    pub fn has_spans(&self, trace_id: &TraceId) -> bool {
        self.traces.get(trace_id).is_some()
    }

    /// The records of stored traces the lists show from their records: unread, and with no
    /// spans loaded since (a trace a file added to is listed once, from its spans).
    fn unread_records(&self) -> impl Iterator<Item = &TraceRecord> + Clone {
        self.pending
            .iter()
            .filter(|(id, _)| self.traces.get(id).is_none())
            .map(|(_, record)| record)
    }

    /// The unread traces whose spans `request` needs: restore them, then answer it. The lists
    /// answer from records alone unless they search text or list spans.
    pub fn unread(&self, request: &Request) -> Vec<TraceId> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        let one = |trace_id: &str| {
            TraceId::parse(trace_id)
                .ok()
                .filter(|id| self.pending.contains_key(id))
                .into_iter()
                .collect()
        };
        match request {
            Request::Summary
            | Request::CheckFilter { .. }
            | Request::SavedFiles
            | Request::PriceTables
            | Request::Projects
            | Request::RedactionRules
            | Request::Connections
            | Request::SourceProjects { .. }
            | Request::SourceTraces { .. }
            | Request::Sessions { .. } => Vec::new(),
            Request::RedactionPreview { selection } => self.unread_in(selection),
            Request::Traces(query) => self.unread_for_query(query),
            Request::Query { .. } => self.unread_where(|_| true),
            Request::Stats { project } => self.unread_where(|r| &r.project == project),
            Request::Session { project, session } => self.unread_where(|r| {
                &r.project == project && r.session.as_deref() == Some(session.as_str())
            }),
            Request::OpenTrace { trace_id }
            | Request::Rows { trace_id, .. }
            | Request::Toggle { trace_id, .. }
            | Request::ToggleAll { trace_id, .. }
            | Request::Search { trace_id, .. }
            | Request::Reveal { trace_id, .. }
            | Request::CriticalPath { trace_id, .. }
            | Request::SpanDetails { trace_id, .. }
            | Request::Flame { trace_id, .. } => one(trace_id),
            Request::AgentGraph { selection, .. } => self.unread_in(selection),
            Request::SpanDiff { base, other } => {
                let mut ids: Vec<TraceId> = [&base.trace_id, &other.trace_id]
                    .into_iter()
                    .flat_map(|id| one(id))
                    .collect();
                ids.dedup();
                ids
            }
            Request::Compare { base, other } => {
                let mut ids: Vec<TraceId> =
                    [base, other].into_iter().flat_map(|id| one(id)).collect();
                ids.dedup();
                ids
            }
        }
    }

    /// The unread traces whose spans exporting or sending `selection` needs.
    pub fn unread_in(&self, selection: &SpanSelection) -> Vec<TraceId> {
        match selection {
            SpanSelection::Traces(_) | SpanSelection::File(_) => self
                .named_traces(selection)
                .iter()
                .filter_map(|id| TraceId::parse(id).ok())
                .filter(|id| self.pending.contains_key(id))
                .collect(),
            SpanSelection::Project(project) => self.unread_where(|r| &r.project == project),
            SpanSelection::Matching(query) => self.unread_where(|r| r.project == query.project),
        }
    }

    /// The unread traces forgetting `selection` needs: only a text search or a span filter
    /// goes beyond what records tell.
    pub fn unread_to_forget(&self, selection: &SpanSelection) -> Vec<TraceId> {
        match selection {
            SpanSelection::Matching(query) => self.unread_for_query(query),
            SpanSelection::Traces(_) | SpanSelection::Project(_) | SpanSelection::File(_) => {
                Vec::new()
            }
        }
    }

    fn unread_for_query(&self, query: &TraceQuery) -> Vec<TraceId> {
        match query.all_spans || !query.text.trim().is_empty() || !query.filter.trim().is_empty() {
            true => self.unread_where(|r| r.project == query.project),
            false => Vec::new(),
        }
    }

    fn unread_where(&self, wanted: impl Fn(&TraceRecord) -> bool) -> Vec<TraceId> {
        let mut ids: Vec<TraceId> = self
            .pending
            .iter()
            .filter(|(_, r)| wanted(r))
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Reads back the stored chunks (OTLP protobuf) of the traces `read`: like loading files,
    /// but they are not files the user gave, and nothing they hold needs storing again. Those
    /// traces are no longer unread, even if a chunk was missing. Returns the problems met.
    pub fn restore<'a>(
        &mut self,
        read: &[TraceId],
        chunks: impl IntoIterator<Item = (&'a str, &'a crate::store::StoredChunk)>,
    ) -> Vec<String> {
        self.revision += 1;
        let mut problems = Vec::new();
        for (key, chunk) in chunks {
            let first = self.arena.spans().len();
            let report = ingest::load(&mut self.arena, key, &chunk.otlp);
            problems.extend(report.errors.iter().map(ToString::to_string));
            // The spans' files and places, as they were first read.
            let restored = chunk
                .origins
                .as_ref()
                .map(|o| o.restore(&mut self.arena, first));
            if let Some(Err(full)) = restored {
                problems.push(format!("{key}: {full}"));
            }
        }
        self.traces.update(&self.arena);
        for id in read {
            self.views.remove(id);
            self.pending.remove(id);
        }
        problems
    }

    /// A trace's record for the store, as `generation`.
    pub fn stored_record(&self, trace_id: &TraceId, generation: u32) -> Option<TraceRecord> {
        let trace = self.traces.get(trace_id)?;
        let chunks = crate::store::chunk_count(&self.arena, trace);
        Some(TraceRecord::of(&self.arena, trace, generation, chunks))
    }

    /// Chunk `n` of a trace, as the store keeps it.
    pub fn stored_chunk(&self, trace_id: &TraceId, n: u32) -> Option<crate::store::StoredChunk> {
        crate::store::chunk(&self.arena, self.traces.get(trace_id)?, n)
    }

    /// Everything loaded.
    pub fn arena(&self) -> &Arena {
        &self.arena
    }

    /// Totals over everything loaded.
    pub fn summary(&self) -> Summary {
        let overview = self.traces.overview();
        let mut projects: HashSet<&str> = overview
            .projects
            .iter()
            .map(|p| self.arena.str(p.name))
            .collect();
        let (mut spans, mut traces) = (overview.spans, overview.traces);
        let (mut usage, mut cost) = self.traces.llm_totals(&self.arena, &self.prices);
        for record in self.unread_records() {
            projects.insert(&record.project);
            spans += u64::from(record.spans);
            traces += 1;
            usage.add(&record.usage);
            cost.add(&record.cost(&self.prices));
        }
        Summary {
            spans,
            traces,
            projects: projects.len() as u64,
            errors: self.files.iter().map(|f| f.errors.len() as u64).sum(),
            usage,
            cost,
        }
    }

    /// The view of a trace, made on first use, with the trace and the arena.
    /// A page of a traces table. The table's order is kept: paging (scrolling) through the
    /// same query answers from it until the data change.
    fn traces_page(&mut self, query: &TraceQuery) -> Response {
        let key = TraceQuery {
            first: 0,
            count: 0,
            ..query.clone()
        };
        let fresh = matches!(&self.table, Some(t) if t.query == key && t.revision == self.revision);
        if !fresh {
            let order = |query: &TraceQuery| {
                lists::table_order(
                    &self.arena,
                    &self.traces,
                    self.unread_records(),
                    query,
                    &self.prices,
                )
            };
            let rows = order(&key);
            // A filter that matches spans but no root: the table says where they are.
            let spans_matching = (rows.is_empty() && !key.all_spans && !key.filter.is_empty())
                .then(|| {
                    order(&TraceQuery {
                        all_spans: true,
                        ..key.clone()
                    })
                    .len() as u32
                });
            self.table = Some(TableOrder {
                query: key,
                revision: self.revision,
                order: rows,
                spans_matching,
            });
        }
        let (order, spans_matching) = self
            .table
            .as_ref()
            .map_or((&[][..], None), |t| (&t.order[..], t.spans_matching));
        let project = query.project.as_str();
        self.unless_no_project(project, order.is_empty(), || {
            Response::Traces(TraceTableRows {
                spans_matching,
                ..lists::table_page(
                    &self.arena,
                    &self.traces,
                    &self.pending,
                    order,
                    query.first,
                    query.count,
                    &self.prices,
                )
            })
        })
    }

    /// The view of a trace (made on first use), the trace, the arena and the prices.
    fn open(&mut self, trace_id: &str) -> Option<(&mut View, &Trace, &Arena, &Prices)> {
        let id = TraceId::parse(trace_id).ok()?;
        let trace = self.traces.get(&id)?;
        let view = self.views.entry(id).or_insert_with(|| {
            let mut view = match self.carried.remove(&id) {
                Some(carried) => View::carrying(&self.arena, trace, carried, &self.prices),
                None => View::new(&self.arena, trace),
            };
            // A trace changes (and its view is made again) whenever this could change.
            view.in_progress = self.traces.in_progress(trace);
            view
        });
        Some((view, trace, &self.arena, &self.prices))
    }

    fn with_view(
        &mut self,
        trace_id: &str,
        change: impl FnOnce(&mut View, &Trace, &Arena, &Prices),
    ) -> Response {
        match self.open(trace_id) {
            Some((view, trace, arena, prices)) => {
                change(view, trace, arena, prices);
                Response::Trace(view.overview(arena, trace, prices))
            }
            None => not_found(trace_id),
        }
    }

    fn reveal(&mut self, trace_id: &str, span_id: &str) -> Response {
        let Some((view, trace, arena, prices)) = self.open(trace_id) else {
            return not_found(trace_id);
        };
        let revealed = SpanId::parse(span_id)
            .ok()
            .and_then(|span| view.reveal(arena, trace, span));
        match revealed {
            Some(visible_index) => Response::Revealed {
                trace: view.overview(arena, trace, prices),
                visible_index,
            },
            None => missing_span(trace_id, span_id),
        }
    }
}

/// `text` made safe as a file name: letters, digits, `-`, `_` and `.` kept, the rest `_`.
fn file_stem(text: &str) -> String {
    let stem: String = text
        .chars()
        .map(|c| match c {
            c if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') => c,
            _ => '_',
        })
        .collect();
    match stem.trim_matches('.') {
        "" => "spans".to_owned(),
        stem => stem.to_owned(),
    }
}

/// The answer to a question about trace `trace_id`, which is not loaded.
fn not_found(trace_id: &str) -> Response {
    Response::NotFound(Missing::Trace(trace_id.to_owned()))
}

fn missing_span(trace_id: &str, span_id: &str) -> Response {
    Response::NotFound(Missing::Span {
        trace_id: trace_id.to_owned(),
        span_id: span_id.to_owned(),
    })
}

/// `OK`, `ERROR` or `UNSET`.
fn status_name(code: StatusCode) -> String {
    code.short_name().to_owned()
}

/// Most boxes a flame graph answer carries.
const FLAME_BOXES: usize = 5_000;

fn flame_view(arena: &Arena, trace: &Trace, focus: Option<u32>) -> protocol::FlameView {
    let tree = &trace.tree;
    let totals = crate::analysis::flame::subtree_self_nanos(tree);
    let boxes: Vec<protocol::FlameBoxView> =
        crate::analysis::flame::layout(tree, &totals, focus, FLAME_BOXES)
            .into_iter()
            .map(|b| {
                let span = &arena.spans()[tree.span[b.row as usize] as usize];
                protocol::FlameBoxView {
                    row: b.row,
                    span_id: span.span_id.to_string(),
                    name: arena.str(span.name).to_owned(),
                    kind: span.oi_kind.name().to_owned(),
                    status: status_name(span.status_code),
                    level: b.level,
                    x: b.x,
                    width: b.width,
                    total_nanos: b.total_nanos,
                    self_nanos: tree.self_nanos[b.row as usize],
                }
            })
            .collect();
    protocol::FlameView {
        focus: focus.filter(|&f| (f as usize) < tree.len()),
        levels: boxes.iter().map(|b| b.level + 1).max().unwrap_or(0),
        boxes,
    }
}

/// Most aligned positions a comparison answer carries.
const COMPARED_ROWS: usize = 50_000;

fn comparison(arena: &Arena, base: &Trace, other: &Trace, prices: &Prices) -> protocol::Comparison {
    let aligned = crate::analysis::compare::align(arena, base, other, usize::MAX);
    let side = |trace: &Trace| protocol::ComparedTrace {
        trace_id: trace.summary.trace_id.to_string(),
        name: arena.str(trace.summary.name).to_owned(),
        start_nanos: trace.summary.start_unix_nanos,
        duration_nanos: trace.summary.duration_nanos(),
        spans: trace.summary.span_count,
        tokens: trace.summary.usage.total().unwrap_or(0),
        cost: trace.summary.cost(arena, prices),
    };
    let span_at = |trace: &Trace, row: Option<u32>| {
        row.map(|r| &arena.spans()[trace.tree.span[r as usize] as usize])
    };
    let rows = aligned
        .iter()
        .take(COMPARED_ROWS)
        .filter_map(|a| {
            let (b, o) = (span_at(base, a.base), span_at(other, a.other));
            let either = b.or(o)?;
            let compared = |span: Option<&crate::model::Span>| {
                span.map(|s| protocol::ComparedSpan {
                    span_id: s.span_id.to_string(),
                    duration_nanos: s.duration_nanos(),
                    status: status_name(s.status_code),
                })
            };
            Some(protocol::ComparedRow {
                depth: a.depth,
                name: arena.str(either.name).to_owned(),
                kind: either.oi_kind.name().to_owned(),
                base: compared(b),
                other: compared(o),
            })
        })
        .collect();
    let by_kind = crate::model::OiKind::ALL
        .iter()
        .enumerate()
        .map(|(i, kind)| protocol::KindDifference {
            kind: kind.name().to_owned(),
            base_nanos: base.summary.self_nanos_by_kind[i],
            other_nanos: other.summary.self_nanos_by_kind[i],
        })
        .filter(|k| k.base_nanos > 0 || k.other_nanos > 0)
        .collect();
    protocol::Comparison {
        base: side(base),
        other: side(other),
        rows,
        truncated: aligned.len() > COMPARED_ROWS,
        added: aligned.iter().filter(|a| a.base.is_none()).count() as u32,
        removed: aligned.iter().filter(|a| a.other.is_none()).count() as u32,
        by_kind,
    }
}

#[cfg(test)]
mod tests;
