//! An evaluation (annotation) as a small chip: `name: label 0.80`, on table and tree rows.

use yew::prelude::*;

use crate::engine::protocol::EvaluationView;

/// One evaluation as a chip.
pub(crate) fn evaluation_chip(evaluation: &EvaluationView) -> Html {
    // A note (no label, no score) is its name alone: its text is in the details.
    let mut text = match evaluation.label.is_some() || evaluation.score.is_some() {
        true => format!("{}:", evaluation.name),
        false => evaluation.name.clone(),
    };
    if let Some(label) = &evaluation.label {
        text.push(' ');
        text.push_str(label);
    }
    if let Some(score) = evaluation.score {
        text.push_str(&format!(" {score:.2}"));
    }
    // A person's annotation looks apart from a model's evaluation.
    let (class, title) = match evaluation.human {
        true => ("eval-chip human", format!("annotation · {text}")),
        false => ("eval-chip", text.clone()),
    };
    html! { <span {class} {title} data-testid="eval-chip">{ text }</span> }
}
