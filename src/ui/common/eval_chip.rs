//! An evaluation (annotation) as a small chip: `name: label 0.80`, on table and tree rows.

use yew::prelude::*;

use crate::engine::protocol::EvaluationView;

/// One evaluation as a chip.
pub(crate) fn evaluation_chip(evaluation: &EvaluationView) -> Html {
    let mut text = format!("{}:", evaluation.name);
    if let Some(label) = &evaluation.label {
        text.push(' ');
        text.push_str(label);
    }
    if let Some(score) = evaluation.score {
        text.push_str(&format!(" {score:.2}"));
    }
    html! { <span class="eval-chip" title={text.clone()} data-testid="eval-chip">{ text }</span> }
}
