//! Records and chunks of real traces.

use super::*;
use crate::analysis::Traces;
use crate::ingest;
use crate::testutil::fixture;

fn chunks(arena: &Arena, trace: &Trace) -> Vec<Vec<u8>> {
    (0..chunk_count(arena, trace))
        .map(|n| chunk(arena, trace, n).expect("a chunk").otlp)
        .collect()
}

#[test]
fn a_chunk_keeps_where_each_span_came_from() {
    let (arena, traces) = assembled(&["collector-file-exporter.jsonl", "openai-01.otlp.pb"]);
    let origin = |arena: &Arena, span: &crate::model::Span| {
        let source = arena.source(span.source).expect("a source");
        (source.name.clone(), source.format, span.source_location)
    };
    for trace in traces.all() {
        let mut back = Arena::default();
        for n in 0..chunk_count(&arena, trace) {
            let stored = chunk(&arena, trace, n).expect("a chunk");
            let first = back.spans().len();
            ingest::load(&mut back, "trace/1/0", &stored.otlp);
            let origins = stored
                .origins
                .expect("a span chunk says where its spans came from");
            origins.restore(&mut back, first).expect("room");
        }
        for span in back.spans() {
            let before = arena
                .spans()
                .iter()
                .find(|s| s.span_id == span.span_id && s.trace_id == span.trace_id)
                .expect("the same span");
            assert_eq!(origin(&back, span), origin(&arena, before));
        }
    }
    // Restored together, the traces register each file they came from once.
    assert!(back_sources_are_shared(&arena, &traces));
}

/// Whether restoring every trace of `traces` into one arena registers each file its spans came
/// from once.
fn back_sources_are_shared(arena: &Arena, traces: &Traces) -> bool {
    let mut back = Arena::default();
    for trace in traces.all() {
        let stored = chunk(arena, trace, 0).expect("a chunk");
        let first = back.spans().len();
        ingest::load(&mut back, "chunk", &stored.otlp);
        if let Some(origins) = stored.origins {
            origins.restore(&mut back, first).expect("room");
        }
    }
    let files: Vec<&str> = back
        .sources()
        .iter()
        .map(|s| s.name.as_str())
        .filter(|name| *name != "chunk")
        .collect();
    let mut read_from: Vec<u32> = traces
        .all()
        .iter()
        .flat_map(|t| t.tree.span.iter())
        .map(|&i| arena.spans()[i as usize].source.0)
        .collect();
    read_from.sort_unstable();
    read_from.dedup();
    let mut unique = files.clone();
    unique.sort_unstable();
    unique.dedup();
    files.len() == unique.len() && files.len() == read_from.len()
}

fn assembled(files: &[&str]) -> (Arena, Traces) {
    let mut arena = Arena::default();
    for file in files {
        let report = ingest::load(&mut arena, file, &fixture(file));
        assert!(report.errors.is_empty(), "{file}: {:?}", report.errors);
    }
    let traces = Traces::assemble(&arena);
    (arena, traces)
}

#[test]
fn a_trace_stored_in_chunks_reads_back_whole() {
    let (arena, traces) = assembled(&["langchain-01.otlp.pb", "openai-01.otlp.pb"]);
    for trace in traces.all() {
        let stored = chunks(&arena, trace);
        assert_eq!(stored.len(), 1);
        let mut back = Arena::default();
        for (n, chunk) in stored.iter().enumerate() {
            let report = ingest::load(&mut back, &format!("chunk {n}"), chunk);
            assert!(report.errors.is_empty(), "{:?}", report.errors);
        }
        let back_traces = Traces::assemble(&back);
        let [read] = back_traces.all() else {
            panic!("one trace expected");
        };
        let record = TraceRecord::of(&arena, trace, 1, 1);
        assert_eq!(TraceRecord::of(&back, read, 1, 1), record);
        assert_eq!(record.spans as usize, trace.tree.len());
    }
}

#[test]
fn large_traces_are_cut_into_chunks_of_at_most_chunk_spans() {
    let mut arena = Arena::default();
    let mut bytes = Vec::new();
    let shape = crate::generate::Shape {
        spans: CHUNK_SPANS * 2 + 10,
        traces: 1,
        seed: 7,
        ..Default::default()
    };
    crate::generate::write_proto(shape, &mut bytes).expect("generated");
    ingest::load(&mut arena, "big.pb", &bytes);
    let traces = Traces::assemble(&arena);
    let trace = &traces.all()[0];
    let stored = chunks(&arena, trace);
    assert_eq!(stored.len(), 3);
    let mut back = Arena::default();
    for chunk in &stored {
        ingest::load(&mut back, "chunk", chunk);
    }
    assert_eq!(back.spans().len(), CHUNK_SPANS * 2 + 10);
    let back_traces = Traces::assemble(&back);
    assert_eq!(
        TraceRecord::of(&back, &back_traces.all()[0], 4, 3),
        TraceRecord::of(&arena, trace, 4, 3)
    );
}

#[test]
fn chunks_no_record_points_at_are_stale() {
    let (arena, traces) = assembled(&["openai-01.otlp.pb"]);
    let record = TraceRecord::of(&arena, &traces.all()[0], 2, 2);
    let id = record.trace_id.clone();
    assert_eq!(record.chunk_key(1), format!("{id}/2/1"));
    let keys = vec![
        format!("{id}/1/0"),
        format!("{id}/2/0"),
        format!("{id}/2/1"),
        format!("{id}/3/0"),
        "0af7651916cd43dd8448eb211c80319c/1/0".to_owned(),
    ];
    assert_eq!(
        stale_chunks(&[record], &keys),
        [
            format!("{id}/1/0").as_str(),
            &format!("{id}/3/0"),
            "0af7651916cd43dd8448eb211c80319c/1/0"
        ]
    );
}

#[test]
fn a_traces_log_records_are_stored_with_it_once() {
    let (arena, traces) = assembled(&[
        "genai/otelv2-legacy-02.otlp.pb",
        "genai/otelv2-legacy-02.logs.otlp.pb",
    ]);
    let trace = &traces.all()[0];
    let stored = chunks(&arena, trace);
    assert_eq!(stored.len(), 2, "a span chunk, then a log chunk");
    let mut back = Arena::default();
    // Read twice, as when a tab merges what the store holds into what it has.
    for _ in 0..2 {
        for chunk in &stored {
            let report = ingest::load(&mut back, "chunk", chunk);
            assert!(report.errors.is_empty(), "{:?}", report.errors);
        }
    }
    assert_eq!(back.logs().len(), 8);
    assert_eq!(back.logs().len(), arena.logs().len());
    let bodies = |arena: &Arena| -> Vec<String> {
        arena
            .logs()
            .iter()
            .map(|log| {
                let body = crate::attributes::value_from_any(arena, log.body);
                format!(
                    "{} {:?}",
                    arena.str(log.event_name),
                    serde_json::to_string(&body).ok()
                )
            })
            .collect()
    };
    assert_eq!(bodies(&back), bodies(&arena));
}
