//! *Share as one page*: the selected traces and the viewer in one HTML file that opens anywhere
//! with no network request ([`crate::share`]), downloaded. Part of the export menu.

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::engine::protocol::{ShareRequest, SpanSelection};
use crate::present::format;
use crate::share::ShareInfo;
use crate::ui::common::download::save;
use crate::ui::common::input::value_of;
use crate::ui::query::use_engine;

/// The button's properties.
#[derive(Properties, PartialEq)]
pub struct ShareButtonProps {
    /// What to share (whole traces).
    pub selection: SpanSelection,
    /// Take secrets out first.
    pub redact: bool,
}

/// A name to sign with, and the button.
#[component]
pub(crate) fn ShareButton(props: &ShareButtonProps) -> Html {
    let engine = use_engine();
    let status = use_state(String::new);
    let by = use_state(String::new);
    let share = {
        let (engine, status, by) = (engine.clone(), status.clone(), by.clone());
        let (selection, redact) = (props.selection.clone(), props.redact);
        Callback::from(move |_: MouseEvent| {
            let Some(engine) = engine.clone() else { return };
            let status = status.clone();
            let info = ShareInfo {
                by: Some(by.trim().to_owned()).filter(|by| !by.is_empty()),
                made: js_sys::Date::new_0().to_iso_string().as_string(),
                // Several traces open where they were shared from (a table, its filter).
                open: match &selection {
                    SpanSelection::Traces(ids) if ids.len() == 1 => None,
                    _ => web_sys::window().and_then(|w| w.location().hash().ok()),
                },
                ..ShareInfo::default()
            };
            let request = ShareRequest {
                selection: selection.clone(),
                redact,
                info,
            };
            status.set("Writing the page…".into());
            spawn_local(async move {
                match engine.share(request).await {
                    Ok(shared) => {
                        save(&shared.blob, &shared.file.name);
                        status.set(format!(
                            "Saved {} spans as {}: it opens in any browser, with nothing sent anywhere",
                            format::count(shared.file.spans),
                            shared.file.name
                        ));
                    }
                    Err(problem) => status.set(format!("Sharing failed: {problem}")),
                }
            });
        })
    };
    html! {
        <div class="share-item">
            <input type="text" placeholder="Your name (optional)" data-testid="share-by" value={(*by).clone()}
                   aria-label="Your name, as the shared page says" oninput={let by = by.clone(); move |e: InputEvent| by.set(value_of(&e.into()))} />
            <button class="button small" data-testid="share" onclick={share}
                    title="One HTML file holding the viewer and these traces (whole): it opens from disk or anywhere it is put, and sends nothing">
                {"Share as one page"}<span class="muted">{" .html"}</span>
            </button>
            if !status.is_empty() { <p class="muted" data-testid="share-status">{ (*status).clone() }</p> }
        </div>
    }
}
