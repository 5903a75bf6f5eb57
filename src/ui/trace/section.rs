//! A titled section of the details pane that opens and closes; what the user chose is
//! remembered per span kind (where the page may keep settings), so an LLM span's raw
//! attributes stay closed, or open, for the next LLM span too.

use yew::prelude::*;

use crate::ui::local_storage;

/// The kind of the span the pane shows, for the sections inside it to remember by.
#[derive(Clone, PartialEq)]
pub(crate) struct SectionKind(pub AttrValue);

/// The section's properties.
#[derive(Properties, PartialEq)]
pub(crate) struct SectionProps {
    /// Its title.
    pub title: AttrValue,
    /// Whether it opens at first, until the user chooses.
    #[prop_or(true)]
    pub open: bool,
    /// What it holds.
    pub children: Html,
}

/// See the module docs.
#[component]
pub(crate) fn Section(props: &SectionProps) -> Html {
    let kind = use_context::<SectionKind>()
        .map(|k| k.0.to_string())
        .unwrap_or_default();
    let key = format!("plume.section.{kind}.{}", props.title);
    let (open, choose) = use_remembered_open(key, props.open);
    let ontoggle = Callback::from(move |event: Event| {
        if let Some(details) = event.target_dyn_into::<web_sys::HtmlDetailsElement>() {
            choose.emit(details.open());
        }
    });
    html! {
        <details class="section" {open} {ontoggle} data-section={props.title.clone()}>
            <summary><h3>{ props.title.clone() }</h3></summary>
            { props.children.clone() }
        </details>
    }
}

/// Whether the section under `key` is open (as remembered, else `default`), and a callback
/// that remembers a choice.
#[hook]
fn use_remembered_open(key: String, default: bool) -> (bool, Callback<bool>) {
    let remembered = local_storage()
        .and_then(|storage| storage.get_item(&key).ok().flatten())
        .map(|value| value == "open");
    let open = use_state_eq(|| remembered.unwrap_or(default));
    let choose = {
        let open = open.clone();
        Callback::from(move |now: bool| {
            if let Some(storage) = local_storage() {
                let _ = storage.set_item(&key, if now { "open" } else { "closed" });
            }
            open.set(now);
        })
    };
    (*open, choose)
}
