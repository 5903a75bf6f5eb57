//! Phoenix's unflatten and flatten on arbitrary keys and values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::attributes::{Value, flatten, load_json_string, unflatten};

fuzz_target!(|input: Vec<(String, String)>| {
    let pairs = input.into_iter().filter_map(|(key, text)| {
        let value = match text.len() % 3 {
            0 => Value::Str(text),
            1 => Value::Int(text.len() as i64),
            _ => Value::from_json(serde_json::from_str(&text).unwrap_or_default()),
        };
        load_json_string(&key, value).map(|value| (key, value))
    });
    let nested = unflatten(pairs);
    let _ = unflatten(flatten(&nested));
});
