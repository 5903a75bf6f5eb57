//! OTLP's data model (the `opentelemetry-proto` types) into the arena.
//!
//! Every reader ends here: protobuf bodies decode straight into these types, the tolerant JSON
//! reader builds them, and Jaeger, Zipkin and Phoenix records are mapped onto them. One
//! conversion, so every format gets the same ids, kinds, statuses and attributes.

use opentelemetry_proto::tonic::common::v1 as common;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1 as trace;

use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::otlp_logs::{LogRecord, ResourceLogs};
use crate::model::{
    AnyValue, Arena, ArenaFull, Event, KeyValue, Known, Link, ResourceId, Rows, Scope, SourceId,
    Span, SpanId, SpanKind, StatusCode, StrId, TraceId,
};

/// Where the spans being written sit in their file: what their [`Span::source_location`] is,
/// and how to place a problem with one of them.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    /// A fixed location for every span of the batch (its line or row); `None` numbers spans in
    /// file order.
    location: Option<u32>,
    /// Where the batch is.
    place: Place,
    /// When the input is OTLP, problems name the span's OTLP path; this is the index of the
    /// first batch written in `resourceSpans` (batches are streamed one at a time).
    first_resource: Option<usize>,
}

impl Origin {
    /// Batches of an OTLP document, the first being `resourceSpans[first_resource]`: spans
    /// numbered in file order, problems placed by OTLP path.
    pub(crate) fn document(first_resource: usize) -> Self {
        Self {
            location: None,
            place: Place::file(),
            first_resource: Some(first_resource),
        }
    }

    /// Batches of one line of OTLP JSON Lines, the first being `resourceSpans[first_resource]`.
    pub(crate) fn line(line: u64, first_resource: usize) -> Self {
        Self {
            location: Some(u32::try_from(line).unwrap_or(u32::MAX)),
            place: Place::line(line),
            first_resource: Some(first_resource),
        }
    }

    /// A record of another format, converted to OTLP by a reader that validated what it mapped:
    /// `location` is its line or row, `place` where it is.
    pub(crate) fn record(place: Place, location: u64) -> Self {
        Self {
            location: Some(u32::try_from(location).unwrap_or(u32::MAX)),
            place,
            first_resource: None,
        }
    }

    /// Spans converted from another format, numbered in file order.
    pub(crate) fn converted() -> Self {
        Self {
            location: None,
            place: Place::file(),
            first_resource: None,
        }
    }
}

/// Writes OTLP batches of one file into the arena, collecting per-span problems.
pub(crate) struct SpanWriter<'a> {
    pub(crate) arena: &'a mut Arena,
    source: SourceId,
    /// Spans written so far from this file, for the locations of ordinal origins.
    ordinal: u32,
    /// Spans that could not be stored: reported, never silent.
    pub(crate) errors: Vec<Located>,
    /// Values read with a fallback (an unknown kind, a link with a bad id).
    pub(crate) warnings: Vec<Located>,
    /// Warnings of the span being written, placed by [`SpanWriter::write`].
    span_warnings: Vec<Problem>,
    pub(crate) spans_written: usize,
    pub(crate) evaluations_written: usize,
    /// Log records stored (those already stored are not counted again).
    pub(crate) logs_written: usize,
    attribute_buffer: Vec<KeyValue>,
    /// Told the number of spans written after every batch (throttling is the listener's job).
    progress: Option<&'a mut dyn FnMut(usize)>,
}

/// The JSON-style path of a span inside a request, for error places.
fn span_path(resource: usize, scope: usize, span: usize) -> String {
    format!("resourceSpans[{resource}].scopeSpans[{scope}].spans[{span}]")
}

/// What a writer has counted of a file: carried from one part of a streamed file to the next.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counted {
    ordinal: u32,
    spans_written: usize,
    logs_written: usize,
}

/// Where a writer was: see [`SpanWriter::mark`].
pub(crate) struct Mark {
    arena: crate::model::Checkpoint,
    counted: Counted,
    errors: usize,
    warnings: usize,
}

/// A span as a reader holds it — decoded by prost, or borrowed from the wire
/// (`otlp_wire`) — for [`SpanWriter::write_one`] to write the same way.
pub(crate) trait SpanFields {
    /// What stops the writing: a full arena (or, from the wire, what is left to prost).
    type Stop: From<ArenaFull>;
    fn trace_id(&self) -> &[u8];
    fn span_id(&self) -> &[u8];
    fn parent_span_id(&self) -> &[u8];
    fn name(&self) -> &str;
    fn trace_state(&self) -> &str;
    fn kind(&self) -> i32;
    /// Start and end (ns since the epoch).
    fn times(&self) -> (u64, u64);
    fn flags(&self) -> u32;
    /// The dropped attributes, events and links.
    fn dropped_counts(&self) -> [u32; 3];
    /// The status's code and message, if it has one.
    fn status(&self) -> Option<(i32, &str)>;
    /// The span is not written (an id does not read): whether to go on.
    fn unwritten(&self) -> Result<(), Self::Stop> {
        Ok(())
    }
    fn write_events(&self, writer: &mut SpanWriter<'_>) -> Result<Rows, Self::Stop>;
    fn write_links(&self, writer: &mut SpanWriter<'_>) -> Result<Rows, Self::Stop>;
    fn write_attributes(&self, writer: &mut SpanWriter<'_>) -> Result<Rows, Self::Stop>;
}

impl SpanFields for trace::Span {
    type Stop = ArenaFull;

    fn trace_id(&self) -> &[u8] {
        &self.trace_id
    }
    fn span_id(&self) -> &[u8] {
        &self.span_id
    }
    fn parent_span_id(&self) -> &[u8] {
        &self.parent_span_id
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
        (self.start_time_unix_nano, self.end_time_unix_nano)
    }
    fn flags(&self) -> u32 {
        self.flags
    }
    fn dropped_counts(&self) -> [u32; 3] {
        [
            self.dropped_attributes_count,
            self.dropped_events_count,
            self.dropped_links_count,
        ]
    }
    fn status(&self) -> Option<(i32, &str)> {
        (self.status.as_ref()).map(|status| (status.code, status.message.as_str()))
    }
    fn write_events(&self, writer: &mut SpanWriter<'_>) -> Result<Rows, ArenaFull> {
        writer.events(&self.events)
    }
    fn write_links(&self, writer: &mut SpanWriter<'_>) -> Result<Rows, ArenaFull> {
        writer.links(&self.links)
    }
    fn write_attributes(&self, writer: &mut SpanWriter<'_>) -> Result<Rows, ArenaFull> {
        writer.attributes(&self.attributes)
    }
}

impl<'a> SpanWriter<'a> {
    /// A writer that goes on where one that had `counted` stopped.
    pub(crate) fn resume(
        arena: &'a mut Arena,
        source: SourceId,
        progress: Option<&'a mut dyn FnMut(usize)>,
        counted: Counted,
    ) -> Self {
        let mut writer = Self::new(arena, source, progress);
        writer.ordinal = counted.ordinal;
        writer.spans_written = counted.spans_written;
        writer.logs_written = counted.logs_written;
        writer
    }

    /// What this writer has counted, for [`SpanWriter::resume`].
    pub(crate) fn counted(&self) -> Counted {
        Counted {
            ordinal: self.ordinal,
            spans_written: self.spans_written,
            logs_written: self.logs_written,
        }
    }

    pub(crate) fn new(
        arena: &'a mut Arena,
        source: SourceId,
        progress: Option<&'a mut dyn FnMut(usize)>,
    ) -> Self {
        Self {
            arena,
            source,
            ordinal: 0,
            errors: Vec::new(),
            warnings: Vec::new(),
            span_warnings: Vec::new(),
            spans_written: 0,
            evaluations_written: 0,
            logs_written: 0,
            attribute_buffer: Vec::new(),
            progress,
        }
    }

    /// The file being written.
    pub(crate) fn source(&self) -> SourceId {
        self.source
    }

    /// Writes every span of `batches`. Spans that cannot be placed (no usable trace or span id)
    /// are skipped and reported; only a full arena stops the writer.
    pub(crate) fn write(
        &mut self,
        batches: &[trace::ResourceSpans],
        origin: &Origin,
    ) -> Result<(), ArenaFull> {
        for (r, batch) in batches.iter().enumerate() {
            let scopes = (batch.scope_spans.iter())
                .map(|s| (s.scope.as_ref(), s.schema_url.as_str(), &s.spans[..]));
            self.write_scoped(
                (batch.resource.as_ref(), &batch.schema_url),
                scopes,
                origin,
                r,
            )?;
        }
        self.batch_done();
        Ok(())
    }

    /// Writes a batch's spans, `r` in the batches written: its resource (and schema URL), then
    /// each scope (and schema URL) and its spans, however a reader holds them.
    pub(crate) fn write_scoped<'s, S: SpanFields<Stop = ArenaFull> + 's>(
        &mut self,
        (resource, schema_url): (Option<&Resource>, &str),
        scopes: impl IntoIterator<Item = (Option<&'s common::InstrumentationScope>, &'s str, &'s [S])>,
        origin: &Origin,
        r: usize,
    ) -> Result<(), ArenaFull> {
        let resource = self.resource(resource, schema_url)?;
        for (s, (scope, schema_url, spans)) in scopes.into_iter().enumerate() {
            let scope = self.scope(scope, schema_url)?;
            for (i, span) in spans.iter().enumerate() {
                self.write_one(span, resource, scope, origin, (r, s, i))?;
            }
        }
        Ok(())
    }

    /// Tells the progress listener, if any, the spans written so far (after each batch).
    pub(crate) fn batch_done(&mut self) {
        if let Some(progress) = self.progress.as_mut() {
            progress(self.spans_written);
        }
    }

    /// Writes one span, at `(resource, scope, span)` of the batches written: what is wrong
    /// with it is reported there.
    pub(crate) fn write_one<S: SpanFields>(
        &mut self,
        span: &S,
        resource: ResourceId,
        scope: crate::model::ScopeId,
        origin: &Origin,
        (r, s, i): (usize, usize, usize),
    ) -> Result<(), S::Stop> {
        let place = || {
            let mut place = origin.place.clone();
            if let Some(first) = origin.first_resource {
                place.json_path = Some(span_path(first + r, s, i));
            }
            place
        };
        if let Err(problem) = self.span(span, resource, scope, origin)? {
            self.errors.push(Located::new(place(), problem));
        }
        for problem in std::mem::take(&mut self.span_warnings) {
            self.warnings.push(Located::new(place(), problem));
        }
        Ok(())
    }

    /// Where the writer is, to go back to with [`SpanWriter::undo`].
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            arena: self.arena.checkpoint(),
            counted: self.counted(),
            errors: self.errors.len(),
            warnings: self.warnings.len(),
        }
    }

    /// Forgets what was written since `mark` (strings interned since stay, unreferenced).
    pub(crate) fn undo(&mut self, mark: Mark) {
        self.arena.rollback(mark.arena);
        self.ordinal = mark.counted.ordinal;
        self.spans_written = mark.counted.spans_written;
        self.logs_written = mark.counted.logs_written;
        self.errors.truncate(mark.errors);
        self.warnings.truncate(mark.warnings);
        self.span_warnings.clear();
    }

    /// Writes one span that came without a resource or scope (a Phoenix record, an element of a
    /// REST page).
    pub(crate) fn write_span<S: SpanFields<Stop = ArenaFull>>(
        &mut self,
        span: &S,
        origin: &Origin,
    ) -> Result<(), ArenaFull> {
        let scopes = [(None, "", std::slice::from_ref(span))];
        self.write_scoped((None, ""), scopes, origin, 0)?;
        self.batch_done();
        Ok(())
    }

    /// Writes every log record of `batches`. A record with a malformed trace or span id is
    /// kept without it (and the id reported); only a full arena stops the writer.
    pub(crate) fn write_logs(
        &mut self,
        batches: &[ResourceLogs],
        origin: &Origin,
    ) -> Result<(), ArenaFull> {
        for (r, batch) in batches.iter().enumerate() {
            let resource = self.resource(batch.resource.as_ref(), &batch.schema_url)?;
            for (s, scope_logs) in batch.scopes().enumerate() {
                let scope = self.scope(scope_logs.scope.as_ref(), &scope_logs.schema_url)?;
                for (i, record) in scope_logs.log_records.iter().enumerate() {
                    self.log(record, resource, scope)?;
                    for problem in std::mem::take(&mut self.span_warnings) {
                        let mut place = origin.place.clone();
                        if let Some(first) = origin.first_resource {
                            place.json_path = Some(format!(
                                "resourceLogs[{}].scopeLogs[{s}].logRecords[{i}]",
                                first + r
                            ));
                        }
                        self.warnings.push(Located::new(place, problem));
                    }
                }
            }
        }
        if let Some(progress) = self.progress.as_mut() {
            progress(self.spans_written);
        }
        Ok(())
    }

    fn log(
        &mut self,
        record: &LogRecord,
        resource: ResourceId,
        scope: crate::model::ScopeId,
    ) -> Result<(), ArenaFull> {
        let mut usable = |bytes: &[u8], what: &str, len: usize| {
            if bytes.is_empty() || bytes.iter().all(|b| *b == 0) {
                return false;
            }
            if bytes.len() != len {
                self.span_warnings.push(Problem::Invalid(format!(
                    "a log record's {what} of {} bytes ({len} expected) was left out",
                    bytes.len()
                )));
                return false;
            }
            true
        };
        let trace_id = usable(&record.trace_id, "trace id", 16)
            .then(|| TraceId::from_bytes(&record.trace_id))
            .flatten();
        let span_id = usable(&record.span_id, "span id", 8)
            .then(|| SpanId::from_bytes(&record.span_id))
            .flatten();
        let written_from = self.arena.checkpoint();
        let attributes = self.attributes(&record.attributes)?;
        let event_name = match record.event_name.as_str() {
            "" => match self.arena.attribute(attributes, Known::EventName.id()) {
                Some(AnyValue::Str(name)) => name,
                _ => StrId::EMPTY,
            },
            name => self.arena.intern(name)?,
        };
        let body = match &record.body {
            Some(body) => self.any_value(body)?,
            None => AnyValue::Empty,
        };
        let severity_text = self.arena.intern(&record.severity_text)?;
        let record = crate::model::LogRecord {
            time_unix_nanos: record.time_unix_nano,
            observed_time_unix_nanos: record.observed_time_unix_nano,
            severity_number: record.severity_number,
            severity_text,
            event_name,
            body,
            attributes,
            dropped_attributes_count: record.dropped_attributes_count,
            flags: record.flags,
            trace_id,
            span_id,
            resource,
            scope,
            source: self.source,
        };
        let stored = self.arena.push_log(record, written_from)?;
        self.logs_written += usize::from(stored);
        Ok(())
    }

    fn resource(
        &mut self,
        resource: Option<&Resource>,
        schema_url: &str,
    ) -> Result<ResourceId, ArenaFull> {
        let (attributes, dropped) = match resource {
            Some(resource) => (
                self.attributes(&resource.attributes)?,
                resource.dropped_attributes_count,
            ),
            None => (Rows::EMPTY, 0),
        };
        self.add_resource(attributes, dropped, schema_url)
    }

    /// A resource whose attributes are stored.
    pub(crate) fn add_resource(
        &mut self,
        attributes: Rows,
        dropped: u32,
        schema_url: &str,
    ) -> Result<ResourceId, ArenaFull> {
        let schema_url = self.arena.intern(schema_url)?;
        self.arena.add_resource(attributes, dropped, schema_url)
    }

    fn scope(
        &mut self,
        scope: Option<&common::InstrumentationScope>,
        schema_url: &str,
    ) -> Result<crate::model::ScopeId, ArenaFull> {
        let scope = match scope {
            Some(scope) => Some((
                scope.name.as_str(),
                scope.version.as_str(),
                self.attributes(&scope.attributes)?,
                scope.dropped_attributes_count,
            )),
            None => None,
        };
        self.add_scope(scope, schema_url)
    }

    /// An instrumentation scope (name, version, its stored attributes, their dropped count).
    pub(crate) fn add_scope(
        &mut self,
        scope: Option<(&str, &str, Rows, u32)>,
        schema_url: &str,
    ) -> Result<crate::model::ScopeId, ArenaFull> {
        let schema_url = self.arena.intern(schema_url)?;
        let (name, version, attributes, dropped) = scope.unwrap_or(("", "", Rows::EMPTY, 0));
        let scope = Scope {
            name: self.arena.intern(name)?,
            version: self.arena.intern(version)?,
            attributes,
            dropped_attributes_count: dropped,
            schema_url,
        };
        self.arena.add_scope(scope)
    }

    /// The outer `Result` is the arena filling up; the inner one a span that cannot be stored.
    fn span<S: SpanFields>(
        &mut self,
        span: &S,
        resource: ResourceId,
        scope: crate::model::ScopeId,
        origin: &Origin,
    ) -> Result<Result<(), Problem>, S::Stop> {
        let Some(trace_id) = TraceId::from_bytes(span.trace_id()).filter(|id| !id.is_zero()) else {
            span.unwritten()?;
            return Ok(Err(Problem::Invalid(format!(
                "span {:?} has no valid trace id ({} bytes)",
                span.name(),
                span.trace_id().len()
            ))));
        };
        let Some(span_id) = SpanId::from_bytes(span.span_id()).filter(|id| !id.is_zero()) else {
            span.unwritten()?;
            return Ok(Err(Problem::Invalid(format!(
                "span {:?} has no valid span id ({} bytes)",
                span.name(),
                span.span_id().len()
            ))));
        };
        let parent_span_id = match span.parent_span_id().len() {
            0 => None,
            _ => match SpanId::from_bytes(span.parent_span_id()) {
                Some(id) if !id.is_zero() => Some(id),
                // An all-zero parent is how some SDKs write "no parent".
                Some(_) => None,
                None => {
                    span.unwritten()?;
                    return Ok(Err(Problem::Invalid(format!(
                        "span {:?} has a parent id of {} bytes (8 expected)",
                        span.name(),
                        span.parent_span_id().len()
                    ))));
                }
            },
        };
        let kind = SpanKind::from_number(i64::from(span.kind())).unwrap_or_else(|| {
            self.span_warnings.push(Problem::Invalid(format!(
                "unknown span kind {} read as UNSPECIFIED",
                span.kind()
            )));
            SpanKind::Unspecified
        });
        let (status_code, status_message) = match span.status() {
            Some((code, message)) => (
                StatusCode::from_number(i64::from(code)).unwrap_or_else(|| {
                    self.span_warnings.push(Problem::Invalid(format!(
                        "unknown status code {code} read as UNSET"
                    )));
                    StatusCode::Unset
                }),
                self.arena.intern(message)?,
            ),
            None => (StatusCode::Unset, StrId::EMPTY),
        };
        let events = span.write_events(self)?;
        let links = span.write_links(self)?;
        let attributes = span.write_attributes(self)?;
        let source_location = origin.location.unwrap_or(self.ordinal);
        self.ordinal = self.ordinal.saturating_add(1);
        let name = self.arena.intern(span.name())?;
        let trace_state = self.arena.intern(span.trace_state())?;
        let (start_unix_nanos, end_unix_nanos) = span.times();
        let [
            dropped_attributes_count,
            dropped_events_count,
            dropped_links_count,
        ] = span.dropped_counts();
        let (oi_kind, call) = crate::semantics::read_span(self.arena, attributes);
        self.arena.push_span(
            Span {
                trace_id,
                span_id,
                parent_span_id,
                start_unix_nanos,
                end_unix_nanos,
                name,
                trace_state,
                status_message,
                attributes,
                events,
                links,
                resource,
                scope,
                source: self.source,
                source_location,
                flags: span.flags(),
                dropped_attributes_count,
                dropped_events_count,
                dropped_links_count,
                kind,
                oi_kind,
                status_code,
                call: Span::NO_CALL,
            },
            call,
        )?;
        self.spans_written += 1;
        Ok(Ok(()))
    }

    fn events(&mut self, events: &[trace::span::Event]) -> Result<Rows, ArenaFull> {
        let mut rows = Vec::with_capacity(events.len());
        for event in events {
            rows.push(Event {
                time_unix_nanos: event.time_unix_nano,
                name: self.arena.intern(&event.name)?,
                attributes: self.attributes(&event.attributes)?,
                dropped_attributes_count: event.dropped_attributes_count,
            });
        }
        self.arena.push_events(&rows)
    }

    fn links(&mut self, links: &[trace::span::Link]) -> Result<Rows, ArenaFull> {
        let mut rows = Vec::with_capacity(links.len());
        for link in links {
            let ids = (&link.trace_id[..], &link.span_id[..]);
            if let Some(link) = self.link(ids, |writer| {
                Ok::<_, ArenaFull>((
                    writer.arena.intern(&link.trace_state)?,
                    writer.attributes(&link.attributes)?,
                    link.dropped_attributes_count,
                    link.flags,
                ))
            })? {
                rows.push(link);
            }
        }
        self.arena.push_links(&rows)
    }

    /// A link to the span `ids` name, its trace state, attributes, their dropped count and
    /// flags stored by `rest`; none (and a warning) when an id does not read.
    pub(crate) fn link<E>(
        &mut self,
        (trace_id, span_id): (&[u8], &[u8]),
        rest: impl FnOnce(&mut Self) -> Result<(StrId, Rows, u32, u32), E>,
    ) -> Result<Option<Link>, E> {
        let (Some(trace), Some(span)) =
            (TraceId::from_bytes(trace_id), SpanId::from_bytes(span_id))
        else {
            self.span_warnings.push(Problem::Invalid(format!(
                "a link with ids of {} and {} bytes was skipped",
                trace_id.len(),
                span_id.len()
            )));
            return Ok(None);
        };
        let (trace_state, attributes, dropped_attributes_count, flags) = rest(self)?;
        Ok(Some(Link {
            trace_id: trace,
            span_id: span,
            trace_state,
            attributes,
            dropped_attributes_count,
            flags,
        }))
    }

    /// Stores a key/value list. Nested lists are stored first, so every list is contiguous.
    pub(crate) fn attributes(
        &mut self,
        attributes: &[common::KeyValue],
    ) -> Result<Rows, ArenaFull> {
        if attributes.is_empty() {
            return Ok(Rows::EMPTY);
        }
        let mut buffer = self.take_attribute_buffer();
        for kv in attributes {
            let value = match &kv.value {
                Some(value) => self.any_value(value)?,
                None => AnyValue::Empty,
            };
            buffer.push(KeyValue {
                key: self.arena.intern(&kv.key)?,
                value,
            });
        }
        let rows = self.arena.push_attributes(&buffer);
        self.give_back_attribute_buffer(buffer);
        rows
    }

    /// The buffer a list of attributes is collected in, empty (its room kept from list to list).
    pub(crate) fn take_attribute_buffer(&mut self) -> Vec<KeyValue> {
        let mut buffer = std::mem::take(&mut self.attribute_buffer);
        buffer.clear();
        buffer
    }

    /// See [`SpanWriter::take_attribute_buffer`].
    pub(crate) fn give_back_attribute_buffer(&mut self, buffer: Vec<KeyValue>) {
        self.attribute_buffer = buffer;
    }

    fn any_value(&mut self, value: &common::AnyValue) -> Result<AnyValue, ArenaFull> {
        use common::any_value::Value as V;
        Ok(match &value.value {
            None | Some(V::StringValueStrindex(_)) => AnyValue::Empty,
            Some(V::StringValue(s)) => AnyValue::Str(self.arena.intern(s)?),
            Some(V::BoolValue(b)) => AnyValue::Bool(*b),
            Some(V::IntValue(n)) => AnyValue::Int(*n),
            Some(V::DoubleValue(x)) => AnyValue::Double(*x),
            Some(V::BytesValue(bytes)) => AnyValue::Bytes(self.arena.push_blob(bytes)?),
            Some(V::ArrayValue(array)) => {
                let mut items = Vec::with_capacity(array.values.len());
                for item in &array.values {
                    items.push(self.any_value(item)?);
                }
                AnyValue::Array(self.arena.push_array(&items)?)
            }
            Some(V::KvlistValue(list)) => {
                // A separate buffer: the outer list is being collected in `attribute_buffer`.
                let mut entries = Vec::with_capacity(list.values.len());
                for kv in &list.values {
                    let value = match &kv.value {
                        Some(value) => self.any_value(value)?,
                        None => AnyValue::Empty,
                    };
                    entries.push(KeyValue {
                        key: self.arena.intern(&kv.key)?,
                        value,
                    });
                }
                AnyValue::KvList(self.arena.push_attributes(&entries)?)
            }
        })
    }
}

/// Shorthands to build OTLP values, for the readers that map other formats onto OTLP.
pub(crate) mod build {
    use hashbrown::HashMap;
    use opentelemetry_proto::tonic::resource::v1::Resource;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

    use super::common;
    use crate::attributes::Value;
    use common::any_value::Value as V;

    /// A resource's attributes and a scope's name and version: what a batch is keyed by.
    #[derive(Clone, PartialEq, Eq, Hash)]
    struct BatchKey {
        /// The resource's attributes, as JSON text (inputs here only carry plain values, so the
        /// text is a faithful key).
        resource: String,
        scope_name: String,
        scope_version: String,
    }

    /// Spans grouped into batches by resource and scope, in order of first appearance.
    #[derive(Default)]
    pub(crate) struct Batches {
        batches: Vec<Batch>,
        index: HashMap<BatchKey, usize>,
    }

    struct Batch {
        resource: Vec<(String, Value)>,
        key: BatchKey,
        spans: Vec<Span>,
    }

    impl Batches {
        /// Adds `span`, produced by `resource` and the scope `scope_name` / `scope_version`.
        pub(crate) fn push(
            &mut self,
            resource: Vec<(String, Value)>,
            scope_name: String,
            scope_version: String,
            span: Span,
        ) {
            let key = BatchKey {
                resource: serde_json::to_string(&resource).unwrap_or_default(),
                scope_name,
                scope_version,
            };
            let slot = *self.index.entry(key.clone()).or_insert_with(|| {
                self.batches.push(Batch {
                    resource,
                    key,
                    spans: Vec::new(),
                });
                self.batches.len() - 1
            });
            self.batches[slot].spans.push(span);
        }

        /// The OTLP batches.
        pub(crate) fn finish(self) -> Vec<ResourceSpans> {
            self.batches
                .into_iter()
                .map(|batch| ResourceSpans {
                    resource: Some(Resource {
                        attributes: attributes(&batch.resource),
                        ..Default::default()
                    }),
                    scope_spans: vec![ScopeSpans {
                        scope: Some(common::InstrumentationScope {
                            name: batch.key.scope_name,
                            version: batch.key.scope_version,
                            ..Default::default()
                        }),
                        spans: batch.spans,
                        schema_url: String::new(),
                    }],
                    schema_url: String::new(),
                })
                .collect()
        }
    }

    /// Flat attributes from (key, value) pairs; null values are left out.
    pub(crate) fn attributes(pairs: &[(String, Value)]) -> Vec<common::KeyValue> {
        pairs
            .iter()
            .filter_map(|(key, value)| {
                any_value(value).map(|value| common::KeyValue {
                    key: key.clone(),
                    value: Some(value),
                    ..Default::default()
                })
            })
            .collect()
    }

    /// A nested value as an OTLP value (maps become key/value lists); `None` for null.
    pub(crate) fn any_value(value: &Value) -> Option<common::AnyValue> {
        let value = match value {
            Value::Null => return None,
            Value::Bool(b) => V::BoolValue(*b),
            Value::Int(n) => V::IntValue(*n),
            Value::Double(x) => V::DoubleValue(*x),
            Value::Str(s) => V::StringValue(s.clone()),
            Value::Array(items) => V::ArrayValue(common::ArrayValue {
                values: items
                    .iter()
                    .map(|item| any_value(item).unwrap_or_default())
                    .collect(),
            }),
            Value::Map(map) => V::KvlistValue(common::KeyValueList {
                values: map
                    .iter()
                    .map(|(key, value)| common::KeyValue {
                        key: key.to_owned(),
                        value: any_value(value),
                        ..Default::default()
                    })
                    .collect(),
            }),
        };
        Some(common::AnyValue { value: Some(value) })
    }
}
