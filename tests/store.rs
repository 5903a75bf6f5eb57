//! The IndexedDB store in headless Chromium (wasm-bindgen-test): the schema is created, what is
//! written is read back by a new handle, an import cut short leaves no half trace, deletes.
#![cfg(target_arch = "wasm32")]
// clippy's test exemption only knows `#[test]`; these are `#[wasm_bindgen_test]`.
#![allow(
    clippy::expect_used,
    reason = "a test fails loudly on what it did not expect"
)]

use std::cell::RefCell;
use std::rc::Rc;

use plume::analysis::Traces;
use plume::engine::Engine;
use plume::engine::keeper::Keeper;
use plume::engine::protocol::{Request, Response, SpanSelection};
use plume::ingest;
use plume::model::Arena;
use plume::semantics::PriceFile;
use plume::store::idb::Db;
use plume::store::{
    FileRecord, SCHEMA_VERSION, StoredChunk, StoredEvaluation, StoredPriceFile, StoredTarget,
    TraceRecord, chunk, chunk_count, evaluations_key, file_key, price_file_key, stale_chunks,
};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A database of its own per test.
async fn fresh(name: &str) -> Db {
    Db::open(&format!("plume-test-{name}"), SCHEMA_VERSION)
        .await
        .expect("opened")
}

/// The traces of a fixture, with their records (generation 1) and chunks.
fn stored(bytes: &[u8]) -> Vec<(TraceRecord, Vec<StoredChunk>)> {
    let mut arena = Arena::default();
    ingest::load(&mut arena, "fixture", bytes);
    let traces = Traces::assemble(&arena);
    traces
        .all()
        .iter()
        .map(|trace| {
            let chunks: Vec<StoredChunk> = (0..chunk_count(&arena, trace))
                .map(|n| chunk(&arena, trace, n).expect("a chunk"))
                .collect();
            (
                TraceRecord::of(&arena, trace, 1, chunks.len() as u32),
                chunks,
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn opening_creates_the_schema() {
    let db = fresh("schema").await;
    assert_eq!(
        db.stores(),
        [
            "annotations",
            "chunks",
            "evaluations",
            "files",
            "prices",
            "settings",
            "traces"
        ]
    );
    assert!(db.records().await.expect("read").is_empty());
}

#[wasm_bindgen_test]
async fn what_is_written_is_read_back_by_a_new_handle() {
    let traces = stored(include_bytes!("fixtures/langchain-01.otlp.pb"));
    assert_eq!(traces.len(), 2);
    let db = fresh("roundtrip").await;
    for (record, chunks) in &traces {
        for (n, chunk) in chunks.iter().enumerate() {
            db.put_chunk(&record.chunk_key(n as u32), chunk)
                .await
                .expect("written");
        }
    }
    let records: Vec<TraceRecord> = traces.iter().map(|(r, _)| r.clone()).collect();
    db.put_records(&records).await.expect("written");
    db.close();

    let db = fresh("roundtrip").await;
    let mut read = db.records().await.expect("read");
    read.sort_by(|a, b| a.trace_id.cmp(&b.trace_id));
    let mut want = records.clone();
    want.sort_by(|a, b| a.trace_id.cmp(&b.trace_id));
    assert_eq!(read, want);
    let mut arena = Arena::default();
    for (record, chunks) in &traces {
        let keys: Vec<String> = record.chunk_keys().collect();
        let read = db.chunks(&keys).await.expect("read");
        assert_eq!(read.len(), chunks.len());
        for ((key, chunk), want) in keys.iter().zip(read).zip(chunks) {
            let chunk = chunk.expect("present");
            assert_eq!(&chunk, want, "the bytes and where their spans came from");
            ingest::load(&mut arena, key, &chunk.otlp);
        }
    }
    assert_eq!(arena.spans().len(), 18, "the spans read back");
}

#[wasm_bindgen_test]
async fn an_import_cut_short_leaves_no_half_trace_and_its_chunks_are_found_stale() {
    let traces = stored(include_bytes!("fixtures/openai-01.otlp.pb"));
    let (record, chunks) = &traces[0];
    let db = fresh("cut-short").await;
    // The chunks were written, then the tab closed before the record.
    db.put_chunk(&record.chunk_key(0), &chunks[0])
        .await
        .expect("written");
    db.close();

    let db = fresh("cut-short").await;
    let records = db.records().await.expect("read");
    assert!(records.is_empty(), "no trace without its record");
    let keys = db.chunk_keys().await.expect("read");
    let stale: Vec<String> = stale_chunks(&records, &keys)
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(stale, [record.chunk_key(0)]);
    db.delete(&[], &stale, &[]).await.expect("deleted");
    assert!(db.chunk_keys().await.expect("read").is_empty());
}

#[wasm_bindgen_test]
async fn deleting_a_trace_and_clearing_everything() {
    let traces = stored(include_bytes!("fixtures/langchain-01.otlp.pb"));
    let db = fresh("delete").await;
    for (record, chunks) in &traces {
        db.put_chunk(&record.chunk_key(0), &chunks[0])
            .await
            .expect("written");
        db.put_records(std::slice::from_ref(record))
            .await
            .expect("written");
    }
    let (gone, _) = &traces[0];
    db.delete(
        std::slice::from_ref(&gone.trace_id),
        &gone.chunk_keys().collect::<Vec<_>>(),
        &[],
    )
    .await
    .expect("deleted");
    let left = db.records().await.expect("read");
    assert_eq!(left, [traces[1].0.clone()]);
    assert_eq!(
        db.chunk_keys().await.expect("read"),
        [traces[1].0.chunk_key(0)]
    );
    db.clear().await.expect("cleared");
    assert!(db.records().await.expect("read").is_empty());
    assert!(db.chunk_keys().await.expect("read").is_empty());
}

#[wasm_bindgen_test]
async fn a_version_1_database_is_upgraded_step_by_step_and_keeps_its_traces() {
    let traces = stored(include_bytes!("fixtures/openai-01.otlp.pb"));
    let (record, chunks) = &traces[0];
    let name = "plume-test-upgrade";
    let v1 = Db::open(name, 1).await.expect("opened at version 1");
    assert_eq!(v1.stores(), ["chunks", "traces"]);
    // As Plume wrote chunks then: bare bytes.
    let bare = StoredChunk {
        otlp: chunks[0].otlp.clone(),
        origins: None,
    };
    v1.put_chunk(&record.chunk_key(0), &bare)
        .await
        .expect("written");
    v1.put_records(std::slice::from_ref(record))
        .await
        .expect("written");
    v1.close();

    // Each step in turn: version 2 adds the evaluations, version 3 the saved files, version 4
    // the price tables, version 5 the annotations and the settings.
    let v2 = Db::open(name, 2).await.expect("upgraded to version 2");
    assert_eq!(v2.stores(), ["chunks", "evaluations", "traces"]);
    v2.close();
    let db = Db::open(name, SCHEMA_VERSION).await.expect("upgraded");
    assert_eq!(
        db.stores(),
        [
            "annotations",
            "chunks",
            "evaluations",
            "files",
            "prices",
            "settings",
            "traces"
        ]
    );
    assert!(db.files().await.expect("read").is_empty());
    assert!(db.price_files().await.expect("read").is_empty());
    assert_eq!(
        db.records().await.expect("read"),
        std::slice::from_ref(record)
    );
    assert_eq!(
        db.chunks(&[record.chunk_key(0)]).await.expect("read"),
        vec![Some(bare)]
    );
    let (evaluations, last) = db.evaluations().await.expect("read");
    assert!(evaluations.is_empty() && last.is_none());
}

#[wasm_bindgen_test]
async fn price_tables_are_kept_in_load_order_until_deleted() {
    let db = fresh("prices").await;
    let table = |name: &str, n: u32| StoredPriceFile {
        key: price_file_key(n),
        name: name.into(),
        file: PriceFile::parse(r#"{"models": [{"id": "m", "input": 1}]}"#).expect("a table"),
    };
    for (name, n) in [("second.json", 2), ("first.json", 1)] {
        db.put_price_file(&table(name, n)).await.expect("written");
    }
    let names = |files: Vec<StoredPriceFile>| -> Vec<String> {
        files.into_iter().map(|f| f.name).collect()
    };
    assert_eq!(
        names(db.price_files().await.expect("read")),
        ["first.json", "second.json"]
    );
    db.delete_price_file(&price_file_key(1))
        .await
        .expect("deleted");
    assert_eq!(
        names(db.price_files().await.expect("read")),
        ["second.json"]
    );
}

#[wasm_bindgen_test]
async fn evaluations_are_kept_in_load_order() {
    let db = fresh("evaluations").await;
    let evaluation = |name: &str| StoredEvaluation {
        target: StoredTarget::Span("b7ad6b7169203331".into()),
        name: name.into(),
        score: Some(1.0),
        label: Some("correct".into()),
        explanation: None,
        annotator: Default::default(),
    };
    db.put_evaluations(&evaluations_key(10), &[evaluation("second")])
        .await
        .expect("written");
    db.put_evaluations(
        &evaluations_key(2),
        &[evaluation("first"), evaluation("first too")],
    )
    .await
    .expect("written");
    let (read, last) = db.evaluations().await.expect("read");
    let names: Vec<&str> = read.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["first", "first too", "second"]);
    assert_eq!(last, Some(evaluations_key(10)));
}

#[wasm_bindgen_test]
async fn a_kept_trace_is_read_alone_when_it_is_asked_for_and_a_second_import_adds_nothing() {
    let database = "plume-test-keeper";
    let openai: &[u8] = include_bytes!("fixtures/openai-01.otlp.pb");
    let engine = Rc::new(RefCell::new(Engine::default()));
    let (mut keeper, _) = Keeper::open(&engine, database).await.expect("opened");
    engine.borrow_mut().load(
        "langchain-01.otlp.pb",
        include_bytes!("fixtures/langchain-01.otlp.pb"),
        &mut |_| {},
    );
    engine
        .borrow_mut()
        .load("openai-01.otlp.pb", openai, &mut |_| {});
    let (kept, failure) = keeper.keep(&engine).await;
    assert!(failure.is_none());
    assert_eq!(kept.len(), 3);

    // The next page: the lists know everything from the records, no span is read.
    let later = Rc::new(RefCell::new(Engine::default()));
    let (mut keeper, opened) = Keeper::open(&later, database).await.expect("opened");
    assert_eq!((opened.traces, opened.spans), (3, 22));
    assert_eq!(later.borrow().summary(), engine.borrow().summary());
    let langchain = SpanSelection::Project("rag-langchain-demo".into());
    assert_eq!(later.borrow().unread_in(&langchain).len(), 2);
    let open = Request::OpenTrace {
        trace_id: "3a34990d3bcc7893ef125bc4b7879ed7".into(),
    };
    let unread = later.borrow().unread(&open);
    assert_eq!(unread.len(), 1);
    let problems = keeper.read(&later, &unread).await.expect("read");
    assert!(problems.is_empty(), "{problems:?}");
    let Response::Trace(trace) = later.borrow_mut().handle(open) else {
        panic!("expected the trace");
    };
    assert_eq!(trace.spans, 4);
    assert_eq!(
        later.borrow().unread_in(&langchain).len(),
        2,
        "the other traces are still unread"
    );

    // The same file again: nothing is stored twice.
    later
        .borrow_mut()
        .load("openai-01.otlp.pb", openai, &mut |_| {});
    let chunks_before = Db::open(database, SCHEMA_VERSION)
        .await
        .expect("opened")
        .chunk_keys()
        .await
        .expect("keys");
    let (kept, failure) = keeper.keep(&later).await;
    assert!(failure.is_none());
    assert_eq!(kept.len(), 1);
    let db = Db::open(database, SCHEMA_VERSION).await.expect("opened");
    assert_eq!(db.chunk_keys().await.expect("keys"), chunks_before);
    let third = Rc::new(RefCell::new(Engine::default()));
    let (_, opened) = Keeper::open(&third, database).await.expect("opened");
    assert_eq!((opened.traces, opened.spans), (3, 22));

    // A piece of the trace (a span its SDK sent later): its chunk is added, the rest untouched.
    let piece = br#"{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "3a34990d3bcc7893ef125bc4b7879ed7",
        "spanId": "00000000000000aa", "parentSpanId": "2b5538cd44d34c58", "name": "late",
        "startTimeUnixNano": "1", "endTimeUnixNano": "2"}]}]}]}"#;
    later.borrow_mut().load("piece.json", piece, &mut |_| {});
    let (kept, failure) = keeper.keep(&later).await;
    assert!(failure.is_none());
    assert_eq!(kept, ["3a34990d3bcc7893ef125bc4b7879ed7"]);
    let after = db.chunk_keys().await.expect("keys");
    assert_eq!(after.len(), chunks_before.len() + 1);
    assert!(
        chunks_before.iter().all(|key| after.contains(key)),
        "kept chunks stay"
    );
    let fourth = Rc::new(RefCell::new(Engine::default()));
    let (keeper, opened) = Keeper::open(&fourth, database).await.expect("opened");
    assert_eq!((opened.traces, opened.spans), (3, 23));
    let open = Request::OpenTrace {
        trace_id: "3a34990d3bcc7893ef125bc4b7879ed7".into(),
    };
    let unread = fourth.borrow().unread(&open);
    let problems = keeper.read(&fourth, &unread).await.expect("read");
    assert!(problems.is_empty(), "{problems:?}");
    let Response::Trace(trace) = fourth.borrow_mut().handle(open) else {
        panic!("expected the trace");
    };
    assert_eq!(trace.spans, 5);
}

#[wasm_bindgen_test]
async fn saved_files_are_listed_in_save_order_and_deleted_with_their_traces() {
    let db = fresh("files").await;
    let traces = stored(include_bytes!("fixtures/langchain-01.otlp.pb"));
    let records: Vec<TraceRecord> = traces.iter().map(|(r, _)| r.clone()).collect();
    db.put_records(&records).await.expect("written");
    let file = |saved_at_ms: u64, name: &str| FileRecord {
        key: file_key(saved_at_ms, 7),
        name: name.into(),
        format: Some("otlp-proto".into()),
        bytes: 1234,
        saved_at_ms,
        spans: 18,
        traces: records.iter().map(|r| r.trace_id.clone()).collect(),
    };
    // Written out of order, listed in save order (keys sort by time, not by name).
    let (later, earlier) = (file(1_800_000_000_000, "a.pb"), file(999, "b.pb"));
    db.put_file(&later).await.expect("written");
    db.put_file(&earlier).await.expect("written");
    assert_eq!(
        db.files().await.expect("read"),
        [earlier.clone(), later.clone()]
    );
    let ids: Vec<String> = records.iter().map(|r| r.trace_id.clone()).collect();
    db.delete(&ids, &[], std::slice::from_ref(&earlier.key))
        .await
        .expect("deleted");
    assert!(db.records().await.expect("read").is_empty());
    assert_eq!(db.files().await.expect("read"), [later]);
}

#[wasm_bindgen_test]
async fn another_tab_reads_only_the_piece_added_to_a_trace_it_has() {
    let database = "plume-test-sync-piece";
    let trace = "3a34990d3bcc7893ef125bc4b7879ed7";
    let first = Rc::new(RefCell::new(Engine::default()));
    let (mut first_keeper, _) = Keeper::open(&first, database).await.expect("opened");
    first.borrow_mut().load(
        "openai-01.otlp.pb",
        include_bytes!("fixtures/openai-01.otlp.pb"),
        &mut |_| {},
    );
    assert!(first_keeper.keep(&first).await.1.is_none());
    // Another tab reads the trace and adds a piece to it.
    let second = Rc::new(RefCell::new(Engine::default()));
    let (mut second_keeper, _) = Keeper::open(&second, database).await.expect("opened");
    let open = Request::OpenTrace {
        trace_id: trace.into(),
    };
    let unread = second.borrow().unread(&open);
    second_keeper.read(&second, &unread).await.expect("read");
    let piece = br#"{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "3a34990d3bcc7893ef125bc4b7879ed7",
        "spanId": "00000000000000bb", "parentSpanId": "2b5538cd44d34c58", "name": "late",
        "startTimeUnixNano": "1", "endTimeUnixNano": "2"}]}]}]}"#;
    second.borrow_mut().load("piece.json", piece, &mut |_| {});
    assert!(second_keeper.keep(&second).await.1.is_none());
    // The first tab hears of it: it reads the piece's chunk only.
    let changed = first_keeper
        .sync(&first, &[trace.to_owned()], true)
        .await
        .expect("synced");
    assert!(changed);
    assert_eq!(
        first.borrow().arena().spans().len(),
        5,
        "4 spans, and the piece's"
    );
    let Response::Trace(overview) = first.borrow_mut().handle(open) else {
        panic!("expected the trace");
    };
    assert_eq!(overview.spans, 5);
}

#[wasm_bindgen_test]
async fn an_annotation_is_kept_replaced_and_removed_by_its_key() {
    let db = fresh("annotations").await;
    let review = |label: &str| StoredEvaluation {
        target: StoredTarget::Span("b7ad6b7169203331".into()),
        name: "review".into(),
        score: None,
        label: Some(label.into()),
        explanation: None,
        annotator: plume::model::Annotator::Human,
    };
    let key = plume::store::annotation_key(&review("good"));
    db.put_annotation(&key, Some(&review("good")))
        .await
        .expect("written");
    db.put_annotation(&key, Some(&review("bad")))
        .await
        .expect("replaced");
    assert_eq!(db.annotations().await.expect("read"), [review("bad")]);
    db.put_annotation(&key, None).await.expect("removed");
    assert!(db.annotations().await.expect("read").is_empty());
}
