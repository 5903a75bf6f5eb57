//! Zipkin v2 JSON: an array of spans (`/api/v2/trace/{id}`), or an array of such arrays
//! (`/api/v2/traces`, and Zipkin UI's download).
//!
//! Times are microseconds; a span without `kind` is a local (internal) span; `localEndpoint`'s
//! service is the resource's `service.name`; `remoteEndpoint` becomes `peer.service` and
//! `network.peer.*` attributes; the tags `otel.status_code`, `error`, `otel.scope.*` become
//! fields ([`super::tags`]).
//!
//! OpenTelemetry's Zipkin exporters flatten the resource into every span's tags and write each
//! event as an annotation whose value is `{"name": {attributes}}` in JSON. Both are undone:
//! resource-convention tags (`service.*`, `telemetry.sdk.*`, `host.*`, ...,
//! `openinference.project.name`) go back to the resource, and such annotations become events with
//! their attributes.

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::trace::v1::{self as trace, Status};
use serde::Deserialize;

use crate::attributes::Value;
use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::otlp::{Origin, SpanWriter, build};
use crate::ingest::tags::from_tags;
use crate::model::{SpanId, SpanKind, TraceId};

#[derive(Deserialize)]
#[serde(untagged)]
enum Document {
    Traces(Vec<Vec<ZipkinSpan>>),
    Spans(Vec<ZipkinSpan>),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ZipkinSpan {
    trace_id: String,
    id: String,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    timestamp: Option<u64>,
    #[serde(default)]
    duration: Option<u64>,
    #[serde(default)]
    local_endpoint: Option<Endpoint>,
    #[serde(default)]
    remote_endpoint: Option<Endpoint>,
    #[serde(default)]
    annotations: Option<Vec<Annotation>>,
    #[serde(default)]
    tags: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Endpoint {
    #[serde(default)]
    service_name: Option<String>,
    #[serde(default)]
    ipv4: Option<String>,
    #[serde(default)]
    ipv6: Option<String>,
    #[serde(default)]
    port: Option<u16>,
}

#[derive(Deserialize)]
struct Annotation {
    #[serde(default)]
    timestamp: u64,
    #[serde(default)]
    value: String,
}

/// Reads a Zipkin document.
pub(crate) fn read(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    let document: Document = serde_json::from_slice(bytes).map_err(|error| {
        // `untagged` hides where the fault is; the plain span list names it.
        crate::ingest::otlp_json::locate_json_error::<Vec<ZipkinSpan>>(bytes, &error)
    })?;
    let spans: Vec<(String, ZipkinSpan)> = match document {
        Document::Spans(spans) => spans
            .into_iter()
            .enumerate()
            .map(|(i, span)| (format!("[{i}]"), span))
            .collect(),
        Document::Traces(traces) => traces
            .into_iter()
            .enumerate()
            .flat_map(|(t, spans)| {
                spans
                    .into_iter()
                    .enumerate()
                    .map(move |(i, span)| (format!("[{t}][{i}]"), span))
            })
            .collect(),
    };
    if spans.is_empty() {
        writer.warnings.push(Located::file(Problem::NoSpans(
            "the Zipkin document has no spans".into(),
        )));
    }
    let mut batches = build::Batches::default();
    for (path, span) in spans {
        match convert(span) {
            Ok(Converted {
                span,
                resource,
                scope_name,
                scope_version,
            }) => batches.push(resource, scope_name, scope_version, span),
            Err(problem) => writer.errors.push(Located::new(Place::path(path), problem)),
        }
    }
    writer.write(&batches.finish(), &Origin::converted())?;
    Ok(())
}

/// A Zipkin span as OTLP, with what it tells of its resource and scope.
struct Converted {
    span: trace::Span,
    resource: Vec<(String, Value)>,
    scope_name: String,
    scope_version: String,
}

/// Tags that OpenTelemetry's resource conventions own.
fn is_resource_key(key: &str) -> bool {
    const PREFIXES: [&str; 13] = [
        "service.",
        "telemetry.sdk.",
        "telemetry.distro.",
        "host.",
        "os.",
        "process.",
        "deployment.",
        "cloud.",
        "k8s.",
        "container.",
        "device.",
        "faas.",
        "webengine.",
    ];
    key == "openinference.project.name" || PREFIXES.iter().any(|prefix| key.starts_with(prefix))
}

/// An annotation as an OpenTelemetry exporter writes an event: `{"name": {attributes}}`.
fn event(annotation: Annotation) -> trace::span::Event {
    let time_unix_nano = annotation.timestamp.saturating_mul(1000);
    if let Ok(serde_json::Value::Object(object)) = serde_json::from_str(&annotation.value)
        && object.len() == 1
        && let Some((name, serde_json::Value::Object(fields))) = object.into_iter().next()
    {
        let attributes: Vec<(String, Value)> = fields
            .into_iter()
            .map(|(key, value)| (key, Value::from_json(value)))
            .collect();
        return trace::span::Event {
            time_unix_nano,
            name,
            attributes: build::attributes(&attributes),
            dropped_attributes_count: 0,
        };
    }
    trace::span::Event {
        time_unix_nano,
        name: annotation.value,
        ..Default::default()
    }
}

fn convert(span: ZipkinSpan) -> Result<Converted, Problem> {
    let invalid =
        |what: &str, error: crate::model::IdError| Problem::Invalid(format!("{what}: {error}"));
    let trace_id = TraceId::parse(&span.trace_id).map_err(|e| invalid("traceId", e))?;
    let span_id = SpanId::parse(&span.id).map_err(|e| invalid("id", e))?;
    let parent_span_id = match span.parent_id.as_deref() {
        None | Some("") => Vec::new(),
        Some(parent) => SpanId::parse(parent)
            .map_err(|e| invalid("parentId", e))?
            .0
            .to_vec(),
    };
    let kind = match span.kind.as_deref() {
        None => SpanKind::Internal,
        Some(kind) => SpanKind::from_name(kind)
            .ok_or_else(|| Problem::Invalid(format!("kind {kind:?} is not a Zipkin span kind")))?,
    };
    let tag_values = span
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|(key, value)| (key, Value::from_json(value)))
        .collect();
    let mut tags = from_tags(tag_values);
    let mut resource: Vec<(String, Value)> = Vec::new();
    if let Some(service) = span
        .local_endpoint
        .and_then(|endpoint| endpoint.service_name)
    {
        resource.push(("service.name".into(), Value::Str(service)));
    }
    let (resource_tags, attributes) = std::mem::take(&mut tags.attributes)
        .into_iter()
        .partition::<Vec<_>, _>(|(key, _)| is_resource_key(key));
    tags.attributes = attributes;
    for (key, value) in resource_tags {
        match resource.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => resource.push((key, value)),
        }
    }
    if let Some(remote) = span.remote_endpoint {
        if let Some(service) = remote.service_name {
            tags.attributes
                .push(("peer.service".into(), Value::Str(service)));
        }
        if let Some(ip) = remote.ipv4.or(remote.ipv6) {
            tags.attributes
                .push(("network.peer.address".into(), Value::Str(ip)));
        }
        if let Some(port) = remote.port {
            tags.attributes
                .push(("network.peer.port".into(), Value::Int(i64::from(port))));
        }
    }
    let events = span
        .annotations
        .unwrap_or_default()
        .into_iter()
        .map(event)
        .collect();
    let start = span.timestamp.unwrap_or_default().saturating_mul(1000);
    let otlp = trace::Span {
        trace_id: trace_id.0.to_vec(),
        span_id: span_id.0.to_vec(),
        parent_span_id,
        trace_state: tags.trace_state,
        name: span.name.unwrap_or_default(),
        kind: tags.kind.unwrap_or(kind) as i32,
        start_time_unix_nano: start,
        // No duration: the span did not finish (Zipkin's "incomplete" span).
        end_time_unix_nano: span.duration.map_or(0, |duration| {
            start.saturating_add(duration.saturating_mul(1000))
        }),
        attributes: build::attributes(&tags.attributes),
        events,
        status: Some(Status {
            message: tags.status_message,
            code: tags.status_code as i32,
        }),
        ..Default::default()
    };
    Ok(Converted {
        span: otlp,
        resource,
        scope_name: tags.scope_name,
        scope_version: tags.scope_version,
    })
}
