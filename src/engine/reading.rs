//! Reading files into the engine, in the worker: `File`s streamed chunk by chunk, URLs fetched,
//! text and bytes handed over; progress told at most every 100 ms per file.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, File, RequestCredentials, RequestInit};

use crate::engine::messages::{FileProgress, FromWorker};
use crate::engine::protocol::FileResult;
use crate::engine::worker::post;
use crate::engine::{Engine, helper};
use crate::ingest;

/// Files smaller than this (bytes) are not reported on until they are done.
const SMALL_FILE: f64 = 2e6;

/// Progress messages per file are at least this far apart.
const PROGRESS_INTERVAL_MS: f64 = 100.0;

/// Throttled progress of one file of a load batch.
pub(super) struct Progress {
    batch: u32,
    file: u32,
    /// The file's name.
    pub(super) name: String,
    /// Its size in bytes (0 when unknown).
    pub(super) total: f64,
    last_ms: f64,
}

impl Progress {
    /// File `file` of batch `batch`, of `total` bytes.
    pub(super) fn new(batch: u32, file: u32, name: &str, total: f64) -> Self {
        Self {
            batch,
            file,
            name: name.to_owned(),
            total,
            last_ms: 0.0,
        }
    }

    /// Tells where the file is (`force`: even if the last word was under 100 ms ago).
    pub(super) fn report(&mut self, phase: &str, bytes: f64, spans: usize, force: bool) {
        // A small file is read in less than the time between two words: its line shows with its
        // result (a batch of many small files would otherwise be told three times each).
        if self.total > 0.0 && self.total < SMALL_FILE {
            return;
        }
        let now = js_sys::Date::now();
        if !force && now - self.last_ms < PROGRESS_INTERVAL_MS {
            return;
        }
        self.last_ms = now;
        post(
            &FromWorker::Progress(FileProgress {
                batch: self.batch,
                file: self.file,
                name: self.name.clone(),
                phase: phase.to_owned(),
                bytes,
                total: self.total,
                spans: spans as u64,
            }),
            None,
        );
    }

    /// Tells what came of the file.
    pub(super) fn finish(&self, result: FileResult) {
        post(
            &FromWorker::Loaded {
                batch: self.batch,
                file: self.file,
                result,
            },
            None,
        );
    }
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Reads a file as it streams in: each chunk is read into the engine as it comes (OTLP
/// protobuf, JSON Lines and an OTLP/JSON request record by record, gzip expanded as it comes;
/// other formats are gathered and read at the end: [`ingest::FileStream`]).
pub(super) async fn load_file(
    engine: &Rc<RefCell<Engine>>,
    batch: u32,
    index: u32,
    file: File,
) -> (Progress, FileResult) {
    let name = file.name();
    let total = file.size();
    let mut progress = Progress::new(batch, index, &name, total);
    progress.report("reading", 0.0, 0, true);
    let mut loading = engine.borrow().begin(&name, Some(total as u64));
    let mut spans = 0;
    let mut chunks = Chunks::of(&file);
    loop {
        let bytes = match chunks.next().await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => break,
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
        engine
            .borrow_mut()
            .feed(&mut loading, &bytes, &mut |n| spans = n);
        progress.report("reading", loading.received() as f64, spans, false);
    }
    if let Some(helped) = loading.take_helped() {
        let result = read_helped(engine, &mut progress, helped, false).await;
        return (progress, result);
    }
    progress.report("parsing", total, spans, true);
    let result = engine.borrow_mut().finish(loading, &mut |spans| {
        progress.report("parsing", total, spans, false)
    });
    (progress, result)
}

/// A file's bytes as the browser reads them, the next read asked for before the bytes in hand
/// are parsed (a million spans waited 1.4 s on reads otherwise). Read into one buffer, reused
/// (a "bring your own buffer" reader, where the browser has one for files): a fresh buffer per
/// read made the renderer fault in as many pages again as the file has.
struct Chunks {
    reader: JsValue,
    read: Function,
    /// Whether reads bring their own buffer (one, reused); else the browser gives its chunks.
    byob: bool,
    next: JsFuture,
}

/// The most read at once into the reused buffer.
const READ_BYTES: u32 = 1 << 20;

impl Chunks {
    fn of(file: &File) -> Self {
        let stream = file.stream();
        let options = Object::new();
        let _ = Reflect::set(&options, &"mode".into(), &"byob".into());
        // Throws for a stream that is not one of bytes.
        let get_reader = get(&stream, "getReader").unchecked_into::<Function>();
        let byob = get_reader.call1(&stream, &options).ok();
        let (reader, buffer) = match byob {
            Some(reader) => (reader, Some(Uint8Array::new_with_length(READ_BYTES))),
            None => (stream.get_reader().into(), None),
        };
        let read = get(&reader, "read").unchecked_into::<Function>();
        let next = ask(&reader, &read, buffer.as_ref());
        let byob = buffer.is_some();
        Self {
            reader,
            read,
            byob,
            next,
        }
    }

    /// The next bytes read, copied into the engine's memory; `None` at the end.
    async fn next(&mut self) -> Result<Option<Vec<u8>>, JsValue> {
        let chunk = (&mut self.next).await?;
        if get(&chunk, "done").as_bool().unwrap_or(true) {
            return Ok(None);
        }
        let view = get(&chunk, "value").unchecked_into::<Uint8Array>();
        let bytes = view.to_vec();
        // The buffer whole again (the view is what was read into it).
        let buffer = self.byob.then(|| Uint8Array::new(&view.buffer()));
        self.next = ask(&self.reader, &self.read, buffer.as_ref());
        Ok(Some(bytes))
    }
}

/// A read of `reader` (its `read`), into `buffer` if reads bring their own.
fn ask(reader: &JsValue, read: &Function, buffer: Option<&Uint8Array>) -> JsFuture {
    let asked = match buffer {
        Some(buffer) => read.call1(reader, buffer),
        None => read.call0(reader),
    };
    JsFuture::from(match asked {
        Ok(promise) => js_sys::Promise::resolve(&promise),
        Err(error) => js_sys::Promise::reject(&error),
    })
}

/// Fetches a file (file `file` of its batch) and reads it; `held` as for [`parse`].
pub(super) async fn load_url(
    engine: &Rc<RefCell<Engine>>,
    batch: u32,
    file: u32,
    url: &str,
    name: &str,
    held: bool,
    token: Option<&str>,
) -> (Progress, FileResult) {
    let mut progress = Progress::new(batch, file, name, 0.0);
    if let Err(message) = crate::embed::fetchable(url) {
        return (progress, FileResult::failed(name, &message));
    }
    progress.report("reading", 0.0, 0, true);
    let bytes = match fetch(url, token).await {
        Ok(bytes) => bytes,
        Err(message) => return (progress, FileResult::failed(name, &message)),
    };
    progress.total = bytes.len() as f64;
    let result = parse(engine, &mut progress, bytes, held).await;
    (progress, result)
}

/// What a `plume serve` keeps, as its `{api}kept` (and each event of `{api}live`) lists it.
#[derive(Clone, serde::Deserialize)]
pub(super) struct Kept {
    /// The folder it keeps in: another folder, other files (of the same names, maybe).
    #[serde(default)]
    pub(super) store: String,
    /// Its files, oldest first.
    pub(super) files: Vec<KeptFile>,
}

/// A kept file.
#[derive(Clone, serde::Deserialize)]
pub(super) struct KeptFile {
    /// Its name.
    pub(super) name: String,
    /// Its size: what is kept of it so far (the last frame may still be being written).
    pub(super) bytes: u64,
}

impl Kept {
    /// `{api}kept`'s answer, or why it does not read.
    pub(super) fn read(json: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(json)
            .map_err(|error| format!("plume serve's list of what it keeps does not read: {error}"))
    }
}

/// The files a `plume serve` keeps, oldest first, as its `{api}kept` lists them.
pub(super) async fn kept_on_server(api: &str, token: Option<&str>) -> Result<Kept, String> {
    let response = request(&format!("{api}kept"), token).await;
    Kept::read(&bytes_of(response.map_err(with_token_hint)?).await?)
}

/// What a refusal of `plume serve` means to its page's user.
pub(super) fn with_token_hint(message: String) -> String {
    match message.contains("HTTP 401") {
        true => format!(
            "{message}: this plume serve asks for its token; open the page at the address it \
             printed (…/?token=…)"
        ),
        false => message,
    }
}

/// A fetch of `url` without cookies, with `token` as a bearer token if given.
pub(super) async fn request(url: &str, token: Option<&str>) -> Result<web_sys::Response, String> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    // A link's or a host's file is fetched without cookies: a page that may name the URL must
    // not learn, from what loaded, what this browser's cookies open.
    let init = RequestInit::new();
    init.set_credentials(RequestCredentials::Omit);
    if let Some(token) = token {
        let headers = web_sys::Headers::new().map_err(|_| "no headers".to_owned())?;
        let _ = headers.set("authorization", &format!("Bearer {token}"));
        init.set_headers(&headers);
    }
    let response = JsFuture::from(scope.fetch_with_str_and_init(url, &init)).await;
    let Some(response) = response
        .ok()
        .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
    else {
        return Err(format!(
            "{url} could not be fetched: the server is unreachable, or it does not let this page \
             ({}) read it (CORS: its answer must carry Access-Control-Allow-Origin)",
            get(&js_sys::global(), "origin")
                .as_string()
                .unwrap_or_default()
        ));
    };
    if !response.ok() {
        return Err(format!(
            "{url} answered HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    Ok(response)
}

/// A file's bytes, or why there are none.
pub(super) async fn fetch(url: &str, token: Option<&str>) -> Result<Vec<u8>, String> {
    bytes_of(request(url, token).await?).await
}

/// A response's body.
async fn bytes_of(response: web_sys::Response) -> Result<Vec<u8>, String> {
    let url = response.url();
    let buffer = match response.array_buffer() {
        Ok(promise) => JsFuture::from(promise).await,
        Err(error) => Err(error),
    };
    buffer
        .map(|buffer| Uint8Array::new(&buffer).to_vec())
        .map_err(|_| format!("{url} could not be read"))
}

/// Reads a file's bytes; `held` (from a link or a host page), none of it is kept until the user
/// keeps it.
pub(super) async fn parse(
    engine: &Rc<RefCell<Engine>>,
    progress: &mut Progress,
    bytes: Vec<u8>,
    held: bool,
) -> FileResult {
    let bytes = match ingest::Helped::of(bytes) {
        Ok(helped) => return read_helped(engine, progress, helped, held).await,
        Err(bytes) => bytes,
    };
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

/// Reads a zstd file: the helper expands it, and the engine reads its content as it comes (one
/// zstd layer: a file of many would start a helper each).
async fn read_zstd(
    engine: &Rc<RefCell<Engine>>,
    progress: &mut Progress,
    bytes: Vec<u8>,
    held: bool,
) -> FileResult {
    let size = bytes.len() as f64;
    let codec = ingest::Codec::Zstd;
    let mut loading = engine.borrow().begin_expanding(&progress.name, codec, held);
    let expanded = helper::expand(bytes, |piece| {
        let mut report = |spans| progress.report("parsing", size, spans, false);
        let mut engine = engine.borrow_mut();
        engine.feed_expanded(&mut loading, codec, piece, &mut report);
        !loading.failed()
    })
    .await;
    if let Some((format, compression, content)) = loading.expanded_helped(expanded) {
        // Content the helper reads (Jaeger, Zipkin), gathered whole.
        let format = Some(format);
        let helped = ingest::Helped {
            format,
            compression,
            content,
        };
        return Box::pin(read_helped(engine, progress, helped, held)).await;
    }
    let mut report = |spans| progress.report("parsing", size, spans, false);
    let result = engine.borrow_mut().finish(loading, &mut report);
    progress.report("parsing", size, result.spans as usize, true);
    result
}

/// Reads a parquet, Jaeger or Zipkin file: read by the helper worker, then stored by the engine.
async fn read_helped(
    engine: &Rc<RefCell<Engine>>,
    progress: &mut Progress,
    helped: ingest::Helped,
    held: bool,
) -> FileResult {
    let size = helped.content.len() as f64;
    progress.report("parsing", size, 0, true);
    let Some(format) = helped.format else {
        return Box::pin(read_zstd(engine, progress, helped.content, held)).await;
    };
    let answer = helper::read(format, helped.content).await;
    let name = progress.name.clone();
    let mut report = |spans| progress.report("parsing", size, spans, false);
    let format = (format, helped.compression);
    let result = engine
        .borrow_mut()
        .load_helped(&name, format, answer, held, &mut report);
    progress.report("parsing", size, result.spans as usize, true);
    result
}
