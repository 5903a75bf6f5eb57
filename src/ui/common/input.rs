//! What a form control says when it changes.

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The value of the control an event came from: an input's text (a checkbox's `"true"` or
/// `"false"`), a select's chosen value, a text area's text; "" for anything else.
pub fn value_of(event: &Event) -> String {
    if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
        return match input.type_().as_str() {
            "checkbox" => input.checked().to_string(),
            _ => input.value(),
        };
    }
    if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
        return select.value();
    }
    event
        .target_dyn_into::<HtmlTextAreaElement>()
        .map(|area| area.value())
        .unwrap_or_default()
}

/// What a text field shows: `applied` (from the address), and what is typed since, kept across
/// renders until it is applied (a field bound to `applied` alone would lose what is typed
/// whenever the page renders again, e.g. when an answer comes).
#[hook]
pub fn use_draft(applied: String) -> (UseStateHandle<String>, Callback<InputEvent>) {
    let draft = use_state(|| applied.clone());
    {
        // Applied from elsewhere (a link, Back): the field shows it.
        let draft = draft.clone();
        use_effect_with(applied, move |applied| draft.set(applied.clone()));
    }
    let typed = {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| draft.set(value_of(&event)))
    };
    (draft, typed)
}
