//! Ingest throughput per format against the limit, and memory per span.
//!
//! The limit is what decoding the same bytes into `opentelemetry-proto`'s types costs and nothing
//! more (prost for protobuf, the crate's serde for JSON). Plume's figure is its full ingest: sniff,
//! decode, store in the arena, and assemble the traces (trees, self times, summaries). Attributes
//! are unflattened on demand when a span is opened, not at ingest; that cost is measured alone.
//!
//! Sizes come from `PLUME_BENCH_SPANS` (default `10000,100000`; add `1000000` for the full set).
//! After the run a Markdown summary is written to `target/criterion/plume-summary.md`, which
//! `./dev bench` puts into BENCHMARKS.md.

#![allow(
    unsafe_code,
    reason = "the counting allocator must implement GlobalAlloc"
)]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use plume::analysis::Traces;
use plume::analysis::filter::Filter;
use plume::attributes::span_attributes;
use plume::engine::Engine;
use plume::engine::protocol::{Request, Response, TraceQuery};
use plume::export::{self, Target};
use plume::generate::{self, Convention, Shape};
use plume::ingest;
use plume::model::Arena;
use prost::Message;

/// The system allocator, counting live and peak bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What the limit decodes the bytes as.
#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    Proto,
    Json,
    JsonLines,
    /// No limit: Phoenix's own JSON Lines.
    Phoenix,
}

/// One format's bytes for one size.
struct Input {
    /// The row's name: the format, and the convention when it is not OpenInference.
    format: &'static str,
    encoding: Encoding,
    spans: usize,
    bytes: Vec<u8>,
}

fn inputs(spans: usize) -> Vec<Input> {
    let shape = Shape {
        spans,
        traces: 1,
        seed: 42,
        ..Default::default()
    };
    let mut proto = Vec::new();
    generate::write_proto(shape, &mut proto).expect("generate protobuf");
    let mut json = Vec::new();
    generate::write_json(shape, &mut json).expect("generate JSON");
    // JSON Lines: the same spans as one request per batch of 1,000, as a Collector writes them.
    let mut arena = Arena::default();
    ingest::load(&mut arena, "g.pb", &proto);
    let indices: Vec<u32> = (0..arena.spans().len() as u32).collect();
    let mut lines = Vec::new();
    for chunk in indices.chunks(1_000) {
        lines.extend(export::encode(&arena, chunk, Target::OtlpJson));
        lines.push(b'\n');
    }
    let phoenix = export::encode(&arena, &indices, Target::PhoenixJsonLines);
    // The same agent traces in the GenAI conventions: JSON messages read at ingest.
    let genai = Shape {
        convention: Convention::GenAi,
        ..shape
    };
    let mut genai_proto = Vec::new();
    generate::write_proto(genai, &mut genai_proto).expect("generate GenAI protobuf");
    let mut genai_json = Vec::new();
    generate::write_json(genai, &mut genai_json).expect("generate GenAI JSON");
    let input = |format, encoding, bytes| Input {
        format,
        encoding,
        spans,
        bytes,
    };
    vec![
        input("otlp-proto", Encoding::Proto, proto),
        input("otlp-json", Encoding::Json, json),
        input("otlp-jsonl", Encoding::JsonLines, lines),
        input("phoenix-jsonl", Encoding::Phoenix, phoenix),
        input("genai-otlp-proto", Encoding::Proto, genai_proto),
        input("genai-otlp-json", Encoding::Json, genai_json),
    ]
}

/// The limit: the same bytes into opentelemetry-proto's types, and nothing else.
fn decode_only(input: &Input) -> usize {
    let json = |bytes: &[u8]| {
        serde_json::from_slice::<ExportTraceServiceRequest>(bytes)
            .expect("decode")
            .resource_spans
            .len()
    };
    match input.encoding {
        Encoding::Proto => ExportTraceServiceRequest::decode(&input.bytes[..])
            .expect("decode")
            .resource_spans
            .len(),
        Encoding::Json => json(&input.bytes),
        Encoding::JsonLines => input
            .bytes
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .map(json)
            .sum(),
        Encoding::Phoenix => 0,
    }
}

/// Plume's ingest: load and assemble.
fn ingest_all(input: &Input) -> (Arena, Traces) {
    let mut arena = Arena::default();
    let report = ingest::load(&mut arena, input.format, &input.bytes);
    assert!(
        report.is_ok() && report.spans == input.spans,
        "{:?}",
        report.errors
    );
    let traces = Traces::assemble(&arena);
    (arena, traces)
}

struct Memory {
    format: &'static str,
    spans: usize,
    file_bytes: usize,
    arena_heap_bytes: usize,
    retained_bytes: usize,
    peak_bytes: usize,
}

fn measure_memory(input: &Input) -> Memory {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let (arena, traces) = ingest_all(input);
    let retained_bytes = LIVE.load(Ordering::Relaxed) - before;
    let peak_bytes = PEAK.load(Ordering::Relaxed) - before;
    let memory = Memory {
        format: input.format,
        spans: input.spans,
        file_bytes: input.bytes.len(),
        arena_heap_bytes: arena.heap_bytes(),
        retained_bytes,
        peak_bytes,
    };
    drop((arena, traces));
    memory
}

fn sizes() -> Vec<usize> {
    // `cargo test` runs benchmarks once each, unoptimized, to see that they work: a small size
    // is enough for that.
    if !std::env::args().any(|arg| arg == "--bench") {
        return vec![2_000];
    }
    std::env::var("PLUME_BENCH_SPANS")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|n| n.trim().replace('_', "").parse().ok())
        .collect()
}

/// The filters benchmarked: a span field, an attribute as a number, text in a long value, and
/// cumulative tokens (a pass over each tree) with a latency.
const FILTERS: [(&str, &str); 4] = [
    ("kind", "span_kind == 'LLM'"),
    ("tokens", "llm.token_count.total > 1000"),
    ("text", "'error' in output.value"),
    (
        "cumulative",
        "cumulative_token_count.total > 1000 and latency_ms > 100",
    ),
];

/// Text searches in a trace (the trace view's search box): a word with an underscore, one of
/// common letters only, a word most spans hold, and one none does.
const SEARCHES: [(&str, &str); 4] = [
    ("word", "convert_currency"),
    ("letters", "helpful"),
    ("common", "error"),
    ("absent", "zzzznotthere"),
];

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    let mut memory = Vec::new();
    let mut measured: Vec<(&'static str, usize, usize)> = Vec::new();
    let mut unflatten_spans = 0;
    let mut filtered = Vec::new();
    for spans in sizes() {
        for input in inputs(spans) {
            memory.push(measure_memory(&input));
            let mut group = criterion.benchmark_group(input.format);
            group.throughput(Throughput::Bytes(input.bytes.len() as u64));
            if input.encoding != Encoding::Phoenix {
                group.bench_with_input(BenchmarkId::new("limit", spans), &input, |b, input| {
                    b.iter(|| black_box(decode_only(input)));
                });
            }
            group.bench_with_input(BenchmarkId::new("plume", spans), &input, |b, input| {
                b.iter(|| black_box(ingest_all(input)));
            });
            group.finish();
            measured.push((input.format, spans, input.bytes.len()));
        }
        // Span filters over every span: what the filter bar and window.plume.query cost.
        {
            let input = inputs(spans).swap_remove(0);
            let (arena, traces) = ingest_all(&input);
            let prices = plume::semantics::Prices::builtin();
            let mut group = criterion.benchmark_group("filter");
            group.throughput(Throughput::Elements(spans as u64));
            for (name, expression) in FILTERS {
                let filter = Filter::parse(expression).expect("the benchmark's filters read");
                group.bench_function(BenchmarkId::new(name, spans), |b| {
                    b.iter(|| black_box(filter.matching_spans(&arena, &traces, &prices)));
                });
            }
            group.finish();
            // The trace view's text search, through the engine as the page asks it.
            let mut engine = Engine::default();
            engine.load("bench", &input.bytes, &mut |_| {});
            let trace_id = arena.spans()[0].trace_id.to_string();
            let mut group = criterion.benchmark_group("search");
            group.throughput(Throughput::Elements(spans as u64));
            for (name, text) in SEARCHES {
                let search = || Request::Search {
                    trace_id: trace_id.clone(),
                    text: text.into(),
                    as_text: true,
                };
                assert!(matches!(engine.handle(search()), Response::Trace(_)));
                group.bench_function(BenchmarkId::new(name, spans), |b| {
                    b.iter(|| black_box(engine.handle(search())));
                });
            }
            // A small trace among them: its spans' strings are looked in, not all the arena's.
            let small = std::fs::read("tests/fixtures/langchain-01.otlp.pb").expect("a fixture");
            let mut small_arena = Arena::default();
            assert!(ingest::load(&mut small_arena, "langchain-01.otlp.pb", &small).is_ok());
            engine.load("small", &small, &mut |_| {});
            let search = || Request::Search {
                trace_id: small_arena.spans()[0].trace_id.to_string(),
                text: "protobuf".into(),
                as_text: true,
            };
            assert!(matches!(engine.handle(search()), Response::Trace(_)));
            group.bench_function(BenchmarkId::new("small-trace", spans), |b| {
                b.iter(|| black_box(engine.handle(search())));
            });
            group.finish();
            // The project's all-spans table filtered (and sorted by start, as it opens): what
            // the filter bar costs. The engine keeps one table order; alternating which way
            // up it sorts makes each ask a new one.
            let Response::Projects(projects) = engine.handle(Request::Projects) else {
                panic!("the projects list")
            };
            let mut group = criterion.benchmark_group("table");
            group.throughput(Throughput::Elements(spans as u64));
            for (name, expression) in [("none", "")].iter().chain(&FILTERS) {
                let mut descending = false;
                group.bench_function(BenchmarkId::new(*name, spans), |b| {
                    b.iter(|| {
                        descending = !descending;
                        black_box(engine.handle(Request::Traces(TraceQuery {
                            project: projects[0].name.clone(),
                            filter: (*expression).into(),
                            all_spans: true,
                            descending,
                            count: 50,
                            ..TraceQuery::default()
                        })))
                    });
                });
            }
            group.finish();
            filtered.push(spans);
        }
        // Unflattening every span once: what opening span details costs, summed.
        if spans <= 100_000 {
            let input = inputs(spans).swap_remove(0);
            let (arena, _) = ingest_all(&input);
            let mut group = criterion.benchmark_group("unflatten");
            group.throughput(Throughput::Elements(spans as u64));
            group.bench_function(BenchmarkId::new("all-spans", spans), |b| {
                b.iter(|| {
                    for span in arena.spans() {
                        black_box(span_attributes(&arena, span.attributes));
                    }
                });
            });
            group.finish();
            unflatten_spans = spans;
        }
    }
    criterion.final_summary();
    let summary = summarize(&measured, &memory, unflatten_spans, &filtered);
    let path = "target/criterion/plume-summary.md";
    std::fs::create_dir_all("target/criterion").expect("target dir");
    std::fs::write(path, &summary).expect("write the summary");
    println!("\n{summary}\nwritten to {path}");
}

/// A table of criterion means in ms: one row per `(name, shown)` of `group`, one column per
/// size.
fn ms_table(out: &mut String, title: &str, group: &str, rows: &[(&str, &str)], sizes: &[usize]) {
    let _ = writeln!(out, "\n{title}:\n");
    let columns: Vec<String> = sizes.iter().map(|n| format!("{n} spans")).collect();
    let _ = writeln!(out, "| {group} | {} |", columns.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(sizes.len()));
    for (name, shown) in rows {
        let cells: Vec<String> = sizes
            .iter()
            .map(|&spans| {
                mean_nanos(group, name, spans)
                    .map_or("–".to_owned(), |ns| format!("{:.0}", ns / 1e6))
            })
            .collect();
        let _ = writeln!(out, "| `{shown}` | {} |", cells.join(" | "));
    }
}

/// Criterion's mean for one benchmark, in ns.
fn mean_nanos(group: &str, function: &str, spans: usize) -> Option<f64> {
    let path = format!("target/criterion/{group}/{function}/{spans}/new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn summarize(
    measured: &[(&str, usize, usize)],
    memory: &[Memory],
    unflatten_spans: usize,
    filtered: &[usize],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| format | spans | file MB | limit MB/s | Plume MB/s | Plume spans/s | Plume / limit |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    for &(format, spans, bytes) in measured {
        let mb = bytes as f64 / 1e6;
        let plume = mean_nanos(format, "plume", spans);
        let limit = mean_nanos(format, "limit", spans);
        let rate = |nanos: Option<f64>| {
            nanos.map_or("–".to_owned(), |ns| format!("{:.0}", mb / (ns / 1e9)))
        };
        let spans_per_sec = plume.map_or("–".to_owned(), |ns| {
            format!("{:.0}", spans as f64 / (ns / 1e9))
        });
        let ratio = match (plume, limit) {
            (Some(p), Some(l)) => format!("{:.0}%", l / p * 100.0),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {format} | {spans} | {mb:.1} | {} | {} | {spans_per_sec} | {ratio} |",
            rate(limit),
            rate(plume)
        );
    }
    let _ = writeln!(out, "\nMemory after ingest + assembly (bytes per span):\n");
    let _ = writeln!(
        out,
        "| format | spans | file bytes/span | arena bytes/span | retained bytes/span | retained − file, per span | peak bytes/span |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    for m in memory {
        let per = |bytes: usize| bytes as f64 / m.spans as f64;
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            m.format,
            m.spans,
            per(m.file_bytes),
            per(m.arena_heap_bytes),
            per(m.retained_bytes),
            (m.retained_bytes as f64 - m.file_bytes as f64) / m.spans as f64,
            per(m.peak_bytes)
        );
    }
    if !filtered.is_empty() {
        let title = "Span filters over every span of the trace (ms, one thread)";
        ms_table(&mut out, title, "filter", &FILTERS, filtered);
        let title = "Text search in the trace, through the engine (ms, one thread)";
        let mut searches = SEARCHES.to_vec();
        searches.push(("small-trace", "protobuf (in a small trace loaded beside)"));
        ms_table(&mut out, title, "search", &searches, filtered);
        let title = "The all-spans table filtered and sorted, through the engine (ms, one thread)";
        let mut rows = vec![("none", "(no filter)")];
        rows.extend(FILTERS);
        ms_table(&mut out, title, "table", &rows, filtered);
    }
    if let Some(ns) = mean_nanos("unflatten", "all-spans", unflatten_spans) {
        let _ = writeln!(
            out,
            "\nUnflattening (Phoenix's rules) every one of {unflatten_spans} spans: {:.2} µs per span.",
            ns / unflatten_spans as f64 / 1e3
        );
    }
    out
}
