//! flatten is unflatten's inverse where it matters: unflatten → flatten → unflatten gives back
//! what the first unflatten gave, on every fixture span and on generated attribute sets shaped as
//! instrumentations write them (indices count from 0 and always continue a path). For arbitrary
//! keys it is not, in Plume as in Phoenix: indices are compacted, so `x.2.a` and a scalar `x.0`
//! meet on the way back.

use plume::attributes::{
    Map, Value, flatten, load_json_string, span_attributes, unflatten, value_from_any,
};
use plume::ingest;
use plume::model::Arena;
use proptest::prelude::*;

mod common;

/// Nesting as spans are shown: JSON-string attributes loaded, then unflattened.
fn nest(pairs: impl IntoIterator<Item = (String, Value)>) -> Map {
    unflatten(
        pairs
            .into_iter()
            .filter_map(|(key, value)| load_json_string(&key, value).map(|v| (key, v))),
    )
}

fn as_json(map: &Map) -> serde_json::Value {
    serde_json::to_value(map).unwrap_or_default()
}

#[test]
fn identity_on_every_fixture_span() {
    let files = common::SPAN_FIXTURES;
    let mut spans = 0;
    for file in files {
        let bytes = std::fs::read(format!(
            "{}/tests/fixtures/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap_or_default();
        let mut arena = Arena::default();
        assert!(ingest::load(&mut arena, file, &bytes).is_ok());
        for span in arena.spans() {
            let flat: Vec<(String, Value)> = arena
                .attributes(span.attributes)
                .iter()
                .map(|kv| {
                    (
                        arena.str(kv.key).to_owned(),
                        value_from_any(&arena, kv.value),
                    )
                })
                .collect();
            let once = nest(flat);
            let twice = nest(flatten(&once));
            assert_eq!(
                as_json(&twice),
                as_json(&once),
                "{file}: {}",
                arena.str(span.name)
            );
            // And the view the UI gets is the same nesting.
            assert_eq!(
                as_json(&span_attributes(&arena, span.attributes)),
                as_json(&once)
            );
            spans += 1;
        }
    }
    assert!(spans > 100);
}

/// Keys whose index segments only continue a path and count from 0, as instrumentations write
/// them (`llm.input_messages.0.message.role`).
fn dense_key() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("llm"),
        Just("input_messages"),
        Just("message"),
        Just("role"),
        Just("content"),
        Just("metadata"),
        Just("tool"),
        Just("parameters"),
        Just("a"),
        Just("b"),
    ];
    prop::collection::vec((name, any::<bool>()), 1..5).prop_map(|segments| {
        let last = segments.len() - 1;
        let mut key: Vec<&str> = Vec::new();
        for (i, (name, indexed)) in segments.into_iter().enumerate() {
            key.push(name);
            if indexed && i < last {
                key.push("0");
            }
        }
        key.join(".")
    })
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::Int),
        any::<bool>().prop_map(Value::Bool),
        "[a-z ]{0,12}".prop_map(Value::Str),
        prop::collection::vec(any::<i32>().prop_map(|n| Value::Int(i64::from(n))), 0..4)
            .prop_map(Value::Array),
        Just(Value::Str("{\"topic\": \"billing\", \"n\": 2}".into())),
    ]
}

proptest! {
    #[test]
    fn identity_when_indices_are_dense(pairs in prop::collection::vec((dense_key(), value()), 0..24)) {
        let once = nest(pairs);
        let twice = nest(flatten(&once));
        prop_assert_eq!(as_json(&twice), as_json(&once));
    }
}
