//! The helper's answer as the engine reads it: any bytes are an answer or an error, and what
//! it brings (parquet rows, translated spans) reads into the arena as the format it was for; a
//! redaction's answer (tag byte 255 here) reads, and its spans and texts are used as the engine
//! uses them; a zstd file (tag byte 254) expands a piece at a time into a stream of its content,
//! as the helper and the engine read it in the browser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::ingest::helper_wire;
use plume::model::Arena;

mod common;

fuzz_target!(|bytes: &[u8]| {
    let Some((&tag, answer)) = bytes.split_first() else {
        return;
    };
    if tag == 254 {
        let mut arena = Arena::default();
        let report = plume::ingest::load_zstd_here(&mut arena, "fuzz.zst", answer);
        common::exercise(&arena, &report);
        return;
    }
    if tag == 255 {
        if let Ok(redacted) = plume::redact::job::read_answer(answer) {
            let mut text = redacted.text();
            let _ = text("any");
            if let Ok(arena) = redacted.arena() {
                let all: Vec<u32> = (0..arena.spans().len() as u32).collect();
                let _ = plume::export::encode(&arena, &all, plume::export::Target::OtlpJson);
            }
        }
        return;
    }
    let Some(format) = helper_wire::job_format(tag % 4) else {
        return;
    };
    let answer = helper_wire::decode(answer);
    let mut arena = Arena::default();
    let format = (format, Vec::new());
    let report = plume::ingest::load_helped(&mut arena, "fuzz", format, answer, &mut |_| {});
    common::exercise(&arena, &report);
});
