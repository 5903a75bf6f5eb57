//! Phoenix parquet files: a `TraceDataset` (`trace_dataset-*.parquet`, the spans dataframe) and
//! evaluations (`evaluations-*.parquet`: `SpanEvaluations`, `DocumentEvaluations`,
//! `TraceEvaluations`). The schema metadata key `arize` tells which: evaluations name their
//! `eval_name` and `eval_type`.
//!
//! Rows are read with the parquet crate's record API and turned into the same span records the
//! JSON readers produce ([`super::phoenix`]). Codecs: snappy, gzip, lz4 and uncompressed (all pure
//! Rust, so they work in the browser); zstd-compressed parquet is reported as unsupported.

use bytes::Bytes;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::{Field, Row};

use crate::attributes::{Map, Value};
use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::otlp::SpanWriter;
use crate::ingest::phoenix::{Record, write_records};
use crate::model::{EvalTarget, Evaluation, Format, SpanId, TraceId};

/// The `arize` schema metadata.
#[derive(serde::Deserialize, Default)]
struct ArizeMetadata {
    #[serde(default)]
    eval_name: Option<String>,
    #[serde(default)]
    eval_type: Option<String>,
}

fn parquet_problem(error: impl std::fmt::Display) -> Located {
    Located::file(Problem::Parquet(error.to_string()))
}

/// Reads either kind of Phoenix parquet; returns which it was.
pub(crate) fn read(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<Format, Located> {
    let reader =
        SerializedFileReader::new(Bytes::copy_from_slice(bytes)).map_err(parquet_problem)?;
    check_layout(&reader, bytes.len())?;
    let arize: ArizeMetadata = reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|pairs| pairs.iter().find(|kv| kv.key == "arize"))
        .and_then(|kv| kv.value.as_deref())
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    let rows = reader.get_row_iter(None).map_err(parquet_problem)?;
    match arize.eval_name {
        Some(name) => {
            read_evaluations(rows, &name, arize.eval_type.as_deref(), writer)?;
            Ok(Format::PhoenixEvaluations)
        }
        None => {
            let mut records = Vec::new();
            for (index, row) in rows.enumerate() {
                let place = Place {
                    row: Some(index as u64),
                    ..Place::default()
                };
                let row =
                    row.map_err(|e| Located::new(place.clone(), Problem::Parquet(e.to_string())))?;
                records.push(Record {
                    place,
                    location: index as u64,
                    entries: row_entries(&row),
                });
            }
            write_records(records, true, writer)?;
            Ok(Format::PhoenixTraceDataset)
        }
    }
}

/// Checks that every column chunk lies inside the file. The parquet crate trusts these numbers
/// (and panics on negative ones); a browser tab must not.
fn check_layout(reader: &SerializedFileReader<Bytes>, file_len: usize) -> Result<(), Located> {
    for (index, row_group) in reader.metadata().row_groups().iter().enumerate() {
        if row_group.num_rows() < 0 {
            return Err(parquet_problem(format!(
                "row group {index} has a negative row count"
            )));
        }
        for column in row_group.columns() {
            let start = column
                .dictionary_page_offset()
                .unwrap_or_else(|| column.data_page_offset());
            let len = column.compressed_size();
            let inside = u64::try_from(start)
                .ok()
                .zip(u64::try_from(len).ok())
                .and_then(|(start, len)| start.checked_add(len))
                .is_some_and(|end| end <= file_len as u64);
            if !inside {
                return Err(Located::new(
                    Place {
                        column_name: Some(column.column_path().string()),
                        ..Place::default()
                    },
                    Problem::Parquet(format!(
                        "row group {index}: the column chunk at {start} (+{len} bytes) is not inside the file"
                    )),
                ));
            }
        }
    }
    Ok(())
}

/// A row's columns, without pandas' index column.
fn row_entries(row: &Row) -> Vec<(String, Value)> {
    row.get_column_iter()
        .filter(|(name, _)| !name.starts_with("__index_level_"))
        .map(|(name, field)| (name.clone(), value_from_field(field)))
        .collect()
}

/// A parquet value as a nested value. Struct members that are null are left out: they are the
/// union schema's columns for keys this row never had.
fn value_from_field(field: &Field) -> Value {
    match field {
        Field::Null => Value::Null,
        Field::Bool(b) => Value::Bool(*b),
        Field::Byte(n) => Value::Int(i64::from(*n)),
        Field::Short(n) => Value::Int(i64::from(*n)),
        Field::Int(n) => Value::Int(i64::from(*n)),
        Field::Long(n) => Value::Int(*n),
        Field::UByte(n) => Value::Int(i64::from(*n)),
        Field::UShort(n) => Value::Int(i64::from(*n)),
        Field::UInt(n) => Value::Int(i64::from(*n)),
        Field::ULong(n) => i64::try_from(*n).map_or(Value::Double(*n as f64), Value::Int),
        Field::Float16(x) => Value::Double(f64::from(*x)),
        Field::Float(x) => Value::Double(f64::from(*x)),
        Field::Double(x) => Value::Double(*x),
        Field::Decimal(_) => Value::Str(field.to_string()),
        Field::Str(s) => Value::Str(s.clone()),
        Field::Bytes(bytes) => match std::str::from_utf8(bytes.data()) {
            Ok(text) => Value::Str(text.to_owned()),
            Err(_) => Value::Str(bytes.data().iter().map(|b| format!("{b:02x}")).collect()),
        },
        Field::Date(days) => Value::Int(i64::from(*days)),
        Field::TimeMillis(n) => Value::Int(i64::from(*n)),
        Field::TimeMicros(n) => Value::Int(*n),
        // Times become ns since the epoch (nanosecond timestamps arrive as `Long` already).
        Field::TimestampMillis(ms) => Value::Int(ms.saturating_mul(1_000_000)),
        Field::TimestampMicros(us) => Value::Int(us.saturating_mul(1_000)),
        Field::Group(row) => {
            let mut map = Map::new();
            for (name, member) in row.get_column_iter() {
                let value = value_from_field(member);
                if value != Value::Null {
                    map.insert(name.clone(), value);
                }
            }
            Value::Map(map)
        }
        Field::ListInternal(list) => {
            Value::Array(list.elements().iter().map(value_from_field).collect())
        }
        Field::MapInternal(entries) => {
            let mut map = Map::new();
            for (key, value) in entries.entries() {
                let key = match value_from_field(key) {
                    Value::Str(s) => s,
                    other => serde_json::to_string(&other).unwrap_or_default(),
                };
                map.insert(key, value_from_field(value));
            }
            Value::Map(map)
        }
    }
}

fn read_evaluations(
    rows: parquet::record::reader::RowIter<'_>,
    name: &str,
    eval_type: Option<&str>,
    writer: &mut SpanWriter<'_>,
) -> Result<(), Located> {
    let name_id = writer.arena.intern(name)?;
    let source = writer.source();
    for (index, row) in rows.enumerate() {
        let place = Place {
            row: Some(index as u64),
            ..Place::default()
        };
        let row = row.map_err(|e| Located::new(place.clone(), Problem::Parquet(e.to_string())))?;
        let columns: Vec<(String, Value)> = row_entries(&row);
        let get = |key: &str| columns.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        let text = |key: &str| get(key).and_then(Value::as_str);
        let target = match (
            text("context.span_id"),
            text("context.trace_id"),
            get("document_position"),
        ) {
            (Some(span), _, Some(Value::Int(position))) => SpanId::parse(span)
                .map(|id| EvalTarget::Document(id, u32::try_from(*position).unwrap_or(u32::MAX))),
            (Some(span), _, _) => SpanId::parse(span).map(EvalTarget::Span),
            (None, Some(trace), _) => TraceId::parse(trace).map(EvalTarget::Trace),
            (None, None, _) => {
                writer.errors.push(Located::new(
                    place,
                    Problem::Invalid(format!(
                        "an evaluation ({}) without context.span_id or context.trace_id",
                        eval_type.unwrap_or("unknown type")
                    )),
                ));
                continue;
            }
        };
        let target = match target {
            Ok(target) => target,
            Err(error) => {
                writer
                    .errors
                    .push(Located::new(place, Problem::Invalid(error.to_string())));
                continue;
            }
        };
        let score = match get("score") {
            Some(Value::Double(x)) if !x.is_nan() => Some(*x),
            Some(Value::Int(n)) => Some(*n as f64),
            _ => None,
        };
        let label = text("label").map(|s| writer.arena.intern(s)).transpose()?;
        let explanation = text("explanation")
            .map(|s| writer.arena.intern(s))
            .transpose()?;
        writer.arena.push_evaluation(Evaluation {
            target,
            name: name_id,
            score,
            label,
            explanation,
            source,
        });
        writer.evaluations_written += 1;
    }
    Ok(())
}
