//! Shared fakes for unit tests: spans pushed straight into an arena, and the fixture files.

use crate::model::{
    AnyValue, Arena, KeyValue, Link, LogRecord, ResourceId, Rows, ScopeId, SourceId, Span, SpanId,
    SpanKind, StatusCode, StrId, TraceId,
};

/// A span to push: ids are small numbers, times are plain ns.
pub(crate) struct TestSpan<'a> {
    pub(crate) trace: u64,
    pub(crate) id: u64,
    pub(crate) parent: Option<u64>,
    pub(crate) name: &'a str,
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) status: StatusCode,
    pub(crate) attributes: &'a [(&'a str, TestValue<'a>)],
    /// (trace, span) of the spans it links to.
    pub(crate) links: &'a [(u64, u64)],
}

/// An attribute value in a [`TestSpan`].
#[derive(Clone, Copy)]
pub(crate) enum TestValue<'a> {
    Str(&'a str),
    Int(i64),
}

impl Default for TestSpan<'_> {
    fn default() -> Self {
        Self {
            trace: 1,
            id: 1,
            parent: None,
            name: "span",
            start: 0,
            end: 0,
            status: StatusCode::Unset,
            attributes: &[],
            links: &[],
        }
    }
}

pub(crate) fn trace_id(n: u64) -> TraceId {
    let mut bytes = [0u8; 16];
    bytes[8..].copy_from_slice(&n.to_be_bytes());
    TraceId(bytes)
}

pub(crate) fn span_id(n: u64) -> SpanId {
    SpanId(n.to_be_bytes())
}

/// Pushes `spec` into `arena` and returns its index.
pub(crate) fn push(arena: &mut Arena, spec: TestSpan<'_>) -> u32 {
    let mut attributes = Vec::new();
    for (key, value) in spec.attributes {
        let value = match value {
            TestValue::Str(s) => AnyValue::Str(arena.intern(s).unwrap_or_default()),
            TestValue::Int(n) => AnyValue::Int(*n),
        };
        attributes.push(KeyValue {
            key: arena.intern(key).unwrap_or_default(),
            value,
        });
    }
    let attributes = arena.push_attributes(&attributes).unwrap_or(Rows::EMPTY);
    let resource = arena
        .add_resource(Rows::EMPTY, 0, StrId::EMPTY)
        .unwrap_or_default();
    let name = arena.intern(spec.name).unwrap_or_default();
    let links: Vec<Link> = (spec.links.iter())
        .map(|&(trace, span)| Link {
            trace_id: trace_id(trace),
            span_id: span_id(span),
            trace_state: StrId::EMPTY,
            attributes: Rows::EMPTY,
            dropped_attributes_count: 0,
            flags: 0,
        })
        .collect();
    let links = arena.push_links(&links).unwrap_or(Rows::EMPTY);
    let (oi_kind, call) = crate::semantics::read_span(arena, attributes);
    arena
        .push_span(
            Span {
                trace_id: trace_id(spec.trace),
                span_id: span_id(spec.id),
                parent_span_id: spec.parent.map(span_id),
                start_unix_nanos: spec.start,
                end_unix_nanos: spec.end,
                name,
                trace_state: StrId::EMPTY,
                status_message: StrId::EMPTY,
                attributes,
                events: Rows::EMPTY,
                links,
                resource,
                scope: Default::default(),
                source: Default::default(),
                source_location: 0,
                flags: 0,
                dropped_attributes_count: 0,
                dropped_events_count: 0,
                dropped_links_count: 0,
                kind: SpanKind::Internal,
                oi_kind,
                status_code: spec.status,
                call: Span::NO_CALL,
            },
            call,
        )
        .unwrap_or_default()
}

/// An arena holding spans given as (id, parent, start, end) of trace 1, named `s<id>`.
pub(crate) fn arena_of(spans: &[(u64, Option<u64>, u64, u64)]) -> Arena {
    let mut arena = Arena::default();
    let names: Vec<String> = spans.iter().map(|(id, ..)| format!("s{id}")).collect();
    for ((id, parent, start, end), name) in spans.iter().zip(&names) {
        push(
            &mut arena,
            TestSpan {
                id: *id,
                parent: *parent,
                name,
                start: *start,
                end: *end,
                ..TestSpan::default()
            },
        );
    }
    arena
}

/// A file under `tests/fixtures/`; a missing one fails the test that asked for it.
pub(crate) fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// A log record at `time_unix_nanos` with `body`, nothing else set.
pub(crate) fn log_record(time_unix_nanos: u64, body: AnyValue) -> LogRecord {
    LogRecord {
        time_unix_nanos,
        observed_time_unix_nanos: 0,
        severity_number: 0,
        severity_text: StrId::EMPTY,
        event_name: StrId::EMPTY,
        body,
        attributes: Rows::default(),
        dropped_attributes_count: 0,
        flags: 0,
        trace_id: None,
        span_id: None,
        resource: ResourceId(0),
        scope: ScopeId(0),
        source: SourceId(0),
    }
}
