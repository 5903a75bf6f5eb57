//! The viewer: a Yew single-page app on the main thread, talking to the engine in a Web Worker.
//!
//! | file | holds |
//! |---|---|
//! | `app.rs` | the page: header, drop / pick / paste, the current route's view |
//! | `bridge.rs` | the handle on the engine worker (`ask`, `load_*`) |
//! | `state.rs` | files being loaded (the UI's only state about data) |
//! | `route.rs`, `theme.rs`, `query.rs` | hooks: the URL's route, light/dark, asking the engine |
//! | `welcome.rs`, `projects.rs`, `project.rs`, `session.rs`, `trace_page.rs` | the pages |
//! | `span_details.rs`, `attribute_tree.rs`, `long_text.rs`, `kind.rs`, `copy.rs`, `file_list.rs`, `export_menu.rs`, `send_menu.rs`, `delete_button.rs`, `storage_status.rs` | parts |
//! | `virtual_list.rs` | the generic virtualized list every table and the tree use |
//!
//! Data never lives here: components ask the engine for what they show ([`query::use_query`]).

mod app;
mod attribute_tree;
pub mod bridge;
mod copy;
mod delete_button;
mod export_menu;
mod file_list;
mod kind;
mod long_text;
mod project;
mod projects;
mod query;
mod route;
mod send_menu;
mod session;
mod span_details;
mod state;
mod storage_status;
mod theme;
mod trace_page;
mod virtual_list;
mod welcome;

/// The viewer's self-contained parts, public so that component tests can render them alone.
pub mod widgets {
    pub use super::attribute_tree::{Attributes, AttributesProps};
    pub use super::kind::{KindBadge, KindBadgeProps};
    pub use super::long_text::{LongText, LongTextProps};
    pub use super::span_details::{SpanDetailsView, SpanDetailsViewProps};
    pub use super::virtual_list::{VirtualList, VirtualListProps};
}

use std::cell::RefCell;

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;

use crate::engine::protocol::Summary;

thread_local! {
    /// What `window.plume.summary()` returns: totals as of the last finished load.
    static SUMMARY: RefCell<Summary> = RefCell::new(Summary::default());
}

/// Keeps `window.plume.summary()` current.
pub(crate) fn publish_summary(summary: &Summary) {
    SUMMARY.with(|s| *s.borrow_mut() = summary.clone());
}

/// Installs `window.plume` (the test and embedding hook) and renders the app into `<body>`.
pub fn start() {
    if let Some(window) = web_sys::window() {
        let summary = Closure::<dyn Fn() -> JsValue>::new(|| {
            SUMMARY.with(|s| {
                let s = s.borrow();
                let object = Object::new();
                for (key, value) in [
                    ("spans", s.spans),
                    ("traces", s.traces),
                    ("projects", s.projects),
                    ("errors", s.errors),
                ] {
                    let _ = Reflect::set(&object, &key.into(), &JsValue::from_f64(value as f64));
                }
                object.into()
            })
        });
        let plume = Object::new();
        let _ = Reflect::set(&plume, &"summary".into(), summary.as_ref());
        let _ = Reflect::set(&window, &"plume".into(), &plume);
        // `window.plume` lives as long as the page.
        summary.forget();
    }
    yew::Renderer::<app::App>::new().render();
}
