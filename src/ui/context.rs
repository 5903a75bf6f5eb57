//! What every part of the page may read, a leaf of the UI (it imports no component): how to load
//! more ([`Loader`], given by the app as a context), how the page was asked to run and what it
//! may do where it runs.

use wasm_bindgen::JsCast;
use web_sys::File;
use yew::Callback;

use crate::embed::{Framing, PageOptions, Powers};
use crate::engine::protocol::{SpanAt, SpanSelection};
use crate::store::StoredEvaluation;

/// What the whole page shares: how to load more.
#[derive(Clone, PartialEq)]
pub struct Loader {
    /// Loads files.
    pub files: Callback<Vec<File>>,
    /// Loads a sample (`url`, `name`).
    pub url: Callback<(String, String)>,
    /// Loads pasted text.
    pub text: Callback<String>,
    /// Forgets the selected traces, or everything, loaded and kept.
    pub forget: Callback<Option<SpanSelection>>,
    /// Turns saving new loads in this browser on or off.
    pub saving: Callback<bool>,
    /// Stops using a price table the user loaded (by its key), and deletes it from storage.
    pub forget_prices: Callback<String>,
    /// Keeps what links and the host page brought.
    pub keep_held: Callback<()>,
    /// Sets (or, with `true`, removes) an annotation.
    pub annotate: Callback<(StoredEvaluation, bool)>,
    /// Fetches traces of a server connected to: (its name, the project, the trace ids).
    pub remote: Callback<(String, String, Vec<String>)>,
}

/// A span chosen to be compared with another one opened later (any span, in any trace).
#[derive(Clone, PartialEq)]
pub struct PickedSpan {
    /// Where it is.
    pub at: SpanAt,
    /// Its name.
    pub name: String,
}

/// The span chosen for a comparison, and how to choose or drop one (given by the app).
#[derive(Clone, PartialEq)]
pub struct ComparePick {
    /// The span chosen, if any.
    pub picked: Option<PickedSpan>,
    /// Chooses a span, or (`None`) drops the choice.
    pub pick: Callback<Option<PickedSpan>>,
}

/// How the page was asked to run, from its URL's query (see [`PageOptions`]).
pub(crate) fn page_options() -> PageOptions {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let options = PageOptions::from_query(&search).served_by(server_api());
    match in_share_file() {
        true => options.in_share_file(),
        false => options,
    }
}

/// Whether the page is a share file's: its start-up script left `window.plumeShare` (which
/// `share.rs` reads).
pub(crate) fn in_share_file() -> bool {
    web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window, &"plumeShare".into()).ok())
        .is_some_and(|share| share.is_object())
}

/// The API of the `plume serve` that served the page, which marks the page it serves.
fn server_api() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector("meta[name=plume-server]").ok()??;
    meta.get_attribute("content")
}

/// Whether the page is in a frame, and the origins of the pages framing it, as the browser says.
fn framing(window: &web_sys::Window) -> Framing {
    let framed = match window.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, window),
        // A top the page may not see is another page's.
        _ => true,
    };
    let ancestors = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into())
        .ok()
        .and_then(|list| list.dyn_into::<web_sys::DomStringList>().ok())
        .map(|list| (0..list.length()).filter_map(|i| list.item(i)).collect());
    Framing { framed, ancestors }
}

thread_local! {
    /// What the page may do: where it runs does not change while it runs.
    static POWERS: Powers = {
        let window = web_sys::window();
        let own = window
            .as_ref()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        let framing = window.as_ref().map(framing).unwrap_or_default();
        page_options().powers(&own, &framing)
    };
}

/// What the page may do where it runs (see [`PageOptions::powers`]).
pub(crate) fn page_powers() -> Powers {
    POWERS.with(Clone::clone)
}

/// Whether the page uses IndexedDB.
pub(crate) fn uses_storage() -> bool {
    page_powers().database.is_some()
}
