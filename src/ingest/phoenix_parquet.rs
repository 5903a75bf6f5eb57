//! Phoenix parquet files: a `TraceDataset` (`trace_dataset-*.parquet`, the spans dataframe) and
//! evaluations (`evaluations-*.parquet`: `SpanEvaluations`, `DocumentEvaluations`,
//! `TraceEvaluations`). The schema metadata key `arize` tells which: evaluations name their
//! `eval_name` and `eval_type`.
//!
//! Rows are assembled by [`super::parquet`] and turned into the same span records the JSON
//! readers produce ([`super::phoenix`]). Codecs: snappy, gzip, lz4 and uncompressed (all pure
//! Rust, so they work in the browser); zstd-compressed parquet is reported as unsupported.

use crate::attributes::Value;
use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::otlp::SpanWriter;
use crate::ingest::parquet::Table;
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

/// Reads either kind of Phoenix parquet; returns which it was.
pub(crate) fn read(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<Format, Located> {
    let table = Table::open(bytes)?;
    let arize: ArizeMetadata = table
        .metadata("arize")
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    let rows = table.rows()?;
    match arize.eval_name {
        Some(name) => {
            read_evaluations(rows, &name, arize.eval_type.as_deref(), writer)?;
            Ok(Format::PhoenixEvaluations)
        }
        None => {
            let records = rows
                .into_iter()
                .enumerate()
                .map(|(index, columns)| Record {
                    place: row_place(index),
                    location: index as u64,
                    entries: without_index(columns),
                })
                .collect();
            write_records(records, true, writer)?;
            Ok(Format::PhoenixTraceDataset)
        }
    }
}

fn row_place(index: usize) -> Place {
    Place {
        row: Some(index as u64),
        ..Place::default()
    }
}

/// A row's columns without pandas' index column.
fn without_index(columns: Vec<(String, Value)>) -> Vec<(String, Value)> {
    columns
        .into_iter()
        .filter(|(name, _)| !name.starts_with("__index_level_"))
        .collect()
}

fn read_evaluations(
    rows: Vec<Vec<(String, Value)>>,
    name: &str,
    eval_type: Option<&str>,
    writer: &mut SpanWriter<'_>,
) -> Result<(), Located> {
    let name_id = writer.arena.intern(name)?;
    let source = writer.source();
    for (index, columns) in rows.into_iter().enumerate() {
        let place = row_place(index);
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
