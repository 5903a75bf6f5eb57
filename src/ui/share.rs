//! A share file's page (see [`crate::share`]): what its start-up script left in
//! `window.plumeShare` — what the file says about itself, the files it holds, and how to start
//! the engine's worker where no worker script can be loaded (`file://`). Only this module reads
//! that object (`context.rs` only sees that it is there).

use std::rc::Rc;

use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Worker;

use crate::share::ShareInfo;

/// What a share file holds.
pub struct SharePage {
    /// What it says about itself.
    pub info: ShareInfo,
    /// Its files (name, gzip bytes), loaded as if dropped.
    pub files: Vec<(String, Uint8Array)>,
}

thread_local! {
    static SHARE: Option<Rc<SharePage>> = read();
}

/// The share file this page is, if it is one.
pub fn share_page() -> Option<Rc<SharePage>> {
    SHARE.with(Clone::clone)
}

fn share_object() -> Option<JsValue> {
    let window = web_sys::window()?;
    Reflect::get(&window, &"plumeShare".into())
        .ok()
        .filter(JsValue::is_object)
}

fn read() -> Option<Rc<SharePage>> {
    let share = share_object()?;
    let get = |object: &JsValue, key: &str| Reflect::get(object, &key.into()).ok();
    let info = get(&share, "info")
        .and_then(|info| js_sys::JSON::stringify(&info).ok())
        .and_then(|json| json.as_string())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    let files = get(&share, "files")
        .map(|files| Array::from(&files))
        .unwrap_or_default()
        .iter()
        .filter_map(|file| {
            let name = get(&file, "name")?.as_string()?;
            let bytes = get(&file, "bytes")?.dyn_into::<Uint8Array>().ok()?;
            Some((name, bytes))
        })
        .collect();
    Some(Rc::new(SharePage { info, files }))
}

/// The engine's worker as a share file starts it (from a Blob, handed its wasm), if this page
/// is a share file.
pub fn start_worker() -> Option<Result<Worker, JsValue>> {
    let share = share_object()?;
    let start = Reflect::get(&share, &"startWorker".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    Some(start.call0(&share).and_then(JsCast::dyn_into::<Worker>))
}
