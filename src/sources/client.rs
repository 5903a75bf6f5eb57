//! What to ask a server, in which order, and what its answers hold — written once for both
//! askers: the command line's blocking client (`sources::fetch`) and the helper worker, which
//! asks with the browser's `fetch` (`sources::browser`). Each asks through [`Http`]; what comes
//! back that is spans is handed on as files (a name and the bytes), which each side reads as a
//! dropped file.

use std::future::Future;

use super::phoenix::{self, Annotated};
use super::{RemoteTrace, Search, Server, ServerKind, jaeger, problem, tempo, zipkin};

/// How a server is asked: a GET of a path under its base URL.
pub trait Http {
    /// The server asked.
    fn server(&self) -> &Server;

    /// GETs `path` (under the server's base), asking for an answer of the type `accept` names:
    /// the status and body of any answer; `Err` when none came (in words, for a person).
    fn get_answer(
        &self,
        path: &str,
        accept: &str,
    ) -> impl Future<Output = Result<(u16, Vec<u8>), String>>;
}

/// The answers asked for, unless a server offers better.
pub const JSON: &str = "application/json";

/// A file a server's answer is: where it came from, and the bytes to read.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct File {
    /// The URL it came from (what the page shows spans as loaded from).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A page of a server's traces.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listed {
    /// The traces, as the server describes them (Phoenix and Tempo).
    pub traces: Vec<RemoteTrace>,
    /// Where the next page starts, if there is one (Phoenix).
    pub next: Option<String>,
    /// Whole traces, when the server's search answers with them (Jaeger, Zipkin): files to read.
    pub files: Vec<File>,
    /// The operations of the service searched (Jaeger's; Zipkin's span names).
    pub operations: Vec<String>,
}

/// Asks for page after page: `page` is given each page's cursor (none for the first) and answers
/// the next page's, if there is one to ask for.
async fn each_page(
    first: Option<String>,
    mut page: impl AsyncFnMut(Option<&str>) -> Result<Option<String>, String>,
) -> Result<(), String> {
    let mut cursor = first;
    loop {
        cursor = page(cursor.as_deref())
            .await?
            .filter(|next| !next.is_empty());
        if cursor.is_none() {
            return Ok(());
        }
    }
}

/// GETs `path` as JSON: the body of a 200, else what went wrong, in words.
pub async fn get(http: &impl Http, path: &str) -> Result<Vec<u8>, String> {
    get_as(http, path, JSON).await
}

/// GETs `path` as `accept`: the body of a 200, else what went wrong, in words.
async fn get_as(http: &impl Http, path: &str, accept: &str) -> Result<Vec<u8>, String> {
    match http.get_answer(path, accept).await? {
        (200, body) => Ok(body),
        (status, body) => Err(refused(http.server(), path, status, &body)),
    }
}

/// What a server's answer of `status` to `path` means, in words.
fn refused(server: &Server, path: &str, status: u16, body: &[u8]) -> String {
    format!(
        "{}{path}: {}",
        server.base,
        problem(status, &String::from_utf8_lossy(body))
    )
}

/// The projects the server holds (Jaeger's and Zipkin's services; Tempo has none).
pub async fn projects(http: &impl Http) -> Result<Vec<String>, String> {
    match http.server().kind {
        ServerKind::Phoenix => {
            let mut names = Vec::new();
            each_page(None, async |cursor| {
                let body = get(http, &phoenix::projects(cursor)).await?;
                let (page, next) = phoenix::read_projects(&body)?;
                names.extend(page);
                Ok(next)
            })
            .await?;
            Ok(names)
        }
        ServerKind::Jaeger => match offers_v3(http).await? {
            Some(body) => jaeger::read_services_v3(&body),
            None => jaeger::read_names(&get(http, &jaeger::services()).await?),
        },
        ServerKind::Zipkin => zipkin::read_names(&get(http, &zipkin::services()).await?),
        ServerKind::Tempo => Ok(Vec::new()),
    }
}

/// Jaeger's services list from API v3, if it offers that API (404: it does not).
async fn offers_v3(http: &impl Http) -> Result<Option<Vec<u8>>, String> {
    let path = jaeger::services_v3();
    match http.get_answer(&path, JSON).await? {
        (200, body) => Ok(Some(body)),
        (404, _) => Ok(None),
        (status, body) => Err(refused(http.server(), &path, status, &body)),
    }
}

/// A page of the traces `search` names, newest first, at most `limit`, from `cursor`
/// (Phoenix's) on; `now_nanos` ends a time range that `search.since` starts and no
/// `search.until` ends. Each server evaluates the search's filter itself (see [`Search`]);
/// Jaeger and Zipkin answer with whole traces, and the service's operations come with them.
pub async fn list(
    http: &impl Http,
    search: &Search,
    limit: usize,
    cursor: Option<&str>,
    now_nanos: u64,
) -> Result<Listed, String> {
    let kind = http.server().kind;
    let time = |text: &Option<String>| match text {
        Some(text) => crate::model::parse_rfc3339_nanos(text)
            .map(Some)
            .ok_or_else(|| format!("“{text}” is not an ISO 8601 time")),
        None => Ok(None),
    };
    let (since, until) = (time(&search.since)?, time(&search.until)?);
    if let (Some(since), Some(until)) = (since, until)
        && until <= since
    {
        return Err("the time range ends before it starts: nothing is in it".into());
    }
    // Where the range ends: its end, else now.
    let end = until.unwrap_or(now_nanos);
    match kind {
        ServerKind::Phoenix => {
            let (mut traces, mut last) = (Vec::new(), None);
            // Not a request for none.
            if limit > 0 {
                each_page(cursor.map(str::to_owned), async |cursor| {
                    let asked = limit - traces.len();
                    let body = get(http, &phoenix::traces(search, asked, cursor)).await?;
                    let (page, next) = phoenix::read_traces(&body)?;
                    traces.extend(page);
                    last = next.clone();
                    Ok(next.filter(|_| traces.len() < limit))
                })
                .await?;
            }
            Ok(Listed {
                traces,
                next: last.filter(|next| !next.is_empty()),
                ..Listed::default()
            })
        }
        ServerKind::Tempo => {
            let filter = search.given_filter();
            let range = (since.is_some() || until.is_some()).then_some((since, end));
            let path = tempo::search(filter.unwrap_or("{}"), limit, range);
            Ok(Listed {
                traces: tempo::read_search(&get(http, &path).await?)?,
                ..Listed::default()
            })
        }
        ServerKind::Jaeger | ServerKind::Zipkin => {
            let service = &search.project;
            let (path, operations, v3) = match kind {
                ServerKind::Jaeger => match offers_v3(http).await?.is_some() {
                    true => {
                        let path = jaeger::traces_v3(search, limit, since, end)?;
                        (path, jaeger::operations_v3(service), true)
                    }
                    false => {
                        let path = jaeger::traces(search, limit, since, until)?;
                        (path, jaeger::operations(service), false)
                    }
                },
                _ => {
                    let path = zipkin::traces(search, limit, since, end);
                    (path, zipkin::span_names(service), false)
                }
            };
            let files = match http.get_answer(&path, JSON).await? {
                // API v3 says that a search found nothing with a 404.
                (404, _) if v3 => Vec::new(),
                (200, body) => vec![File {
                    name: format!("{}{path}", http.server().base),
                    bytes: if v3 { jaeger::unwrap_v3(&body)? } else { body },
                }],
                (status, body) => return Err(refused(http.server(), &path, status, &body)),
            };
            // Offered to search by: a server that does not list them still lists its traces.
            let operations = get(http, &operations).await.and_then(|body| match kind {
                ServerKind::Jaeger if v3 => jaeger::read_operations_v3(&body),
                ServerKind::Jaeger => jaeger::read_names(&body),
                _ => zipkin::read_names(&body),
            });
            Ok(Listed {
                files,
                operations: operations.unwrap_or_default(),
                ..Listed::default()
            })
        }
    }
}

/// The traces `ids` of `project` (Phoenix's; the others need none), whole, as files: each
/// answer handed to `file` as it comes, then (Phoenix) what Phoenix holds on them — evaluations,
/// people's annotations and notes — as JSON Lines.
pub async fn traces(
    http: &impl Http,
    project: &str,
    ids: &[String],
    file: &mut dyn FnMut(File),
) -> Result<(), String> {
    let kind = http.server().kind;
    if ids.is_empty() {
        return Ok(());
    }
    if kind == ServerKind::Phoenix {
        return phoenix_traces(http, project, ids, file).await;
    }
    let v3 = kind == ServerKind::Jaeger && offers_v3(http).await?.is_some();
    for id in ids {
        let path = match kind {
            ServerKind::Tempo => tempo::trace(id),
            ServerKind::Jaeger if v3 => jaeger::trace_v3(id),
            ServerKind::Jaeger => jaeger::trace(id),
            _ => zipkin::trace(id),
        };
        // Tempo answers a trace as protobuf when asked to (smaller, and read faster).
        let accept = if kind == ServerKind::Tempo {
            tempo::PROTOBUF
        } else {
            JSON
        };
        let body = get_as(http, &path, accept).await?;
        // Tempo's and Jaeger 2's answers wrap the OTLP document the file is.
        let bytes = match kind {
            ServerKind::Tempo => tempo::unwrap_trace(&body)?,
            ServerKind::Jaeger if v3 => jaeger::unwrap_v3(&body)?,
            _ => body,
        };
        let name = format!("{}{path}", http.server().base);
        file(File { name, bytes });
    }
    Ok(())
}

/// Phoenix's spans of `ids`, page by page, then the annotations on those spans and traces.
async fn phoenix_traces(
    http: &impl Http,
    project: &str,
    ids: &[String],
    file: &mut dyn FnMut(File),
) -> Result<(), String> {
    let base = http.server().base.clone();
    let (mut span_ids, mut first) = (Vec::new(), true);
    for chunk in ids.chunks(phoenix::TRACES_PER_REQUEST) {
        each_page(None, async |cursor| {
            let path = phoenix::spans(project, chunk, cursor, std::mem::take(&mut first));
            let bytes = get(http, &path).await?;
            span_ids.extend(phoenix::span_ids(&bytes)?);
            let next = phoenix::spans_cursor(&bytes)?;
            let name = format!("{base}{path}");
            file(File { name, bytes });
            Ok(next)
        })
        .await?;
    }
    for (on, ids) in [(Annotated::Spans, &span_ids[..]), (Annotated::Traces, ids)] {
        for chunk in ids.chunks(phoenix::IDS_PER_REQUEST) {
            each_page(None, async |cursor| {
                let path = phoenix::annotations(project, on, chunk, cursor);
                let (lines, next) = phoenix::read_annotations(&get(http, &path).await?)?;
                if !lines.is_empty() {
                    let name = format!("{base}{path}");
                    let bytes = lines.into_bytes();
                    file(File { name, bytes });
                }
                Ok(next)
            })
            .await?;
        }
    }
    Ok(())
}
