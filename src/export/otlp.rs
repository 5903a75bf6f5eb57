//! Spans of the arena as OTLP: the `opentelemetry-proto` types, protobuf bytes, and the spec's
//! JSON encoding (hex ids, int64 as strings, lowerCamelCase, enums as integers).

use std::fmt::Write as _;

use base64::Engine as _;
use hashbrown::HashMap;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{
    self as common, AnyValue as OtlpValue, InstrumentationScope, any_value,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status, span};
use prost::Message;

use crate::ingest::otlp_logs::{LogRecord as OtlpLogRecord, LogsData, ResourceLogs, ScopeLogs};
use crate::model::{AnyValue, Arena, LogRecord, ResourceId, Rows, ScopeId, StrId};

/// The spans (arena indices) as one export request, grouped by resource and scope in order of
/// first appearance.
pub fn request(arena: &Arena, spans: &[u32]) -> ExportTraceServiceRequest {
    let mut resource_slot: HashMap<ResourceId, usize> = HashMap::new();
    let mut scope_slot: HashMap<(ResourceId, ScopeId), usize> = HashMap::new();
    let mut resource_spans: Vec<ResourceSpans> = Vec::new();
    for &index in spans {
        let Some(record) = arena.spans().get(index as usize) else {
            continue;
        };
        let r = *resource_slot.entry(record.resource).or_insert_with(|| {
            resource_spans.push(resource(arena, record.resource));
            resource_spans.len() - 1
        });
        let s = *scope_slot
            .entry((record.resource, record.scope))
            .or_insert_with(|| {
                let scope_spans = &mut resource_spans[r].scope_spans;
                scope_spans.push(scope(arena, record.scope));
                scope_spans.len() - 1
            });
        resource_spans[r].scope_spans[s]
            .spans
            .push(otlp_span(arena, index));
    }
    ExportTraceServiceRequest { resource_spans }
}

/// The spans as an OTLP/HTTP protobuf body.
pub fn encode_proto(arena: &Arena, spans: &[u32]) -> Vec<u8> {
    request(arena, spans).encode_to_vec()
}

/// The spans as an OTLP/JSON body (one line, no trailing newline).
pub fn encode_json(arena: &Arena, spans: &[u32]) -> String {
    let mut out = String::new();
    write_request_json(&request(arena, spans), &mut out);
    out
}

fn text(arena: &Arena, id: StrId) -> String {
    arena.str(id).to_owned()
}

/// A resource of the arena as OTLP, and its schema URL.
fn otlp_resource(arena: &Arena, id: ResourceId) -> (Option<Resource>, String) {
    match arena.resource(id) {
        Some(r) => (
            Some(Resource {
                attributes: key_values(arena, r.attributes),
                dropped_attributes_count: r.dropped_attributes_count,
                ..Default::default()
            }),
            text(arena, r.schema_url),
        ),
        None => (None, String::new()),
    }
}

/// A scope of the arena as OTLP, and its schema URL.
fn otlp_scope(arena: &Arena, id: ScopeId) -> (Option<InstrumentationScope>, String) {
    match arena.scope(id) {
        Some(s) => (
            Some(InstrumentationScope {
                name: text(arena, s.name),
                version: text(arena, s.version),
                attributes: key_values(arena, s.attributes),
                dropped_attributes_count: s.dropped_attributes_count,
            }),
            text(arena, s.schema_url),
        ),
        None => (None, String::new()),
    }
}

fn resource(arena: &Arena, id: ResourceId) -> ResourceSpans {
    let (resource, schema_url) = otlp_resource(arena, id);
    ResourceSpans {
        resource,
        scope_spans: Vec::new(),
        schema_url,
    }
}

fn scope(arena: &Arena, id: ScopeId) -> ScopeSpans {
    let (scope, schema_url) = otlp_scope(arena, id);
    ScopeSpans {
        scope,
        spans: Vec::new(),
        schema_url,
    }
}

/// Log records as an OTLP/HTTP logs protobuf body (`ExportLogsServiceRequest`), grouped by
/// resource and scope in order of first appearance.
pub fn encode_logs_proto(arena: &Arena, logs: &[&LogRecord]) -> Vec<u8> {
    logs_data(arena, logs).encode_to_vec()
}

/// Log records as an OTLP/JSON logs body, grouped as [`encode_logs_proto`] groups them.
pub fn encode_logs_json(arena: &Arena, logs: &[&LogRecord]) -> String {
    let mut out = String::new();
    out.push_str("{\"resourceLogs\":[");
    for (i, resource_logs) in logs_data(arena, logs).resource_logs.iter().enumerate() {
        comma(&mut out, i);
        out.push('{');
        let mut fields = Fields::new(&mut out);
        resource_field(&mut fields, resource_logs.resource.as_ref());
        fields.key("scopeLogs");
        fields.out.push('[');
        for (j, scope_logs) in resource_logs.scope_logs.iter().enumerate() {
            comma(fields.out, j);
            fields.out.push('{');
            let mut scope_fields = Fields::new(fields.out);
            scope_field(&mut scope_fields, scope_logs.scope.as_ref());
            scope_fields.key("logRecords");
            scope_fields.out.push('[');
            for (k, log) in scope_logs.log_records.iter().enumerate() {
                comma(scope_fields.out, k);
                write_log_record(log, scope_fields.out);
            }
            scope_fields.out.push(']');
            scope_fields.string_if_set("schemaUrl", &scope_logs.schema_url);
            fields.out.push('}');
        }
        fields.out.push(']');
        fields.string_if_set("schemaUrl", &resource_logs.schema_url);
        out.push('}');
    }
    out.push_str("]}");
    out
}

fn write_log_record(log: &OtlpLogRecord, out: &mut String) {
    out.push('{');
    let mut f = Fields::new(out);
    f.int64("timeUnixNano", log.time_unix_nano);
    f.int64("observedTimeUnixNano", log.observed_time_unix_nano);
    f.number_if_set("severityNumber", log.severity_number as u64);
    f.string_if_set("severityText", &log.severity_text);
    if log.body.is_some() {
        f.key("body");
        write_value(log.body.as_ref(), f.out);
    }
    attributes_field(&mut f, &log.attributes, log.dropped_attributes_count);
    f.number_if_set("flags", u64::from(log.flags));
    if !log.trace_id.is_empty() {
        f.hex("traceId", &log.trace_id);
    }
    if !log.span_id.is_empty() {
        f.hex("spanId", &log.span_id);
    }
    f.string_if_set("eventName", &log.event_name);
    out.push('}');
}

fn logs_data(arena: &Arena, logs: &[&LogRecord]) -> LogsData {
    let mut resource_slot: HashMap<ResourceId, usize> = HashMap::new();
    let mut scope_slot: HashMap<(ResourceId, ScopeId), usize> = HashMap::new();
    let mut resource_logs: Vec<ResourceLogs> = Vec::new();
    for log in logs {
        let r = *resource_slot.entry(log.resource).or_insert_with(|| {
            let (resource, schema_url) = otlp_resource(arena, log.resource);
            resource_logs.push(ResourceLogs {
                resource,
                scope_logs: Vec::new(),
                schema_url,
                instrumentation_library_logs: Vec::new(),
            });
            resource_logs.len() - 1
        });
        let s = *scope_slot
            .entry((log.resource, log.scope))
            .or_insert_with(|| {
                let (scope, schema_url) = otlp_scope(arena, log.scope);
                let scope_logs = &mut resource_logs[r].scope_logs;
                scope_logs.push(ScopeLogs {
                    scope,
                    log_records: Vec::new(),
                    schema_url,
                });
                scope_logs.len() - 1
            });
        resource_logs[r].scope_logs[s]
            .log_records
            .push(OtlpLogRecord {
                time_unix_nano: log.time_unix_nanos,
                observed_time_unix_nano: log.observed_time_unix_nanos,
                severity_number: log.severity_number,
                severity_text: text(arena, log.severity_text),
                body: (log.body != AnyValue::Empty).then(|| otlp_value(arena, log.body)),
                attributes: key_values(arena, log.attributes),
                dropped_attributes_count: log.dropped_attributes_count,
                flags: log.flags,
                trace_id: log.trace_id.map(|t| t.0.to_vec()).unwrap_or_default(),
                span_id: log.span_id.map(|s| s.0.to_vec()).unwrap_or_default(),
                event_name: text(arena, log.event_name),
            });
    }
    LogsData { resource_logs }
}

fn otlp_span(arena: &Arena, index: u32) -> Span {
    let s = &arena.spans()[index as usize];
    Span {
        trace_id: s.trace_id.0.to_vec(),
        span_id: s.span_id.0.to_vec(),
        trace_state: text(arena, s.trace_state),
        parent_span_id: s.parent_span_id.map(|p| p.0.to_vec()).unwrap_or_default(),
        flags: s.flags,
        name: text(arena, s.name),
        kind: s.kind as i32,
        start_time_unix_nano: s.start_unix_nanos,
        end_time_unix_nano: s.end_unix_nanos,
        attributes: key_values(arena, s.attributes),
        dropped_attributes_count: s.dropped_attributes_count,
        events: arena
            .events(s.events)
            .iter()
            .map(|e| span::Event {
                time_unix_nano: e.time_unix_nanos,
                name: text(arena, e.name),
                attributes: key_values(arena, e.attributes),
                dropped_attributes_count: e.dropped_attributes_count,
            })
            .collect(),
        dropped_events_count: s.dropped_events_count,
        links: arena
            .links(s.links)
            .iter()
            .map(|l| span::Link {
                trace_id: l.trace_id.0.to_vec(),
                span_id: l.span_id.0.to_vec(),
                trace_state: text(arena, l.trace_state),
                attributes: key_values(arena, l.attributes),
                dropped_attributes_count: l.dropped_attributes_count,
                flags: l.flags,
            })
            .collect(),
        dropped_links_count: s.dropped_links_count,
        status: Some(Status {
            message: text(arena, s.status_message),
            code: s.status_code as i32,
        }),
    }
}

fn key_values(arena: &Arena, rows: Rows) -> Vec<common::KeyValue> {
    arena
        .attributes(rows)
        .iter()
        .map(|kv| common::KeyValue {
            key: text(arena, kv.key),
            value: Some(otlp_value(arena, kv.value)),
            ..Default::default()
        })
        .collect()
}

fn otlp_value(arena: &Arena, value: AnyValue) -> OtlpValue {
    use any_value::Value as V;
    let value = match value {
        AnyValue::Empty => None,
        AnyValue::Str(id) => Some(V::StringValue(text(arena, id))),
        AnyValue::Bool(b) => Some(V::BoolValue(b)),
        AnyValue::Int(n) => Some(V::IntValue(n)),
        AnyValue::Double(x) => Some(V::DoubleValue(x)),
        AnyValue::Bytes(index) => Some(V::BytesValue(arena.blob(index).to_vec())),
        AnyValue::Array(rows) => Some(V::ArrayValue(common::ArrayValue {
            values: arena
                .array_values(rows)
                .iter()
                .map(|item| otlp_value(arena, *item))
                .collect(),
        })),
        AnyValue::KvList(rows) => Some(V::KvlistValue(common::KeyValueList {
            values: key_values(arena, rows),
        })),
    };
    OtlpValue { value }
}

// ---- the spec's JSON encoding --------------------------------------------------------------

/// Writes `request` as OTLP/JSON. Fields at their default value are left out, as the spec allows.
pub fn write_request_json(request: &ExportTraceServiceRequest, out: &mut String) {
    out.push_str("{\"resourceSpans\":[");
    for (i, resource_spans) in request.resource_spans.iter().enumerate() {
        comma(out, i);
        write_resource_spans_json(resource_spans, out);
    }
    out.push_str("]}");
}

/// Writes one element of `resourceSpans` (for writers that stream many).
pub fn write_resource_spans_json(resource_spans: &ResourceSpans, out: &mut String) {
    out.push('{');
    let mut fields = Fields::new(out);
    resource_field(&mut fields, resource_spans.resource.as_ref());
    fields.key("scopeSpans");
    fields.out.push('[');
    for (j, scope_spans) in resource_spans.scope_spans.iter().enumerate() {
        comma(fields.out, j);
        write_scope_spans(scope_spans, fields.out);
    }
    fields.out.push(']');
    fields.string_if_set("schemaUrl", &resource_spans.schema_url);
    out.push('}');
}

/// The `resource` field, if there is one.
fn resource_field(fields: &mut Fields<'_>, resource: Option<&Resource>) {
    let Some(resource) = resource else { return };
    fields.key("resource");
    fields.out.push('{');
    let mut inner = Fields::new(fields.out);
    attributes_field(
        &mut inner,
        &resource.attributes,
        resource.dropped_attributes_count,
    );
    fields.out.push('}');
}

/// The `scope` field, if there is one.
fn scope_field(fields: &mut Fields<'_>, scope: Option<&InstrumentationScope>) {
    let Some(scope) = scope else { return };
    fields.key("scope");
    fields.out.push('{');
    let mut inner = Fields::new(fields.out);
    inner.string_if_set("name", &scope.name);
    inner.string_if_set("version", &scope.version);
    attributes_field(
        &mut inner,
        &scope.attributes,
        scope.dropped_attributes_count,
    );
    fields.out.push('}');
}

fn write_scope_spans(scope_spans: &ScopeSpans, out: &mut String) {
    out.push('{');
    let mut fields = Fields::new(out);
    scope_field(&mut fields, scope_spans.scope.as_ref());
    fields.key("spans");
    fields.out.push('[');
    for (k, span) in scope_spans.spans.iter().enumerate() {
        comma(fields.out, k);
        write_span(span, fields.out);
    }
    fields.out.push(']');
    fields.string_if_set("schemaUrl", &scope_spans.schema_url);
    out.push('}');
}

fn write_span(span: &Span, out: &mut String) {
    out.push('{');
    let mut f = Fields::new(out);
    f.hex("traceId", &span.trace_id);
    f.hex("spanId", &span.span_id);
    f.string_if_set("traceState", &span.trace_state);
    if !span.parent_span_id.is_empty() {
        f.hex("parentSpanId", &span.parent_span_id);
    }
    f.number_if_set("flags", u64::from(span.flags));
    f.key("name");
    json_string(f.out, &span.name);
    f.number_if_set("kind", span.kind as u64);
    f.int64("startTimeUnixNano", span.start_time_unix_nano);
    f.int64("endTimeUnixNano", span.end_time_unix_nano);
    attributes_field(&mut f, &span.attributes, span.dropped_attributes_count);
    if !span.events.is_empty() {
        f.key("events");
        f.out.push('[');
        for (i, event) in span.events.iter().enumerate() {
            comma(f.out, i);
            f.out.push('{');
            let mut e = Fields::new(f.out);
            e.int64("timeUnixNano", event.time_unix_nano);
            e.key("name");
            json_string(e.out, &event.name);
            attributes_field(&mut e, &event.attributes, event.dropped_attributes_count);
            f.out.push('}');
        }
        f.out.push(']');
    }
    f.number_if_set("droppedEventsCount", u64::from(span.dropped_events_count));
    if !span.links.is_empty() {
        f.key("links");
        f.out.push('[');
        for (i, link) in span.links.iter().enumerate() {
            comma(f.out, i);
            f.out.push('{');
            let mut l = Fields::new(f.out);
            l.hex("traceId", &link.trace_id);
            l.hex("spanId", &link.span_id);
            l.string_if_set("traceState", &link.trace_state);
            attributes_field(&mut l, &link.attributes, link.dropped_attributes_count);
            l.number_if_set("flags", u64::from(link.flags));
            f.out.push('}');
        }
        f.out.push(']');
    }
    f.number_if_set("droppedLinksCount", u64::from(span.dropped_links_count));
    if let Some(status) = &span.status
        && (status.code != 0 || !status.message.is_empty())
    {
        f.key("status");
        f.out.push('{');
        let mut s = Fields::new(f.out);
        s.string_if_set("message", &status.message);
        s.number_if_set("code", status.code as u64);
        f.out.push('}');
    }
    out.push('}');
}

fn attributes_field(fields: &mut Fields<'_>, attributes: &[common::KeyValue], dropped: u32) {
    if !attributes.is_empty() {
        fields.key("attributes");
        write_key_values(attributes, fields.out);
    }
    fields.number_if_set("droppedAttributesCount", u64::from(dropped));
}

fn write_key_values(attributes: &[common::KeyValue], out: &mut String) {
    out.push('[');
    for (i, kv) in attributes.iter().enumerate() {
        comma(out, i);
        out.push_str("{\"key\":");
        json_string(out, &kv.key);
        out.push_str(",\"value\":");
        write_value(kv.value.as_ref(), out);
        out.push('}');
    }
    out.push(']');
}

fn write_value(value: Option<&OtlpValue>, out: &mut String) {
    use any_value::Value as V;
    match value.and_then(|v| v.value.as_ref()) {
        None | Some(V::StringValueStrindex(_)) => out.push_str("{}"),
        Some(V::StringValue(s)) => {
            out.push_str("{\"stringValue\":");
            json_string(out, s);
            out.push('}');
        }
        Some(V::BoolValue(b)) => {
            let _ = write!(out, "{{\"boolValue\":{b}}}");
        }
        Some(V::IntValue(n)) => {
            let _ = write!(out, "{{\"intValue\":\"{n}\"}}");
        }
        Some(V::DoubleValue(x)) => {
            out.push_str("{\"doubleValue\":");
            if x.is_finite() {
                // serde_json prints the shortest form that reads back to the same double.
                out.push_str(&serde_json::to_string(x).unwrap_or_else(|_| "0".into()));
            } else {
                let name = if x.is_nan() {
                    "NaN"
                } else if *x > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                };
                let _ = write!(out, "\"{name}\"");
            }
            out.push('}');
        }
        Some(V::BytesValue(bytes)) => {
            let _ = write!(
                out,
                "{{\"bytesValue\":\"{}\"}}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            );
        }
        Some(V::ArrayValue(array)) => {
            out.push_str("{\"arrayValue\":{\"values\":[");
            for (i, item) in array.values.iter().enumerate() {
                comma(out, i);
                write_value(Some(item), out);
            }
            out.push_str("]}}");
        }
        Some(V::KvlistValue(list)) => {
            out.push_str("{\"kvlistValue\":{\"values\":");
            write_key_values(&list.values, out);
            out.push_str("}}");
        }
    }
}

/// Writes `"key":` pairs of one object with the commas between them.
struct Fields<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Fields<'a> {
    fn new(out: &'a mut String) -> Self {
        Self { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        let _ = write!(self.out, "\"{key}\":");
    }

    fn string_if_set(&mut self, key: &str, value: &str) {
        if !value.is_empty() {
            self.key(key);
            json_string(self.out, value);
        }
    }

    fn number_if_set(&mut self, key: &str, value: u64) {
        if value != 0 {
            self.key(key);
            let _ = write!(self.out, "{value}");
        }
    }

    /// 64-bit integers are strings in OTLP/JSON (JavaScript numbers lose precision past 2^53).
    fn int64(&mut self, key: &str, value: u64) {
        self.key(key);
        let _ = write!(self.out, "\"{value}\"");
    }

    fn hex(&mut self, key: &str, bytes: &[u8]) {
        self.key(key);
        self.out.push('"');
        for byte in bytes {
            let _ = write!(self.out, "{byte:02x}");
        }
        self.out.push('"');
    }
}

fn comma(out: &mut String, index: usize) {
    if index > 0 {
        out.push(',');
    }
}

/// Appends `text` as a JSON string literal.
pub(crate) fn json_string(out: &mut String, text: &str) {
    out.push_str(&serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into()));
}
