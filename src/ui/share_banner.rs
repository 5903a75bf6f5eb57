//! A share file's banner: what it is (title, who and when, how much, whether redacted), and
//! *Keep in this browser*.

use yew::prelude::*;

use crate::present::share::banner;
use crate::share::ShareInfo;

/// The banner's properties.
#[derive(Properties, PartialEq)]
pub struct ShareBannerProps {
    /// What the share file says about itself.
    pub info: ShareInfo,
    /// Keeps what it holds in this browser's storage.
    pub on_keep: Callback<()>,
}

/// What the share file is, and keeping it.
#[component]
pub(crate) fn ShareBanner(props: &ShareBannerProps) -> Html {
    let kept = use_state(|| false);
    let keep = {
        let (kept, on_keep) = (kept.clone(), props.on_keep.clone());
        Callback::from(move |_: MouseEvent| {
            kept.set(true);
            on_keep.emit(());
        })
    };
    html! {
        <section class="share-banner" data-testid="share-banner" aria-label="Shared traces">
            <div class="share-title">
                <strong data-testid="share-title">{ props.info.title.clone() }</strong>
                <span class="muted" data-testid="share-details">{ banner(&props.info) }</span>
            </div>
            if *kept {
                <span class="muted" data-testid="share-kept">{"Kept in this browser"}</span>
            } else {
                <button class="button small" data-testid="share-keep" onclick={keep}
                        title="This file's traces are shown, not stored; keep them in this browser's storage to find them again without the file">
                    {"Keep in this browser"}
                </button>
            }
        </section>
    }
}
