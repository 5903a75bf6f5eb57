//! What Plume keeps in the browser (IndexedDB), in plain Rust: the schema, the records, and how a
//! trace is cut into chunks. `store/idb.rs` (wasm32) puts them into IndexedDB; the engine's worker
//! decides when.
//!
//! Schema version 1 — object stores, every key a string:
//!
//! | store | key | value |
//! |---|---|---|
//! | `traces` | trace id (hex) | [`TraceRecord`] as JSON: what the lists show, and where its chunks are |
//! | `chunks` | `<trace id>/<generation>/<n>` | up to [`CHUNK_SPANS`] spans of the trace as OTLP protobuf |
//!
//! Chunks are OTLP protobuf, so a stored trace reads back through the same ingest as a dropped
//! file, and the store holds nothing Plume could not also export.
//!
//! **No half traces.** A trace is written chunk by chunk (a transaction each), under a new
//! generation, and its record last: until the record commits, the trace does not exist for a
//! reader, and the previous generation (if any) is still whole. Chunks no record points at (an
//! import cut short, the generation a rewrite replaced) are [`stale_chunks`], deleted later.

use serde::{Deserialize, Serialize};

use crate::analysis::Trace;
use crate::export::encode_proto;
use crate::model::Arena;

/// The database's name.
pub const DATABASE: &str = "plume";
/// The schema version this code writes (IndexedDB's database version).
pub const SCHEMA_VERSION: u32 = 1;
/// The object store of trace records.
pub const TRACES: &str = "traces";
/// The object store of span chunks.
pub const CHUNKS: &str = "chunks";
/// Spans per chunk at most: a transaction each, small enough to commit quickly.
pub const CHUNK_SPANS: usize = 2_000;

/// A stored trace: what the lists need without reading spans, and where its chunks are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceRecord {
    /// Hex trace id.
    pub trace_id: String,
    /// Which generation of chunks is the trace's current one.
    pub generation: u32,
    /// Chunks in that generation.
    pub chunks: u32,
    /// Spans in all.
    pub spans: u32,
    /// The project.
    pub project: String,
    /// The root span's name.
    pub name: String,
    /// The root span's OpenInference kind.
    pub kind: String,
    /// `ERROR` if any span failed, else the root's status.
    pub status: String,
    /// The start of the root's input.
    pub input_preview: String,
    /// First start, ns since the epoch.
    pub start_nanos: u64,
    /// Last end, ns since the epoch.
    pub end_nanos: u64,
    /// Spans with an error.
    pub errors: u32,
    /// Tokens in all.
    pub tokens: u64,
    /// The session, if any.
    pub session: Option<String>,
}

impl TraceRecord {
    /// The record of `trace` written as `chunks` chunks of `generation`.
    pub fn of(arena: &Arena, trace: &Trace, generation: u32, chunks: u32) -> Self {
        let summary = &trace.summary;
        Self {
            trace_id: summary.trace_id.to_string(),
            generation,
            chunks,
            spans: summary.span_count,
            project: arena.str(summary.project).to_owned(),
            name: arena.str(summary.name).to_owned(),
            kind: summary.oi_kind.name().to_owned(),
            status: trace.status(arena).short_name().to_owned(),
            input_preview: trace.input_preview(arena),
            start_nanos: summary.start_unix_nanos,
            end_nanos: summary.end_unix_nanos,
            errors: summary.error_count,
            tokens: summary.tokens.total,
            session: summary.session.map(|s| arena.str(s).to_owned()),
        }
    }

    /// The key of chunk `n` of this record's generation.
    pub fn chunk_key(&self, n: u32) -> String {
        chunk_key(&self.trace_id, self.generation, n)
    }

    /// The keys of this record's chunks.
    pub fn chunk_keys(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.chunks).map(|n| self.chunk_key(n))
    }
}

/// The key of chunk `n` of `generation` of a trace.
pub fn chunk_key(trace_id: &str, generation: u32, n: u32) -> String {
    format!("{trace_id}/{generation}/{n}")
}

/// How many chunks `trace` is stored in.
pub fn chunk_count(trace: &Trace) -> u32 {
    trace.tree.span.len().div_ceil(CHUNK_SPANS) as u32
}

/// Chunk `n` of `trace`: its spans `n * CHUNK_SPANS..` in tree order, as OTLP protobuf. One at a
/// time, so storing a huge trace never holds all of it encoded at once.
pub fn chunk(arena: &Arena, trace: &Trace, n: u32) -> Option<Vec<u8>> {
    let spans = trace.tree.span.chunks(CHUNK_SPANS).nth(n as usize)?;
    Some(encode_proto(arena, spans))
}

/// The chunk keys among `keys` that no record points at.
pub fn stale_chunks<'a>(records: &[TraceRecord], keys: &'a [String]) -> Vec<&'a str> {
    let current: hashbrown::HashSet<String> =
        records.iter().flat_map(TraceRecord::chunk_keys).collect();
    keys.iter()
        .filter(|key| !current.contains(key.as_str()))
        .map(String::as_str)
        .collect()
}

#[cfg(target_arch = "wasm32")]
pub mod idb;

#[cfg(test)]
mod tests;
