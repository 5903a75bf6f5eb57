//! The OtlpLogsJson reader on its own, without sniffing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::model::{Arena, Format};

mod common;

fuzz_target!(|bytes: &[u8]| {
    let mut arena = Arena::default();
    let report = plume::ingest::load_as(&mut arena, "fuzz", bytes, Format::OtlpLogsJson);
    common::exercise(&arena, &report);
});
