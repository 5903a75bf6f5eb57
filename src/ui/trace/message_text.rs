//! A message's text as Markdown or as plain text — the user's choice, remembered in this
//! browser. Markdown is rendered from [`crate::present::markdown`]'s parts as the page's own
//! elements, never as HTML: a link opens in a new tab (`noopener noreferrer`), an image is a
//! link to open, never loaded by the page.

use yew::prelude::*;

use crate::present::markdown::{self, Block, Inline};
use crate::ui::common::long_text::LongText;
use crate::ui::local_storage;

/// Where the choice is kept.
const KEY: &str = "plume.message-text";

/// Texts longer than this are shown as plain text (collapsed), Markdown or not.
const MARKDOWN_CHARS: usize = 20_000;

/// How message texts show, and how to change it.
#[derive(Clone, PartialEq)]
pub(crate) struct TextMode {
    /// As Markdown, rather than as plain text.
    pub markdown: bool,
    /// Changes it (and remembers).
    pub set: Callback<bool>,
}

/// The mode, as this browser remembers it (Markdown at first).
#[hook]
pub(crate) fn use_text_mode() -> TextMode {
    let markdown = use_state_eq(|| {
        local_storage()
            .and_then(|storage| storage.get_item(KEY).ok().flatten())
            .is_none_or(|mode| mode != "text")
    });
    let set = {
        let markdown = markdown.clone();
        Callback::from(move |on: bool| {
            if let Some(storage) = local_storage() {
                let _ = storage.set_item(KEY, if on { "markdown" } else { "text" });
            }
            markdown.set(on);
        })
    };
    TextMode {
        markdown: *markdown,
        set,
    }
}

/// *Markdown* | *Text*.
#[component]
pub(crate) fn TextModeToggle() -> Html {
    let Some(mode) = use_context::<TextMode>() else {
        return html! {};
    };
    let button = |markdown: bool, label: &str| {
        let set = mode.set.reform(move |_: MouseEvent| markdown);
        html! {
            <button class={classes!("button", "small", (mode.markdown == markdown).then_some("active"))}
                    onclick={set} aria-pressed={(mode.markdown == markdown).to_string()}
                    data-testid={format!("text-mode-{}", label.to_lowercase())}>{ label.to_owned() }</button>
        }
    };
    html! { <span class="text-mode">{ button(true, "Markdown") }{ button(false, "Text") }</span> }
}

/// The text's properties.
#[derive(Properties, PartialEq)]
pub(crate) struct MessageTextProps {
    /// The text (untrusted).
    pub text: AttrValue,
}

/// A message's text, as the mode says.
#[component]
pub(crate) fn MessageText(props: &MessageTextProps) -> Html {
    let markdown = use_context::<TextMode>().is_none_or(|mode| mode.markdown);
    if !markdown || props.text.len() > MARKDOWN_CHARS {
        return html! { <LongText text={props.text.clone()} /> };
    }
    let blocks = markdown::parse(&props.text);
    html! { <div class="markdown" data-testid="markdown">{ for blocks.iter().map(block) }</div> }
}

fn block(block: &Block) -> Html {
    match block {
        Block::Heading(level, parts) => {
            let tag = format!("h{}", (level + 3).min(6));
            html! { <@{tag} class="md-heading">{ for parts.iter().map(inline) }</@> }
        }
        Block::Paragraph(parts) => html! { <p>{ for parts.iter().map(inline) }</p> },
        Block::Code { text, .. } => {
            html! { <pre class="text pre"><code>{ text.clone() }</code></pre> }
        }
        Block::List { ordered, items } => {
            let items = items
                .iter()
                .map(|item| html! { <li>{ for item.iter().map(inline) }</li> });
            match ordered {
                true => html! { <ol>{ for items }</ol> },
                false => html! { <ul>{ for items }</ul> },
            }
        }
        Block::Quote(parts) => html! { <blockquote>{ for parts.iter().map(inline) }</blockquote> },
        Block::Rule => html! { <hr /> },
    }
}

fn inline(part: &Inline) -> Html {
    match part {
        Inline::Text(text) => html! { { text.clone() } },
        Inline::Code(code) => html! { <code>{ code.clone() }</code> },
        Inline::Strong(parts) => html! { <strong>{ for parts.iter().map(inline) }</strong> },
        Inline::Emphasis(parts) => html! { <em>{ for parts.iter().map(inline) }</em> },
        Inline::Link { text, href } => html! {
            <a href={href.clone()} target="_blank" rel="noopener noreferrer">{ for text.iter().map(inline) }</a>
        },
        // The page never loads it: a link the user may open, when it is one.
        Inline::Image { alt, src } => match markdown::openable(src) {
            Some(src) => html! {
                <a class="image-ref" href={src.to_owned()} target="_blank" rel="noopener noreferrer"
                   title={src.to_owned()} data-testid="md-image">{ format!("image: {alt} ↗") }</a>
            },
            None => html! { <span class="image-ref">{ format!("image: {alt} ({src})") }</span> },
        },
    }
}
