//! The tables: projects, a project's traces (or spans), its sessions, a session's turns.

use std::cell::RefCell;
use std::collections::BTreeMap;

use hashbrown::{HashMap, HashSet};

use crate::analysis::filter::Filter;
use crate::analysis::project_stats::quantile;
use crate::analysis::{PREVIEW_CHARS, preview, text_attribute};
use crate::analysis::{Trace, Traces};
use crate::engine::protocol::{
    EvaluationView, ProjectRow, SessionRow, SortKey, TraceQuery, TraceRow, TraceTableRows, Turn,
};
use crate::engine::status_name;
use crate::model::{Arena, EvalTarget, Known, Span, StatusCode, TraceId};
use crate::semantics::{CallPricer, CostTotal, Prices};
use crate::store::{Gist, TraceRecord};

fn project_of<'a>(arena: &'a Arena, trace: &Trace) -> &'a str {
    arena.str(trace.summary.project)
}

pub(crate) fn projects<'a>(
    arena: &'a Arena,
    traces: &'a Traces,
    unread: impl Iterator<Item = &'a TraceRecord>,
    prices: &Prices,
) -> Vec<ProjectRow> {
    #[derive(Default)]
    struct Totals<'a> {
        traces: u64,
        spans: u64,
        errors: u64,
        tokens: u64,
        cost: CostTotal,
        durations: Vec<u64>,
        sessions: HashSet<&'a str>,
    }
    // By name: the same order whether traces came from files or from the store.
    let mut totals: BTreeMap<&str, Totals<'_>> = BTreeMap::new();
    // (project, spans, errors, tokens, cost, duration, session) of every trace, stored or
    // assembled.
    let assembled = traces.all().iter().map(|trace| {
        let summary = &trace.summary;
        (
            project_of(arena, trace),
            summary.span_count,
            summary.error_count,
            summary.usage.total().unwrap_or(0),
            summary.cost(arena, prices),
            summary.duration_nanos(),
            summary.session.map(|s| arena.str(s)),
        )
    });
    let stored = unread.map(|r| {
        (
            r.project.as_str(),
            r.spans,
            r.errors,
            r.tokens,
            r.cost(prices),
            r.end_nanos.saturating_sub(r.start_nanos),
            r.session.as_deref(),
        )
    });
    for (name, spans, errors, tokens, cost, duration, session) in assembled.chain(stored) {
        let entry = totals.entry(name).or_default();
        entry.traces += 1;
        entry.spans += u64::from(spans);
        entry.errors += u64::from(errors > 0);
        entry.tokens = entry.tokens.saturating_add(tokens);
        entry.cost.add(&cost);
        entry.durations.push(duration);
        entry.sessions.extend(session);
    }
    totals
        .into_iter()
        .map(|(name, mut t)| {
            t.durations.sort_unstable();
            ProjectRow {
                name: name.to_owned(),
                traces: t.traces,
                spans: t.spans,
                error_rate: t.errors as f64 / t.traces.max(1) as f64,
                p50_nanos: quantile(&t.durations, 0.5),
                p99_nanos: quantile(&t.durations, 0.99),
                tokens: t.tokens,
                cost: t.cost,
                sessions: t.sessions.len() as u64,
            }
        })
        .collect()
}

/// Case-insensitive containment (`needle` lower-cased).
fn contains(haystack: &str, needle: &str) -> bool {
    needle.is_empty() || haystack.to_lowercase().contains(needle)
}

/// A row the query matched: a trace (its root span), or one span in the all-spans mode.
pub(crate) struct Match<'a> {
    pub(crate) trace: &'a Trace,
    /// Arena index of the row's span.
    pub(crate) span: u32,
    /// The row stands for its whole trace.
    pub(crate) is_trace: bool,
}

/// What a row shows of its span or trace: status, kind, start, duration, spans, tokens.
struct Figures {
    status: StatusCode,
    start: u64,
    duration: u64,
    spans: u32,
    tokens: u64,
}

/// When a row starts: its trace's first span, or its span.
fn row_start(arena: &Arena, row: &Match) -> u64 {
    match row.is_trace {
        true => row.trace.summary.start_unix_nanos,
        false => arena.spans()[row.span as usize].start_unix_nanos,
    }
}

fn figures(arena: &Arena, row: &Match) -> Figures {
    let span = &arena.spans()[row.span as usize];
    if row.is_trace {
        let summary = &row.trace.summary;
        Figures {
            status: row.trace.status(arena),
            start: row_start(arena, row),
            duration: summary.duration_nanos(),
            spans: summary.span_count,
            tokens: summary.usage.total().unwrap_or(0),
        }
    } else {
        Figures {
            status: span.status_code,
            start: row_start(arena, row),
            duration: span.duration_nanos(),
            spans: 1,
            // A span's own figures, even when they repeat its calls' sum.
            tokens: arena.call(span).and_then(|c| c.usage.total()).unwrap_or(0),
        }
    }
}

/// What a row's calls cost: its trace's counted calls, or the span's own call. Apart from
/// [`figures`]: pricing is only needed for the rows shown, or to sort by cost.
fn row_cost(arena: &Arena, row: &Match, pricer: &mut CallPricer) -> CostTotal {
    if row.is_trace {
        return row.trace.summary.cost(arena, pricer.prices());
    }
    let span = &arena.spans()[row.span as usize];
    let mut cost = CostTotal::default();
    if let Some(call) = arena.call(span).filter(|c| c.has_usage()) {
        cost.add_call(pricer.cost(call, span.start_unix_nanos).as_ref());
    }
    cost
}

/// Whether a row of this status, kind and start passes the query's filters on them.
fn passes(query: &TraceQuery, status: &str, kind: &str, start: u64) -> bool {
    query
        .status
        .as_deref()
        .is_none_or(|s| s.eq_ignore_ascii_case(status))
        && query
            .kind
            .as_deref()
            .is_none_or(|k| k.eq_ignore_ascii_case(kind))
        && query.since_nanos.is_none_or(|since| start >= since)
        && query.until_nanos.is_none_or(|until| start < until)
}

/// The rows of a project that the query's filters (not its sort or page) let through.
pub(crate) fn matching<'a>(
    arena: &Arena,
    traces: &'a Traces,
    query: &TraceQuery,
    prices: &Prices,
) -> Vec<Match<'a>> {
    let needle = query.text.trim().to_lowercase();
    // A filter that does not read lets nothing through (the page checks filters before asking).
    let filter = match query.filter.trim() {
        "" => None,
        text => match Filter::parse(text) {
            Ok(filter) => Some(filter),
            Err(_) => return Vec::new(),
        },
    };
    let matcher = filter.as_ref().map(|f| f.matcher(arena, prices));
    let mut found = Vec::new();
    for trace in traces
        .all()
        .iter()
        .filter(|t| project_of(arena, t) == query.project)
    {
        let scope = matcher.as_ref().map(|m| m.trace(trace));
        let lets_through = |tree_row: u32| {
            let span = &arena.spans()[trace.tree.span[tree_row as usize] as usize];
            let (status, start) = match query.all_spans {
                false => (trace.status(arena), trace.summary.start_unix_nanos),
                true => (span.status_code, span.start_unix_nanos),
            };
            scope.as_ref().is_none_or(|scope| scope.matches(tree_row))
                && passes(query, status.short_name(), span.oi_kind.name(), start)
                && (needle.is_empty() || holds_text(arena, trace, span, &needle))
        };
        // The tree rows of the candidates: every span, or the trace's root.
        let tree_rows = match query.all_spans {
            true => (trace.tree).rows_where(0..trace.tree.len() as u32, lets_through),
            false => (trace.summary.root_span)
                .and_then(|root| trace.tree.span.iter().position(|&s| s == root))
                .map(|root| root as u32)
                .filter(|&root| lets_through(root))
                .into_iter()
                .collect(),
        };
        found.extend(tree_rows.into_iter().map(|tree_row| Match {
            trace,
            span: trace.tree.span[tree_row as usize],
            is_trace: !query.all_spans,
        }));
    }
    found
}

/// Whether the span's name, input, output, trace's session or ids hold `needle` (lower-cased).
fn holds_text(arena: &Arena, trace: &Trace, span: &Span, needle: &str) -> bool {
    let text = |key| text_attribute(arena, span, key).unwrap_or_default();
    let session = trace.summary.session.map(|s| arena.str(s));
    contains(arena.str(span.name), needle)
        || contains(text(Known::InputValue.id()), needle)
        || contains(text(Known::OutputValue.id()), needle)
        || session.is_some_and(|s| contains(s, needle))
        || span.trace_id.to_string().contains(needle)
        || span.span_id.to_string().contains(needle)
}

/// The unread stored traces a query lets through, judged by their records (trace mode only:
/// their spans are not known). A text search matches what records hold: the root's name, the
/// start of its input, the session and the trace id.
pub(crate) fn unread_matching<'a>(
    unread: impl Iterator<Item = &'a TraceRecord>,
    query: &TraceQuery,
) -> impl Iterator<Item = &'a TraceRecord> {
    let needle = query.text.trim().to_lowercase();
    unread.filter(move |r| {
        !query.all_spans
            && query.filter.trim().is_empty()
            && r.project == query.project
            && passes(query, &r.status, &r.kind, r.start_nanos)
            && (needle.is_empty()
                || contains(&r.name, &needle)
                || contains(&r.gist.input_preview, &needle)
                || r.session.as_deref().is_some_and(|s| contains(s, &needle))
                || r.trace_id.contains(&needle))
    })
}

fn unread_row(r: &TraceRecord, prices: &Prices) -> TraceRow {
    TraceRow {
        trace_id: r.trace_id.clone(),
        span_id: String::new(),
        name: r.name.clone(),
        kind: r.kind.clone(),
        start_nanos: r.start_nanos,
        duration_nanos: r.end_nanos.saturating_sub(r.start_nanos),
        spans: r.spans,
        tokens: r.tokens,
        cost: r.cost(prices),
        status: r.status.clone(),
        session: r.session.clone(),
        gist: r.gist.clone(),
        evaluations: Vec::new(),
        in_progress: false,
    }
}

/// What a row shows of evaluations: its span's, and its trace's when it stands for the trace
/// (without explanations; document evaluations show on the span's details).
pub(crate) fn evaluation_views(
    arena: &Arena,
    span: &Span,
    whole_trace: bool,
) -> Vec<EvaluationView> {
    let of_trace = whole_trace
        .then(|| arena.evaluations_of_trace(span.trace_id))
        .into_iter()
        .flatten();
    arena
        .evaluations_of_span(span.span_id)
        .filter(|e| matches!(e.target, EvalTarget::Span(_)))
        .chain(of_trace)
        .map(|e| EvaluationView {
            name: arena.str(e.name).to_owned(),
            document: None,
            score: e.score,
            label: e.label.map(|l| arena.str(l).to_owned()),
            explanation: None,
            human: e.annotator == crate::model::Annotator::Human,
        })
        .collect()
}

/// Where a row of the traces table comes from: a span of an assembled trace (standing for the
/// whole trace or for itself), or a stored trace whose spans are not read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum RowRef {
    Assembled {
        trace: TraceId,
        span: u32,
        is_trace: bool,
    },
    Stored(TraceId),
}

/// Every row a query lets through, sorted as it asks (its page aside). Filtering and sorting
/// are the costly part at a million spans; the engine keeps this to page through it.
pub(crate) fn table_order<'a>(
    arena: &'a Arena,
    traces: &'a Traces,
    unread: impl Iterator<Item = &'a TraceRecord>,
    query: &TraceQuery,
    prices: &Prices,
) -> Vec<RowRef> {
    let matches = matching(arena, traces, query, prices);
    let records: Vec<(&TraceRecord, TraceId)> = unread_matching(unread, query)
        .filter_map(|r| Some((r, TraceId::parse(&r.trace_id).ok()?)))
        .collect();
    let rows = Unsorted {
        matches: &matches,
        records: &records,
        descending: query.descending,
    };
    let start = |row: &Match| row_start(arena, row);
    // An unknown cost sorts below every known one.
    let cost = |cost: CostTotal| cost.is_priced().then_some(cost.usd);
    let pricer = RefCell::new(CallPricer::new(arena, prices));
    let order = match query.sort {
        SortKey::Start => rows.sorted(|m| (start(m), 0), |r| (r.start_nanos, 0)),
        SortKey::Duration => rows.sorted(
            |m| (figures(arena, m).duration, start(m)),
            |r| (r.end_nanos.saturating_sub(r.start_nanos), r.start_nanos),
        ),
        SortKey::Spans => rows.sorted(
            |m| (figures(arena, m).spans, start(m)),
            |r| (r.spans, r.start_nanos),
        ),
        SortKey::Tokens => rows.sorted(
            |m| (figures(arena, m).tokens, start(m)),
            |r| (r.tokens, r.start_nanos),
        ),
        SortKey::Cost => rows.sorted(
            |m| (cost(row_cost(arena, m, &mut pricer.borrow_mut())), start(m)),
            |r| (cost(r.cost(prices)), r.start_nanos),
        ),
        SortKey::Name => rows.sorted(
            |m| (arena.str(arena.spans()[m.span as usize].name), start(m)),
            |r| (r.name.as_str(), r.start_nanos),
        ),
        SortKey::Status => rows.sorted(
            |m| (figures(arena, m).status.short_name(), start(m)),
            |r| (r.status.as_str(), r.start_nanos),
        ),
        SortKey::Kind => rows.sorted(
            |m| (arena.spans()[m.span as usize].oi_kind.name(), start(m)),
            |r| (r.kind.as_str(), r.start_nanos),
        ),
    };
    (order.into_iter())
        .map(|at| match matches.get(at as usize) {
            Some(row) => RowRef::Assembled {
                trace: row.trace.summary.trace_id,
                span: row.span,
                is_trace: row.is_trace,
            },
            None => RowRef::Stored(records[at as usize - matches.len()].1),
        })
        .collect()
}

/// The rows of a table before they are sorted: the matched spans or traces, then the unread
/// stored traces.
struct Unsorted<'r, 'a> {
    matches: &'r [Match<'a>],
    records: &'r [(&'a TraceRecord, TraceId)],
    descending: bool,
}

impl<'r, 'a> Unsorted<'r, 'a> {
    /// Each row's place in the order of the value it sorts by, then its start, either way
    /// up; rows equal in both keep the order they were found in (a parent before its child
    /// that started with it). The sort moves small keys, not rows: at a million rows it is
    /// much of a filter's time.
    fn sorted<K: Ord + Copy>(
        &self,
        of_match: impl Fn(&Match<'a>) -> (K, u64),
        of_record: impl Fn(&'a TraceRecord) -> (K, u64),
    ) -> Vec<u32> {
        // Largest first is the ascending order reversed, with the places of equal rows
        // counted down so that reversing puts them back in order.
        let place = |at: u32| if self.descending { u32::MAX - at } else { at };
        let mut keys: Vec<(K, u64, u32)> = (self.matches.iter().map(of_match))
            .chain(self.records.iter().map(|(r, _)| of_record(r)))
            .zip(0u32..)
            .map(|((value, start), at)| (value, start, place(at)))
            .collect();
        // Rows mostly come in order of start already: sorted up, that order costs little.
        keys.sort_unstable();
        let order = keys.into_iter().map(|(_, _, at)| place(at));
        match self.descending {
            true => order.rev().collect(),
            false => order.collect(),
        }
    }
}

/// The rows `first..first + count` of a table's order, built.
pub(crate) fn table_page(
    arena: &Arena,
    traces: &Traces,
    stored: &HashMap<TraceId, TraceRecord>,
    order: &[RowRef],
    first: u32,
    count: u32,
    prices: &Prices,
) -> TraceTableRows {
    let first = (first as usize).min(order.len());
    let end = first.saturating_add(count as usize).min(order.len());
    let mut pricer = CallPricer::new(arena, prices);
    let rows = order[first..end]
        .iter()
        .filter_map(|row| match *row {
            RowRef::Stored(id) => stored.get(&id).map(|r| unread_row(r, prices)),
            RowRef::Assembled {
                trace,
                span,
                is_trace,
            } => {
                let trace = traces.get(&trace)?;
                let row = Match {
                    trace,
                    span,
                    is_trace,
                };
                let span = &arena.spans()[span as usize];
                let figures = figures(arena, &row);
                let cost = row_cost(arena, &row, &mut pricer);
                let value = |key: Known| {
                    preview(
                        text_attribute(arena, span, key.id()).unwrap_or_default(),
                        PREVIEW_CHARS,
                    )
                };
                let gist = match is_trace {
                    true => Gist::of_trace(arena, trace),
                    false => Gist {
                        input_preview: value(Known::InputValue),
                        output_preview: value(Known::OutputValue),
                        error: arena.str(span.status_message).to_owned(),
                        user: crate::analysis::user_of(arena, span),
                    },
                };
                Some(TraceRow {
                    trace_id: span.trace_id.to_string(),
                    span_id: span.span_id.to_string(),
                    name: arena.str(span.name).to_owned(),
                    kind: span.oi_kind.name().to_owned(),
                    start_nanos: figures.start,
                    duration_nanos: figures.duration,
                    spans: figures.spans,
                    tokens: figures.tokens,
                    cost,
                    status: figures.status.short_name().to_owned(),
                    session: trace.summary.session.map(|s| arena.str(s).to_owned()),
                    gist,
                    evaluations: evaluation_views(arena, span, is_trace),
                    in_progress: is_trace && traces.in_progress(trace),
                })
            }
        })
        .collect();
    TraceTableRows {
        spans_matching: None,
        total: order.len() as u32,
        rows,
    }
}

/// What a session's turn was asked, read only for the turn that is its session's first so far.
enum Asked<'a> {
    Trace(&'a Trace),
    Kept(&'a str),
}

impl Asked<'_> {
    fn preview(&self, arena: &Arena) -> String {
        match self {
            Asked::Trace(trace) => trace.input_preview(arena),
            Asked::Kept(text) => (*text).to_owned(),
        }
    }
}

pub(crate) fn sessions<'a>(
    arena: &'a Arena,
    traces: &'a Traces,
    unread: impl Iterator<Item = &'a TraceRecord>,
    project: &str,
    prices: &Prices,
) -> Vec<SessionRow> {
    // (session, start, end, tokens, cost, errors, input) of every trace with a session.
    let assembled = traces
        .all()
        .iter()
        .filter(|t| project_of(arena, t) == project)
        .filter_map(|trace| {
            let summary = &trace.summary;
            let session = arena.str(summary.session?);
            Some((
                session,
                summary.start_unix_nanos,
                summary.end_unix_nanos,
                summary.usage.total().unwrap_or(0),
                summary.cost(arena, prices),
                summary.error_count,
                Asked::Trace(trace),
            ))
        });
    let stored = unread.filter(|r| r.project == project).filter_map(|r| {
        Some((
            r.session.as_deref()?,
            r.start_nanos,
            r.end_nanos,
            r.tokens,
            r.cost(prices),
            r.errors,
            Asked::Kept(&r.gist.input_preview),
        ))
    });
    let mut order: Vec<&str> = Vec::new();
    let mut rows: HashMap<&str, SessionRow> = HashMap::new();
    for (session, start, end, tokens, cost, errors, input) in assembled.chain(stored) {
        let row = rows.entry(session).or_insert_with(|| {
            order.push(session);
            SessionRow {
                session: session.to_owned(),
                traces: 0,
                start_nanos: u64::MAX,
                end_nanos: 0,
                tokens: 0,
                cost: CostTotal::default(),
                errors: 0,
                first_input: String::new(),
            }
        });
        row.traces += 1;
        if start < row.start_nanos {
            row.start_nanos = start;
            row.first_input = input.preview(arena);
        }
        row.end_nanos = row.end_nanos.max(end);
        row.tokens = row.tokens.saturating_add(tokens);
        row.cost.add(&cost);
        row.errors += u32::from(errors > 0);
    }
    let mut list: Vec<SessionRow> = order.into_iter().filter_map(|s| rows.remove(s)).collect();
    list.sort_by_key(|s| std::cmp::Reverse(s.start_nanos));
    list
}

pub(crate) fn session(
    arena: &Arena,
    traces: &Traces,
    project: &str,
    session: &str,
    prices: &Prices,
) -> Vec<Turn> {
    let mut turns: Vec<Turn> = traces
        .all()
        .iter()
        .filter(|t| project_of(arena, t) == project)
        .filter(|t| t.summary.session.is_some_and(|s| arena.str(s) == session))
        .map(|trace| {
            let (input, output) = trace.exchange(arena);
            Turn {
                trace_id: trace.summary.trace_id.to_string(),
                name: arena.str(trace.summary.name).to_owned(),
                start_nanos: trace.summary.start_unix_nanos,
                duration_nanos: trace.summary.duration_nanos(),
                status: status_name(trace.status(arena)),
                tokens: trace.summary.usage.total().unwrap_or(0),
                cost: trace.summary.cost(arena, prices),
                input,
                output,
            }
        })
        .collect();
    turns.sort_by_key(|t| t.start_nanos);
    turns
}
