//! What trace servers answer (untrusted): every reader of `plume::sources` takes any bytes and
//! says what they hold or why not, never panicking; unwrapped documents read as files; the
//! helper's answers and parts to a server job read (or say why not), and parts read as files;
//! any text typed as a server's search makes a path or says why not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::model::Arena;
use plume::sources::{Search, jaeger, phoenix, problem, tempo, zipkin};

fuzz_target!(|bytes: &[u8]| {
    let _ = phoenix::read_projects(bytes);
    let _ = phoenix::read_traces(bytes);
    let _ = phoenix::spans_cursor(bytes);
    let _ = phoenix::span_ids(bytes);
    let _ = plume::sources::job::read_answer(bytes);
    let _ = jaeger::read_names(bytes);
    let _ = jaeger::read_services_v3(bytes);
    let _ = jaeger::read_operations_v3(bytes);
    let _ = zipkin::read_names(bytes);
    // What a person types as Jaeger's tags (and an operation), asked for as a path.
    let typed = String::from_utf8_lossy(bytes).into_owned();
    let search = Search {
        operation: Some(typed.clone()),
        filter: Some(typed),
        ..Search::default()
    };
    let _ = jaeger::traces(&search, 20, None);
    let _ = jaeger::traces_v3(&search, 20, None, 0);
    let _ = zipkin::traces(&search, 20, None, 0);
    let _ = tempo::read_search(bytes);
    let _ = problem(u16::from(bytes.first().copied().unwrap_or(0)) + 400, &String::from_utf8_lossy(bytes));
    let mut arena = Arena::default();
    if let Ok((lines, _)) = phoenix::read_annotations(bytes) {
        plume::ingest::load(&mut arena, "annotations", lines.as_bytes());
    }
    if let Ok(file) = plume::sources::job::read_part(bytes) {
        plume::ingest::load(&mut arena, &file.name, &file.bytes);
    }
    for document in [jaeger::unwrap_v3(bytes), tempo::unwrap_trace(bytes)].into_iter().flatten() {
        plume::ingest::load(&mut arena, "trace", &document);
    }
});
