//! Plume: an OpenTelemetry / OpenInference trace viewer that runs entirely in the browser.
//!
//! The crate is layered; a lower module never imports a higher one:
//!
//! | module | what it holds |
//! |---|---|
//! | [`model`] | the span data: an arena of spans with interned strings |
//! | [`attributes`] | flat attributes ⇄ nested values, as Phoenix does it |
//! | [`semantics`] | what spans mean in every LLM convention: kinds, calls, messages, cost |
//! | [`ingest`] | one reader per input format, and the `sniff` that picks one |
//! | [`analysis`] | trace assembly: trees, self time, critical path, summaries |
//! | [`engine`] | what the UI asks: tables, windows of tree rows, span details |
//! | [`present`] | units, time axis, routes, OpenInference meaning: what the UI shows |
//! | `ui` (wasm32) | the Yew viewer, talking to the engine in a Web Worker |
//! | [`export`] | spec-correct OTLP (protobuf, JSON) and Phoenix JSONL writers; sending to a collector |
//! | [`redact`] | secrets taken out of spans before they leave: built-in rules, dropped keys |
//! | [`share`] | share files: the viewer and some traces in one HTML file |
//! | [`store`] | what is kept in IndexedDB: schema, trace records, span chunks |
//! | [`embed`] | Plume inside other pages: the frame's options, allowed origins, `#url=` links |
//! | [`generate`] | realistic OpenInference traces of any size, for benchmarks |
//!
//! Everything here is plain Rust with no web types: the native CLI (`src/bin/plume.rs`), the
//! tests and the benchmarks use it directly, and the browser app links the same code.

pub mod analysis;
pub mod attributes;
pub mod embed;
pub mod engine;
pub mod export;
pub mod generate;
pub mod ingest;
pub mod model;
pub mod present;
pub mod redact;
pub mod semantics;
#[cfg(not(target_arch = "wasm32"))]
pub mod serve;
pub mod share;
pub mod sources;
pub mod store;
#[cfg(target_arch = "wasm32")]
pub mod ui;

#[cfg(test)]
pub(crate) mod testutil;
