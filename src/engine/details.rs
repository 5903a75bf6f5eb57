//! Everything about one span, for the details panel.

use crate::analysis::{Trace, Traces, counted_call};
use crate::attributes::{flat_map, pretty, span_attributes, value_from_any};
use crate::engine::protocol::{
    AnnotationWords, EvaluationView, EventView, LinkView, LogView, SpanDetails, SubtreeCalls,
};
use crate::engine::status_name;
use crate::model::{Arena, EvalTarget, LocationUnit, LogRecord, SpanId, TraceId, Usage};
use crate::semantics::{CallPricer, CostTotal, Prices, call_cost, describe, logs_of};

pub(crate) fn span_details(
    arena: &Arena,
    traces: &Traces,
    prices: &Prices,
    trace_id: &str,
    span_id: &str,
) -> Option<SpanDetails> {
    let trace_id = TraceId::parse(trace_id).ok()?;
    let span_id = SpanId::parse(span_id).ok()?;
    let trace = traces.get(&trace_id)?;
    let spans = arena.spans();
    let (row, &index) = trace
        .tree
        .span
        .iter()
        .enumerate()
        .find(|(_, index)| spans[**index as usize].span_id == span_id)?;
    let span = &spans[index as usize];
    let loaded = |trace: TraceId, span: SpanId| {
        traces.get(&trace).is_some_and(|t| {
            t.tree
                .span
                .iter()
                .any(|&i| spans[i as usize].span_id == span)
        })
    };
    let source = arena
        .source(span.source)
        .map_or_else(String::new, |source| {
            let place = match source.format.location_unit() {
                LocationUnit::Line => format!("line {}", span.source_location),
                LocationUnit::Row => format!("row {}", span.source_location),
                LocationUnit::SpanIndex => format!("span {}", span.source_location),
            };
            format!("{} ({}, {place})", source.name, source.format.name())
        });
    let scope = arena.scope(span.scope);
    let evaluations = arena
        .evaluations_of_span(span_id)
        .map(|e| evaluation_view(arena, e))
        .collect();
    Some(SpanDetails {
        trace_id: trace_id.to_string(),
        span_id: span_id.to_string(),
        parent_id: span.parent_span_id.map(|p| p.to_string()),
        parent_loaded: span.parent_span_id.is_some_and(|p| loaded(trace_id, p)),
        name: arena.str(span.name).to_owned(),
        kind: span.oi_kind.name().to_owned(),
        otel_kind: span.kind.short_name().to_owned(),
        status: status_name(span.status_code),
        status_message: arena.str(span.status_message).to_owned(),
        start_nanos: span.start_unix_nanos,
        offset_nanos: span
            .start_unix_nanos
            .saturating_sub(trace.summary.start_unix_nanos),
        duration_nanos: span.duration_nanos(),
        unfinished: span.is_unfinished(),
        flags: trace.tree.flags[row],
        attributes: span_attributes(arena, span.attributes),
        flat_attributes: arena
            .attributes(span.attributes)
            .iter()
            .map(|kv| {
                (
                    arena.str(kv.key).to_owned(),
                    value_from_any(arena, kv.value),
                )
            })
            .collect(),
        events: arena
            .events(span.events)
            .iter()
            .map(|e| EventView {
                name: arena.str(e.name).to_owned(),
                offset_nanos: e.time_unix_nanos.saturating_sub(span.start_unix_nanos),
                attributes: flat_map(arena, e.attributes),
            })
            .collect(),
        links: arena
            .links(span.links)
            .iter()
            .map(|l| LinkView {
                trace_id: l.trace_id.to_string(),
                span_id: l.span_id.to_string(),
                loaded: loaded(l.trace_id, l.span_id),
                attributes: flat_map(arena, l.attributes),
            })
            .collect(),
        resource: arena
            .resource(span.resource)
            .map(|r| flat_map(arena, r.attributes))
            .unwrap_or_default(),
        project: arena.project_of(span).to_owned(),
        scope_name: scope
            .map(|s| arena.str(s.name).to_owned())
            .unwrap_or_default(),
        scope_version: scope
            .map(|s| arena.str(s.version).to_owned())
            .unwrap_or_default(),
        source,
        evaluations,
        meaning: describe(arena, span),
        cost: arena
            .call(span)
            .and_then(|call| call_cost(arena, call, span.start_unix_nanos, prices)),
        subtree: subtree_calls(arena, trace, row, prices),
        trace_annotations: (arena.evaluations_of_trace(span.trace_id))
            .filter(|e| e.annotator == crate::model::Annotator::Human)
            .map(|e| evaluation_view(arena, e))
            .collect(),
        annotation_words: annotation_words(arena),
        logs: logs_of(arena, span)
            .into_iter()
            .map(|log| log_view(arena, log))
            .collect(),
    })
}

/// What the counted calls under the span at `row` add up to, when there are any below it.
fn subtree_calls(
    arena: &Arena,
    trace: &Trace,
    row: usize,
    prices: &Prices,
) -> Option<SubtreeCalls> {
    let tree = &trace.tree;
    let end = row + tree.subtree_len[row] as usize;
    let mut calls = SubtreeCalls {
        calls: 0,
        usage: Usage::default(),
        cost: CostTotal::default(),
    };
    let mut pricer = CallPricer::new(arena, prices);
    // A root's subtree is the whole trace: read in the arena's order, not the tree's.
    tree.visit_in_span_order(row as u32..end as u32, |r| {
        if let Some(call) = counted_call(arena, tree, r as usize) {
            let span = &arena.spans()[tree.span[r as usize] as usize];
            calls.calls += 1;
            calls.usage.add(&call.usage);
            (calls.cost).add_call(pricer.cost(call, span.start_unix_nanos).as_ref());
        }
    });
    (end > row + 1 && calls.calls > 0).then_some(calls)
}

/// A log record as the details pane shows it.
pub(crate) fn log_view(arena: &Arena, log: &LogRecord) -> LogView {
    let severity = match arena.str(log.severity_text) {
        "" => severity_name(log.severity_number).to_owned(),
        text => text.to_owned(),
    };
    LogView {
        time_nanos: log.unix_nanos(),
        severity,
        severity_number: log.severity_number,
        event_name: arena.str(log.event_name).to_owned(),
        body: pretty(&value_from_any(arena, log.body)),
        attributes: flat_map(arena, log.attributes),
        span_id: log.span_id.map(|id| id.to_string()),
    }
}

/// OTLP's name for a severity number's range.
fn severity_name(number: i32) -> &'static str {
    match number {
        1..=4 => "TRACE",
        5..=8 => "DEBUG",
        9..=12 => "INFO",
        13..=16 => "WARN",
        17..=20 => "ERROR",
        21..=24 => "FATAL",
        _ => "",
    }
}

fn evaluation_view(arena: &Arena, e: &crate::model::Evaluation) -> EvaluationView {
    EvaluationView {
        name: arena.str(e.name).to_owned(),
        document: match e.target {
            EvalTarget::Document(_, position) => Some(position),
            EvalTarget::Span(_) | EvalTarget::Trace(_) => None,
        },
        score: e.score,
        label: e.label.map(|l| arena.str(l).to_owned()),
        explanation: e.explanation.map(|x| arena.str(x).to_owned()),
        human: e.annotator == crate::model::Annotator::Human,
    }
}

/// The names and labels of every annotation made so far (at most 50 of each).
fn annotation_words(arena: &Arena) -> AnnotationWords {
    let mut names: Vec<String> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    for annotation in arena.annotations() {
        names.push(arena.str(annotation.name).to_owned());
        labels.extend(annotation.label.map(|l| arena.str(l).to_owned()));
    }
    for words in [&mut names, &mut labels] {
        words.sort_unstable();
        words.dedup();
        words.truncate(50);
    }
    AnnotationWords { names, labels }
}
