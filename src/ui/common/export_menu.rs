//! Download spans as a file: a trace, a project, or what the current filter matches, in any of
//! the forms Plume writes (and reads back), or shared as one page with the viewer.

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::ui::common::download::save;
use crate::ui::common::menu::place_items;
use crate::ui::common::redaction::RedactionRulesButton;
use crate::ui::common::share_button::ShareButton;
use crate::ui::share::share_page;

use crate::engine::protocol::{ExportRequest, SpanSelection};
use crate::export::Target;
use crate::present::format;
use crate::ui::query::use_engine;

/// The forms offered, with their labels.
const FORMS: [(Target, &str); 5] = [
    (Target::OtlpJson, "OTLP/JSON"),
    (Target::OtlpProto, "OTLP protobuf"),
    (Target::OtlpJsonLines, "OTLP JSON Lines"),
    (Target::PhoenixJsonLines, "Phoenix span JSONL"),
    (Target::PhoenixAnnotations, "Annotations (Phoenix)"),
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
                <label class="check" title="What the redaction rules find (emails, phone numbers, card numbers, IP addresses, API keys and tokens, the values of secret-looking attributes, your patterns) is replaced, the same value by the same mark, before the file is written">
                    <input type="checkbox" data-testid="export-redact" checked={*redact}
                           onchange={let redact = redact.clone(); move |_| redact.set(!*redact)} />
                    {" Take secrets out first"}
                </label>
                <RedactionRulesButton selection={props.selection.clone()} />
                { for FORMS.iter().map(|(target, label)| html! {
                    <button class="button small" onclick={download(*target)} data-format={target.extension()}>
                        { *label }<span class="muted">{ format!(" .{}", target.extension()) }</span>
                    </button>
                }) }
                if !status.is_empty() { <p class="muted" data-testid="export-status">{ (*status).clone() }</p> }
                // A share file cannot make another: its engine cannot read the viewer's shell.
                if share_page().is_none() {
                    <ShareButton selection={props.selection.clone()} redact={*redact} />
                }
            </div>
        </details>
    }
}
