//! Every message between the page and the engine's worker, as types: [`ToWorker`] and
//! [`FromWorker`], and [`Query`], a [`Request`] paired with the type of its answer. How they
//! travel is `ui/bridge.rs`'s and `engine/worker.rs`'s business alone: each message as compact
//! binary ([`encode`]: postcard, positional, so only the same build reads it; [`BUILD`] travels
//! beside it), with what it cannot hold (files, bytes, a written file) beside it as a JavaScript
//! value.

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use crate::analysis::filter::FilterError;
use crate::analysis::project_stats::ProjectStats;
use crate::engine::protocol::{
    Comparison, ExportRequest, FileResult, FlameView, Missing, PriceTables, ProjectRow,
    RedactionPreview, Request, Response, RowView, SavedFileRow, SendRequest, SessionRow,
    ShareRequest, SourceQuery, SpanAt, SpanDetails, SpanSelection, Summary, TraceOverview,
    TraceQuery, TraceTableRows, Turn,
};
use crate::export::send::Report;
use crate::store::StoredEvaluation;

/// What the page tells the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Always first: the IndexedDB database to keep traces in (none: memory only, the store is
    /// not even opened), and whether new loads are saved there.
    Start {
        /// The database's name.
        database: Option<String>,
        /// Saves new loads.
        save: bool,
        /// Opens the database only if it exists already (a share file's page writes nothing
        /// until the user keeps what it holds); else it is opened when they do.
        only_if_kept: bool,
    },
    /// A question, answered by [`FromWorker::Answer`] with the same id.
    Ask {
        /// Pairs the answer with the question.
        id: u32,
        /// The question.
        request: Request,
    },
    /// Files to load as batch `batch`; reported by [`FromWorker::Progress`], one
    /// [`FromWorker::Loaded`] per file, then [`FromWorker::Done`].
    Load {
        /// The batch its events carry.
        batch: u32,
        /// What to load.
        source: Source,
        /// From a link or a host page: shown, not kept until the user keeps it.
        held: bool,
    },
    /// Write the selected spans as a file, answered by [`FromWorker::Exported`].
    Export {
        /// Pairs the file with the question.
        id: u32,
        /// What and how.
        request: ExportRequest,
    },
    /// Write the selected traces as a share file ([`crate::share`]), answered by
    /// [`FromWorker::Exported`].
    Share {
        /// Pairs the file with the question.
        id: u32,
        /// What and how.
        request: ShareRequest,
    },
    /// POST the selected spans to a collector; each step is a [`FromWorker::SendReport`].
    Send {
        /// Pairs the reports with the question.
        id: u32,
        /// What and where.
        request: SendRequest,
    },
    /// Forget the selected traces (none: everything), loaded and kept; then `Done`.
    Forget {
        /// The batch its `Done` carries.
        batch: u32,
        /// What to forget.
        selection: Option<SpanSelection>,
    },
    /// Stop using a price table the user loaded, here and in storage; then `Done`.
    ForgetPrices {
        /// The batch its `Done` carries.
        batch: u32,
        /// The table's key.
        key: String,
    },
    /// Turn saving new loads on or off; on, what was loaded meanwhile is saved (reported as
    /// batch `batch`).
    Saving {
        /// The batch its events carry.
        batch: u32,
        /// Saving or not.
        on: bool,
    },
    /// Use these redaction rules from now on (and keep them where loads are kept).
    SetRules {
        /// The rules.
        rules: crate::redact::Rules,
    },
    /// The servers connected to are these from now on (kept where loads are, keys only where
    /// the user asked).
    SetConnections {
        /// All of them.
        connections: Vec<crate::sources::Connection>,
    },
    /// Set or remove what a person noted on a span or trace (an annotation), kept where loads
    /// are (reported as batch `batch`).
    Annotate {
        /// The batch its events carry.
        batch: u32,
        /// The annotation: its target, name, label, score and explanation.
        annotation: StoredEvaluation,
        /// Remove it instead.
        remove: bool,
    },
    /// Keep what links and the host page brought (reported as batch `batch`).
    KeepHeld {
        /// The batch its events carry.
        batch: u32,
    },
    /// Pause (or resume) showing what `plume serve` receives; resumed, what came meanwhile is
    /// shown at once.
    Live {
        /// Paused or not.
        paused: bool,
    },
    /// Stop asking a server: what is being fetched or listed is dropped (nothing of it is
    /// loaded), at once, not after the messages before it.
    Cancel,
}

impl ToWorker {
    /// Whether it asks a server (what [`ToWorker::Cancel`] stops).
    pub fn asks_server(&self) -> bool {
        match self {
            ToWorker::Ask { request, .. } => matches!(
                request,
                Request::SourceProjects { .. } | Request::SourceTraces { .. }
            ),
            ToWorker::Load { source, .. } => matches!(source, Source::Remote { .. }),
            _ => false,
        }
    }
}

/// What a [`ToWorker::Load`] reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Source {
    /// The `File`s beside the message, each read in chunks from `File.stream()`.
    Files,
    /// A file the worker fetches.
    Url {
        /// Where.
        url: String,
        /// The name it is shown under.
        name: String,
    },
    /// Pasted or posted text.
    Text {
        /// The name it is shown under.
        name: String,
        /// The text.
        text: String,
    },
    /// The bytes beside the message (a `Uint8Array`).
    Bytes {
        /// The name it is shown under.
        name: String,
    },
    /// Traces of a server connected to, fetched whole (a trace fetched again replaces what was
    /// loaded of it); held: kept only when the user keeps them.
    Remote {
        /// The connection's name.
        source: String,
        /// The project they are in (Phoenix asks for it).
        project: String,
        /// Their ids (hex).
        traces: Vec<String>,
    },
    /// What the `plume serve` that served the page keeps: the files `{api}kept` lists; then
    /// what it receives, as it comes ([`FromWorker::Live`]).
    Server {
        /// Its API, relative to the page (`api/`).
        api: String,
        /// The token it asks for, if the page was given one.
        token: Option<String>,
    },
}

/// What the worker tells the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// Its handler is installed: messages held until now can go.
    Ready,
    /// The answer to [`ToWorker::Ask`] `id`.
    Answer {
        /// The question's id.
        id: u32,
        /// The answer, or why there is none (boxed: answers are the largest messages).
        answer: Result<Box<Response>, Problem>,
    },
    /// The file [`ToWorker::Export`] `id` asked for, as a `Blob` beside the message.
    Exported {
        /// The question's id.
        id: u32,
        /// Its name and spans, or why there is none.
        file: Result<ExportedFile, Problem>,
    },
    /// A step of [`ToWorker::Send`] `id` (the last has `done` set).
    SendReport {
        /// The question's id.
        id: u32,
        /// How the delivery is going.
        report: Report,
    },
    /// A file of a batch is being read or parsed (at most every 100 ms per file).
    Progress(FileProgress),
    /// A file of a batch is done.
    Loaded {
        /// The load batch.
        batch: u32,
        /// The file within the batch.
        file: u32,
        /// What came of it.
        result: FileResult,
    },
    /// Every file of a batch is done (batch 0: what was kept has been read).
    Done {
        /// The load batch.
        batch: u32,
    },
    /// How following `plume serve` goes; told when it changes and after each piece shown.
    Live(LiveStatus),
}

/// How following what `plume serve` receives goes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveStatus {
    /// The stream's state.
    pub connection: Connection,
    /// Paused by the user: what arrives is shown on resuming.
    pub paused: bool,
    /// Spans shown since the page opened, live.
    pub spans: u64,
    /// The last piece that did not read, if any.
    pub problem: Option<String>,
}

/// The state of the stream from `plume serve`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Connection {
    /// Connecting (or connecting again).
    #[default]
    Connecting,
    /// Connected: what is kept is shown as it arrives.
    Open,
    /// Lost, with why; tried again shortly.
    Lost(String),
}

/// What a tab's worker tells the other tabs' workers of the same database after writing or
/// deleting, on a `BroadcastChannel`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StoreChange {
    /// These traces were written or deleted.
    Traces(Vec<String>),
    /// Everything was deleted.
    Everything,
    /// The settings (redaction rules, servers connected to) were set.
    Settings,
}

/// Where a file of a load batch is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileProgress {
    /// The load batch (one drop, one pick, one paste, one sample).
    pub batch: u32,
    /// The file within the batch.
    pub file: u32,
    /// Its name.
    pub name: String,
    /// `reading`, `parsing` or `saving`.
    pub phase: String,
    /// Bytes read.
    pub bytes: f64,
    /// Bytes in all (0 when unknown).
    pub total: f64,
    /// Spans stored so far.
    pub spans: u64,
}

/// A file the engine wrote, beside its `Blob`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportedFile {
    /// Its name.
    pub name: String,
    /// Spans in it.
    pub spans: u64,
}

/// Why a question got no answer the page can use; every page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Problem {
    /// What was asked about is not loaded: a trace, a span, a project, a session.
    #[error("{0}")]
    NotFound(Missing),
    /// The worker could not read the question (the page and the worker disagree: a bug).
    #[error("the engine could not read the question: {0}")]
    UnreadableQuestion(String),
    /// The page could not read the answer (a bug).
    #[error("the page could not read the engine's answer: {0}")]
    UnreadableAnswer(String),
    /// The answer was not of the question's kind (a bug).
    #[error("the engine answered {0} to another question")]
    WrongAnswer(String),
    /// The engine could not do what was asked, and says why.
    #[error("{0}")]
    Failed(String),
    /// The engine stopped: nothing more will be answered.
    #[error("the engine stopped; reload the page (what was kept in this browser is safe)")]
    EngineStopped,
}

/// The build the page and its worker were made from: a message whose build differs is not read
/// (positional binary from other types would read as nonsense). From a hash of the sources.
pub const BUILD: &str = env!("PLUME_SOURCE_HASH");

/// A message as it travels: postcard's binary, a fraction of JSON's size and of the code that
/// reads it (what every embedding page downloads).
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    // Every message is plain data of known lengths: it always serializes.
    postcard::to_allocvec(message).unwrap_or_default()
}

/// A message from its bytes; one that does not read is a bug of this build.
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|error| error.to_string())
}

/// What the page waits for after a message it sends. Its name and the message's id travel
/// beside the message, so that a worker which cannot read the message (from another build)
/// still answers it, and nothing waits forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Awaited {
    /// [`FromWorker::Answer`] to [`ToWorker::Ask`].
    Answer,
    /// [`FromWorker::Exported`] to [`ToWorker::Export`] and [`ToWorker::Share`].
    Exported,
    /// The last [`FromWorker::SendReport`] to [`ToWorker::Send`].
    SendReport,
}

impl Awaited {
    /// As it travels.
    pub fn name(self) -> &'static str {
        match self {
            Awaited::Answer => "Answer",
            Awaited::Exported => "Exported",
            Awaited::SendReport => "SendReport",
        }
    }

    /// From its name.
    pub fn named(name: &str) -> Option<Self> {
        [Awaited::Answer, Awaited::Exported, Awaited::SendReport]
            .into_iter()
            .find(|awaited| awaited.name() == name)
    }

    /// What tells the page that message `id` failed, and why.
    pub fn failed(self, id: u32, problem: Problem) -> FromWorker {
        match self {
            Awaited::Answer => FromWorker::Answer {
                id,
                answer: Err(problem),
            },
            Awaited::Exported => FromWorker::Exported {
                id,
                file: Err(problem),
            },
            Awaited::SendReport => FromWorker::SendReport {
                id,
                report: Report {
                    messages: vec![problem.to_string()],
                    done: true,
                    ..Report::default()
                },
            },
        }
    }
}

impl ToWorker {
    /// What the page waits for after this message, and the message's id.
    pub fn awaited(&self) -> Option<(Awaited, u32)> {
        match self {
            ToWorker::Ask { id, .. } => Some((Awaited::Answer, *id)),
            ToWorker::Export { id, .. } | ToWorker::Share { id, .. } => {
                Some((Awaited::Exported, *id))
            }
            ToWorker::Send { id, .. } => Some((Awaited::SendReport, *id)),
            _ => None,
        }
    }
}

/// A [`Request`] paired with the type of its answer: the page asks with one and gets a `T` or a
/// [`Problem`], never an answer of another kind.
#[derive(Debug)]
pub struct Query<T> {
    /// The question.
    pub request: Request,
    answer: PhantomData<fn() -> T>,
}

impl<T> Clone for Query<T> {
    fn clone(&self) -> Self {
        Self::new(self.request.clone())
    }
}

impl<T> PartialEq for Query<T> {
    fn eq(&self, other: &Self) -> bool {
        self.request == other.request
    }
}

/// An answer type: what it takes from the [`Response`]s.
pub trait Answer: Sized {
    /// Its value, if `response` is of its kind.
    fn from_response(response: Response) -> Option<Self>;
}

impl<T> Query<T> {
    fn new(request: Request) -> Self {
        Self {
            request,
            answer: PhantomData,
        }
    }
}

impl<T: Answer> Query<T> {
    /// What the engine answered, as this question's type.
    pub fn answer(&self, answer: Result<Box<Response>, Problem>) -> Result<T, Problem> {
        match *answer? {
            Response::NotFound(what) => Err(Problem::NotFound(what)),
            Response::Failed(why) => Err(Problem::Failed(why)),
            response => {
                let kind = response.kind();
                T::from_response(response).ok_or(Problem::WrongAnswer(kind.to_owned()))
            }
        }
    }
}

/// `Answer` for the type one `Response` variant holds.
macro_rules! answers {
    ($($variant:ident => $type:ty),* $(,)?) => {$(
        impl Answer for $type {
            fn from_response(response: Response) -> Option<Self> {
                match response {
                    Response::$variant(value) => Some(value),
                    _ => None,
                }
            }
        }
    )*};
}

answers! {
    Summary => Summary,
    Projects => Vec<ProjectRow>,
    SavedFiles => Vec<SavedFileRow>,
    PriceTables => PriceTables,
    Traces => TraceTableRows,
    Sessions => Vec<SessionRow>,
    Session => Vec<Turn>,
    Trace => TraceOverview,
    Rows => Vec<RowView>,
    SpanDetails => Box<SpanDetails>,
    Comparison => Box<Comparison>,
    SpanDiff => Box<crate::analysis::call_diff::SpanDiff>,
    Stats => Box<ProjectStats>,
    Flame => FlameView,
    AgentGraph => Box<crate::analysis::agent_graph::AgentGraph>,
    RedactionRules => crate::redact::Rules,
    RedactionPreview => Box<RedactionPreview>,
    Connections => Vec<crate::sources::Connection>,
    SourceProjects => Vec<String>,
    SourceTraces => Box<crate::sources::TracesPage>,
}

/// A trace's view, and the visible index of the span [`Query::reveal`] asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Revealed {
    /// The view after revealing.
    pub trace: TraceOverview,
    /// The span's visible index.
    pub visible_index: u32,
}

impl Answer for Revealed {
    fn from_response(response: Response) -> Option<Self> {
        match response {
            Response::Revealed {
                trace,
                visible_index,
            } => Some(Self {
                trace,
                visible_index,
            }),
            _ => None,
        }
    }
}

/// Whether a filter reads.
impl Answer for Result<(), FilterError> {
    fn from_response(response: Response) -> Option<Self> {
        match response {
            Response::FilterReads => Some(Ok(())),
            Response::BadFilter(error) => Some(Err(error)),
            _ => None,
        }
    }
}

/// The spans a filter matches, or why it does not read.
impl Answer for Result<Vec<String>, FilterError> {
    fn from_response(response: Response) -> Option<Self> {
        match response {
            Response::SpanIds(ids) => Some(Ok(ids)),
            Response::BadFilter(error) => Some(Err(error)),
            _ => None,
        }
    }
}

impl Query<Summary> {
    /// Totals over everything loaded.
    pub fn summary() -> Self {
        Self::new(Request::Summary)
    }
}

impl Query<Vec<ProjectRow>> {
    /// The projects list.
    pub fn projects() -> Self {
        Self::new(Request::Projects)
    }
}

impl Query<Vec<SavedFileRow>> {
    /// The files saved in this browser.
    pub fn saved_files() -> Self {
        Self::new(Request::SavedFiles)
    }
}

impl Query<Box<crate::analysis::call_diff::SpanDiff>> {
    /// Two spans compared for what they said.
    pub fn span_diff(base: SpanAt, other: SpanAt) -> Self {
        Self::new(Request::SpanDiff { base, other })
    }
}

impl Query<Box<crate::analysis::agent_graph::AgentGraph>> {
    /// The agent graph of the selected traces (`expanded`: a node per span).
    pub fn agent_graph(selection: SpanSelection, expanded: bool) -> Self {
        Self::new(Request::AgentGraph {
            selection,
            expanded,
        })
    }
}

impl Query<crate::redact::Rules> {
    /// The redaction rules in use.
    pub fn redaction_rules() -> Self {
        Self::new(Request::RedactionRules)
    }
}

impl Query<Box<RedactionPreview>> {
    /// What the rules in use would take out of the selected spans.
    pub fn redaction_preview(selection: SpanSelection) -> Self {
        Self::new(Request::RedactionPreview { selection })
    }
}

impl Query<Vec<crate::sources::Connection>> {
    /// The servers connected to.
    pub fn connections() -> Self {
        Self::new(Request::Connections)
    }
}

impl Query<Vec<String>> {
    /// The projects (services) of the server connected to as `source`.
    pub fn source_projects(source: &str) -> Self {
        Self::new(Request::SourceProjects {
            source: source.to_owned(),
        })
    }
}

impl Query<Box<crate::sources::TracesPage>> {
    /// A page of the traces of the server connected to as `source`.
    pub fn source_traces(source: &str, query: SourceQuery, cursor: Option<String>) -> Self {
        Self::new(Request::SourceTraces {
            source: source.to_owned(),
            query,
            cursor,
        })
    }
}

impl Query<PriceTables> {
    /// The price tables in use.
    pub fn price_tables() -> Self {
        Self::new(Request::PriceTables)
    }
}

impl Query<TraceTableRows> {
    /// A page of a project's traces (or spans).
    pub fn traces(query: TraceQuery) -> Self {
        Self::new(Request::Traces(query))
    }
}

impl Query<Vec<SessionRow>> {
    /// A project's sessions.
    pub fn sessions(project: String) -> Self {
        Self::new(Request::Sessions { project })
    }
}

impl Query<Vec<Turn>> {
    /// One session's turns.
    pub fn session(project: String, session: String) -> Self {
        Self::new(Request::Session { project, session })
    }
}

impl Query<TraceOverview> {
    /// Opens a trace (its view is kept by the engine).
    pub fn open_trace(trace_id: String) -> Self {
        Self::new(Request::OpenTrace { trace_id })
    }

    /// Collapses or expands a row (`expand: None` toggles).
    pub fn toggle(trace_id: String, row: u32, expand: Option<bool>) -> Self {
        Self::new(Request::Toggle {
            trace_id,
            row,
            expand,
        })
    }

    /// Expands or collapses every row.
    pub fn toggle_all(trace_id: String, expand: bool) -> Self {
        Self::new(Request::ToggleAll { trace_id, expand })
    }

    /// Filters the tree to matches and their ancestors: `text` is a span filter if it reads as
    /// one, else words to find (always words, `as_text`).
    pub fn search(trace_id: String, text: String, as_text: bool) -> Self {
        Self::new(Request::Search {
            trace_id,
            text,
            as_text,
        })
    }

    /// Turns critical path marks on or off.
    pub fn critical_path(trace_id: String, on: bool) -> Self {
        Self::new(Request::CriticalPath { trace_id, on })
    }
}

impl Query<Revealed> {
    /// Expands a span's ancestors; where its row is.
    pub fn reveal(trace_id: String, span_id: String) -> Self {
        Self::new(Request::Reveal { trace_id, span_id })
    }
}

impl Query<Vec<RowView>> {
    /// A window of a trace's visible rows.
    pub fn rows(trace_id: String, first: u32, count: u32) -> Self {
        Self::new(Request::Rows {
            trace_id,
            first,
            count,
        })
    }
}

impl Query<Box<SpanDetails>> {
    /// One span, whole.
    pub fn span_details(trace_id: String, span_id: String) -> Self {
        Self::new(Request::SpanDetails { trace_id, span_id })
    }
}

impl Query<Box<Comparison>> {
    /// Two traces side by side.
    pub fn compare(base: String, other: String) -> Self {
        Self::new(Request::Compare { base, other })
    }
}

impl Query<Box<ProjectStats>> {
    /// A project's figures.
    pub fn stats(project: String) -> Self {
        Self::new(Request::Stats { project })
    }
}

impl Query<FlameView> {
    /// A trace as an icicle, zoomed on a tree row.
    pub fn flame(trace_id: String, focus: Option<u32>) -> Self {
        Self::new(Request::Flame { trace_id, focus })
    }
}

impl Query<Result<(), FilterError>> {
    /// Whether a filter reads.
    pub fn check_filter(filter: String) -> Self {
        Self::new(Request::CheckFilter { filter })
    }
}

impl Query<Result<Vec<String>, FilterError>> {
    /// The spans a filter matches.
    pub fn matching(filter: String) -> Self {
        Self::new(Request::Query { filter })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_back_as_written() {
        let messages = [
            ToWorker::Start {
                database: Some("plume".into()),
                save: true,
                only_if_kept: false,
            },
            ToWorker::Ask {
                id: 7,
                request: Request::Summary,
            },
            ToWorker::Load {
                batch: 3,
                source: Source::Url {
                    url: "samples/a.pb".into(),
                    name: "a.pb".into(),
                },
                held: true,
            },
            ToWorker::KeepHeld { batch: 4 },
        ];
        for message in messages {
            assert_eq!(decode::<ToWorker>(&encode(&message)), Ok(message));
        }
        let answer = FromWorker::Answer {
            id: 7,
            answer: Err(Problem::EngineStopped),
        };
        assert_eq!(decode::<FromWorker>(&encode(&answer)), Ok(answer));
        assert!(decode::<ToWorker>(&[200, 1]).is_err());
    }

    #[test]
    fn a_message_that_does_not_read_is_still_answered() {
        let ask = ToWorker::Ask {
            id: 9,
            request: Request::Summary,
        };
        let export = ToWorker::Export {
            id: 10,
            request: ExportRequest {
                selection: SpanSelection::Project("p".into()),
                target: crate::export::Target::OtlpJson,
                redact: false,
            },
        };
        assert_eq!(ask.awaited(), Some((Awaited::Answer, 9)));
        assert_eq!(export.awaited(), Some((Awaited::Exported, 10)));
        assert_eq!(ToWorker::KeepHeld { batch: 1 }.awaited(), None);
        for awaited in [Awaited::Answer, Awaited::Exported, Awaited::SendReport] {
            assert_eq!(Awaited::named(awaited.name()), Some(awaited));
        }
        assert_eq!(Awaited::named("Nonsense"), None);
        let problem = Problem::UnreadableQuestion("another build".into());
        assert_eq!(
            Awaited::Answer.failed(9, problem.clone()),
            FromWorker::Answer {
                id: 9,
                answer: Err(problem.clone())
            }
        );
        match Awaited::SendReport.failed(11, problem.clone()) {
            FromWorker::SendReport { id: 11, report } => {
                assert!(report.done);
                assert_eq!(report.messages, vec![problem.to_string()]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_query_takes_only_its_own_kind_of_answer() {
        let summary = Query::summary();
        assert_eq!(
            summary.answer(Ok(Box::new(Response::Summary(Summary::default())))),
            Ok(Summary::default())
        );
        assert_eq!(
            summary.answer(Ok(Box::new(Response::Projects(Vec::new())))),
            Err(Problem::WrongAnswer("Projects".into()))
        );
        assert_eq!(
            summary.answer(Ok(Box::new(Response::NotFound(Missing::Trace(
                "ab".into()
            ))))),
            Err(Problem::NotFound(Missing::Trace("ab".into())))
        );
        assert_eq!(
            summary.answer(Err(Problem::EngineStopped)),
            Err(Problem::EngineStopped)
        );
        let check = Query::check_filter("x ==".into());
        assert_eq!(
            check.answer(Ok(Box::new(Response::FilterReads))),
            Ok(Ok(()))
        );
    }
}
