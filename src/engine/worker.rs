//! The engine's home in the browser: a dedicated Web Worker (the `plume-worker` binary).
//!
//! Transport only. Each message from the page is `{body, payload}`: `body` a JSON
//! [`ToWorker`], `payload` what JSON cannot hold (the `File`s or bytes to load). Each message to
//! the page is the same with a [`FromWorker`] (`payload`: an exported file's `Blob`). Once its
//! handler is installed the worker says [`FromWorker::Ready`]; the page holds its messages until
//! then. The first message is always [`ToWorker::Start`].
//!
//! Questions are answered at once, unless they need stored spans read or such a question waits
//! before them; everything else runs one at a time in the order it came, in `jobs.rs`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{BroadcastChannel, DedicatedWorkerGlobalScope, MessageEvent};

use crate::engine::Engine;
use crate::engine::jobs::Jobs;
use crate::engine::messages::{
    FromWorker, Problem, StoreChange, ToWorker, decode, encode, unanswered,
};
use crate::engine::protocol::Request;

/// A message waiting its turn.
enum Job {
    /// From the page, with what travelled beside it.
    Page(ToWorker, JsValue),
    /// From another tab's worker.
    Tabs(StoreChange),
}

/// Starts answering messages.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let engine = Rc::new(RefCell::new(Engine::default()));
    // Questions waiting in the queue for stored spans to be read.
    let waiting = Rc::new(Cell::new(0_usize));
    let (queue, jobs) = mpsc::unbounded::<Job>();
    spawn_local(run(engine.clone(), jobs, queue.clone(), waiting.clone()));
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let (body, payload) = read(&event.data());
        let message = match decode::<ToWorker>(&body) {
            Ok(message) => message,
            // From a page of another build: if it was a question, it hears why no answer comes.
            Err(error) => {
                if let Some(failure) = unanswered(&body, Problem::UnreadableQuestion(error)) {
                    post(&failure, None);
                }
                return;
            }
        };
        match message {
            ToWorker::Ask { id, request } => {
                // A question that needs stored spans read waits in the queue, and so do the
                // questions after it, so answers keep their order.
                if waiting.get() > 0 || !engine.borrow().unread(&request).is_empty() {
                    waiting.set(waiting.get() + 1);
                    let _ = queue.unbounded_send(Job::Page(ToWorker::Ask { id, request }, payload));
                } else {
                    answer(&engine, id, request);
                }
            }
            message => {
                let _ = queue.unbounded_send(Job::Page(message, payload));
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

/// A message from the page: its JSON, and what travelled beside it.
fn read(data: &JsValue) -> (String, JsValue) {
    let body = get(data, "body").as_string().unwrap_or_default();
    (body, get(data, "payload"))
}

/// Tells the page `message`, with `payload` beside it.
pub(super) fn post(message: &FromWorker, payload: Option<&JsValue>) {
    let object = Object::new();
    let _ = Reflect::set(&object, &"body".into(), &encode(message).into());
    if let Some(payload) = payload {
        let _ = Reflect::set(&object, &"payload".into(), payload);
    }
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = scope.post_message(&object);
}

/// Answers a question.
fn answer(engine: &Rc<RefCell<Engine>>, id: u32, request: Request) {
    let response = engine.borrow_mut().handle(request);
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
        if let Some(change) = event.data().as_string().and_then(|s| decode(&s).ok()) {
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
) {
    let Some(Job::Page(ToWorker::Start { database, save }, _)) = jobs.next().await else {
        return;
    };
    let tabs = database.as_deref().and_then(|d| tabs_channel(d, queue));
    let announce = Box::new(move |change: StoreChange| {
        if let Some(tabs) = &tabs {
            let _ = tabs.post_message(&encode(&change).into());
        }
    });
    let mut work = Jobs::start(engine.clone(), database.as_deref(), save, announce).await;
    while let Some(job) = jobs.next().await {
        match job {
            Job::Page(ToWorker::Ask { id, request }, _) => {
                work.read_for(&request).await;
                answer(&engine, id, request);
                waiting.set(waiting.get().saturating_sub(1));
            }
            Job::Page(message, payload) => {
                if let Some(batch) = work.run(message, payload).await {
                    post(&FromWorker::Done { batch }, None);
                }
            }
            Job::Tabs(change) => work.sync(change).await,
        }
    }
}
