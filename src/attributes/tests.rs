//! Phoenix's own test cases (`tests/unit/trace/test_attributes.py`), ported, plus ours.

use serde_json::json;

use super::*;

/// Input pairs, as JSON values.
type Pairs<'a> = Vec<(&'a str, serde_json::Value)>;

fn pairs(json_pairs: &[(&str, serde_json::Value)]) -> Vec<(String, Value)> {
    json_pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::from_json(v.clone())))
        .collect()
}

fn as_json(map: &Map) -> serde_json::Value {
    serde_json::to_value(map).unwrap_or_default()
}

/// Asserts `unflatten(input) == expected`, and (unless order matters) for the reversed input too.
fn check(input: &[(&str, serde_json::Value)], expected: serde_json::Value, order_dependent: bool) {
    let forward = pairs(input);
    assert_eq!(
        as_json(&unflatten(forward.clone())),
        expected,
        "input {input:?}"
    );
    if !order_dependent {
        let reversed: Vec<_> = forward.into_iter().rev().collect();
        assert_eq!(
            as_json(&unflatten(reversed)),
            expected,
            "reversed {input:?}"
        );
    }
}

#[test]
fn phoenix_test_unflatten() {
    check(
        &[
            ("retrieval.documents.1.document.content", json!("bcd")),
            ("llm.token_count.prompt", json!(10)),
            ("retrieval.documents.3.document.score", json!(345)),
            ("input.value", json!("xyz")),
            ("retrieval.documents.0.document.content", json!("abc")),
            ("llm.token_count.completion", json!(20)),
            ("retrieval.documents.1.document.score", json!(432)),
            ("output.value", json!("zyx")),
            ("retrieval.documents.2.document.content", json!("cde")),
            ("metadata", json!({"a.b.c": 123, "1.2.3": "abc"})),
            ("retrieval.documents.0.document.score", json!(321)),
        ],
        json!({
            "input": {"value": "xyz"},
            "output": {"value": "zyx"},
            "metadata": {"a.b.c": 123, "1.2.3": "abc"},
            "llm": {"token_count": {"prompt": 10, "completion": 20}},
            "retrieval": {"documents": [
                {"document": {"content": "abc", "score": 321}},
                {"document": {"content": "bcd", "score": 432}},
                {"document": {"content": "cde"}},
                {"document": {"score": 345}},
            ]},
        }),
        false,
    );
    let cases: Vec<(Pairs, serde_json::Value)> = vec![
        (vec![], json!({})),
        (vec![("1", json!(0))], json!({"1": 0})),
        (vec![("1.2", json!(0))], json!({"1": {"2": 0}})),
        (vec![("1.0.2", json!(0))], json!({"1": [{"2": 0}]})),
        (vec![("1.0.2.3", json!(0))], json!({"1": [{"2": {"3": 0}}]})),
        (
            vec![("1.0.2.0.3", json!(0))],
            json!({"1": [{"2": [{"3": 0}]}]}),
        ),
        (
            vec![("1.0.2.0.3.4", json!(0))],
            json!({"1": [{"2": [{"3": {"4": 0}}]}]}),
        ),
        (
            vec![("1.0.2.0.3.0.4", json!(0))],
            json!({"1": [{"2": [{"3": [{"4": 0}]}]}]}),
        ),
        (
            vec![("1.2", json!(1)), ("1", json!(0))],
            json!({"1": 0, "1.2": 1}),
        ),
        (
            vec![("1.2.3", json!(1)), ("1", json!(0))],
            json!({"1": 0, "1.2": {"3": 1}}),
        ),
        (
            vec![("1.2.3", json!(1)), ("1.2", json!(0))],
            json!({"1": {"2": 0, "2.3": 1}}),
        ),
        (
            vec![("1.2.0.3", json!(1)), ("1", json!(0))],
            json!({"1": 0, "1.2": [{"3": 1}]}),
        ),
        (
            vec![("1.2.3.4", json!(1)), ("1.2", json!(0))],
            json!({"1": {"2": 0, "2.3": {"4": 1}}}),
        ),
        (
            vec![("1.0.2.3", json!(1)), ("1.0.2", json!(0))],
            json!({"1": [{"2": 0, "2.3": 1}]}),
        ),
        (
            vec![("1.2.0.3.4", json!(1)), ("1", json!(0))],
            json!({"1": 0, "1.2": [{"3": {"4": 1}}]}),
        ),
        (
            vec![("1.2.3.0.4", json!(1)), ("1.2", json!(0))],
            json!({"1": {"2": 0, "2.3": [{"4": 1}]}}),
        ),
        (
            vec![("1.0.2.3.4", json!(1)), ("1.0.2", json!(0))],
            json!({"1": [{"2": 0, "2.3": {"4": 1}}]}),
        ),
        (
            vec![("1.0.2.3.4", json!(1)), ("1.0.2.3", json!(0))],
            json!({"1": [{"2": {"3": 0, "3.4": 1}}]}),
        ),
        (
            vec![("1.2.0.3.0.4", json!(1)), ("1", json!(0))],
            json!({"1": 0, "1.2": [{"3": [{"4": 1}]}]}),
        ),
        (
            vec![("1.2.3.0.4.5", json!(1)), ("1.2", json!(0))],
            json!({"1": {"2": 0, "2.3": [{"4": {"5": 1}}]}}),
        ),
        (
            vec![("1.0.2.3.0.4", json!(1)), ("1.0.2", json!(0))],
            json!({"1": [{"2": 0, "2.3": [{"4": 1}]}]}),
        ),
        (
            vec![("1.0.2.3.4.5", json!(1)), ("1.0.2.3", json!(0))],
            json!({"1": [{"2": {"3": 0, "3.4": {"5": 1}}}]}),
        ),
        (
            vec![("1.0.2.0.3.4", json!(1)), ("1.0.2.0.3", json!(0))],
            json!({"1": [{"2": [{"3": 0, "3.4": 1}]}]}),
        ),
        (
            vec![("1.2.0.3.0.4.5", json!(1)), ("1", json!(0))],
            json!({"1": 0, "1.2": [{"3": [{"4": {"5": 1}}]}]}),
        ),
        (
            vec![("1.2.3.0.4.0.5", json!(1)), ("1.2", json!(0))],
            json!({"1": {"2": 0, "2.3": [{"4": [{"5": 1}]}]}}),
        ),
        (
            vec![("1.0.2.3.0.4.5", json!(1)), ("1.0.2", json!(0))],
            json!({"1": [{"2": 0, "2.3": [{"4": {"5": 1}}]}]}),
        ),
        (
            vec![("1.0.2.3.4.0.5", json!(1)), ("1.0.2.3", json!(0))],
            json!({"1": [{"2": {"3": 0, "3.4": [{"5": 1}]}}]}),
        ),
        (
            vec![("1.0.2.0.3.4.5", json!(1)), ("1.0.2.0.3", json!(0))],
            json!({"1": [{"2": [{"3": 0, "3.4": {"5": 1}}]}]}),
        ),
        (
            vec![("1.0.2.0.3.4.5", json!(1)), ("1.0.2.0.3.4", json!(0))],
            json!({"1": [{"2": [{"3": {"4": 0, "4.5": 1}}]}]}),
        ),
        (
            vec![
                ("1.0.2.3.4.5.6", json!(2)),
                ("1.0.2.3.4", json!(1)),
                ("1.0.2", json!(0)),
            ],
            json!({"1": [{"2": 0, "2.3": {"4": 1, "4.5": {"6": 2}}}]}),
        ),
        (
            vec![
                ("0.0.0.0.0", json!(4)),
                ("0.0.0.0", json!(3)),
                ("0.0.0", json!(2)),
                ("0.0", json!(1)),
                ("0", json!(0)),
            ],
            json!({"0": 0, "0.0": 1, "0.0.0": 2, "0.0.0.0": 3, "0.0.0.0.0": 4}),
        ),
        (
            vec![
                ("a.9999999.c", json!(2)),
                ("a.9999999.b", json!(1)),
                ("a.99999.b", json!(0)),
            ],
            json!({"a": [{"b": 0}, {"b": 1, "c": 2}]}),
        ),
        (
            vec![
                ("a", json!(0)),
                ("c", json!(2)),
                ("b", json!(1)),
                ("d", json!(3)),
            ],
            json!({"a": 0, "b": 1, "c": 2, "d": 3}),
        ),
        (
            vec![
                ("a.b.c", json!(0)),
                ("a.e", json!(2)),
                ("a.b.d", json!(1)),
                ("f", json!(3)),
            ],
            json!({"a": {"b": {"c": 0, "d": 1}, "e": 2}, "f": 3}),
        ),
        (
            vec![
                ("a.1.d", json!(3)),
                ("a.0.d", json!(2)),
                ("a.0.c", json!(1)),
                ("a.b", json!(0)),
            ],
            json!({"a.b": 0, "a": [{"c": 1, "d": 2}, {"d": 3}]}),
        ),
        (
            vec![
                ("a.0.d", json!(3)),
                ("a.0.c", json!(2)),
                ("a.b", json!(1)),
                ("a", json!(0)),
            ],
            json!({"a": 0, "a.b": 1, "a.0": {"c": 2, "d": 3}}),
        ),
        (
            vec![
                ("a.0.1.d", json!(3)),
                ("a.0.0.c", json!(2)),
                ("a", json!(1)),
                ("a.b", json!(0)),
            ],
            json!({"a.b": 0, "a": 1, "a.0": [{"c": 2}, {"d": 3}]}),
        ),
        (
            vec![
                ("a.1.0.e", json!(3)),
                ("a.0.0.d", json!(2)),
                ("a.0.0.c", json!(1)),
                ("a.b", json!(0)),
            ],
            json!({"a.b": 0, "a": [{"0": {"c": 1, "d": 2}}, {"0": {"e": 3}}]}),
        ),
        (
            vec![
                ("a.b.1.e.0.f", json!(2)),
                ("a.b.0.c", json!(0)),
                ("a.b.0.d.e.0.f", json!(1)),
            ],
            json!({"a": {"b": [{"c": 0, "d": {"e": [{"f": 1}]}}, {"e": [{"f": 2}]}]}}),
        ),
    ];
    for (input, expected) in cases {
        check(&input, expected, false);
    }
}

#[test]
fn phoenix_test_unflatten_separator() {
    let cases: Vec<(&str, Pairs, serde_json::Value)> = vec![
        (
            "#",
            vec![("1#2#3", json!(1)), ("1", json!(0))],
            json!({"1": 0, "1#2": {"3": 1}}),
        ),
        (
            "$$",
            vec![("1$$0$$2$$3$$0$$4$$5", json!(1)), ("1$$0$$2", json!(0))],
            json!({"1": [{"2": 0, "2$$3": [{"4": {"5": 1}}]}]}),
        ),
        (
            "!!!",
            vec![
                ("1!!!0!!!2!!!0!!!3!!!4!!!5", json!(1)),
                ("1!!!0!!!2!!!0!!!3!!!4", json!(0)),
            ],
            json!({"1": [{"2": [{"3": {"4": 0, "4!!!5": 1}}]}]}),
        ),
    ];
    for (separator, input, expected) in cases {
        for order in [pairs(&input), pairs(&input).into_iter().rev().collect()] {
            assert_eq!(
                as_json(&unflatten_with_separator(order, separator)),
                expected
            );
        }
    }
}

#[test]
fn phoenix_test_unflatten_edge_cases() {
    let cases: Vec<(Pairs, serde_json::Value, bool)> = vec![
        (
            vec![
                ("a.b.c", json!(1)),
                ("x", json!({"y": {"z": 2}})),
                ("p.q", json!(3)),
                ("m", json!({"n": 4})),
                ("items.0.name", json!("first")),
                ("items.1.name", json!("second")),
                ("tags", json!(["foo", "bar"])),
                ("nested.0.id", json!(100)),
                ("nested.0.status", json!("active")),
            ],
            json!({
                "a": {"b": {"c": 1}}, "x": {"y": {"z": 2}}, "p": {"q": 3}, "m": {"n": 4},
                "items": [{"name": "first"}, {"name": "second"}], "tags": ["foo", "bar"],
                "nested": [{"id": 100, "status": "active"}],
            }),
            false,
        ),
        (
            vec![("a", json!({"b": 1})), ("a.c", json!(2))],
            json!({"a": {"b": 1}, "a.c": 2}),
            false,
        ),
        (
            vec![
                ("a", json!({"b": {"c": 1, "d": 2}, "e": 3})),
                ("a.f.g", json!(4)),
                ("a.h.i.j", json!(5)),
                ("a.k", json!(6)),
            ],
            json!({"a": {"b": {"c": 1, "d": 2}, "e": 3}, "a.f": {"g": 4}, "a.h": {"i": {"j": 5}}, "a.k": 6}),
            false,
        ),
        (
            vec![
                ("x.y", json!({"a": 1})),
                ("x.y.b", json!(2)),
                ("x.z", json!(3)),
            ],
            json!({"x": {"y": {"a": 1}, "y.b": 2, "z": 3}}),
            false,
        ),
        (
            vec![
                ("root", json!({"a": {"b": 1}, "c": {"d": 2}})),
                ("root.a.e", json!(3)),
                ("root.c.f", json!(4)),
                ("root.g", json!(5)),
            ],
            json!({"root": {"a": {"b": 1}, "c": {"d": 2}}, "root.a": {"e": 3}, "root.c": {"f": 4}, "root.g": 5}),
            false,
        ),
        (
            vec![("a", json!({"b": 1})), ("a.b", json!(2))],
            json!({"a": {"b": 1}, "a.b": 2}),
            false,
        ),
        (
            vec![("a.b.c", json!(1)), ("a", json!({"b": {"d": 2}}))],
            json!({"a": {"b": {"d": 2}}, "a.b": {"c": 1}}),
            false,
        ),
        (
            vec![("a", json!({"b": {"c": 1}})), ("a.b.d", json!(2))],
            json!({"a": {"b": {"c": 1}}, "a.b": {"d": 2}}),
            false,
        ),
        (
            vec![("a.b", json!(1)), ("a", json!({"b": {"c": 2}}))],
            json!({"a": {"b": {"c": 2}}, "a.b": 1}),
            false,
        ),
        (
            vec![("a.0.b", json!(1)), ("a", json!([{"b": 2}]))],
            json!({"a": [{"b": 2}], "a.0": {"b": 1}}),
            false,
        ),
        (
            vec![("x.y", json!({"z": 1})), ("x", json!({"y": {"z": 2}}))],
            json!({"x": {"y": {"z": 2}}, "x.y": {"z": 1}}),
            false,
        ),
        (
            vec![("a", json!(null)), ("a.b", json!(1))],
            json!({"a": {"b": 1}}),
            false,
        ),
        (
            vec![("a.b", json!(1)), ("a", json!(null))],
            json!({"a": {"b": 1}}),
            false,
        ),
        (
            vec![
                ("arr.0", json!("first")),
                ("arr.2", json!("third")),
                ("arr.5", json!("sixth")),
            ],
            json!({"arr": {"0": "first", "2": "third", "5": "sixth"}}),
            false,
        ),
        (
            vec![
                ("items.0.0.name", json!("nested")),
                ("items.0.1.name", json!("array")),
                ("items.1.0.name", json!("second")),
            ],
            json!({"items": [{"0": {"name": "nested"}, "1": {"name": "array"}}, {"0": {"name": "second"}}]}),
            false,
        ),
        (
            vec![
                ("a.0", json!("array_element")),
                ("a.b", json!("dict_value")),
            ],
            json!({"a": {"0": "array_element", "b": "dict_value"}}),
            false,
        ),
        (
            vec![
                ("items.0.tags.0", json!("tag1")),
                ("items.0.tags.1", json!("tag2")),
                ("items.0.name", json!("item1")),
                ("items.1.tags.0", json!("tag3")),
            ],
            json!({"items": [{"name": "item1", "tags": {"0": "tag1", "1": "tag2"}}, {"tags": {"0": "tag3"}}]}),
            false,
        ),
        (
            vec![("list.0", json!([1, 2, 3])), ("list.1.a", json!("value"))],
            json!({"list": [{"a": "value"}], "list.0": [1, 2, 3]}),
            false,
        ),
        (
            vec![
                ("data.0.items.0.value", json!("a")),
                ("data.0.items.1.value", json!("b")),
                ("data.1.items.0.value", json!("c")),
            ],
            json!({"data": [{"items": [{"value": "a"}, {"value": "b"}]}, {"items": [{"value": "c"}]}]}),
            false,
        ),
        (
            vec![("a.00", json!("value1")), ("a.0", json!("value2"))],
            json!({"a": {"0": "value2"}}),
            true,
        ),
        (
            vec![
                ("a.-1", json!("negative")),
                ("a.-0", json!("negative_zero")),
            ],
            json!({"a": {"-0": "negative_zero", "-1": "negative"}}),
            false,
        ),
        (
            vec![("a.0a", json!("mixed")), ("a.1x", json!("alpha"))],
            json!({"a": {"0a": "mixed", "1x": "alpha"}}),
            false,
        ),
        (
            vec![("a.b", json!({})), ("x.y", json!([]))],
            json!({"a": {"b": {}}, "x": {"y": []}}),
            false,
        ),
        (
            vec![("a.0.b", json!(1)), ("a.0.b", json!(2))],
            json!({"a": [{"b": 2}]}),
            true,
        ),
        (
            vec![("a.0.b.c.d.e.f.g.h.i.j.k", json!("deep"))],
            json!({"a": [{"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": "deep"}}}}}}}}}}]}),
            false,
        ),
        (
            vec![("", json!("empty_key"))],
            json!({"": "empty_key"}),
            false,
        ),
        (
            vec![("a..b", json!("double_dot"))],
            json!({"a": {"b": "double_dot"}}),
            false,
        ),
        (
            vec![("a.0", json!("first")), ("a.0.x", json!("extended"))],
            json!({"a": {"0": "first", "0.x": "extended"}}),
            false,
        ),
        (
            vec![("a", json!([{"b": 1}, {"c": 2}])), ("a.0.d", json!(3))],
            json!({"a": [{"b": 1}, {"c": 2}], "a.0": {"d": 3}}),
            false,
        ),
        (
            vec![
                ("items.2.name", json!("third")),
                ("items.0.name", json!("first")),
                ("items.1.name", json!("second")),
            ],
            json!({"items": [{"name": "first"}, {"name": "second"}, {"name": "third"}]}),
            false,
        ),
        (
            vec![("a.b.c.d", json!({"e": 1})), ("a.b.c.d.e", json!(2))],
            json!({"a": {"b": {"c": {"d": {"e": 1}, "d.e": 2}}}}),
            false,
        ),
        (
            vec![
                ("emoji.😀", json!("happy")),
                ("中文.key", json!("chinese")),
                ("spaced key.value", json!("works")),
            ],
            json!({"emoji": {"😀": "happy"}, "中文": {"key": "chinese"}, "spaced key": {"value": "works"}}),
            false,
        ),
        (
            vec![
                ("a.1.5", json!("looks_like_float")),
                ("b.0.0", json!("multiple_dots")),
            ],
            json!({"a": [{"5": "looks_like_float"}], "b": [{"0": "multiple_dots"}]}),
            false,
        ),
        (
            vec![("a", json!([1, 2, 3])), ("a", json!({"b": 1}))],
            json!({"a": {"b": 1}}),
            true,
        ),
        (
            vec![("a", json!({"b": 1})), ("a", json!([1, 2, 3]))],
            json!({"a": [1, 2, 3]}),
            true,
        ),
        (
            vec![("a.0.b.1.c.2.d", json!("nested_mixed"))],
            json!({"a": [{"b": [{"c": [{"d": "nested_mixed"}]}]}]}),
            false,
        ),
        (
            vec![
                ("bool.true", json!(true)),
                ("bool.false", json!(false)),
                ("float.value", json!(2.5)),
                ("int.value", json!(42)),
            ],
            json!({"bool": {"true": true, "false": false}, "float": {"value": 2.5}, "int": {"value": 42}}),
            false,
        ),
        (
            vec![
                (" leading.space", json!(1)),
                ("trailing.space ", json!(2)),
                ("  both  .  spaces  ", json!(3)),
            ],
            json!({"leading": {"space": 1}, "trailing": {"space": 2}, "both": {"spaces": 3}}),
            false,
        ),
        (
            vec![("arr", json!([{"x": 1}])), ("arr.5.y", json!(2))],
            json!({"arr": [{"x": 1}], "arr.5": {"y": 2}}),
            false,
        ),
        (
            vec![
                ("a.0.0.x", json!(1)),
                ("a.0.1.x", json!(2)),
                ("a.1.0.x", json!(3)),
            ],
            json!({"a": [{"0": {"x": 1}, "1": {"x": 2}}, {"0": {"x": 3}}]}),
            false,
        ),
    ];
    for (input, expected, order_dependent) in cases {
        check(&input, expected, order_dependent);
    }
}

#[test]
fn phoenix_test_get_attribute_value() {
    let cases = [
        (json!({}), "a.b.c", None),
        (json!({"a": "b"}), "a", Some(json!("b"))),
        (json!({"a": "b"}), "a.b", None),
        (json!({"a": "b"}), "a.b.c", None),
        (
            json!({"a": {"b": "c", "d": "e"}}),
            "a",
            Some(json!({"b": "c", "d": "e"})),
        ),
        (json!({"a": {"b": "c", "d": "e"}}), "a.b", Some(json!("c"))),
        (json!({"a": {"b": "c", "d": "e"}}), "a.b.c", None),
        (
            json!({"a": {"b": {"c": "d"}}}),
            "a",
            Some(json!({"b": {"c": "d"}})),
        ),
        (
            json!({"a": {"b": {"c": "d"}}}),
            "a.b",
            Some(json!({"c": "d"})),
        ),
        (json!({"a": {"b": {"c": "d"}}}), "a.b.c", Some(json!("d"))),
        (json!({"a": {"bb": {"c": "d"}}}), "a.b.c", None),
        (json!({"a": {"b": "c"}}), "", None),
        (json!({"a": {"b": "c"}}), ".", None),
        (json!({"a": {"b": "c"}}), "a.", None),
        (json!({"a": {"b": "c"}}), "..", None),
        (json!({"a": {"b": "c"}}), "a..", None),
    ];
    for (mapping, key, expected) in cases {
        let Value::Map(map) = Value::from_json(mapping) else {
            panic!("test mapping is a map");
        };
        let found = map
            .get_path(key)
            .map(|v| serde_json::to_value(v).unwrap_or_default());
        assert_eq!(found, expected, "{key:?}");
    }
}

#[test]
fn json_string_attributes_are_loaded_as_phoenix_does() {
    let load = |key: &str, text: &str| load_json_string(key, Value::from(text));
    assert_eq!(
        load("metadata", r#"{"topic": "billing"}"#)
            .map(|v| serde_json::to_value(v).unwrap_or_default()),
        Some(json!({"topic": "billing"}))
    );
    // Suffix match, exactly like Python's str.endswith.
    assert!(matches!(
        load("retrieval.documents.0.document.metadata", "[1]"),
        Some(Value::Array(_))
    ));
    assert!(matches!(
        load("user_metadata", "[1]"),
        Some(Value::Array(_))
    ));
    // Empty JSON is dropped, text that is not JSON stays text, other keys are untouched.
    assert_eq!(load("metadata", "{}"), None);
    assert_eq!(load("tool.parameters", "0"), None);
    assert_eq!(load("metadata", "not json"), Some(Value::from("not json")));
    assert_eq!(load("input.value", "{}"), Some(Value::from("{}")));
    assert_eq!(
        load_json_string("metadata", Value::Int(3)),
        Some(Value::Int(3))
    );
}

#[test]
fn flatten_is_phoenix_flatten_with_sequences_and_json_strings() {
    let Value::Map(nested) = Value::from_json(json!({
        "llm": {
            "input_messages": [{"message": {"role": "user", "content": "hi"}}],
            "token_count": {"prompt": 9},
        },
        "tag": {"tags": ["a", "b"]},
        "metadata": {"topic": "billing", "n": 1.0, "é": [1, null]},
        "skipped": null,
    })) else {
        panic!("a map");
    };
    let flat: Vec<(String, serde_json::Value)> = flatten(&nested)
        .into_iter()
        .map(|(k, v)| (k, serde_json::to_value(v).unwrap_or_default()))
        .collect();
    assert_eq!(
        flat,
        vec![
            (
                "llm.input_messages.0.message.role".to_owned(),
                json!("user")
            ),
            (
                "llm.input_messages.0.message.content".to_owned(),
                json!("hi")
            ),
            ("llm.token_count.prompt".to_owned(), json!(9)),
            ("tag.tags".to_owned(), json!(["a", "b"])),
            (
                "metadata".to_owned(),
                json!("{\"topic\": \"billing\", \"n\": 1.0, \"\\u00e9\": [1, null]}")
            ),
        ]
    );
}

#[test]
fn float_repr_matches_python() {
    for (x, python) in [
        (1.0, "1.0"),
        (0.1, "0.1"),
        (-2.5, "-2.5"),
        (1e16, "1e+16"),
        (1.5e-5, "1.5e-05"),
        (0.0001, "0.0001"),
        (123_456_789_012_345_680.0, "1.2345678901234568e+17"),
        (1e22, "1e+22"),
        (9_999_999_999_999_998.0, "9999999999999998.0"),
        (f64::NAN, "NaN"),
        (f64::NEG_INFINITY, "-Infinity"),
    ] {
        assert_eq!(python_float_repr(x), python, "{x}");
    }
}

#[test]
fn hostile_keys_do_not_exhaust_the_stack() {
    let key = ".".repeat(100_000) + "x";
    let deep = "a.".repeat(50_000) + "b";
    let map = unflatten([(key, Value::Int(1)), (deep, Value::Int(2))]);
    assert_eq!(map.len(), 2);
}

#[test]
fn list_indices_are_ordered_as_numbers() {
    // Ten or more messages: as text, 10 and 11 would come before 2.
    let input: Vec<(String, Value)> = (0..12)
        .rev()
        .map(|i| {
            (
                format!("llm.input_messages.{i}.message.content"),
                Value::from_json(json!(format!("m{i}"))),
            )
        })
        .collect();
    let expected: Vec<serde_json::Value> = (0..12)
        .map(|i| json!({"message": {"content": format!("m{i}")}}))
        .collect();
    assert_eq!(
        as_json(&unflatten(input)),
        json!({"llm": {"input_messages": expected}})
    );
}

#[test]
fn maps_are_equal_only_with_the_same_entries() {
    let map = |pairs: &[(&str, i64)]| {
        Map::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::Int(*v)))
                .collect(),
        )
    };
    assert_eq!(map(&[("a", 1), ("b", 2)]), map(&[("b", 2), ("a", 1)]));
    assert_ne!(map(&[("a", 1)]), map(&[("a", 2)]));
    assert_ne!(map(&[("a", 1)]), map(&[("b", 1)]));
    assert_ne!(map(&[("a", 1)]), map(&[("a", 1), ("b", 2)]));
    assert_ne!(map(&[("a", 1), ("b", 2)]), map(&[("a", 1)]));
}

#[test]
fn json_strings_that_parse_to_python_falsy_values_are_dropped() {
    let load = |text: &str| load_json_string("metadata", Value::from(text));
    for falsy in ["0.0", "\"\"", "[]", "false", "null", "0"] {
        assert_eq!(load(falsy), None, "{falsy}");
    }
    assert_eq!(load("1.5"), Some(Value::Double(1.5)));
    assert_eq!(load("-2"), Some(Value::Int(-2)));
    assert_eq!(load("true"), Some(Value::Bool(true)));
    assert_eq!(load("\"x\""), Some(Value::from("x")));
}

#[test]
fn non_finite_floats_serialize_as_their_names() {
    let text = |x: f64| serde_json::to_string(&Value::Double(x)).unwrap_or_default();
    assert_eq!(text(f64::NAN), "\"NaN\"");
    assert_eq!(text(f64::INFINITY), "\"Infinity\"");
    assert_eq!(text(f64::NEG_INFINITY), "\"-Infinity\"");
    assert_eq!(text(0.5), "0.5");
    assert_eq!(python_float_repr(f64::INFINITY), "Infinity");
}

#[test]
fn a_key_of_many_segments_nests_exactly_max_key_segments_deep() {
    let key = vec!["k"; 200].join(".");
    let map = unflatten([(key, Value::Int(1))]);
    let mut depth = 0;
    let mut value = &Value::Map(map);
    let mut last_key = String::new();
    while let Value::Map(inner) = value {
        let (key, next) = inner.iter().next().expect("one entry");
        last_key = key.to_owned();
        value = next;
        depth += 1;
    }
    assert_eq!(depth, MAX_KEY_SEGMENTS);
    assert_eq!(last_key, vec!["k"; 200 - MAX_KEY_SEGMENTS + 1].join("."));
    assert_eq!(value, &Value::Int(1));
}

#[test]
fn json_dumps_escapes_as_python_does() {
    let text = Value::from("q\"b\\n\nr\rt\tb\u{8}f\u{c}~\u{7f}\u{1f600}");
    assert_eq!(
        python_json_dumps(&text),
        r#""q\"b\\n\nr\rt\tb\bf\f~\u007f\ud83d\ude00""#
    );
    let Value::Map(map) = Value::from_json(json!({"a": [true, false, null, 1, 2.5], "b": {}}))
    else {
        panic!("a map");
    };
    assert_eq!(
        python_json_dumps(&Value::Map(map)),
        r#"{"a": [true, false, null, 1, 2.5], "b": {}}"#
    );
}

#[test]
fn pretty_shows_structures_as_indented_json_and_text_as_it_is() {
    let list = Value::from_json(json!([1, {"a": "b"}]));
    assert_eq!(pretty(&list), "[\n  1,\n  {\n    \"a\": \"b\"\n  }\n]");
    assert_eq!(pretty(&Value::from(" {\"a\":1}")), "{\n  \"a\": 1\n}");
    assert_eq!(pretty(&Value::from("{not json")), "{not json");
    assert_eq!(pretty(&Value::from("plain")), "plain");
    assert_eq!(pretty(&Value::Int(4)), "4");
    assert_eq!(pretty(&Value::Null), "");
    assert_eq!(pretty_json("[]"), Some("[]".to_owned()));
    assert_eq!(pretty_json("7"), None);
}

#[test]
fn a_structured_io_value_becomes_json_text_and_keeps_its_siblings() {
    let Value::Map(mut map) = Value::from_json(json!({
        "input": {"value": {"q": 1}, "foo": "kept"},
        "output": {"value": "text stays", "mime_type": "text/plain"},
    })) else {
        panic!("a map");
    };
    normalize_io_payload(&mut map, "input");
    normalize_io_payload(&mut map, "output");
    normalize_io_payload(&mut map, "absent");
    assert_eq!(
        as_json(&map),
        json!({
            "input": {"value": "{\"q\": 1}", "foo": "kept", "mime_type": "application/json"},
            "output": {"value": "text stays", "mime_type": "text/plain"},
        })
    );
}

#[test]
fn json_held_in_strings_reads_as_json_when_asked() {
    let text = r#"{"messages": "[{\"role\": \"user\", \"args\": \"{\\\"q\\\": 1}\"}]", "n": 2}"#;
    let nested = pretty_json_nested(text).expect("strings that hold JSON");
    let back: serde_json::Value = serde_json::from_str(&nested).expect("JSON");
    assert_eq!(back["messages"][0]["role"], "user");
    assert_eq!(back["messages"][0]["args"]["q"], 1);
    assert_eq!(
        pretty_json_nested(r#"{"a": "text", "b": "[not json"}"#),
        None
    );
    assert_eq!(pretty_json_nested("plain"), None);
}
