//! Plume inside other pages, in plain Rust: how a page says it embeds Plume (the frame's query),
//! which origins the frame obeys, the `#url=` links that load a file, and what the host is told
//! when what it sent has loaded. `embed/frame.rs` (wasm32) listens to the host; `docs/EMBEDDING.md`
//! is the host's side.
//!
//! The frame's query (`index.html?embed&origins=…`):
//!
//! | parameter | means |
//! |---|---|
//! | `embed` | embedded: a compact page that answers the host's messages |
//! | `origins=<o1>,<o2>` | besides the frame's own origin, the origins whose messages it obeys |
//! | `persist` | keep what is loaded in this origin's IndexedDB (embedded, the default is memory only) |
//! | `compact` | no header: the view, and a file's line only while it loads or if it had problems |
//! | `drop` | accept dropped and pasted files (embedded, the default is not to) |
//! | `delete` | offer *Delete* and *Forget all* (embedded, the default is not to) |
//! | `send` | offer *Send* to a collector (embedded, the default is not to) |
//! | `memory` | (not embedded) use no IndexedDB at all |
//!
//! What a page may do also depends on where it runs ([`PageOptions::powers`]): any page in a
//! frame counts as embedded, whatever its query says, since a page that frames Plume could
//! otherwise show, delete or add to what the user kept.

use crate::engine::protocol::FileResult;
use crate::present::route::{Route, decode};
use crate::store::{DATABASE, embedded_database};

/// How the page was asked to run, from its query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageOptions {
    /// Inside another page.
    pub embedded: bool,
    /// Uses IndexedDB: standalone unless `memory`, embedded only with `persist`.
    pub storage: bool,
    /// Shows only the view (no header, no file lines).
    pub compact: bool,
    /// Takes dropped and pasted files.
    pub drop: bool,
    /// Offers deleting traces (embedded, only when the host asks).
    pub delete: bool,
    /// Offers sending spans to a collector (embedded, only when the host asks).
    pub send: bool,
    /// Origins, besides the page's own, whose messages an embedded page obeys.
    pub origins: Vec<String>,
    /// The API of the `plume serve` that served the page (its `<meta name="plume-server">`),
    /// if one did: what it keeps is loaded from there.
    pub server: Option<String>,
    /// The token that `plume serve` asks for (`token=`, as the address it prints gives it),
    /// held in memory only.
    pub server_token: Option<String>,
}

/// Where the page runs, as the browser tells it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Framing {
    /// Inside a frame of another page.
    pub framed: bool,
    /// The origins of the pages it is framed in (`location.ancestorOrigins`); `None` where the
    /// browser does not say (Firefox).
    pub ancestors: Option<Vec<String>>,
}

/// What the page may do, given how it was asked to run and where it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Powers {
    /// The IndexedDB database it lists, shows and adds to, if any.
    pub database: Option<String>,
    /// Remembers settings (theme, saving, a collector's address) in `localStorage`.
    pub settings: bool,
    /// Offers *Delete* and *Forget all*.
    pub delete: bool,
    /// Offers *Send*.
    pub send: bool,
}

impl PageOptions {
    /// Reads a query string (`?a&b=c`, with or without the `?`).
    pub fn from_query(query: &str) -> Self {
        let pairs: Vec<(&str, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) => (key, decode(&value.replace('+', " "))),
                None => (pair, String::new()),
            })
            .collect();
        let has = |key: &str| pairs.iter().any(|(k, _)| *k == key);
        let embedded = has("embed");
        Self {
            embedded,
            storage: if embedded {
                has("persist")
            } else {
                !has("memory")
            },
            compact: has("compact"),
            drop: !embedded || has("drop"),
            delete: !embedded || has("delete"),
            send: !embedded || has("send"),
            origins: pairs
                .iter()
                .filter(|(k, _)| *k == "origins")
                .flat_map(|(_, v)| v.split(','))
                .map(|origin| origin.trim().trim_end_matches('/').to_owned())
                .filter(|origin| !origin.is_empty())
                .collect(),
            server: None,
            server_token: pairs
                .iter()
                .find(|(k, v)| *k == "token" && !v.is_empty())
                .map(|(_, v)| v.clone()),
        }
    }

    /// `query` without its `token=`: what the address bar keeps once the page has read the
    /// token, so that it is not left on the screen, in the history or in a copied link.
    pub fn without_token(query: &str) -> String {
        let kept: Vec<&str> = (query.trim_start_matches('?').split('&'))
            .filter(|pair| !pair.is_empty() && *pair != "token" && !pair.starts_with("token="))
            .collect();
        match kept.is_empty() {
            true => String::new(),
            false => format!("?{}", kept.join("&")),
        }
    }

    /// These options on a share file's page ([`crate::share`]): nothing written to the browser's
    /// storage until the user keeps what it holds, and nothing sent (its policy allows no
    /// connection).
    pub fn in_share_file(mut self) -> Self {
        self.storage = false;
        self.send = false;
        self.server = None;
        self
    }

    /// These options on a page served by a `plume serve` whose API is at `api`: the server is
    /// the store, so the page keeps nothing in the browser.
    pub fn served_by(mut self, api: Option<String>) -> Self {
        if api.is_some() {
            self.storage = false;
        }
        self.server = api;
        self
    }

    /// What a page of origin `own`, run with these options, may do where it runs. Unframed, what
    /// the query says. Framed, it is embedded whatever the query says: storage only with `embed`
    /// and `persist`, only if every page it is framed in is of its own origin or a listed one
    /// (where the browser does not say which, none), and then in a database of those origins',
    /// never the user's own; no `localStorage`; deleting and sending only when the host asks.
    pub fn powers(&self, own: &str, framing: &Framing) -> Powers {
        if !framing.framed {
            return Powers {
                database: self.storage.then(|| DATABASE.to_owned()),
                settings: self.storage && !self.embedded,
                delete: self.delete,
                send: self.send,
            };
        }
        let trusted_ancestors = framing
            .ancestors
            .as_ref()
            .filter(|origins| origins.iter().all(|origin| self.obeys(origin, own)));
        Powers {
            database: trusted_ancestors
                .filter(|_| self.embedded && self.storage)
                .map(|origins| embedded_database(origins)),
            settings: false,
            delete: self.embedded && self.delete,
            send: self.embedded && self.send,
        }
    }

    /// Whether a message from `origin` is obeyed by a page of origin `own`: the page's own
    /// origin, or one its host listed. An opaque origin (`null`) never is.
    pub fn obeys(&self, origin: &str, own: &str) -> bool {
        origin != "null" && (origin == own || self.origins.iter().any(|o| o == origin))
    }
}

/// A trace file the URL's fragment asks for: `#url=<encoded>&trace=<id>&span=<id>&title=<text>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedFile {
    /// Where the file is (absolute, or relative to the page).
    pub url: String,
    /// The trace to show once it has loaded.
    pub trace: Option<String>,
    /// The span to select in it.
    pub span: Option<String>,
    /// A title for the page.
    pub title: Option<String>,
}

impl LinkedFile {
    /// Reads a fragment (with or without the `#`); `None` unless it has a `url`.
    pub fn from_fragment(fragment: &str) -> Option<Self> {
        let mut file = Self {
            url: String::new(),
            trace: None,
            span: None,
            title: None,
        };
        for pair in fragment.trim_start_matches('#').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = Some(decode(value)).filter(|v| !v.is_empty());
            match key {
                "url" => file.url = value.unwrap_or_default(),
                "trace" => file.trace = value,
                "span" => file.span = value,
                "title" => file.title = value,
                _ => {}
            }
        }
        (!file.url.is_empty()).then_some(file)
    }

    /// The file's name.
    pub fn name(&self) -> String {
        file_name(&self.url)
    }

    /// Where to go once the file has loaded: its trace (and span) if it named one.
    pub fn route(&self) -> Option<Route> {
        Some(Route::Trace {
            trace_id: self.trace.clone()?,
            span_id: self.span.clone(),
            search: None,
        })
    }
}

/// The name of the file at `url`: the last segment of its path (the URL itself if none).
pub fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    match path.trim_end_matches('/').rsplit('/').next() {
        Some(name) if !name.is_empty() && !name.contains(':') => decode(name),
        _ => url.to_owned(),
    }
}

/// Whether a link or a host may have the page fetch `url`: `http:`, `https:` and `data:` URLs,
/// and URLs relative to the page. Any other scheme (`file:`, `blob:`, `javascript:`…) is
/// refused, with why.
pub fn fetchable(url: &str) -> Result<(), String> {
    let scheme = url
        .split_once(':')
        .map(|(scheme, _)| scheme)
        .filter(|scheme| {
            let mut chars = scheme.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        });
    match scheme.map(str::to_ascii_lowercase).as_deref() {
        None | Some("http" | "https" | "data") => Ok(()),
        Some(other) => Err(format!(
            "{url}: only http:, https: and data: URLs are loaded, not {other}:"
        )),
    }
}

/// A message's fields, however it is held (a JavaScript object in the page; JSON in tests and
/// fuzzing): what [`Instruction::read`] needs of it.
pub trait MessageFields {
    /// The text at `key` (of the object at `within`, if given); `None` unless it is a string.
    fn text(&self, within: Option<&str>, key: &str) -> Option<String>;
    /// Whether `key` holds bytes (an `ArrayBuffer` or a typed array).
    fn has_bytes(&self, key: &str) -> bool;
}

/// A message as JSON (tests and fuzzing): an array stands for bytes.
impl MessageFields for serde_json::Value {
    fn text(&self, within: Option<&str>, key: &str) -> Option<String> {
        let object = match within {
            Some(within) => self.get(within)?,
            None => self,
        };
        object.get(key)?.as_str().map(str::to_owned)
    }

    fn has_bytes(&self, key: &str) -> bool {
        self.get(key).is_some_and(serde_json::Value::is_array)
    }
}

/// What a host asks the frame to load; `B` is how its bytes are held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Load<B> {
    /// A file's bytes.
    Bytes(B),
    /// A file's text.
    Text(String),
    /// A file at a URL, fetched by the frame.
    Url(String),
}

/// One `{plume: {…}}` message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction<B> {
    /// Something to load, and its name.
    pub load: Option<(Load<B>, String)>,
    /// The trace (and span) to show, once the load (if any) is done.
    pub select: Option<Route>,
    /// A title for the view.
    pub title: Option<String>,
    /// `light`, `dark` or `system`.
    pub theme: Option<String>,
}

impl<B> Instruction<B> {
    /// Reads the object under a message's `plume` key: `buffer` (taken by `bytes`), else
    /// `text`, else `url` (made absolute by `resolve`), named by `fileName`; `select`, `title`,
    /// `theme`. Empty strings count as absent; fields of the wrong type are ignored.
    pub fn read(
        plume: &impl MessageFields,
        bytes: impl FnOnce() -> B,
        resolve: impl FnOnce(&str) -> String,
    ) -> Self {
        let text = |key: &str| plume.text(None, key).filter(|s| !s.is_empty());
        let name = text("fileName");
        let load = if plume.has_bytes("buffer") {
            Some((
                Load::Bytes(bytes()),
                name.unwrap_or_else(|| "trace file".into()),
            ))
        } else if let Some(body) = plume.text(None, "text") {
            Some((
                Load::Text(body),
                name.unwrap_or_else(|| "trace.json".into()),
            ))
        } else {
            text("url").map(|url| {
                let absolute = resolve(&url);
                let name = name.unwrap_or_else(|| file_name(&absolute));
                (Load::Url(absolute), name)
            })
        };
        let selected = |key: &str| plume.text(Some("select"), key).filter(|s| !s.is_empty());
        Self {
            load,
            select: selected("traceId").map(|trace_id| Route::Trace {
                trace_id,
                span_id: selected("spanId"),
                search: None,
            }),
            title: text("title"),
            theme: text("theme"),
        }
    }
}

/// What a load the host asked for came to: what `{plume: {loaded}}` tells it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    /// Spans read.
    pub spans: u64,
    /// Traces they belong to.
    pub traces: u64,
    /// Problems that lost data.
    pub errors: u64,
}

/// The loads a host asked for, by batch, until each is done: then the host hears what it came
/// to, and the page goes where the host asked.
#[derive(Debug, Default)]
pub struct HostLoads {
    batches: Vec<(u32, Loaded, Option<Route>)>,
}

impl HostLoads {
    /// A batch the host asked for; `then` is where to go once it is done.
    pub fn start(&mut self, batch: u32, then: Option<Route>) {
        self.batches.push((batch, Loaded::default(), then));
    }

    /// A file of a batch is done.
    pub fn file_done(&mut self, batch: u32, result: &FileResult) {
        if let Some((_, loaded, _)) = self.batches.iter_mut().find(|(b, ..)| *b == batch) {
            loaded.spans += result.spans;
            loaded.traces += result.traces;
            loaded.errors += result.errors.len() as u64;
        }
    }

    /// A batch is done: what it came to and where to go, if it was the host's.
    pub fn batch_done(&mut self, batch: u32) -> Option<(Loaded, Option<Route>)> {
        let position = self.batches.iter().position(|(b, ..)| *b == batch)?;
        let (_, loaded, then) = self.batches.remove(position);
        Some((loaded, then))
    }
}

#[cfg(target_arch = "wasm32")]
pub mod frame;

#[cfg(test)]
mod tests;
