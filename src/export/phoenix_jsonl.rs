//! Spans as Phoenix's spans dataframe in JSON Lines (`df.to_json(orient="records", lines=True)`):
//! `name, span_kind, parent_id, start_time, end_time, status_code, status_message, events,
//! context.span_id, context.trace_id` and one `attributes.*` column per attribute path, lists kept
//! as lists of flattened records — the shape Phoenix's `get_spans_dataframe()` gives.
//!
//! Times are RFC 3339 with nanoseconds (pandas reads them; nothing is rounded to milliseconds).
//! Phoenix's dataframe has no resource, so the project and service are not carried.

use serde_json::{Map as JsonMap, Value as Json};

use crate::attributes::{JSON_STRING_ATTRIBUTES, Map, Value, flat_map, span_attributes};
use crate::model::{Arena, format_rfc3339_nanos};

/// The spans (arena indices) as JSON Lines, one record per line.
pub fn encode(arena: &Arena, spans: &[u32]) -> String {
    let mut out = String::new();
    for &index in spans {
        if arena.spans().get(index as usize).is_some() {
            out.push_str(&serde_json::to_string(&record(arena, index)).unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

fn json(value: &Value) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

fn record(arena: &Arena, index: u32) -> JsonMap<String, Json> {
    let span = &arena.spans()[index as usize];
    let mut record = JsonMap::new();
    let mut put = |key: &str, value: Json| {
        record.insert(key.to_owned(), value);
    };
    put("name", arena.str(span.name).into());
    put("span_kind", span.oi_kind.name().into());
    put(
        "parent_id",
        span.parent_span_id
            .map_or(Json::Null, |p| p.to_string().into()),
    );
    put(
        "start_time",
        format_rfc3339_nanos(span.start_unix_nanos).into(),
    );
    put(
        "end_time",
        if span.is_unfinished() {
            Json::Null
        } else {
            format_rfc3339_nanos(span.end_unix_nanos).into()
        },
    );
    put("status_code", span.status_code.short_name().into());
    put("status_message", arena.str(span.status_message).into());
    let events: Vec<Json> = arena
        .events(span.events)
        .iter()
        .map(|event| {
            let mut object = JsonMap::new();
            object.insert("name".into(), arena.str(event.name).into());
            object.insert(
                "timestamp".into(),
                format_rfc3339_nanos(event.time_unix_nanos).into(),
            );
            object.insert(
                "attributes".into(),
                json(&Value::Map(flat_map(arena, event.attributes))),
            );
            Json::Object(object)
        })
        .collect();
    put("events", Json::Array(events));
    put("context.span_id", span.span_id.to_string().into());
    put("context.trace_id", span.trace_id.to_string().into());
    let mut columns = Vec::new();
    dataframe_columns(
        "",
        &Value::Map(span_attributes(arena, span.attributes)),
        &mut columns,
    );
    for (column, value) in columns {
        record.insert(format!("attributes.{column}"), json(&value));
    }
    record
}

fn is_json_string_key(key: &str) -> bool {
    JSON_STRING_ATTRIBUTES
        .iter()
        .any(|suffix| key.ends_with(suffix))
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Nested maps become dotted columns; JSON-string keys keep their map; lists stay lists of
/// [`flat_record`]s.
fn dataframe_columns(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Map(map) if prefix.is_empty() || !is_json_string_key(prefix) => {
            for (key, inner) in map.iter() {
                dataframe_columns(&join(prefix, key), inner, out);
            }
        }
        Value::Array(items) => out.push((
            prefix.to_owned(),
            Value::Array(items.iter().map(flat_record).collect()),
        )),
        other => out.push((prefix.to_owned(), other.clone())),
    }
}

/// A list element as a dataframe holds it: a map's nested maps joined into dotted keys.
fn flat_record(value: &Value) -> Value {
    match value {
        Value::Map(map) => {
            let mut columns = Vec::new();
            dataframe_columns("", &Value::Map(map.clone()), &mut columns);
            let mut flat = Map::new();
            for (key, inner) in columns {
                flat.insert(key, inner);
            }
            Value::Map(flat)
        }
        other => other.clone(),
    }
}
