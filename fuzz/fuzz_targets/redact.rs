//! Any text through the redaction rules, as a string value and as an OTLP/JSON document: it must
//! never panic (the scanners slice text at the places they find).
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::redact::{Redactor, Rules};

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    let mut redactor = Redactor::new(Rules::default());
    let _ = redactor.text(&text);
    if let Ok(mut document) = serde_json::from_slice::<serde_json::Value>(input) {
        redactor.otlp_json(&mut document);
    }
});
