//! The spec's encoding and every deviation the module docs list.

use super::*;
use opentelemetry_proto::tonic::common::v1::{AnyValue, ArrayValue, any_value};
use opentelemetry_proto::tonic::trace::v1::{Span, Status};

fn batches(json: &str) -> Vec<ResourceSpans> {
    match parse(json.as_bytes()) {
        Ok(batches) => batches,
        Err(error) => panic!("{json} did not parse: {error:?}"),
    }
}

fn only_span(json: &str) -> Span {
    let mut all: Vec<Span> = batches(json)
        .into_iter()
        .flat_map(|b| b.scope_spans)
        .flat_map(|s| s.spans)
        .collect();
    assert_eq!(all.len(), 1, "{json}");
    all.remove(0)
}

const HEX_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const HEX_SPAN: &str = "387344f283d647b6";

#[test]
fn spec_encoding() {
    let span = only_span(&format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}},
        "scopeSpans":[{{"scope":{{"name":"lib","version":"1"}},"spans":[{{
            "traceId":"{HEX_TRACE}","spanId":"{HEX_SPAN}","parentSpanId":"",
            "name":"op","kind":2,"startTimeUnixNano":"1795842494003000000","endTimeUnixNano":1795842494006432726,
            "attributes":[{{"key":"n","value":{{"intValue":"-17"}}}},{{"key":"d","value":{{"doubleValue":0.5}}}},
                          {{"key":"b","value":{{"boolValue":true}}}},{{"key":"raw","value":{{"bytesValue":"AQI="}}}},
                          {{"key":"arr","value":{{"arrayValue":{{"values":[{{"stringValue":"a"}},{{"intValue":2}}]}}}}}},
                          {{"key":"kv","value":{{"kvlistValue":{{"values":[{{"key":"x","value":{{"stringValue":"y"}}}}]}}}}}}],
            "status":{{"code":2,"message":"boom"}},"flags":257,"unknownField":{{"ignored":[1,2]}}
        }}]}}]}}]}}"#
    ));
    assert_eq!(
        span.trace_id,
        TraceId::parse(HEX_TRACE)
            .map(|id| id.0.to_vec())
            .unwrap_or_default()
    );
    assert_eq!(span.span_id.len(), 8);
    assert!(span.parent_span_id.is_empty());
    assert_eq!(span.kind, 2);
    assert_eq!(span.start_time_unix_nano, 1_795_842_494_003_000_000);
    assert_eq!(span.end_time_unix_nano, 1_795_842_494_006_432_726);
    assert_eq!(
        span.status,
        Some(Status {
            code: 2,
            message: "boom".into()
        })
    );
    assert_eq!(span.flags, 257);
    use any_value::Value as X;
    let values: Vec<Option<X>> = span
        .attributes
        .iter()
        .map(|kv| kv.value.clone().and_then(|v| v.value))
        .collect();
    assert_eq!(values[0], Some(X::IntValue(-17)));
    assert_eq!(values[1], Some(X::DoubleValue(0.5)));
    assert_eq!(values[2], Some(X::BoolValue(true)));
    assert_eq!(values[3], Some(X::BytesValue(vec![1, 2])));
    assert!(matches!(&values[4], Some(X::ArrayValue(a)) if a.values.len() == 2));
    assert!(matches!(&values[5], Some(X::KvlistValue(l)) if l.values[0].key == "x"));
}

#[test]
fn protobuf_json_mapping_base64_ids_enum_names() {
    // What Python's MessageToJson writes: base64 ids, enum names, int64 as strings.
    let span = only_span(
        r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"CvdlGRbNQ92ESOshHIAxnA==","spanId":"OHNE8oPWR7Y=",
        "parentSpanId":"OHNE8oPWR7Y=","name":"x","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1",
        "endTimeUnixNano":"2","status":{"code":"STATUS_CODE_ERROR"}}]}]}]}"#,
    );
    assert_eq!(
        TraceId::from_bytes(&span.trace_id).map(|t| t.to_string()),
        Some(HEX_TRACE.into())
    );
    assert_eq!(
        SpanId::from_bytes(&span.parent_span_id).map(|t| t.to_string()),
        Some(HEX_SPAN.into())
    );
    assert_eq!(span.kind, SpanKind::Client as i32);
    assert_eq!(span.status.map(|s| s.code), Some(StatusCode::Error as i32));
}

#[test]
fn snake_case_keys_as_preserving_proto_field_name_writes_them() {
    let span = only_span(&format!(
        r#"{{"resource_spans":[{{"scope_spans":[{{"spans":[{{"trace_id":"{HEX_TRACE}","span_id":"{HEX_SPAN}",
        "parent_span_id":null,"name":"x","start_time_unix_nano":"5","end_time_unix_nano":"9",
        "attributes":[{{"key":"k","value":{{"string_value":"v"}}}}],
        "events":[{{"time_unix_nano":"7","name":"e","attributes":[]}}]}}]}}]}}]}}"#
    ));
    assert_eq!(span.start_time_unix_nano, 5);
    assert_eq!(span.events[0].time_unix_nano, 7);
    assert_eq!(
        span.attributes[0].value.clone().and_then(|v| v.value),
        Some(any_value::Value::StringValue("v".into()))
    );
}

#[test]
fn legacy_keys_batches_arrays_and_nulls() {
    let legacy = format!(
        r#"{{"resourceSpans":[{{"instrumentationLibrarySpans":[{{"instrumentationLibrary":{{"name":"old"}},
        "spans":[{{"traceId":"{HEX_TRACE}","spanId":"{HEX_SPAN}","name":"x","events":null,"links":null,"attributes":null}}]}}]}}]}}"#
    );
    let batch = batches(&legacy);
    assert_eq!(
        batch[0].scope_spans[0]
            .scope
            .as_ref()
            .map(|s| s.name.as_str()),
        Some("old")
    );
    let tempo = format!(
        r#"{{"batches":[{{"scopeSpans":[{{"spans":[{{"traceId":"{HEX_TRACE}","spanId":"{HEX_SPAN}"}}]}}]}}]}}"#
    );
    assert_eq!(batches(&tempo).len(), 1);
    let array = format!("[{tempo},{tempo}]");
    assert_eq!(batches(&array).len(), 2);
    // A bare scalar where an AnyValue object belongs.
    let bare = only_span(&format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"{HEX_TRACE}","spanId":"{HEX_SPAN}",
        "attributes":[{{"key":"k","value":"plain"}},{{"key":"empty","value":{{}}}},{{"key":"none","value":null}}]}}]}}]}}]}}"#
    ));
    assert_eq!(
        bare.attributes[0].value.clone().and_then(|v| v.value),
        Some(any_value::Value::StringValue("plain".into()))
    );
    assert_eq!(bare.attributes[1].value.clone().and_then(|v| v.value), None);
    assert_eq!(bare.attributes[2].value, None);
}

#[test]
fn value_objects_with_every_field_null_but_one() {
    // Phoenix's `/spans/otlpv1` writes all seven fields, in this order, the unused ones null.
    let all = |set: &str| {
        let fields = [
            "array_value",
            "bool_value",
            "bytes_value",
            "double_value",
            "int_value",
            "kvlist_value",
            "string_value",
        ];
        let fields: Vec<String> = fields
            .iter()
            .map(|name| match set.split_once(':') {
                Some((key, value)) if key == *name => format!(r#""{name}":{value}"#),
                _ => format!(r#""{name}":null"#),
            })
            .collect();
        format!(r#"{{"key":"k","value":{{{}}}}}"#, fields.join(","))
    };
    let attributes = [
        all("int_value:42"),
        all("string_value:\"x\""),
        all("bool_value:false"),
        all(r#"array_value:{"values":[{"string_value":"a","int_value":null}]}"#),
        all(""),
    ];
    let span = only_span(&format!(
        r#"{{"resource_spans":[{{"scope_spans":[{{"spans":[{{"trace_id":"{HEX_TRACE}","span_id":"{HEX_SPAN}",
        "attributes":[{}]}}]}}]}}]}}"#,
        attributes.join(",")
    ));
    use any_value::Value as X;
    let values: Vec<Option<X>> = span
        .attributes
        .into_iter()
        .map(|kv| kv.value.and_then(|v| v.value))
        .collect();
    assert_eq!(
        values,
        [
            Some(X::IntValue(42)),
            Some(X::StringValue("x".into())),
            Some(X::BoolValue(false)),
            Some(X::ArrayValue(ArrayValue {
                values: vec![AnyValue {
                    value: Some(X::StringValue("a".into()))
                }]
            })),
            None,
        ]
    );
}

#[test]
fn errors_name_the_json_path() {
    let bad_id = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"{HEX_TRACE}","spanId":"{HEX_SPAN}"}},
        {{"traceId":"not-an-id","spanId":"{HEX_SPAN}"}}]}}]}}]}}"#
    );
    let error = parse(bad_id.as_bytes()).err();
    let place = error.as_ref().map(|e| e.place.clone());
    assert_eq!(
        place.and_then(|p| p.json_path),
        Some("resourceSpans[0].scopeSpans[0].spans[1].traceId".to_owned())
    );
    assert!(matches!(error.map(|e| e.problem), Some(Problem::Json(m)) if m.contains("not-an-id")));

    // Cut off where a list begins: the list is the place, not an element never begun.
    let cut = parse(br#"{"resourceSpans": [{"scopeSpans": ["#).err();
    assert_eq!(
        cut.and_then(|e| e.place.json_path).as_deref(),
        Some("resourceSpans[0].scopeSpans")
    );

    let bad_kind =
        r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_SIDEWAYS"}]}]}]}"#;
    let error = parse(bad_kind.as_bytes()).err();
    assert_eq!(
        error.and_then(|e| e.place.json_path),
        Some("resourceSpans[0].scopeSpans[0].spans[0].kind".to_owned())
    );

    let truncated = r#"{"resourceSpans":[{"scopeSpans":["#;
    let error = parse(truncated.as_bytes()).err();
    assert!(matches!(
        error,
        Some(Located {
            place: Place { line: Some(1), .. },
            problem: Problem::Json(_)
        })
    ));
}

#[test]
fn json_without_trace_keys_is_not_an_empty_success() {
    let error = parse(br#"{"hello": 1, "world": [2]}"#).err();
    assert_eq!(
        error.map(|e| e.problem),
        Some(Problem::NotRecognized(
            "JSON without resourceSpans; top-level keys: hello, world".into()
        ))
    );
}

/// The one span of a document whose span object carries `fields` besides its ids.
fn span_with(fields: &str) -> Result<Span, Located> {
    let json = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"{HEX_TRACE}","spanId":"{HEX_SPAN}",{fields}}}]}}]}}]}}"#
    );
    parse(json.as_bytes()).map(|batches| batches[0].scope_spans[0].spans[0].clone())
}

#[test]
fn keys_are_matched_ignoring_case_and_underscores() {
    let span = span_with(
        r#""Name":"op","KIND":"SPAN_KIND_CLIENT","Start_Time_Unix_Nano":"5","LINKS":[{"TraceId":"","spanId":""}],
           "STATUS":{"CODE":"STATUS_CODE_OK","Message":"fine"},"DROPPED_ATTRIBUTES_COUNT":3"#,
    )
    .expect("parses");
    assert_eq!(span.name, "op");
    assert_eq!(span.kind, 3);
    assert_eq!(span.start_time_unix_nano, 5);
    assert_eq!(span.links.len(), 1);
    assert_eq!(span.status.as_ref().map(|s| s.code), Some(1));
    assert_eq!(span.dropped_attributes_count, 3);
    // A key longer than any field is another key, not a truncated match.
    let span = span_with(r#""nameeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee":"x""#).expect("parses");
    assert_eq!(span.name, "");
}

#[test]
fn integers_written_as_whole_floats_are_read_and_fractions_refused() {
    let int = |value: &str| {
        span_with(&format!(
            r#""attributes":[{{"key":"n","value":{{"intValue":{value}}}}}]"#
        ))
        .map(|span| span.attributes[0].value.clone().and_then(|v| v.value))
    };
    assert_eq!(
        int("3.0").ok().flatten(),
        Some(any_value::Value::IntValue(3))
    );
    assert_eq!(
        int("\" 7 \"").ok().flatten(),
        Some(any_value::Value::IntValue(7))
    );
    assert_eq!(
        int("-4").ok().flatten(),
        Some(any_value::Value::IntValue(-4))
    );
    for bad in ["2.5", "1e19", "\"2.5\"", "18446744073709551615"] {
        let error = int(bad).err();
        assert_eq!(
            error.and_then(|e| e.place.json_path).as_deref(),
            Some("resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue"),
            "{bad}"
        );
    }
    let start = |value: &str| span_with(&format!(r#""startTimeUnixNano":{value}"#));
    assert_eq!(
        start("1.7e18").map(|s| s.start_time_unix_nano).ok(),
        Some(1_700_000_000_000_000_000)
    );
    for bad in ["-1", "1.5", "-1.0", "\"soon\""] {
        assert!(start(bad).is_err(), "{bad}");
    }
    let flags = |value: &str| span_with(&format!(r#""flags":{value}"#)).map(|s| s.flags);
    assert_eq!(flags("\"257\"").ok(), Some(257));
    assert!(flags("4294967296").is_err());
    assert!(flags("-1").is_err());
}

#[test]
fn doubles_and_booleans_take_their_string_forms() {
    use any_value::Value as X;
    let value = |json: &str| {
        span_with(&format!(r#""attributes":[{{"key":"v","value":{json}}}]"#))
            .map(|span| span.attributes[0].value.clone().and_then(|v| v.value))
    };
    let double = |json: &str| match value(json) {
        Ok(Some(X::DoubleValue(x))) => Some(x),
        _ => None,
    };
    assert!(double(r#"{"doubleValue":"NaN"}"#).is_some_and(f64::is_nan));
    assert_eq!(double(r#"{"doubleValue":"Infinity"}"#), Some(f64::INFINITY));
    assert_eq!(
        double(r#"{"doubleValue":"-Infinity"}"#),
        Some(f64::NEG_INFINITY)
    );
    assert_eq!(double(r#"{"doubleValue":" 2.5 "}"#), Some(2.5));
    assert_eq!(double(r#"{"doubleValue":3}"#), Some(3.0));
    assert_eq!(double(r#"{"doubleValue":-3}"#), Some(-3.0));
    assert!(value(r#"{"doubleValue":"many"}"#).is_err());
    assert_eq!(
        value(r#"{"boolValue":"true"}"#).ok().flatten(),
        Some(X::BoolValue(true))
    );
    assert_eq!(
        value(r#"{"boolValue":"false"}"#).ok().flatten(),
        Some(X::BoolValue(false))
    );
    assert!(value(r#"{"boolValue":"yes"}"#).is_err());
    // Bare scalars, as some tools write them.
    assert_eq!(value("true").ok().flatten(), Some(X::BoolValue(true)));
    assert_eq!(value("-2").ok().flatten(), Some(X::IntValue(-2)));
    assert_eq!(value("2.25").ok().flatten(), Some(X::DoubleValue(2.25)));
    assert_eq!(
        value("18446744073709551615").ok().flatten(),
        Some(X::DoubleValue(18_446_744_073_709_551_615.0))
    );
}

#[test]
fn kinds_and_status_codes_take_numbers_and_names() {
    let kind = |json: &str| span_with(&format!(r#""kind":{json}"#)).map(|s| s.kind);
    assert_eq!(kind("4").ok(), Some(4));
    assert_eq!(kind("\"SERVER\"").ok(), Some(2));
    assert_eq!(kind("null").ok(), Some(0));
    assert!(kind("-1").is_ok_and(|k| k == -1));
    assert!(kind("4294967296").is_err());
    assert!(kind("-4294967296").is_err());
    let code = |json: &str| span_with(&format!(r#""status":{{"code":{json}}}"#)).map(|s| s.status);
    assert_eq!(code("\"ERROR\"").ok().flatten().map(|s| s.code), Some(2));
    assert_eq!(code("null").ok().flatten().map(|s| s.code), Some(0));
    assert!(code("\"BROKEN\"").is_err());
    assert!(code("2147483648").is_err());
    assert!(code("-2147483649").is_err());
}

#[test]
fn severities_are_numbers_or_otlp_names() {
    for (name, number) in [
        ("TRACE", Some(1)),
        ("SEVERITY_NUMBER_TRACE2", Some(2)),
        ("debug", Some(5)),
        ("INFO4", Some(12)),
        (" WARN2 ", Some(14)),
        ("ERROR3", Some(19)),
        ("FATAL4", Some(24)),
        ("SEVERITY_NUMBER_UNSPECIFIED", Some(0)),
        ("WARN1", None),
        ("WARN5", None),
        ("LOUD", None),
        ("", None),
    ] {
        assert_eq!(severity_number(name), number, "{name:?}");
    }
}

/// A `resourceLogs` document stored in an arena.
fn load_logs(records: &str) -> (crate::model::Arena, crate::ingest::FileReport) {
    let json = format!(
        r#"{{"resourceLogs":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}},
        "scopeLogs":[{{"scope":{{"name":"lib"}},"logRecords":[{records}]}}]}}]}}"#
    );
    let mut arena = crate::model::Arena::default();
    let report = crate::ingest::load(&mut arena, "logs.json", json.as_bytes());
    (arena, report)
}

#[test]
fn log_records_are_read_with_every_field() {
    let (arena, report) = load_logs(&format!(
        r#"{{"timeUnixNano":"7","observedTimeUnixNano":8,"severityNumber":"SEVERITY_NUMBER_WARN2",
            "severityText":"warning","body":{{"stringValue":"hello"}},"eventName":"gen_ai.choice",
            "attributes":[{{"key":"k","value":{{"intValue":1}}}}],"droppedAttributesCount":2,"flags":1,
            "traceId":"{HEX_TRACE}","spanId":"{HEX_SPAN}"}},
           {{"severityNumber":9,"body":"bare"}}"#
    ));
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.logs, 2);
    let logs = arena.logs();
    let first = logs[0];
    assert_eq!(
        (first.time_unix_nanos, first.observed_time_unix_nanos),
        (7, 8)
    );
    assert_eq!(first.severity_number, 14);
    assert_eq!(arena.str(first.severity_text), "warning");
    assert_eq!(arena.str(first.event_name), "gen_ai.choice");
    assert_eq!(arena.attributes(first.attributes).len(), 1);
    assert_eq!((first.dropped_attributes_count, first.flags), (2, 1));
    assert_eq!(
        first.trace_id.map(|id| id.to_string()).as_deref(),
        Some(HEX_TRACE)
    );
    assert_eq!(
        first.span_id.map(|id| id.to_string()).as_deref(),
        Some(HEX_SPAN)
    );
    assert!(matches!(first.body, crate::model::AnyValue::Str(id) if arena.str(id) == "hello"));
    assert_eq!(logs[1].severity_number, 9);
    assert_eq!(arena.resources().len(), 1);
    assert_eq!(arena.scopes().len(), 1);
}

#[test]
fn a_bad_severity_names_its_place() {
    let (arena, report) = load_logs(r#"{"severityNumber":"LOUD"}"#);
    assert!(arena.logs().is_empty());
    let error = report.errors.first().expect("an error");
    assert_eq!(
        error.place.json_path.as_deref(),
        Some("resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber")
    );
}

#[test]
fn an_array_of_requests_keeps_those_before_a_broken_one() {
    let good = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"{HEX_TRACE}","spanId":"{HEX_SPAN}"}}]}}]}}]}}"#
    );
    let broken = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}"#;
    let json = format!("[{good},{broken}]");
    let mut arena = crate::model::Arena::default();
    let report = crate::ingest::load(&mut arena, "two.json", json.as_bytes());
    assert_eq!(report.spans, 1);
    assert_eq!(report.errors.len(), 1, "{report:?}");
    assert_eq!(
        report.errors[0].place.json_path.as_deref(),
        Some("[1].resourceSpans[0].scopeSpans[0].spans[0].traceId")
    );
    // An element that is not a request at all is named as such.
    let error = parse(format!(r#"[{good},{{"other":1}}]"#).as_bytes()).err();
    assert!(
        matches!(error.map(|e| e.problem), Some(Problem::Json(m)) if m.contains("not an OTLP request (keys: other)")),
    );
}

#[test]
fn at_most_eight_unknown_top_level_keys_are_named() {
    let keys: Vec<String> = (0..10).map(|i| format!(r#""k{i}":{i}"#)).collect();
    let error = parse(format!("{{{}}}", keys.join(",")).as_bytes()).err();
    assert_eq!(
        error.map(|e| e.problem),
        Some(Problem::NotRecognized(
            "JSON without resourceSpans; top-level keys: k0, k1, k2, k3, k4, k5, k6, k7".into()
        ))
    );
    assert_eq!(
        parse(b"{}").err().map(|e| e.problem),
        Some(Problem::NotRecognized(
            "JSON without resourceSpans; no keys".into()
        ))
    );
}

#[test]
fn a_document_broken_before_its_first_batch_leaves_nothing_behind() {
    let broken = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}"#;
    let mut arena = crate::model::Arena::default();
    let report = crate::ingest::load(&mut arena, "broken.json", broken.as_bytes());
    assert_eq!((report.spans, report.errors.len()), (0, 1), "{report:?}");
    assert!(
        arena.sources().is_empty(),
        "the file's source is rolled back"
    );
    assert!(arena.spans().is_empty());
}

#[test]
fn any_spelling_of_a_key_reaches_its_field() {
    let json = format!(
        r#"{{"resource_spans":[{{"SCHEMA_URL":"https://opentelemetry.io/schemas/1.26.0","scope_spans":[{{"schemaUrl":"s",
        "spans":[{{"trace_id":"{HEX_TRACE}","span_id":"{HEX_SPAN}","end_time_unix_nano":"9",
        "attributes":[{{"KEY":"k","VALUE":{{"INT_VALUE":"4"}}}}]}}]}}]}}]}}"#
    );
    let batch = &batches(&json)[0];
    assert_eq!(batch.schema_url, "https://opentelemetry.io/schemas/1.26.0");
    assert_eq!(batch.scope_spans[0].schema_url, "s");
    let span = &batch.scope_spans[0].spans[0];
    assert_eq!(span.end_time_unix_nano, 9);
    assert_eq!(span.attributes[0].key, "k");
    assert_eq!(
        span.attributes[0].value.clone().and_then(|v| v.value),
        Some(any_value::Value::IntValue(4))
    );
}

#[test]
fn a_batches_key_that_is_not_an_array_says_what_was_expected() {
    for (json, expected) in [
        (r#"{"resourceSpans":5}"#, "an array of ResourceSpans"),
        (r#"{"resourceLogs":"x"}"#, "an array of ResourceLogs"),
    ] {
        let error = parse(json.as_bytes()).err();
        assert!(
            matches!(error.map(|e| e.problem), Some(Problem::Json(m)) if m.contains(expected)),
            "{json}"
        );
    }
}

#[test]
fn snake_case_parents_and_dropped_counts_are_read() {
    let span = span_with(
        r#""parent_span_id":"0000000000000001","droppedEventsCount":2,"dropped_links_count":3"#,
    )
    .expect("parses");
    assert_eq!(span.parent_span_id, vec![0, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(
        (span.dropped_events_count, span.dropped_links_count),
        (2, 3)
    );
}

#[test]
fn a_value_of_the_wrong_shape_says_what_was_expected() {
    let top = parse(b"5").err().map(|e| e.problem.to_string());
    assert!(
        top.as_deref()
            .is_some_and(|m| m.contains("an OTLP/JSON request object or an array of them")),
        "{top:?}"
    );
    let value = span_with(r#""attributes":[{"key":"k","value":[1]}]"#)
        .err()
        .map(|e| e.problem.to_string());
    assert!(
        value
            .as_deref()
            .is_some_and(|m| m.contains("an AnyValue object")),
        "{value:?}"
    );
}

#[test]
fn trace_state_is_read_and_a_list_must_be_an_array() {
    let span = span_with(r#""traceState":"vendor=x""#).expect("parses");
    assert_eq!(span.trace_state, "vendor=x");
    let error = span_with(r#""events":5"#)
        .err()
        .map(|e| e.problem.to_string());
    assert!(
        error.as_deref().is_some_and(|m| m.contains("an array")),
        "{error:?}"
    );
}

/// A resource, scope or schema URL that the document gives after their spans is the spans' own.
#[test]
fn spans_before_their_resource_and_scope_are_placed_under_them() {
    let span = |id: &str| format!(r#"{{"traceId":"{HEX_TRACE}","spanId":"{id}","name":"s{id}"}}"#);
    let json = format!(
        r#"{{"resourceSpans":[
            {{"scopeSpans":[
                {{"spans":[{}],"scope":{{"name":"first"}},"schemaUrl":"https://scope/1"}},
                {{"spans":[{},{}],"scope":{{"name":"second"}}}}],
              "resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"later"}}}}]}},
              "schemaUrl":"https://resource/1"}},
            {{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"other"}}}}]}},
              "scopeSpans":[{{"scope":{{"name":"third"}},"spans":[{}]}}]}}]}}"#,
        span("0000000000000001"),
        span("0000000000000002"),
        span("0000000000000003"),
        span("0000000000000004"),
    );
    let mut arena = crate::model::Arena::default();
    let report = crate::ingest::load(&mut arena, "late.json", json.as_bytes());
    assert!(report.is_ok(), "{report:?}");
    let placed: Vec<(String, String, String, String)> = (arena.spans().iter())
        .map(|span| {
            let resource = arena.resource(span.resource).expect("its resource");
            let scope = arena.scope(span.scope).expect("its scope");
            (
                arena.str(span.name).to_owned(),
                arena.str(resource.project).to_owned(),
                arena.str(resource.schema_url).to_owned(),
                format!("{} {}", arena.str(scope.name), arena.str(scope.schema_url)),
            )
        })
        .collect();
    let row = |name: &str, project: &str, url: &str, scope: &str| {
        (name.into(), project.into(), url.into(), scope.into())
    };
    assert_eq!(
        placed,
        [
            row(
                "s0000000000000001",
                "later",
                "https://resource/1",
                "first https://scope/1"
            ),
            row(
                "s0000000000000002",
                "later",
                "https://resource/1",
                "second "
            ),
            row(
                "s0000000000000003",
                "later",
                "https://resource/1",
                "second "
            ),
            row("s0000000000000004", "other", "", "third "),
        ]
    );
}

/// A fault in a batch leaves none of its spans; the batches before it stay.
#[test]
fn a_fault_in_a_batch_leaves_none_of_its_spans() {
    let good = format!(r#"{{"traceId":"{HEX_TRACE}","spanId":"{HEX_SPAN}","name":"kept"}}"#);
    let json = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{good}]}}]}},
            {{"scopeSpans":[{{"spans":[{good},{good},{{"kind":"SPAN_KIND_NONSENSE"}}]}}]}}]}}"#
    );
    let mut arena = crate::model::Arena::default();
    let report = crate::ingest::load(&mut arena, "cut.json", json.as_bytes());
    assert_eq!(report.spans, 1, "{report:?}");
    assert_eq!(arena.spans().len(), 1);
    assert_eq!(
        report.errors[0].place.json_path.as_deref(),
        Some("resourceSpans[1].scopeSpans[0].spans[2].kind")
    );
}
