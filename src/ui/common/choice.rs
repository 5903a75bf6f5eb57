//! A `<select>` that shows the value it is given, also after the user picked another: a
//! select's `selected` attributes stop counting once it has been used, so a value arriving from
//! a link or Back is set on the element itself.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::ui::common::input::value_of;

/// The choice's properties.
#[derive(Properties, PartialEq)]
pub struct ChoiceProps {
    /// `(value, label)` of each option, in order.
    pub options: Vec<(AttrValue, AttrValue)>,
    /// The value shown.
    pub chosen: AttrValue,
    /// Hears the value picked.
    pub onchange: Callback<String>,
    /// The accessible name.
    pub label: AttrValue,
}

/// See the module docs.
#[component]
pub fn Choice(props: &ChoiceProps) -> Html {
    let select = use_node_ref();
    {
        let select = select.clone();
        use_effect_with(props.chosen.clone(), move |chosen| {
            if let Some(element) = select.cast::<HtmlSelectElement>() {
                element.set_value(chosen);
            }
        });
    }
    let onchange = props.onchange.reform(|event: Event| value_of(&event));
    let options = props.options.iter().map(|(value, label)| {
        let selected = *value == props.chosen;
        html! { <option value={value.clone()} {selected}>{ label.clone() }</option> }
    });
    html! {
        <select ref={select} {onchange} aria-label={props.label.clone()}>{ for options }</select>
    }
}
