//! What trace servers answer (untrusted): every reader of `plume::sources` takes any bytes and
//! says what they hold or why not, never panicking; unwrapped documents read as files.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::model::Arena;
use plume::sources::{jaeger, phoenix, problem, tempo, zipkin};

fuzz_target!(|bytes: &[u8]| {
    let _ = phoenix::read_projects(bytes);
    let _ = phoenix::read_traces(bytes);
    let _ = phoenix::spans_cursor(bytes);
    let _ = jaeger::read_services(bytes);
    let _ = jaeger::read_services_v3(bytes);
    let _ = zipkin::read_services(bytes);
    let _ = tempo::read_search(bytes);
    let _ = problem(u16::from(bytes.first().copied().unwrap_or(0)) + 400, &String::from_utf8_lossy(bytes));
    let mut arena = Arena::default();
    if let Ok((lines, _)) = phoenix::read_annotations(bytes) {
        plume::ingest::load(&mut arena, "annotations", lines.as_bytes());
    }
    for document in [jaeger::unwrap_v3(bytes), tempo::unwrap_trace(bytes)].into_iter().flatten() {
        plume::ingest::load(&mut arena, "trace", &document);
    }
});
