//! What people noted — annotations, `annotator_kind` `HUMAN`, made in Plume or loaded — as
//! Phoenix takes them: the rows of `POST /v1/span_annotations` and `/v1/trace_annotations`
//! (`{span_id | trace_id, name, annotator_kind, result: {label, score, explanation}}`), and notes
//! (annotations named `note`, a name Phoenix keeps for `POST /v1/span_notes` and
//! `/v1/trace_notes`). [`crate::ingest`] reads the rows back.

use hashbrown::HashSet;
use serde_json::{Value, json};

use crate::model::{Annotator, Arena, EvalTarget, Evaluation};

/// The name Phoenix keeps for notes.
pub const NOTE: &str = "note";

/// Where Plume's notes land in Phoenix: `(span_id | trace_id, name = note, identifier)` is
/// upserted, so sending again replaces them instead of adding more.
pub const NOTE_IDENTIFIER: &str = "plume";

/// Annotations as Phoenix's REST API takes them, by endpoint.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PhoenixAnnotations {
    /// Rows of `POST /v1/span_annotations` (`{"data": [...]}`).
    pub spans: Vec<Value>,
    /// Rows of `POST /v1/trace_annotations`.
    pub traces: Vec<Value>,
    /// Bodies of `POST /v1/span_notes` (`{"data": {...}}`), one note each.
    pub span_notes: Vec<Value>,
    /// Bodies of `POST /v1/trace_notes`.
    pub trace_notes: Vec<Value>,
}

impl PhoenixAnnotations {
    /// How many there are.
    pub fn len(&self) -> usize {
        self.spans.len() + self.traces.len() + self.span_notes.len() + self.trace_notes.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The annotations of the spans (arena indices) and of their traces, in Phoenix's terms; `text`
/// is applied to each label and explanation (redaction, or nothing).
pub fn phoenix(
    arena: &Arena,
    spans: &[u32],
    mut text: impl FnMut(&str) -> String,
) -> PhoenixAnnotations {
    let mut out = PhoenixAnnotations::default();
    for (target, annotation) in annotations(arena, spans) {
        let name = arena.str(annotation.name);
        let explanation = annotation.explanation.map(|x| text(arena.str(x)));
        let (key, id) = match target {
            EvalTarget::Trace(id) => ("trace_id", id.to_string()),
            EvalTarget::Span(id) => ("span_id", id.to_string()),
            // Phoenix keeps a document's apart; none is made in Plume.
            EvalTarget::Document(..) => continue,
        };
        if name == NOTE {
            let Some(note) = explanation.filter(|note| !note.trim().is_empty()) else {
                continue;
            };
            let body = json!({"data": {key: id, "note": note, "identifier": NOTE_IDENTIFIER}});
            match target {
                EvalTarget::Trace(_) => out.trace_notes.push(body),
                _ => out.span_notes.push(body),
            }
            continue;
        }
        let row = json!({
            key: id,
            "name": name,
            "annotator_kind": Annotator::Human.name(),
            "result": {
                "label": annotation.label.map(|l| text(arena.str(l))),
                "score": annotation.score,
                "explanation": explanation,
            },
        });
        match target {
            EvalTarget::Trace(_) => out.traces.push(row),
            _ => out.spans.push(row),
        }
    }
    out
}

/// The annotations of the spans and their traces as JSON Lines, one Phoenix row per line (a
/// note as an annotation named `note`, as Phoenix lists it).
pub fn encode_phoenix_jsonl(
    arena: &Arena,
    spans: &[u32],
    text: impl FnMut(&str) -> String,
) -> String {
    let annotations = phoenix(arena, spans, text);
    let notes = (annotations
        .span_notes
        .iter()
        .chain(&annotations.trace_notes))
    .map(|body| {
        let data = &body["data"];
        let key = if data.get("span_id").is_some() {
            "span_id"
        } else {
            "trace_id"
        };
        json!({
            key: data[key],
            "name": NOTE,
            "annotator_kind": Annotator::Human.name(),
            "result": {"explanation": data["note"]},
        })
    });
    let rows: Vec<Value> = (annotations.spans.iter().chain(&annotations.traces).cloned())
        .chain(notes)
        .collect();
    rows.iter().map(|row| format!("{row}\n")).collect()
}

/// Each annotation of the spans and of their traces, once.
fn annotations<'a>(arena: &'a Arena, spans: &[u32]) -> Vec<(EvalTarget, &'a Evaluation)> {
    let chosen: Vec<_> = spans
        .iter()
        .filter_map(|&i| arena.spans().get(i as usize))
        .collect();
    let traces: HashSet<_> = chosen.iter().map(|span| span.trace_id).collect();
    let human = |e: &&Evaluation| e.annotator == Annotator::Human;
    let of_spans = chosen
        .iter()
        .flat_map(|span| arena.evaluations_of_span(span.span_id).filter(human));
    let mut traces: Vec<_> = traces.into_iter().collect();
    traces.sort_unstable();
    let of_traces = traces
        .into_iter()
        .flat_map(|id| arena.evaluations_of_trace(id).filter(human));
    of_spans
        .chain(of_traces)
        .map(|annotation| (annotation.target, annotation))
        .collect()
}
