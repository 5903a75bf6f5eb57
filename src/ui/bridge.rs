//! The UI's side of the engine: a handle on the Web Worker that holds everything loaded.
//!
//! Transport only (`engine/worker.rs` is the other end, and says how messages travel): every
//! message is a typed [`ToWorker`] or [`FromWorker`], with what its bytes cannot hold (files,
//! bytes, an exported `Blob`) beside it. [`EngineHandle::ask`] sends a [`Query`] and resolves to its
//! answer or a [`Problem`]; the load methods report through the `on_load` callback given at
//! creation ([`LoadEvent`]: progress, each file's result, the end of a batch).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;
use hashbrown::HashMap;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, File, MessageEvent, Worker};
use yew::Callback;

use crate::engine::messages::{
    Answer, BUILD, ExportedFile, FileProgress, FromWorker, LiveStatus, Problem, Query, Source,
    ToWorker, decode, encode,
};
use crate::engine::protocol::{
    ExportRequest, FileResult, Response, SendRequest, ShareRequest, SpanSelection,
};
use crate::export::send::Report;
use crate::store::StoredEvaluation;

/// The scripts that start the engine's two builds (`static/`): the viewer's own page starts the
/// one built for speed, a page embedded in another the one built for size (what an embedding
/// page downloads has a budget: BENCHMARKS.md, "The engine built for speed").
const FAST_ENGINE: &str = "./plume-worker_loader.js";
const SMALL_ENGINE: &str = "./plume-worker-small_loader.js";

/// What loading tells the UI.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadEvent {
    /// A file is being read or parsed.
    Progress(FileProgress),
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
    /// How following `plume serve` goes.
    Live(LiveStatus),
}

/// A file the engine wrote.
pub struct Exported {
    /// Its name and spans.
    pub file: ExportedFile,
    /// The file.
    pub blob: Blob,
}

/// Who waits for what the worker will say about a message, by its id.
enum Waiting {
    /// A question's answer.
    Answer(oneshot::Sender<Result<Box<Response>, Problem>>),
    /// An exported file.
    Export(oneshot::Sender<Result<Exported, Problem>>),
    /// A delivery's reports, until the last.
    Delivery(Callback<Report>),
}

/// Messages for the worker, held until it says it is ready: a worker drops messages that arrive
/// before its wasm module has started and installed its handler.
struct Outbox {
    worker: Worker,
    ready: Cell<bool>,
    held: RefCell<Vec<Object>>,
}

impl Outbox {
    fn send(&self, message: &ToWorker, payload: Option<JsValue>) {
        let object = Object::new();
        let body = Uint8Array::from(encode(message).as_slice());
        let _ = Reflect::set(&object, &"build".into(), &BUILD.into());
        let _ = Reflect::set(&object, &"body".into(), &body);
        if let Some((awaited, id)) = message.awaited() {
            let _ = Reflect::set(&object, &"awaited".into(), &awaited.name().into());
            let _ = Reflect::set(&object, &"id".into(), &id.into());
        }
        if let Some(payload) = payload {
            let _ = Reflect::set(&object, &"payload".into(), &payload);
        }
        if self.ready.get() {
            let _ = self.worker.post_message(&object);
        } else {
            self.held.borrow_mut().push(object);
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
    waiting: Rc<RefCell<HashMap<u32, Waiting>>>,
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

/// A message from the worker, or why it does not read (a bug, or a worker of another build).
fn read(data: &JsValue) -> Result<FromWorker, String> {
    if Reflect::get(data, &"build".into())
        .ok()
        .and_then(|b| b.as_string())
        .as_deref()
        != Some(BUILD)
    {
        return Err("the engine is from another build of Plume than the page: reload it".into());
    }
    let body = Reflect::get(data, &"body".into())
        .ok()
        .and_then(|b| b.dyn_into::<Uint8Array>().ok());
    decode(&body.map(|b| b.to_vec()).unwrap_or_default())
        .map_err(|error| format!("the page could not read the engine's message: {error}"))
}

/// Hands what the worker said to whoever waits for it.
fn deliver(
    message: FromWorker,
    payload: JsValue,
    waiting: &RefCell<HashMap<u32, Waiting>>,
    outbox: &Outbox,
    on_load: &Callback<LoadEvent>,
) {
    match message {
        FromWorker::Ready => outbox.open(),
        FromWorker::Answer { id, answer } => {
            if let Some(Waiting::Answer(sender)) = waiting.borrow_mut().remove(&id) {
                let _ = sender.send(answer);
            }
        }
        FromWorker::Exported { id, file } => {
            let exported = file.and_then(|file| match payload.dyn_into::<Blob>() {
                Ok(blob) => Ok(Exported { file, blob }),
                Err(_) => Err(Problem::UnreadableAnswer("the file was not there".into())),
            });
            if let Some(Waiting::Export(sender)) = waiting.borrow_mut().remove(&id) {
                let _ = sender.send(exported);
            }
        }
        FromWorker::SendReport { id, report } => {
            let listener = match report.done {
                true => waiting.borrow_mut().remove(&id),
                false => None,
            };
            let listener = listener.or_else(|| match waiting.borrow().get(&id) {
                Some(Waiting::Delivery(listener)) => Some(Waiting::Delivery(listener.clone())),
                _ => None,
            });
            if let Some(Waiting::Delivery(listener)) = listener {
                listener.emit(report);
            }
        }
        FromWorker::Progress(progress) => on_load.emit(LoadEvent::Progress(progress)),
        FromWorker::Loaded {
            batch,
            file,
            result,
        } => on_load.emit(LoadEvent::Loaded {
            batch,
            file,
            result,
        }),
        FromWorker::Done { batch } => on_load.emit(LoadEvent::Done { batch }),
        FromWorker::Live(status) => on_load.emit(LoadEvent::Live(status)),
    }
}

impl EngineHandle {
    /// Starts the worker (its build for size when `embedded`); `database` names the IndexedDB
    /// database it keeps traces in (none: memory only; what was kept there is listed, and can be
    /// read and deleted), `save` says whether it saves new loads there.
    pub fn new(
        on_load: Callback<LoadEvent>,
        embedded: bool,
        database: Option<&str>,
        save: bool,
    ) -> Result<Self, JsValue> {
        let script = if embedded { SMALL_ENGINE } else { FAST_ENGINE };
        let worker = crate::ui::share::start_worker().unwrap_or_else(|| Worker::new(script))?;
        let outbox = Rc::new(Outbox {
            worker: worker.clone(),
            ready: Cell::new(false),
            held: RefCell::default(),
        });
        let waiting: Rc<RefCell<HashMap<u32, Waiting>>> = Rc::default();
        let handler = Closure::<dyn FnMut(MessageEvent)>::new({
            let (waiting, outbox, on_load) = (waiting.clone(), outbox.clone(), on_load.clone());
            move |event: MessageEvent| {
                let data = event.data();
                let payload = Reflect::get(&data, &"payload".into()).unwrap_or(JsValue::UNDEFINED);
                match read(&data) {
                    Ok(message) => deliver(message, payload, &waiting, &outbox, &on_load),
                    // Nothing more from this engine can be read: whoever waits is told, and
                    // the page shows why.
                    Err(message) => {
                        waiting.borrow_mut().clear();
                        on_load.emit(LoadEvent::Stopped { message });
                    }
                }
            }
        });
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new({
            let waiting = waiting.clone();
            move |event: web_sys::ErrorEvent| {
                // Whoever waits hears that the engine stopped (dropped senders say it).
                waiting.borrow_mut().clear();
                on_load.emit(LoadEvent::Stopped {
                    message: event.message(),
                })
            }
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The worker's first message, ahead of anything else.
        // A share file's page keeps nothing until asked, but shows what its origin kept before.
        let (database, only_if_kept) = match crate::ui::share::share_page() {
            Some(_) => (Some(crate::store::DATABASE.to_owned()), true),
            None => (database.map(str::to_owned), false),
        };
        let start = ToWorker::Start {
            database,
            save,
            only_if_kept,
        };
        outbox.send(&start, None);
        Ok(Self(Rc::new(Inner {
            outbox,
            next_id: Cell::new(1),
            waiting,
            _handler: handler,
            _on_error: on_error,
        })))
    }

    fn next_id(&self) -> u32 {
        let id = self.0.next_id.get();
        self.0.next_id.set(id.wrapping_add(1));
        id
    }

    /// Asks the engine; the answer is the query's type, or why there is none.
    pub async fn ask<T: Answer>(&self, query: Query<T>) -> Result<T, Problem> {
        let id = self.next_id();
        let (sender, receiver) = oneshot::channel();
        self.0
            .waiting
            .borrow_mut()
            .insert(id, Waiting::Answer(sender));
        let request = query.request.clone();
        self.0.outbox.send(&ToWorker::Ask { id, request }, None);
        let answer = receiver.await.unwrap_or(Err(Problem::EngineStopped));
        query.answer(answer)
    }

    /// Has the engine write the selected spans as a file.
    pub async fn export(&self, request: ExportRequest) -> Result<Exported, Problem> {
        self.file(|id| ToWorker::Export { id, request }).await
    }

    /// Has the engine write the selected traces as a share file.
    pub async fn share(&self, request: ShareRequest) -> Result<Exported, Problem> {
        self.file(|id| ToWorker::Share { id, request }).await
    }

    /// Sends the message `message(id)` and waits for the file it answers with.
    async fn file(&self, message: impl FnOnce(u32) -> ToWorker) -> Result<Exported, Problem> {
        let id = self.next_id();
        let (sender, receiver) = oneshot::channel();
        self.0
            .waiting
            .borrow_mut()
            .insert(id, Waiting::Export(sender));
        self.0.outbox.send(&message(id), None);
        receiver.await.unwrap_or(Err(Problem::EngineStopped))
    }

    /// Has the engine POST the selected spans to a collector; `on_report` hears each step, the
    /// last with `done` set.
    pub fn send(&self, request: SendRequest, on_report: Callback<Report>) {
        let id = self.next_id();
        self.0
            .waiting
            .borrow_mut()
            .insert(id, Waiting::Delivery(on_report));
        self.0.outbox.send(&ToWorker::Send { id, request }, None);
    }

    /// Sends a message that runs as a new load batch; returns the batch its events carry.
    fn batch(&self, message: impl FnOnce(u32) -> ToWorker, payload: Option<JsValue>) -> u32 {
        let batch = self.next_id();
        self.0.outbox.send(&message(batch), payload);
        batch
    }

    /// Loads files; returns the batch id its events carry.
    pub fn load_files(&self, files: Vec<File>) -> u32 {
        let list = files.into_iter().collect::<Array>();
        self.load(Source::Files, false, Some(list.into()))
    }

    /// Loads `source`; `held` (a link's or the host page's), none of it is kept until
    /// [`EngineHandle::keep_held`].
    pub fn load(&self, source: Source, held: bool, payload: Option<JsValue>) -> u32 {
        self.batch(
            |batch| ToWorker::Load {
                batch,
                source,
                held,
            },
            payload,
        )
    }

    /// Pauses (or resumes) showing what `plume serve` receives.
    pub fn pause_live(&self, paused: bool) {
        self.0.outbox.send(&ToWorker::Live { paused }, None);
    }

    /// Stops asking a server: what is being fetched or listed is dropped.
    pub fn cancel(&self) {
        self.0.outbox.send(&ToWorker::Cancel, None);
    }

    /// The servers connected to are these from now on (kept where loads are kept).
    pub fn set_connections(&self, connections: Vec<crate::sources::Connection>) {
        let message = ToWorker::SetConnections { connections };
        self.0.outbox.send(&message, None);
    }

    /// Uses these redaction rules from now on (and keeps them where loads are kept).
    pub fn set_rules(&self, rules: crate::redact::Rules) {
        self.0.outbox.send(&ToWorker::SetRules { rules }, None);
    }

    /// Sets (or with `remove`, removes) an annotation; returns the batch id its events carry.
    pub fn annotate(&self, annotation: StoredEvaluation, remove: bool) -> u32 {
        self.batch(
            |batch| ToWorker::Annotate {
                batch,
                annotation,
                remove,
            },
            None,
        )
    }

    /// Keeps what links, the host page or a share file brought; returns the batch id its events
    /// carry.
    pub fn keep_held(&self) -> u32 {
        self.batch(|batch| ToWorker::KeepHeld { batch }, None)
    }

    /// Forgets the selected traces, or everything, loaded and kept; returns the batch id its
    /// `Done` carries.
    pub fn forget(&self, selection: Option<SpanSelection>) -> u32 {
        self.batch(|batch| ToWorker::Forget { batch, selection }, None)
    }

    /// Stops using a price table the user loaded, here and in storage; returns the batch id
    /// its `Done` carries.
    pub fn forget_prices(&self, key: String) -> u32 {
        self.batch(|batch| ToWorker::ForgetPrices { batch, key }, None)
    }

    /// Turns saving new loads on or off; on, what was loaded meanwhile is saved. Returns the
    /// batch id its events carry.
    pub fn set_saving(&self, on: bool) -> u32 {
        self.batch(|batch| ToWorker::Saving { batch, on }, None)
    }
}
