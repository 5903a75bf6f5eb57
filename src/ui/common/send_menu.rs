//! Send spans to a collector (Phoenix, an OpenTelemetry Collector, anything speaking OTLP/HTTP):
//! where and how, then progress and a final report.
//!
//! The settings are remembered in `localStorage` (where the page may keep settings at all),
//! except the headers (they often hold credentials): those stay in this page's memory unless
//! "remember" is ticked. An embedded page offers sending only if its host asked for it.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::engine::protocol::{SendRequest, SpanSelection};
use crate::export::send::{
    MAX_REQUEST_BYTES, Protocol, Report, Settings, endpoint_warning, format_headers, parse_headers,
};
use crate::present::format;
use crate::ui::context::page_powers;
use crate::ui::local_storage;
use crate::ui::query::use_engine;

const STORAGE_KEY: &str = "plume.send";

/// What is kept between uses.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
struct Saved {
    settings: Settings,
    /// Keep the headers in `localStorage` too.
    remember_headers: bool,
}

thread_local! {
    /// The headers typed in this page, which outlive the menu but not the page.
    static HEADERS: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn load() -> (Saved, String) {
    let saved: Saved = local_storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let headers = HEADERS
        .with(|h| h.borrow().clone())
        .unwrap_or_else(|| format_headers(&saved.settings.headers));
    (saved, headers)
}

fn save(saved: &Saved, headers: &str) {
    HEADERS.with(|h| *h.borrow_mut() = Some(headers.to_owned()));
    let mut kept = saved.clone();
    if !kept.remember_headers {
        kept.settings.headers.clear();
    }
    if let (Some(storage), Ok(text)) = (local_storage(), serde_json::to_string(&kept)) {
        let _ = storage.set_item(STORAGE_KEY, &text);
    }
}

/// The menu's properties.
#[derive(Properties, PartialEq)]
pub struct SendMenuProps {
    /// What to send.
    pub selection: SpanSelection,
    /// The button's text.
    #[prop_or(AttrValue::Static("Send"))]
    pub label: AttrValue,
}

/// See the module docs.
#[component]
pub fn SendMenu(props: &SendMenuProps) -> Html {
    let engine = use_engine();
    let initial = use_memo((), |_| load());
    let saved = use_state(|| initial.0.clone());
    let headers = use_state(|| initial.1.clone());
    let report = use_state(|| None::<Report>);
    let problem = use_state(String::new);
    let powers = page_powers();
    if !powers.send {
        return html! {};
    }

    let edit = |change: fn(&mut Saved, String)| {
        let saved = saved.clone();
        Callback::from(move |event: Event| {
            let target = event.target_dyn_into::<HtmlInputElement>();
            let value = match target {
                Some(input) if input.type_() == "checkbox" => input.checked().to_string(),
                Some(input) => input.value(),
                None => event
                    .target_dyn_into::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default(),
            };
            let mut next = (*saved).clone();
            change(&mut next, value);
            saved.set(next);
        })
    };
    let on_headers = {
        let headers = headers.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(area) = event.target_dyn_into::<HtmlTextAreaElement>() {
                headers.set(area.value());
            }
        })
    };
    let sending = report.as_ref().is_some_and(|r| !r.done);
    let send = {
        let (saved, headers, report, problem) = (
            saved.clone(),
            headers.clone(),
            report.clone(),
            problem.clone(),
        );
        let selection = props.selection.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(engine) = engine.clone() else { return };
            let parsed = match parse_headers(&headers) {
                Ok(parsed) => parsed,
                Err(error) => {
                    problem.set(format!("Headers: {error}"));
                    return;
                }
            };
            problem.set(String::new());
            let mut next = (*saved).clone();
            next.settings.headers = parsed;
            save(&next, &headers);
            saved.set(next.clone());
            let report = report.clone();
            report.set(Some(Report::default()));
            engine.send(
                SendRequest {
                    selection: selection.clone(),
                    settings: next.settings,
                },
                Callback::from(move |r: Report| report.set(Some(r))),
            );
        })
    };
    let settings = &saved.settings;
    html! {
        <details class="menu" data-testid="send-menu">
            <summary class="button small">{ props.label.clone() }{" ▾"}</summary>
            <div class="menu-items send-form">
                <label>{"Collector endpoint (OTLP/HTTP)"}
                    <input type="url" data-testid="send-endpoint" value={settings.endpoint.clone()}
                           onchange={edit(|s, v| s.settings.endpoint = v.trim().to_owned())} />
                </label>
                if let Some(warning) = endpoint_warning(&settings.endpoint) {
                    <p class="problem warning" data-testid="send-endpoint-warning">{ warning }</p>
                }
                <div class="row">
                    <label>{"Protocol "}
                        <select data-testid="send-protocol" onchange={edit(|s, v| s.settings.protocol = if v == "json" { Protocol::Json } else { Protocol::Protobuf })}>
                            <option value="protobuf" selected={settings.protocol == Protocol::Protobuf}>{"protobuf"}</option>
                            <option value="json" selected={settings.protocol == Protocol::Json}>{"JSON"}</option>
                        </select>
                    </label>
                    <label><input type="checkbox" checked={settings.gzip} onchange={edit(|s, v| s.settings.gzip = v == "true")} />{" gzip"}</label>
                    <label>{"Spans per request "}
                        <input type="number" min="1" class="narrow" data-testid="send-batch" value={settings.max_spans.to_string()}
                               onchange={edit(|s, v| s.settings.max_spans = v.parse().unwrap_or(s.settings.max_spans).max(1))} />
                    </label>
                    <label title="Before compression; at most 20 MiB, as the OTLP specification advises">{"KiB per request "}
                        <input type="number" min="1" max={(MAX_REQUEST_BYTES / 1024).to_string()} class="narrow" data-testid="send-kib"
                               value={(settings.max_bytes / 1024).to_string()}
                               onchange={edit(|s, v| s.settings.max_bytes = v.parse::<usize>().map_or(s.settings.max_bytes, |kib| kib.saturating_mul(1024).clamp(1024, MAX_REQUEST_BYTES)))} />
                    </label>
                </div>
                <label>{"Headers, one \u{201c}name: value\u{201d} per line (e.g. authorization, api_key, x-project-name)"}
                    <textarea rows="3" data-testid="send-headers" value={(*headers).clone()} oninput={on_headers}
                              spellcheck="false" autocomplete="off" />
                </label>
                if powers.settings {
                    <label><input type="checkbox" checked={saved.remember_headers} onchange={edit(|s, v| s.remember_headers = v == "true")} />
                        {" Remember the headers in this browser (kept unencrypted in this site's localStorage; otherwise forgotten when the page closes)"}</label>
                }
                <button class="button primary" data-testid="send-button" onclick={send} disabled={sending}>
                    { if sending { "Sending…" } else { "Send" } }
                </button>
                if !problem.is_empty() { <p class="problem error">{ (*problem).clone() }</p> }
                if let Some(report) = report.as_ref() { { report_view(report) } }
            </div>
        </details>
    }
}

fn report_view(report: &Report) -> Html {
    let summary = if report.done {
        format!(
            "Sent {} of {} spans: {} accepted, {} failed ({} requests).",
            format::count(report.sent),
            format::count(report.spans),
            format::count(report.accepted),
            format::count(report.failed),
            report.requests
        )
    } else {
        format!(
            "Sending… {} of {} spans answered for ({} requests).",
            format::count(report.sent + report.failed),
            format::count(report.spans),
            report.requests
        )
    };
    html! {
        <div class="send-report" data-testid="send-report" data-done={report.done.to_string()}>
            <p data-testid="send-status">{ summary }</p>
            if !report.messages.is_empty() {
                <ul class="messages">{ for report.messages.iter().map(|m| html! { <li>{ m.clone() }</li> }) }</ul>
            }
        </div>
    }
}
