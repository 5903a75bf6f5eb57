//! The helper worker, seen from the engine's worker: one started for each job — a parquet,
//! Jaeger or Zipkin file (handed its format and bytes), a zstd file to expand, a redaction
//! ([`redact::Job`]), a question to a server (`sources::job`, whose fetched files come back as
//! parts before the answer) — and stopped once it has answered or its question is dropped (so
//! the memory it took goes back at once). It is `src/bin/plume-helper.rs`, loaded by
//! `static/plume-helper_loader.js` only when such a job comes; each job carries this build's
//! name, and a helper of another build answers nothing.

use std::cell::RefCell;
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::oneshot;
use futures::future::Either;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use crate::ingest::helper_wire::{self, Answer};
use crate::ingest::{Located, Problem};
use crate::model::Format;
use crate::redact::job as redact;

/// The helper's script, beside the engine's own.
const HELPER_SCRIPT: &str = "./plume-helper_loader.js";

/// A file in `format` (one [`crate::ingest::helped`] names), read by a helper worker.
pub(super) async fn read(format: Format, bytes: Vec<u8>) -> Result<Answer, Located> {
    let stopped = |why: String| {
        let reader = format!("the {} reader", format.name());
        Located::file(Problem::FromHelper(format!("{reader} {why}")))
    };
    let Some(tag) = helper_wire::job_tag(format) else {
        return Err(stopped("is not in the helper".into()));
    };
    helper_wire::decode(&ask(tag, bytes).await.map_err(stopped)?)
}

/// A zstd file's content, expanded by a helper worker and handed to `piece` as it comes, until
/// it says to stop (the helper is then stopped); `Err`: why it did not all expand. The helper
/// waits for each piece to be taken before it runs more than [`helper_wire::PIECES_AHEAD`]
/// ahead, so what waits between the two workers stays small however fast it expands.
pub(super) async fn expand(
    bytes: Vec<u8>,
    mut piece: impl FnMut(&[u8]) -> bool,
) -> Result<(), Problem> {
    let failed = |why: String| Problem::FromHelper(format!("the helper {why}"));
    let (parts, mut came) = futures::channel::mpsc::unbounded();
    let asked = start(helper_wire::EXPAND, bytes, Some(parts)).map_err(failed)?;
    while let Some(part) = came.next().await {
        if !piece(&part) {
            return Ok(());
        }
    }
    let answer = asked.answer().await.map_err(failed)?;
    helper_wire::read_expanded(&answer)
        .map_err(|message| crate::ingest::Codec::Zstd.corrupt(message))
}

/// `job` redacted by a helper worker.
pub(super) async fn redact(job: &redact::Job) -> Result<redact::Redacted, String> {
    let answer = ask(redact::TAG, redact::encode(job)).await;
    redact::read_answer(&answer.map_err(|why| format!("the redaction {why}"))?)
}

thread_local! {
    /// How to stop the server job running, if one is.
    static CANCEL: RefCell<Option<oneshot::Sender<()>>> = const { RefCell::new(None) };
}

/// Stops the server job running, if one is (its helper is terminated; it answers `Err`).
pub(super) fn cancel() {
    if let Some(stop) = CANCEL.with(RefCell::take) {
        let _ = stop.send(());
    }
}

/// [`ask`], its parts to `parts`, unless [`cancel`] stops it first.
pub(super) async fn ask_cancellable(
    tag: u8,
    bytes: Vec<u8>,
    parts: Option<Parts>,
) -> Result<Vec<u8>, String> {
    let (stop, stopped) = oneshot::channel::<()>();
    CANCEL.with(|cancel| cancel.replace(Some(stop)));
    let asked = Box::pin(async move { start(tag, bytes, parts)?.answer().await });
    let answer = match futures::future::select(asked, stopped).await {
        Either::Left((answer, _)) => answer,
        // The question dropped, its helper is terminated (`Started`).
        Either::Right(_) => Err("was cancelled".into()),
    };
    CANCEL.with(|cancel| cancel.replace(None));
    answer
}

/// Where the parts a helper posts before its answer go (in an array: a fetch's files as they
/// come, a zstd file's content): closed once the helper has answered or stopped, so that every
/// part has come when the channel ends.
pub(super) type Parts = futures::channel::mpsc::UnboundedSender<Vec<u8>>;

/// What a helper started for the job `tag` names answers to `bytes`; `Err`: why it did not.
pub(super) async fn ask(tag: u8, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    start(tag, bytes, None)?.answer().await
}

/// A job given to a helper started for it, until it answers.
struct Asked {
    answer: oneshot::Receiver<Result<Vec<u8>, String>>,
    // Terminated when this is dropped, before its handlers are.
    _helper: Started,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

/// Where what a helper says goes until it has answered or stopped.
struct Waiting {
    answer: Option<oneshot::Sender<Result<Vec<u8>, String>>>,
    parts: Option<Parts>,
}

impl Waiting {
    /// The helper's last word: its answer sent, its parts closed.
    fn end(&mut self, reply: Result<Vec<u8>, String>) {
        if let Some(answer) = self.answer.take() {
            let _ = answer.send(reply);
        }
        self.parts = None;
    }
}

/// A helper started and given the job `tag` names, on `bytes`.
fn start(tag: u8, bytes: Vec<u8>, parts: Option<Parts>) -> Result<Asked, String> {
    let helper = Worker::new(HELPER_SCRIPT)
        .map(Started)
        .map_err(|error| format!("could not start: {}", describe(&error)))?;
    let (sender, answer) = oneshot::channel();
    let waiting = Rc::new(RefCell::new(Waiting {
        answer: Some(sender),
        parts,
    }));
    let stopped = waiting.clone();
    let worker = helper.0.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        if let Some(part) = data.dyn_ref::<Array>() {
            let waiting = waiting.borrow();
            if let (Some(parts), Some(bytes)) =
                (&waiting.parts, part.get(0).dyn_ref::<Uint8Array>())
            {
                let _ = parts.unbounded_send(bytes.to_vec());
                // Taken: it is read before the next message comes (a helper that waits for
                // this goes on; others ignore it).
                let _ = worker.post_message(&JsValue::from_str("more"));
            }
            return;
        }
        waiting
            .borrow_mut()
            .end(match data.dyn_ref::<Uint8Array>() {
                Some(bytes) => Ok(bytes.to_vec()),
                // The loader's word when the helper's module failed to start or to run.
                None => Err(format!("failed: {}", describe(&data))),
            });
    });
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
        stopped
            .borrow_mut()
            .end(Err(format!("stopped: {}", event.message())));
    });
    helper.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    helper.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let buffer = Uint8Array::from(bytes.as_slice());
    drop(bytes);
    // With this build's name: a helper of another build (a cached script) answers nothing.
    let build = JsValue::from_str(crate::engine::messages::BUILD);
    let job = Array::of3(&JsValue::from(tag), &buffer, &build);
    (helper.post_message_with_transfer(&job, &Array::of1(&buffer.buffer())))
        .map_err(|error| format!("could not be given the job: {}", describe(&error)))?;
    Ok(Asked {
        answer,
        _helper: helper,
        _on_message: on_message,
        _on_error: on_error,
    })
}

impl Asked {
    /// What the helper answered; `Err`: why it did not.
    async fn answer(mut self) -> Result<Vec<u8>, String> {
        match (&mut self.answer).await {
            Ok(Ok(reply)) if reply.is_empty() => {
                Err("is from another build of Plume: reload the page".into())
            }
            Ok(reply) => reply,
            Err(_) => Err("stopped without answering".into()),
        }
    }
}

/// A helper started: terminated when dropped (once it answered, or when its question is
/// dropped unanswered), so the memory it took goes back at once.
struct Started(Worker);

impl std::ops::Deref for Started {
    type Target = Worker;

    fn deref(&self) -> &Worker {
        &self.0
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        self.0.terminate();
    }
}

pub(super) fn describe(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            value
                .dyn_ref::<js_sys::Error>()
                .map(|error| String::from(error.message()))
        })
        .unwrap_or_else(|| format!("{value:?}"))
}
