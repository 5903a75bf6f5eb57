//! Download spans as a file: a trace, a project, or what the current filter matches, in any of
//! the forms Plume writes (and reads back).

use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::{Blob, HtmlAnchorElement, Url};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::ui::common::menu::place_items;

use crate::engine::protocol::{ExportRequest, SpanSelection};
use crate::export::Target;
use crate::present::format;
use crate::ui::query::use_engine;

/// The forms offered, with their labels.
const FORMS: [(Target, &str); 4] = [
    (Target::OtlpJson, "OTLP/JSON"),
    (Target::OtlpProto, "OTLP protobuf"),
    (Target::OtlpJsonLines, "OTLP JSON Lines"),
    (Target::PhoenixJsonLines, "Phoenix span JSONL"),
];

/// The menu's properties.
#[derive(Properties, PartialEq)]
pub struct ExportMenuProps {
    /// What to export.
    pub selection: SpanSelection,
    /// The button's text.
    #[prop_or(AttrValue::Static("Export"))]
    pub label: AttrValue,
}

/// See the module docs.
#[component]
pub fn ExportMenu(props: &ExportMenuProps) -> Html {
    let engine = use_engine();
    let status = use_state(String::new);
    // Secrets taken out first (emails, keys, cards…): off unless asked, for this menu.
    let redact = use_state(|| false);
    let download = |target: Target| {
        let (engine, status, selection) = (engine.clone(), status.clone(), props.selection.clone());
        let redact = *redact;
        Callback::from(move |_: MouseEvent| {
            let Some(engine) = engine.clone() else { return };
            let (status, selection) = (status.clone(), selection.clone());
            status.set("Exporting…".into());
            spawn_local(async move {
                let request = ExportRequest {
                    selection,
                    target,
                    redact,
                };
                match engine.export(request).await {
                    Ok(exported) => {
                        save(&exported.blob, &exported.file.name);
                        status.set(format!(
                            "Saved {} spans as {}",
                            format::count(exported.file.spans),
                            exported.file.name
                        ));
                    }
                    Err(problem) => status.set(format!("The export failed: {problem}")),
                }
            });
        })
    };
    html! {
        <details class="menu" data-testid="export-menu" ontoggle={place_items}>
            <summary class="button small">{ props.label.clone() }{" ▾"}</summary>
            <div class="menu-items">
                <label class="check" title="Emails, phone numbers, card numbers, IP addresses, API keys and tokens, and the values of secret-looking attributes are replaced (the same value by the same mark) before the file is written">
                    <input type="checkbox" data-testid="export-redact" checked={*redact}
                           onchange={let redact = redact.clone(); move |_| redact.set(!*redact)} />
                    {" Take secrets out first"}
                </label>
                { for FORMS.iter().map(|(target, label)| html! {
                    <button class="button small" onclick={download(*target)} data-format={target.extension()}>
                        { *label }<span class="muted">{ format!(" .{}", target.extension()) }</span>
                    </button>
                }) }
                if !status.is_empty() { <p class="muted" data-testid="export-status">{ (*status).clone() }</p> }
            </div>
        </details>
    }
}

/// Hands `blob` to the browser as a download named `name`.
fn save(blob: &Blob, name: &str) {
    let Ok(url) = Url::create_object_url_with_blob(blob) else {
        return;
    };
    let anchor = gloo::utils::document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<HtmlAnchorElement>().ok());
    if let Some(anchor) = anchor {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    // The download has its own reference by then; the URL only keeps the blob alive.
    Timeout::new(60_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
}
