//! Span filters over the real fixtures: every example Phoenix users write, each checked against
//! the same question answered by hand from the spans' flat attributes.

mod common;

use plume::analysis::Traces;
use plume::analysis::filter::Filter;
use plume::attributes::{Value, flat_map};
use plume::ingest;
use plume::model::{Arena, EvalTarget, Span};
use plume::semantics::Prices;

const FIXTURES: [&str; 7] = [
    "openai-01.otlp.pb",
    "openai-03.otlp.pb",
    "langchain-01.otlp.pb",
    "node-01.otlp.json",
    "collector-file-exporter.jsonl",
    "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet",
    "phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet",
];

fn fixtures() -> (Arena, Traces) {
    let mut arena = Arena::default();
    for path in FIXTURES {
        let bytes = common::fixture(path);
        let report = ingest::load(&mut arena, path, &bytes);
        assert!(report.is_ok(), "{path}: {:?}", report.errors);
    }
    let traces = Traces::assemble(&arena);
    (arena, traces)
}

/// Indices of the spans kept in traces, in the filter's order.
fn kept(traces: &Traces) -> Vec<u32> {
    traces
        .all()
        .iter()
        .flat_map(|t| t.tree.span.iter().copied())
        .collect()
}

fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Int(n) => Some(*n as f64),
        Value::Double(x) => Some(*x),
        Value::Str(s) => s.parse().ok(),
        _ => None,
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Str(s) => Some(s.clone()),
        _ => None,
    }
}

#[test]
fn every_example_matches_what_the_attributes_say() {
    let (arena, traces) = fixtures();
    let spans = kept(&traces);
    assert!(spans.len() > 40, "{} spans", spans.len());
    let attributes = |span: &Span| flat_map(&arena, span.attributes);
    let label = |span: &Span, name: &str| {
        arena
            .evaluations()
            .iter()
            .rev()
            .find_map(|e| match e.target {
                EvalTarget::Span(id) if id == span.span_id && arena.str(e.name) == name => {
                    Some((e.label.map(|l| arena.str(l).to_owned()), e.score))
                }
                _ => None,
            })
    };
    // Tokens of a span and everything under it, by hand: parents found by id within the trace.
    let cumulative_total = |span: &Span| -> f64 {
        let trace = traces.get(&span.trace_id).unwrap();
        let rows: Vec<&Span> = trace
            .tree
            .span
            .iter()
            .map(|&i| &arena.spans()[i as usize])
            .collect();
        let under = |candidate: &Span| {
            let mut at = Some(candidate);
            while let Some(s) = at {
                if s.span_id == span.span_id {
                    return true;
                }
                at = s
                    .parent_span_id
                    .and_then(|p| rows.iter().copied().find(|r| r.span_id == p));
            }
            false
        };
        rows.iter()
            .filter(|s| under(s))
            .map(|s| {
                let a = attributes(s);
                number(a.get("llm.token_count.prompt")).unwrap_or(0.0)
                    + number(a.get("llm.token_count.completion")).unwrap_or(0.0)
            })
            .sum()
    };
    type Check<'a> = Box<dyn Fn(&Span) -> bool + 'a>;
    let examples: Vec<(&str, Check)> = vec![
        (
            "span_kind == 'LLM'",
            Box::new(|s: &Span| s.oi_kind.name() == "LLM"),
        ),
        (
            "status_code == 'ERROR'",
            Box::new(|s: &Span| s.status_code.short_name() == "ERROR"),
        ),
        (
            "latency_ms >= 10",
            Box::new(|s: &Span| s.end_unix_nanos > 0 && s.duration_nanos() as f64 / 1e6 >= 10.0),
        ),
        (
            "'OpenTelemetry' in output.value",
            Box::new(|s: &Span| {
                text(attributes(s).get("output.value")).is_some_and(|v| v.contains("OpenTelemetry"))
            }),
        ),
        (
            "llm.model_name == 'gpt-4o-mini-2024-07-18'",
            Box::new(|s: &Span| {
                text(attributes(s).get("llm.model_name")).as_deref()
                    == Some("gpt-4o-mini-2024-07-18")
            }),
        ),
        (
            "metadata['kb'] == 'otel-docs'",
            Box::new(|s: &Span| {
                text(attributes(s).get("metadata"))
                    .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
                    .is_some_and(|m| m["kb"] == "otel-docs")
            }),
        ),
        (
            "metadata['tenant'] == 42",
            Box::new(|s: &Span| {
                text(attributes(s).get("metadata"))
                    .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
                    .is_some_and(|m| m["tenant"] == 42)
            }),
        ),
        (
            "attributes['llm']['provider'] == 'fakelistchatmodel'",
            Box::new(|s: &Span| {
                text(attributes(s).get("llm.provider")).as_deref() == Some("fakelistchatmodel")
            }),
        ),
        (
            "llm.token_count.total > 30",
            Box::new(|s: &Span| {
                number(attributes(s).get("llm.token_count.total")).is_some_and(|n| n > 30.0)
            }),
        ),
        (
            "cumulative_token_count.total > 100",
            Box::new(|s: &Span| cumulative_total(s) > 100.0),
        ),
        (
            "evals['correctness'].label == 'incorrect'",
            Box::new(|s: &Span| {
                label(s, "correctness").and_then(|(l, _)| l).as_deref() == Some("incorrect")
            }),
        ),
        (
            "annotations['correctness'].score < 0.7",
            Box::new(|s: &Span| {
                label(s, "correctness")
                    .and_then(|(_, score)| score)
                    .is_some_and(|x| x < 0.7)
            }),
        ),
        (
            "parent_id is None",
            Box::new(|s: &Span| s.parent_span_id.is_none()),
        ),
        (
            "span_kind in ['LLM', 'TOOL'] and not status_code == 'ERROR'",
            Box::new(|s: &Span| {
                ["LLM", "TOOL"].contains(&s.oi_kind.name()) && s.status_code.short_name() != "ERROR"
            }),
        ),
        (
            "(span_kind == 'CHAIN' or span_kind == 'AGENT') and 'weather' not in name",
            Box::new(|s: &Span| {
                ["CHAIN", "AGENT"].contains(&s.oi_kind.name())
                    && !arena.str(s.name).contains("weather")
            }),
        ),
        (
            // SQL's three-valued logic: without a model name the `or` is unknown unless the name
            // matches, and `not` of unknown is unknown, so such spans are never kept.
            "not (llm.model_name == 'gpt-4o-mini-2024-07-18' or name == 'ChatOpenAI')",
            Box::new(|s: &Span| {
                let model = text(attributes(s).get("llm.model_name"));
                model.is_some_and(|m| m != "gpt-4o-mini-2024-07-18")
                    && arena.str(s.name) != "ChatOpenAI"
            }),
        ),
        (
            "not llm.model_name in ['gpt-4o-2024-07-18', 'gpt-4']",
            Box::new(|s: &Span| {
                text(attributes(s).get("llm.model_name"))
                    .is_some_and(|m| !["gpt-4o-2024-07-18", "gpt-4"].contains(&m.as_str()))
            }),
        ),
    ];
    for (expression, check) in examples {
        let filter = Filter::parse(expression).unwrap_or_else(|e| panic!("{expression}: {e}"));
        let found = filter.matching_spans(&arena, &traces, &Prices::builtin());
        let expected: Vec<u32> = spans
            .iter()
            .copied()
            .filter(|&i| check(&arena.spans()[i as usize]))
            .collect();
        assert!(
            !expected.is_empty(),
            "{expression} should match some fixture span"
        );
        assert_eq!(found, expected, "{expression}");
    }
}
