//! Zipkin v2 protobuf: a `ListOfSpans` of `zipkin2.proto` (openzipkin/zipkin-api), the body
//! OpenTelemetry's Zipkin protobuf exporters POST as `application/x-protobuf`.
//!
//! Each span is decoded with prost and read into the [`ZipkinSpan`] the JSON reader makes; the
//! mapping from there is the JSON one ([`super::zipkin::store`]), so both encodings mean the same.
//! What only the wire form says: ids are raw bytes (a trace id of 8 or 16, a span id of 8);
//! `kind` 0 is a local (internal) span; a zero `timestamp` or `duration` is absent (proto3 writes
//! no zeros, and Zipkin calls zero invalid); an endpoint's address is 4 (IPv4) or 16 (IPv6) bytes,
//! shown as text, and one of another length is left out, as is a port outside 1–65535. `debug`
//! and `shared` are not kept, as the JSON reader does not keep them.
//!
//! [`looks_like`] tells such a body from an OTLP one by its first message. A span that does not
//! decode is reported at its byte offset and the next one is read; a body whose fields cannot be
//! walked any further stops there.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use prost::Message;

use crate::attributes::Value;
use crate::ingest::Translated;
use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::wire::{self, WireValue};
use crate::ingest::zipkin::{self, Annotation, Endpoint, ZipkinSpan};
use crate::model::{SpanId, SpanKind, TraceId};

/// `zipkin2.proto3.Span`, without `debug` (12) and `shared` (13), which are skipped.
#[derive(Clone, PartialEq, Message)]
struct ProtoSpan {
    #[prost(bytes = "vec", tag = "1")]
    trace_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    parent_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    id: Vec<u8>,
    /// `Kind`: 0 unspecified, 1 CLIENT, 2 SERVER, 3 PRODUCER, 4 CONSUMER.
    #[prost(int32, tag = "4")]
    kind: i32,
    #[prost(string, tag = "5")]
    name: String,
    /// Epoch microseconds.
    #[prost(fixed64, tag = "6")]
    timestamp: u64,
    /// Microseconds.
    #[prost(uint64, tag = "7")]
    duration: u64,
    #[prost(message, optional, tag = "8")]
    local_endpoint: Option<ProtoEndpoint>,
    #[prost(message, optional, tag = "9")]
    remote_endpoint: Option<ProtoEndpoint>,
    #[prost(message, repeated, tag = "10")]
    annotations: Vec<ProtoAnnotation>,
    #[prost(btree_map = "string, string", tag = "11")]
    tags: BTreeMap<String, String>,
}

/// `zipkin2.proto3.Endpoint`.
#[derive(Clone, PartialEq, Message)]
struct ProtoEndpoint {
    #[prost(string, tag = "1")]
    service_name: String,
    #[prost(bytes = "vec", tag = "2")]
    ipv4: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    ipv6: Vec<u8>,
    #[prost(int32, tag = "4")]
    port: i32,
}

/// `zipkin2.proto3.Annotation`.
#[derive(Clone, PartialEq, Message)]
struct ProtoAnnotation {
    /// Epoch microseconds.
    #[prost(fixed64, tag = "1")]
    timestamp: u64,
    #[prost(string, tag = "2")]
    value: String,
}

/// True when `bytes` start with a whole `ListOfSpans.spans` message (field 1) that reads as a
/// Zipkin span: a trace id (1) of 8 or 16 bytes, an id (3) of 8, a parent id (2) of 8 if any, and
/// every other field one of `Span`'s with its wire type. An OTLP body's first message is a
/// `ResourceSpans` (resource = 1, scope_spans = 2, schema_url = 3): it could pass only with every
/// `ScopeSpans` 8 bytes long, too short to hold a span.
pub(crate) fn looks_like(bytes: &[u8]) -> bool {
    let Some(Ok(first)) = wire::fields(bytes).next() else {
        return false;
    };
    let (1, WireValue::Bytes(span)) = (first.number, first.value) else {
        return false;
    };
    let (mut trace_id, mut id) = (false, false);
    for field in wire::fields(span) {
        let Ok(field) = field else {
            return false;
        };
        let fits = match (field.number, field.value) {
            (1, WireValue::Bytes(bytes)) => {
                trace_id = matches!(bytes.len(), 8 | 16);
                trace_id
            }
            (2, WireValue::Bytes(bytes)) => matches!(bytes.len(), 0 | 8),
            (3, WireValue::Bytes(bytes)) => {
                id = bytes.len() == 8;
                id
            }
            (5 | 8..=11, WireValue::Bytes(_)) => true,
            (4 | 7 | 12 | 13, WireValue::Varint(_)) => true,
            (6, WireValue::Fixed64(_)) => true,
            _ => false,
        };
        if !fits {
            return false;
        }
    }
    trace_id && id
}

/// Reads a `ListOfSpans` body.
pub(crate) fn read(bytes: &[u8], out: &mut Translated) -> Result<(), Located> {
    let mut spans = Vec::new();
    let mut stop = None;
    for field in wire::fields(bytes) {
        let field = match field {
            Ok(field) => field,
            Err(error) => {
                stop = Some(Located::new(
                    Place::byte(error.offset as u64),
                    Problem::Protobuf(format!("Zipkin ListOfSpans: {}", error.message)),
                ));
                break;
            }
        };
        // `ListOfSpans` has only `spans`; other fields are skipped, as protobuf skips them.
        if let (1, WireValue::Bytes(message)) = (field.number, field.value) {
            let place = Place {
                byte_offset: Some(field.offset as u64),
                json_path: Some(format!("spans[{}]", spans.len())),
                ..Place::default()
            };
            spans.push((place, decode(message)));
        }
    }
    match stop {
        // A body that does not begin as one is no Zipkin body at all.
        Some(stop) if spans.is_empty() => Err(stop),
        stop => {
            zipkin::store(spans, out)?;
            out.errors.extend(stop);
            Ok(())
        }
    }
}

/// One span's message, read.
fn decode(message: &[u8]) -> Result<ZipkinSpan, Problem> {
    let span = ProtoSpan::decode(message)
        .map_err(|error| Problem::Protobuf(format!("a Zipkin span: {error}")))?;
    let length = |what: &str, bytes: &[u8], expected: &str| {
        Problem::Invalid(format!(
            "{what} has {} bytes ({expected} expected)",
            bytes.len()
        ))
    };
    let trace_id = TraceId::from_bytes(&span.trace_id)
        .ok_or_else(|| length("trace_id", &span.trace_id, "8 or 16"))?;
    let span_id = SpanId::from_bytes(&span.id).ok_or_else(|| length("id", &span.id, "8"))?;
    let parent_span_id = if span.parent_id.is_empty() {
        None
    } else {
        let parent = SpanId::from_bytes(&span.parent_id)
            .ok_or_else(|| length("parent_id", &span.parent_id, "8"))?;
        Some(parent)
    };
    Ok(ZipkinSpan {
        trace_id,
        span_id,
        parent_span_id,
        name: span.name,
        kind: kind(span.kind)?,
        timestamp_micros: (span.timestamp != 0).then_some(span.timestamp),
        duration_micros: (span.duration != 0).then_some(span.duration),
        local_endpoint: span.local_endpoint.map(endpoint),
        remote_endpoint: span.remote_endpoint.map(endpoint),
        annotations: span
            .annotations
            .into_iter()
            .map(|annotation| Annotation {
                timestamp: annotation.timestamp,
                value: annotation.value,
            })
            .collect(),
        tags: span
            .tags
            .into_iter()
            .map(|(key, value)| (key, Value::Str(value)))
            .collect(),
    })
}

/// `Span.Kind` as OTLP's kind; absent is a local span.
fn kind(number: i32) -> Result<SpanKind, Problem> {
    match number {
        0 => Ok(SpanKind::Internal),
        1 => Ok(SpanKind::Client),
        2 => Ok(SpanKind::Server),
        3 => Ok(SpanKind::Producer),
        4 => Ok(SpanKind::Consumer),
        other => Err(Problem::Invalid(format!(
            "kind {other} is not a Zipkin span kind"
        ))),
    }
}

/// An endpoint with its address as text; empty strings and a zero port are absent.
fn endpoint(endpoint: ProtoEndpoint) -> Endpoint {
    let ipv4 = <[u8; 4]>::try_from(endpoint.ipv4.as_slice()).ok();
    let ipv6 = <[u8; 16]>::try_from(endpoint.ipv6.as_slice()).ok();
    Endpoint {
        service_name: Some(endpoint.service_name).filter(|name| !name.is_empty()),
        ipv4: ipv4.map(|octets| Ipv4Addr::from(octets).to_string()),
        ipv6: ipv6.map(|octets| Ipv6Addr::from(octets).to_string()),
        port: u16::try_from(endpoint.port).ok().filter(|port| *port != 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Arena, Format};

    const TRACE: [u8; 16] = [7; 16];

    fn span(id: u8, parent: Option<u8>) -> ProtoSpan {
        ProtoSpan {
            trace_id: TRACE.to_vec(),
            parent_id: parent.map(|p| vec![p; 8]).unwrap_or_default(),
            id: vec![id; 8],
            kind: 2,
            name: format!("span {id}"),
            timestamp: 1_795_842_600_000_000,
            duration: 1_500,
            local_endpoint: Some(ProtoEndpoint {
                service_name: "svc".into(),
                ..Default::default()
            }),
            remote_endpoint: Some(ProtoEndpoint {
                service_name: "db".into(),
                ipv4: vec![10, 0, 0, 7],
                ipv6: vec![1, 2],
                port: 5432,
            }),
            annotations: vec![ProtoAnnotation {
                timestamp: 1_795_842_600_000_100,
                value: "retry".into(),
            }],
            tags: BTreeMap::from([("db.system".to_owned(), "postgresql".to_owned())]),
        }
    }

    /// A `ListOfSpans` of `messages`, each as field 1.
    fn body(messages: &[Vec<u8>]) -> Vec<u8> {
        let mut body = Vec::new();
        for message in messages {
            prost::encoding::encode_key(1, prost::encoding::WireType::LengthDelimited, &mut body);
            prost::encoding::encode_varint(message.len() as u64, &mut body);
            body.extend_from_slice(message);
        }
        body
    }

    fn load(bytes: &[u8]) -> (Arena, crate::ingest::FileReport) {
        let mut arena = Arena::default();
        let report = crate::ingest::load_as(&mut arena, "spans.pb", bytes, Format::ZipkinProto);
        (arena, report)
    }

    #[test]
    fn a_span_reads_as_its_json_twin_would() {
        let bytes = body(&[
            span(1, None).encode_to_vec(),
            span(2, Some(1)).encode_to_vec(),
        ]);
        assert!(looks_like(&bytes));
        let (arena, report) = load(&bytes);
        assert!(report.is_ok(), "{:?}", report.errors);
        assert_eq!(report.spans, 2);
        let child = &arena.spans()[1];
        assert_eq!(child.parent_span_id, Some(SpanId([1; 8])));
        assert_eq!(child.kind, SpanKind::Server);
        assert_eq!(child.start_unix_nanos, 1_795_842_600_000_000_000);
        assert_eq!(child.duration_nanos(), 1_500_000);
        let attributes = crate::attributes::flat_map(&arena, child.attributes);
        assert_eq!(
            attributes.get("network.peer.address"),
            Some(&Value::from("10.0.0.7"))
        );
        assert_eq!(attributes.get("network.peer.port"), Some(&Value::Int(5432)));
        assert_eq!(attributes.get("peer.service"), Some(&Value::from("db")));
        assert_eq!(
            attributes.get("db.system"),
            Some(&Value::from("postgresql"))
        );
        assert_eq!(arena.str(arena.events(child.events)[0].name), "retry");
    }

    #[test]
    fn zeros_are_absent() {
        let mut local = span(1, None);
        (local.kind, local.duration, local.remote_endpoint) = (0, 0, None);
        let (arena, _) = load(&body(&[local.encode_to_vec()]));
        let span = &arena.spans()[0];
        assert_eq!(span.kind, SpanKind::Internal);
        assert_eq!(span.end_unix_nanos, 0, "no duration: an incomplete span");
    }

    #[test]
    fn a_bad_span_is_placed_and_the_next_one_read() {
        let mut short_id = span(2, None);
        short_id.id = vec![2; 5];
        let mut bad_kind = span(3, None);
        bad_kind.kind = 9;
        let messages = [
            span(1, None).encode_to_vec(),
            short_id.encode_to_vec(),
            vec![0x0A, 0x63],
            bad_kind.encode_to_vec(),
            span(4, None).encode_to_vec(),
        ];
        let bytes = body(&messages);
        let (arena, report) = load(&bytes);
        assert_eq!(arena.spans().len(), 2);
        let first = &messages[0];
        let second = 1 + prost::encoding::encoded_len_varint(first.len() as u64) + first.len();
        let second = second as u64;
        let places: Vec<(Option<u64>, Option<&str>)> = report
            .errors
            .iter()
            .map(|e| (e.place.byte_offset, e.place.json_path.as_deref()))
            .collect();
        assert_eq!(places[0], (Some(second), Some("spans[1]")));
        assert_eq!(
            places.iter().map(|p| p.1).collect::<Vec<_>>(),
            [Some("spans[1]"), Some("spans[2]"), Some("spans[3]")]
        );
        assert_eq!(
            report.errors[0].problem,
            Problem::Invalid("id has 5 bytes (8 expected)".into())
        );
        assert!(matches!(report.errors[1].problem, Problem::Protobuf(_)));
    }

    #[test]
    fn a_body_cut_short_keeps_the_spans_before_the_cut() {
        let bytes = body(&[span(1, None).encode_to_vec(), span(2, None).encode_to_vec()]);
        let (arena, report) = load(&bytes[..bytes.len() - 3]);
        assert_eq!(arena.spans().len(), 1);
        assert!(
            report.errors[0]
                .to_string()
                .contains("Zipkin ListOfSpans: field 1 needs")
        );
        let (arena, report) = load(&[0x0A, 0x7f, 0x01]);
        assert!(arena.spans().is_empty());
        assert!(
            report.errors[0].place.byte_offset == Some(0),
            "{:?}",
            report.errors
        );
    }

    #[test]
    fn otlp_bodies_do_not_look_like_zipkin() {
        use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
        use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
        use opentelemetry_proto::tonic::resource::v1::Resource;
        use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
        // A resource of 16 bytes and an 8-byte schema URL: only the span count tells them apart.
        let resource = Resource {
            attributes: vec![KeyValue {
                key: "svc.name".into(),
                value: Some(AnyValue {
                    value: Some(any_value::Value::StringValue(String::new())),
                }),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(resource.encode_to_vec().len(), 16);
        let request = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(resource),
                scope_spans: vec![ScopeSpans {
                    spans: vec![Span {
                        trace_id: TRACE.to_vec(),
                        span_id: vec![1; 8],
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
                schema_url: "https://".into(),
            }],
        };
        assert!(!looks_like(&request.encode_to_vec()));
        assert!(!looks_like(b"\n{\"resourceSpans\": []}"));
        assert!(!looks_like(&[]));
        assert!(!looks_like(&body(&[vec![0x0A, 0x02, 1, 2]])));
    }
}
