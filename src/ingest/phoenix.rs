//! Phoenix span records: rows of Phoenix's spans dataframe (as JSON Lines, a JSON array, or the
//! parquet of a `TraceDataset`) and spans of its REST API (`{data: [...], next_cursor}`).
//!
//! Both name the same things differently. A dataframe row has `context.span_id` and one column
//! per attribute prefix (`attributes.llm.input_messages` holding a list of messages whose keys are
//! `message.role`, ...); a REST span has `context: {span_id}` and `attributes` as flat dotted
//! keys. Either way the attributes are flattened back to OTLP's flat keys with Phoenix's own
//! `flatten`, so the arena holds them exactly as an OTLP export of the same spans would.
//!
//! pandas writes integer columns that have gaps as floats (`25.0`); a column whose every value is
//! an integral float is read back as integers.

use hashbrown::HashSet;
use opentelemetry_proto::tonic::trace::v1::{self as trace, Status};
use serde_json::Value as Json;

use crate::attributes::{Value, flatten_value};
use crate::ingest::error::{Located, Place, Problem, json_error};
use crate::ingest::otlp::{Origin, SpanWriter, build};
use crate::model::{
    SpanId, StatusCode, TraceId, parse_rfc3339_nanos, unix_nanos_from_epoch_number,
};

/// One span record: its top-level entries, and where it is.
pub(crate) struct Record {
    pub(crate) place: Place,
    /// Its line (JSON Lines) or row (tables), for the span's source location.
    pub(crate) location: u64,
    pub(crate) entries: Vec<(String, Value)>,
}

/// Phoenix spans dataframe as JSON Lines: one record per line; a bad line is reported and skipped.
pub(crate) fn read_jsonl(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    let records = object_lines(bytes, "a span record", &mut writer.errors)
        .into_iter()
        .map(|(line, entries)| Record {
            place: Place::line(line),
            location: line,
            entries,
        })
        .collect();
    write_records(records, true, writer)
}

/// The JSON objects of JSON Lines, each with its 1-based line; a line that is not one (a
/// `what`) is reported by its line and skipped, blank lines are skipped.
pub(crate) fn object_lines(
    bytes: &[u8],
    what: &str,
    errors: &mut Vec<Located>,
) -> Vec<(u64, Vec<(String, Value)>)> {
    let mut objects = Vec::new();
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = index as u64 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Json>(line) {
            Ok(Json::Object(object)) => objects.push((number, entries(object))),
            Ok(_) => errors.push(Located::new(
                Place::line(number),
                Problem::Json(format!("expected {what} (a JSON object)")),
            )),
            Err(error) => {
                let mut located = json_error(&error, None);
                located.place.line = Some(number);
                errors.push(located);
            }
        }
    }
    objects
}

/// A JSON array of dataframe records (`df.to_json(orient="records")`), or one record.
pub(crate) fn read_json(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    let json: Json = serde_json::from_slice(bytes).map_err(|e| json_error(&e, None))?;
    let items = match json {
        Json::Array(items) => items,
        object @ Json::Object(_) => vec![object],
        _ => return Err(Located::file(Problem::Json("expected span records".into()))),
    };
    let records = object_records(items, "", writer);
    write_records(records, true, writer)
}

/// Phoenix REST: `{data: [span, ...], next_cursor}`.
pub(crate) fn read_rest(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    let json: Json = serde_json::from_slice(bytes).map_err(|e| json_error(&e, None))?;
    let Json::Object(mut top) = json else {
        return Err(Located::file(Problem::Json(
            "expected an object with \"data\"".into(),
        )));
    };
    if let Some(Json::String(cursor)) = top.get("next_cursor") {
        writer.warnings.push(more_pages(cursor));
    }
    let items = match top.remove("data") {
        Some(Json::Array(items)) => items,
        _ => {
            return Err(Located::new(
                Place::path("data"),
                Problem::Json("expected an array of spans".into()),
            ));
        }
    };
    let records = object_records(items, "data", writer);
    write_records(records, false, writer)
}

/// The warning for a page of a paginated REST answer that says more pages follow.
pub(crate) fn more_pages(cursor: &str) -> Located {
    Located::new(
        Place::path("next_cursor"),
        Problem::Invalid(format!(
            "this is one page of results: the server has more spans (next_cursor {cursor:?})"
        )),
    )
}

fn object_records(items: Vec<Json>, path: &str, writer: &mut SpanWriter<'_>) -> Vec<Record> {
    let mut records = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let place = Place::path(format!("{path}[{index}]"));
        match item {
            Json::Object(object) => records.push(Record {
                place,
                location: index as u64,
                entries: entries(object),
            }),
            _ => writer.errors.push(Located::new(
                place,
                Problem::Json("expected a span object".into()),
            )),
        }
    }
    records
}

fn entries(object: serde_json::Map<String, Json>) -> Vec<(String, Value)> {
    object
        .into_iter()
        .map(|(key, value)| (key, Value::from_json(value)))
        .collect()
}

/// Converts records to spans and writes them. `dataframe` turns on the integral-float rule.
pub(crate) fn write_records(
    records: Vec<Record>,
    dataframe: bool,
    writer: &mut SpanWriter<'_>,
) -> Result<(), Located> {
    let integer_columns = if dataframe {
        integral_float_columns(&records)
    } else {
        HashSet::new()
    };
    for record in records {
        let origin = Origin::record(record.place.clone(), record.location);
        match span_from_record(record.entries, &integer_columns) {
            Ok((span, warnings)) => {
                for warning in warnings {
                    writer
                        .warnings
                        .push(Located::new(record.place.clone(), warning));
                }
                writer.write_span(&span, &origin)?;
            }
            Err(problem) => writer.errors.push(Located::new(record.place, problem)),
        }
    }
    Ok(())
}

/// `attributes.*` columns whose values are all integral floats (and at least one is a float).
fn integral_float_columns(records: &[Record]) -> HashSet<String> {
    let mut floats: HashSet<&str> = HashSet::new();
    let mut disqualified: HashSet<&str> = HashSet::new();
    for record in records {
        for (key, value) in &record.entries {
            if !key.starts_with("attributes.") {
                continue;
            }
            match value {
                Value::Null => {}
                Value::Double(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
                    floats.insert(key);
                }
                _ => {
                    disqualified.insert(key);
                }
            }
        }
    }
    floats
        .difference(&disqualified)
        .map(|key| (*key).to_owned())
        .collect()
}

/// The parts of a record, by name, whichever naming it uses.
#[derive(Default)]
struct Parts {
    name: String,
    span_kind: Option<String>,
    trace_id: Option<String>,
    span_id: Option<String>,
    parent_id: Option<String>,
    start_time: Value,
    end_time: Value,
    status_code: Option<String>,
    status_message: String,
    events: Value,
    attributes: Vec<(String, Value)>,
}

fn text(value: Value) -> Option<String> {
    match value {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

fn parts(entries: Vec<(String, Value)>, integer_columns: &HashSet<String>) -> Parts {
    let mut parts = Parts::default();
    for (key, value) in entries {
        if let Some(attribute) = key.strip_prefix("attributes.") {
            let value = match value {
                Value::Double(x) if integer_columns.contains(&key) => Value::Int(x as i64),
                other => other,
            };
            parts.attributes.extend(flatten_value(attribute, &value));
            continue;
        }
        match key.as_str() {
            "name" => parts.name = text(value).unwrap_or_default(),
            "span_kind" => parts.span_kind = text(value),
            "parent_id" => parts.parent_id = text(value),
            "start_time" => parts.start_time = value,
            "end_time" => parts.end_time = value,
            "status_code" => parts.status_code = text(value),
            "status_message" => parts.status_message = text(value).unwrap_or_default(),
            "events" => parts.events = value,
            "context.span_id" => parts.span_id = text(value),
            "context.trace_id" => parts.trace_id = text(value),
            "context" => {
                if let Value::Map(context) = value {
                    parts.span_id = context
                        .get("span_id")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    parts.trace_id = context
                        .get("trace_id")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
            }
            "attributes" => {
                if let Value::Map(attributes) = value {
                    for (key, value) in attributes.iter() {
                        parts.attributes.extend(flatten_value(key, value));
                    }
                }
            }
            _ => {}
        }
    }
    parts
}

/// A time as Phoenix exports write it: RFC 3339 text, or an epoch number (pandas: ms).
fn time_nanos(value: &Value, what: &str) -> Result<u64, Problem> {
    match value {
        Value::Null => Ok(0),
        Value::Str(text) => parse_rfc3339_nanos(text)
            .ok_or_else(|| Problem::Invalid(format!("{what} {text:?} is not an RFC 3339 time"))),
        Value::Int(n) => unix_nanos_from_epoch_number(*n as f64)
            .ok_or_else(|| Problem::Invalid(format!("{what} {n} is not an epoch time"))),
        Value::Double(x) => unix_nanos_from_epoch_number(*x)
            .ok_or_else(|| Problem::Invalid(format!("{what} {x} is not an epoch time"))),
        _ => Err(Problem::Invalid(format!(
            "{what} is neither text nor a number"
        ))),
    }
}

fn span_from_record(
    entries: Vec<(String, Value)>,
    integer_columns: &HashSet<String>,
) -> Result<(trace::Span, Vec<Problem>), Problem> {
    let mut warnings = Vec::new();
    let mut parts = parts(entries, integer_columns);
    let trace_id = parts
        .trace_id
        .as_deref()
        .ok_or_else(|| Problem::Invalid("the record has no trace id (context.trace_id)".into()))
        .and_then(|id| TraceId::parse(id).map_err(|e| Problem::Invalid(e.to_string())))?;
    let span_id = parts
        .span_id
        .as_deref()
        .ok_or_else(|| Problem::Invalid("the record has no span id (context.span_id)".into()))
        .and_then(|id| SpanId::parse(id).map_err(|e| Problem::Invalid(e.to_string())))?;
    let parent_span_id = match parts.parent_id.as_deref() {
        None | Some("") => Vec::new(),
        Some(id) => SpanId::parse(id)
            .map_err(|e| Problem::Invalid(format!("parent_id: {e}")))?
            .0
            .to_vec(),
    };
    let start_time_unix_nano = time_nanos(&parts.start_time, "start_time")?;
    let end_time_unix_nano = time_nanos(&parts.end_time, "end_time")?;
    let code = match parts.status_code.as_deref() {
        None => StatusCode::Unset,
        Some(name) => StatusCode::from_name(name).unwrap_or_else(|| {
            warnings.push(Problem::Invalid(format!(
                "unknown status_code {name:?} read as UNSET"
            )));
            StatusCode::Unset
        }),
    };
    // Phoenix keeps the kind in its own column; put it back as the attribute OTLP carries
    // (UNKNOWN is what a span without the attribute gets, so it adds nothing).
    let kind_key = "openinference.span.kind";
    if let Some(kind) = parts.span_kind.take()
        && !kind.eq_ignore_ascii_case("UNKNOWN")
        && !parts.attributes.iter().any(|(key, _)| key == kind_key)
    {
        parts
            .attributes
            .push((kind_key.to_owned(), Value::Str(kind)));
    }
    let events = events(&parts.events)?;
    let span = trace::Span {
        trace_id: trace_id.0.to_vec(),
        span_id: span_id.0.to_vec(),
        parent_span_id,
        name: parts.name,
        start_time_unix_nano,
        end_time_unix_nano,
        attributes: build::attributes(&parts.attributes),
        events,
        status: Some(Status {
            message: parts.status_message,
            code: code as i32,
        }),
        ..Default::default()
    };
    Ok((span, warnings))
}

fn events(value: &Value) -> Result<Vec<trace::span::Event>, Problem> {
    let Value::Array(items) = value else {
        return Ok(Vec::new());
    };
    let mut events = Vec::with_capacity(items.len());
    for item in items {
        let Value::Map(event) = item else { continue };
        let mut attributes = Vec::new();
        if let Some(Value::Map(map)) = event.get("attributes") {
            for (key, value) in map.iter() {
                attributes.extend(flatten_value(key, value));
            }
        }
        events.push(trace::span::Event {
            time_unix_nano: time_nanos(
                event.get("timestamp").unwrap_or(&Value::Null),
                "event timestamp",
            )?,
            name: event
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            attributes: build::attributes(&attributes),
            dropped_attributes_count: 0,
        });
    }
    Ok(events)
}
