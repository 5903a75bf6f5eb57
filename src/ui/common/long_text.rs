//! Text of any length, always as text: long values show a preview and expand on demand, so a
//! multi-KB prompt never slows the page.

use yew::prelude::*;

/// Texts longer than this many characters (or lines) start collapsed.
const COLLAPSE_CHARS: usize = 1_200;
const COLLAPSE_LINES: usize = 16;
/// What a collapsed text shows.
const PREVIEW_CHARS: usize = 480;
const PREVIEW_LINES: usize = 6;

/// The text's properties.
#[derive(Properties, PartialEq)]
pub struct LongTextProps {
    /// The text (untrusted: shown as text, never as HTML).
    pub text: AttrValue,
    /// Pre-formatted (monospace, white space kept), e.g. stack traces and JSON.
    #[prop_or_default]
    pub pre: bool,
}

fn preview(text: &str) -> &str {
    let by_chars = text
        .char_indices()
        .nth(PREVIEW_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let by_lines = text
        .match_indices('\n')
        .nth(PREVIEW_LINES - 1)
        .map_or(text.len(), |(i, _)| i);
    &text[..by_chars.min(by_lines)]
}

/// See the module docs.
#[component]
pub fn LongText(props: &LongTextProps) -> Html {
    let expanded = use_state(|| false);
    let text = props.text.as_str();
    let long = text.chars().count() > COLLAPSE_CHARS || text.lines().count() > COLLAPSE_LINES;
    let class = classes!("text", props.pre.then_some("pre"));
    if !long {
        return html! { <div {class}>{ text.to_owned() }</div> };
    }
    let toggle = {
        let expanded = expanded.clone();
        Callback::from(move |_: MouseEvent| expanded.set(!*expanded))
    };
    let size = crate::present::format::bytes(text.len() as u64);
    html! {
        <div {class}>
            if *expanded {
                { text.to_owned() }
            } else {
                { format!("{}…", preview(text)) }
            }
            <button class="button small more" onclick={toggle}>
                { if *expanded { "Show less".to_owned() } else { format!("Show all ({size})") } }
            </button>
        </div>
    }
}
