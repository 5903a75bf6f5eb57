//! What each message to the worker does, one async method per kind, run one at a time in the
//! order the messages came (`worker.rs` queues them and does the talking). What loads change is
//! kept in IndexedDB (`keeper.rs`) before each file's result is told.
//!
//! When the worker starts, the kept traces' records are read (reported as load batch 0, `Kept in
//! this browser`), and a trace's spans only when a request needs them: such a question (and every
//! question after it, so answers keep their order), an export, a send or a forget waits in the
//! queue while they are read.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{Blob, BlobPropertyBag, File};

use crate::engine::Engine;
use crate::engine::helper;
use crate::engine::keeper::Keeper;
use crate::engine::live::Live;
use crate::engine::messages::{ExportedFile, FromWorker, Problem, Source, StoreChange, ToWorker};
use crate::engine::protocol::{
    ExportRequest, FileResult, RedactionPreview, Request, Response, ShareRequest, SpanSelection,
};
use crate::engine::reading::{self, Progress, kept_on_server, load_file, load_url, parse};
use crate::engine::remote;
use crate::engine::sending::send;
use crate::engine::worker::post;
use crate::model::TraceId;
use crate::sources;
use crate::store::idb::Db;
use crate::store::{FileRecord, StoredEvaluation, file_key};
use futures::StreamExt;
use futures::future::{Either, select};

/// The load batch that reports what was restored from the store.
pub const RESTORE_BATCH: u32 = 0;

/// What the store's load batch is called.
const KEPT: &str = "Kept in this browser";

/// What saving what was loaded while saving was off is reported as.
const SAVED: &str = "Saved in this browser";

/// Within a batch of files, how often what was read is assembled and kept, ms.
const FLUSH_MS: f64 = 1_000.0;

/// What an annotation that could not be made or kept is reported as.
const ANNOTATION: &str = "Annotation";

/// What a failed deletion is reported as.
const STORAGE: &str = "This browser's storage";

/// The engine, the store it keeps to (if any), and who hears what changed in the store.
pub struct Jobs {
    engine: Rc<RefCell<Engine>>,
    keeper: Option<Keeper>,
    /// The database to open when the user keeps what is held ([`Store::only_if_kept`]).
    unopened: Option<String>,
    saving: bool,
    announce: Box<dyn Fn(StoreChange)>,
    /// Following the `plume serve` that served the page, once what it kept is read.
    live: Option<Live>,
    /// Queues a catch-up with what `plume serve` received ([`Jobs::catch_up`]).
    wake: Rc<dyn Fn()>,
}

/// Where the engine keeps traces, as the page started it.
pub struct Store {
    /// The IndexedDB database's name; none: memory only.
    pub database: Option<String>,
    /// Opened only if it exists already; else when the user keeps what is held.
    pub only_if_kept: bool,
}

impl Jobs {
    /// Opens the `store`'s database (if any) and reads the kept traces' records; `saving` says
    /// whether new loads are kept; `announce` tells the other tabs what this one changed in the
    /// store; `wake` queues a catch-up with what a `plume serve` received.
    pub async fn start(
        engine: Rc<RefCell<Engine>>,
        store: Store,
        saving: bool,
        announce: Box<dyn Fn(StoreChange)>,
        wake: Rc<dyn Fn()>,
    ) -> Self {
        let (keeper, unopened) = match store.database {
            Some(database) if store.only_if_kept && !Db::exists(&database).await => {
                (None, Some(database))
            }
            Some(database) => (restore(&engine, &database).await, None),
            None => (None, None),
        };
        // What was kept (if anything) is there now.
        post(
            &FromWorker::Done {
                batch: RESTORE_BATCH,
            },
            None,
        );
        Self {
            engine,
            keeper,
            unopened,
            saving,
            announce,
            live: None,
            wake,
        }
    }

    /// Shows what the `plume serve` followed received since it was last read.
    pub async fn catch_up(&mut self) {
        if let Some(live) = self.live.as_mut() {
            live.catch_up(&self.engine).await;
        }
    }

    /// Does what `message` asks (`payload`: what travelled beside it); returns the load batch it
    /// ran as, if any (the worker then says the batch is done).
    pub async fn run(&mut self, message: ToWorker, payload: JsValue) -> Option<u32> {
        let batch = message_batch(&message);
        match message {
            ToWorker::Start { .. } | ToWorker::Ask { .. } => return None,
            ToWorker::Export { id, request } => self.export(id, &request).await,
            ToWorker::Share { id, request } => self.share(id, &request).await,
            ToWorker::Send { id, request } => {
                let unread = self.engine.borrow().unread_in(&request.selection);
                self.read(&unread).await;
                spawn_local(send(self.engine.clone(), id, request));
            }
            ToWorker::Load {
                batch,
                source,
                held,
            } => self.load(batch, source, held, payload).await,
            ToWorker::Forget { batch, selection } => self.forget(batch, selection).await,
            ToWorker::ForgetPrices { batch, key } => self.forget_prices(batch, &key).await,
            ToWorker::Saving { batch, on } => {
                self.saving = on;
                self.save_now(batch).await;
            }
            ToWorker::Live { paused } => {
                if let Some(live) = self.live.as_mut() {
                    live.pause(&self.engine, paused).await;
                }
            }
            // Never queued: the worker's handler acts on it as it comes.
            ToWorker::Cancel => {}
            ToWorker::Annotate {
                batch,
                annotation,
                remove,
            } => self.annotate(batch, &annotation, remove).await,
            ToWorker::SetConnections { connections } => {
                self.engine
                    .borrow_mut()
                    .settings()
                    .connections
                    .set(connections);
                self.save_settings().await;
            }
            ToWorker::SetRules { rules } => {
                self.engine.borrow_mut().settings().rules.set(rules);
                self.save_settings().await;
            }
            ToWorker::KeepHeld { batch } => {
                // A share file's page opens its database now, and keeps what comes next too.
                if let Some(database) = self.unopened.take() {
                    // Rules chosen on this page win over those the origin kept.
                    let chosen = self.engine.borrow_mut().settings().rules.take_unsaved();
                    self.keeper = restore(&self.engine, &database).await;
                    self.saving = true;
                    if let Some(rules) = chosen {
                        self.engine.borrow_mut().settings().rules.set(rules);
                    }
                }
                // Not saving, nothing is kept: what was held stays held.
                if self.saver().is_some() && self.engine.borrow_mut().keep_held() {
                    self.save_now(batch).await;
                }
            }
        }
        batch
    }

    /// Keeps the settings just set, and tells the other tabs to read them again. Where the page
    /// keeps nothing (yet), they apply while it is open; kept, a failure leaves them unsaved for
    /// the next save to try again.
    async fn save_settings(&mut self) {
        if self.saver().is_some() {
            self.save_now(RESTORE_BATCH).await;
            self.tell_tabs(StoreChange::Settings);
        }
    }

    /// Reads the stored spans `request` needs, if any.
    pub async fn read_for(&mut self, request: &Request) {
        let unread = self.engine.borrow().unread(request);
        self.read(&unread).await;
    }

    /// Another tab changed the store: read again what it names.
    pub async fn sync(&mut self, change: StoreChange) {
        let Some(keeper) = self.keeper.as_mut() else {
            return;
        };
        let ids = match change {
            StoreChange::Everything => keeper.known(),
            StoreChange::Traces(ids) => ids,
            StoreChange::Settings => {
                if keeper.sync_settings(&self.engine).await.is_ok() {
                    post(
                        &FromWorker::Done {
                            batch: RESTORE_BATCH,
                        },
                        None,
                    );
                }
                return;
            }
        };
        let files = keeper.sync_files(&self.engine).await;
        if let (Ok(()), Ok(true)) = (files, keeper.sync(&self.engine, &ids, true).await) {
            post(
                &FromWorker::Done {
                    batch: RESTORE_BATCH,
                },
                None,
            );
        }
    }

    async fn load(&mut self, batch: u32, source: Source, held: bool, payload: JsValue) {
        match source {
            Source::Files => self.load_files(batch, js_sys::Array::from(&payload)).await,
            Source::Url { url, name } => {
                let (progress, result) =
                    load_url(&self.engine, batch, 0, &url, &name, held, None).await;
                self.keep(progress, result).await;
            }
            Source::Server { api, token } => {
                self.load_server(batch, api, token).await;
            }
            Source::Remote {
                source,
                project,
                traces,
            } => self.load_remote(batch, &source, &project, traces).await,
            Source::Text { name, text } => self.parse(batch, &name, text.into_bytes(), held).await,
            Source::Bytes { name } => {
                let bytes = payload
                    .dyn_into::<Uint8Array>()
                    .map(|bytes| bytes.to_vec())
                    .unwrap_or_default();
                self.parse(batch, &name, bytes, held).await;
            }
        }
    }

    /// Reads files one after another. Several files are assembled and kept together, once a
    /// second and at the end, not once a file: a trace dropped as the many bodies its SDK sent
    /// is assembled and kept a few times, not once a body.
    async fn load_files(&mut self, batch: u32, files: js_sys::Array) {
        let count = files.length() as usize;
        self.engine.borrow_mut().defer_assembly(count > 1);
        let mut waiting = Vec::new();
        let mut flushed = js_sys::Date::now();
        for (index, file) in files.iter().enumerate() {
            if let Ok(file) = file.dyn_into::<File>() {
                let (progress, result) = load_file(&self.engine, batch, index as u32, file).await;
                let touched = self.engine.borrow_mut().take_touched();
                waiting.push((progress, result, touched));
            }
            if index + 1 == count || js_sys::Date::now() - flushed >= FLUSH_MS {
                self.engine.borrow_mut().assemble();
                self.keep_all(std::mem::take(&mut waiting)).await;
                flushed = js_sys::Date::now();
            }
        }
        self.engine.borrow_mut().defer_assembly(false);
    }

    /// Reads what a `plume serve` keeps, then follows what it receives.
    async fn load_server(&mut self, batch: u32, api: String, token: Option<String>) {
        let kept = match kept_on_server(&api, token.as_deref()).await {
            Ok(kept) => kept,
            Err(message) => {
                let progress = Progress::new(batch, 0, "plume serve", 0.0);
                self.keep(progress, FileResult::failed("plume serve", &message))
                    .await;
                return;
            }
        };
        let mut read = HashMap::new();
        for (index, file) in kept.files.iter().enumerate() {
            let url = format!("{api}kept/{}", file.name);
            let (progress, result) = load_url(
                &self.engine,
                batch,
                index as u32,
                &url,
                &file.name,
                false,
                token.as_deref(),
            )
            .await;
            // What was read of it: the rest comes live.
            read.insert(file.name.clone(), progress.total as u64);
            self.keep(progress, result).await;
        }
        self.live = Some(Live::start(api, token, read, self.wake.clone()));
    }

    /// Says that `message`, a fetch from a server, was cancelled before it was asked; returns
    /// its load batch.
    pub fn cancelled(&mut self, message: &ToWorker) -> Option<u32> {
        let ToWorker::Load {
            batch,
            source: Source::Remote { source, traces, .. },
            ..
        } = message
        else {
            return None;
        };
        let asked = fetched_name(source, traces);
        let result = FileResult::failed(&asked, CANCELLED);
        Progress::new(*batch, 0, &asked, 0.0).finish(result);
        Some(*batch)
    }

    /// Opens traces of a server connected to. Not loaded yet: held, each answer read as it
    /// comes (the first rows show while the rest is asked for). Loaded (fetched again): every
    /// answer first, then what was loaded of them is replaced — kept if it was kept, with the
    /// annotations people made on it — so that a failed or cancelled fetch changes nothing.
    async fn load_remote(&mut self, batch: u32, source: &str, project: &str, ids: Vec<String>) {
        let asked = fetched_name(source, &ids);
        Progress::new(batch, 0, &asked, 0.0).report("fetching", 0.0, 0, true);
        let refresh = self.engine.borrow().holds_any(&ids);
        let (parts, mut came) = futures::channel::mpsc::unbounded();
        let engine = self.engine.clone();
        let mut fetching = Box::pin(remote::fetch(&engine, source, project, &ids, parts));
        let (mut waiting, mut read) = (Vec::new(), 0);
        let outcome = loop {
            let part = match select(came.next(), fetching.as_mut()).await {
                Either::Left((Some(part), _)) => part,
                Either::Left((None, _)) => break fetching.await,
                Either::Right((outcome, _)) => break outcome,
            };
            match refresh {
                true => waiting.push(part),
                false => {
                    self.load_part(batch, read, part, true).await;
                    read += 1;
                }
            }
        };
        if let Err(problem) = outcome {
            // Cancelled or failed: a refresh changed nothing; a first fetch keeps what came.
            let progress = Progress::new(batch, read, &asked, 0.0);
            return self
                .keep(progress, FileResult::failed(&asked, &problem))
                .await;
        }
        if refresh {
            self.replace(batch, &ids, waiting).await;
            return;
        }
        for part in waiting {
            self.load_part(batch, read, part, true).await;
            read += 1;
        }
    }

    /// What was loaded of `ids` replaced by `parts` (a fetch's answers, whole): kept if it was,
    /// with the annotations people made on it.
    async fn replace(&mut self, batch: u32, ids: &[String], parts: Vec<Vec<u8>>) {
        let selection = SpanSelection::Traces(ids.to_vec());
        let unread = self.engine.borrow().unread_to_forget(&selection);
        self.read(&unread).await;
        let kept =
            (self.keeper.as_ref()).is_some_and(|k| k.known().iter().any(|id| ids.contains(id)));
        let notes = self.engine.borrow().notes_on(ids);
        self.forget(batch, Some(selection)).await;
        for (index, part) in parts.into_iter().enumerate() {
            self.load_part(batch, index as u32, part, !kept).await;
        }
        for note in notes {
            let _ = self.engine.borrow_mut().annotate(&note, false);
        }
        self.save_now(batch).await;
    }

    /// Reads the `index`th answer to a fetch; `held`, as [`parse`] takes it.
    async fn load_part(&mut self, batch: u32, index: u32, part: Vec<u8>, held: bool) {
        let file = match sources::job::read_part(&part) {
            Ok(file) => file,
            Err(problem) => {
                let progress = Progress::new(batch, index, "server", 0.0);
                return self
                    .keep(progress, FileResult::failed("server", &problem))
                    .await;
            }
        };
        let mut progress = Progress::new(batch, index, &file.name, file.bytes.len() as f64);
        let result = parse(&self.engine, &mut progress, file.bytes, held).await;
        self.keep(progress, result).await;
    }

    /// What the worker's jobs answer (some [`Request::queued`] ones); else `None`: the engine
    /// answers.
    pub async fn answer(&mut self, request: &Request) -> Option<Response> {
        Some(match request {
            Request::RedactionPreview { selection } => self.preview(selection).await,
            Request::SourceProjects { source } => remote::projects(&self.engine, source).await,
            Request::SourceTraces {
                source,
                query,
                cursor,
            } => remote::traces(&self.engine, source, query, cursor.clone()).await,
            _ => return None,
        })
    }

    async fn parse(&mut self, batch: u32, name: &str, bytes: Vec<u8>, held: bool) {
        let mut progress = Progress::new(batch, 0, name, bytes.len() as f64);
        let result = parse(&self.engine, &mut progress, bytes, held).await;
        self.keep(progress, result).await;
    }

    /// Answers an export with the file, as a Blob beside the message.
    async fn export(&mut self, id: u32, request: &ExportRequest) {
        let unread = self.engine.borrow().unread_in(&request.selection);
        self.read(&unread).await;
        let job = (request.redact)
            .then(|| (self.engine.borrow()).export_job(&request.selection, request.target));
        let redacted = match redacted(job).await {
            Ok(redacted) => redacted,
            Err(message) => return post_export_failed(id, message),
        };
        let export =
            (self.engine.borrow()).export(&request.selection, request.target, redacted.as_ref());
        match export {
            Ok(export) => {
                let file = ExportedFile {
                    name: export.name,
                    spans: export.spans as u64,
                };
                post_exported(id, file, &export.bytes, export.target.media_type());
            }
            Err(message) => post_export_failed(id, message),
        }
    }

    /// What the rules in use would take out of the selection, made by the helper.
    async fn preview(&mut self, selection: &SpanSelection) -> Response {
        let job = self.engine.borrow().preview_job(selection);
        let preview = RedactionPreview::of(helper::redact(&job).await);
        Response::RedactionPreview(Box::new(preview))
    }

    /// Sets or removes an annotation; the page keeps it where it keeps what it loads (a page
    /// that keeps nothing yet keeps it once it does).
    async fn annotate(&mut self, batch: u32, annotation: &StoredEvaluation, remove: bool) {
        let annotated = self.engine.borrow_mut().annotate(annotation, remove);
        match annotated {
            Ok(_) => self.save_now(batch).await,
            Err(error) => Progress::new(batch, 0, ANNOTATION, 0.0)
                .finish(FileResult::failed(ANNOTATION, &error)),
        }
    }

    /// Writes a share file: the viewer's shell (built beside the worker's script, fetched from
    /// the page's own origin) holding the selected traces.
    async fn share(&mut self, id: u32, request: &ShareRequest) {
        let unread = self.engine.borrow().unread_in(&request.selection);
        self.read(&unread).await;
        let shell = match reading::fetch(crate::share::SHELL, None).await {
            Ok(shell) => String::from_utf8_lossy(&shell).into_owned(),
            Err(error) => {
                let message = format!(
                    "the viewer's {} could not be read: {error}",
                    crate::share::SHELL
                );
                return post_export_failed(id, message);
            }
        };
        let job = request
            .redact
            .then(|| self.engine.borrow().share_job(request));
        let redacted = match redacted(job).await {
            Ok(redacted) => redacted,
            Err(message) => return post_export_failed(id, message),
        };
        let shared = self.engine.borrow().share(request, redacted.as_ref());
        let written = match shared {
            Ok(shared) => gzipped(&shared).await.and_then(|gzipped| {
                let page = crate::share::page(&shell, &shared, &gzipped)?;
                Ok((shared.info, page))
            }),
            Err(message) => Err(message),
        };
        match written {
            Ok((info, page)) => {
                let file = ExportedFile {
                    name: crate::share::file_name(&info),
                    spans: info.spans as u64,
                };
                post_exported(id, file, page.as_bytes(), "text/html");
            }
            Err(message) => post_export_failed(id, message),
        }
    }

    /// Forgets the selected traces, or everything, loaded and kept.
    async fn forget(&mut self, batch: u32, selection: Option<SpanSelection>) {
        let outcome = match selection {
            Some(selection) => {
                let unread = self.engine.borrow().unread_to_forget(&selection);
                self.read(&unread).await;
                let forgotten = self.engine.borrow_mut().forget(&selection);
                let outcome = match self.keeper.as_mut() {
                    Some(keeper) => keeper.forget(&forgotten).await,
                    None => Ok(()),
                };
                let ids = forgotten.traces.iter().map(ToString::to_string).collect();
                self.tell_tabs(StoreChange::Traces(ids));
                // Their annotations' deletions.
                self.save_now(batch).await;
                outcome
            }
            None => {
                let emptied = self.engine.borrow().emptied();
                *self.engine.borrow_mut() = emptied;
                let outcome = match self.keeper.as_mut() {
                    Some(keeper) => keeper.clear().await,
                    None => Ok(()),
                };
                self.tell_tabs(StoreChange::Everything);
                outcome
            }
        };
        if let Err(error) = outcome {
            let message = format!("could not delete what was asked: {error}");
            Progress::new(batch, 0, STORAGE, 0.0).finish(FileResult::failed(STORAGE, &message));
        }
    }

    async fn forget_prices(&mut self, batch: u32, key: &str) {
        self.engine.borrow_mut().forget_price_file(key);
        if let Some(keeper) = self.keeper.as_ref()
            && let Err(error) = keeper.forget_price_file(key).await
        {
            let message = format!("could not delete the price table: {error}");
            Progress::new(batch, 0, STORAGE, 0.0).finish(FileResult::failed(STORAGE, &message));
        }
    }

    /// The keeper that saves new loads, if any does.
    fn saver(&mut self) -> Option<&mut Keeper> {
        let saving = self.saving;
        self.keeper.as_mut().filter(|_| saving)
    }

    fn tell_tabs(&self, change: StoreChange) {
        if !matches!(&change, StoreChange::Traces(ids) if ids.is_empty()) {
            (self.announce)(change);
        }
    }

    /// Reads the spans of these stored traces; what goes wrong is reported on the store's batch.
    async fn read(&mut self, ids: &[TraceId]) {
        let Some(keeper) = self.keeper.as_ref() else {
            return;
        };
        if ids.is_empty() {
            return;
        }
        let problems = match keeper.read(&self.engine, ids).await {
            Ok(problems) => problems,
            Err(error) => vec![format!("{KEPT}: spans could not be read: {error}")],
        };
        if !problems.is_empty() {
            let result = FileResult {
                errors: problems,
                ..FileResult::empty(KEPT)
            };
            Progress::new(RESTORE_BATCH, 0, KEPT, 0.0).finish(result);
            post(
                &FromWorker::Done {
                    batch: RESTORE_BATCH,
                },
                None,
            );
        }
    }

    /// Saves what the store does not have yet (what was loaded while saving was off, or what
    /// the user chose to keep), reported as a load of batch `batch`.
    async fn save_now(&mut self, batch: u32) {
        let engine = self.engine.clone();
        let Some(keeper) = self.saver() else { return };
        let (kept, failure) = keeper.keep(&engine).await;
        if kept.is_empty() && failure.is_none() {
            return;
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
        Progress::new(batch, 0, SAVED, 0.0).finish(result);
        self.tell_tabs(StoreChange::Traces(kept));
    }

    /// Stores what a load changed (when saving), then tells the file's result (with what was not
    /// kept).
    async fn keep(&mut self, progress: Progress, result: FileResult) {
        let touched = self.engine.borrow_mut().take_touched();
        self.keep_all(vec![(progress, result, touched)]).await;
    }

    /// Stores what loads of files changed (when saving), then tells each file's result (with
    /// what was not kept); each file's record names the traces it touched that were kept.
    async fn keep_all(&mut self, mut files: Vec<(Progress, FileResult, Vec<TraceId>)>) {
        let engine = self.engine.clone();
        let Some(keeper) = self.saver() else {
            for (progress, result, _) in files {
                progress.finish(result);
            }
            return;
        };
        for (progress, result, _) in &mut files {
            let total = progress.total;
            progress.report("saving", total, result.spans as usize, true);
        }
        let (kept, failure) = keeper.keep(&engine).await;
        for (progress, mut result, touched) in files {
            let touched: HashSet<String> = touched.iter().map(ToString::to_string).collect();
            let mine: Vec<String> = kept
                .iter()
                .filter(|id| touched.contains(*id))
                .cloned()
                .collect();
            if !mine.is_empty() {
                let file = file_record(&result, progress.total as u64, mine);
                if let Err(error) = keeper.save_file(&engine, file).await {
                    result.warnings.push(format!(
                        "{}: its traces were kept, but not the file's name in the saved files ({error})",
                        result.file
                    ));
                }
            }
            if let Some((lost, error)) = &failure {
                result.warnings.push(format!(
                    "{}: {lost} traces were not kept in this browser ({error}; {} were); \
                     they stay here until the page closes",
                    result.file,
                    kept.len()
                ));
            }
            progress.finish(result);
        }
        self.tell_tabs(StoreChange::Traces(kept));
    }
}

/// The load batch a message runs as, if any.
fn message_batch(message: &ToWorker) -> Option<u32> {
    match message {
        ToWorker::Load { batch, .. }
        | ToWorker::Forget { batch, .. }
        | ToWorker::ForgetPrices { batch, .. }
        | ToWorker::Saving { batch, .. }
        | ToWorker::Annotate { batch, .. }
        | ToWorker::KeepHeld { batch, .. } => Some(*batch),
        ToWorker::Start { .. }
        | ToWorker::Ask { .. }
        | ToWorker::Export { .. }
        | ToWorker::Share { .. }
        | ToWorker::SetRules { .. }
        | ToWorker::SetConnections { .. }
        | ToWorker::Live { .. }
        | ToWorker::Cancel
        | ToWorker::Send { .. } => None,
    }
}

/// The contents of a share's files, each gzip-compressed by the browser.
async fn gzipped(shared: &crate::share::Shared) -> Result<Vec<Vec<u8>>, String> {
    let mut gzipped = Vec::with_capacity(shared.files.len());
    for file in &shared.files {
        gzipped.push(crate::engine::sending::gzip(&file.content).await?);
    }
    Ok(gzipped)
}

/// What the helper made of `job`, when there is one (secrets are to be taken out).
async fn redacted(
    job: Option<crate::redact::job::Job>,
) -> Result<Option<crate::redact::job::Redacted>, String> {
    match job {
        Some(job) => helper::redact(&job).await.map(Some),
        None => Ok(None),
    }
}

/// The saved-files record of a file whose traces `kept` were just kept.
fn file_record(result: &FileResult, bytes: u64, kept: Vec<String>) -> FileRecord {
    let saved_at_ms = js_sys::Date::now() as u64;
    FileRecord {
        key: file_key(
            saved_at_ms,
            (js_sys::Math::random() * f64::from(u32::MAX)) as u32,
        ),
        name: result.file.clone(),
        format: result.format.clone(),
        bytes,
        saved_at_ms,
        spans: result.spans,
        traces: kept,
    }
}

/// Opens the store, reported as a load of its own: the kept traces' records (the lists show
/// them at once) and evaluations. Spans are read when something needs them.
async fn restore(engine: &Rc<RefCell<Engine>>, database: &str) -> Option<Keeper> {
    let progress = Progress::new(RESTORE_BATCH, 0, KEPT, 0.0);
    let (keeper, opened) = match Keeper::open(engine, database).await {
        Ok(opened) => opened,
        Err(error) => {
            let message = format!("nothing will be kept after the page closes: {error}");
            progress.finish(FileResult::failed(KEPT, &message));
            return None;
        }
    };
    if opened.traces > 0 || opened.evaluations > 0 {
        progress.finish(FileResult {
            format: Some("stored".into()),
            spans: opened.spans,
            traces: opened.traces as u64,
            evaluations: opened.evaluations as u64,
            ..FileResult::empty(KEPT)
        });
    }
    Some(keeper)
}

fn post_export_failed(id: u32, message: String) {
    let file = Err(Problem::Failed(message));
    post(&FromWorker::Exported { id, file }, Some(&JsValue::NULL));
}

/// Hands the page a file the engine wrote, as a `Blob` of `media_type`.
fn post_exported(id: u32, file: ExportedFile, bytes: &[u8], media_type: &str) {
    let bytes = Uint8Array::from(bytes);
    let options = BlobPropertyBag::new();
    options.set_type(media_type);
    let blob = Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(&bytes), &options);
    let (file, blob) = match blob {
        Ok(blob) => (Ok(file), JsValue::from(blob)),
        Err(_) => (
            Err(Problem::Failed(
                "the browser could not make the file".into(),
            )),
            JsValue::NULL,
        ),
    };
    post(&FromWorker::Exported { id, file }, Some(&blob));
}

/// What a server's question cancelled before it was asked says (a list, a fetch).
pub(super) const CANCELLED: &str = "the server's question was cancelled";

/// What a fetch of traces `ids` from the server connected to as `source` is shown as.
fn fetched_name(source: &str, ids: &[String]) -> String {
    format!("{source}: {}", ids.join(", "))
}
