//! What a trace sums up to: the figures the trace lists show, computed once at assembly.

use crate::analysis::tree::{NO_ROW, Tree, flags};
use crate::model::{Arena, Call, Known, OiKind, StatusCode, StrId, TraceId, Usage};
use crate::semantics::{CostTotal, ModelCalls, Prices, models_cost};

/// One model's counted calls in a trace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelUsage {
    /// The model ([`Call::model`]).
    pub model: StrId,
    /// The provider, as recorded.
    pub provider: StrId,
    /// What the calls came to.
    pub calls: ModelCalls,
}

/// The spans whose call counts in totals: those with tokens or a cost, and no span below them
/// with tokens or a cost. A parent that repeats the sum of its calls (an agent run, Vercel's
/// `ai.generateText`, a LangChain model wrapping an OpenAI call) is therefore never counted
/// with them, and a call with nothing below it (a remote agent) still counts. Marks the others
/// [`flags::SUMS_CALLS_BELOW`].
pub fn mark_sums(arena: &Arena, tree: &mut Tree) {
    let spans = arena.spans();
    let mut below = vec![false; tree.len()];
    for row in (0..tree.len()).rev() {
        let has = arena
            .call(&spans[tree.span[row] as usize])
            .is_some_and(Call::has_usage);
        let here = below[row];
        if has && here {
            tree.flags[row] |= flags::SUMS_CALLS_BELOW;
        }
        if let Some(parent) = below.get_mut(tree.parent[row] as usize) {
            *parent |= has || here;
        }
    }
}

/// The call of the span at `row` if it counts in totals (see [`mark_sums`]).
pub fn counted_call<'a>(arena: &'a Arena, tree: &Tree, row: usize) -> Option<&'a Call> {
    let call = arena.call(&arena.spans()[tree.span[row] as usize])?;
    (call.has_usage() && tree.flags[row] & flags::SUMS_CALLS_BELOW == 0).then_some(call)
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
    /// The session ([`crate::semantics::session_of`]) of the root span, else of the first span
    /// that names one.
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
    /// Tokens of the counted calls ([`mark_sums`]).
    pub usage: Usage,
    /// The counted calls by model, in order of first call.
    pub models: Vec<ModelUsage>,
    /// Spans of kind LLM.
    pub llm_spans: u32,
    /// Self time summed per OpenInference kind, indexed like [`OiKind::ALL`].
    pub self_nanos_by_kind: [u64; OiKind::ALL.len()],
}

impl TraceSummary {
    /// End minus start, in ns.
    pub fn duration_nanos(&self) -> u64 {
        self.end_unix_nanos.saturating_sub(self.start_unix_nanos)
    }

    /// Adds a counted call to the totals.
    fn count(&mut self, call: &Call) {
        self.usage.add(&call.usage);
        let model = call.model();
        let index = match self
            .models
            .iter()
            .position(|m| m.model == model && m.provider == call.provider)
        {
            Some(index) => index,
            None => {
                self.models.push(ModelUsage {
                    model,
                    provider: call.provider,
                    calls: ModelCalls::default(),
                });
                self.models.len() - 1
            }
        };
        self.models[index].calls.add_call(call);
    }

    /// What its counted calls cost with `prices`.
    pub fn cost(&self, arena: &Arena, prices: &Prices) -> CostTotal {
        let models = self
            .models
            .iter()
            .map(|m| (arena.str(m.model), arena.str(m.provider), &m.calls));
        models_cost(models, self.start_unix_nanos, prices)
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

/// Sums up a built tree (its sums marked by [`mark_sums`]).
pub fn summarize(arena: &Arena, trace_id: TraceId, tree: &Tree) -> TraceSummary {
    let spans = arena.spans();
    let root_span = tree.span.first().copied();
    let root = root_span.map(|index| &spans[index as usize]);
    let mut summary = TraceSummary {
        trace_id,
        root_span,
        name: root.map_or(StrId::EMPTY, |span| span.name),
        oi_kind: root.map_or(OiKind::Unknown, |span| span.oi_kind),
        project: root
            .and_then(|span| arena.resource(span.resource))
            .map_or(Known::DefaultProject.id(), |resource| resource.project),
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
        usage: Usage::default(),
        models: Vec::new(),
        llm_spans: 0,
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
        summary.self_nanos_by_kind[span.oi_kind as usize] += tree.self_nanos[row];
        summary.llm_spans += u32::from(span.oi_kind == OiKind::Llm);
        if let Some(call) = counted_call(arena, tree, row) {
            summary.count(call);
        }
        if summary.session.is_none() {
            summary.session = crate::semantics::session_of(arena, span);
        }
    }
    if tree.is_empty() {
        summary.start_unix_nanos = 0;
    }
    summary
}
