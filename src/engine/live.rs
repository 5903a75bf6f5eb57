//! Following the `plume serve` that served the page: its stream of server-sent events
//! (`{api}live`, read with `fetch` so that the token goes in a header, not in the URL) says
//! what it keeps each time a body is kept; the files that grew are read from where the last
//! read ended, as a job in the queue (`jobs.rs`), so a piece never lands in the middle of a load.
//!
//! The stream only says what is there: events that come while a catch-up waits in the queue
//! replace each other, so a busy server costs one read per file per catch-up, not one per body.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::ReadableStreamDefaultReader;

use crate::engine::Engine;
use crate::engine::events::EventText;
use crate::engine::messages::{Connection, FromWorker, LiveStatus};
use crate::engine::reading::{Kept, fetch, request, with_token_hint};
use crate::engine::sending::sleep;
use crate::engine::worker::post;

/// Wait before reading again what could not be read, ms.
const RETRY_MS: u64 = 1_000;

/// Longest wait before connecting again, ms.
const MOST_WAIT_MS: u64 = 10_000;

/// What the stream's reader and the queue's jobs share.
#[derive(Default)]
struct Shared {
    /// What the stream said last, not read yet.
    latest: RefCell<Option<Kept>>,
    /// A catch-up waits in the queue.
    queued: Cell<bool>,
    status: RefCell<LiveStatus>,
}

impl Shared {
    fn tell(&self) {
        post(&FromWorker::Live(self.status.borrow().clone()), None);
    }

    fn connection(&self, connection: Connection) {
        self.status.borrow_mut().connection = connection;
        self.tell();
    }
}

/// Following a `plume serve`.
pub(super) struct Live {
    api: String,
    token: Option<String>,
    /// The folder the files are in, and where the last read of each ended.
    store: Option<String>,
    read: HashMap<String, u64>,
    shared: Rc<Shared>,
    wake: Rc<dyn Fn()>,
}

impl Live {
    /// Starts following `api`, whose files were read up to `read`; `wake` queues a catch-up.
    pub(super) fn start(
        api: String,
        token: Option<String>,
        read: HashMap<String, u64>,
        wake: Rc<dyn Fn()>,
    ) -> Self {
        let shared = Rc::new(Shared::default());
        shared.tell();
        spawn_local(follow(
            format!("{api}live"),
            token.clone(),
            shared.clone(),
            wake.clone(),
        ));
        Self {
            api,
            token,
            store: None,
            read,
            shared,
            wake,
        }
    }

    /// Pauses or resumes; resumed, what came meanwhile is read at once.
    pub(super) async fn pause(&mut self, engine: &Rc<RefCell<Engine>>, paused: bool) {
        self.shared.status.borrow_mut().paused = paused;
        self.shared.tell();
        if !paused {
            self.catch_up(engine).await;
        }
    }

    /// Reads what the files the stream listed last gained since they were read.
    pub(super) async fn catch_up(&mut self, engine: &Rc<RefCell<Engine>>) {
        self.shared.queued.set(false);
        if self.shared.status.borrow().paused {
            return;
        }
        let Some(kept) = self.shared.latest.borrow_mut().take() else {
            return;
        };
        // Another folder (the server started on another store): its files are others.
        if self
            .store
            .as_ref()
            .is_some_and(|store| *store != kept.store)
        {
            self.read.clear();
        }
        self.store = Some(kept.store.clone());
        let (mut spans, mut problem, mut failed) = (0, None, false);
        for file in &kept.files {
            let mut from = self.read.get(&file.name).copied().unwrap_or(0);
            if file.bytes < from {
                // Shorter than what was read of it: not the file that was read.
                from = 0;
            }
            if file.bytes <= from {
                continue;
            }
            let url = format!("{}kept/{}?from={from}", self.api, file.name);
            match fetch(&url, self.token.as_deref()).await {
                Ok(piece) if !piece.is_empty() => {
                    let result = engine.borrow_mut().load_live(&file.name, &piece);
                    spans += result.spans;
                    problem = problem.or(result.errors.into_iter().next());
                    self.read
                        .insert(file.name.clone(), from + piece.len() as u64);
                }
                Ok(_) => {}
                Err(message) => {
                    problem = Some(with_token_hint(message));
                    failed = true;
                }
            }
        }
        if failed {
            // What could not be read is tried again shortly, even if nothing more is kept.
            self.shared.latest.borrow_mut().get_or_insert(kept);
            let (shared, wake) = (self.shared.clone(), self.wake.clone());
            spawn_local(async move {
                sleep(RETRY_MS).await;
                if !shared.queued.replace(true) {
                    wake();
                }
            });
        }
        let mut status = self.shared.status.borrow_mut();
        status.spans += spans;
        status.problem = problem;
        drop(status);
        self.shared.tell();
    }
}

/// Reads the stream for as long as the page is open, connecting again (after 1 s, then up to
/// [`MOST_WAIT_MS`]) when it is lost.
async fn follow(url: String, token: Option<String>, shared: Rc<Shared>, wake: Rc<dyn Fn()>) {
    let mut wait_ms = 1_000;
    loop {
        let lost = match request(&url, token.as_deref()).await {
            Ok(response) => {
                let lost = read_events(response, &shared, &wake).await;
                // It was open: the next loss waits as the first did.
                wait_ms = 1_000;
                lost
            }
            Err(message) => with_token_hint(message),
        };
        shared.connection(Connection::Lost(lost));
        sleep(wait_ms).await;
        wait_ms = (wait_ms * 2).min(MOST_WAIT_MS);
        shared.connection(Connection::Connecting);
    }
}

/// Reads events until the stream ends; why it ended.
async fn read_events(
    response: web_sys::Response,
    shared: &Rc<Shared>,
    wake: &Rc<dyn Fn()>,
) -> String {
    let Some(body) = response.body() else {
        return "plume serve's stream has no body".into();
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let lost = read_until_lost(&reader, shared, wake).await;
    // The connection is let go whatever ended the reading (else each retry would hold one).
    let _ = reader.cancel();
    lost
}

/// Reads events from `reader` until the stream ends or says what cannot be read; why it ended.
async fn read_until_lost(
    reader: &ReadableStreamDefaultReader,
    shared: &Rc<Shared>,
    wake: &Rc<dyn Fn()>,
) -> String {
    let mut events = EventText::default();
    loop {
        let chunk = match JsFuture::from(reader.read()).await {
            Ok(chunk) => chunk,
            Err(_) => return "the connection to plume serve was lost".into(),
        };
        let field = |key: &str| Reflect::get(&chunk, &key.into()).unwrap_or_default();
        if field("done").as_bool().unwrap_or(true) {
            return "plume serve closed the stream".into();
        }
        let bytes = field("value").unchecked_into::<Uint8Array>().to_vec();
        for (kind, data) in events.feed(&bytes) {
            match kind.as_str() {
                "kept" => match Kept::read(data.as_bytes()) {
                    Ok(kept) => {
                        *shared.latest.borrow_mut() = Some(kept);
                        if shared.status.borrow().connection != Connection::Open {
                            shared.connection(Connection::Open);
                        }
                        if !shared.queued.replace(true) {
                            wake();
                        }
                    }
                    Err(message) => return message,
                },
                "problem" => {
                    shared.status.borrow_mut().problem = Some(data);
                    shared.tell();
                }
                _ => {}
            }
        }
    }
}
