//! How much of the browser's storage the kept traces use, and a way to ask the browser to keep
//! them even when space runs low (`navigator.storage.persist()`).

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{StorageEstimate, StorageManager};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::present::format;

/// The line's properties.
#[derive(Properties, PartialEq)]
pub struct StorageStatusProps {
    /// The loads version (the usage is measured again when it changes).
    pub version: u32,
}

/// What the browser says about this page's storage.
#[derive(Clone, Copy, PartialEq)]
struct Usage {
    used: f64,
    quota: f64,
    persisted: bool,
}

fn manager() -> Option<StorageManager> {
    Some(web_sys::window()?.navigator().storage())
}

async fn usage() -> Option<Usage> {
    let manager = manager()?;
    let estimate: StorageEstimate = JsFuture::from(manager.estimate().ok()?)
        .await
        .ok()?
        .unchecked_into();
    let persisted = match manager.persisted() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()?
            .as_bool()
            .unwrap_or(false),
        Err(_) => false,
    };
    Some(Usage {
        used: estimate.get_usage().unwrap_or(0.0),
        quota: estimate.get_quota().unwrap_or(0.0),
        persisted,
    })
}

/// See the module docs.
#[component]
pub fn StorageStatus(props: &StorageStatusProps) -> Html {
    let state = use_state(|| None::<Usage>);
    let asked = use_state(|| 0u32);
    {
        let state = state.clone();
        use_effect_with((props.version, *asked), move |_| {
            spawn_local(async move { state.set(usage().await) });
        });
    }
    let Some(usage) = *state else {
        return html! {};
    };
    let persist = {
        let asked = asked.clone();
        Callback::from(move |_: MouseEvent| {
            let asked = asked.clone();
            spawn_local(async move {
                if let Some(promise) = manager().and_then(|m| m.persist().ok()) {
                    let _ = JsFuture::from(promise).await;
                }
                asked.set(*asked + 1);
            });
        })
    };
    html! {
        <p class="muted storage" data-testid="storage-status">
            { format!(
                "Kept in this browser: {} used of {} it allows this page.",
                format::bytes(usage.used as u64),
                format::bytes(usage.quota as u64)
            ) }
            if usage.persisted {
                {" The browser will not clear it to make room."}
            } else {
                {" The browser may clear it when space runs low. "}
                <button class="button small" onclick={persist} data-testid="persist">{"Ask to keep it"}</button>
            }
        </p>
    }
}
