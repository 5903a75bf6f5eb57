//! Jaeger JSON, as Jaeger UI downloads a trace (and its `/api/traces` returns):
//! `{data: [{traceID, spans: [...], processes: {p1: {serviceName, tags}}, warnings}]}`; also one
//! such trace alone at the top level (what Jaeger UI's upload takes too, and what Jaeger's own
//! converter fixtures hold), and an array of them (`jq .data` of a download).
//!
//! Mapped as Jaeger's own OTLP translator maps it: times are microseconds; the first `CHILD_OF`
//! reference in the same trace (else the first reference) is the parent and the other references
//! are links; logs are events named by their `event` field; processes are resources; the tags
//! `span.kind`, `otel.status_code`, `error`, `otel.scope.*` become fields ([`super::tags`]).
//!
//! Ids are hex numbers, and Jaeger's own parser takes them without their leading zeros
//! (`"spanID": "2"`): they are padded back to 16 or 32 digits. Base64 ids, which no Jaeger
//! writes, still read when they are not all hex digits.
//!
//! Jaeger's `warnings` (what its query service's adjusters or its storage noticed: clock skew,
//! a duplicate span id, an invalid parent) are shown, never dropped. A span's warnings become its
//! attribute `jaeger.warnings` (a list of strings), so the details pane shows them where Jaeger
//! UI does, and the span filter finds them; each span that has some is also named in the file's
//! report ([`Problem::Warned`], placed at the span's `warnings`), the first
//! [`SPANS_WARNED_IN_REPORT`] of them one by one and the rest counted in one line. A trace's
//! warnings, which belong to no span, are in the report only, placed at the trace's `warnings`.

use std::collections::BTreeMap;

use base64::Engine as _;
use opentelemetry_proto::tonic::trace::v1::{self as trace, Status};
use serde::Deserialize;

use crate::attributes::Value;
use crate::ingest::Translated;
use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::otlp::build;
use crate::ingest::tags::from_tags;
use crate::model::{IdError, SpanId, SpanKind, TraceId};

/// `null` where a list or map is expected reads as empty.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// How many spans with warnings the report names one by one; past that they are counted.
const SPANS_WARNED_IN_REPORT: usize = 10;

/// The top level as an object: `{data: [trace, ...]}`, or one trace's own fields.
#[derive(Deserialize)]
struct Document {
    #[serde(default, deserialize_with = "nullable")]
    data: Vec<JaegerTrace>,
    #[serde(default, deserialize_with = "nullable")]
    spans: Vec<JaegerSpan>,
    #[serde(default, deserialize_with = "nullable")]
    processes: BTreeMap<String, Process>,
    #[serde(default, deserialize_with = "nullable")]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
struct JaegerTrace {
    #[serde(default, deserialize_with = "nullable")]
    spans: Vec<JaegerSpan>,
    #[serde(default, deserialize_with = "nullable")]
    processes: BTreeMap<String, Process>,
    #[serde(default, deserialize_with = "nullable")]
    warnings: Vec<String>,
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
    #[serde(default, deserialize_with = "nullable")]
    warnings: Vec<String>,
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
pub(crate) fn read(bytes: &[u8], out: &mut Translated) -> Result<(), Located> {
    let mut total_spans = 0;
    let mut warned = Warned::default();
    for (path, jaeger_trace) in traces(bytes)? {
        total_spans += jaeger_trace.spans.len();
        read_trace(&path, jaeger_trace, out, &mut warned)?;
    }
    warned.finish(out);
    if total_spans == 0 {
        out.warnings.push(Located::file(Problem::NoSpans(
            "the Jaeger document has no spans".into(),
        )));
    }
    Ok(())
}

/// The document's traces, each with the JSON path it starts at (`data[0].`, `[0].`, or `` for a
/// trace alone).
fn traces(bytes: &[u8]) -> Result<Vec<(String, JaegerTrace)>, Located> {
    use crate::ingest::otlp_json::locate_json_error;
    if crate::ingest::sniff::skip_bom_and_space(bytes).first() == Some(&b'[') {
        let traces: Vec<JaegerTrace> =
            serde_json::from_slice(bytes).map_err(|error| locate_json_error(bytes, &error))?;
        return Ok(paths("", traces));
    }
    let document: Document =
        serde_json::from_slice(bytes).map_err(|error| locate_json_error(bytes, &error))?;
    let mut traces = paths("data", document.data);
    if !document.spans.is_empty() || !document.warnings.is_empty() {
        let alone = JaegerTrace {
            spans: document.spans,
            processes: document.processes,
            warnings: document.warnings,
        };
        traces.push((String::new(), alone));
    }
    Ok(traces)
}

fn paths(array: &str, traces: Vec<JaegerTrace>) -> Vec<(String, JaegerTrace)> {
    traces
        .into_iter()
        .enumerate()
        .map(|(t, jaeger_trace)| (format!("{array}[{t}]."), jaeger_trace))
        .collect()
}

/// Reads one trace, whose JSON path starts with `path`.
fn read_trace(
    path: &str,
    jaeger_trace: JaegerTrace,
    out: &mut Translated,
    warned: &mut Warned,
) -> Result<(), Located> {
    if !jaeger_trace.warnings.is_empty() {
        let place = Place::path(format!("{path}warnings"));
        out.warnings
            .push(warning(place, "trace", &jaeger_trace.warnings));
    }
    let mut processes = jaeger_trace.processes;
    let mut batches = build::Batches::default();
    for (s, span) in jaeger_trace.spans.into_iter().enumerate() {
        let place = format!("{path}spans[{s}]");
        warned.span(&place, &span.warnings, out);
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
            Err(problem) => out.errors.push(Located::new(Place::path(place), problem)),
        }
    }
    out.batches.extend(batches.finish());
    Ok(())
}

/// A report line for Jaeger's warnings on a `what` (span or trace).
fn warning(place: Place, what: &str, warnings: &[String]) -> Located {
    Located::new(
        place,
        Problem::Warned {
            by: "Jaeger",
            message: format!("this {what}: {}", warnings.join("; ")),
        },
    )
}

/// Spans with warnings met so far: the first few are reported one by one, the rest counted.
#[derive(Default)]
struct Warned {
    spans: usize,
}

impl Warned {
    fn span(&mut self, place: &str, warnings: &[String], out: &mut Translated) {
        if warnings.is_empty() {
            return;
        }
        self.spans += 1;
        if self.spans <= SPANS_WARNED_IN_REPORT {
            let place = Place::path(format!("{place}.warnings"));
            out.warnings.push(warning(place, "span", warnings));
        }
    }

    fn finish(self, out: &mut Translated) {
        let more = self.spans.saturating_sub(SPANS_WARNED_IN_REPORT);
        if more > 0 {
            out.warnings.push(Located::file(Problem::Warned {
                by: "Jaeger",
                message: format!(
                    "{more} more spans carry warnings; each shows them as its attribute jaeger.warnings"
                ),
            }));
        }
    }
}

fn id_problem(what: &str, error: impl std::fmt::Display) -> Problem {
    Problem::Invalid(format!("{what}: {error}"))
}

/// `text` with the leading zeros Jaeger may leave out put back, when it is hex shorter than
/// `digits`.
fn padded(text: &str, digits: usize) -> std::borrow::Cow<'_, str> {
    if !text.is_empty() && text.len() < digits && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{text:0>digits$}").into()
    } else {
        text.into()
    }
}

/// A Jaeger trace id: hex of up to 32 digits (a 64-bit id is zero-extended), or base64.
fn parse_trace_id(text: &str) -> Result<TraceId, IdError> {
    TraceId::parse(&padded(text, 32))
}

/// A Jaeger span id: hex of up to 16 digits, or base64.
fn parse_span_id(text: &str) -> Result<SpanId, IdError> {
    SpanId::parse(&padded(text, 16))
}

/// One Jaeger span as OTLP, with its scope (name, version).
fn convert(span: JaegerSpan) -> Result<(trace::Span, (String, String)), Problem> {
    let trace_id = parse_trace_id(&span.trace_id).map_err(|e| id_problem("traceID", e))?;
    let span_id = parse_span_id(&span.span_id).map_err(|e| id_problem("spanID", e))?;
    // Caught here rather than by the writer, so the problem is placed at the span.
    if trace_id.is_zero() || span_id.is_zero() {
        return Err(Problem::Invalid(format!(
            "an all-zero id is no id (traceID {:?}, spanID {:?})",
            span.trace_id, span.span_id
        )));
    }
    let mut references = Vec::with_capacity(span.references.len());
    for reference in &span.references {
        let ref_trace =
            parse_trace_id(&reference.trace_id).map_err(|e| id_problem("reference traceID", e))?;
        let ref_span =
            parse_span_id(&reference.span_id).map_err(|e| id_problem("reference spanID", e))?;
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
        parent_span_id = parse_span_id(parent)
            .map_err(|e| id_problem("parentSpanID", e))?
            .0
            .to_vec();
    }
    let mut tags = from_tags(tag_pairs(&span.tags));
    if !span.warnings.is_empty() {
        let warnings = span.warnings.iter().cloned().map(Value::Str).collect();
        tags.attributes
            .push(("jaeger.warnings".to_owned(), Value::Array(warnings)));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_without_leading_zeros_are_padded_as_jaeger_pads_them() {
        let span = |text| parse_span_id(text).map(|id| id.to_string());
        let trace = |text| parse_trace_id(text).map(|id| id.to_string());
        assert_eq!(span("2"), Ok("0000000000000002".to_owned()));
        assert_eq!(span("A3"), Ok("00000000000000a3".to_owned()));
        assert_eq!(trace("1"), Ok(format!("{}1", "0".repeat(31))));
        // More than 16 digits: the high half is the digits before the last 16.
        assert_eq!(
            trace("1ffffffffffffffff"),
            Ok("0000000000000001ffffffffffffffff".to_owned())
        );
        // Base64 (not all hex digits) reads as before; too long, empty or not hex does not.
        assert_eq!(span("OHNE8oPWR7Y="), Ok("387344f283d647b6".to_owned()));
        assert!(span("12345678901234567").is_err());
        assert!(span("").is_err());
        assert!(trace("xyz").is_err());
    }
}
