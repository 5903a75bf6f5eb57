//! Every real fixture (see tests/fixtures/README.md) loads with the right figures.

mod common;

use common::{fixture, span_by_id};
use plume::analysis::{Traces, flags};
use plume::attributes::{Map, Value, flat_map, span_attributes};
use plume::ingest::{self, FileReport};
use plume::model::{
    Arena, EvalTarget, Format, OiKind, Span, SpanId, SpanKind, StatusCode, TraceId,
};

const PHOENIX_DATASET: &str =
    "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet";
const PHOENIX_EVALS: &str =
    "phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet";
const PHOENIX_JSONL: &str = "phoenix/chatbot-demo/spans.jsonl";
const PHOENIX_REST: &str = "phoenix/chatbot-demo/rest-spans.json";

/// Loads files into one arena; every file must load without errors or warnings.
fn load(paths: &[&str]) -> (Arena, Vec<FileReport>) {
    let mut arena = Arena::default();
    let reports: Vec<FileReport> = paths
        .iter()
        .map(|path| ingest::load(&mut arena, path, &fixture(path)))
        .collect();
    for report in &reports {
        assert!(
            report.errors.is_empty(),
            "{}: {:?}",
            report.file,
            report.errors
        );
        assert!(
            report.warnings.is_empty(),
            "{}: {:?}",
            report.file,
            report.warnings
        );
    }
    (arena, reports)
}

fn span_named<'a>(arena: &'a Arena, name: &str) -> Vec<&'a Span> {
    arena
        .spans()
        .iter()
        .filter(|s| arena.str(s.name) == name)
        .collect()
}

fn attrs(arena: &Arena, span: &Span) -> Map {
    span_attributes(arena, span.attributes)
}

fn at<'a>(map: &'a Map, path: &str) -> &'a Value {
    map.get_path(path).unwrap_or_else(|| {
        panic!(
            "no {path} in {}",
            serde_json::to_string(map).unwrap_or_default()
        )
    })
}

fn json(value: &Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// The paths where two JSON values differ, with both sides.
fn differences(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value as J;
    match (a, b) {
        (J::Object(x), J::Object(y)) => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let null = J::Null;
                differences(
                    &format!("{path}.{key}"),
                    x.get(key).unwrap_or(&null),
                    y.get(key).unwrap_or(&null),
                    out,
                );
            }
        }
        (J::Array(x), J::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}[{i}]"), p, q, out);
            }
        }
        // Phoenix rounds embedding vectors to 10 digits when it stores them.
        (J::Number(x), J::Number(y))
            if x.as_f64()
                .zip(y.as_f64())
                .is_some_and(|(x, y)| (x - y).abs() <= 1e-9 * x.abs().max(1.0)) => {}
        _ if a != b => out.push(format!("{path}: {a} != {b}")),
        _ => {}
    }
}

#[test]
fn openai_01_chat_turn_with_embedding_and_streaming_llm() {
    let (arena, reports) = load(&["openai-01.otlp.pb"]);
    assert_eq!(reports[0].format, Some(Format::OtlpProto));
    assert_eq!(reports[0].spans, 4);
    let traces = Traces::assemble(&arena);
    assert_eq!(traces.len(), 1);
    let trace = &traces.all()[0];
    let kinds: Vec<OiKind> = trace
        .tree
        .span
        .iter()
        .map(|&i| arena.spans()[i as usize].oi_kind)
        .collect();
    assert_eq!(
        kinds,
        [OiKind::Chain, OiKind::Embedding, OiKind::Llm, OiKind::Llm]
    );
    assert_eq!(arena.str(trace.summary.name), "chat_turn");
    assert_eq!(arena.str(trace.summary.project), "chatbot-demo");
    assert_eq!(
        trace.summary.session.map(|s| arena.str(s)),
        Some("sess-0001")
    );
    assert_eq!(trace.tree.depth, [0, 1, 1, 1]);

    let llm = span_by_id(&arena, "2b5538cd44d34c58");
    let a = attrs(&arena, llm);
    let messages = match at(&a, "llm.input_messages") {
        Value::Array(items) => items.clone(),
        other => panic!("input messages: {other:?}"),
    };
    let roles: Vec<serde_json::Value> = messages
        .iter()
        .map(|m| json(m)["message"]["role"].clone())
        .collect();
    assert_eq!(roles[0], "system");
    assert_eq!(
        json(at(&a, "llm.invocation_parameters"))["temperature"],
        0.2
    );
    assert_eq!(
        json(at(&a, "metadata")),
        serde_json::json!({"app_version": "0.3.1", "ab_bucket": "B", "tenant": 42})
    );

    let streaming = span_by_id(&arena, "368e2a2a62da0b9b");
    let events: Vec<&str> = arena
        .events(streaming.events)
        .iter()
        .map(|e| arena.str(e.name))
        .collect();
    assert_eq!(events, ["First Token Stream Event"]);

    let embedding = span_by_id(&arena, "5a48a89b1fb65866");
    let e = attrs(&arena, embedding);
    assert_eq!(
        json(at(&e, "embedding.embeddings"))[1]["embedding"]["text"],
        "spans traces otel"
    );
    assert_eq!(
        json(at(&e, "embedding.embeddings"))[0]["embedding"]["vector"]
            .as_array()
            .map(Vec::len),
        Some(16)
    );
    assert_eq!(json(at(&e, "llm.token_count.prompt")), 17);
}

#[test]
fn openai_03_errors_exceptions_and_prompt_templates() {
    let (arena, _) = load(&["openai-03.otlp.pb"]);
    let traces = Traces::assemble(&arena);
    let summary = &traces.all()[0].summary;
    assert_eq!(summary.error_count, 2);
    assert_eq!(summary.status(), StatusCode::Error);
    assert_eq!(summary.usage.total(), Some(37));

    let root = span_by_id(&arena, "138843dc189248ad");
    assert_eq!(root.status_code, StatusCode::Error);
    assert_eq!(arena.str(root.status_message), "upstream LLM failed: 500");

    let failed = span_by_id(&arena, "854fa39873128fb8");
    assert_eq!(failed.status_code, StatusCode::Error);
    let exception = &arena.events(failed.events)[0];
    assert_eq!(arena.str(exception.name), "exception");
    let fields = flat_map(&arena, exception.attributes);
    assert_eq!(
        fields.get("exception.type").and_then(Value::as_str),
        Some("openai.InternalServerError")
    );
    let stack = fields
        .get("exception.stacktrace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    assert!(
        stack.starts_with("Traceback (most recent call last):"),
        "{stack}"
    );
    assert!(stack.contains("/home/app/agent/"));

    let a = attrs(&arena, failed);
    assert_eq!(
        at(&a, "llm.prompt_template.template").as_str(),
        Some("Answer: {question}")
    );
    assert_eq!(
        json(at(&a, "llm.prompt_template.variables")),
        serde_json::json!({"question": "TRIGGER_500 please"})
    );
    assert_eq!(
        json(at(&a, "llm.input_messages"))[0]["message"]["content"],
        "Answer: TRIGGER_500 please"
    );
}

#[test]
fn langchain_01_rag_documents() {
    let (arena, _) = load(&["langchain-01.otlp.pb"]);
    let traces = Traces::assemble(&arena);
    assert_eq!(traces.len(), 2);
    assert!(
        traces
            .all()
            .iter()
            .all(|t| t.tree.len() == 9 && t.summary.roots == 1)
    );
    assert_eq!(
        arena.str(traces.all()[0].summary.project),
        "rag-langchain-demo"
    );
    let retrievers = span_named(&arena, "KeywordRetriever");
    assert_eq!(retrievers.len(), 2);
    assert!(retrievers.iter().all(|s| s.oi_kind == OiKind::Retriever));
    let a = attrs(&arena, retrievers[0]);
    let documents = json(at(&a, "retrieval.documents"));
    assert_eq!(documents.as_array().map(Vec::len), Some(3));
    assert!(
        documents[1]["document"]["content"]
            .as_str()
            .unwrap_or_default()
            .starts_with("A trace is a tree of spans")
    );
    assert_eq!(
        documents[0]["document"]["metadata"],
        serde_json::json!({"source": "kb://doc-001", "score": 0.92, "chunk": 0})
    );
    assert_eq!(
        documents[0]["document"].get("score"),
        None,
        "no score in this fixture"
    );
    let kinds: Vec<OiKind> = ["ChatPromptTemplate", "FakeListChatModel"]
        .iter()
        .map(|n| span_named(&arena, n)[0].oi_kind)
        .collect();
    assert_eq!(kinds, [OiKind::Prompt, OiKind::Llm]);
}

#[test]
fn node_01_json_remote_parent_links_and_every_value_type() {
    let (arena, reports) = load(&["node-01.otlp.json"]);
    assert_eq!(reports[0].format, Some(Format::OtlpJson));
    let traces = Traces::assemble(&arena);
    let trace = &traces.all()[0];
    assert_eq!(trace.tree.len(), 6);
    let root = &arena.spans()[trace.tree.span[0] as usize];
    assert_eq!(arena.str(root.name), "POST /checkout");
    assert_eq!(root.kind, SpanKind::Server);
    assert_eq!(
        root.parent_span_id.map(|p| p.to_string()).as_deref(),
        Some("b7ad6b7169203331")
    );
    assert_eq!(
        trace.tree.flags[0] & flags::PARENT_MISSING,
        flags::PARENT_MISSING
    );
    assert_eq!(trace.summary.missing_parents, 1);
    assert_eq!(arena.str(trace.summary.project), "node-demo");
    assert_eq!(root.flags, 769, "sampled, with the remote-parent bits");

    let a = json(at(&attrs(&arena, root), "attr"));
    assert_eq!(a["string"], "hello \"quoted\" éè 你好 🚀 \n newline");
    // `attr.int` has a value, so `attr.int.large` is a dotted key beside it (Phoenix's rule).
    assert_eq!(a["int"], 42);
    assert_eq!(a["int.large"], 9_007_199_254_740_991i64);
    assert_eq!(a["int.negative"], -17);
    assert_eq!(a["double.negative"], -0.001);
    assert_eq!(a["bool"], true);
    assert_eq!(a["bool.false"], false);
    assert_eq!(
        a["string_array"],
        serde_json::json!(["alpha", "beta", "gamma"])
    );
    assert_eq!(a["int_array"], serde_json::json!([1, 2, 3, 5, 8]));
    assert_eq!(a["empty_array"], serde_json::json!([]));
    assert_eq!(a["empty_string"], "");

    let consumer = span_named(&arena, "orders process")[0];
    assert_eq!(consumer.kind, SpanKind::Consumer);
    let links = arena.links(consumer.links);
    assert_eq!(links.len(), 3);
    assert_eq!(
        links[1].trace_id.to_string(),
        "5b8efff798038103d269b633813fc60c"
    );
    assert_eq!(
        flat_map(&arena, links[0].attributes)
            .get("link.reason")
            .and_then(Value::as_str),
        Some("message")
    );

    // (The README mentions a schemaUrl; the exporter wrote none, and none is read.)
    let scopes: Vec<(&str, &str)> = arena
        .scopes()
        .iter()
        .map(|s| (arena.str(s.name), arena.str(s.version)))
        .collect();
    assert_eq!(
        scopes,
        [("corpus.db-client", "0.9.0"), ("corpus.checkout", "1.2.3")]
    );
    let resource = arena
        .resource(root.resource)
        .map(|r| flat_map(&arena, r.attributes))
        .unwrap_or_default();
    assert_eq!(
        json(resource.get("resource.array").unwrap_or(&Value::Null)),
        serde_json::json!(["a", "b"])
    );
    assert_eq!(
        json(resource.get("resource.double").unwrap_or(&Value::Null)),
        0.25
    );

    let request = span_named(&arena, "POST /checkout")[0];
    let events: Vec<&str> = arena
        .events(request.events)
        .iter()
        .map(|e| arena.str(e.name))
        .collect();
    assert_eq!(events, ["request.received", "response.sent"]);
    assert_eq!(
        trace.summary.outside_parent, 2,
        "the fixture has children ending after their parent"
    );
}

#[test]
fn node_01_protobuf_has_the_same_shape() {
    let (json_arena, _) = load(&["node-01.otlp.json"]);
    let (pb_arena, _) = load(&["node-01.otlp.pb"]);
    let shape = |arena: &Arena| {
        let traces = Traces::assemble(arena);
        let tree = &traces.all()[0].tree;
        tree.span
            .iter()
            .zip(&tree.depth)
            .map(|(&i, d)| {
                let s = &arena.spans()[i as usize];
                (
                    arena.str(s.name).to_owned(),
                    *d,
                    s.kind,
                    arena.attributes(s.attributes).len(),
                    s.events.len,
                    s.links.len,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&json_arena), shape(&pb_arena));
}

#[test]
fn collector_file_exporter_lines() {
    let (arena, reports) = load(&["collector-file-exporter.jsonl"]);
    assert_eq!(reports[0].format, Some(Format::OtlpJsonLines));
    assert_eq!(reports[0].spans, 38);
    let overview = Traces::assemble(&arena).overview();
    assert_eq!(overview.spans, 38);
    assert_eq!(overview.duplicates, 0);
    // Spans remember their line.
    let lines: std::collections::BTreeSet<u32> =
        arena.spans().iter().map(|s| s.source_location).collect();
    assert_eq!(lines.into_iter().collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7]);
}

#[test]
fn the_same_spans_from_protobuf_and_json_lines_are_one_set() {
    let (arena, _) = load(&[
        "openai-01.otlp.pb",
        "openai-03.otlp.pb",
        "langchain-01.otlp.pb",
        "collector-file-exporter.jsonl",
    ]);
    let overview = Traces::assemble(&arena).overview();
    assert_eq!(
        overview.duplicates,
        4 + 3 + 18,
        "every protobuf span is in the JSON Lines file too"
    );
    assert_eq!(overview.spans, 38);
}

/// The span ids of the Phoenix chatbot-demo export.
fn phoenix_ids(arena: &Arena) -> Vec<String> {
    let mut ids: Vec<String> = arena
        .spans()
        .iter()
        .map(|s| s.span_id.to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn phoenix_exports_agree_with_each_other_and_with_otlp() {
    let (reference, _) = load(&["collector-file-exporter.jsonl"]);
    for path in [PHOENIX_DATASET, PHOENIX_JSONL, PHOENIX_REST] {
        let (arena, reports) = load(&[path]);
        assert_eq!(reports[0].spans, 13, "{path}");
        let traces = Traces::assemble(&arena);
        assert_eq!(traces.len(), 4, "{path}");
        assert_eq!(phoenix_ids(&arena).len(), 13);
        for span in arena.spans() {
            let original = reference
                .spans()
                .iter()
                .find(|s| s.span_id == span.span_id)
                .unwrap_or_else(|| {
                    panic!("{path}: span {} is not in the OTLP export", span.span_id)
                });
            let context = format!("{path}: span {} {}", span.span_id, arena.str(span.name));
            assert_eq!(span.trace_id, original.trace_id, "{context}");
            assert_eq!(span.parent_span_id, original.parent_span_id, "{context}");
            assert_eq!(
                arena.str(span.name),
                reference.str(original.name),
                "{context}"
            );
            assert_eq!(span.oi_kind, original.oi_kind, "{context}");
            assert_eq!(span.status_code, original.status_code, "{context}");
            // Phoenix keeps microseconds (computed through a float, so the last digit may differ);
            // pandas' JSON Lines writes milliseconds.
            let tolerance = if path == PHOENIX_JSONL {
                1_000_000
            } else {
                2_000
            };
            for (ours, theirs) in [
                (span.start_unix_nanos, original.start_unix_nanos),
                (span.end_unix_nanos, original.end_unix_nanos),
            ] {
                assert!(
                    ours.abs_diff(theirs) <= tolerance,
                    "{context}: {ours} vs {theirs}"
                );
            }
            let mut diff = Vec::new();
            differences(
                "",
                &json(&Value::Map(attrs(&arena, span))),
                &json(&Value::Map(attrs(&reference, original))),
                &mut diff,
            );
            assert!(diff.is_empty(), "{context}: {diff:#?}");
            let names = |a: &Arena, s: &Span| {
                a.events(s.events)
                    .iter()
                    .map(|e| a.str(e.name).to_owned())
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                names(&arena, span),
                names(&reference, original),
                "{context}"
            );
        }
    }
}

#[test]
fn phoenix_evaluations_attach_to_dataset_spans() {
    let (arena, reports) = load(&[PHOENIX_DATASET, PHOENIX_EVALS]);
    assert_eq!(reports[1].format, Some(Format::PhoenixEvaluations));
    assert_eq!(reports[1].evaluations, 8);
    let evaluations = arena.evaluations();
    assert!(
        evaluations
            .iter()
            .all(|e| arena.str(e.name) == "correctness")
    );
    for evaluation in evaluations {
        let EvalTarget::Span(id) = evaluation.target else {
            panic!("span evaluations target spans");
        };
        let span = arena.spans().iter().find(|s| s.span_id == id);
        assert!(
            span.is_some_and(|s| s.oi_kind == OiKind::Llm),
            "evaluation of {id} attaches to an LLM span"
        );
    }
    let first = &evaluations[0];
    assert_eq!(
        first.target,
        EvalTarget::Span(SpanId::parse("4802305b03135782").unwrap_or_default())
    );
    assert_eq!(first.score, Some(0.5));
    assert_eq!(first.label.map(|l| arena.str(l)), Some("incorrect"));
    assert_eq!(
        first.explanation.map(|l| arena.str(l)),
        Some("synthetic correctness judgement #0")
    );
}

#[test]
fn phoenix_tokens_are_integers_again() {
    let (arena, _) = load(&[PHOENIX_JSONL]);
    let span = span_by_id(&arena, "4802305b03135782");
    assert_eq!(
        json(at(&attrs(&arena, span), "llm.token_count.total")),
        serde_json::json!(34)
    );
    let traces = Traces::assemble(&arena);
    let trace = traces
        .get(&TraceId::parse("2a75a92d054963849f6f8fe8c5bbc7bf").unwrap_or_default())
        .map(|t| t.summary.usage.total().unwrap_or(0));
    assert_eq!(trace, Some(34));
    // Phoenix exports carry no resource: the project is the default one, as when Phoenix loads them.
    assert_eq!(arena.str(traces.all()[0].summary.project), "default");
}

#[test]
fn every_fixture_together() {
    let all = [
        "openai-01.otlp.pb",
        "openai-03.otlp.pb",
        "langchain-01.otlp.pb",
        "node-01.otlp.json",
        "node-01.otlp.pb",
        "collector-file-exporter.jsonl",
        PHOENIX_DATASET,
        PHOENIX_EVALS,
        PHOENIX_JSONL,
        PHOENIX_REST,
    ];
    let (arena, _) = load(&all);
    let overview = Traces::assemble(&arena).overview();
    assert_eq!(overview.spans, 38 + 12);
    assert_eq!(overview.projects.len(), 3);
    assert_eq!(arena.evaluations().len(), 8);
}
