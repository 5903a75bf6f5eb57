//! The UI's side of the engine: a handle on the Web Worker that holds everything loaded.
//!
//! [`EngineHandle::ask`] sends a [`Request`] and resolves to its [`Response`]; the load methods
//! hand files, URLs or text to the worker and report through the `on_load` callback given at
//! creation ([`LoadEvent`]: progress, each file's result, the end of a batch).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;
use hashbrown::HashMap;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, File, MessageEvent, Worker};
use yew::Callback;

use crate::engine::protocol::{
    ExportRequest, FileResult, Request, Response, SendRequest, SpanSelection,
};
use crate::export::send::Report;

/// The worker script Trunk writes for the `plume-worker` binary (`data-loader-shim`).
const WORKER_SCRIPT: &str = "./plume-worker_loader.js";

/// What loading tells the UI.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadEvent {
    /// A file is being read or parsed.
    Progress {
        /// The load batch (one drop, one pick, one paste, one sample).
        batch: u32,
        /// The file within the batch.
        file: u32,
        /// Its name.
        name: String,
        /// `reading` or `parsing`.
        phase: String,
        /// Bytes read.
        bytes: f64,
        /// Bytes in all (0 when unknown).
        total: f64,
        /// Spans stored so far.
        spans: u64,
    },
    /// A file is done.
    Loaded {
        /// The load batch.
        batch: u32,
        /// The file within the batch.
        file: u32,
        /// What came of it.
        result: FileResult,
    },
    /// The engine stopped (a bug in Plume: the worker failed); nothing more will come.
    Stopped {
        /// What the browser said.
        message: String,
    },
    /// Every file of a batch is done.
    Done {
        /// The load batch.
        batch: u32,
    },
}

/// Answers not yet received, by request id.
type Pending = Rc<RefCell<HashMap<u32, oneshot::Sender<Response>>>>;

/// A file the engine wrote.
pub struct Exported {
    /// Its name.
    pub name: String,
    /// Spans in it.
    pub spans: u64,
    /// The file.
    pub blob: Blob,
}

/// Exports not yet received, by request id.
type PendingExports = Rc<RefCell<HashMap<u32, oneshot::Sender<Option<Exported>>>>>;

/// Who hears how each delivery to a collector goes, by request id.
type Deliveries = Rc<RefCell<HashMap<u32, Callback<Report>>>>;

/// Messages for the worker, held until it says it is ready: a worker drops messages that arrive
/// before its wasm module has started and installed its handler.
struct Outbox {
    worker: Worker,
    ready: Cell<bool>,
    held: RefCell<Vec<Object>>,
}

impl Outbox {
    fn send(&self, message: Object) {
        if self.ready.get() {
            let _ = self.worker.post_message(&message);
        } else {
            self.held.borrow_mut().push(message);
        }
    }

    fn open(&self) {
        self.ready.set(true);
        for message in self.held.take() {
            let _ = self.worker.post_message(&message);
        }
    }
}

struct Inner {
    outbox: Rc<Outbox>,
    next_id: Cell<u32>,
    pending: Pending,
    exports: PendingExports,
    deliveries: Deliveries,
    /// Kept alive as long as the worker: they are its `onmessage` and `onerror`.
    _handler: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

/// A handle on the engine worker (cheap to clone; equal when it is the same worker).
#[derive(Clone)]
pub struct EngineHandle(Rc<Inner>);

impl PartialEq for EngineHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn number(object: &JsValue, key: &str) -> f64 {
    get(object, key).as_f64().unwrap_or(0.0)
}

fn message(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

impl EngineHandle {
    /// Starts the worker; `database` names the IndexedDB database it keeps traces in (none:
    /// memory only; what was kept there is listed, and can be read and deleted), `save` says
    /// whether it saves new loads there.
    pub fn new(
        on_load: Callback<LoadEvent>,
        database: Option<&str>,
        save: bool,
    ) -> Result<Self, JsValue> {
        let worker = Worker::new(WORKER_SCRIPT)?;
        let outbox = Rc::new(Outbox {
            worker: worker.clone(),
            ready: Cell::new(false),
            held: RefCell::default(),
        });
        let pending: Pending = Rc::default();
        let answers = pending.clone();
        let exports: PendingExports = Rc::default();
        let files = exports.clone();
        let deliveries: Deliveries = Rc::default();
        let listeners = deliveries.clone();
        let opener = outbox.clone();
        let on_stop = on_load.clone();
        let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let id = number(&data, "id") as u32;
            match get(&data, "kind").as_string().as_deref() {
                Some("ready") => opener.open(),
                Some("answer") => {
                    let body = get(&data, "body").as_string().unwrap_or_default();
                    let response = serde_json::from_str(&body).unwrap_or_else(|e| {
                        Response::NotFound(format!("an answer the UI cannot read: {e}"))
                    });
                    if let Some(sender) = answers.borrow_mut().remove(&id) {
                        let _ = sender.send(response);
                    }
                }
                Some("exported") => {
                    let exported =
                        get(&data, "blob")
                            .dyn_into::<Blob>()
                            .ok()
                            .map(|blob| Exported {
                                name: get(&data, "name").as_string().unwrap_or_default(),
                                spans: number(&data, "spans") as u64,
                                blob,
                            });
                    if let Some(sender) = files.borrow_mut().remove(&id) {
                        let _ = sender.send(exported);
                    }
                }
                Some("send-report") => {
                    let body = get(&data, "body").as_string().unwrap_or_default();
                    if let Ok(report) = serde_json::from_str::<Report>(&body) {
                        let listener = match report.done {
                            true => listeners.borrow_mut().remove(&id),
                            false => listeners.borrow().get(&id).cloned(),
                        };
                        if let Some(listener) = listener {
                            listener.emit(report);
                        }
                    }
                }
                Some("progress") => on_load.emit(LoadEvent::Progress {
                    batch: id,
                    file: number(&data, "file") as u32,
                    name: get(&data, "name").as_string().unwrap_or_default(),
                    phase: get(&data, "phase").as_string().unwrap_or_default(),
                    bytes: number(&data, "bytes"),
                    total: number(&data, "total"),
                    spans: number(&data, "spans") as u64,
                }),
                Some("loaded") => {
                    let body = get(&data, "body").as_string().unwrap_or_default();
                    if let Ok(result) = serde_json::from_str(&body) {
                        on_load.emit(LoadEvent::Loaded {
                            batch: id,
                            file: number(&data, "file") as u32,
                            result,
                        });
                    }
                }
                Some("done") => on_load.emit(LoadEvent::Done { batch: id }),
                _ => {}
            }
        });
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new({
            let on_load = on_stop;
            move |event: web_sys::ErrorEvent| {
                on_load.emit(LoadEvent::Stopped {
                    message: event.message(),
                })
            }
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The worker's first message, ahead of anything else.
        outbox.send(message(&[
            ("kind", "start".into()),
            ("database", database.map_or(JsValue::NULL, JsValue::from)),
            ("save", save.into()),
        ]));
        Ok(Self(Rc::new(Inner {
            outbox,
            next_id: Cell::new(1),
            pending,
            exports,
            deliveries,
            _handler: handler,
            _on_error: on_error,
        })))
    }

    fn next_id(&self) -> u32 {
        let id = self.0.next_id.get();
        self.0.next_id.set(id.wrapping_add(1));
        id
    }

    /// Posts a message of `kind` with this `id` and `fields` to the worker.
    fn post(&self, kind: &str, id: u32, fields: &[(&str, JsValue)]) {
        let object = message(fields);
        let _ = Reflect::set(&object, &"kind".into(), &kind.into());
        let _ = Reflect::set(&object, &"id".into(), &id.into());
        self.0.outbox.send(object);
    }

    /// Posts a message of `kind` as a new batch; returns the batch id its events carry.
    fn post_batch(&self, kind: &str, fields: &[(&str, JsValue)]) -> u32 {
        let id = self.next_id();
        self.post(kind, id, fields);
        id
    }

    /// Asks the engine.
    pub async fn ask(&self, request: Request) -> Response {
        let id = self.next_id();
        let (sender, receiver) = oneshot::channel();
        self.0.pending.borrow_mut().insert(id, sender);
        let body = serde_json::to_string(&request).unwrap_or_default();
        self.post("ask", id, &[("body", body.into())]);
        receiver
            .await
            .unwrap_or_else(|_| Response::NotFound("the engine stopped".into()))
    }

    /// Has the engine write the selected spans as a file; `None` if it could not.
    pub async fn export(&self, request: &ExportRequest) -> Option<Exported> {
        let id = self.next_id();
        let (sender, receiver) = oneshot::channel();
        self.0.exports.borrow_mut().insert(id, sender);
        let body = serde_json::to_string(request).unwrap_or_default();
        self.post("export", id, &[("body", body.into())]);
        receiver.await.ok().flatten()
    }

    /// Has the engine POST the selected spans to a collector; `on_report` hears each step, the
    /// last with `done` set.
    pub fn send(&self, request: &SendRequest, on_report: Callback<Report>) {
        let id = self.next_id();
        self.0.deliveries.borrow_mut().insert(id, on_report);
        let body = serde_json::to_string(request).unwrap_or_default();
        self.post("send", id, &[("body", body.into())]);
    }

    /// Loads files; returns the batch id its events carry.
    pub fn load_files(&self, files: Vec<File>) -> u32 {
        let list = files.into_iter().collect::<Array>();
        self.post_batch("files", &[("files", list.into())])
    }

    /// Loads a file the worker fetches; `held` (a link's or the host page's), none of it is
    /// kept until [`EngineHandle::keep_held`].
    pub fn load_url(&self, url: &str, name: &str, held: bool) -> u32 {
        self.post_batch(
            "url",
            &[
                ("url", url.into()),
                ("name", name.into()),
                ("held", held.into()),
            ],
        )
    }

    /// Keeps what links and the host page brought; returns the batch id its events carry.
    pub fn keep_held(&self) -> u32 {
        self.post_batch("keep-held", &[])
    }

    /// Forgets the selected traces, or everything, loaded and kept; returns the batch id its
    /// `Done` carries.
    pub fn forget(&self, selection: Option<&SpanSelection>) -> u32 {
        let body = selection.map(|s| serde_json::to_string(s).unwrap_or_default());
        match body {
            Some(body) => self.post_batch("forget", &[("body", body.into())]),
            None => self.post_batch("forget", &[]),
        }
    }

    /// Stops using a price table the user loaded, here and in storage; returns the batch id
    /// its `Done` carries.
    pub fn forget_prices(&self, key: &str) -> u32 {
        self.post_batch("forget-prices", &[("body", key.into())])
    }

    /// Turns saving new loads on or off; on, what was loaded meanwhile is saved. Returns the
    /// batch id its events carry.
    pub fn set_saving(&self, on: bool) -> u32 {
        self.post_batch("saving", &[("on", on.into())])
    }

    /// Loads a file's bytes (copied to the worker); `held` as for [`EngineHandle::load_url`].
    pub fn load_bytes(&self, name: &str, bytes: &js_sys::Uint8Array, held: bool) -> u32 {
        self.post_batch(
            "bytes",
            &[
                ("name", name.into()),
                ("bytes", bytes.into()),
                ("held", held.into()),
            ],
        )
    }

    /// Loads text (a paste, or what the host page posts); `held` as for
    /// [`EngineHandle::load_url`].
    pub fn load_text(&self, name: &str, text: &str, held: bool) -> u32 {
        self.post_batch(
            "text",
            &[
                ("name", name.into()),
                ("text", text.into()),
                ("held", held.into()),
            ],
        )
    }
}
