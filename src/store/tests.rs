//! Records and chunks of real traces.

use super::*;
use crate::analysis::Traces;
use crate::ingest;
use crate::testutil::fixture;

fn chunks(arena: &Arena, trace: &Trace) -> Vec<Vec<u8>> {
    (0..chunk_count(arena, trace))
        .map(|n| chunk(arena, trace, n).expect("a chunk"))
        .collect()
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
