//! What the integration tests share: the fixture files, and finding a span.

#![allow(dead_code, reason = "each test binary uses part of this")]

/// A file under `tests/fixtures/`.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The span with this hex span id (the first, if several traces share it).
pub fn span_by_id<'a>(arena: &'a plume::model::Arena, id: &str) -> &'a plume::model::Span {
    let id = plume::model::SpanId::parse(id).unwrap_or_default();
    arena
        .spans()
        .iter()
        .find(|s| s.span_id == id)
        .unwrap_or_else(|| panic!("no span {id}"))
}

/// The Phoenix chatbot-demo export.
pub const PHOENIX_DATASET: &str =
    "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet";
pub const PHOENIX_EVALS: &str =
    "phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet";
pub const PHOENIX_JSONL: &str = "phoenix/chatbot-demo/spans.jsonl";
pub const PHOENIX_REST: &str = "phoenix/chatbot-demo/rest-spans.json";

/// Every fixture that holds spans.
pub const SPAN_FIXTURES: [&str; 11] = [
    "openai-01.otlp.pb",
    "openai-03.otlp.pb",
    "langchain-01.otlp.pb",
    "node-01.otlp.json",
    "node-01.otlp.pb",
    "collector-file-exporter.jsonl",
    PHOENIX_DATASET,
    PHOENIX_JSONL,
    PHOENIX_REST,
    "generated/zipkin-python.json",
    "generated/jaeger-ui-download.json",
];
