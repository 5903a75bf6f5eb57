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
