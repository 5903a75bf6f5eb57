//! What the annotation forms make of what was typed: the annotation to set, or why not.

use crate::engine::protocol::EvaluationView;
use crate::model::Annotator;
use crate::store::{StoredEvaluation, StoredTarget};

/// The name an annotation gets unless the reviewer gives another, and the one thumbs set.
pub const REVIEW: &str = "review";

/// The name of a note (Phoenix keeps it for notes too).
pub const NOTE: &str = crate::export::annotations::NOTE;

/// The annotation a reviewer typed: `name` (empty: [`REVIEW`]), `label`, `score` (a number, or
/// empty), keeping the explanation it had. `Err`: what is wrong.
pub fn review(
    target: &StoredTarget,
    name: &str,
    label: &str,
    score: &str,
    had: Option<&EvaluationView>,
) -> Result<StoredEvaluation, String> {
    let name = match name.trim() {
        "" => REVIEW,
        NOTE => return Err("\"note\" is the note's name: choose another".into()),
        name => name,
    };
    let score = match score.trim() {
        "" => None,
        text => match text.parse::<f64>() {
            Ok(score) if score.is_finite() => Some(score),
            _ => return Err(format!("the score {text:?} is not a number")),
        },
    };
    let label = Some(label.trim().to_owned()).filter(|l| !l.is_empty());
    if label.is_none() && score.is_none() {
        return Err("give a label or a score".into());
    }
    Ok(StoredEvaluation {
        target: target.clone(),
        name: name.to_owned(),
        score,
        label,
        explanation: had.and_then(|a| a.explanation.clone()),
        annotator: Annotator::Human,
    })
}

/// Thumbs up (`good`, 1) or down (`bad`, 0) as the [`REVIEW`] annotation, keeping its
/// explanation.
pub fn thumbs(target: &StoredTarget, up: bool, had: Option<&EvaluationView>) -> StoredEvaluation {
    StoredEvaluation {
        target: target.clone(),
        name: REVIEW.to_owned(),
        score: Some(if up { 1.0 } else { 0.0 }),
        label: Some(if up { "good" } else { "bad" }.to_owned()),
        explanation: had.and_then(|a| a.explanation.clone()),
        annotator: Annotator::Human,
    }
}

/// A note (an annotation named [`NOTE`] whose explanation is the text); `None` for no text,
/// which removes the note.
pub fn note(target: &StoredTarget, text: &str) -> (StoredEvaluation, bool) {
    let text = text.trim();
    let note = StoredEvaluation {
        target: target.clone(),
        name: NOTE.to_owned(),
        score: None,
        label: None,
        explanation: Some(text.to_owned()).filter(|t| !t.is_empty()),
        annotator: Annotator::Human,
    };
    let remove = note.explanation.is_none();
    (note, remove)
}

/// An annotation in a line: `review: bad · 0`.
pub fn line(annotation: &EvaluationView) -> String {
    let mut parts = Vec::new();
    parts.extend(annotation.label.clone());
    parts.extend(annotation.score.map(|s| format!("{s}")));
    match parts.is_empty() {
        true => annotation.name.clone(),
        false => format!("{}: {}", annotation.name, parts.join(" · ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span() -> StoredTarget {
        StoredTarget::Span("f4067ff1516df620".into())
    }

    #[test]
    fn a_review_takes_a_label_or_a_score_and_keeps_its_explanation() {
        let had = EvaluationView {
            name: "review".into(),
            document: None,
            score: Some(1.0),
            label: Some("good".into()),
            explanation: Some("why".into()),
            human: true,
        };
        let made = review(&span(), "", " bad ", "0.25", Some(&had)).expect("made");
        assert_eq!(made.name, "review");
        assert_eq!(
            (made.label.as_deref(), made.score),
            (Some("bad"), Some(0.25))
        );
        assert_eq!(made.explanation.as_deref(), Some("why"));
        assert_eq!(made.annotator, Annotator::Human);
        assert_eq!(
            review(&span(), "tone", "", "", None),
            Err("give a label or a score".into())
        );
        assert!(
            review(&span(), "tone", "", "high", None)
                .unwrap_err()
                .contains("not a number")
        );
        assert!(review(&span(), "note", "x", "", None).is_err());
        assert_eq!(line(&had), "review: good · 1");
    }

    #[test]
    fn thumbs_and_notes_are_annotations_of_their_own_names() {
        let down = thumbs(&span(), false, None);
        assert_eq!(
            (down.name.as_str(), down.label.as_deref(), down.score),
            ("review", Some("bad"), Some(0.0))
        );
        let (written, remove) = note(&span(), "  check the retries ");
        assert_eq!(
            (
                written.name.as_str(),
                written.explanation.as_deref(),
                remove
            ),
            ("note", Some("check the retries"), false)
        );
        assert!(note(&span(), "   ").1, "no text removes the note");
    }
}
