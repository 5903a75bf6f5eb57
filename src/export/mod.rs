//! Writing spans out: spec-correct OTLP (protobuf, JSON, JSON Lines) and Phoenix span JSONL.
//!
//! Every writer takes the arena and the arena indices of the spans to write, so a trace, a
//! project, or the spans a filter matched are exported the same way. What is written reads back
//! into the same spans and attributes ([`crate::ingest::load`]).

pub mod annotations;
mod evaluations;
mod otlp;
mod phoenix_jsonl;
pub mod send;

pub use evaluations::encode_jsonl as encode_evaluations;
pub use otlp::{
    encode_json, encode_logs_json, encode_logs_proto, encode_proto, request, write_request_json,
    write_resource_spans_json,
};

use crate::model::Arena;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Target {
    /// One OTLP/JSON request (what `POST /v1/traces` with `application/json` takes).
    OtlpJson,
    /// One OTLP protobuf request (what `POST /v1/traces` with `application/x-protobuf` takes).
    OtlpProto,
    /// OTLP/JSON Lines: one request per trace, one per line (the Collector file exporter's form).
    OtlpJsonLines,
    /// Phoenix's spans dataframe as JSON Lines.
    PhoenixJsonLines,
    /// The annotations of the spans and their traces, one Phoenix REST row per line.
    PhoenixAnnotations,
}

impl Target {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::OtlpJson => "otlp.json",
            Self::OtlpProto => "otlp.pb",
            Self::OtlpJsonLines => "otlp.jsonl",
            Self::PhoenixJsonLines => "phoenix.jsonl",
            Self::PhoenixAnnotations => "annotations.jsonl",
        }
    }

    /// The media type of the file.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::OtlpJson => "application/json",
            Self::OtlpProto => "application/x-protobuf",
            Self::OtlpJsonLines | Self::PhoenixJsonLines | Self::PhoenixAnnotations => {
                "application/jsonl"
            }
        }
    }
}

/// `bytes` gzip-compressed at `level` (natively; the engine in the browser compresses with the
/// browser's own `CompressionStream`, having no deflate of its own).
pub fn gzip(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Encodes the spans (arena indices) in `target` form.
pub fn encode(arena: &Arena, spans: &[u32], target: Target) -> Vec<u8> {
    match target {
        Target::OtlpJson => encode_json(arena, spans).into_bytes(),
        Target::OtlpProto => encode_proto(arena, spans),
        Target::OtlpJsonLines => {
            let mut out = String::new();
            for trace in by_trace(arena, spans) {
                out.push_str(&encode_json(arena, &trace));
                out.push('\n');
            }
            out.into_bytes()
        }
        Target::PhoenixJsonLines => phoenix_jsonl::encode(arena, spans).into_bytes(),
        Target::PhoenixAnnotations => {
            annotations::encode_phoenix_jsonl(arena, spans, str::to_owned).into_bytes()
        }
    }
}

/// The spans grouped by trace, traces in order of first appearance.
fn by_trace(arena: &Arena, spans: &[u32]) -> Vec<Vec<u32>> {
    let mut slot = hashbrown::HashMap::new();
    let mut groups: Vec<Vec<u32>> = Vec::new();
    for &index in spans {
        let Some(span) = arena.spans().get(index as usize) else {
            continue;
        };
        let group = *slot.entry(span.trace_id).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[group].push(index);
    }
    groups
}
