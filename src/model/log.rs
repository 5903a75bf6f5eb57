//! OTLP log records. Many LLM instrumentations write a call's messages as log records (the
//! GenAI events) rather than on the span; a record that names a span is shown on it, wherever
//! and whenever it arrived.

use super::ids::{SpanId, TraceId};
use super::span::{ResourceId, ScopeId, SourceId};
use super::strings::StrId;
use super::value::{AnyValue, Rows};

/// One log record, as OTLP carries it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogRecord {
    /// When the event happened, ns since the epoch; 0 when not recorded.
    pub time_unix_nanos: u64,
    /// When the SDK saw it, ns since the epoch; 0 when not recorded.
    pub observed_time_unix_nanos: u64,
    /// OTLP's severity number (1–24; 0 unspecified).
    pub severity_number: i32,
    /// The severity as the source named it (`INFO`, `warning`…).
    pub severity_text: StrId,
    /// The event's name (`gen_ai.choice`…): OTLP's `event_name`, else its `event.name`
    /// attribute.
    pub event_name: StrId,
    /// The body.
    pub body: AnyValue,
    /// Rows of the attribute table.
    pub attributes: Rows,
    /// Attributes the producer dropped.
    pub dropped_attributes_count: u32,
    /// W3C trace flags.
    pub flags: u32,
    /// The trace it belongs to, if any.
    pub trace_id: Option<TraceId>,
    /// The span it belongs to, if any.
    pub span_id: Option<SpanId>,
    /// The resource that produced it.
    pub resource: ResourceId,
    /// The instrumentation scope.
    pub scope: ScopeId,
    /// The input file.
    pub source: SourceId,
}

impl LogRecord {
    /// Its time: when it happened, else when it was observed.
    pub fn unix_nanos(&self) -> u64 {
        match self.time_unix_nanos {
            0 => self.observed_time_unix_nanos,
            time => time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_placed_when_it_happened_else_when_it_was_seen() {
        let record = |time_unix_nanos, observed_time_unix_nanos| LogRecord {
            observed_time_unix_nanos,
            ..crate::testutil::log_record(time_unix_nanos, AnyValue::Empty)
        };
        assert_eq!(record(7, 9).unix_nanos(), 7);
        assert_eq!(record(0, 9).unix_nanos(), 9);
        assert_eq!(record(0, 0).unix_nanos(), 0);
    }
}
