//! The messages between the UI and the engine. They are small by design: the UI asks for what is
//! on screen (a page of a table, a window of tree rows, one span) and never holds a whole trace.
//! Both sides are Rust; messages travel as JSON (exact 64-bit integers, readable in devtools).

use serde::{Deserialize, Serialize};

use crate::attributes::{Map, Value};
use crate::model::Usage;
use crate::semantics::{CallCost, CostTotal, Meaning};

/// A question from the UI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Totals over everything loaded.
    Summary,
    /// The projects list.
    Projects,
    /// The files saved in this browser.
    SavedFiles,
    /// The price tables in use.
    PriceTables,
    /// A page of a project's traces (or spans), filtered and sorted.
    Traces(TraceQuery),
    /// The sessions of a project.
    Sessions {
        /// The project.
        project: String,
    },
    /// One session as a conversation.
    Session {
        /// The project.
        project: String,
        /// The `session.id`.
        session: String,
    },
    /// Opens a trace: its summary, and the view state the engine keeps for it.
    OpenTrace {
        /// Hex trace id.
        trace_id: String,
    },
    /// Visible tree rows `first..first + count` of an open trace.
    Rows {
        /// Hex trace id.
        trace_id: String,
        /// First visible row.
        first: u32,
        /// How many.
        count: u32,
    },
    /// Collapses or expands a row (`expand: None` toggles).
    Toggle {
        /// Hex trace id.
        trace_id: String,
        /// The tree row.
        row: u32,
        /// Expand, collapse, or toggle.
        expand: Option<bool>,
    },
    /// Expands (`true`) or collapses (`false`) every row.
    ToggleAll {
        /// Hex trace id.
        trace_id: String,
        /// Expand or collapse.
        expand: bool,
    },
    /// Filters the tree to matches and their ancestors; empty text clears the search.
    Search {
        /// Hex trace id.
        trace_id: String,
        /// A span filter (`span_kind == 'LLM'`) when it reads as one; else case-insensitive
        /// text, matched against names, kinds and attribute values.
        text: String,
        /// Text even if it looks like a filter.
        #[serde(default)]
        as_text: bool,
    },
    /// Two traces aligned by span name path.
    Compare {
        /// Hex id of the base trace.
        base: String,
        /// Hex id of the other.
        other: String,
    },
    /// Two spans anywhere compared for what they said (see [`crate::analysis::call_diff`]).
    SpanDiff {
        /// The base span.
        base: SpanAt,
        /// The other.
        other: SpanAt,
    },
    /// A project's figures and distributions.
    Stats {
        /// The project.
        project: String,
    },
    /// A trace's flame graph by self time, zoomed on a tree row (`None`: the whole trace).
    Flame {
        /// Hex trace id.
        trace_id: String,
        /// The tree row shown full width.
        focus: Option<u32>,
    },
    /// Whether a span filter reads (the filter bar asks before applying one).
    CheckFilter {
        /// The filter expression.
        filter: String,
    },
    /// The ids of every loaded span a span filter matches (`window.plume.query`).
    Query {
        /// The filter expression.
        filter: String,
    },
    /// Makes a span's row visible (expanding its ancestors) and says where it is.
    Reveal {
        /// Hex trace id.
        trace_id: String,
        /// Hex span id.
        span_id: String,
    },
    /// Turns critical path marks on or off in rows.
    CriticalPath {
        /// Hex trace id.
        trace_id: String,
        /// On or off.
        on: bool,
    },
    /// Everything about one span.
    SpanDetails {
        /// Hex trace id.
        trace_id: String,
        /// Hex span id.
        span_id: String,
    },
    /// The agents, tools and models of some traces (a trace, a project, what a filter shows)
    /// and who called or handed off to whom.
    AgentGraph {
        /// The traces: every trace with a selected span, whole.
        selection: SpanSelection,
        /// One node per span rather than per kind and name.
        expanded: bool,
    },
    /// The redaction rules in use (the user's, kept, else the built-in ones).
    RedactionRules,
    /// What the rules in use would take out of the selected spans, per rule, with examples.
    RedactionPreview {
        /// The spans.
        selection: SpanSelection,
    },
    /// The servers connected to ([`crate::sources::Connection`]: kept ones, and this page's).
    Connections,
    /// The projects (Jaeger's and Zipkin's services) of a server connected to.
    SourceProjects {
        /// The connection's name.
        source: String,
    },
    /// A page of a connected server's traces, newest first.
    SourceTraces {
        /// The connection's name.
        source: String,
        /// Which.
        query: SourceQuery,
        /// Where the page starts (the cursor the last page gave), else the first.
        cursor: Option<String>,
    },
}

impl Request {
    /// Whether it waits its turn in the worker's queue: it waits on a server or the helper
    /// (the worker's jobs answer it), or on what the store kept being read first.
    pub fn queued(&self) -> bool {
        matches!(
            self,
            Request::RedactionPreview { .. }
                | Request::SourceProjects { .. }
                | Request::SourceTraces { .. }
                | Request::Connections
        )
    }
}

/// Which traces of a server to list, and how many a page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceQuery {
    /// Which.
    pub search: crate::sources::Search,
    /// At most this many.
    pub limit: u32,
}

/// An answer from the engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// To [`Request::Summary`].
    Summary(Summary),
    /// To [`Request::Projects`].
    Projects(Vec<ProjectRow>),
    /// To [`Request::SavedFiles`], in save order.
    SavedFiles(Vec<SavedFileRow>),
    /// To [`Request::PriceTables`].
    PriceTables(PriceTables),
    /// To [`Request::Traces`].
    Traces(TraceTableRows),
    /// To [`Request::Sessions`].
    Sessions(Vec<SessionRow>),
    /// To [`Request::Session`].
    Session(Vec<Turn>),
    /// To [`Request::OpenTrace`], [`Request::Toggle`], [`Request::ToggleAll`],
    /// [`Request::Search`], [`Request::CriticalPath`]: the trace and its current view.
    Trace(TraceOverview),
    /// To [`Request::Rows`].
    Rows(Vec<RowView>),
    /// To [`Request::Reveal`]: the visible index of the span's row.
    Revealed {
        /// The view after revealing.
        trace: TraceOverview,
        /// The span's visible index.
        visible_index: u32,
    },
    /// To [`Request::SpanDetails`].
    SpanDetails(Box<SpanDetails>),
    /// To [`Request::Compare`].
    Comparison(Box<Comparison>),
    /// To [`Request::SpanDiff`].
    SpanDiff(Box<crate::analysis::call_diff::SpanDiff>),
    /// To [`Request::Stats`].
    Stats(Box<crate::analysis::project_stats::ProjectStats>),
    /// To [`Request::Flame`].
    Flame(FlameView),
    /// To [`Request::Query`]: hex span ids, trace by trace in tree order.
    SpanIds(Vec<String>),
    /// A filter that does not read.
    BadFilter(crate::analysis::filter::FilterError),
    /// To [`Request::CheckFilter`]: it reads.
    FilterReads,
    /// Anything asked about something that is not loaded.
    NotFound(Missing),
    /// To [`Request::AgentGraph`].
    AgentGraph(Box<crate::analysis::agent_graph::AgentGraph>),
    /// To [`Request::RedactionRules`].
    RedactionRules(crate::redact::Rules),
    /// To [`Request::RedactionPreview`].
    RedactionPreview(Box<RedactionPreview>),
    /// To [`Request::Connections`].
    Connections(Vec<crate::sources::Connection>),
    /// To [`Request::SourceProjects`].
    SourceProjects(Vec<String>),
    /// To [`Request::SourceTraces`].
    SourceTraces(Box<crate::sources::TracesPage>),
    /// What was asked could not be done, and why (a server refused, a job failed).
    Failed(String),
}

/// What the rules in use would take out of some spans, or why they cannot be used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RedactionPreview {
    /// Per rule: what it changes.
    pub preview: crate::redact::Preview,
    /// Why the rules cannot be applied (a pattern that does not read), if so.
    pub problem: Option<String>,
}

impl RedactionPreview {
    /// What a preview job's answer shows.
    pub fn of(answer: Result<crate::redact::job::Redacted, String>) -> Self {
        match answer {
            Ok(redacted) => Self {
                preview: redacted.preview,
                problem: None,
            },
            Err(problem) => Self {
                problem: Some(problem),
                ..Self::default()
            },
        }
    }
}

/// What a question named that the engine does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Missing {
    /// A trace, by the id asked for.
    #[error("trace {0} isn't loaded in this browser")]
    Trace(String),
    /// A span of a trace that is loaded.
    #[error("span {span_id} isn't in trace {trace_id}")]
    Span {
        /// The trace asked for.
        trace_id: String,
        /// The span asked for.
        span_id: String,
    },
    /// A project no loaded trace belongs to.
    #[error("project {0} isn't loaded in this browser")]
    Project(String),
    /// A session no trace of the project belongs to.
    #[error("session {session} isn't in project {project}")]
    Session {
        /// The project.
        project: String,
        /// The `session.id` asked for.
        session: String,
    },
}

impl Response {
    /// Its kind's name, as problems name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Summary(_) => "Summary",
            Self::Projects(_) => "Projects",
            Self::SavedFiles(_) => "SavedFiles",
            Self::PriceTables(_) => "PriceTables",
            Self::Traces(_) => "Traces",
            Self::Sessions(_) => "Sessions",
            Self::Session(_) => "Session",
            Self::Trace(_) => "Trace",
            Self::Rows(_) => "Rows",
            Self::Revealed { .. } => "Revealed",
            Self::SpanDetails(_) => "SpanDetails",
            Self::Comparison(_) => "Comparison",
            Self::SpanDiff(_) => "SpanDiff",
            Self::Stats(_) => "Stats",
            Self::Flame(_) => "Flame",
            Self::SpanIds(_) => "SpanIds",
            Self::BadFilter(_) => "BadFilter",
            Self::FilterReads => "FilterReads",
            Self::NotFound(_) => "NotFound",
            Self::AgentGraph(_) => "AgentGraph",
            Self::RedactionRules(_) => "RedactionRules",
            Self::RedactionPreview(_) => "RedactionPreview",
            Self::Connections(_) => "Connections",
            Self::SourceProjects(_) => "SourceProjects",
            Self::SourceTraces(_) => "SourceTraces",
            Self::Failed(_) => "Failed",
        }
    }
}

/// Totals, as `window.plume.summary()` returns them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Spans (deduplicated).
    pub spans: u64,
    /// Traces.
    pub traces: u64,
    /// Projects.
    pub projects: u64,
    /// Problems that lost data, over all files.
    pub errors: u64,
    /// Tokens of the counted calls (`analysis::mark_sums`: a span repeating its calls' sum is
    /// not counted with them).
    #[serde(default)]
    pub usage: Usage,
    /// What those calls cost.
    #[serde(default)]
    pub cost: CostTotal,
}

/// A file saved in this browser, as its list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedFileRow {
    /// Its key in the store (for [`SpanSelection::File`]).
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
    /// Traces it added spans to that are still kept.
    pub traces: u64,
}

/// The price tables calls are priced with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceTables {
    /// The built-in table's version (a date).
    pub builtin_version: Option<String>,
    /// Models it prices.
    pub builtin_models: u32,
    /// The user's tables, the one consulted first first.
    pub files: Vec<PriceFileRow>,
}

/// A price table the user loaded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceFileRow {
    /// Its key (to forget it).
    pub key: String,
    /// The file's name.
    pub name: String,
    /// Models it prices.
    pub models: u32,
    /// Its version, if it says.
    pub version: Option<String>,
}

/// What came of one file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileResult {
    /// The file's name.
    pub file: String,
    /// The format detected, if any.
    pub format: Option<String>,
    /// Spans stored.
    pub spans: u64,
    /// Distinct traces among them (and among the traces its log records name).
    pub traces: u64,
    /// Evaluations stored.
    pub evaluations: u64,
    /// Its log records: how many, and where they landed.
    #[serde(default)]
    pub logs: crate::analysis::LogAttachment,
    /// Models priced, when the file is a price table.
    #[serde(default)]
    pub price_models: Option<u64>,
    /// Problems that lost data, each `file: place: problem`.
    pub errors: Vec<String>,
    /// Problems that lost nothing.
    pub warnings: Vec<String>,
    /// It came from a link or a host page: shown, not kept until the user keeps it.
    #[serde(default)]
    pub held: bool,
}

impl FileResult {
    /// A file of which nothing was read, without a problem (yet).
    pub fn empty(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            format: None,
            spans: 0,
            traces: 0,
            evaluations: 0,
            logs: Default::default(),
            price_models: None,
            errors: Vec::new(),
            warnings: Vec::new(),
            held: false,
        }
    }

    /// Whether the user should see what came of it until they dismiss it: it lost or warns of
    /// something, or it came from a link and waits to be kept.
    pub fn needs_attention(&self) -> bool {
        self.has_problems() || (self.held && self.spans + self.evaluations > 0)
    }

    /// Whether it lost or warns of something.
    pub fn has_problems(&self) -> bool {
        !self.errors.is_empty() || !self.warnings.is_empty()
    }

    /// A file of which nothing could be read, and why (`message` follows the file's name).
    pub fn failed(file: &str, message: &str) -> Self {
        Self {
            errors: vec![format!("{file}: {message}")],
            ..Self::empty(file)
        }
    }
}

/// One project in the projects list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectRow {
    /// The project name.
    pub name: String,
    /// Its traces.
    pub traces: u64,
    /// Its spans.
    pub spans: u64,
    /// Traces with an error span, over all traces.
    pub error_rate: f64,
    /// Median trace duration, ns.
    pub p50_nanos: u64,
    /// 99th-percentile trace duration, ns.
    pub p99_nanos: u64,
    /// Tokens of all its traces.
    pub tokens: u64,
    /// What all its traces' calls cost.
    pub cost: CostTotal,
    /// Distinct sessions.
    pub sessions: u64,
}

/// Which spans to export or send.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SpanSelection {
    /// Whole traces, by hex id.
    Traces(Vec<String>),
    /// Every trace of a project.
    Project(String),
    /// What a traces-table query lets through (its sort and page aside): whole traces, or in
    /// the all-spans mode just the matching spans.
    Matching(TraceQuery),
    /// The traces a saved file brought, by the file's key in the store.
    File(String),
}

/// What to export, and in which form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportRequest {
    /// The spans.
    pub selection: SpanSelection,
    /// The file's form.
    pub target: crate::export::Target,
    /// Take secrets out first, with the rules in use ([`crate::engine::Engine::rules`]).
    #[serde(default)]
    pub redact: bool,
}

/// What to share, and what the share file says about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareRequest {
    /// The traces: every trace with a selected span, whole.
    pub selection: SpanSelection,
    /// Take secrets out first, with the rules in use ([`crate::engine::Engine::rules`]).
    pub redact: bool,
    /// What the file says: its title (none: said from the selection), who shares it, when, and
    /// where it opens (none: the one trace, else the start page).
    pub info: crate::share::ShareInfo,
}

/// What to send to a collector, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendRequest {
    /// The spans.
    pub selection: SpanSelection,
    /// Where and how.
    pub settings: crate::export::send::Settings,
}

/// How to list a project's traces.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceQuery {
    /// The project.
    pub project: String,
    /// Case-insensitive text in the name, input, output, session or id.
    pub text: String,
    /// A span filter in Phoenix's language; in trace mode it applies to root spans, as in
    /// Phoenix's traces table.
    #[serde(default)]
    pub filter: String,
    /// Only traces (or spans) with this status (`OK`, `ERROR`, `UNSET`).
    pub status: Option<String>,
    /// Only this OpenInference kind (`LLM`, `CHAIN`, …).
    pub kind: Option<String>,
    /// Only those starting at or after this time, ns since the epoch.
    pub since_nanos: Option<u64>,
    /// Only those starting before this time, ns since the epoch.
    pub until_nanos: Option<u64>,
    /// Every span rather than root spans only.
    pub all_spans: bool,
    /// The column to sort by.
    pub sort: SortKey,
    /// Largest first.
    pub descending: bool,
    /// First row of the page.
    pub first: u32,
    /// Rows in the page.
    pub count: u32,
}

impl TraceQuery {
    /// Whether it lets less than the whole project through (its order and page aside).
    pub fn is_filtered(&self) -> bool {
        !self.text.trim().is_empty()
            || !self.filter.trim().is_empty()
            || self.status.is_some()
            || self.kind.is_some()
            || self.since_nanos.is_some()
            || self.until_nanos.is_some()
    }
}

/// Sortable columns of the traces table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    /// Start time.
    #[default]
    Start,
    /// Duration.
    Duration,
    /// Name.
    Name,
    /// Span count.
    Spans,
    /// Tokens.
    Tokens,
    /// Cost (unknown below every known cost).
    Cost,
    /// Status.
    Status,
    /// Kind.
    Kind,
}

/// A page of the traces table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceTableRows {
    /// Rows matching the query in all.
    pub total: u32,
    /// When a span filter matches no root span in the traces table: how many spans it matches
    /// (the all-spans table would show them).
    #[serde(default)]
    pub spans_matching: Option<u32>,
    /// The rows of the page.
    pub rows: Vec<TraceRow>,
}

/// One row of the traces table: a trace (its root span), or a span in the all-spans mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceRow {
    /// Hex trace id.
    pub trace_id: String,
    /// Hex span id of the row's span (the root in trace mode).
    pub span_id: String,
    /// Its name.
    pub name: String,
    /// Its OpenInference kind.
    pub kind: String,
    /// Start, ns since the epoch.
    pub start_nanos: u64,
    /// Duration, ns.
    pub duration_nanos: u64,
    /// Spans (the trace's in trace mode, 1 for a span).
    pub spans: u32,
    /// Total tokens.
    pub tokens: u64,
    /// What its calls cost (the trace's, or the span's own).
    pub cost: CostTotal,
    /// `OK`, `ERROR` or `UNSET`.
    pub status: String,
    /// `session.id`, if any.
    pub session: Option<String>,
    /// What it was asked and answered, what went wrong, for whom (a field of its own: the
    /// page reads it, and flattening costs the page's code).
    pub gist: crate::store::Gist,
    /// Evaluations of its span (and, for a trace, of the trace), without explanations.
    #[serde(default)]
    pub evaluations: Vec<EvaluationView>,
    /// The trace is still arriving ([`crate::analysis::Traces::in_progress`]).
    #[serde(default)]
    pub in_progress: bool,
}

/// One session in a project's sessions list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    /// The `session.id`.
    pub session: String,
    /// Its traces (turns).
    pub traces: u32,
    /// First start, ns since the epoch.
    pub start_nanos: u64,
    /// Last end, ns since the epoch.
    pub end_nanos: u64,
    /// Tokens of all turns.
    pub tokens: u64,
    /// What all turns' calls cost.
    pub cost: CostTotal,
    /// Turns with an error.
    pub errors: u32,
    /// The first turn's input.
    pub first_input: String,
}

/// One turn of a session: a trace, read as input → output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// Hex trace id.
    pub trace_id: String,
    /// The root span's name.
    pub name: String,
    /// Start, ns since the epoch.
    pub start_nanos: u64,
    /// Duration, ns.
    pub duration_nanos: u64,
    /// `OK`, `ERROR` or `UNSET`.
    pub status: String,
    /// Tokens.
    pub tokens: u64,
    /// What its calls cost.
    pub cost: CostTotal,
    /// The root's `input.value`.
    pub input: String,
    /// The root's `output.value`.
    pub output: String,
}

/// An open trace: its figures, and the state of its view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceOverview {
    /// Hex trace id.
    pub trace_id: String,
    /// The root span's name.
    pub name: String,
    /// The project.
    pub project: String,
    /// `session.id`, if any.
    pub session: Option<String>,
    /// Earliest start, ns since the epoch.
    pub start_nanos: u64,
    /// Duration, ns.
    pub duration_nanos: u64,
    /// Spans.
    pub spans: u32,
    /// Error spans.
    pub errors: u32,
    /// Tokens of the counted calls.
    pub usage: Usage,
    /// What they cost.
    pub cost: CostTotal,
    /// Self time per OpenInference kind, largest first.
    pub time_by_kind: Vec<(String, u64)>,
    /// Log records that name the trace but no span of it that is loaded (the first
    /// [`ORPHAN_LOGS`]).
    pub orphan_logs: Vec<LogView>,
    /// How many such records there are.
    pub orphan_log_count: u32,
    /// Anomalies: roots, missing parents, duplicates, loops cut, spans outside their parent.
    pub anomalies: Anomalies,
    /// Rows visible with the current collapsing and search.
    pub visible_rows: u32,
    /// The current search text.
    pub search: String,
    /// How the search was read.
    pub search_reading: SearchReading,
    /// Matching rows of the search, as visible indices, in order.
    pub matches: Vec<u32>,
    /// Whether rows carry critical path marks.
    pub critical_path: bool,
    /// Hex id of the first span, in tree order, whose status is an error.
    pub first_error: Option<String>,
    /// The trace is still arriving: spans wait for their parents.
    #[serde(default)]
    pub in_progress: bool,
    /// The whole trace in small: `MINIMAP_ROWS` × `MINIMAP_COLUMNS` cells, row-major; each the
    /// number of spans covering that stretch of time in that band of rows (errors in the top bit).
    pub minimap: Vec<u16>,
}

/// How a trace's search text was read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SearchReading {
    /// Case-insensitive text (or nothing searched).
    #[default]
    Text,
    /// A span filter.
    Filter,
    /// Text that looks like a span filter but does not read as one: nothing is filtered until
    /// it is mended, or searched as text.
    BadFilter(crate::analysis::filter::FilterError),
}

/// Most orphan log records an overview carries.
pub const ORPHAN_LOGS: usize = 200;

/// Rows of [`TraceOverview::minimap`].
pub const MINIMAP_ROWS: usize = 48;
/// Columns of [`TraceOverview::minimap`].
pub const MINIMAP_COLUMNS: usize = 240;

/// What assembly found odd about a trace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomalies {
    /// Spans without a parent in the trace.
    pub roots: u32,
    /// Spans whose parent is not loaded.
    pub missing_parents: u32,
    /// Spans left out as duplicates.
    pub duplicates: u32,
    /// Parent loops cut.
    pub cycles: u32,
    /// Spans starting before or ending after their parent.
    pub outside_parent: u32,
    /// Spans without an end.
    pub unfinished: u32,
}

/// One visible row of the span tree and timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowView {
    /// Its index among visible rows.
    pub visible_index: u32,
    /// Its tree row.
    pub row: u32,
    /// Hex span id.
    pub span_id: String,
    /// Span name.
    pub name: String,
    /// Depth in the tree.
    pub depth: u32,
    /// The parent's visible index (roots have none).
    pub parent_index: Option<u32>,
    /// Direct children.
    pub children: u32,
    /// Whether its children are hidden.
    pub collapsed: bool,
    /// OpenInference kind.
    pub kind: String,
    /// `OK`, `ERROR` or `UNSET`.
    pub status: String,
    /// Start, ns after the trace's start (negative offsets clamp to 0).
    pub offset_nanos: u64,
    /// Duration, ns.
    pub duration_nanos: u64,
    /// Self time, ns.
    pub self_nanos: u64,
    /// Its own total tokens.
    pub tokens: u64,
    /// Its own cost (recorded, else estimated), when it has one.
    pub cost: Option<crate::model::Usd>,
    /// The tree's flags (missing parent, loop cut, outside parent, unfinished, zero length,
    /// sums the calls below).
    pub flags: u8,
    /// Whether it matches the current search.
    pub matched: bool,
    /// Critical stretches, as (start, end) offsets in ns, when the critical path is on.
    pub critical: Vec<(u64, u64)>,
    /// Its evaluations (annotations), without explanations.
    #[serde(default)]
    pub evaluations: Vec<EvaluationView>,
}

/// Everything about one span.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpanDetails {
    /// Hex trace id.
    pub trace_id: String,
    /// Hex span id.
    pub span_id: String,
    /// Hex parent span id, if any.
    pub parent_id: Option<String>,
    /// Whether the parent is loaded.
    pub parent_loaded: bool,
    /// Span name.
    pub name: String,
    /// OpenInference kind.
    pub kind: String,
    /// OpenTelemetry kind.
    pub otel_kind: String,
    /// `OK`, `ERROR` or `UNSET`.
    pub status: String,
    /// The status message.
    pub status_message: String,
    /// Start, ns since the epoch.
    pub start_nanos: u64,
    /// Start, ns after the trace's start.
    pub offset_nanos: u64,
    /// Duration, ns (0 when unfinished).
    pub duration_nanos: u64,
    /// Whether the span never ended.
    pub unfinished: bool,
    /// The tree's flags for its row.
    pub flags: u8,
    /// Attributes nested as Phoenix shows them.
    pub attributes: Map,
    /// Attributes as received: flat dotted keys.
    pub flat_attributes: Vec<(String, Value)>,
    /// Events.
    pub events: Vec<EventView>,
    /// Links.
    pub links: Vec<LinkView>,
    /// Resource attributes (flat).
    pub resource: Map,
    /// The project.
    pub project: String,
    /// Instrumentation scope name.
    pub scope_name: String,
    /// Instrumentation scope version.
    pub scope_version: String,
    /// The file it came from, and where in it.
    pub source: String,
    /// Evaluations of this span (and of its documents).
    pub evaluations: Vec<EvaluationView>,
    /// What it means, in whichever convention it was written.
    pub meaning: Meaning,
    /// Its own cost (recorded, else estimated), when it has one.
    pub cost: Option<CallCost>,
    /// Its subtree's counted calls (itself included), when it has more than its own.
    pub subtree: Option<SubtreeCalls>,
    /// The log records that name it, in time order.
    pub logs: Vec<LogView>,
    /// What people noted on its whole trace (its own annotations are among `evaluations`).
    #[serde(default)]
    pub trace_annotations: Vec<EvaluationView>,
    /// The annotation names and labels used so far, anywhere, to offer again.
    #[serde(default)]
    pub annotation_words: AnnotationWords,
}

/// The names and labels annotations use, each sorted, to offer when annotating.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AnnotationWords {
    /// Annotation names (`review`, …).
    pub names: Vec<String>,
    /// Labels (`good`, `bad`, …).
    pub labels: Vec<String>,
}

/// What the counted calls of a span's subtree add up to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubtreeCalls {
    /// Counted calls.
    pub calls: u32,
    /// Their tokens.
    pub usage: Usage,
    /// What they cost.
    pub cost: CostTotal,
}

/// A log record, as the details pane shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogView {
    /// When, ns since the epoch (0: not recorded).
    pub time_nanos: u64,
    /// The severity's name (`INFO`…) as recorded, else from its number.
    pub severity: String,
    /// OTLP's severity number.
    pub severity_number: i32,
    /// Its event name.
    pub event_name: String,
    /// The body: text as it is, anything else as pretty JSON.
    pub body: String,
    /// Its attributes (flat).
    pub attributes: Map,
    /// The span it names, when it names one (hex).
    pub span_id: Option<String>,
}

/// A span event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    /// Event name (`exception` for exceptions).
    pub name: String,
    /// Time after the span's start, ns (negative clamps to 0).
    pub offset_nanos: u64,
    /// Attributes (flat, as Phoenix shows events).
    pub attributes: Map,
}

/// A span link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkView {
    /// Hex trace id.
    pub trace_id: String,
    /// Hex span id.
    pub span_id: String,
    /// Whether that span is loaded (the link can be followed).
    pub loaded: bool,
    /// Attributes (flat).
    pub attributes: Map,
}

/// An evaluation of a span, or of one of its documents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvaluationView {
    /// The evaluation's name.
    pub name: String,
    /// The document position, for document evaluations.
    pub document: Option<u32>,
    /// Score.
    pub score: Option<f64>,
    /// Label.
    pub label: Option<String>,
    /// Explanation.
    pub explanation: Option<String>,
    /// A person's annotation rather than a model's or code's evaluation.
    #[serde(default)]
    pub human: bool,
}

/// A flame graph: the boxes wide enough to draw, ancestors of the focus first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlameView {
    /// The tree row shown full width, if zoomed.
    pub focus: Option<u32>,
    /// Levels drawn.
    pub levels: u32,
    /// The boxes.
    pub boxes: Vec<FlameBoxView>,
}

/// One box of a flame graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlameBoxView {
    /// Its tree row.
    pub row: u32,
    /// Hex span id.
    pub span_id: String,
    /// Span name.
    pub name: String,
    /// OpenInference kind.
    pub kind: String,
    /// `OK`, `ERROR` or `UNSET`.
    pub status: String,
    /// Level from the top.
    pub level: u32,
    /// Left edge, 0..1.
    pub x: f64,
    /// Width, 0..1.
    pub width: f64,
    /// Self time of its subtree, ns.
    pub total_nanos: u64,
    /// Its own self time, ns.
    pub self_nanos: u64,
}

/// Two traces aligned (see [`crate::analysis::compare`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The base trace.
    pub base: ComparedTrace,
    /// The other trace.
    pub other: ComparedTrace,
    /// Aligned positions in pre-order.
    pub rows: Vec<ComparedRow>,
    /// More positions than `rows` holds.
    pub truncated: bool,
    /// Spans only in the other trace.
    pub added: u32,
    /// Spans only in the base.
    pub removed: u32,
    /// Self time by kind in each trace, kinds present in either.
    pub by_kind: Vec<KindDifference>,
}

/// A span by its trace's and its own hex ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpanAt {
    /// Hex trace id.
    pub trace_id: String,
    /// Hex span id.
    pub span_id: String,
}

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparedTrace {
    /// Hex trace id.
    pub trace_id: String,
    /// Root span name.
    pub name: String,
    /// Start, ns since the epoch.
    pub start_nanos: u64,
    /// Duration, ns.
    pub duration_nanos: u64,
    /// Spans.
    pub spans: u32,
    /// Total tokens.
    pub tokens: u64,
    /// What its calls cost.
    pub cost: CostTotal,
}

/// One aligned position.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparedRow {
    /// Depth.
    pub depth: u32,
    /// Span name.
    pub name: String,
    /// OpenInference kind (the base's when both have it).
    pub kind: String,
    /// The span in the base trace.
    pub base: Option<ComparedSpan>,
    /// The span in the other trace.
    pub other: Option<ComparedSpan>,
}

/// A span at an aligned position.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparedSpan {
    /// Hex span id.
    pub span_id: String,
    /// Duration, ns.
    pub duration_nanos: u64,
    /// `OK`, `ERROR` or `UNSET`.
    pub status: String,
}

/// Self time of one kind in both traces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindDifference {
    /// `LLM`, `TOOL`, …
    pub kind: String,
    /// In the base, ns.
    pub base_nanos: u64,
    /// In the other, ns.
    pub other_nanos: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_needs_attention_when_it_lost_or_warns_of_something_or_waits_to_be_kept() {
        let loaded = FileResult {
            spans: 4,
            ..FileResult::empty("a.json")
        };
        assert!(!loaded.needs_attention());
        assert!(FileResult::failed("a.json", "broken").needs_attention());
        let warned = FileResult {
            warnings: vec!["a.json: no spans".into()],
            ..FileResult::empty("a.json")
        };
        assert!(warned.needs_attention() && warned.has_problems());
        let held = FileResult {
            held: true,
            ..loaded.clone()
        };
        assert!(held.needs_attention() && !held.has_problems());
        let held_empty = FileResult {
            held: true,
            ..FileResult::empty("a.json")
        };
        assert!(!held_empty.needs_attention(), "nothing to keep");
    }
}
