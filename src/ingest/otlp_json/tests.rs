//! The spec's encoding and every deviation the module docs list.

use super::*;

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
