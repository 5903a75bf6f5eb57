//! Any text as a span filter: reading it must never panic, and a filter that reads must run over
//! spans of every kind of value without panicking either.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use plume::analysis::Traces;
use plume::analysis::filter::Filter;
use plume::ingest;
use plume::model::Arena;

/// A trace with nested, array, JSON-string, numeric and missing attributes, and an evaluation.
fn sample() -> &'static (Arena, Traces) {
    static SAMPLE: OnceLock<(Arena, Traces)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let mut arena = Arena::default();
        let otlp = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[
          {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"root",
           "startTimeUnixNano":"100","endTimeUnixNano":"2000000000","status":{"code":2},
           "attributes":[{"key":"metadata","value":{"stringValue":"{\"a\":{\"b\":[1,\"x\",null]}}"}},
             {"key":"llm.token_count.prompt","value":{"intValue":"12"}},
             {"key":"list","value":{"arrayValue":{"values":[{"doubleValue":1.5},{"boolValue":true}]}}},
             {"key":"kv","value":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}}]}}}]},
          {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"387344f283d647b6","parentSpanId":"b7ad6b7169203331",
           "name":"child","startTimeUnixNano":"120","endTimeUnixNano":"0",
           "attributes":[{"key":"openinference.span.kind","value":{"stringValue":"LLM"}},
             {"key":"output.value","value":{"stringValue":"an error"}}]}]}]}]}"#;
        ingest::load(&mut arena, "sample.json", otlp);
        let evaluations = b"span_id,score,label\n387344f283d647b6,0.5,ok\n";
        ingest::load(&mut arena, "correctness.csv", evaluations);
        let traces = Traces::assemble(&arena);
        (arena, traces)
    })
}

/// The built-in prices, read once.
fn prices() -> &'static plume::semantics::Prices {
    static PRICES: OnceLock<plume::semantics::Prices> = OnceLock::new();
    PRICES.get_or_init(plume::semantics::Prices::builtin)
}

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    match Filter::parse(&text) {
        Ok(filter) => {
            let (arena, traces) = sample();
            let _ = filter.matching_spans(arena, traces, prices());
        }
        Err(error) => assert!(error.position <= text.chars().count(), "{error}"),
    }
});
