//! All attributes: nested (as Phoenix unflattens them) with collapsible branches, or flat as
//! received; copy buttons for values and for the whole set as JSON.

use yew::prelude::*;

use crate::attributes::value_text as text;
use crate::attributes::{Map, Value};
use crate::ui::common::copy::CopyButton;
use crate::ui::common::long_text::LongText;

/// The tree's properties.
#[derive(Properties, PartialEq)]
pub struct AttributesProps {
    /// Nested attributes.
    pub nested: Map,
    /// Flat attributes as received.
    pub flat: Vec<(String, Value)>,
}

/// See the module docs.
#[component]
pub fn Attributes(props: &AttributesProps) -> Html {
    let flat_view = use_state(|| false);
    let toggle = {
        let flat_view = flat_view.clone();
        Callback::from(move |_: MouseEvent| flat_view.set(!*flat_view))
    };
    let all_json = serde_json::to_string_pretty(&props.nested).unwrap_or_default();
    html! {
        <div class="attributes">
            <div class="section-tools">
                <button class="button small" onclick={toggle}>{ if *flat_view { "Nested view" } else { "Flat view" } }</button>
                <CopyButton value={all_json} label="Copy as JSON" />
            </div>
            if *flat_view {
                <table class="kv">
                    { for props.flat.iter().map(|(key, value)| leaf_row(key, value)) }
                </table>
            } else {
                <div class="tree">{ for props.nested.iter().map(|(key, value)| html! { <Node name={key.to_owned()} value={value.clone()} /> }) }</div>
            }
        </div>
    }
}

fn leaf_row(key: &str, value: &Value) -> Html {
    let shown = text(value);
    html! {
        <tr>
            <th class="mono">{ key.to_owned() }</th>
            <td><LongText text={shown.clone()} /></td>
            <td><CopyButton value={shown} /></td>
        </tr>
    }
}

/// A node's properties.
#[derive(Properties, PartialEq)]
struct NodeProps {
    name: AttrValue,
    value: Value,
}

/// One key: a leaf shows its value, a map or list of maps opens and closes.
#[component]
fn Node(props: &NodeProps) -> Html {
    let open = use_state(|| true);
    let children: Vec<(String, Value)> = match &props.value {
        Value::Map(map) => map.iter().map(|(k, v)| (k.to_owned(), v.clone())).collect(),
        Value::Array(items)
            if items
                .iter()
                .any(|i| matches!(i, Value::Map(_) | Value::Array(_))) =>
        {
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v.clone()))
                .collect()
        }
        _ => {
            let shown = text(&props.value);
            return html! {
                <div class="leaf">
                    <span class="key mono">{ props.name.clone() }</span>
                    <span class={classes!("value", value_class(&props.value))}><LongText text={shown.clone()} /></span>
                    <CopyButton value={shown} />
                </div>
            };
        }
    };
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    html! {
        <div class="branch">
            <button class="twisty key mono" onclick={toggle} aria-expanded={open.to_string()}>
                { if *open { "▾ " } else { "▸ " } }{ props.name.clone() }
                <span class="muted">{ match &props.value { Value::Array(items) => format!(" [{}]", items.len()), _ => String::new() } }</span>
            </button>
            if *open {
                <div class="children">{ for children.into_iter().map(|(k, v)| html! { <Node name={k} value={v} /> }) }</div>
            }
        </div>
    }
}

fn value_class(value: &Value) -> &'static str {
    match value {
        Value::Str(_) => "str",
        Value::Int(_) | Value::Double(_) => "num",
        Value::Bool(_) => "bool",
        _ => "other",
    }
}
