//! Annotating a span or a whole trace: what people noted (a note, a review with a label and a
//! score, thumbs up or down), shown and edited in the details pane. Each change is a message to
//! the engine, which keeps it where the page keeps what it loads.

use yew::prelude::*;

use crate::engine::protocol::{AnnotationWords, EvaluationView};
use crate::present::annotation::{NOTE, REVIEW, line, note, review, thumbs};
use crate::store::{StoredEvaluation, StoredTarget};
use crate::ui::common::input::value_of;
use crate::ui::context::Loader;

/// The annotations' properties.
#[derive(Properties, PartialEq)]
pub struct AnnotationsProps {
    /// What they are about.
    pub target: StoredTarget,
    /// What people noted on it.
    pub annotations: Vec<EvaluationView>,
    /// The names and labels used so far, offered again.
    pub words: AnnotationWords,
    /// `span` or `trace`: names its test hooks (`annotate-span`).
    pub of: AttrValue,
}

/// The annotations of a target, and the forms that change them (read-only without an engine).
#[component]
pub(crate) fn Annotations(props: &AnnotationsProps) -> Html {
    let annotate = use_context::<Loader>().map(|loader| loader.annotate);
    let reviews: Vec<&EvaluationView> = (props.annotations.iter())
        .filter(|a| a.name != NOTE)
        .collect();
    let had_note = props.annotations.iter().find(|a| a.name == NOTE);
    let names_id = format!("annotation-names-{}", props.of);
    let labels_id = format!("annotation-labels-{}", props.of);
    html! {
        <div class="annotations" data-testid={format!("annotate-{}", props.of)}>
            <ul class="annotation-list">
                { for reviews.iter().map(|a| {
                    let remove = annotate.clone().map(|annotate| {
                        let (target, name) = (props.target.clone(), a.name.clone());
                        Callback::from(move |_: MouseEvent| annotate.emit((named(&target, &name), true)))
                    });
                    html! {
                        <li data-testid="annotation">
                            <span class="eval-chip human">{ line(a) }</span>
                            if let Some(remove) = remove {
                                <button class="button small" data-testid="annotation-remove" onclick={remove}
                                        aria-label={format!("Remove the annotation {}", a.name)}>{"×"}</button>
                            }
                        </li>
                    }
                }) }
            </ul>
            if let Some(annotate) = annotate {
                <datalist id={names_id.clone()}>{ for props.words.names.iter().map(|n| html! { <option value={n.clone()} /> }) }</datalist>
                <datalist id={labels_id.clone()}>{ for props.words.labels.iter().map(|l| html! { <option value={l.clone()} /> }) }</datalist>
                <ReviewForm target={props.target.clone()} annotations={props.annotations.clone()} annotate={annotate.clone()}
                            {names_id} {labels_id} />
                <NoteForm target={props.target.clone()} note={had_note.and_then(|n| n.explanation.clone()).unwrap_or_default()} {annotate} />
            }
        </div>
    }
}

/// An annotation of `target` named `name`, for removing it.
fn named(target: &StoredTarget, name: &str) -> StoredEvaluation {
    StoredEvaluation {
        target: target.clone(),
        name: name.to_owned(),
        score: None,
        label: None,
        explanation: None,
        annotator: crate::model::Annotator::Human,
    }
}

/// The review form's properties.
#[derive(Properties, PartialEq)]
struct ReviewFormProps {
    target: StoredTarget,
    annotations: Vec<EvaluationView>,
    annotate: Callback<(StoredEvaluation, bool)>,
    names_id: String,
    labels_id: String,
}

/// Thumbs up or down, or a name, a label and a score.
#[component]
fn ReviewForm(props: &ReviewFormProps) -> Html {
    let (name, label, score) = (
        use_state(String::new),
        use_state(String::new),
        use_state(String::new),
    );
    let problem = use_state(|| None::<String>);
    let had = |name: &str| props.annotations.iter().find(|a| a.name == name).cloned();
    let thumb = |up: bool| {
        let (annotate, target, had) = (props.annotate.clone(), props.target.clone(), had(REVIEW));
        Callback::from(move |_: MouseEvent| {
            annotate.emit((thumbs(&target, up, had.as_ref()), false))
        })
    };
    let save = {
        let (annotate, target, problem) = (
            props.annotate.clone(),
            props.target.clone(),
            problem.clone(),
        );
        let (name, label, score) = (name.clone(), label.clone(), score.clone());
        let annotations = props.annotations.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let wanted = if name.trim().is_empty() {
                REVIEW
            } else {
                name.trim()
            };
            let had = annotations.iter().find(|a| a.name == wanted);
            match review(&target, &name, &label, &score, had) {
                Ok(annotation) => {
                    problem.set(None);
                    label.set(String::new());
                    score.set(String::new());
                    annotate.emit((annotation, false));
                }
                Err(why) => problem.set(Some(why)),
            }
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |event: InputEvent| state.set(value_of(&event.into())))
    };
    html! {
        <form class="review-form" onsubmit={save}>
            <button type="button" class="button small" data-testid="thumbs-up" title="Thumbs up: review = good, score 1" onclick={thumb(true)}>{"Good"}</button>
            <button type="button" class="button small" data-testid="thumbs-down" title="Thumbs down: review = bad, score 0" onclick={thumb(false)}>{"Bad"}</button>
            <input type="text" placeholder={REVIEW} list={props.names_id.clone()} value={(*name).clone()} oninput={set(&name)}
                   data-testid="annotation-name" aria-label="Annotation name" size="8" />
            <input type="text" placeholder="label" list={props.labels_id.clone()} value={(*label).clone()} oninput={set(&label)}
                   data-testid="annotation-label" aria-label="Label" size="10" />
            <input type="text" inputmode="decimal" placeholder="score" value={(*score).clone()} oninput={set(&score)}
                   data-testid="annotation-score" aria-label="Score" size="5" />
            <button type="submit" class="button small" data-testid="annotation-save">{"Annotate"}</button>
            if let Some(problem) = &*problem { <p class="problem error" data-testid="annotation-problem">{ problem.clone() }</p> }
        </form>
    }
}

/// The note form's properties.
#[derive(Properties, PartialEq)]
struct NoteFormProps {
    target: StoredTarget,
    note: String,
    annotate: Callback<(StoredEvaluation, bool)>,
}

/// A note in free text; saved empty, it is removed.
#[component]
fn NoteForm(props: &NoteFormProps) -> Html {
    let text = use_state(|| props.note.clone());
    {
        // Another span's (or an edited) note replaces what is typed.
        let text = text.clone();
        use_effect_with(props.note.clone(), move |note| text.set(note.clone()));
    }
    let save = {
        let (annotate, target, text) = (props.annotate.clone(), props.target.clone(), text.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            annotate.emit(note(&target, &text));
        })
    };
    let oninput = {
        let text = text.clone();
        Callback::from(move |event: InputEvent| text.set(value_of(&event.into())))
    };
    html! {
        <form class="note-form" onsubmit={save}>
            <textarea rows="2" placeholder="A note" value={(*text).clone()} {oninput} data-testid="note-input" aria-label="Note" />
            <button type="submit" class="button small" data-testid="note-save">{"Save note"}</button>
        </form>
    }
}
