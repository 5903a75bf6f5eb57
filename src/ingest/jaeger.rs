//! Jaeger JSON, as Jaeger UI downloads a trace (and its `/api/traces` returns):
//! `{data: [{traceID, spans: [...], processes: {p1: {serviceName, tags}}}]}`.
//!
//! Mapped as Jaeger's own OTLP translator maps it: times are microseconds; the first `CHILD_OF`
//! reference in the same trace (else the first reference) is the parent and the other references
//! are links; logs are events named by their `event` field; processes are resources; the tags
//! `span.kind`, `otel.status_code`, `error`, `otel.scope.*` become fields ([`super::tags`]).

use std::collections::BTreeMap;

use base64::Engine as _;
use opentelemetry_proto::tonic::trace::v1::{self as trace, Status};
use serde::Deserialize;

use crate::attributes::Value;
use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::otlp::{Origin, SpanWriter, build};
use crate::ingest::tags::from_tags;
use crate::model::{SpanId, SpanKind, TraceId};

/// `null` where a list or map is expected reads as empty.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Deserialize)]
struct Document {
    #[serde(default, deserialize_with = "nullable")]
    data: Vec<JaegerTrace>,
}

#[derive(Deserialize)]
struct JaegerTrace {
    #[serde(default, deserialize_with = "nullable")]
    spans: Vec<JaegerSpan>,
    #[serde(default, deserialize_with = "nullable")]
    processes: BTreeMap<String, Process>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JaegerSpan {
    #[serde(rename = "traceID", alias = "traceId")]
    trace_id: String,
    #[serde(rename = "spanID", alias = "spanId")]
    span_id: String,
    #[serde(rename = "parentSpanID", alias = "parentSpanId", default)]
    parent_span_id: Option<String>,
    #[serde(default)]
    flags: Option<u32>,
    #[serde(default)]
    operation_name: String,
    #[serde(default, deserialize_with = "nullable")]
    references: Vec<Reference>,
    #[serde(default)]
    start_time: u64,
    #[serde(default)]
    duration: u64,
    #[serde(default, deserialize_with = "nullable")]
    tags: Vec<Tag>,
    #[serde(default, deserialize_with = "nullable")]
    logs: Vec<Log>,
    #[serde(rename = "processID", alias = "processId", default)]
    process_id: Option<String>,
    #[serde(default)]
    process: Option<Process>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reference {
    #[serde(default)]
    ref_type: String,
    #[serde(rename = "traceID", alias = "traceId")]
    trace_id: String,
    #[serde(rename = "spanID", alias = "spanId")]
    span_id: String,
}

#[derive(Deserialize, Clone, Default)]
#[serde(rename_all = "camelCase")]
struct Process {
    #[serde(default)]
    service_name: String,
    #[serde(default, deserialize_with = "nullable")]
    tags: Vec<Tag>,
}

#[derive(Deserialize, Clone)]
struct Tag {
    key: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    value: serde_json::Value,
}

#[derive(Deserialize)]
struct Log {
    #[serde(default)]
    timestamp: u64,
    #[serde(default, deserialize_with = "nullable")]
    fields: Vec<Tag>,
}

/// A tag's value by its declared type (values may be strings whatever the type).
fn tag_value(tag: &Tag) -> Value {
    let text = tag.value.as_str();
    let declared = tag.kind.as_deref().unwrap_or_default().to_ascii_lowercase();
    let typed = match declared.as_str() {
        "bool" => tag
            .value
            .as_bool()
            .or_else(|| text.map(|t| t == "true"))
            .map(Value::Bool),
        "int64" => tag
            .value
            .as_i64()
            .or_else(|| text?.trim().parse().ok())
            .map(Value::Int),
        "float64" => tag
            .value
            .as_f64()
            .or_else(|| text?.trim().parse().ok())
            .map(Value::Double),
        // Phoenix and OTLP show bytes as hex.
        "binary" => text
            .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
            .map(|bytes| Value::Str(bytes.iter().map(|b| format!("{b:02x}")).collect())),
        _ => None,
    };
    typed.unwrap_or_else(|| Value::from_json(tag.value.clone()))
}

fn tag_pairs(tags: &[Tag]) -> Vec<(String, Value)> {
    tags.iter()
        .map(|tag| (tag.key.clone(), tag_value(tag)))
        .collect()
}

/// Reads a Jaeger document.
pub(crate) fn read(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    let document: Document = serde_json::from_slice(bytes)
        .map_err(|error| crate::ingest::otlp_json::locate_json_error::<Document>(bytes, &error))?;
    let mut total_spans = 0;
    for (t, jaeger_trace) in document.data.into_iter().enumerate() {
        let mut processes = jaeger_trace.processes;
        let mut batches = build::Batches::default();
        for (s, span) in jaeger_trace.spans.into_iter().enumerate() {
            total_spans += 1;
            let place = Place::path(format!("data[{t}].spans[{s}]"));
            let process_id = span.process_id.clone().unwrap_or_default();
            if let Some(process) = &span.process {
                processes
                    .entry(process_id.clone())
                    .or_insert_with(|| process.clone());
            }
            match convert(span) {
                Ok((otlp_span, (scope_name, scope_version))) => {
                    let process = processes.get(&process_id).cloned().unwrap_or_default();
                    let mut resource =
                        vec![("service.name".to_owned(), Value::Str(process.service_name))];
                    resource.extend(tag_pairs(&process.tags));
                    batches.push(resource, scope_name, scope_version, otlp_span);
                }
                Err(problem) => writer.errors.push(Located::new(place, problem)),
            }
        }
        writer.write(&batches.finish(), &Origin::converted())?;
    }
    if total_spans == 0 {
        writer.warnings.push(Located::file(Problem::NoSpans(
            "the Jaeger document has no spans".into(),
        )));
    }
    Ok(())
}

fn id_problem(what: &str, error: impl std::fmt::Display) -> Problem {
    Problem::Invalid(format!("{what}: {error}"))
}

/// One Jaeger span as OTLP, with its scope (name, version).
fn convert(span: JaegerSpan) -> Result<(trace::Span, (String, String)), Problem> {
    let trace_id = TraceId::parse(&span.trace_id).map_err(|e| id_problem("traceID", e))?;
    let span_id = SpanId::parse(&span.span_id).map_err(|e| id_problem("spanID", e))?;
    let mut references = Vec::with_capacity(span.references.len());
    for reference in &span.references {
        let ref_trace =
            TraceId::parse(&reference.trace_id).map_err(|e| id_problem("reference traceID", e))?;
        let ref_span =
            SpanId::parse(&reference.span_id).map_err(|e| id_problem("reference spanID", e))?;
        references.push((
            reference.ref_type.eq_ignore_ascii_case("CHILD_OF"),
            ref_trace,
            ref_span,
        ));
    }
    let parent_index = references
        .iter()
        .position(|(child_of, t, _)| *child_of && *t == trace_id)
        .or_else(|| references.iter().position(|(_, t, _)| *t == trace_id));
    let mut parent_span_id = match parent_index {
        Some(index) => references.remove(index).2.0.to_vec(),
        None => Vec::new(),
    };
    if parent_span_id.is_empty()
        && let Some(parent) = span
            .parent_span_id
            .as_deref()
            .filter(|p| !p.is_empty() && *p != "0")
    {
        parent_span_id = SpanId::parse(parent)
            .map_err(|e| id_problem("parentSpanID", e))?
            .0
            .to_vec();
    }
    let tags = from_tags(tag_pairs(&span.tags));
    let events = span
        .logs
        .iter()
        .map(|log| {
            let mut name = "log".to_owned();
            let mut attributes = Vec::new();
            for (key, value) in tag_pairs(&log.fields) {
                match (key.as_str(), &value) {
                    ("event", Value::Str(event)) => name = event.clone(),
                    _ => attributes.push((key, value)),
                }
            }
            trace::span::Event {
                time_unix_nano: log.timestamp.saturating_mul(1000),
                name,
                attributes: build::attributes(&attributes),
                dropped_attributes_count: 0,
            }
        })
        .collect();
    let links = references
        .into_iter()
        .map(|(_, trace_id, span_id)| trace::span::Link {
            trace_id: trace_id.0.to_vec(),
            span_id: span_id.0.to_vec(),
            ..Default::default()
        })
        .collect();
    let start = span.start_time.saturating_mul(1000);
    let otlp = trace::Span {
        trace_id: trace_id.0.to_vec(),
        span_id: span_id.0.to_vec(),
        parent_span_id,
        trace_state: tags.trace_state,
        flags: span.flags.unwrap_or_default(),
        name: span.operation_name,
        kind: tags.kind.unwrap_or(SpanKind::Internal) as i32,
        start_time_unix_nano: start,
        end_time_unix_nano: start.saturating_add(span.duration.saturating_mul(1000)),
        attributes: build::attributes(&tags.attributes),
        events,
        links,
        status: Some(Status {
            message: tags.status_message,
            code: tags.status_code as i32,
        }),
        ..Default::default()
    };
    Ok((otlp, (tags.scope_name, tags.scope_version)))
}
