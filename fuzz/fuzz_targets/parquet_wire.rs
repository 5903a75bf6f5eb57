//! The parquet helper's answer as the engine reads it: any bytes are an answer or an error, and
//! the rows it brings read as a Phoenix table.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::model::Arena;

mod common;

fuzz_target!(|bytes: &[u8]| {
    let table = plume::ingest::parquet_wire::decode(bytes);
    let mut arena = Arena::default();
    let report = plume::ingest::load_assembled(&mut arena, "fuzz", table, &mut |_| {});
    common::exercise(&arena, &report);
});
