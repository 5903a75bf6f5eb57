//! One `ResourceSpans` of an OTLP/JSON document, its spans written as each is parsed: a batch's
//! spans are never held together (at a million spans in one batch, a vector of them grown by
//! doubling was copied and faulted in again and again). The document may give a batch's
//! resource and its scopes' schema URLs after their spans (protobuf's JSON mapping writes
//! fields in number order: `resource`, `scopeSpans`, `schemaUrl`), so the spans are written
//! first and placed under their resource and scope once the batch is read
//! ([`crate::model::Arena::place_spans`]). A fault undoes the whole batch, as when it was parsed
//! before anything was written.

use std::fmt;
use std::ops::Range;

use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Field, JResource, JScope, JString, JsonSpan, RawKey, Sink};
use crate::ingest::otlp::Origin;
use crate::model::ArenaFull;

/// A `ResourceSpans` value, its spans handed to `sink`.
pub(super) struct SpansSeed<'s, 'w, 'a> {
    pub(super) sink: &'s mut Sink<'w, 'a>,
}

impl<'de> DeserializeSeed<'de> for SpansSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let mark = self.sink.mark();
        let mut batch = SpansBatch {
            origin: self.sink.next_origin(),
            sink: self.sink,
            scopes: Vec::new(),
        };
        let read = deserializer.deserialize_any(ResourceSpansVisitor(&mut batch));
        if read.is_err() {
            batch.sink.undo(mark);
        }
        read
    }
}

/// The batch being read.
struct SpansBatch<'s, 'w, 'a> {
    sink: &'s mut Sink<'w, 'a>,
    origin: Origin,
    scopes: Vec<ScopeRead>,
}

/// A `ScopeSpans` read: its scope, and where its spans went ([`Sink::spans_written`]).
#[derive(Default)]
pub(super) struct ScopeRead {
    pub(super) scope: Option<InstrumentationScope>,
    pub(super) schema_url: String,
    pub(super) spans: Range<usize>,
}

fn full<E: de::Error>(full: ArenaFull) -> E {
    E::custom(full.to_string())
}

struct ResourceSpansVisitor<'b, 's, 'w, 'a>(&'b mut SpansBatch<'s, 'w, 'a>);

impl<'de> Visitor<'de> for ResourceSpansVisitor<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a ResourceSpans object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut resource, mut schema_url) = (None, String::new());
        while let Some(key) = map.next_key::<RawKey>()? {
            match key.field {
                Field::Resource => resource = Some(map.next_value::<JResource>()?.0),
                Field::ScopeSpans => map.next_value_seed(ScopeSpansList(&mut *self.0))?,
                Field::SchemaUrl => schema_url = map.next_value::<JString>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let SpansBatch { sink, scopes, .. } = self.0;
        (sink.finish_spans(resource, &schema_url, std::mem::take(scopes))).map_err(full)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        let SpansBatch { sink, scopes, .. } = self.0;
        (sink.finish_spans(None, "", std::mem::take(scopes))).map_err(full)
    }
}

/// A batch's `scopeSpans` array (null is empty).
struct ScopeSpansList<'b, 's, 'w, 'a>(&'b mut SpansBatch<'s, 'w, 'a>);

impl<'de> DeserializeSeed<'de> for ScopeSpansList<'_, '_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScopeSpansList<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(()) = seq.next_element_seed(ScopeSpansSeed(&mut *self.0))? {}
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// One `ScopeSpans` (null is one without a scope or spans).
struct ScopeSpansSeed<'b, 's, 'w, 'a>(&'b mut SpansBatch<'s, 'w, 'a>);

impl ScopeSpansSeed<'_, '_, '_, '_> {
    /// Where the scope's spans begin, and its place among the batch's scopes.
    fn begin(&mut self) -> usize {
        let first = self.0.sink.spans_written();
        self.0.scopes.push(ScopeRead {
            spans: first..first,
            ..ScopeRead::default()
        });
        self.0.scopes.len() - 1
    }

    fn end(&mut self, s: usize) {
        self.0.scopes[s].spans.end = self.0.sink.spans_written();
    }
}

impl<'de> DeserializeSeed<'de> for ScopeSpansSeed<'_, '_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScopeSpansSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a ScopeSpans object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let s = self.begin();
        while let Some(key) = map.next_key::<RawKey>()? {
            match key.field {
                Field::Scope => self.0.scopes[s].scope = Some(map.next_value::<JScope>()?.0),
                Field::Spans => map.next_value_seed(SpanList {
                    batch: &mut *self.0,
                    scope: s,
                })?,
                Field::SchemaUrl => self.0.scopes[s].schema_url = map.next_value::<JString>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        self.end(s);
        Ok(())
    }

    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        let s = self.begin();
        self.end(s);
        Ok(())
    }
}

/// A scope's `spans` array (null is empty), each span written once parsed.
struct SpanList<'b, 's, 'w, 'a> {
    batch: &'b mut SpansBatch<'s, 'w, 'a>,
    scope: usize,
}

impl<'de> DeserializeSeed<'de> for SpanList<'_, '_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SpanList<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let SpansBatch { sink, origin, .. } = self.batch;
        let mut i = 0;
        while let Some(span) = seq.next_element::<JsonSpan>()? {
            (sink.span(span, origin, (self.scope, i))).map_err(full)?;
            i += 1;
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}
