//! OTLP's log messages (`ExportLogsServiceRequest`, which has the same wire form as
//! `LogsData`), declared here: `opentelemetry-proto`'s `logs` feature would bring the
//! OpenTelemetry SDK's logs code into the build for four message types.
//!
//! Field numbers follow `opentelemetry/proto/logs/v1/logs.proto`; the resource and scope
//! types are `opentelemetry-proto`'s, shared with traces.

use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;

/// `LogsData` / `ExportLogsServiceRequest`.
#[derive(Clone, PartialEq, Message)]
pub(crate) struct LogsData {
    #[prost(message, repeated, tag = "1")]
    pub(crate) resource_logs: Vec<ResourceLogs>,
}

/// `ResourceLogs`, with the field exporters before OTLP 0.19 used for scope logs
/// (`instrumentation_library_logs = 1000`, the same wire layout as `ScopeLogs`).
#[derive(Clone, PartialEq, Message)]
pub(crate) struct ResourceLogs {
    #[prost(message, optional, tag = "1")]
    pub(crate) resource: Option<Resource>,
    #[prost(message, repeated, tag = "2")]
    pub(crate) scope_logs: Vec<ScopeLogs>,
    #[prost(string, tag = "3")]
    pub(crate) schema_url: String,
    #[prost(message, repeated, tag = "1000")]
    pub(crate) instrumentation_library_logs: Vec<ScopeLogs>,
}

/// `ScopeLogs`.
#[derive(Clone, PartialEq, Message)]
pub(crate) struct ScopeLogs {
    #[prost(message, optional, tag = "1")]
    pub(crate) scope: Option<InstrumentationScope>,
    #[prost(message, repeated, tag = "2")]
    pub(crate) log_records: Vec<LogRecord>,
    #[prost(string, tag = "3")]
    pub(crate) schema_url: String,
}

/// `LogRecord`.
#[derive(Clone, PartialEq, Message)]
pub(crate) struct LogRecord {
    #[prost(fixed64, tag = "1")]
    pub(crate) time_unix_nano: u64,
    #[prost(fixed64, tag = "11")]
    pub(crate) observed_time_unix_nano: u64,
    #[prost(int32, tag = "2")]
    pub(crate) severity_number: i32,
    #[prost(string, tag = "3")]
    pub(crate) severity_text: String,
    #[prost(message, optional, tag = "5")]
    pub(crate) body: Option<AnyValue>,
    #[prost(message, repeated, tag = "6")]
    pub(crate) attributes: Vec<KeyValue>,
    #[prost(uint32, tag = "7")]
    pub(crate) dropped_attributes_count: u32,
    #[prost(fixed32, tag = "8")]
    pub(crate) flags: u32,
    #[prost(bytes = "vec", tag = "9")]
    pub(crate) trace_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "10")]
    pub(crate) span_id: Vec<u8>,
    #[prost(string, tag = "12")]
    pub(crate) event_name: String,
}

impl ResourceLogs {
    /// Its scope logs, the legacy field's included.
    pub(crate) fn scopes(&self) -> impl Iterator<Item = &ScopeLogs> {
        self.scope_logs
            .iter()
            .chain(&self.instrumentation_library_logs)
    }
}
