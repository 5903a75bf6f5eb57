//! Sniffing and every reader behind it, compression included.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::model::Arena;

mod common;

fuzz_target!(|bytes: &[u8]| {
    let mut arena = Arena::default();
    let report = plume::ingest::load(&mut arena, "fuzz", bytes);
    common::exercise(&arena, &report);
});
