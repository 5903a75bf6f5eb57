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
//!
//! The JSON is first read into a [`ZipkinSpan`] (ids and kind parsed), the form the protobuf
//! reader (`zipkin_proto`) makes too; [`store`] maps it from there, so both encodings mean the
//! same.

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::trace::v1::{self as trace, Status};
use serde::Deserialize;

use crate::attributes::Value;
use crate::ingest::Translated;
use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::otlp::build;
use crate::ingest::tags::from_tags;
use crate::model::{SpanId, SpanKind, TraceId};

#[derive(Deserialize)]
#[serde(untagged)]
enum Document {
    Traces(Vec<Vec<JsonSpan>>),
    Spans(Vec<JsonSpan>),
}

/// A span as Zipkin's JSON writes it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonSpan {
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

/// A Zipkin v2 span with its ids and kind read, whichever encoding it came in.
pub(crate) struct ZipkinSpan {
    pub(crate) trace_id: TraceId,
    pub(crate) span_id: SpanId,
    pub(crate) parent_span_id: Option<SpanId>,
    pub(crate) name: String,
    /// Internal when the span has none (a local span).
    pub(crate) kind: SpanKind,
    pub(crate) timestamp_micros: Option<u64>,
    /// `None`: the span did not finish (Zipkin's "incomplete" span).
    pub(crate) duration_micros: Option<u64>,
    pub(crate) local_endpoint: Option<Endpoint>,
    pub(crate) remote_endpoint: Option<Endpoint>,
    pub(crate) annotations: Vec<Annotation>,
    pub(crate) tags: Vec<(String, Value)>,
}

/// A node of the service graph; addresses as text.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Endpoint {
    #[serde(default)]
    pub(crate) service_name: Option<String>,
    #[serde(default)]
    pub(crate) ipv4: Option<String>,
    #[serde(default)]
    pub(crate) ipv6: Option<String>,
    #[serde(default)]
    pub(crate) port: Option<u16>,
}

/// An event that explains latency, at its time in microseconds.
#[derive(Deserialize)]
pub(crate) struct Annotation {
    #[serde(default)]
    pub(crate) timestamp: u64,
    #[serde(default)]
    pub(crate) value: String,
}

/// Reads a Zipkin document.
pub(crate) fn read(bytes: &[u8], out: &mut Translated) -> Result<(), Located> {
    let document: Document = serde_json::from_slice(bytes).map_err(|error| {
        // `untagged` hides where the fault is; the plain span list names it.
        crate::ingest::otlp_json::locate_json_error(bytes, &error)
    })?;
    let spans: Vec<(String, JsonSpan)> = match document {
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
    let spans = spans
        .into_iter()
        .map(|(path, span)| (Place::path(path), from_json(span)))
        .collect();
    store(spans, out)
}

/// Stores Zipkin spans, each read (or not) and where it is: the mapping both encodings share.
pub(crate) fn store(
    spans: Vec<(Place, Result<ZipkinSpan, Problem>)>,
    out: &mut Translated,
) -> Result<(), Located> {
    if spans.is_empty() {
        out.warnings.push(Located::file(Problem::NoSpans(
            "the Zipkin document has no spans".into(),
        )));
    }
    let mut batches = build::Batches::default();
    for (place, span) in spans {
        // Caught here rather than by the writer, so the problem is placed at the span.
        let span = span.and_then(|span| {
            if span.trace_id.is_zero() || span.span_id.is_zero() {
                Err(Problem::Invalid("an all-zero id is no id".into()))
            } else {
                Ok(span)
            }
        });
        match span {
            Ok(span) => {
                let Converted {
                    span,
                    resource,
                    scope_name,
                    scope_version,
                } = convert(span);
                batches.push(resource, scope_name, scope_version, span);
            }
            Err(problem) => out.errors.push(Located::new(place, problem)),
        }
    }
    out.batches.extend(batches.finish());
    Ok(())
}

/// A JSON span with its ids and kind read.
fn from_json(span: JsonSpan) -> Result<ZipkinSpan, Problem> {
    let invalid =
        |what: &str, error: crate::model::IdError| Problem::Invalid(format!("{what}: {error}"));
    let parent_span_id = match span.parent_id.as_deref() {
        None | Some("") => None,
        Some(parent) => Some(SpanId::parse(parent).map_err(|e| invalid("parentId", e))?),
    };
    let kind = match span.kind.as_deref() {
        None => SpanKind::Internal,
        Some(kind) => SpanKind::from_name(kind)
            .ok_or_else(|| Problem::Invalid(format!("kind {kind:?} is not a Zipkin span kind")))?,
    };
    Ok(ZipkinSpan {
        trace_id: TraceId::parse(&span.trace_id).map_err(|e| invalid("traceId", e))?,
        span_id: SpanId::parse(&span.id).map_err(|e| invalid("id", e))?,
        parent_span_id,
        name: span.name.unwrap_or_default(),
        kind,
        timestamp_micros: span.timestamp,
        duration_micros: span.duration,
        local_endpoint: span.local_endpoint,
        remote_endpoint: span.remote_endpoint,
        annotations: span.annotations.unwrap_or_default(),
        tags: span
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|(key, value)| (key, Value::from_json(value)))
            .collect(),
    })
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

fn convert(span: ZipkinSpan) -> Converted {
    let mut tags = from_tags(span.tags);
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
    let events = span.annotations.into_iter().map(event).collect();
    let start = span
        .timestamp_micros
        .unwrap_or_default()
        .saturating_mul(1000);
    let otlp = trace::Span {
        trace_id: span.trace_id.0.to_vec(),
        span_id: span.span_id.0.to_vec(),
        parent_span_id: span
            .parent_span_id
            .map(|id| id.0.to_vec())
            .unwrap_or_default(),
        trace_state: tags.trace_state,
        name: span.name,
        kind: tags.kind.unwrap_or(span.kind) as i32,
        start_time_unix_nano: start,
        // No duration: the span did not finish (Zipkin's "incomplete" span).
        end_time_unix_nano: span.duration_micros.map_or(0, |duration| {
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
    Converted {
        span: otlp,
        resource,
        scope_name: tags.scope_name,
        scope_version: tags.scope_version,
    }
}
