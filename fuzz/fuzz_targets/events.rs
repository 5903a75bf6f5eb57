//! Any bytes as a stream of server-sent events, cut anywhere into chunks: reading must never
//! panic, and the events must not depend on where the stream was cut.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::engine::events::EventText;

fuzz_target!(|input: &[u8]| {
    let whole = EventText::default().feed(input);
    let cut = input.first().map_or(0, |&b| usize::from(b) % (input.len() + 1));
    let mut text = EventText::default();
    let mut parts = text.feed(&input[..cut]);
    parts.extend(text.feed(&input[cut..]));
    assert_eq!(whole, parts);
});
