//! OTLP protobuf: an OTLP/HTTP body (`ExportTraceServiceRequest`, which has the same wire form
//! as `TracesData`), or the Collector file exporter's framing of many of them (each preceded by
//! its length as a 4-byte big-endian number).

use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans};
use prost::Message;

use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::otlp::{Origin, SpanWriter};

/// `ExportTraceServiceRequest`, plus the field that exporters before OTLP 0.15 used for scope
/// spans (`instrumentation_library_spans = 1000`), which the current types would skip silently.
/// Its messages have the same wire layout as `ScopeSpans`.
#[derive(Clone, PartialEq, Message)]
struct Request {
    #[prost(message, repeated, tag = "1")]
    resource_spans: Vec<ResourceSpansCompat>,
}

#[derive(Clone, PartialEq, Message)]
struct ResourceSpansCompat {
    #[prost(message, optional, tag = "1")]
    resource: Option<Resource>,
    #[prost(message, repeated, tag = "2")]
    scope_spans: Vec<ScopeSpans>,
    #[prost(string, tag = "3")]
    schema_url: String,
    #[prost(message, repeated, tag = "1000")]
    instrumentation_library_spans: Vec<ScopeSpans>,
}

impl From<ResourceSpansCompat> for ResourceSpans {
    fn from(compat: ResourceSpansCompat) -> Self {
        let mut scope_spans = compat.scope_spans;
        scope_spans.extend(compat.instrumentation_library_spans);
        ResourceSpans {
            resource: compat.resource,
            scope_spans,
            schema_url: compat.schema_url,
        }
    }
}

/// Decodes one protobuf body into OTLP batches.
pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<ResourceSpans>, Problem> {
    let request = Request::decode(bytes).map_err(|e| Problem::Protobuf(e.to_string()))?;
    if request.resource_spans.is_empty() && !bytes.is_empty() {
        return Err(Problem::NotRecognized(
            "protobuf without resourceSpans: not an OTLP trace export".into(),
        ));
    }
    Ok(request.resource_spans.into_iter().map(Into::into).collect())
}

/// Reads a plain protobuf body.
pub(crate) fn read(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    let batches = decode(bytes).map_err(Located::file)?;
    writer.write(&batches, &Origin::document())?;
    Ok(())
}

/// True when `bytes` start like a length-prefixed frame holding a protobuf message.
pub(crate) fn looks_framed(bytes: &[u8]) -> bool {
    match bytes {
        [a, b, c, d, first, ..] => {
            let len = u32::from_be_bytes([*a, *b, *c, *d]) as usize;
            // Field 1, wire type 2: the `resource_spans` of an `ExportTraceServiceRequest`.
            *first == 0x0A && len > 0 && len <= bytes.len() - 4
        }
        _ => false,
    }
}

/// Reads length-prefixed frames. A frame that does not decode is reported at its byte offset and
/// skipped; a length running past the end stops the reading there.
pub(crate) fn read_framed(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    let mut offset = 0usize;
    while offset < bytes.len() {
        let place = Place::byte(offset as u64);
        let Some(header) = bytes.get(offset..offset + 4) else {
            writer.errors.push(Located::new(
                place,
                Problem::Protobuf(format!(
                    "{} trailing bytes are too few for a frame length",
                    bytes.len() - offset
                )),
            ));
            break;
        };
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let body_start = offset + 4;
        let Some(body) = bytes.get(body_start..body_start.saturating_add(len)) else {
            writer.errors.push(Located::new(
                place,
                Problem::Protobuf(format!(
                    "frame length {len} runs past the end of the file ({} bytes left)",
                    bytes.len() - body_start
                )),
            ));
            break;
        };
        match decode(body) {
            Ok(batches) => writer.write(&batches, &Origin::document())?,
            Err(problem) => writer.errors.push(Located::new(place, problem)),
        }
        offset = body_start + len;
    }
    Ok(())
}
