//! OTLP protobuf read straight into the arena: each `ResourceSpans` is walked field by field,
//! its strings borrowed from the input and interned once, with no message decoded into
//! `opentelemetry-proto`'s types first (which allocates a `String` or `Vec` per field, then
//! copies each into the arena).
//!
//! Prost stays the reference. Anything this reader leaves to it — bytes that do not walk, a
//! string that is not UTF-8, a field that comes twice where the schema has one, a wire type the
//! schema does not give a field, nesting past prost's limit, a resource's entity references —
//! undoes what the batch wrote and hands the batch to prost, which reads it (or says what is
//! wrong) as before. The differential fuzz target `otlp_wire` holds the two to the same spans.

use crate::ingest::otlp::{Origin, SpanFields, SpanWriter};
use crate::ingest::wire::{WireValue, fields};
use crate::model::{AnyValue, ArenaFull, KeyValue, Rows, SpanId, StrId, TraceId};

/// Why the direct reading stopped.
pub(crate) enum Stop {
    /// The arena is full (prost would fill it too).
    Full(ArenaFull),
    /// Something this reader leaves to prost.
    Unusual,
}

impl From<ArenaFull> for Stop {
    fn from(full: ArenaFull) -> Self {
        Stop::Full(full)
    }
}

type Read<T> = Result<T, Stop>;

/// How deep a message may be nested here (a span's attributes are 4 deep: request, scope spans,
/// span, key-value); deeper values are left to prost, whose limit is 100.
const MAX_DEPTH: u32 = 80;

/// Writes the `ResourceSpans` `bytes` hold as `SpanWriter::write` writes prost's decoding of
/// them (the progress listener told after). `Ok(false)`: nothing of it was kept, prost is to
/// read it.
pub(crate) fn write_batch(
    bytes: &[u8],
    writer: &mut SpanWriter<'_>,
    origin: &Origin,
) -> Result<bool, ArenaFull> {
    let mark = writer.mark();
    match write(bytes, writer, origin) {
        Ok(()) => {
            writer.batch_done();
            Ok(true)
        }
        Err(Stop::Full(full)) => Err(full),
        Err(Stop::Unusual) => {
            writer.undo(mark);
            Ok(false)
        }
    }
}

fn write(bytes: &[u8], writer: &mut SpanWriter<'_>, origin: &Origin) -> Read<()> {
    let (mut resource, mut schema_url) = (None, "");
    // Exporters before OTLP 0.15 wrote scope spans as field 1000; prost's compat type reads
    // them after the current field's.
    let (mut scopes, mut library) = (Vec::new(), Vec::new());
    for field in fields(bytes) {
        match number_and_value(field)? {
            (1, WireValue::Bytes(b)) => once(&mut resource, b)?,
            (2, WireValue::Bytes(b)) => scopes.push(b),
            (3, WireValue::Bytes(b)) => schema_url = text(b)?,
            (1000, WireValue::Bytes(b)) => library.push(b),
            (1 | 2 | 3 | 1000, _) => return Err(Stop::Unusual),
            _ => {}
        }
    }
    let resource = match resource {
        Some(bytes) => {
            let (attributes, dropped) = resource_fields(bytes, writer)?;
            writer.add_resource(attributes, dropped, schema_url)?
        }
        None => writer.add_resource(Rows::EMPTY, 0, schema_url)?,
    };
    let mut span = WireSpan::default();
    for (s, scope_spans) in scopes.into_iter().chain(library).enumerate() {
        let (mut scope, mut spans, mut schema_url) = (None, Vec::new(), "");
        for field in fields(scope_spans) {
            match number_and_value(field)? {
                (1, WireValue::Bytes(b)) => once(&mut scope, b)?,
                (2, WireValue::Bytes(b)) => spans.push(b),
                (3, WireValue::Bytes(b)) => schema_url = text(b)?,
                (1..=3, _) => return Err(Stop::Unusual),
                _ => {}
            }
        }
        let scope = match scope {
            Some(bytes) => scope_fields(bytes, schema_url, writer)?,
            None => writer.add_scope(None, schema_url)?,
        };
        for (i, bytes) in spans.into_iter().enumerate() {
            span.read(bytes)?;
            writer.write_one(&span, resource, scope, origin, (0, s, i))?;
        }
    }
    Ok(())
}

/// A field's number and value; bytes that do not walk are prost's to report.
fn number_and_value(
    field: Result<crate::ingest::wire::Field<'_>, crate::ingest::wire::WireError>,
) -> Read<(u64, WireValue<'_>)> {
    let field = field.map_err(|_| Stop::Unusual)?;
    Ok((field.number, field.value))
}

/// Sets a field a message has once; a second is merged by prost, so left to it.
fn once<'a>(slot: &mut Option<&'a [u8]>, bytes: &'a [u8]) -> Read<()> {
    match slot.replace(bytes) {
        None => Ok(()),
        Some(_) => Err(Stop::Unusual),
    }
}

fn text(bytes: &[u8]) -> Read<&str> {
    std::str::from_utf8(bytes).map_err(|_| Stop::Unusual)
}

/// Text stored: bytes that are not UTF-8 are prost's to report.
fn intern_text(writer: &mut SpanWriter<'_>, bytes: &[u8]) -> Read<StrId> {
    writer.arena.intern_utf8(bytes)?.ok_or(Stop::Unusual)
}

/// A `uint32` or enum as prost reads a varint: its low 32 bits.
fn low_bits(value: u64) -> u32 {
    value as u32
}

/// A resource's attributes and dropped count, stored.
fn resource_fields(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Read<(Rows, u32)> {
    let (mut attributes, mut dropped) = (Vec::new(), 0);
    for field in fields(bytes) {
        match number_and_value(field)? {
            (1, WireValue::Bytes(b)) => attributes.push(b),
            (2, WireValue::Varint(n)) => dropped = low_bits(n),
            // Entity references (field 3) are decoded (and checked) by prost only.
            (1..=3, _) => return Err(Stop::Unusual),
            _ => {}
        }
    }
    Ok((write_attributes(&attributes, writer, 2)?, dropped))
}

/// An instrumentation scope, stored.
fn scope_fields(
    bytes: &[u8],
    schema_url: &str,
    writer: &mut SpanWriter<'_>,
) -> Read<crate::model::ScopeId> {
    let (mut name, mut version, mut attributes, mut dropped) = ("", "", Vec::new(), 0);
    for field in fields(bytes) {
        match number_and_value(field)? {
            (1, WireValue::Bytes(b)) => name = text(b)?,
            (2, WireValue::Bytes(b)) => version = text(b)?,
            (3, WireValue::Bytes(b)) => attributes.push(b),
            (4, WireValue::Varint(n)) => dropped = low_bits(n),
            (1..=4, _) => return Err(Stop::Unusual),
            _ => {}
        }
    }
    let attributes = write_attributes(&attributes, writer, 3)?;
    Ok(writer.add_scope(Some((name, version, attributes, dropped)), schema_url)?)
}

/// Stores a list of `KeyValue` messages (nested `depth` deep) as `SpanWriter::attributes`
/// stores decoded ones.
fn write_attributes(list: &[&[u8]], writer: &mut SpanWriter<'_>, depth: u32) -> Read<Rows> {
    if list.is_empty() {
        return Ok(Rows::EMPTY);
    }
    // The writer's buffer: nested lists are collected in their own.
    let mut entries = writer.take_attribute_buffer();
    key_values(list, writer, depth, &mut entries)?;
    let rows = writer.arena.push_attributes(&entries);
    writer.give_back_attribute_buffer(entries);
    Ok(rows?)
}

/// A list of `KeyValue` messages read into `entries`: each value (nested lists stored first),
/// then its key.
fn key_values(
    list: &[&[u8]],
    writer: &mut SpanWriter<'_>,
    depth: u32,
    entries: &mut Vec<KeyValue>,
) -> Read<()> {
    if depth > MAX_DEPTH {
        return Err(Stop::Unusual);
    }
    for bytes in list {
        if let Some((key, value)) = plain_key_value(bytes) {
            let value = match value {
                Plain::Str(text) => AnyValue::Str(intern_text(writer, text)?),
                Plain::Scalar(scalar) => scalar,
                Plain::Other(bytes) => any_value(bytes, writer, depth + 1)?,
            };
            let key = intern_text(writer, key)?;
            entries.push(KeyValue { key, value });
            continue;
        }
        let (mut key, mut value) = ("", None);
        for field in fields(bytes) {
            match number_and_value(field)? {
                // Each key checked, as prost checks a key it then replaces.
                (1, WireValue::Bytes(b)) => key = text(b)?,
                (2, WireValue::Bytes(b)) => once(&mut value, b)?,
                (3, WireValue::Varint(_)) => {}
                (1..=3, _) => return Err(Stop::Unusual),
                _ => {}
            }
        }
        let value = match value {
            Some(bytes) => any_value(bytes, writer, depth + 1)?,
            None => AnyValue::Empty,
        };
        let key = writer.arena.intern(key)?;
        entries.push(KeyValue { key, value });
    }
    Ok(())
}

/// A `KeyValue`'s key and value, as exporters write them: the key (field 1), then the value
/// (field 2), nothing else, a text or scalar value alone in it. Read without the field walk —
/// a span's attributes are most of what it holds. `None`: read it field by field.
#[inline]
fn plain_key_value(bytes: &[u8]) -> Option<(&[u8], Plain<'_>)> {
    let (key, rest) = length_delimited(bytes, 0x0A)?;
    if rest.is_empty() {
        return Some((key, Plain::Scalar(AnyValue::Empty)));
    }
    let (value, rest) = length_delimited(rest, 0x12)?;
    if !rest.is_empty() {
        return None;
    }
    let plain = match value.split_first() {
        None => Plain::Scalar(AnyValue::Empty),
        Some((0x0A, _)) => match length_delimited(value, 0x0A)? {
            (text, []) => Plain::Str(text),
            _ => Plain::Other(value),
        },
        Some((&tag @ (0x10 | 0x18), mut rest)) => {
            let n = prost::encoding::decode_varint(&mut rest).ok()?;
            match (tag, rest) {
                (0x10, []) => Plain::Scalar(AnyValue::Bool(n != 0)),
                (_, []) => Plain::Scalar(AnyValue::Int(n as i64)),
                _ => Plain::Other(value),
            }
        }
        Some((0x21, rest)) => match <[u8; 8]>::try_from(rest) {
            Ok(bits) => Plain::Scalar(AnyValue::Double(f64::from_le_bytes(bits))),
            Err(_) => Plain::Other(value),
        },
        Some(_) => Plain::Other(value),
    };
    Some((key, plain))
}

/// A plain `KeyValue`'s value.
enum Plain<'a> {
    /// Text, not yet checked to be UTF-8.
    Str(&'a [u8]),
    Scalar(AnyValue),
    /// An `AnyValue` to read field by field.
    Other(&'a [u8]),
}

/// The bytes of the length-delimited field `bytes` start with, if its key is `key`, and what
/// follows them.
#[inline]
fn length_delimited(bytes: &[u8], key: u8) -> Option<(&[u8], &[u8])> {
    let (&first, mut rest) = bytes.split_first()?;
    if first != key {
        return None;
    }
    let len = match rest.split_first() {
        Some((&len, after)) if len < 0x80 => {
            rest = after;
            usize::from(len)
        }
        _ => usize::try_from(prost::encoding::decode_varint(&mut rest).ok()?).ok()?,
    };
    (len <= rest.len()).then(|| rest.split_at(len))
}

/// An `AnyValue` nested `depth` deep, stored (its arrays and lists in the arena).
fn any_value(bytes: &[u8], writer: &mut SpanWriter<'_>, depth: u32) -> Read<AnyValue> {
    if depth > MAX_DEPTH {
        return Err(Stop::Unusual);
    }
    let mut value = None;
    for field in fields(bytes) {
        let (number, wire) = number_and_value(field)?;
        let read = match (number, wire) {
            (1, WireValue::Bytes(b)) => Some(Value::Str(b)),
            (2, WireValue::Varint(n)) => Some(Value::Scalar(AnyValue::Bool(n != 0))),
            (3, WireValue::Varint(n)) => Some(Value::Scalar(AnyValue::Int(n as i64))),
            (4, WireValue::Fixed64(bits)) => {
                Some(Value::Scalar(AnyValue::Double(f64::from_bits(bits))))
            }
            (5, WireValue::Bytes(b)) => Some(Value::Array(b)),
            (6, WireValue::Bytes(b)) => Some(Value::List(b)),
            (7, WireValue::Bytes(b)) => Some(Value::Blob(b)),
            // A string table index, which OTLP's trace export never uses.
            (8, WireValue::Varint(_)) => Some(Value::Scalar(AnyValue::Empty)),
            (1..=8, _) => return Err(Stop::Unusual),
            _ => None,
        };
        // One of them: prost keeps the last, merging messages; left to it.
        if read.is_some() && value.replace(read).is_some() {
            return Err(Stop::Unusual);
        }
    }
    Ok(match value.flatten() {
        None => AnyValue::Empty,
        Some(Value::Scalar(scalar)) => scalar,
        Some(Value::Str(s)) => AnyValue::Str(intern_text(writer, s)?),
        Some(Value::Blob(b)) => AnyValue::Bytes(writer.arena.push_blob(b)?),
        Some(Value::Array(array)) => {
            let mut items = Vec::new();
            for field in fields(array) {
                match number_and_value(field)? {
                    (1, WireValue::Bytes(b)) => items.push(any_value(b, writer, depth + 2)?),
                    (1, _) => return Err(Stop::Unusual),
                    _ => {}
                }
            }
            AnyValue::Array(writer.arena.push_array(&items)?)
        }
        Some(Value::List(list)) => {
            let mut entries = Vec::new();
            for field in fields(list) {
                match number_and_value(field)? {
                    (1, WireValue::Bytes(b)) => entries.push(b),
                    (1, _) => return Err(Stop::Unusual),
                    _ => {}
                }
            }
            let mut list = Vec::with_capacity(entries.len());
            key_values(&entries, writer, depth + 2, &mut list)?;
            AnyValue::KvList(writer.arena.push_attributes(&list)?)
        }
    })
}

/// An `AnyValue`'s one value, as the wire holds it.
enum Value<'a> {
    Scalar(AnyValue),
    /// Text, not yet checked to be UTF-8.
    Str(&'a [u8]),
    Blob(&'a [u8]),
    Array(&'a [u8]),
    List(&'a [u8]),
}

/// A span as the wire holds it: scalars read, strings and messages borrowed. Read again for
/// each span, its lists keep their room.
#[derive(Default)]
struct WireSpan<'a> {
    trace_id: &'a [u8],
    span_id: &'a [u8],
    parent_span_id: &'a [u8],
    trace_state: &'a str,
    name: &'a str,
    kind: i32,
    start: u64,
    end: u64,
    flags: u32,
    dropped: [u32; 3],
    status: Option<(i32, &'a str)>,
    attributes: Vec<&'a [u8]>,
    events: Vec<&'a [u8]>,
    links: Vec<&'a [u8]>,
}

impl<'a> WireSpan<'a> {
    fn read(&mut self, bytes: &'a [u8]) -> Read<()> {
        let (mut attributes, mut events, mut links) = (
            std::mem::take(&mut self.attributes),
            std::mem::take(&mut self.events),
            std::mem::take(&mut self.links),
        );
        attributes.clear();
        events.clear();
        links.clear();
        *self = WireSpan::default();
        let mut status = None;
        for field in fields(bytes) {
            match number_and_value(field)? {
                (1, WireValue::Bytes(b)) => self.trace_id = b,
                (2, WireValue::Bytes(b)) => self.span_id = b,
                (3, WireValue::Bytes(b)) => self.trace_state = text(b)?,
                (4, WireValue::Bytes(b)) => self.parent_span_id = b,
                (5, WireValue::Bytes(b)) => self.name = text(b)?,
                (6, WireValue::Varint(n)) => self.kind = low_bits(n) as i32,
                (7, WireValue::Fixed64(t)) => self.start = t,
                (8, WireValue::Fixed64(t)) => self.end = t,
                (9, WireValue::Bytes(b)) => attributes.push(b),
                (10, WireValue::Varint(n)) => self.dropped[0] = low_bits(n),
                (11, WireValue::Bytes(b)) => events.push(b),
                (12, WireValue::Varint(n)) => self.dropped[1] = low_bits(n),
                (13, WireValue::Bytes(b)) => links.push(b),
                (14, WireValue::Varint(n)) => self.dropped[2] = low_bits(n),
                (15, WireValue::Bytes(b)) => once(&mut status, b)?,
                (16, WireValue::Fixed32(f)) => self.flags = f,
                (1..=16, _) => return Err(Stop::Unusual),
                _ => {}
            }
        }
        if let Some(bytes) = status {
            let (mut code, mut message) = (0, "");
            for field in fields(bytes) {
                match number_and_value(field)? {
                    (2, WireValue::Bytes(b)) => message = text(b)?,
                    (3, WireValue::Varint(n)) => code = low_bits(n) as i32,
                    (2 | 3, _) => return Err(Stop::Unusual),
                    _ => {}
                }
            }
            self.status = Some((code, message));
        }
        (self.attributes, self.events, self.links) = (attributes, events, links);
        Ok(())
    }
}

impl SpanFields for WireSpan<'_> {
    type Stop = Stop;

    fn trace_id(&self) -> &[u8] {
        self.trace_id
    }
    fn span_id(&self) -> &[u8] {
        self.span_id
    }
    fn parent_span_id(&self) -> &[u8] {
        self.parent_span_id
    }
    fn name(&self) -> &str {
        self.name
    }
    fn trace_state(&self) -> &str {
        self.trace_state
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
        self.status
    }

    fn unwritten(&self) -> Read<()> {
        // Not written, what it holds is not read here: prost checks it.
        Err(Stop::Unusual)
    }

    fn write_events(&self, writer: &mut SpanWriter<'_>) -> Read<Rows> {
        let mut rows = Vec::with_capacity(self.events.len());
        for bytes in &self.events {
            let (mut time, mut name, mut attributes, mut dropped) = (0, "", Vec::new(), 0);
            for field in fields(bytes) {
                match number_and_value(field)? {
                    (1, WireValue::Fixed64(t)) => time = t,
                    (2, WireValue::Bytes(b)) => name = text(b)?,
                    (3, WireValue::Bytes(b)) => attributes.push(b),
                    (4, WireValue::Varint(n)) => dropped = low_bits(n),
                    (1..=4, _) => return Err(Stop::Unusual),
                    _ => {}
                }
            }
            let name = writer.arena.intern(name)?;
            let attributes = write_attributes(&attributes, writer, 5)?;
            rows.push(crate::model::Event {
                time_unix_nanos: time,
                name,
                attributes,
                dropped_attributes_count: dropped,
            });
        }
        Ok(writer.arena.push_events(&rows)?)
    }

    fn write_links(&self, writer: &mut SpanWriter<'_>) -> Read<Rows> {
        let mut rows = Vec::with_capacity(self.links.len());
        for bytes in &self.links {
            let (mut ids, mut state, mut attributes) = ((&[][..], &[][..]), "", Vec::new());
            let (mut dropped, mut flags) = (0, 0);
            for field in fields(bytes) {
                match number_and_value(field)? {
                    (1, WireValue::Bytes(b)) => ids.0 = b,
                    (2, WireValue::Bytes(b)) => ids.1 = b,
                    (3, WireValue::Bytes(b)) => state = text(b)?,
                    (4, WireValue::Bytes(b)) => attributes.push(b),
                    (5, WireValue::Varint(n)) => dropped = low_bits(n),
                    (6, WireValue::Fixed32(f)) => flags = f,
                    (1..=6, _) => return Err(Stop::Unusual),
                    _ => {}
                }
            }
            // A link skipped is not written: prost checks what it holds.
            if TraceId::from_bytes(ids.0).is_none() || SpanId::from_bytes(ids.1).is_none() {
                return Err(Stop::Unusual);
            }
            if let Some(link) = writer.link(ids, |writer| {
                let trace_state = writer.arena.intern(state)?;
                let attributes = write_attributes(&attributes, writer, 5)?;
                Ok::<_, Stop>((trace_state, attributes, dropped, flags))
            })? {
                rows.push(link);
            }
        }
        Ok(writer.arena.push_links(&rows)?)
    }

    fn write_attributes(&self, writer: &mut SpanWriter<'_>) -> Read<Rows> {
        write_attributes(&self.attributes, writer, 4)
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use prost::Message;

    use super::*;
    use crate::export::{self, Target};
    use crate::ingest::wire::{WireValue, fields};
    use crate::model::{Arena, Format};

    /// Each batch of `body` written directly (asserting none is left to prost) and by prost:
    /// the OTLP/JSON the two arenas export.
    fn both(body: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let (mut direct, mut decoded) = (Arena::default(), Arena::default());
        for arena in [&mut direct, &mut decoded] {
            arena.add_source("body", Format::OtlpProto).expect("room");
        }
        let source = crate::model::SourceId(0);
        let mut writer = SpanWriter::new(&mut direct, source, None);
        for (batch, field) in fields(body).enumerate() {
            let field = field.expect("walks");
            let WireValue::Bytes(bytes) = field.value else {
                continue;
            };
            let origin = Origin::document(batch);
            assert_eq!(
                write_batch(bytes, &mut writer, &origin),
                Ok(true),
                "batch {batch}"
            );
        }
        let request = ExportTraceServiceRequest::decode(body).expect("decodes");
        let mut writer = SpanWriter::new(&mut decoded, source, None);
        writer
            .write(&request.resource_spans, &Origin::document(0))
            .expect("room");
        assert_eq!(direct.spans().len(), decoded.spans().len());
        let spans: Vec<u32> = (0..direct.spans().len() as u32).collect();
        (
            export::encode(&direct, &spans, Target::OtlpJson),
            export::encode(&decoded, &spans, Target::OtlpJson),
        )
    }

    #[test]
    fn real_exports_are_read_directly_as_prost_reads_them() {
        for body in [
            &include_bytes!("../../tests/fixtures/openai-01.otlp.pb")[..],
            include_bytes!("../../tests/fixtures/langchain-01.otlp.pb"),
            include_bytes!("../../tests/fixtures/node-01.otlp.pb"),
            include_bytes!("../../tests/fixtures/generated/multimodal-python.otlp.pb"),
        ] {
            let (direct, decoded) = both(body);
            assert!(direct.len() > 100);
            assert_eq!(
                String::from_utf8_lossy(&direct),
                String::from_utf8_lossy(&decoded)
            );
        }
    }

    /// `body` as a length-delimited field whose key is `key`.
    fn field(key: u8, body: &[u8]) -> Vec<u8> {
        let mut field = vec![key];
        prost::encoding::encode_varint(body.len() as u64, &mut field);
        field.extend(body);
        field
    }

    #[test]
    fn attributes_in_every_shape_are_read_as_prost_reads_them() {
        use opentelemetry_proto::tonic::common::v1::{
            AnyValue as Any, ArrayValue, KeyValue as Kv, KeyValueList, any_value::Value,
        };
        use opentelemetry_proto::tonic::trace::v1::Span;
        let kv = |key: &str, value: Option<Value>| Kv {
            key: key.into(),
            value: Some(Any { value }),
            ..Kv::default()
        };
        let long = "ü".repeat(300);
        let attributes = vec![
            kv("text", Some(Value::StringValue("hello".into()))),
            kv(&long, Some(Value::StringValue(long.clone()))),
            kv("empty text", Some(Value::StringValue(String::new()))),
            kv("yes", Some(Value::BoolValue(true))),
            kv("no", Some(Value::BoolValue(false))),
            kv("negative", Some(Value::IntValue(-5))),
            kv("large", Some(Value::IntValue(i64::MAX))),
            kv("pi", Some(Value::DoubleValue(3.25))),
            kv("blob", Some(Value::BytesValue(vec![0, 1, 2]))),
            kv("nothing", None),
            kv(
                "list",
                Some(Value::ArrayValue(ArrayValue {
                    values: vec![Any {
                        value: Some(Value::IntValue(1)),
                    }],
                })),
            ),
            kv(
                "map",
                Some(Value::KvlistValue(KeyValueList {
                    values: vec![kv("inner", Some(Value::StringValue("x".into())))],
                })),
            ),
            Kv {
                key: "no value".into(),
                ..Kv::default()
            },
        ];
        let mut span = Span {
            trace_id: vec![1; 16],
            span_id: vec![2; 8],
            name: "attributes".into(),
            attributes,
            ..Span::default()
        }
        .encode_to_vec();
        // Shapes prost does not write but reads: the value before the key, the key twice, a
        // text value with an unknown field after it, a bool as a long varint.
        for attribute in [
            [field(0x12, &field(0x0A, b"v")), field(0x0A, b"value first")].concat(),
            [
                field(0x0A, b"once"),
                field(0x0A, b"twice"),
                field(0x12, &[0x18, 7]),
            ]
            .concat(),
            [
                field(0x0A, b"extra"),
                field(0x12, &[0x0A, 1, b'v', 0x48, 1]),
            ]
            .concat(),
            [field(0x0A, b"long bool"), field(0x12, &[0x10, 0x82, 0x00])].concat(),
        ] {
            span.extend(field(0x4A, &attribute));
        }
        let body = field(0x0A, &field(0x12, &field(0x12, &span)));
        let (direct, decoded) = both(&body);
        assert!(String::from_utf8_lossy(&direct).contains("value first"));
        assert_eq!(
            String::from_utf8_lossy(&direct),
            String::from_utf8_lossy(&decoded)
        );
    }

    #[test]
    fn what_prost_would_merge_or_refuse_is_left_to_it_and_undone() {
        // A span (trace id, span id, name) in a scope in a batch, the batch with `extra` after.
        let span = |name: &[u8]| {
            let mut span = vec![0x0A, 16];
            span.extend([1; 16]);
            span.extend([0x12, 8]);
            span.extend([2; 8]);
            span.extend([0x2A, name.len() as u8]);
            span.extend(name);
            span
        };
        let batch = |span: Vec<u8>, extra: &[u8]| {
            let mut scope = vec![0x12, span.len() as u8];
            scope.extend(span);
            let mut batch = vec![0x12, scope.len() as u8];
            batch.extend(scope);
            batch.extend(extra);
            batch
        };
        let mut arena = Arena::default();
        let source = arena.add_source("body", Format::OtlpProto).expect("room");
        let mut writer = SpanWriter::new(&mut arena, source, None);
        let origin = Origin::document(0);
        assert_eq!(
            write_batch(&batch(span(b"ok"), &[]), &mut writer, &origin),
            Ok(true)
        );
        assert_eq!(writer.spans_written, 1);
        for unusual in [
            batch(span(b"\xFF"), &[]), // not UTF-8
            // An attribute's key, then its text value, not UTF-8.
            batch([span(b"ok"), field(0x4A, &[0x0A, 1, 0xFF])].concat(), &[]),
            // A key twice, the first not UTF-8 (found by `otlp_wire`).
            batch(
                [span(b"ok"), field(0x4A, &[0x0A, 1, 0xFF, 0x0A, 1, b'k'])].concat(),
                &[],
            ),
            batch(
                [
                    span(b"ok"),
                    field(0x4A, &[0x0A, 1, b'k', 0x12, 3, 0x0A, 1, 0xFF]),
                ]
                .concat(),
                &[],
            ),
            batch(span(b"ok"), &[0x0A, 0, 0x0A, 0]), // the resource twice
            batch(span(b"ok"), &[0x1A, 0x05]),       // a cut-off schema URL
            batch(span(b"ok"), &[0x0A, 2, 0x1A, 0]), // entity references
            // A key past 32 bits (prost refuses it), then a varint (found by `otlp_wire`).
            batch(
                span(b"ok"),
                &[0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x01],
            ),
            // A span without ids (not written) holding an attribute cut short: prost refuses
            // the batch, so it is left to prost (found by `otlp_wire`).
            batch(vec![0x2A, 1, b'x', 0x4A, 4, 0x0A, 9, b'k', b'e'], &[]),
        ] {
            assert_eq!(write_batch(&unusual, &mut writer, &origin), Ok(false));
            assert_eq!(writer.spans_written, 1, "undone");
            assert_eq!(writer.arena.spans().len(), 1, "undone");
        }
    }
}
