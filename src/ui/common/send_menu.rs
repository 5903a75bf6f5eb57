//! Send spans to a collector (Phoenix, an OpenTelemetry Collector, anything speaking OTLP/HTTP):
//! where and how, then progress and a final report.
//!
//! The settings are remembered in `localStorage` (where the page may keep settings at all),
//! except the headers (they often hold credentials): those stay in this page's memory unless
//! "remember" is ticked. An embedded page offers sending only if its host asked for it.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use yew::prelude::*;

use crate::ui::common::menu::place_items;
use crate::ui::common::redaction::RedactionRulesButton;

use crate::engine::protocol::{SendRequest, SpanSelection};
use crate::export::send::{
    MAX_REQUEST_BYTES, Protocol, Report, Settings, endpoint_warning, format_headers, parse_headers,
};
use crate::present::format;
use crate::ui::common::input::value_of;
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
    let initial = use_memo((), |_| load());
    let saved = use_state(|| initial.0.clone());
    let headers = use_state(|| AttrValue::from(initial.1.clone()));
    let delivery = use_delivery(props.selection.clone(), saved.clone(), headers.clone());
    let powers = page_powers();
    if !powers.send {
        return html! {};
    }
    let on_saved = Callback::from({
        let saved = saved.clone();
        move |next: Saved| saved.set(next)
    });
    let on_headers = Callback::from(move |text: String| headers.set(text.into()));
    let sending = delivery.report.as_ref().is_some_and(|r| !r.done);
    html! {
        <details class="menu" data-testid="send-menu" ontoggle={place_items}>
            <summary class="button small">{ props.label.clone() }{" ▾"}</summary>
            <div class="menu-items send-form">
                <SendForm saved={(*saved).clone()} {on_saved} headers={(*delivery.headers).clone()} {on_headers}
                          offer_remember={powers.settings} />
                <RedactionRulesButton selection={props.selection.clone()} />
                <button class="button primary" data-testid="send-button" onclick={delivery.send} disabled={sending}>
                    { if sending { "Sending…" } else { "Send" } }
                </button>
                if !delivery.problem.is_empty() { <p class="problem error">{ (*delivery.problem).clone() }</p> }
                if let Some(report) = (*delivery.report).clone() { <SendReport {report} /> }
            </div>
        </details>
    }
}

/// A delivery: how to start it, and how it goes.
struct Delivery {
    headers: UseStateHandle<AttrValue>,
    send: Callback<MouseEvent>,
    report: UseStateHandle<Option<Report>>,
    /// Why it could not start ("" when it could).
    problem: UseStateHandle<String>,
}

/// Sending `selection` with the settings and headers shown: the headers are read (a mistake
/// stops it), the settings kept, then the engine sends and reports as it goes.
#[hook]
fn use_delivery(
    selection: SpanSelection,
    saved: UseStateHandle<Saved>,
    headers: UseStateHandle<AttrValue>,
) -> Delivery {
    let engine = use_engine();
    let report = use_state(|| None::<Report>);
    let problem = use_state(String::new);
    let send = {
        let (headers, report, problem) = (headers.clone(), report.clone(), problem.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(engine) = engine.clone() else { return };
            let parsed = match parse_headers(&headers) {
                Ok(parsed) => parsed,
                Err(error) => return problem.set(format!("Headers: {error}")),
            };
            problem.set(String::new());
            let mut next = (*saved).clone();
            next.settings.headers = parsed;
            save(&next, &headers);
            saved.set(next.clone());
            report.set(Some(Report::default()));
            let report = report.clone();
            let request = SendRequest {
                selection: selection.clone(),
                settings: next.settings,
            };
            engine.send(
                request,
                Callback::from(move |r: Report| report.set(Some(r))),
            );
        })
    };
    Delivery {
        headers,
        send,
        report,
        problem,
    }
}

/// The form's properties.
#[derive(Properties, PartialEq)]
struct SendFormProps {
    saved: Saved,
    on_saved: Callback<Saved>,
    headers: AttrValue,
    on_headers: Callback<String>,
    /// Offer to keep the headers in `localStorage` (where the page may keep settings).
    offer_remember: bool,
}

/// Where and how to send.
#[component]
fn SendForm(props: &SendFormProps) -> Html {
    // Each control sets one field from its value.
    let edit = |change: fn(&mut Saved, String)| {
        let (saved, on_saved) = (props.saved.clone(), props.on_saved.clone());
        Callback::from(move |event: Event| {
            let mut next = saved.clone();
            change(&mut next, value_of(&event));
            on_saved.emit(next);
        })
    };
    let on_headers = props
        .on_headers
        .reform(|event: InputEvent| value_of(&event));
    let settings = &props.saved.settings;
    html! {
        <>
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
                <label title="Emails, phone numbers, card numbers, IP addresses, API keys and tokens, and the values of secret-looking attributes are replaced (the same value by the same mark) before anything is sent">
                    <input type="checkbox" data-testid="send-redact" checked={settings.redact}
                           onchange={edit(|s, v| s.settings.redact = v == "true")} />{" take secrets out"}
                </label>
                <label title="After the spans, what people noted on them and their traces goes to Phoenix's REST API (/v1/span_annotations, /v1/trace_annotations, notes), at the same address and with the same headers">
                    <input type="checkbox" data-testid="send-annotations" checked={settings.annotations}
                           onchange={edit(|s, v| s.settings.annotations = v == "true")} />{" annotations too (Phoenix)"}
                </label>
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
                <textarea rows="3" data-testid="send-headers" value={props.headers.clone()} oninput={on_headers}
                          spellcheck="false" autocomplete="off" />
            </label>
            if props.offer_remember {
                <label><input type="checkbox" checked={props.saved.remember_headers} onchange={edit(|s, v| s.remember_headers = v == "true")} />
                    {" Remember the headers in this browser (kept unencrypted in this site's localStorage; otherwise forgotten when the page closes)"}</label>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct SendReportProps {
    report: Report,
}

/// How the delivery went, or is going.
#[component]
fn SendReport(props: &SendReportProps) -> Html {
    let report = &props.report;
    let summary = if report.done {
        let mut said = format!(
            "Sent {} of {} spans: {} accepted, {} failed ({} requests).",
            format::count(report.sent),
            format::count(report.spans),
            format::count(report.accepted),
            format::count(report.failed),
            report.requests
        );
        if report.annotations > 0 {
            said.push_str(&format!(
                " Annotations: {} of {} sent, {} failed.",
                format::count(report.annotations_sent),
                format::count(report.annotations),
                format::count(report.annotations_failed)
            ));
        }
        said
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
