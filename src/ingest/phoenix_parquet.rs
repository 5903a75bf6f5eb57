//! Phoenix parquet files: a `TraceDataset` (`trace_dataset-*.parquet`, the spans dataframe) and
//! evaluations (`evaluations-*.parquet`: `SpanEvaluations`, `DocumentEvaluations`,
//! `TraceEvaluations`). The schema metadata key `arize` tells which: evaluations name their
//! `eval_name` and `eval_type`.
//!
//! Rows are assembled by [`super::parquet`] (in the browser, in a helper worker) and turned into the same span records the JSON
//! readers produce ([`super::phoenix`]). Codecs: snappy, gzip, lz4 and uncompressed (all pure
//! Rust, so they work in the browser); zstd-compressed parquet is reported as unsupported.

use crate::attributes::Value;
use crate::ingest::error::{Located, Place};
use crate::ingest::evaluations::{self, Row};
use crate::ingest::otlp::SpanWriter;
use crate::ingest::parquet::Assembled;
use crate::ingest::phoenix::{Record, write_records};
use crate::model::Format;

/// The `arize` schema metadata.
#[derive(serde::Deserialize, Default)]
struct ArizeMetadata {
    #[serde(default)]
    eval_name: Option<String>,
}

/// Writes either kind of Phoenix parquet's rows; returns which it was.
pub(crate) fn write(table: Assembled, writer: &mut SpanWriter<'_>) -> Result<Format, Located> {
    let arize: ArizeMetadata = table
        .arize
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    let rows = table.rows;
    match arize.eval_name {
        Some(name) => {
            let rows = rows.into_iter().enumerate().map(|(index, columns)| Row {
                place: row_place(index),
                columns,
            });
            evaluations::write(rows, &name, writer)?;
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
