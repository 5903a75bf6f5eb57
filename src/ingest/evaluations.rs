//! Evaluation results, from any table: Phoenix's evaluations parquet, and JSON Lines or CSV files
//! with one result per row — `span_id` (or `context.span_id`), `score`, `label`, `explanation`,
//! and optionally `document_position` (a document evaluation), `trace_id` instead of a span (a
//! trace evaluation) and `name` / `eval_name` (else the evaluation is named after the file).
//! Phoenix's annotations read too: `annotator_kind` (`HUMAN`: a person's), and the label, score
//! and explanation inside a `result` object.

use crate::attributes::Value;
use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::otlp::SpanWriter;
use crate::ingest::phoenix::object_lines;
use crate::model::{Annotator, EvalTarget, Evaluation, SpanId, TraceId};

/// One row: where it is in its file, and its columns.
pub(crate) struct Row {
    pub(crate) place: Place,
    pub(crate) columns: Vec<(String, Value)>,
}

/// Writes one evaluation per row; a row that names no span or trace is an error of its own.
/// `name` is the evaluation's name where a row does not give one.
pub(crate) fn write(
    rows: impl IntoIterator<Item = Row>,
    name: &str,
    writer: &mut SpanWriter<'_>,
) -> Result<(), Located> {
    let default_name = writer.arena.intern(name)?;
    let source = writer.source();
    for Row { place, columns } in rows {
        let get = |keys: &[&str]| {
            keys.iter()
                .find_map(|key| columns.iter().find(|(k, _)| k == key).map(|(_, v)| v))
                .filter(|v| **v != Value::Null)
        };
        let text = |keys: &[&str]| get(keys).and_then(Value::as_str).filter(|s| !s.is_empty());
        // Phoenix's annotations say their label, score and explanation in a `result` object.
        let result = |key: &str| match get(&["result"]) {
            Some(Value::Map(result)) => result.get(key).filter(|v| **v != Value::Null),
            _ => None,
        };
        let position = match get(&["document_position"]) {
            Some(Value::Int(n)) => u32::try_from(*n).ok(),
            Some(Value::Double(x)) if x.fract() == 0.0 && *x >= 0.0 => Some(*x as u32),
            Some(Value::Str(s)) => s.trim().parse().ok(),
            _ => None,
        };
        let target = match (
            text(&["context.span_id", "span_id"]),
            text(&["context.trace_id", "trace_id"]),
        ) {
            (Some(span), _) => SpanId::parse(span).map(|id| match position {
                Some(position) => EvalTarget::Document(id, position),
                None => EvalTarget::Span(id),
            }),
            (None, Some(trace)) => TraceId::parse(trace).map(EvalTarget::Trace),
            (None, None) => {
                writer.errors.push(Located::new(
                    place,
                    Problem::Invalid("an evaluation without a span_id or trace_id".into()),
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
        let score = match get(&["score"]).or_else(|| result("score")) {
            Some(Value::Double(x)) if !x.is_nan() => Some(*x),
            Some(Value::Int(n)) => Some(*n as f64),
            Some(Value::Bool(b)) => Some(f64::from(u8::from(*b))),
            Some(Value::Str(s)) => s.trim().parse::<f64>().ok().filter(|x| !x.is_nan()),
            _ => None,
        };
        let name = match text(&["name", "eval_name", "annotation_name"]) {
            Some(name) => writer.arena.intern(name)?,
            None => default_name,
        };
        let in_result = |key: &str| {
            result(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let label = (text(&["label"]).or_else(|| in_result("label")))
            .map(|s| writer.arena.intern(s))
            .transpose()?;
        let explanation = (text(&["explanation"]).or_else(|| in_result("explanation")))
            .map(|s| writer.arena.intern(s))
            .transpose()?;
        let annotator = text(&["annotator_kind"])
            .and_then(Annotator::parse)
            .unwrap_or_default();
        let evaluation = Evaluation {
            target,
            name,
            score,
            label,
            explanation,
            source,
            annotator,
        };
        // A person's annotation is one per target and name, as if made here: a file read
        // twice does not double it, and it can be edited.
        match annotator {
            Annotator::Human => writer.arena.annotate(evaluation),
            Annotator::Llm | Annotator::Code => writer.arena.push_evaluation(evaluation),
        }
        writer.evaluations_written += 1;
    }
    Ok(())
}

/// The evaluation's name a file gives when its rows do not: its name without directories and
/// extensions (`correctness.jsonl` → `correctness`).
pub(crate) fn name_from_file(file: &str) -> &str {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = base.split('.').next().unwrap_or(base);
    if stem.is_empty() { "evaluation" } else { stem }
}

/// JSON Lines: one JSON object per line.
pub(crate) fn read_jsonl(
    bytes: &[u8],
    file: &str,
    writer: &mut SpanWriter<'_>,
) -> Result<(), Located> {
    let rows = object_lines(bytes, "an evaluation", &mut writer.errors)
        .into_iter()
        .map(|(line, columns)| Row {
            place: Place::line(line),
            columns,
        });
    write(rows, name_from_file(file), writer)?;
    // Rows that did not read were reported first: put every problem in line order.
    writer.errors.sort_by_key(|e| e.place.line);
    Ok(())
}

/// CSV with a header row (RFC 4180: quoted fields may hold commas, quotes and newlines).
pub(crate) fn read_csv(
    bytes: &[u8],
    file: &str,
    writer: &mut SpanWriter<'_>,
) -> Result<(), Located> {
    let text = std::str::from_utf8(bytes).map_err(|error| {
        Located::new(
            Place {
                byte_offset: Some(error.valid_up_to() as u64),
                ..Place::default()
            },
            Problem::Invalid("the CSV is not UTF-8 text".into()),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = csv_records(text);
    let Some((_, header)) = records.next() else {
        return Ok(());
    };
    let header: Vec<String> = header.into_iter().map(|h| h.trim().to_owned()).collect();
    let mut rows = Vec::new();
    for (line, fields) in records {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if fields.len() != header.len() {
            writer.errors.push(Located::new(
                Place::line(line),
                Problem::Invalid(format!(
                    "{} fields where the header names {}",
                    fields.len(),
                    header.len()
                )),
            ));
            continue;
        }
        rows.push(Row {
            place: Place::line(line),
            columns: header
                .iter()
                .zip(fields)
                .map(|(key, field)| {
                    let value = match field.is_empty() {
                        true => Value::Null,
                        false => Value::Str(field),
                    };
                    (key.clone(), value)
                })
                .collect(),
        });
    }
    write(rows, name_from_file(file), writer)?;
    writer.errors.sort_by_key(|e| e.place.line);
    Ok(())
}

/// CSV records and the 1-based line each starts on.
fn csv_records(text: &str) -> impl Iterator<Item = (u64, Vec<String>)> + '_ {
    let mut chars = text.chars().peekable();
    let mut line = 1u64;
    std::iter::from_fn(move || {
        chars.peek()?;
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (false, '"') if field.is_empty() => quoted = true,
                (false, ',') => fields.push(std::mem::take(&mut field)),
                (false, '\r') if chars.peek() == Some(&'\n') => {}
                (false, '\n') => {
                    line += 1;
                    break;
                }
                (_, c) => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
        }
        fields.push(field);
        Some((start, fields))
    })
}

/// Whether the first line of `text` is a CSV header naming a span or trace id column.
pub(crate) fn looks_like_csv(text: &[u8]) -> bool {
    let first = text.split(|&b| b == b'\n').next().unwrap_or_default();
    let Ok(first) = std::str::from_utf8(first) else {
        return false;
    };
    first.contains(',')
        && first.split(',').any(|name| {
            matches!(
                name.trim().trim_matches('"'),
                "span_id" | "context.span_id" | "trace_id" | "context.trace_id"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_quote_commas_quotes_and_newlines() {
        let records: Vec<(u64, Vec<String>)> =
            csv_records("a,b\r\n\"x, y\",\"say \"\"hi\"\"\nthere\"\n3,\n").collect();
        assert_eq!(
            records,
            [
                (1, vec!["a".to_owned(), "b".to_owned()]),
                (2, vec!["x, y".to_owned(), "say \"hi\"\nthere".to_owned()]),
                (4, vec!["3".to_owned(), String::new()]),
            ]
        );
    }

    #[test]
    fn the_name_comes_from_the_file() {
        assert_eq!(name_from_file("evals/correctness.csv"), "correctness");
        assert_eq!(
            name_from_file("C:\\x\\hallucination.eval.jsonl"),
            "hallucination"
        );
        assert_eq!(name_from_file(".csv"), "evaluation");
    }
}
