//! The engine's home in the browser: a dedicated Web Worker (the `plume-worker` binary).
//!
//! Once its handler is installed it posts `{kind: "ready"}`; the page holds its messages until then.
//!
//! Messages in (plain objects, from `ui::bridge`):
//! - `{kind: "start", database, save}`: always first; `database` names the IndexedDB database
//!   to keep traces in (none: memory only, IndexedDB is not even opened), `save: false` leaves
//!   new loads unsaved.
//! - `{kind: "saving", id, on}`: turns saving new loads on or off; on, what was loaded meanwhile
//!   is saved at once (reported as a load of batch `id`); then `{kind: "done", id}`.
//! - `{kind: "ask", id, body}`: `body` is a JSON [`Request`]; answered `{kind: "answer", id, body}`.
//! - `{kind: "files", id, files: [File…]}`: each file is read here in chunks from `File.stream()`
//!   (the page never copies it), then parsed.
//! - `{kind: "url", id, url, name}`: a file fetched by the worker (the sample traces).
//! - `{kind: "text", id, name, text}`: pasted text; `{kind: "bytes", id, name, bytes}`: a file's
//!   bytes as a `Uint8Array` (what a host page hands an embedded viewer).
//! - `{kind: "forget", id, body?}`: forget the traces of `body` (a JSON [`SpanSelection`]), or
//!   everything, loaded and kept; then `{kind: "done", id}`.
//!
//! What loads change is kept in IndexedDB (`keeper.rs`) before each file's result is posted.
//! When the worker starts, the kept traces' records are read (reported as load batch 0, `Kept
//! in this browser`), and a trace's spans only when a request needs them: such an `ask` (and
//! every `ask` after it, so answers keep their order), an `export`, a `send` or a `forget` waits
//! in the load queue while they are read.
//! - `{kind: "export", id, body}`: `body` is a JSON [`ExportRequest`]; answered
//!   `{kind: "exported", id, name, spans, blob}`.
//! - `{kind: "send", id, body}`: `body` is a JSON [`SendRequest`]; the spans are POSTed to the
//!   collector from here, and each step is reported as `{kind: "send-report", id, body}` with the
//!   JSON [`Report`] (its `done` set on the last).
//!
//! While loading, it posts `{kind: "progress", id, file, name, phase, bytes, total, spans}` at most
//! every 100 ms per file, then `{kind: "loaded", id, file, body}` with the JSON [`FileResult`] of
//! each file, then `{kind: "done", id}`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc;
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    Blob, BlobPropertyBag, BroadcastChannel, DedicatedWorkerGlobalScope, File, Headers,
    MessageEvent, ReadableStreamDefaultReader, RequestCredentials, RequestInit, RequestRedirect,
    ResponseType,
};

use crate::engine::Engine;
use crate::engine::keeper::Keeper;
use crate::engine::protocol::{
    ExportRequest, FileResult, Request, Response, SendRequest, SpanSelection,
};
use crate::export::send::{Answer, Delivery, Outgoing, Report, Settings, Step};
use crate::model::TraceId;
use crate::store::{FileRecord, file_key};

/// The BroadcastChannel on which the workers of this origin's tabs using a database say what
/// they kept: `{traces: [id…]}` (written or deleted), or `{everything: true}` (all deleted).
fn tabs_channel(database: &str) -> Option<BroadcastChannel> {
    BroadcastChannel::new(&format!("plume-store:{database}")).ok()
}

/// Progress messages per file are at least this far apart.
const PROGRESS_INTERVAL_MS: f64 = 100.0;

/// Starts answering messages.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let engine = Rc::new(RefCell::new(Engine::default()));
    // Asks waiting in the queue for stored spans to be read.
    let waiting = Rc::new(Cell::new(0_usize));
    // Loads run one at a time, in the order they were asked for.
    let queue = {
        let (sender, receiver) = mpsc::unbounded::<JsValue>();
        spawn_local(run_loads(
            engine.clone(),
            receiver,
            sender.clone(),
            waiting.clone(),
        ));
        sender
    };
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        match get_str(&data, "kind").as_deref() {
            Some("ask") => {
                let request =
                    serde_json::from_str::<Request>(&get_str(&data, "body").unwrap_or_default());
                // A request that needs stored spans read waits in the queue, and so do the
                // requests after it, so answers keep their order.
                let waits = match &request {
                    Ok(request) => waiting.get() > 0 || !engine.borrow().unread(request).is_empty(),
                    Err(_) => false,
                };
                if waits {
                    waiting.set(waiting.get() + 1);
                    let _ = queue.unbounded_send(data);
                } else {
                    answer(&engine, &get(&data, "id"), request);
                }
            }
            Some(
                "start" | "files" | "url" | "text" | "bytes" | "forget" | "forget-prices"
                | "export" | "send" | "saving" | "keep-held",
            ) => {
                let _ = queue.unbounded_send(data);
            }
            _ => {}
        }
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The worker lives as long as the page: the handler is never removed.
    handler.forget();
    post(&[("kind", "ready".into())]);
}

/// Answers an `ask`.
fn answer(engine: &Rc<RefCell<Engine>>, id: &JsValue, request: serde_json::Result<Request>) {
    let response = match request {
        Ok(request) => engine.borrow_mut().handle(request),
        Err(error) => Response::NotFound(format!("a request the engine cannot read: {error}")),
    };
    post(&[
        ("kind", "answer".into()),
        ("id", id.clone()),
        ("body", json(&response).into()),
    ]);
}

/// Answers an `export` with the file, as a Blob.
fn export(engine: &Rc<RefCell<Engine>>, id: &JsValue, request: &ExportRequest) {
    let export = engine.borrow().export(&request.selection, request.target);
    let bytes = Uint8Array::from(export.bytes.as_slice());
    let options = BlobPropertyBag::new();
    options.set_type(export.target.media_type());
    let blob = Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(&bytes), &options);
    post(&[
        ("kind", "exported".into()),
        ("id", id.clone()),
        ("name", export.name.into()),
        ("spans", (export.spans as f64).into()),
        ("blob", blob.map_or(JsValue::NULL, JsValue::from)),
    ]);
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn get_str(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn post(fields: &[(&str, JsValue)]) {
    let message = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&message, &JsValue::from_str(key), value);
    }
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = scope.post_message(&message);
}

/// Tells the page a batch is done (so its lists refresh).
fn done(id: &JsValue) {
    post(&[("kind", "done".into()), ("id", id.clone())]);
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Throttled progress of one file.
struct Progress {
    id: JsValue,
    file: u32,
    name: String,
    total: f64,
    last_ms: f64,
}

impl Progress {
    fn new(id: &JsValue, file: u32, name: &str, total: f64) -> Self {
        Self {
            id: id.clone(),
            file,
            name: name.to_owned(),
            total,
            last_ms: 0.0,
        }
    }

    fn report(&mut self, phase: &str, bytes: f64, spans: usize, force: bool) {
        let now = now_ms();
        if !force && now - self.last_ms < PROGRESS_INTERVAL_MS {
            return;
        }
        self.last_ms = now;
        post(&[
            ("kind", "progress".into()),
            ("id", self.id.clone()),
            ("file", self.file.into()),
            ("name", self.name.as_str().into()),
            ("phase", phase.into()),
            ("bytes", bytes.into()),
            ("total", self.total.into()),
            ("spans", (spans as f64).into()),
        ]);
    }
}

async fn run_loads(
    engine: Rc<RefCell<Engine>>,
    mut queue: mpsc::UnboundedReceiver<JsValue>,
    to_queue: mpsc::UnboundedSender<JsValue>,
    waiting: Rc<Cell<usize>>,
) {
    // The page's first message names the IndexedDB database to keep traces in, if any.
    let Some(start) = queue.next().await else {
        return;
    };
    let database = get_str(&start, "database");
    // Other tabs using it say what they kept or deleted; that is synced in turn with the loads.
    let tabs = database.as_deref().and_then(tabs_channel);
    if let Some(tabs) = &tabs {
        let heard = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let _ = Reflect::set(&data, &"kind".into(), &"sync".into());
            let _ = to_queue.unbounded_send(data);
        });
        tabs.set_onmessage(Some(heard.as_ref().unchecked_ref()));
        heard.forget();
    }
    // Tells the other tabs which traces changed in the store (`None`: all were deleted).
    let tell_tabs = |traces: Option<&[String]>| {
        let Some(tabs) = &tabs else { return };
        let message = Object::new();
        let _ = match traces {
            Some([]) => return,
            Some(ids) => {
                let ids: js_sys::Array = ids.iter().map(|id| JsValue::from_str(id)).collect();
                Reflect::set(&message, &"traces".into(), &ids)
            }
            None => Reflect::set(&message, &"everything".into(), &true.into()),
        };
        let _ = tabs.post_message(&message);
    };
    let announce = |ids: &[String]| tell_tabs(Some(ids));
    let mut keeper = match &database {
        Some(database) => restore(&engine, database).await,
        None => {
            // Nothing to read: what was kept (nothing) is there already.
            done(&RESTORE_BATCH.into());
            None
        }
    };
    let mut saving = get(&start, "save").as_bool() != Some(false);
    while let Some(message) = queue.next().await {
        let id = get(&message, "id");
        let body = get_str(&message, "body").unwrap_or_default();
        match get_str(&message, "kind").as_deref() {
            Some("ask") => {
                let request = serde_json::from_str::<Request>(&body);
                if let Ok(request) = &request {
                    let unread = engine.borrow().unread(request);
                    read(&keeper, &engine, &unread).await;
                }
                answer(&engine, &id, request);
                waiting.set(waiting.get().saturating_sub(1));
                continue;
            }
            Some("export") => {
                match serde_json::from_str::<ExportRequest>(&body) {
                    Ok(request) => {
                        let unread = engine.borrow().unread_in(&request.selection);
                        read(&keeper, &engine, &unread).await;
                        export(&engine, &id, &request);
                    }
                    // The page hears no file, and says the export failed.
                    Err(_) => post(&[
                        ("kind", "exported".into()),
                        ("id", id),
                        ("blob", JsValue::NULL),
                    ]),
                }
                continue;
            }
            Some("send") => {
                match serde_json::from_str::<SendRequest>(&body) {
                    Ok(request) => {
                        let unread = engine.borrow().unread_in(&request.selection);
                        read(&keeper, &engine, &unread).await;
                        spawn_local(send(engine.clone(), id, request));
                    }
                    Err(error) => report_sending(
                        &id,
                        &Report {
                            messages: vec![format!("a request the engine cannot read: {error}")],
                            done: true,
                            ..Report::default()
                        },
                    ),
                }
                continue;
            }
            Some("files") => {
                let files = js_sys::Array::from(&get(&message, "files"));
                for (index, file) in files.iter().enumerate() {
                    if let Ok(file) = file.dyn_into::<File>() {
                        let (progress, result) = load_file(&engine, &id, index as u32, file).await;
                        announce(
                            &keep(saver(&mut keeper, saving), &engine, progress, result).await,
                        );
                    }
                }
            }
            Some("url") => {
                let url = get_str(&message, "url").unwrap_or_default();
                let name = get_str(&message, "name").unwrap_or_else(|| url.clone());
                let held = get(&message, "held").as_bool() == Some(true);
                let (progress, result) = load_url(&engine, &id, &url, &name, held).await;
                announce(&keep(saver(&mut keeper, saving), &engine, progress, result).await);
            }
            Some("text" | "bytes") => {
                let name = get_str(&message, "name").unwrap_or_else(|| "pasted.json".into());
                let bytes = match get_str(&message, "text") {
                    Some(text) => text.into_bytes(),
                    None => get(&message, "bytes")
                        .dyn_into::<Uint8Array>()
                        .map(|bytes| bytes.to_vec())
                        .unwrap_or_default(),
                };
                let mut progress = Progress::new(&id, 0, &name, bytes.len() as f64);
                let held = get(&message, "held").as_bool() == Some(true);
                let result = parse(&engine, &mut progress, bytes, held);
                announce(&keep(saver(&mut keeper, saving), &engine, progress, result).await);
            }
            Some("keep-held") => {
                // Not saving, nothing is kept: what was held stays held.
                if let Some(keeper) = saver(&mut keeper, saving)
                    && engine.borrow_mut().keep_held()
                {
                    announce(&save_now(keeper, &engine, &id).await);
                }
            }
            Some("saving") => {
                saving = get(&message, "on").as_bool() != Some(false);
                if let Some(keeper) = saver(&mut keeper, saving) {
                    announce(&save_now(keeper, &engine, &id).await);
                }
            }
            Some("sync") => {
                // Another tab changed the store: `traces`, or `everything`.
                if let Some(keeper) = keeper.as_mut() {
                    let ids: Vec<String> = match get(&message, "everything").as_bool() {
                        Some(true) => keeper.known(),
                        _ => js_sys::Array::from(&get(&message, "traces"))
                            .iter()
                            .filter_map(|id| id.as_string())
                            .collect(),
                    };
                    let files = keeper.sync_files(&engine).await;
                    if let (Ok(()), Ok(true)) = (files, keeper.sync(&engine, &ids, true).await) {
                        done(&RESTORE_BATCH.into());
                    }
                }
                continue;
            }
            Some("forget-prices") => {
                engine.borrow_mut().forget_price_file(&body);
                if let Some(keeper) = keeper.as_ref()
                    && let Err(error) = keeper.forget_price_file(&body).await
                {
                    let progress = Progress::new(&id, 0, "This browser's storage", 0.0);
                    let message = format!("could not delete the price table: {error}");
                    finish(&progress, FileResult::failed(&progress.name, &message));
                }
            }
            Some("forget") => {
                // A selection forgets those traces; none forgets everything.
                let selection = serde_json::from_str::<SpanSelection>(&body).ok();
                let outcome = match selection {
                    Some(selection) => {
                        let unread = engine.borrow().unread_to_forget(&selection);
                        read(&keeper, &engine, &unread).await;
                        let forgotten = engine.borrow_mut().forget(&selection);
                        let outcome = match keeper.as_mut() {
                            Some(keeper) => keeper.forget(&forgotten).await,
                            None => Ok(()),
                        };
                        let ids: Vec<String> =
                            forgotten.traces.iter().map(ToString::to_string).collect();
                        tell_tabs(Some(&ids));
                        outcome
                    }
                    None => {
                        *engine.borrow_mut() = Engine::default();
                        let outcome = match keeper.as_mut() {
                            Some(keeper) => keeper.clear().await,
                            None => Ok(()),
                        };
                        tell_tabs(None);
                        outcome
                    }
                };
                if let Err(error) = outcome {
                    let progress = Progress::new(&id, 0, "This browser's storage", 0.0);
                    let message = format!("could not delete what was asked: {error}");
                    finish(&progress, FileResult::failed(&progress.name, &message));
                }
            }
            _ => {}
        }
        done(&id);
    }
}

/// The load batch that reports what was restored from the store.
const RESTORE_BATCH: u32 = 0;

/// Opens the store, reported as a load of its own: the kept traces' records (the lists show
/// them at once) and evaluations. Spans are read when something needs them ([`read`]).
async fn restore(engine: &Rc<RefCell<Engine>>, database: &str) -> Option<Keeper> {
    let name = KEPT;
    let batch = JsValue::from(RESTORE_BATCH);
    let progress = Progress::new(&batch, 0, name, 0.0);
    let (keeper, opened) = match Keeper::open(engine, database).await {
        Ok(opened) => opened,
        Err(error) => {
            let message = format!("nothing will be kept after the page closes: {error}");
            finish(&progress, FileResult::failed(name, &message));
            done(&batch);
            return None;
        }
    };
    if opened.traces > 0 || opened.evaluations > 0 {
        let result = FileResult {
            format: Some("stored".into()),
            spans: opened.spans,
            traces: opened.traces as u64,
            evaluations: opened.evaluations as u64,
            ..FileResult::empty(name)
        };
        finish(&progress, result);
    }
    done(&batch);
    Some(keeper)
}

/// What the store's load batch is called.
const KEPT: &str = "Kept in this browser";

/// Reads the spans of these stored traces; what goes wrong is reported on the store's batch.
async fn read(keeper: &Option<Keeper>, engine: &Rc<RefCell<Engine>>, ids: &[TraceId]) {
    let Some(keeper) = keeper else { return };
    if ids.is_empty() {
        return;
    }
    let problems = match keeper.read(engine, ids).await {
        Ok(problems) => problems,
        Err(error) => vec![format!("{KEPT}: spans could not be read: {error}")],
    };
    if !problems.is_empty() {
        let batch = JsValue::from(RESTORE_BATCH);
        let result = FileResult {
            errors: problems,
            ..FileResult::empty(KEPT)
        };
        finish(&Progress::new(&batch, 0, KEPT, 0.0), result);
        done(&batch);
    }
}

/// Saves what the store does not have yet (what was loaded while saving was off, or what the
/// user chose to keep), reported as a load of batch `id`; returns the traces written.
async fn save_now(keeper: &mut Keeper, engine: &Rc<RefCell<Engine>>, id: &JsValue) -> Vec<String> {
    let (kept, failure) = keeper.keep(engine).await;
    if kept.is_empty() && failure.is_none() {
        return kept;
    }
    let result = FileResult {
        format: Some("stored".into()),
        spans: keeper.spans(&kept),
        traces: kept.len() as u64,
        errors: failure
            .map(|(lost, error)| format!("{SAVED}: {lost} traces could not be saved ({error})"))
            .into_iter()
            .collect(),
        ..FileResult::empty(SAVED)
    };
    finish(&Progress::new(id, 0, SAVED, 0.0), result);
    kept
}

/// What saving what was loaded while saving was off is reported as.
const SAVED: &str = "Saved in this browser";

/// The keeper that saves new loads, if any does.
fn saver(keeper: &mut Option<Keeper>, saving: bool) -> Option<&mut Keeper> {
    keeper.as_mut().filter(|_| saving)
}

/// Stores what a load changed (with a keeper), then reports the file's result (with what was
/// not kept). Returns the ids of the traces written.
async fn keep(
    keeper: Option<&mut Keeper>,
    engine: &Rc<RefCell<Engine>>,
    mut progress: Progress,
    mut result: FileResult,
) -> Vec<String> {
    let mut written = Vec::new();
    if let Some(keeper) = keeper {
        progress.report("saving", progress.total, result.spans as usize, true);
        let (kept, failure) = keeper.keep(engine).await;
        if !kept.is_empty() {
            let saved_at_ms = now_ms() as u64;
            let file = FileRecord {
                key: file_key(
                    saved_at_ms,
                    (js_sys::Math::random() * f64::from(u32::MAX)) as u32,
                ),
                name: result.file.clone(),
                format: result.format.clone(),
                bytes: progress.total as u64,
                saved_at_ms,
                spans: result.spans,
                traces: kept.clone(),
            };
            if let Err(error) = keeper.save_file(engine, file).await {
                result.warnings.push(format!(
                    "{}: its traces were kept, but not the file's name in the saved files ({error})",
                    result.file
                ));
            }
        }
        if let Some((lost, error)) = failure {
            result.warnings.push(format!(
                "{}: {lost} traces were not kept in this browser ({error}; {} were); \
                 they stay here until the page closes",
                result.file,
                kept.len()
            ));
        }
        written = kept;
    }
    finish(&progress, result);
    written
}

/// Reads a file as it streams in: each chunk is read into the engine as it comes (OTLP
/// protobuf and JSON Lines record by record; other formats are gathered and read at the end).
async fn load_file(
    engine: &Rc<RefCell<Engine>>,
    id: &JsValue,
    index: u32,
    file: File,
) -> (Progress, FileResult) {
    let name = file.name();
    let total = file.size();
    let mut progress = Progress::new(id, index, &name, total);
    progress.report("reading", 0.0, 0, true);
    let mut loading = engine.borrow().begin(&name, Some(total as u64));
    let mut spans = 0;
    let reader: ReadableStreamDefaultReader = file.stream().get_reader().unchecked_into();
    loop {
        let chunk = match JsFuture::from(reader.read()).await {
            Ok(chunk) => chunk,
            Err(error) => {
                // What was read stays, as of a file cut short; the file says where it stopped.
                let message = error
                    .as_string()
                    .unwrap_or_else(|| "the browser could not read it".into());
                let received = loading.received();
                let mut result = engine.borrow_mut().finish(loading, &mut |_| {});
                result.errors.push(format!(
                    "{name}: byte {received}: the browser stopped reading the file: {message}"
                ));
                return (progress, result);
            }
        };
        if get(&chunk, "done").as_bool().unwrap_or(true) {
            break;
        }
        let bytes = get(&chunk, "value").unchecked_into::<Uint8Array>().to_vec();
        engine
            .borrow_mut()
            .feed(&mut loading, &bytes, &mut |n| spans = n);
        progress.report("reading", loading.received() as f64, spans, false);
    }
    progress.report("parsing", total, spans, true);
    let result = engine.borrow_mut().finish(loading, &mut |spans| {
        progress.report("parsing", total, spans, false)
    });
    (progress, result)
}

async fn load_url(
    engine: &Rc<RefCell<Engine>>,
    id: &JsValue,
    url: &str,
    name: &str,
    held: bool,
) -> (Progress, FileResult) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let mut progress = Progress::new(id, 0, name, 0.0);
    if let Err(message) = crate::embed::fetchable(url) {
        return (progress, FileResult::failed(name, &message));
    }
    progress.report("reading", 0.0, 0, true);
    // A link's or a host's file is fetched without cookies: a page that may name the URL must
    // not learn, from what loaded, what this browser's cookies open.
    let init = RequestInit::new();
    init.set_credentials(RequestCredentials::Omit);
    let response = JsFuture::from(scope.fetch_with_str_and_init(url, &init)).await;
    let response: Option<web_sys::Response> = response.ok().and_then(|r| r.dyn_into().ok());
    let Some(response) = response else {
        let message = format!(
            "{url} could not be fetched: the server is unreachable, or it does not let this page \
             ({}) read it (CORS: its answer must carry Access-Control-Allow-Origin)",
            get(&js_sys::global(), "origin")
                .as_string()
                .unwrap_or_default()
        );
        return (progress, FileResult::failed(name, &message));
    };
    if !response.ok() {
        let message = format!(
            "{url} answered HTTP {} {}",
            response.status(),
            response.status_text()
        );
        return (progress, FileResult::failed(name, &message));
    }
    let buffer = match response.array_buffer() {
        Ok(promise) => JsFuture::from(promise).await,
        Err(error) => Err(error),
    };
    let result = match buffer {
        Ok(buffer) => {
            let bytes = Uint8Array::new(&buffer).to_vec();
            progress.total = bytes.len() as f64;
            parse(engine, &mut progress, bytes, held)
        }
        Err(_) => FileResult::failed(name, &format!("{url} could not be read")),
    };
    (progress, result)
}

/// POSTs the selected spans to the collector, batch by batch, reporting after each answer.
async fn send(engine: Rc<RefCell<Engine>>, id: JsValue, request: SendRequest) {
    let spans = engine.borrow().select(&request.selection);
    let mut delivery = Delivery::new(spans, &request.settings);
    report_sending(&id, delivery.report());
    loop {
        // The arena only grows while sending, so the planned indices stay valid across awaits.
        let outgoing = delivery.next_request(engine.borrow().arena());
        let Some(outgoing) = outgoing else { break };
        let answer = post_batch(&request.settings, outgoing).await;
        if let Step::Wait(ms) = delivery.answer(answer) {
            sleep(ms).await;
        }
        report_sending(&id, delivery.report());
    }
    report_sending(&id, delivery.report());
}

fn report_sending(id: &JsValue, report: &Report) {
    post(&[
        ("kind", "send-report".into()),
        ("id", id.clone()),
        ("body", json(report).into()),
    ]);
}

/// One POST; whatever happens becomes an [`Answer`].
async fn post_batch(settings: &Settings, outgoing: Outgoing) -> Answer {
    let unreachable = |error: JsValue| {
        Answer::Unreachable(
            error
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| error.as_string())
                .unwrap_or_else(|| "the request failed".into()),
        )
    };
    let headers = match Headers::new() {
        Ok(headers) => headers,
        Err(error) => return unreachable(error),
    };
    let mut fields = vec![("content-type", outgoing.content_type)];
    fields.extend(outgoing.content_encoding.map(|e| ("content-encoding", e)));
    for (name, value) in fields.into_iter().chain(
        settings
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str())),
    ) {
        if let Err(error) = headers.set(name, value) {
            return unreachable(error);
        }
    }
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    // A redirect is not followed: the browser would carry every header but `authorization` to
    // wherever it points, an API key included.
    init.set_redirect(RequestRedirect::Manual);
    init.set_body(&Uint8Array::from(outgoing.body.as_slice()));
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let response = match JsFuture::from(scope.fetch_with_str_and_init(&settings.endpoint, &init))
        .await
        .and_then(|r| r.dyn_into::<web_sys::Response>())
    {
        Ok(response) => response,
        Err(error) => return unreachable(error),
    };
    if response.type_() == ResponseType::Opaqueredirect {
        return Answer::Redirected;
    }
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let body = match response.array_buffer() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map(|buffer| Uint8Array::new(&buffer).to_vec())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    Answer::Http {
        status: response.status(),
        retry_after: header("retry-after"),
        content_type: header("content-type"),
        body,
    }
}

async fn sleep(ms: u64) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(
            &resolve,
            ms.min(i32::MAX as u64) as i32,
        );
    });
    let _ = JsFuture::from(wait).await;
}

/// Reads a file's bytes; `held` (from a link or a host page), none of it is kept until the user
/// keeps it.
fn parse(
    engine: &Rc<RefCell<Engine>>,
    progress: &mut Progress,
    bytes: Vec<u8>,
    held: bool,
) -> FileResult {
    let size = bytes.len() as f64;
    progress.report("parsing", size, 0, true);
    let name = progress.name.clone();
    let mut report = |spans| progress.report("parsing", size, spans, false);
    let result = match held {
        true => engine.borrow_mut().load_held(&name, &bytes, &mut report),
        false => engine.borrow_mut().load(&name, &bytes, &mut report),
    };
    drop(bytes);
    progress.report("parsing", size, result.spans as usize, true);
    result
}

fn finish(progress: &Progress, result: FileResult) {
    post(&[
        ("kind", "loaded".into()),
        ("id", progress.id.clone()),
        ("file", progress.file.into()),
        ("body", json(&result).into()),
    ]);
}
