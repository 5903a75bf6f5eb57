//! The engine's home in the browser: a dedicated Web Worker (the `plume-worker` binary).
//!
//! Transport only. Each message from the page is `{build, body, payload, awaited, id}`: `body`
//! a [`ToWorker`] as [`encode`]d bytes, `payload` what they cannot hold (the `File`s or bytes to
//! load), `build` the page's [`BUILD`], and for a message the page waits on, what it awaits
//! ([`Awaited`]) and its id. Each message to the page is `{build, body, payload}` with a
//! [`FromWorker`] (`payload`: an exported file's `Blob`). Once its handler is installed the
//! worker says [`FromWorker::Ready`]; the page holds its messages until then. The first message
//! is always [`ToWorker::Start`].
//!
//! Questions are answered at once, unless they need stored spans read or such a question waits
//! before them; everything else runs one at a time in the order it came, in `jobs.rs`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{BroadcastChannel, DedicatedWorkerGlobalScope, MessageEvent};

use crate::engine::Engine;
use crate::engine::jobs::{Jobs, Store};
use crate::engine::messages::{
    Awaited, BUILD, FromWorker, Problem, StoreChange, ToWorker, decode, encode,
};
use crate::engine::protocol::{Request, Response};

/// A message waiting its turn.
enum Job {
    /// From the page, with what travelled beside it, and the cancels heard before it.
    Page(ToWorker, JsValue, u64),
    /// From another tab's worker.
    Tabs(StoreChange),
    /// `plume serve` kept more: show it.
    Live,
}

/// Starts answering messages.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    // The interner's seed, before the engine's arena is made: 53 random bits (all a double
    // holds), one more so that it is not 0.
    crate::model::Interner::randomize((js_sys::Math::random() * 2f64.powi(53)) as u64 | 1 << 53);
    let engine = Rc::new(RefCell::new(Engine::default()));
    // Questions waiting in the queue for stored spans to be read.
    let waiting = Rc::new(Cell::new(0_usize));
    let (queue, jobs) = mpsc::unbounded::<Job>();
    // Cancels heard: a server's question queued before the last one is not asked.
    let cancels = Rc::new(Cell::new(0_u64));
    spawn_local(run(
        engine.clone(),
        jobs,
        queue.clone(),
        waiting.clone(),
        cancels.clone(),
    ));
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let message = match read(&data) {
            Ok(message) => message,
            // If the page waits on it, it hears why no answer comes.
            Err(problem) => {
                let awaited = get(&data, "awaited").as_string();
                let id = get(&data, "id").as_f64();
                if let (Some(awaited), Some(id)) = (awaited.as_deref().and_then(Awaited::named), id)
                {
                    post(&awaited.failed(id as u32, problem), None);
                }
                return;
            }
        };
        let payload = get(&data, "payload");
        match message {
            ToWorker::Ask { id, request } => {
                // A question that needs stored spans read waits in the queue, and so do the
                // questions after it, so answers keep their order.
                // So does one that waits on a server, the helper or the store's restore.
                let queued = request.queued() || !engine.borrow().unread(&request).is_empty();
                if waiting.get() > 0 || queued {
                    waiting.set(waiting.get() + 1);
                    let asked = ToWorker::Ask { id, request };
                    let _ = queue.unbounded_send(Job::Page(asked, payload, cancels.get()));
                } else {
                    answer(&engine, id, request);
                }
            }
            // At once, not after the messages before it (the one it stops among them, and
            // those waiting behind it).
            ToWorker::Cancel => {
                cancels.set(cancels.get() + 1);
                super::helper::cancel();
            }
            message => {
                let _ = queue.unbounded_send(Job::Page(message, payload, cancels.get()));
            }
        }
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The worker lives as long as the page: the handler is never removed.
    handler.forget();
    post(&FromWorker::Ready, None);
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A message from the page, or why it does not read (a page of another build, or a bug).
fn read(data: &JsValue) -> Result<ToWorker, Problem> {
    if get(data, "build").as_string().as_deref() != Some(BUILD) {
        return Err(Problem::UnreadableQuestion(
            "the page is from another build of Plume than its engine: reload it".into(),
        ));
    }
    let body = get(data, "body")
        .dyn_into::<Uint8Array>()
        .map(|b| b.to_vec());
    decode(&body.unwrap_or_default()).map_err(Problem::UnreadableQuestion)
}

/// Tells the page `message`, with `payload` beside it.
pub(super) fn post(message: &FromWorker, payload: Option<&JsValue>) {
    let object = Object::new();
    let body = Uint8Array::from(encode(message).as_slice());
    let _ = Reflect::set(&object, &"build".into(), &BUILD.into());
    let _ = Reflect::set(&object, &"body".into(), &body);
    if let Some(payload) = payload {
        let _ = Reflect::set(&object, &"payload".into(), payload);
    }
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    // The body's buffer moves to the page rather than being copied again.
    let _ = scope.post_message_with_transfer(&object, &Array::of1(&body.buffer()));
}

/// Answers a question.
fn answer(engine: &Rc<RefCell<Engine>>, id: u32, request: Request) {
    let response = engine.borrow_mut().handle(request);
    post_answer(id, response);
}

/// Posts the answer to a question.
fn post_answer(id: u32, response: Response) {
    post(
        &FromWorker::Answer {
            id,
            answer: Ok(Box::new(response)),
        },
        None,
    );
}

/// The BroadcastChannel on which the workers of this origin's tabs using `database` say what
/// they changed in it; what they say joins the queue.
fn tabs_channel(database: &str, queue: mpsc::UnboundedSender<Job>) -> Option<BroadcastChannel> {
    let tabs = BroadcastChannel::new(&format!("plume-store:{database}")).ok()?;
    let heard = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        // JSON, unlike the page's messages: another tab may run another build, and JSON's
        // names read across builds where positions would not.
        let change = event.data().as_string();
        if let Some(change) = change.and_then(|s| serde_json::from_str(&s).ok()) {
            let _ = queue.unbounded_send(Job::Tabs(change));
        }
    });
    tabs.set_onmessage(Some(heard.as_ref().unchecked_ref()));
    heard.forget();
    Some(tabs)
}

/// Runs the queue: the first message says where to keep traces; then each message in turn.
async fn run(
    engine: Rc<RefCell<Engine>>,
    mut jobs: mpsc::UnboundedReceiver<Job>,
    queue: mpsc::UnboundedSender<Job>,
    waiting: Rc<Cell<usize>>,
    cancels: Rc<Cell<u64>>,
) {
    let Some(Job::Page(
        ToWorker::Start {
            database,
            save,
            only_if_kept,
        },
        _,
        _,
    )) = jobs.next().await
    else {
        return;
    };
    let live_queue = queue.clone();
    let wake = Rc::new(move || {
        let _ = live_queue.unbounded_send(Job::Live);
    });
    let tabs = database.as_deref().and_then(|d| tabs_channel(d, queue));
    let announce = Box::new(move |change: StoreChange| {
        if let Some(tabs) = &tabs {
            let json = serde_json::to_string(&change).unwrap_or_default();
            let _ = tabs.post_message(&json.into());
        }
    });
    let store = Store {
        database,
        only_if_kept,
    };
    let mut work = Jobs::start(engine.clone(), store, save, announce, wake).await;
    while let Some(job) = jobs.next().await {
        match job {
            Job::Page(message, _, heard) if heard < cancels.get() && message.asks_server() => {
                match message {
                    ToWorker::Ask { id, .. } => {
                        post_answer(id, Response::Failed(super::jobs::CANCELLED.into()));
                        waiting.set(waiting.get().saturating_sub(1));
                    }
                    message => {
                        if let Some(batch) = work.cancelled(&message) {
                            post(&FromWorker::Done { batch }, None);
                        }
                    }
                }
            }
            Job::Page(ToWorker::Ask { id, request }, _, _) => {
                work.read_for(&request).await;
                match work.answer(&request).await {
                    Some(response) => post_answer(id, response),
                    None => answer(&engine, id, request),
                }
                waiting.set(waiting.get().saturating_sub(1));
            }
            Job::Page(message, payload, _) => {
                if let Some(batch) = work.run(message, payload).await {
                    post(&FromWorker::Done { batch }, None);
                }
            }
            Job::Tabs(change) => work.sync(change).await,
            Job::Live => work.catch_up().await,
        }
    }
}
