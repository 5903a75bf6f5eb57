//! The viewer: a Yew single-page app on the main thread, talking to the engine in a Web Worker.
//!
//! | module | holds |
//! |---|---|
//! | `app.rs`, `header.rs`, `loading.rs` | the page: its header, the engine worker, loading (pick, drop, paste), the current route's view |
//! | `share.rs`, `share_banner.rs` | a share file's page: what it holds and says, its worker, its banner |
//! | `context.rs` | what every part may read: `Loader`, the page's options and powers (a leaf) |
//! | `bridge.rs` | the handle on the engine worker (`ask`, `load`, …): typed messages, transport only |
//! | `state.rs` | files being loaded (the UI's only state about data) |
//! | `route.rs`, `theme.rs`, `query.rs`, `host.rs` | hooks: the URL's route, light/dark, asking the engine, the embedding page or `#url=` link |
//! | `home/` | the start page: welcome, projects, saved files, prices, storage |
//! | `project/` | a project's tabs: traces or spans table with its filter bar, sessions, a session, stats |
//! | `trace/` | a trace: the waterfall page, the flame graph, a span's details and meaning, compare |
//! | `sources/` | servers connected to (Phoenix, Tempo, Jaeger, Zipkin): the connect form, a server's traces, one opened |
//! | `common/` | parts every page uses: the virtual list, kind badges, long text, attributes, copy, export, send, delete, file lines |
//!
//! Data never lives here: components ask the engine for what they show ([`query::use_query`]);
//! arithmetic and decisions live in `present/`.

mod app;
pub mod bridge;
mod common;
mod context;
mod header;
mod home;
mod host;
mod live;
mod loading;
mod project;
mod query;
mod route;
mod share;
mod share_banner;
mod sources;
mod state;
mod theme;
mod trace;

/// The viewer's self-contained parts, public so that component tests can render them alone.
pub mod widgets {
    pub use super::common::attribute_tree::{Attributes, AttributesProps};
    pub use super::common::kind::{KindBadge, KindBadgeProps};
    pub use super::common::long_text::{LongText, LongTextProps};
    pub use super::common::virtual_list::{VirtualList, VirtualListProps};
    pub use super::trace::span_details::{SpanDetailsView, SpanDetailsViewProps};
}

use std::cell::RefCell;

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;

use crate::engine::messages::Query;
use crate::engine::protocol::Summary;

thread_local! {
    /// The engine, for `window.plume.query()`.
    static ENGINE: RefCell<Option<bridge::EngineHandle>> = const { RefCell::new(None) };
    /// What `window.plume.summary()` returns, and the loads version it is the answer for.
    static SUMMARY: RefCell<(Summary, u32)> = RefCell::new((Summary::default(), 0));
    /// The loads version now, the load batches still busy, and whether what was kept is read.
    static LOADS: RefCell<(u32, u32, bool)> = const { RefCell::new((0, 0, false)) };
}

/// The page's `localStorage`, where settings are remembered: none when the page may not keep
/// settings (memory only, or embedded: a framing page must not read them), and none in some
/// private modes.
pub(crate) fn local_storage() -> Option<web_sys::Storage> {
    if !context::page_powers().settings {
        return None;
    }
    web_sys::window()?.local_storage().ok().flatten()
}

/// Whether an event comes from a field the user types into (a paste or a shortcut key there is
/// the field's own).
pub(crate) fn typing_into(event: &web_sys::Event) -> bool {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// Keeps `window.plume.summary()` current: `summary` is the answer for loads `version`.
pub(crate) fn publish_summary(summary: &Summary, version: u32) {
    SUMMARY.with(|s| *s.borrow_mut() = (summary.clone(), version));
}

/// Lets `window.plume.query()` ask this engine.
pub(crate) fn publish_engine(engine: Option<bridge::EngineHandle>) {
    ENGINE.with(|e| *e.borrow_mut() = engine);
}

/// `window.plume.query(expr)`: a promise of the ids (hex) of the spans the filter matches, from
/// the engine; it rejects with a `SyntaxError` saying where a filter that does not read is wrong.
fn query(expression: String) -> Result<JsValue, JsValue> {
    let engine = ENGINE
        .with(|e| e.borrow().clone())
        .ok_or_else(|| JsValue::from(js_sys::Error::new("the engine is not running")))?;
    let promise = wasm_bindgen_futures::future_to_promise(async move {
        match engine.ask(Query::matching(expression)).await {
            Ok(Ok(ids)) => Ok(ids
                .into_iter()
                .map(JsValue::from)
                .collect::<js_sys::Array>()
                .into()),
            Ok(Err(error)) => Err(js_sys::SyntaxError::new(&error.to_string()).into()),
            Err(problem) => Err(js_sys::Error::new(&problem.to_string()).into()),
        }
    });
    Ok(promise.into())
}

/// Tells `window.plume.settled()` where loading is.
pub(crate) fn publish_loads(loads: &state::Loads) {
    LOADS.with(|l| *l.borrow_mut() = (loads.version, loads.busy, loads.restored));
}

/// What was kept has been read, no load is running, and `summary()` answers for the latest one.
fn settled() -> bool {
    let (version, busy, restored) = LOADS.with(|l| *l.borrow());
    restored && busy == 0 && SUMMARY.with(|s| s.borrow().1) == version
}

/// Installs `window.plume` (the test and embedding hook: `summary()` gives the totals, `settled()`
/// says whether every load is done and `summary()` counts it, `query(expr)` finds the spans a
/// filter matches) and renders the app into `<body>`.
pub fn start() {
    if let Some(window) = web_sys::window() {
        let summary = Closure::<dyn Fn() -> JsValue>::new(|| {
            SUMMARY.with(|s| {
                let s = &s.borrow().0;
                let object = Object::new();
                let set = |object: &Object, key: &str, value: JsValue| {
                    let _ = Reflect::set(object, &key.into(), &value);
                };
                for (key, value) in [
                    ("spans", s.spans),
                    ("traces", s.traces),
                    ("projects", s.projects),
                    ("errors", s.errors),
                ] {
                    set(&object, key, JsValue::from_f64(value as f64));
                }
                // Tokens by kind (`null` where none was recorded) and the cost in USD (`null`
                // when no call has one; calls without a price are counted apart).
                let tokens = Object::new();
                for kind in crate::model::TokenKind::ALL {
                    let count = s.usage.reported(kind);
                    set(
                        &tokens,
                        kind.name(),
                        count.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64)),
                    );
                }
                set(&object, "tokens", tokens.into());
                let cost = s.cost.is_priced().then(|| s.cost.usd.dollars());
                set(
                    &object,
                    "cost_usd",
                    cost.map_or(JsValue::NULL, JsValue::from_f64),
                );
                set(
                    &object,
                    "unpriced_calls",
                    JsValue::from_f64(s.cost.unpriced_calls.into()),
                );
                object.into()
            })
        });
        let settled = Closure::<dyn Fn() -> JsValue>::new(|| JsValue::from_bool(settled()));
        let query = Closure::<dyn Fn(String) -> Result<JsValue, JsValue>>::new(query);
        let plume = Object::new();
        let _ = Reflect::set(&plume, &"summary".into(), summary.as_ref());
        let _ = Reflect::set(&plume, &"settled".into(), settled.as_ref());
        let _ = Reflect::set(&plume, &"query".into(), query.as_ref());
        let _ = Reflect::set(&window, &"plume".into(), &plume);
        // `window.plume` lives as long as the page.
        summary.forget();
        settled.forget();
        query.forget();
    }
    yew::Renderer::<app::App>::new().render();
}
