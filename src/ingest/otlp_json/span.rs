//! A span as an OTLP/JSON document holds it, read without an `opentelemetry-proto` value first:
//! its strings are borrowed from the document where they hold no escape (serde_json hands
//! those over in place), its ids are read into fixed arrays, and the whole is written into
//! the arena as [`SpanFields`]. Read into prost's types, every key, string value and id was a
//! heap allocation, copied again when interned and then freed: natively a quarter of the time
//! of a million-span document (BENCHMARKS.md; level in wasm, whose allocator cost little).
//!
//! The same [`JsonKeyValue`] reads the attributes of resources, scopes and log records, which
//! are few, into prost's types ([`JsonKeyValue::into_prost`]).

use std::borrow::Cow;
use std::fmt;

use opentelemetry_proto::tonic::common::v1 as common;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::{
    Field, JArrayValue, JBool, JBytes, JF64, JI64, JKind, JKvList, JSpanId, JStatusCode, JTraceId,
    JU32, JU64, list, visit_fields,
};
use crate::ingest::otlp::{SpanFields, SpanWriter};
use crate::model::{AnyValue, ArenaFull, KeyValue, Rows, SpanId, TraceId};

/// A string, borrowed from the document unless it holds an escape; null is "".
pub(super) struct JStr<'de>(pub(super) Cow<'de, str>);

impl<'de> de::Deserialize<'de> for JStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<JStr<'de>, E> {
                Ok(JStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<JStr<'de>, E> {
                Ok(JStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<JStr<'de>, E> {
                Ok(JStr(Cow::Owned(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<JStr<'de>, E> {
                Ok(JStr(Cow::Borrowed("")))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A key and its value; a null value is [`JsonValue::Null`].
#[derive(Default)]
pub(super) struct JsonKeyValue<'de> {
    pub(super) key: Cow<'de, str>,
    pub(super) value: JsonValue<'de>,
}

object!('de, JsonKeyValue<'de>, "a KeyValue object", |target, field, map| {
    match field {
        Field::Key => target.key = map.next_value::<JStr>()?.0,
        Field::Value => target.value = map.next_value()?,
        _ => return Ok(false),
    }
    Ok(true)
});

/// An `AnyValue`: `{"stringValue": "x"}` and its kin, `{}` being the empty value. A bare JSON
/// scalar (`"value": "x"`), which some tools write, is read as that scalar.
#[derive(Default)]
pub(super) enum JsonValue<'de> {
    /// JSON null: no value at all (prost's `None`).
    #[default]
    Null,
    /// An `AnyValue` that holds none of its fields.
    Empty,
    Str(Cow<'de, str>),
    Bool(bool),
    Int(i64),
    Double(f64),
    Bytes(Vec<u8>),
    Array(Vec<JsonValue<'de>>),
    KvList(Vec<JsonKeyValue<'de>>),
}

impl<'de> de::Deserialize<'de> for JsonValue<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JsonValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an AnyValue object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<JsonValue<'de>, A::Error> {
                visit_fields(map, JsonValue::Empty, |target, field, map| {
                    let value = match field {
                        Field::StringValue => map
                            .next_value::<Option<JStr>>()?
                            .map(|v| JsonValue::Str(v.0)),
                        Field::BoolValue => map
                            .next_value::<Option<JBool>>()?
                            .map(|v| JsonValue::Bool(v.0)),
                        Field::IntValue => map
                            .next_value::<Option<JI64>>()?
                            .map(|v| JsonValue::Int(v.0)),
                        Field::DoubleValue => map
                            .next_value::<Option<JF64>>()?
                            .map(|v| JsonValue::Double(v.0)),
                        Field::BytesValue => map
                            .next_value::<Option<JBytes>>()?
                            .map(|v| JsonValue::Bytes(v.0)),
                        Field::ArrayValue => map
                            .next_value::<Option<JArrayValue>>()?
                            .map(|v| JsonValue::Array(v.0)),
                        Field::KvlistValue => map
                            .next_value::<Option<JKvList>>()?
                            .map(|v| JsonValue::KvList(v.0)),
                        _ => return Ok(false),
                    };
                    // A null field names no value: Phoenix's `/spans/otlpv1` writes all seven,
                    // the six unused ones as null, so the one that is set must not be undone.
                    if let Some(value) = value {
                        *target = value;
                    }
                    Ok(true)
                })
            }
            fn visit_unit<E: de::Error>(self) -> Result<JsonValue<'de>, E> {
                Ok(JsonValue::Null)
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<JsonValue<'de>, E> {
                Ok(JsonValue::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<JsonValue<'de>, E> {
                Ok(JsonValue::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<JsonValue<'de>, E> {
                Ok(JsonValue::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<JsonValue<'de>, E> {
                Ok(JsonValue::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<JsonValue<'de>, E> {
                Ok(match i64::try_from(v) {
                    Ok(v) => JsonValue::Int(v),
                    Err(_) => JsonValue::Double(v as f64),
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<JsonValue<'de>, E> {
                Ok(JsonValue::Double(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl JsonKeyValue<'_> {
    /// As `opentelemetry-proto` holds it (for resources, scopes and log records).
    pub(super) fn into_prost(self) -> common::KeyValue {
        common::KeyValue {
            key: self.key.into_owned(),
            value: self.value.into_prost(),
            ..Default::default()
        }
    }
}

impl JsonValue<'_> {
    /// As `opentelemetry-proto` holds it: `None` for null.
    pub(super) fn into_prost(self) -> Option<common::AnyValue> {
        use common::any_value::Value as X;
        let value = match self {
            JsonValue::Null => return None,
            JsonValue::Empty => None,
            JsonValue::Str(s) => Some(X::StringValue(s.into_owned())),
            JsonValue::Bool(b) => Some(X::BoolValue(b)),
            JsonValue::Int(n) => Some(X::IntValue(n)),
            JsonValue::Double(x) => Some(X::DoubleValue(x)),
            JsonValue::Bytes(b) => Some(X::BytesValue(b)),
            JsonValue::Array(items) => Some(X::ArrayValue(common::ArrayValue {
                values: (items.into_iter())
                    .map(|item| item.into_prost().unwrap_or_default())
                    .collect(),
            })),
            JsonValue::KvList(list) => Some(X::KvlistValue(common::KeyValueList {
                values: list.into_iter().map(JsonKeyValue::into_prost).collect(),
            })),
        };
        Some(common::AnyValue { value })
    }
}

/// A list of key-values as prost's types.
pub(super) fn prost_list(list: Vec<JsonKeyValue<'_>>) -> Vec<common::KeyValue> {
    list.into_iter().map(JsonKeyValue::into_prost).collect()
}

/// A span's fields as the document holds them.
#[derive(Default)]
pub(super) struct JsonSpan<'de> {
    trace_id: Option<TraceId>,
    span_id: Option<SpanId>,
    parent_span_id: Option<SpanId>,
    trace_state: Cow<'de, str>,
    name: Cow<'de, str>,
    kind: i32,
    start: u64,
    end: u64,
    flags: u32,
    /// Dropped attributes, events and links.
    dropped: [u32; 3],
    status: Option<JsonStatus<'de>>,
    attributes: Vec<JsonKeyValue<'de>>,
    events: Vec<JsonEvent<'de>>,
    links: Vec<JsonLink<'de>>,
}

object!('de, JsonSpan<'de>, "a Span object", |target, field, map| {
    match field {
        Field::TraceId => target.trace_id = map.next_value::<JTraceId>()?.0,
        Field::SpanId => target.span_id = map.next_value::<JSpanId>()?.0,
        Field::ParentSpanId => target.parent_span_id = map.next_value::<JSpanId>()?.0,
        Field::TraceState => target.trace_state = map.next_value::<JStr>()?.0,
        Field::Flags => target.flags = map.next_value::<JU32>()?.0,
        Field::Name => target.name = map.next_value::<JStr>()?.0,
        Field::Kind => target.kind = map.next_value::<JKind>()?.0,
        Field::StartTimeUnixNano => target.start = map.next_value::<JU64>()?.0,
        Field::EndTimeUnixNano => target.end = map.next_value::<JU64>()?.0,
        Field::Attributes => target.attributes = list(map)?,
        Field::DroppedAttributesCount => target.dropped[0] = map.next_value::<JU32>()?.0,
        Field::Events => target.events = list(map)?,
        Field::DroppedEventsCount => target.dropped[1] = map.next_value::<JU32>()?.0,
        Field::Links => target.links = list(map)?,
        Field::DroppedLinksCount => target.dropped[2] = map.next_value::<JU32>()?.0,
        Field::Status => target.status = Some(map.next_value()?),
        _ => return Ok(false),
    }
    Ok(true)
});

#[derive(Default)]
struct JsonStatus<'de> {
    code: i32,
    message: Cow<'de, str>,
}

object!('de, JsonStatus<'de>, "a Status object", |target, field, map| {
    match field {
        Field::Code => target.code = map.next_value::<JStatusCode>()?.0,
        Field::Message => target.message = map.next_value::<JStr>()?.0,
        _ => return Ok(false),
    }
    Ok(true)
});

#[derive(Default)]
struct JsonEvent<'de> {
    time: u64,
    name: Cow<'de, str>,
    attributes: Vec<JsonKeyValue<'de>>,
    dropped: u32,
}

object!('de, JsonEvent<'de>, "an Event object", |target, field, map| {
    match field {
        Field::TimeUnixNano => target.time = map.next_value::<JU64>()?.0,
        Field::Name => target.name = map.next_value::<JStr>()?.0,
        Field::Attributes => target.attributes = list(map)?,
        Field::DroppedAttributesCount => target.dropped = map.next_value::<JU32>()?.0,
        _ => return Ok(false),
    }
    Ok(true)
});

#[derive(Default)]
struct JsonLink<'de> {
    trace_id: Option<TraceId>,
    span_id: Option<SpanId>,
    trace_state: Cow<'de, str>,
    attributes: Vec<JsonKeyValue<'de>>,
    dropped: u32,
    flags: u32,
}

object!('de, JsonLink<'de>, "a Link object", |target, field, map| {
    match field {
        Field::TraceId => target.trace_id = map.next_value::<JTraceId>()?.0,
        Field::SpanId => target.span_id = map.next_value::<JSpanId>()?.0,
        Field::TraceState => target.trace_state = map.next_value::<JStr>()?.0,
        Field::Attributes => target.attributes = list(map)?,
        Field::DroppedAttributesCount => target.dropped = map.next_value::<JU32>()?.0,
        Field::Flags => target.flags = map.next_value::<JU32>()?.0,
        _ => return Ok(false),
    }
    Ok(true)
});

/// An id's bytes, none when the document had none.
fn id_bytes<const N: usize>(id: Option<&[u8; N]>) -> &[u8] {
    id.map_or(&[], |id| &id[..])
}

impl SpanFields for JsonSpan<'_> {
    type Stop = ArenaFull;

    fn trace_id(&self) -> &[u8] {
        id_bytes(self.trace_id.as_ref().map(|id| &id.0))
    }
    fn span_id(&self) -> &[u8] {
        id_bytes(self.span_id.as_ref().map(|id| &id.0))
    }
    fn parent_span_id(&self) -> &[u8] {
        id_bytes(self.parent_span_id.as_ref().map(|id| &id.0))
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn trace_state(&self) -> &str {
        &self.trace_state
    }
    fn kind(&self) -> i32 {
        self.kind
    }
    fn times(&self) -> (u64, u64) {
        (self.start, self.end)
    }
    fn flags(&self) -> u32 {
        self.flags
    }
    fn dropped_counts(&self) -> [u32; 3] {
        self.dropped
    }
    fn status(&self) -> Option<(i32, &str)> {
        (self.status.as_ref()).map(|status| (status.code, &*status.message))
    }

    fn write_events(&self, writer: &mut SpanWriter<'_>) -> Result<Rows, ArenaFull> {
        let mut rows = Vec::with_capacity(self.events.len());
        for event in &self.events {
            rows.push(crate::model::Event {
                time_unix_nanos: event.time,
                name: writer.arena.intern(&event.name)?,
                attributes: write_attributes(&event.attributes, writer)?,
                dropped_attributes_count: event.dropped,
            });
        }
        writer.arena.push_events(&rows)
    }

    fn write_links(&self, writer: &mut SpanWriter<'_>) -> Result<Rows, ArenaFull> {
        let mut rows = Vec::with_capacity(self.links.len());
        for link in &self.links {
            let ids = (
                id_bytes(link.trace_id.as_ref().map(|id| &id.0)),
                id_bytes(link.span_id.as_ref().map(|id| &id.0)),
            );
            if let Some(link) = writer.link(ids, |writer| {
                Ok::<_, ArenaFull>((
                    writer.arena.intern(&link.trace_state)?,
                    write_attributes(&link.attributes, writer)?,
                    link.dropped,
                    link.flags,
                ))
            })? {
                rows.push(link);
            }
        }
        writer.arena.push_links(&rows)
    }

    fn write_attributes(&self, writer: &mut SpanWriter<'_>) -> Result<Rows, ArenaFull> {
        write_attributes(&self.attributes, writer)
    }
}

/// Stores a list of key-values as `SpanWriter::attributes` stores prost's.
fn write_attributes(
    list: &[JsonKeyValue<'_>],
    writer: &mut SpanWriter<'_>,
) -> Result<Rows, ArenaFull> {
    if list.is_empty() {
        return Ok(Rows::EMPTY);
    }
    // The writer's buffer: nested lists are collected in their own.
    let mut entries = writer.take_attribute_buffer();
    key_values(list, writer, &mut entries)?;
    let rows = writer.arena.push_attributes(&entries);
    writer.give_back_attribute_buffer(entries);
    rows
}

/// Each value (nested lists stored first), then its key.
fn key_values(
    list: &[JsonKeyValue<'_>],
    writer: &mut SpanWriter<'_>,
    entries: &mut Vec<KeyValue>,
) -> Result<(), ArenaFull> {
    for kv in list {
        let value = any_value(&kv.value, writer)?;
        let key = writer.arena.intern(&kv.key)?;
        entries.push(KeyValue { key, value });
    }
    Ok(())
}

fn any_value(value: &JsonValue<'_>, writer: &mut SpanWriter<'_>) -> Result<AnyValue, ArenaFull> {
    Ok(match value {
        JsonValue::Null | JsonValue::Empty => AnyValue::Empty,
        JsonValue::Str(s) => AnyValue::Str(writer.arena.intern(s)?),
        JsonValue::Bool(b) => AnyValue::Bool(*b),
        JsonValue::Int(n) => AnyValue::Int(*n),
        JsonValue::Double(x) => AnyValue::Double(*x),
        JsonValue::Bytes(bytes) => AnyValue::Bytes(writer.arena.push_blob(bytes)?),
        JsonValue::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                values.push(any_value(item, writer)?);
            }
            AnyValue::Array(writer.arena.push_array(&values)?)
        }
        JsonValue::KvList(list) => {
            let mut entries = Vec::with_capacity(list.len());
            key_values(list, writer, &mut entries)?;
            AnyValue::KvList(writer.arena.push_attributes(&entries)?)
        }
    })
}

/// The span as `opentelemetry-proto` holds it, for the unit tests.
#[cfg(test)]
impl JsonSpan<'_> {
    pub(super) fn into_prost(self) -> opentelemetry_proto::tonic::trace::v1::Span {
        use opentelemetry_proto::tonic::trace::v1::{Span, Status, span};
        let id = |bytes: &[u8]| bytes.to_vec();
        Span {
            trace_id: id(self.trace_id()),
            span_id: id(self.span_id()),
            parent_span_id: id(self.parent_span_id()),
            trace_state: self.trace_state.into_owned(),
            name: self.name.into_owned(),
            kind: self.kind,
            start_time_unix_nano: self.start,
            end_time_unix_nano: self.end,
            attributes: prost_list(self.attributes),
            dropped_attributes_count: self.dropped[0],
            events: (self.events.into_iter())
                .map(|event| span::Event {
                    time_unix_nano: event.time,
                    name: event.name.into_owned(),
                    attributes: prost_list(event.attributes),
                    dropped_attributes_count: event.dropped,
                })
                .collect(),
            dropped_events_count: self.dropped[1],
            links: (self.links.into_iter())
                .map(|link| span::Link {
                    trace_id: id(id_bytes(link.trace_id.as_ref().map(|id| &id.0))),
                    span_id: id(id_bytes(link.span_id.as_ref().map(|id| &id.0))),
                    trace_state: link.trace_state.into_owned(),
                    attributes: prost_list(link.attributes),
                    dropped_attributes_count: link.dropped,
                    flags: link.flags,
                })
                .collect(),
            dropped_links_count: self.dropped[2],
            status: (self.status).map(|status| Status {
                code: status.code,
                message: status.message.into_owned(),
            }),
            flags: self.flags,
        }
    }
}
