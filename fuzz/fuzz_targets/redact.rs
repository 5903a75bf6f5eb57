//! Any text through the redaction rules, as a string value and as an OTLP/JSON document, with a
//! preview kept; and any text as a rules file (its patterns compiled): none of it may panic (the
//! scanners slice text at the places they find, and a rules file is untrusted).
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::redact::{Pattern, Redactor, Rules};

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    let _ = Rules::read(&text);
    let rules = Rules {
        patterns: vec![Pattern {
            name: "digits".into(),
            regex: r"\d{3,}".into(),
        }],
        ..Rules::default()
    };
    let mut redactor = Redactor::new(rules).previewing();
    let _ = redactor.text(&text);
    if let Ok(mut document) = serde_json::from_slice::<serde_json::Value>(input) {
        redactor.otlp_json(&mut document);
    }
    let _ = redactor.preview();
});
