//! A button that copies a value to the clipboard.

use yew::prelude::*;

/// The button's properties.
#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// What to copy.
    pub value: AttrValue,
    /// Its label (default: "Copy").
    #[prop_or(AttrValue::Static("Copy"))]
    pub label: AttrValue,
}

/// See the module docs.
#[component]
pub fn CopyButton(props: &CopyButtonProps) -> Html {
    let copied = use_state(|| false);
    let onclick = {
        let value = props.value.clone();
        let copied = copied.clone();
        Callback::from(move |event: MouseEvent| {
            event.stop_propagation();
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&value);
                copied.set(true);
            }
        })
    };
    html! {
        <button class="button small copy" {onclick} title={format!("Copy {}", props.value)}>
            { if *copied { "Copied".into() } else { props.label.clone() } }
        </button>
    }
}
