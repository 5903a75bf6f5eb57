//! The span record and its small enums.

use super::ids::{SpanId, TraceId};
use super::strings::StrId;
use super::value::Rows;

/// OpenTelemetry's span kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
#[repr(u8)]
pub enum SpanKind {
    /// Not given.
    #[default]
    Unspecified = 0,
    /// Internal operation.
    Internal = 1,
    /// Server side of a request.
    Server = 2,
    /// Client side of a request.
    Client = 3,
    /// Producer of a message.
    Producer = 4,
    /// Consumer of a message.
    Consumer = 5,
}

impl SpanKind {
    /// From OTLP's enum number; `None` for numbers the spec does not define.
    pub fn from_number(number: i64) -> Option<Self> {
        Some(match number {
            0 => Self::Unspecified,
            1 => Self::Internal,
            2 => Self::Server,
            3 => Self::Client,
            4 => Self::Producer,
            5 => Self::Consumer,
            _ => return None,
        })
    }

    /// From a name: `SPAN_KIND_SERVER`, `SERVER` or `server` (Jaeger and Zipkin write the short
    /// forms).
    pub fn from_name(name: &str) -> Option<Self> {
        let short = strip_prefix_ignore_case(name, "SPAN_KIND_");
        Self::ALL
            .into_iter()
            .find(|kind| kind.short_name().eq_ignore_ascii_case(short))
    }

    /// Every kind, in enum order.
    pub const ALL: [SpanKind; 6] = [
        Self::Unspecified,
        Self::Internal,
        Self::Server,
        Self::Client,
        Self::Producer,
        Self::Consumer,
    ];

    /// The OTLP enum name, e.g. `SPAN_KIND_SERVER`.
    pub fn otlp_name(self) -> &'static str {
        match self {
            Self::Unspecified => "SPAN_KIND_UNSPECIFIED",
            Self::Internal => "SPAN_KIND_INTERNAL",
            Self::Server => "SPAN_KIND_SERVER",
            Self::Client => "SPAN_KIND_CLIENT",
            Self::Producer => "SPAN_KIND_PRODUCER",
            Self::Consumer => "SPAN_KIND_CONSUMER",
        }
    }

    /// The short upper-case name, e.g. `SERVER`.
    pub fn short_name(self) -> &'static str {
        &self.otlp_name()["SPAN_KIND_".len()..]
    }
}

/// A span's status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
#[repr(u8)]
pub enum StatusCode {
    /// Not set.
    #[default]
    Unset = 0,
    /// Explicitly OK.
    Ok = 1,
    /// An error.
    Error = 2,
}

impl StatusCode {
    /// From OTLP's enum number.
    pub fn from_number(number: i64) -> Option<Self> {
        Some(match number {
            0 => Self::Unset,
            1 => Self::Ok,
            2 => Self::Error,
            _ => return None,
        })
    }

    /// From a name: `STATUS_CODE_ERROR`, `ERROR` or `error`.
    pub fn from_name(name: &str) -> Option<Self> {
        let short = strip_prefix_ignore_case(name, "STATUS_CODE_");
        [Self::Unset, Self::Ok, Self::Error]
            .into_iter()
            .find(|code| code.short_name().eq_ignore_ascii_case(short))
    }

    /// The OTLP enum name, e.g. `STATUS_CODE_ERROR`.
    pub fn otlp_name(self) -> &'static str {
        match self {
            Self::Unset => "STATUS_CODE_UNSET",
            Self::Ok => "STATUS_CODE_OK",
            Self::Error => "STATUS_CODE_ERROR",
        }
    }

    /// The short name as Phoenix writes it: `UNSET`, `OK`, `ERROR`.
    pub fn short_name(self) -> &'static str {
        &self.otlp_name()["STATUS_CODE_".len()..]
    }
}

/// OpenInference's span kind (`openinference.span.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
#[repr(u8)]
pub enum OiKind {
    /// A call to an LLM.
    Llm,
    /// A call to an embedding model.
    Embedding,
    /// A link between steps, or the root of an application.
    Chain,
    /// A retrieval of documents.
    Retriever,
    /// A reranking of documents.
    Reranker,
    /// A call to a tool or function.
    Tool,
    /// An agent's reasoning loop.
    Agent,
    /// A guardrail check.
    Guardrail,
    /// An evaluator's run.
    Evaluator,
    /// A prompt template rendering.
    Prompt,
    /// Anything else, or not given.
    #[default]
    Unknown,
}

impl OiKind {
    /// Every kind, in enum order (the order of per-kind tables).
    pub const ALL: [OiKind; 11] = [
        Self::Llm,
        Self::Embedding,
        Self::Chain,
        Self::Retriever,
        Self::Reranker,
        Self::Tool,
        Self::Agent,
        Self::Guardrail,
        Self::Evaluator,
        Self::Prompt,
        Self::Unknown,
    ];

    /// As Phoenix reads it: the value upper-cased; anything not a known kind is `UNKNOWN`.
    pub fn from_attribute(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(value))
            .unwrap_or(Self::Unknown)
    }

    /// The upper-case name, e.g. `LLM`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Llm => "LLM",
            Self::Embedding => "EMBEDDING",
            Self::Chain => "CHAIN",
            Self::Retriever => "RETRIEVER",
            Self::Reranker => "RERANKER",
            Self::Tool => "TOOL",
            Self::Agent => "AGENT",
            Self::Guardrail => "GUARDRAIL",
            Self::Evaluator => "EVALUATOR",
            Self::Prompt => "PROMPT",
            Self::Unknown => "UNKNOWN",
        }
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> &'a str {
    match text.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => &text[prefix.len()..],
        _ => text,
    }
}

/// Index of a resource in the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct ResourceId(pub u32);

/// Index of an instrumentation scope in the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct ScopeId(pub u32);

/// Index of an input file in the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct SourceId(pub u32);

/// One span, as received. Times are nanoseconds since the Unix epoch; `end_unix_nanos` is 0 for a
/// span that never ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// The trace this span belongs to.
    pub trace_id: TraceId,
    /// This span's id.
    pub span_id: SpanId,
    /// The parent's id; `None` for a root. The parent may be absent from the data (a remote
    /// parent, or a file that holds part of a trace): the trace assembly finds that out.
    pub parent_span_id: Option<SpanId>,
    /// Start, in ns since the epoch.
    pub start_unix_nanos: u64,
    /// End, in ns since the epoch; 0 when the span did not end.
    pub end_unix_nanos: u64,
    /// The span name.
    pub name: StrId,
    /// W3C trace state.
    pub trace_state: StrId,
    /// The status message (meaningful with [`StatusCode::Error`]).
    pub status_message: StrId,
    /// Flat attributes: rows of the arena's attribute table.
    pub attributes: Rows,
    /// Events: rows of the arena's event table.
    pub events: Rows,
    /// Links: rows of the arena's link table.
    pub links: Rows,
    /// The resource that produced the span.
    pub resource: ResourceId,
    /// The instrumentation scope.
    pub scope: ScopeId,
    /// The input file.
    pub source: SourceId,
    /// Where in that file, in the unit its [`crate::model::Source::location`] says.
    pub source_location: u32,
    /// W3C trace flags and OTLP's extra flag bits.
    pub flags: u32,
    /// Attributes the producer dropped.
    pub dropped_attributes_count: u32,
    /// Row of the arena's call table ([`super::Arena::call`]); [`Span::NO_CALL`] when the span
    /// records no model call. Set by [`super::Arena::push_span`].
    pub call: u32,
    /// Events the producer dropped.
    pub dropped_events_count: u32,
    /// Links the producer dropped.
    pub dropped_links_count: u32,
    /// OpenTelemetry span kind.
    pub kind: SpanKind,
    /// What the span does, in OpenInference's kinds, whichever convention said it.
    pub oi_kind: OiKind,
    /// Status code.
    pub status_code: StatusCode,
}

impl Span {
    /// [`Span::call`] of a span without a model call.
    pub const NO_CALL: u32 = u32::MAX;

    /// `end - start` in ns; 0 for unfinished spans or ends before starts.
    pub fn duration_nanos(&self) -> u64 {
        self.end_unix_nanos.saturating_sub(self.start_unix_nanos)
    }

    /// True when the span has no end time.
    pub fn is_unfinished(&self) -> bool {
        self.end_unix_nanos == 0
    }
}

/// A timed event in a span (exceptions are events named `exception`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    /// When, in ns since the epoch.
    pub time_unix_nanos: u64,
    /// The event name.
    pub name: StrId,
    /// Rows of the attribute table.
    pub attributes: Rows,
    /// Attributes the producer dropped.
    pub dropped_attributes_count: u32,
}

/// A link from a span to another span, in this trace or another.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    /// The linked span's trace.
    pub trace_id: TraceId,
    /// The linked span.
    pub span_id: SpanId,
    /// W3C trace state of the link.
    pub trace_state: StrId,
    /// Rows of the attribute table.
    pub attributes: Rows,
    /// Attributes the producer dropped.
    pub dropped_attributes_count: u32,
    /// W3C trace flags.
    pub flags: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_every_spelling() {
        assert_eq!(
            SpanKind::from_name("SPAN_KIND_SERVER"),
            Some(SpanKind::Server)
        );
        assert_eq!(SpanKind::from_name("server"), Some(SpanKind::Server));
        assert_eq!(SpanKind::from_name("CLIENT"), Some(SpanKind::Client));
        assert_eq!(
            SpanKind::from_name("span_kind_consumer"),
            Some(SpanKind::Consumer)
        );
        assert_eq!(SpanKind::from_name("SPAN_KIND_SIDEWAYS"), None);
        assert_eq!(SpanKind::from_number(5), Some(SpanKind::Consumer));
        assert_eq!(SpanKind::from_number(6), None);
        assert_eq!(
            StatusCode::from_name("STATUS_CODE_ERROR"),
            Some(StatusCode::Error)
        );
        assert_eq!(StatusCode::from_name("Ok"), Some(StatusCode::Ok));
        assert_eq!(StatusCode::from_number(3), None);
    }

    #[test]
    fn openinference_kinds_as_phoenix_reads_them() {
        assert_eq!(OiKind::from_attribute("LLM"), OiKind::Llm);
        assert_eq!(OiKind::from_attribute("llm"), OiKind::Llm);
        assert_eq!(OiKind::from_attribute("Retriever"), OiKind::Retriever);
        assert_eq!(OiKind::from_attribute("workflow"), OiKind::Unknown);
        assert_eq!(OiKind::from_attribute(""), OiKind::Unknown);
    }

    #[test]
    fn otlp_numbers_name_kinds_and_statuses() {
        let kinds: Vec<Option<SpanKind>> = (-1..=6).map(SpanKind::from_number).collect();
        assert_eq!(
            kinds,
            [
                None,
                Some(SpanKind::Unspecified),
                Some(SpanKind::Internal),
                Some(SpanKind::Server),
                Some(SpanKind::Client),
                Some(SpanKind::Producer),
                Some(SpanKind::Consumer),
                None
            ]
        );
        let statuses: Vec<Option<StatusCode>> = (-1..=3).map(StatusCode::from_number).collect();
        assert_eq!(
            statuses,
            [
                None,
                Some(StatusCode::Unset),
                Some(StatusCode::Ok),
                Some(StatusCode::Error),
                None
            ]
        );
    }
}
