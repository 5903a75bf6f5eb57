//! What Plume writes reads back as the same spans: every fixture, every output format.

use opentelemetry_proto::tonic::common::v1::{InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::trace::v1::Span;
use plume::analysis::Traces;
use plume::attributes::span_attributes;
use plume::export::{self, Target};
use plume::ingest;
use plume::model::Arena;

mod common;

use common::{SPAN_FIXTURES as FIXTURES, fixture};

fn load(name: &str, bytes: &[u8]) -> Arena {
    let mut arena = Arena::default();
    let report = ingest::load(&mut arena, name, bytes);
    assert!(report.is_ok(), "{name}: {:?}", report.errors);
    arena
}

/// Every kept span with its resource and scope, in the OTLP form, sorted by span id.
fn canonical(arena: &Arena) -> Vec<(Vec<KeyValue>, Option<InstrumentationScope>, Span)> {
    let traces = Traces::assemble(arena);
    let spans: Vec<u32> = traces
        .all()
        .iter()
        .flat_map(|t| t.tree.span.clone())
        .collect();
    let request = export::request(arena, &spans);
    let mut all = Vec::new();
    for resource_spans in request.resource_spans {
        let resource = resource_spans
            .resource
            .map(|r| r.attributes)
            .unwrap_or_default();
        for scope_spans in resource_spans.scope_spans {
            for span in scope_spans.spans {
                all.push((resource.clone(), scope_spans.scope.clone(), span));
            }
        }
    }
    all.sort_by(|a, b| a.2.span_id.cmp(&b.2.span_id));
    all
}

#[test]
fn otlp_outputs_keep_every_span_and_attribute() {
    for path in FIXTURES {
        let original = load(path, &fixture(path));
        let expected = canonical(&original);
        assert!(!expected.is_empty());
        let spans: Vec<u32> = (0..original.spans().len() as u32).collect();
        for target in [Target::OtlpJson, Target::OtlpProto, Target::OtlpJsonLines] {
            let bytes = export::encode(&original, &spans, target);
            let again = load(&format!("{path} as {target:?}"), &bytes);
            assert_eq!(canonical(&again), expected, "{path} as {target:?}");
        }
    }
}

#[test]
fn otlp_json_is_the_spec_encoding() {
    let arena = load("node-01.otlp.json", &fixture("node-01.otlp.json"));
    let text = export::encode_json(&arena, &[0]);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let span = &json["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    assert_eq!(
        span["traceId"], "0af7651916cd43dd8448eb211c80319c",
        "hex ids"
    );
    assert_eq!(
        span["startTimeUnixNano"], "1795842494003000000",
        "int64 as a string"
    );
    assert_eq!(span["kind"], 3, "enums as integers");
    assert_eq!(span["attributes"][4]["value"]["intValue"], "5432");
    assert!(
        text.contains("\"droppedAttributesCount\"") || !text.contains("dropped_attributes_count")
    );
}

#[test]
fn phoenix_jsonl_keeps_what_phoenix_shows() {
    for path in FIXTURES {
        let original = load(path, &fixture(path));
        let traces = Traces::assemble(&original);
        let spans: Vec<u32> = traces
            .all()
            .iter()
            .flat_map(|t| t.tree.span.clone())
            .collect();
        let bytes = export::encode(&original, &spans, Target::PhoenixJsonLines);
        let again = load(&format!("{path} as Phoenix JSONL"), &bytes);
        assert_eq!(again.spans().len(), spans.len(), "{path}");
        for (&index, copy) in spans.iter().zip(again.spans()) {
            let span = &original.spans()[index as usize];
            let context = format!("{path}: {}", original.str(span.name));
            assert_eq!(
                (copy.trace_id, copy.span_id, copy.parent_span_id),
                (span.trace_id, span.span_id, span.parent_span_id),
                "{context}"
            );
            assert_eq!(
                (copy.start_unix_nanos, copy.end_unix_nanos),
                (span.start_unix_nanos, span.end_unix_nanos),
                "{context}"
            );
            assert_eq!(
                (copy.oi_kind, copy.status_code),
                (span.oi_kind, span.status_code),
                "{context}"
            );
            assert_eq!(
                again.str(copy.status_message),
                original.str(span.status_message),
                "{context}"
            );
            assert_eq!(
                serde_json::to_value(span_attributes(&again, copy.attributes)).unwrap_or_default(),
                serde_json::to_value(span_attributes(&original, span.attributes))
                    .unwrap_or_default(),
                "{context}"
            );
            assert_eq!(copy.events.len, span.events.len, "{context}");
        }
    }
}
