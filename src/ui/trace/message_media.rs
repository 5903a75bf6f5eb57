//! A message's images, audio and files. An inline image shows once checked
//! ([`media::image_source`]); a remote one is a link and a *Load image* button, and nothing is
//! fetched until it is pressed (in a share file, which may load nothing from elsewhere, only the
//! link). Inline audio plays; a file says its name, type and size.

use yew::prelude::*;

use crate::present::format;
use crate::present::media::{self, ImageSource};
use crate::ui::common::long_text::LongText;
use crate::ui::context::in_share_file;

/// The image's properties.
#[derive(Properties, PartialEq)]
pub struct MessageImageProps {
    /// Its URL (`data:` or remote), as recorded.
    pub url: AttrValue,
}

/// See the module docs.
#[component]
pub fn MessageImage(props: &MessageImageProps) -> Html {
    let source = use_memo(props.url.clone(), |url| media::image_source(url));
    // The URL asked for: another URL in the same place is not loaded until asked again.
    let asked = use_state(|| None::<AttrValue>);
    let loaded = asked.as_ref() == Some(&props.url);
    match &*source {
        ImageSource::Inline { url, size } => html! {
            <figure class="message-image">
                <img src={url.clone()} alt="an image in the message" data-testid="message-image" />
                <figcaption class="muted">{ format!("image, {} inline", format::bytes(*size)) }</figcaption>
            </figure>
        },
        ImageSource::Remote { url } if loaded => html! {
            <figure class="message-image">
                <img src={url.clone()} alt="an image the message links to" referrerpolicy="no-referrer" data-testid="message-image" />
                <figcaption><a href={url.clone()} target="_blank" rel="noopener noreferrer">{ url.clone() }</a></figcaption>
            </figure>
        },
        ImageSource::Remote { url } => {
            let load = {
                let (asked, url) = (asked.clone(), props.url.clone());
                Callback::from(move |_: MouseEvent| asked.set(Some(url.clone())))
            };
            html! {
                <div class="image-ref" data-testid="remote-image">
                    {"image: "}<a href={url.clone()} target="_blank" rel="noopener noreferrer">{ url.clone() }</a>
                    if in_share_file() {
                        <span class="muted">{" (a share file loads nothing from elsewhere: open the link)"}</span>
                    } else {
                        {" "}<button class="button small" onclick={load} data-testid="load-image"
                                     title="Fetch this image from its server">{"Load image"}</button>
                    }
                </div>
            }
        }
        ImageSource::Refused(why) => html! { <div class="image-ref muted">{ why.clone() }</div> },
    }
}

/// The media part's properties.
#[derive(Properties, PartialEq)]
pub struct MessageMediaProps {
    /// `audio`, `document`, `file`, …
    pub kind: AttrValue,
    /// Its MIME type.
    pub mime_type: Option<AttrValue>,
    /// A URI or file id.
    pub reference: AttrValue,
    /// Its file name.
    pub name: Option<AttrValue>,
    /// Bytes inline.
    pub size: Option<u64>,
    /// Inline audio, base64.
    pub data: Option<AttrValue>,
    /// What was said.
    pub transcript: Option<AttrValue>,
}

/// Audio that plays, with its transcript; any other media as what it is.
#[component]
pub fn MessageMedia(props: &MessageMediaProps) -> Html {
    let mime = props.mime_type.as_deref();
    let audio = use_memo(
        (props.mime_type.clone(), props.data.clone()),
        |(mime, data)| {
            (data.as_deref()).and_then(|data| media::audio_source(mime.as_deref(), data))
        },
    );
    let facts: Vec<String> = [
        Some(props.kind.to_string()),
        props.name.as_ref().map(|n| format!("“{n}”")),
        mime.map(str::to_owned),
        props.size.map(format::bytes),
    ]
    .into_iter()
    .flatten()
    .collect();
    html! {
        <div class="media-part" data-testid="media-part" data-kind={props.kind.clone()}>
            <span class="muted">{ facts.join(" · ") }</span>
            if !props.reference.is_empty() { {" "}<LongText text={props.reference.clone()} /> }
            if let Some(src) = (*audio).clone() { <audio controls=true {src} data-testid="message-audio"></audio> }
            if let Some(transcript) = &props.transcript {
                <div class="transcript"><span class="muted">{"transcript: "}</span><LongText text={transcript.clone()} /></div>
            }
        </div>
    }
}
