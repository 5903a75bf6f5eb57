//! Differential: an OTLP protobuf trace body read by Plume's direct reader (as every load reads
//! it) and by prost alone must store the same spans, attributes, events, links, resources and
//! scopes (compared as the OTLP/JSON each arena exports), with the same problems.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::export::{self, Target};

fuzz_target!(|bytes: &[u8]| {
    let [(direct, direct_problems), (prost, prost_problems)] =
        plume::ingest::read_both_ways(bytes);
    assert_eq!(direct.spans().len(), prost.spans().len());
    assert_eq!(direct_problems, prost_problems);
    let all = |n: usize| (0..n as u32).collect::<Vec<_>>();
    let spans = all(direct.spans().len());
    assert_eq!(
        export::encode(&direct, &spans, Target::OtlpJson),
        export::encode(&prost, &spans, Target::OtlpJson)
    );
});
