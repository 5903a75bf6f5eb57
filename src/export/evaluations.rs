//! Evaluations as JSON Lines, one result per line — `span_id` (with `document_position` for a
//! document's) or `trace_id`, `name`, `score`, `label`, `explanation` — the form
//! [`crate::ingest`] reads back (and Phoenix's evaluation tables' columns); annotations too, with
//! their `annotator_kind`.

use hashbrown::HashSet;
use serde_json::{Map, Value};

use crate::model::{Annotator, Arena, EvalTarget};

/// The evaluations of the spans (arena indices), of their documents and of their traces, in load
/// order; `text` is applied to each label and explanation (redaction, or nothing).
pub fn encode_jsonl(arena: &Arena, spans: &[u32], mut text: impl FnMut(&str) -> String) -> String {
    let span_ids: HashSet<_> = spans
        .iter()
        .filter_map(|&i| arena.spans().get(i as usize))
        .map(|span| span.span_id)
        .collect();
    let trace_ids: HashSet<_> = spans
        .iter()
        .filter_map(|&i| arena.spans().get(i as usize))
        .map(|span| span.trace_id)
        .collect();
    let mut out = String::new();
    for evaluation in arena.evaluations().iter().chain(arena.annotations()) {
        let mut row = Map::new();
        match evaluation.target {
            EvalTarget::Span(id) if span_ids.contains(&id) => {
                row.insert("span_id".into(), id.to_string().into());
            }
            EvalTarget::Document(id, position) if span_ids.contains(&id) => {
                row.insert("span_id".into(), id.to_string().into());
                row.insert("document_position".into(), position.into());
            }
            EvalTarget::Trace(id) if trace_ids.contains(&id) => {
                row.insert("trace_id".into(), id.to_string().into());
            }
            _ => continue,
        }
        row.insert("name".into(), arena.str(evaluation.name).into());
        if let Some(score) = evaluation.score {
            row.insert("score".into(), score.into());
        }
        if let Some(label) = evaluation.label {
            row.insert("label".into(), text(arena.str(label)).into());
        }
        if let Some(explanation) = evaluation.explanation {
            row.insert("explanation".into(), text(arena.str(explanation)).into());
        }
        if evaluation.annotator != Annotator::Llm {
            row.insert("annotator_kind".into(), evaluation.annotator.name().into());
        }
        out.push_str(&Value::Object(row).to_string());
        out.push('\n');
    }
    out
}
