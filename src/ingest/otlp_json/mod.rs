//! OTLP/JSON, read tolerantly: the spec's encoding and what real tools write instead.
//!
//! The spec says hex ids, lowerCamelCase keys, int64 as strings (or numbers), enums as integers,
//! unknown fields ignored. Real files also carry base64 ids (protobuf's own JSON mapping, e.g.
//! Python's `MessageToJson`), enum names (`SPAN_KIND_SERVER`), snake_case keys
//! (`preserving_proto_field_name`, Phoenix's `/spans/otlpv1`), the legacy
//! `instrumentationLibrarySpans` and Tempo's `batches`, a top-level array of requests, and
//! explicit nulls (an `AnyValue` with all seven `*Value` fields, the unused ones null). All are read
//! here into the `opentelemetry-proto` types. Phoenix's page of such spans, `{data: [span, ...]}`,
//! is read by [`otlpv1`] with the same visitors.
//!
//! Keys are matched ignoring case and underscores, so `scopeSpans`, `scope_spans` and
//! `ScopeSpans` are one key. A fault is named by its JSON path ([`crate::ingest::json_path`]).

use std::fmt;

use base64::Engine as _;
use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::resource::v1::Resource;
#[cfg(test)]
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans};

use crate::ingest::otlp_logs::{LogRecord, ResourceLogs, ScopeLogs};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

#[cfg(test)]
use crate::ingest::error::Place;
use crate::ingest::error::{Located, Problem, json_error};
use crate::ingest::otlp::{Origin, SpanWriter};
use crate::model::{ArenaFull, SpanId, SpanKind, StatusCode, TraceId};
use span::{JsonKeyValue, JsonSpan, JsonValue, prost_list};

/// One element of a document's `resourceSpans` or `resourceLogs`.
enum Batch<'de> {
    Spans(JsonResourceSpans<'de>),
    Logs(ResourceLogs),
}

/// Where the batches of a document go as they are parsed.
pub(crate) enum Sink<'w, 'a> {
    /// Stored one by one, so memory holds one batch, not the document's all.
    Write {
        writer: &'w mut SpanWriter<'a>,
        /// The JSON Lines line the document is, if it is one.
        line: Option<u64>,
        /// Batches stored so far.
        batches: usize,
        /// Set when the arena filled up (the parse is then stopped by an error).
        full: bool,
    },
    /// Kept (the unit tests look at the OTLP values).
    #[cfg(test)]
    Collect(Vec<ResourceSpans>),
}

impl<'w, 'a> Sink<'w, 'a> {
    /// A sink that stores into `writer`.
    pub(crate) fn write(writer: &'w mut SpanWriter<'a>, line: Option<u64>) -> Self {
        Sink::Write {
            writer,
            line,
            batches: 0,
            full: false,
        }
    }

    fn accept(&mut self, batch: Batch<'_>) -> Result<(), ArenaFull> {
        match self {
            Sink::Write {
                writer,
                line,
                batches,
                full,
            } => {
                let origin = match line {
                    Some(line) => Origin::line(*line, *batches),
                    None => Origin::document(*batches),
                };
                *batches += 1;
                match batch {
                    Batch::Spans(batch) => writer
                        .write_scoped(
                            (batch.resource.as_ref(), &batch.schema_url),
                            (batch.scope_spans.iter())
                                .map(|s| (s.scope.as_ref(), s.schema_url.as_str(), &s.spans[..])),
                            &origin,
                            0,
                        )
                        .map(|()| writer.batch_done()),
                    Batch::Logs(logs) => writer.write_logs(std::slice::from_ref(&logs), &origin),
                }
                .inspect_err(|_| *full = true)
            }
            #[cfg(test)]
            Sink::Collect(all) => {
                if let Batch::Spans(batch) = batch {
                    all.push(batch.into_prost());
                }
                Ok(())
            }
        }
    }

    /// Whether the arena filled up (what stopped the parse).
    fn is_full(&self) -> bool {
        matches!(self, Sink::Write { full: true, .. })
    }

    fn stored(&self) -> usize {
        match self {
            Sink::Write { batches, .. } => *batches,
            #[cfg(test)]
            Sink::Collect(all) => all.len(),
        }
    }
}

/// Parses one OTLP/JSON document (a request, or an array of requests) into batches.
#[cfg(test)]
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<ResourceSpans>, Located> {
    let mut sink = Sink::Collect(Vec::new());
    read_document(bytes, &mut sink)?;
    match sink {
        Sink::Collect(all) => Ok(all),
        _ => Ok(Vec::new()),
    }
}

/// Reads a document and stores its spans.
pub(crate) fn read(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    let mut sink = Sink::write(writer, None);
    let result = read_document(bytes, &mut sink);
    let stored = sink.stored();
    keep_stored(result, stored, writer)
}

/// What a document's reading came to, `stored` batches in: a fault after some is reported with
/// them (they stay, the fault where it is); before any, or the arena full, it fails the
/// document.
fn keep_stored(
    result: Result<(), Located>,
    stored: usize,
    writer: &mut SpanWriter<'_>,
) -> Result<(), Located> {
    match result {
        Err(located) if stored > 0 && !matches!(located.problem, Problem::TooLarge(_)) => {
            writer.errors.push(located);
            Ok(())
        }
        other => other,
    }
}

/// Parses `bytes` into `sink`; a fault is named by its JSON path.
pub(crate) fn read_document(bytes: &[u8], sink: &mut Sink<'_, '_>) -> Result<(), Located> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = DocumentSeed { sink: &mut *sink }
        .deserialize(&mut deserializer)
        .and_then(|shape| deserializer.end().map(|()| shape));
    match parsed {
        Ok(shape) => shape.check(),
        Err(_) if sink.is_full() => Err(ArenaFull.into()),
        Err(error) => Err(locate_json_error(bytes, &error)),
    }
}

/// A `serde_json` error with the JSON path of the place it points at in `bytes`.
pub(crate) fn locate_json_error(bytes: &[u8], error: &serde_json::Error) -> Located {
    json_error(error, crate::ingest::json_path::path_of(bytes, error))
}

/// What a document looked like: whether it had trace keys, and which others.
struct Shape {
    recognised: bool,
    other_keys: Vec<String>,
}

impl Shape {
    fn check(self) -> Result<(), Located> {
        if self.recognised {
            return Ok(());
        }
        let keys = if self.other_keys.is_empty() {
            "no keys".to_owned()
        } else {
            format!("top-level keys: {}", self.other_keys.join(", "))
        };
        Err(Located::file(Problem::NotRecognized(format!(
            "JSON without resourceSpans; {keys}"
        ))))
    }
}

/// The top level: a request object or an array of them. Batches go to the sink as they are read.
struct DocumentSeed<'s, 'w, 'a> {
    sink: &'s mut Sink<'w, 'a>,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_, '_, '_> {
    type Value = Shape;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Shape, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_, '_, '_> {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an OTLP/JSON request object or an array of them")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut shape = Shape {
            recognised: false,
            other_keys: Vec::new(),
        };
        while let Some(key) = map.next_key::<RawKey>()? {
            match key.field {
                Field::ResourceSpans | Field::Batches => {
                    shape.recognised = true;
                    map.next_value_seed(BatchesSeed {
                        sink: &mut *self.sink,
                        logs: false,
                    })?;
                }
                Field::ResourceLogs => {
                    shape.recognised = true;
                    map.next_value_seed(BatchesSeed {
                        sink: &mut *self.sink,
                        logs: true,
                    })?;
                }
                _ => {
                    if shape.other_keys.len() < 8 {
                        shape.other_keys.push(key.text);
                    }
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(shape)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        while let Some(part) = seq.next_element_seed(DocumentSeed {
            sink: &mut *self.sink,
        })? {
            if !part.recognised {
                return Err(de::Error::custom(format!(
                    "an array element is not an OTLP request (keys: {})",
                    part.other_keys.join(", ")
                )));
            }
        }
        Ok(Shape {
            recognised: true,
            other_keys: Vec::new(),
        })
    }
}

/// The `resourceSpans` (or `resourceLogs`) array, each element handed to the sink as soon as
/// it is parsed.
struct BatchesSeed<'s, 'w, 'a> {
    sink: &'s mut Sink<'w, 'a>,
    logs: bool,
}

impl<'de> DeserializeSeed<'de> for BatchesSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BatchesSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.logs {
            true => "an array of ResourceLogs",
            false => "an array of ResourceSpans",
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let logs = self.logs;
        while let Some(()) = seq.next_element_seed(BatchSeed {
            sink: &mut *self.sink,
            logs,
        })? {}
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// One element of the `resourceSpans` (or `resourceLogs`) array, handed to the sink once
/// parsed (its spans may borrow from the bytes being parsed).
struct BatchSeed<'s, 'w, 'a> {
    sink: &'s mut Sink<'w, 'a>,
    logs: bool,
}

impl<'de> DeserializeSeed<'de> for BatchSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let batch = match self.logs {
            true => Batch::Logs(<JResourceLogs as de::Deserialize>::deserialize(deserializer)?.0),
            false => Batch::Spans(de::Deserialize::deserialize(deserializer)?),
        };
        (self.sink.accept(batch)).map_err(|full| de::Error::custom(full.to_string()))
    }
}

// ---- keys ----------------------------------------------------------------------------------

/// Every OTLP/JSON key we read, matched ignoring case and `_`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    ResourceSpans,
    ResourceLogs,
    ScopeLogs,
    LogRecords,
    ObservedTimeUnixNano,
    SeverityNumber,
    SeverityText,
    Body,
    EventName,
    Batches,
    Resource,
    ScopeSpans,
    Scope,
    Spans,
    SchemaUrl,
    Attributes,
    DroppedAttributesCount,
    Name,
    Version,
    TraceId,
    SpanId,
    ParentSpanId,
    TraceState,
    Flags,
    Kind,
    StartTimeUnixNano,
    EndTimeUnixNano,
    Events,
    DroppedEventsCount,
    Links,
    DroppedLinksCount,
    Status,
    Code,
    Message,
    TimeUnixNano,
    Key,
    Value,
    Values,
    StringValue,
    BoolValue,
    IntValue,
    DoubleValue,
    ArrayValue,
    KvlistValue,
    BytesValue,
    Other,
}

impl Field {
    fn from_key(key: &str) -> Self {
        // The spec's spellings, which nearly every file uses, without normalizing.
        match key {
            "key" => return Field::Key,
            "value" => return Field::Value,
            "stringValue" => return Field::StringValue,
            "intValue" => return Field::IntValue,
            "attributes" => return Field::Attributes,
            "traceId" => return Field::TraceId,
            "spanId" => return Field::SpanId,
            "parentSpanId" => return Field::ParentSpanId,
            "name" => return Field::Name,
            "kind" => return Field::Kind,
            "startTimeUnixNano" => return Field::StartTimeUnixNano,
            "endTimeUnixNano" => return Field::EndTimeUnixNano,
            "status" => return Field::Status,
            "events" => return Field::Events,
            "links" => return Field::Links,
            _ => {}
        }
        let mut buffer = [0u8; 32];
        let mut len = 0;
        for byte in key.bytes().filter(|b| *b != b'_') {
            if len == buffer.len() {
                return Field::Other;
            }
            buffer[len] = byte.to_ascii_lowercase();
            len += 1;
        }
        match &buffer[..len] {
            b"resourcespans" => Field::ResourceSpans,
            b"resourcelogs" => Field::ResourceLogs,
            b"scopelogs" | b"instrumentationlibrarylogs" => Field::ScopeLogs,
            b"logrecords" => Field::LogRecords,
            b"observedtimeunixnano" => Field::ObservedTimeUnixNano,
            b"severitynumber" => Field::SeverityNumber,
            b"severitytext" => Field::SeverityText,
            b"body" => Field::Body,
            b"eventname" => Field::EventName,
            b"batches" => Field::Batches,
            b"resource" => Field::Resource,
            b"scopespans" | b"instrumentationlibraryspans" => Field::ScopeSpans,
            b"scope" | b"instrumentationlibrary" => Field::Scope,
            b"spans" => Field::Spans,
            b"schemaurl" => Field::SchemaUrl,
            b"attributes" => Field::Attributes,
            b"droppedattributescount" => Field::DroppedAttributesCount,
            b"name" => Field::Name,
            b"version" => Field::Version,
            b"traceid" => Field::TraceId,
            b"spanid" => Field::SpanId,
            b"parentspanid" => Field::ParentSpanId,
            b"tracestate" => Field::TraceState,
            b"flags" => Field::Flags,
            b"kind" => Field::Kind,
            b"starttimeunixnano" => Field::StartTimeUnixNano,
            b"endtimeunixnano" => Field::EndTimeUnixNano,
            b"events" => Field::Events,
            b"droppedeventscount" => Field::DroppedEventsCount,
            b"links" => Field::Links,
            b"droppedlinkscount" => Field::DroppedLinksCount,
            b"status" => Field::Status,
            b"code" => Field::Code,
            b"message" => Field::Message,
            b"timeunixnano" => Field::TimeUnixNano,
            b"key" => Field::Key,
            b"value" => Field::Value,
            b"values" => Field::Values,
            b"stringvalue" => Field::StringValue,
            b"boolvalue" => Field::BoolValue,
            b"intvalue" => Field::IntValue,
            b"doublevalue" => Field::DoubleValue,
            b"arrayvalue" => Field::ArrayValue,
            b"kvlistvalue" => Field::KvlistValue,
            b"bytesvalue" => Field::BytesValue,
            _ => Field::Other,
        }
    }
}

/// A key, classified; the text is kept only for unknown top-level keys.
struct RawKey {
    field: Field,
    text: String,
}

impl<'de> de::Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = RawKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<RawKey, E> {
                let field = Field::from_key(key);
                let text = if field == Field::Other {
                    key.chars().take(40).collect()
                } else {
                    String::new()
                };
                Ok(RawKey { field, text })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Reads a map whose keys are [`Field`]s, calling `field` for each; unknown keys are skipped.
fn visit_fields<'de, A, T>(
    mut map: A,
    mut target: T,
    mut field: impl FnMut(&mut T, Field, &mut A) -> Result<bool, A::Error>,
) -> Result<T, A::Error>
where
    A: MapAccess<'de>,
{
    while let Some(key) = map.next_key::<RawKey>()? {
        if !field(&mut target, key.field, &mut map)? {
            map.next_value::<IgnoredAny>()?;
        }
    }
    Ok(target)
}

/// Implements `Deserialize` by visiting an object's fields (null is the default value): for a
/// wrapper around `opentelemetry-proto`'s type, or for a type of ours borrowing from `'de`.
macro_rules! object {
    ($wrapper:ident($inner:ty), $what:literal, |$target:ident, $field:ident, $map:ident| $body:expr) => {
        object!(@impl 'de, $wrapper, $inner, $wrapper, $what, |$target, $field, $map| $body);
    };
    ($de:lifetime, $type:ty, $what:literal, |$target:ident, $field:ident, $map:ident| $body:expr) => {
        object!(@impl $de, $type, $type, std::convert::identity, $what, |$target, $field, $map| $body);
    };
    (@impl $de:lifetime, $type:ty, $inner:ty, $wrap:expr, $what:literal,
        |$target:ident, $field:ident, $map:ident| $body:expr) => {
        impl<$de> de::Deserialize<$de> for $type {
            fn deserialize<D: Deserializer<$de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V<$de>(std::marker::PhantomData<&$de ()>);
                impl<$de> Visitor<$de> for V<$de> {
                    type Value = $type;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_map<A: MapAccess<$de>>(self, map: A) -> Result<$type, A::Error> {
                        visit_fields(map, <$inner>::default(), |$target, $field, $map| $body)
                            .map($wrap)
                    }
                    fn visit_unit<E: de::Error>(self) -> Result<$type, E> {
                        Ok($wrap(<$inner>::default()))
                    }
                }
                deserializer.deserialize_any(V(std::marker::PhantomData))
            }
        }
    };
}

// ---- structure -----------------------------------------------------------------------------

/// A JSON array of `T`, where null means empty.
struct List<T>(Vec<T>);

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: de::Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(List(items))
            }
            fn visit_unit<E: de::Error>(self) -> Result<List<T>, E> {
                Ok(List(Vec::new()))
            }
        }
        deserializer.deserialize_any(ListVisitor(std::marker::PhantomData))
    }
}

fn list<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(map: &mut A) -> Result<Vec<T>, A::Error> {
    Ok(map.next_value::<List<T>>()?.0)
}

/// The values inside deserialization wrappers.
fn inner_all<T, W>(items: Vec<W>, f: impl Fn(W) -> T) -> Vec<T> {
    items.into_iter().map(f).collect()
}

/// A `ResourceSpans` whose spans are read as [`JsonSpan`]s.
#[derive(Default)]
struct JsonResourceSpans<'de> {
    resource: Option<Resource>,
    schema_url: String,
    scope_spans: Vec<JsonScopeSpans<'de>>,
}

object!('de, JsonResourceSpans<'de>, "a ResourceSpans object", |target, field, map| {
    match field {
        Field::Resource => target.resource = Some(map.next_value::<JResource>()?.0),
        Field::ScopeSpans => target.scope_spans.extend(list::<JsonScopeSpans, _>(map)?),
        Field::SchemaUrl => target.schema_url = map.next_value::<JString>()?.0,
        _ => return Ok(false),
    }
    Ok(true)
});

#[derive(Default)]
struct JsonScopeSpans<'de> {
    scope: Option<InstrumentationScope>,
    schema_url: String,
    spans: Vec<JsonSpan<'de>>,
}

object!('de, JsonScopeSpans<'de>, "a ScopeSpans object", |target, field, map| {
    match field {
        Field::Scope => target.scope = Some(map.next_value::<JScope>()?.0),
        Field::Spans => target.spans = list(map)?,
        Field::SchemaUrl => target.schema_url = map.next_value::<JString>()?.0,
        _ => return Ok(false),
    }
    Ok(true)
});

/// The batch as `opentelemetry-proto` holds it, for the unit tests.
#[cfg(test)]
impl JsonResourceSpans<'_> {
    fn into_prost(self) -> ResourceSpans {
        ResourceSpans {
            resource: self.resource,
            scope_spans: (self.scope_spans.into_iter())
                .map(|scope_spans| ScopeSpans {
                    scope: scope_spans.scope,
                    spans: (scope_spans.spans.into_iter())
                        .map(JsonSpan::into_prost)
                        .collect(),
                    schema_url: scope_spans.schema_url,
                })
                .collect(),
            schema_url: self.schema_url,
        }
    }
}

struct JResourceLogs(ResourceLogs);
object!(
    JResourceLogs(ResourceLogs),
    "a ResourceLogs object",
    |target, field, map| {
        match field {
            Field::Resource => target.resource = Some(map.next_value::<JResource>()?.0),
            Field::ScopeLogs => target
                .scope_logs
                .extend(inner_all(list::<JScopeLogs, _>(map)?, |s| s.0)),
            Field::SchemaUrl => target.schema_url = map.next_value::<JString>()?.0,
            _ => return Ok(false),
        }
        Ok(true)
    }
);

struct JScopeLogs(ScopeLogs);
object!(
    JScopeLogs(ScopeLogs),
    "a ScopeLogs object",
    |target, field, map| {
        match field {
            Field::Scope => target.scope = Some(map.next_value::<JScope>()?.0),
            Field::LogRecords => {
                target.log_records = inner_all(list::<JLogRecord, _>(map)?, |r| r.0)
            }
            Field::SchemaUrl => target.schema_url = map.next_value::<JString>()?.0,
            _ => return Ok(false),
        }
        Ok(true)
    }
);

struct JLogRecord(LogRecord);
object!(
    JLogRecord(LogRecord),
    "a LogRecord object",
    |target, field, map| {
        match field {
            Field::TimeUnixNano => target.time_unix_nano = map.next_value::<JU64>()?.0,
            Field::ObservedTimeUnixNano => {
                target.observed_time_unix_nano = map.next_value::<JU64>()?.0
            }
            Field::SeverityNumber => target.severity_number = map.next_value::<JSeverity>()?.0,
            Field::SeverityText => target.severity_text = map.next_value::<JString>()?.0,
            Field::Body => target.body = map.next_value::<JsonValue>()?.into_prost(),
            Field::Attributes => target.attributes = prost_list(list(map)?),
            Field::DroppedAttributesCount => {
                target.dropped_attributes_count = map.next_value::<JU32>()?.0
            }
            Field::Flags => target.flags = map.next_value::<JU32>()?.0,
            Field::TraceId => {
                target.trace_id =
                    (map.next_value::<JTraceId>()?.0).map_or_else(Vec::new, |id| id.0.to_vec())
            }
            Field::SpanId => {
                target.span_id =
                    (map.next_value::<JSpanId>()?.0).map_or_else(Vec::new, |id| id.0.to_vec())
            }
            Field::EventName => target.event_name = map.next_value::<JString>()?.0,
            _ => return Ok(false),
        }
        Ok(true)
    }
);

struct JResource(Resource);
object!(
    JResource(Resource),
    "a Resource object",
    |target, field, map| {
        match field {
            Field::Attributes => target.attributes = prost_list(list(map)?),
            Field::DroppedAttributesCount => {
                target.dropped_attributes_count = map.next_value::<JU32>()?.0
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
);

struct JScope(InstrumentationScope);
object!(
    JScope(InstrumentationScope),
    "an InstrumentationScope object",
    |target, field, map| {
        match field {
            Field::Name => target.name = map.next_value::<JString>()?.0,
            Field::Version => target.version = map.next_value::<JString>()?.0,
            Field::Attributes => target.attributes = prost_list(list(map)?),
            Field::DroppedAttributesCount => {
                target.dropped_attributes_count = map.next_value::<JU32>()?.0
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
);

/// An `ArrayValue`'s values.
#[derive(Default)]
struct JArrayValue<'de>(Vec<JsonValue<'de>>);
object!('de, JArrayValue<'de>, "an ArrayValue object", |target, field, map| {
    match field {
        Field::Values => target.0 = list(map)?,
        _ => return Ok(false),
    }
    Ok(true)
});

/// A `KeyValueList`'s entries.
#[derive(Default)]
struct JKvList<'de>(Vec<JsonKeyValue<'de>>);
object!('de, JKvList<'de>, "a KeyValueList object", |target, field, map| {
    match field {
        Field::Values => target.0 = list(map)?,
        _ => return Ok(false),
    }
    Ok(true)
});

// ---- scalars -------------------------------------------------------------------------------

/// Implements `Deserialize` for a scalar wrapper from a visitor body.
macro_rules! scalar {
    ($wrapper:ident($inner:ty), $what:literal, { $($method:item)* }) => {
        impl<'de> de::Deserialize<'de> for $wrapper {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $inner;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }
                    $($method)*
                }
                deserializer.deserialize_any(V).map($wrapper)
            }
        }
    };
}

/// A string; null is "".
struct JString(String);
scalar!(JString(String), "a string", {
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
});

/// A boolean; also `"true"` / `"false"`.
struct JBool(bool);
scalar!(JBool(bool), "a boolean", {
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
});

/// An int64: a JSON number, or a decimal string (the spec's encoding).
struct JI64(i64);
scalar!(JI64(i64), "an integer (number or decimal string)", {
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        integral(v).ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        v.trim()
            .parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
    fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
});

/// A uint64 (times in ns): a JSON number or a decimal string.
struct JU64(u64);
scalar!(
    JU64(u64),
    "a non-negative integer (number or decimal string)",
    {
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            integral(v)
                .and_then(|n| u64::try_from(n).ok())
                .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            v.trim()
                .parse()
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        }
        fn visit_unit<E: de::Error>(self) -> Result<u64, E> {
            Ok(0)
        }
    }
);

/// A uint32 (counts, flags).
struct JU32(u32);
scalar!(JU32(u32), "a 32-bit count", {
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
        u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
        u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
        v.trim()
            .parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
    fn visit_unit<E: de::Error>(self) -> Result<u32, E> {
        Ok(0)
    }
});

/// A double: a JSON number or a string (`"NaN"`, `"Infinity"`, `"-Infinity"`, or a number).
struct JF64(f64);
scalar!(JF64(f64), "a number", {
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        match v {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => v
                .trim()
                .parse()
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
        Ok(0.0)
    }
});

/// Bytes: base64 (standard or URL-safe, padded or not).
struct JBytes(Vec<u8>);
scalar!(JBytes(Vec<u8>), "base64 bytes", {
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
        decode_base64(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<u8>, E> {
        Ok(Vec::new())
    }
});

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let trimmed = text.trim_end_matches('=');
    STANDARD_NO_PAD
        .decode(trimmed)
        .or_else(|_| URL_SAFE_NO_PAD.decode(trimmed))
        .ok()
}

fn integral(v: f64) -> Option<i64> {
    (v.fract() == 0.0 && v.abs() < 9.2e18).then_some(v as i64)
}

/// Implements `Deserialize` for an id read as hex or base64; null or "" is no id.
macro_rules! id {
    ($(#[$doc:meta])* $wrapper:ident($id:ty), $what:literal) => {
        $(#[$doc])*
        struct $wrapper(Option<$id>);
        scalar!($wrapper(Option<$id>), $what, {
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<$id>, E> {
                if v.is_empty() {
                    return Ok(None);
                }
                <$id>::parse(v).map(Some).map_err(E::custom)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Option<$id>, E> {
                Ok(None)
            }
        });
    };
}

id!(
    /// A trace id.
    JTraceId(TraceId),
    "a trace id (32 hex digits or base64)"
);

id!(
    /// A span id.
    JSpanId(SpanId),
    "a span id (16 hex digits or base64)"
);

/// Implements `Deserialize` for an OTLP enum field read as its number or its name.
macro_rules! enum_number {
    ($(#[$doc:meta])* $wrapper:ident, $what:literal, $from_name:expr) => {
        $(#[$doc])*
        struct $wrapper(i32);
        scalar!($wrapper(i32), $what, {
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<i32, E> {
                i32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<i32, E> {
                i32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<i32, E> {
                let from_name: fn(&str) -> Option<i32> = $from_name;
                from_name(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_unit<E: de::Error>(self) -> Result<i32, E> {
                Ok(0)
            }
        });
    };
}

enum_number!(
    /// A span kind: its number or its name (`SPAN_KIND_SERVER`, `SERVER`).
    JKind,
    "a span kind (number or SPAN_KIND_* name)",
    |name| SpanKind::from_name(name).map(|kind| kind as i32)
);

enum_number!(
    /// A status code: its number or its name (`STATUS_CODE_ERROR`, `ERROR`).
    JStatusCode,
    "a status code (number or STATUS_CODE_* name)",
    |name| StatusCode::from_name(name).map(|code| code as i32)
);

enum_number!(
    /// A severity: its number or its name (`SEVERITY_NUMBER_WARN2`, `INFO`).
    JSeverity,
    "a severity (number or SEVERITY_NUMBER_* name)",
    severity_number
);

/// OTLP's severity number of a name: `TRACE` 1 … `FATAL` 21, a digit after it adding up to 3.
fn severity_number(name: &str) -> Option<i32> {
    let upper = name.trim().to_ascii_uppercase();
    let short = upper.strip_prefix("SEVERITY_NUMBER_").unwrap_or(&upper);
    if short == "UNSPECIFIED" {
        return Some(0);
    }
    let (word, step) = match short.as_bytes().last() {
        Some(digit @ b'2'..=b'4') => (&short[..short.len() - 1], i32::from(digit - b'1')),
        _ => (short, 0),
    };
    let base = match word {
        "TRACE" => 1,
        "DEBUG" => 5,
        "INFO" => 9,
        "WARN" => 13,
        "ERROR" => 17,
        "FATAL" => 21,
        _ => return None,
    };
    Some(base + step)
}

mod document;
pub(crate) mod otlpv1;
mod span;

pub(crate) use document::{DocumentStream, streams};

#[cfg(test)]
mod tests;
