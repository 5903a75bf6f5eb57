//! What a trace sums up to: the figures the trace lists show, computed once at assembly.

use serde::Serialize;

use crate::analysis::tree::{NO_ROW, Tree, flags};
use crate::model::{Arena, OiKind, StatusCode, StrId, TraceId};

/// LLM token counts (`llm.token_count.*`), summed over spans.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tokens {
    /// Prompt (input) tokens.
    pub prompt: u64,
    /// Completion (output) tokens.
    pub completion: u64,
    /// Total tokens; a span without `llm.token_count.total` counts prompt + completion.
    pub total: u64,
}

impl Tokens {
    /// The token counts of one span's attributes.
    pub fn of_span(arena: &Arena, span: &crate::model::Span) -> Tokens {
        let keys = arena.keys();
        let count = |key| {
            arena
                .attribute_i64(span.attributes, key)
                .and_then(|n| u64::try_from(n).ok())
        };
        let prompt = count(keys.tokens_prompt);
        let completion = count(keys.tokens_completion);
        let total = count(keys.tokens_total).or(match (prompt, completion) {
            (None, None) => None,
            (p, c) => Some(p.unwrap_or(0) + c.unwrap_or(0)),
        });
        Tokens {
            prompt: prompt.unwrap_or(0),
            completion: completion.unwrap_or(0),
            total: total.unwrap_or(0),
        }
    }

    fn add(&mut self, other: Tokens) {
        self.prompt += other.prompt;
        self.completion += other.completion;
        self.total += other.total;
    }
}

/// The figures of one trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSummary {
    /// The trace id.
    pub trace_id: TraceId,
    /// Arena index of the first root span (the earliest-starting span without a parent here).
    pub root_span: Option<u32>,
    /// The root span's name.
    pub name: StrId,
    /// The root span's OpenInference kind.
    pub oi_kind: OiKind,
    /// The project of the root span's resource.
    pub project: StrId,
    /// `session.id` of the root span, else of the first span that has one.
    pub session: Option<StrId>,
    /// Earliest start, ns since the epoch.
    pub start_unix_nanos: u64,
    /// Latest end, ns since the epoch.
    pub end_unix_nanos: u64,
    /// Spans kept (duplicates left out).
    pub span_count: u32,
    /// Spans with status ERROR.
    pub error_count: u32,
    /// Spans without a parent in the trace.
    pub roots: u32,
    /// Spans whose parent is not in the data.
    pub missing_parents: u32,
    /// Spans left out as duplicates of an id already seen.
    pub duplicates: u32,
    /// Parent loops cut.
    pub cycles: u32,
    /// Spans starting before or ending after their parent.
    pub outside_parent: u32,
    /// Spans that end when they start.
    pub zero_length: u32,
    /// Spans with no end.
    pub unfinished: u32,
    /// Token counts summed over all spans.
    pub tokens: Tokens,
    /// Self time summed per OpenInference kind, indexed like [`OiKind::ALL`].
    pub self_nanos_by_kind: [u64; OiKind::ALL.len()],
}

impl TraceSummary {
    /// End minus start, in ns.
    pub fn duration_nanos(&self) -> u64 {
        self.end_unix_nanos.saturating_sub(self.start_unix_nanos)
    }

    /// Worst status of the trace.
    pub fn status(&self) -> StatusCode {
        if self.error_count > 0 {
            StatusCode::Error
        } else {
            StatusCode::Unset
        }
    }
}

/// Sums up a built tree.
pub fn summarize(arena: &Arena, trace_id: TraceId, tree: &Tree) -> TraceSummary {
    let spans = arena.spans();
    let keys = arena.keys();
    let root_span = tree.span.first().copied();
    let root = root_span.map(|index| &spans[index as usize]);
    let mut summary = TraceSummary {
        trace_id,
        root_span,
        name: root.map_or(StrId::EMPTY, |span| span.name),
        oi_kind: root.map_or(OiKind::Unknown, |span| span.oi_kind),
        project: root
            .and_then(|span| arena.resource(span.resource))
            .map_or(keys.default_project, |resource| resource.project),
        session: None,
        start_unix_nanos: u64::MAX,
        end_unix_nanos: 0,
        span_count: tree.len() as u32,
        error_count: 0,
        roots: 0,
        missing_parents: 0,
        duplicates: tree.duplicates.len() as u32,
        cycles: tree.cycles,
        outside_parent: 0,
        zero_length: 0,
        unfinished: 0,
        tokens: Tokens::default(),
        self_nanos_by_kind: [0; OiKind::ALL.len()],
    };
    for row in 0..tree.len() {
        let span = &spans[tree.span[row] as usize];
        let row_flags = tree.flags[row];
        summary.start_unix_nanos = summary.start_unix_nanos.min(span.start_unix_nanos);
        summary.end_unix_nanos = summary
            .end_unix_nanos
            .max(span.end_unix_nanos.max(span.start_unix_nanos));
        summary.error_count += u32::from(span.status_code == StatusCode::Error);
        summary.roots += u32::from(tree.parent[row] == NO_ROW);
        summary.missing_parents += u32::from(row_flags & flags::PARENT_MISSING != 0);
        summary.outside_parent += u32::from(row_flags & flags::OUTSIDE_PARENT != 0);
        summary.zero_length += u32::from(row_flags & flags::ZERO_LENGTH != 0);
        summary.unfinished += u32::from(row_flags & flags::UNFINISHED != 0);
        summary.tokens.add(Tokens::of_span(arena, span));
        summary.self_nanos_by_kind[span.oi_kind as usize] += tree.self_nanos[row];
        if summary.session.is_none()
            && let Some(crate::model::AnyValue::Str(id)) =
                arena.attribute(span.attributes, keys.session_id)
        {
            summary.session = Some(id);
        }
    }
    if tree.is_empty() {
        summary.start_unix_nanos = 0;
    }
    summary
}
