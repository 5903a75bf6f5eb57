//! The OpenInference kind of a span at a glance: a short label in the kind's colour.

use yew::prelude::*;

/// The badge's properties.
#[derive(Properties, PartialEq)]
pub struct KindBadgeProps {
    /// `LLM`, `CHAIN`, … (anything else shows as it is).
    pub kind: AttrValue,
}

/// A glyph for each kind, so kinds differ by more than colour (all in common fonts: DejaVu has
/// them, so they render on a bare Linux too).
pub fn glyph(kind: &str) -> &'static str {
    match kind {
        "LLM" => "✦",
        "EMBEDDING" => "⋮",
        "CHAIN" => "⇶",
        "RETRIEVER" => "⌕",
        "RERANKER" => "⇅",
        "TOOL" => "⚒",
        "AGENT" => "◎",
        "GUARDRAIL" => "⚑",
        "EVALUATOR" => "✓",
        "PROMPT" => "¶",
        _ => "•",
    }
}

/// See the module docs.
#[component]
pub fn KindBadge(props: &KindBadgeProps) -> Html {
    let kind = props.kind.to_string();
    html! {
        <span class={classes!("kind", format!("kind-{}", kind.to_lowercase()))} title={kind.clone()}>
            <span class="glyph" aria-hidden="true">{ glyph(&kind) }</span>{ kind.clone() }
        </span>
    }
}
