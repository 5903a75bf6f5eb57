//! Fetching from a server natively (the CLI's `plume fetch`), with a blocking HTTP client
//! (ureq, native only): a project's (or service's) newest traces, or the ones named, each
//! answer read into one arena as a dropped file is.

use crate::ingest::{self, FileReport};
use crate::model::Arena;
use crate::sources::phoenix::{self, Annotated, TraceQuery};
use crate::sources::{Server, ServerKind, jaeger, problem, tempo, zipkin};

/// The largest answer read (a page of 1,000 spans is a few MB).
const MAX_BODY: u64 = 512 * 1024 * 1024;

/// What to fetch.
#[derive(Clone, Debug)]
pub struct Fetch {
    /// From where.
    pub server: Server,
    /// Headers sent with every request (`Authorization: Bearer …`).
    pub headers: Vec<(String, String)>,
    /// Which project (a Jaeger or Zipkin service), filtered how (Phoenix only), from when.
    pub query: TraceQuery,
    /// These traces (hex ids), else the project's newest.
    pub traces: Vec<String>,
    /// At most this many of the newest traces.
    pub limit: usize,
}

/// What was fetched.
pub struct Fetched {
    /// The spans, as read.
    pub arena: Arena,
    /// Each page's report.
    pub reports: Vec<FileReport>,
    /// The trace ids asked for (or, from a search that answers with whole traces, found).
    pub traces: Vec<String>,
}

/// Asks for page after page: `page` is given each page's cursor (none for the first) and answers
/// the next page's, if there is one to ask for.
fn each_page(
    mut page: impl FnMut(Option<&str>) -> Result<Option<String>, String>,
) -> Result<(), String> {
    let mut cursor: Option<String> = None;
    loop {
        cursor = page(cursor.as_deref())?.filter(|next| !next.is_empty());
        if cursor.is_none() {
            return Ok(());
        }
    }
}

/// Fetches `request`.
pub fn fetch(request: &Fetch) -> Result<Fetched, String> {
    match request.server.kind {
        ServerKind::Phoenix => fetch_phoenix(request),
        ServerKind::Jaeger | ServerKind::Zipkin => fetch_whole_traces(request),
        ServerKind::Tempo => fetch_tempo(request),
    }
}

/// From Tempo: the traces a TraceQL search found (or those named), one by one.
fn fetch_tempo(request: &Fetch) -> Result<Fetched, String> {
    let get = |path: &str| get(&request.server.base, path, &request.headers);
    let traces = match request.traces.is_empty() {
        false => request.traces.clone(),
        true => {
            let traceql = request.query.filter.as_deref().unwrap_or("{}");
            let path = tempo::search(traceql, request.limit, since(request)?, now_nanos());
            tempo::read_search(&get(&path)?)?
        }
    };
    let mut arena = Arena::default();
    let mut reports = Vec::new();
    for id in &traces {
        let path = tempo::trace(id);
        let document = tempo::unwrap_trace(&get(&path)?)?;
        let name = format!("{}{path}", request.server.base);
        reports.push(ingest::load(&mut arena, &name, &document));
    }
    Ok(Fetched {
        arena,
        reports,
        traces,
    })
}

/// `--since` as ns since the epoch.
fn since(request: &Fetch) -> Result<Option<u64>, String> {
    match &request.query.since {
        Some(text) => crate::model::parse_rfc3339_nanos(text)
            .map(Some)
            .ok_or_else(|| format!("--since “{text}” is not an ISO 8601 time")),
        None => Ok(None),
    }
}

fn now_nanos() -> u64 {
    // Natively (this module is not in the browser's build), where the clock is there to read.
    #[expect(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| d.as_nanos() as u64)
}

/// From Jaeger or Zipkin: their search answers with whole traces, as does a trace by id. Jaeger
/// is asked through API v3 when it offers it (its services list answers), else through v1.
fn fetch_whole_traces(request: &Fetch) -> Result<Fetched, String> {
    let kind = request.server.kind;
    if request.query.filter.is_some() {
        return Err(format!(
            "{kind:?} takes no filter Plume can send: name a service with --project, or traces with --trace"
        ));
    }
    let (since, now) = (since(request)?, now_nanos());
    let v3 = kind == ServerKind::Jaeger && offers_v3(request)?;
    let service = &request.query.project;
    let by_id = |id: &String| match (kind, v3) {
        (ServerKind::Jaeger, true) => jaeger::trace_v3(id),
        (ServerKind::Jaeger, false) => jaeger::trace(id),
        _ => zipkin::trace(id),
    };
    let paths: Vec<String> = match (request.traces.is_empty(), kind, v3) {
        (false, ..) => request.traces.iter().map(by_id).collect(),
        (true, ServerKind::Jaeger, true) => {
            vec![jaeger::traces_v3(service, request.limit, since, now)]
        }
        (true, ServerKind::Jaeger, false) => vec![jaeger::traces(service, request.limit, since)],
        (true, ..) => vec![zipkin::traces(service, request.limit, since, now)],
    };
    let mut arena = Arena::default();
    let mut reports = Vec::new();
    for path in paths {
        let body = get(&request.server.base, &path, &request.headers)?;
        let body = if v3 { jaeger::unwrap_v3(&body)? } else { body };
        let name = format!("{}{path}", request.server.base);
        reports.push(ingest::load(&mut arena, &name, &body));
    }
    let mut traces: Vec<String> = (arena.spans().iter())
        .map(|span| span.trace_id.to_string())
        .collect();
    traces.sort_unstable();
    traces.dedup();
    Ok(Fetched {
        arena,
        reports,
        traces: if request.traces.is_empty() {
            traces
        } else {
            request.traces.clone()
        },
    })
}

/// Whether a Jaeger server offers API v3: its services list answers there (404: it does not).
fn offers_v3(request: &Fetch) -> Result<bool, String> {
    let server = &request.server;
    match get_answer(&server.base, &jaeger::services_v3(), &request.headers)? {
        (404, _) => Ok(false),
        _ => Ok(true),
    }
}

/// From Phoenix: the traces' ids (given, or listed newest first), then their spans and what
/// Phoenix holds on them.
fn fetch_phoenix(request: &Fetch) -> Result<Fetched, String> {
    let get = |path: &str| get(&request.server.base, path, &request.headers);
    let traces = match request.traces.is_empty() {
        false => request.traces.clone(),
        true => {
            let mut ids = Vec::new();
            // Not a request for none.
            if request.limit > 0 {
                each_page(|cursor| {
                    let (page, next) =
                        phoenix::read_traces(&get(&phoenix::traces(&request.query, cursor))?)?;
                    ids.extend(page);
                    Ok(next.filter(|_| ids.len() < request.limit))
                })?;
            }
            ids.truncate(request.limit);
            ids
        }
    };
    let mut arena = Arena::default();
    let mut reports = Vec::new();
    for chunk in traces.chunks(phoenix::TRACES_PER_REQUEST) {
        each_page(|cursor| {
            let path = phoenix::spans(&request.query.project, chunk, cursor);
            let body = get(&path)?;
            let name = format!("{}{path}", request.server.base);
            reports.push(ingest::load(&mut arena, &name, &body));
            phoenix::spans_cursor(&body)
        })?;
    }
    // What Phoenix holds on them (evaluations, people's annotations and notes) comes with them.
    let span_ids: Vec<String> = (arena.spans().iter())
        .map(|span| span.span_id.to_string())
        .collect();
    for (on, ids) in [(Annotated::Spans, &span_ids), (Annotated::Traces, &traces)] {
        for chunk in ids.chunks(phoenix::IDS_PER_REQUEST) {
            each_page(|cursor| {
                let path = phoenix::annotations(&request.query.project, on, chunk, cursor);
                let (lines, next) = phoenix::read_annotations(&get(&path)?)?;
                if !lines.is_empty() {
                    let name = format!("{}{path}", request.server.base);
                    reports.push(ingest::load(&mut arena, &name, lines.as_bytes()));
                }
                Ok(next)
            })?;
        }
    }
    Ok(Fetched {
        arena,
        reports,
        traces,
    })
}

/// The projects the server holds (Jaeger's and Zipkin's services).
pub fn projects(server: &Server, headers: &[(String, String)]) -> Result<Vec<String>, String> {
    let get = |path: &str| get(&server.base, path, headers);
    match server.kind {
        ServerKind::Phoenix => {
            let mut names = Vec::new();
            each_page(|cursor| {
                let (page, next) = phoenix::read_projects(&get(&phoenix::projects(cursor))?)?;
                names.extend(page);
                Ok(next)
            })?;
            Ok(names)
        }
        ServerKind::Jaeger => match get_answer(&server.base, &jaeger::services_v3(), headers)? {
            (200, body) => jaeger::read_services_v3(&body),
            (404, _) => jaeger::read_services(&get(&jaeger::services())?),
            (status, body) => Err(refused(&server.base, &jaeger::services_v3(), status, &body)),
        },
        ServerKind::Zipkin => zipkin::read_services(&get(&zipkin::services())?),
        ServerKind::Tempo => {
            Err("Tempo has no projects: find traces with --filter (TraceQL) -o OUT".into())
        }
    }
}

/// GETs `base` + `path`: the body of a 200, else what went wrong, in words.
fn get(base: &str, path: &str, headers: &[(String, String)]) -> Result<Vec<u8>, String> {
    match get_answer(base, path, headers)? {
        (200, body) => Ok(body),
        (status, body) => Err(refused(base, path, status, &body)),
    }
}

/// What a server's answer of `status` to `base` + `path` means, in words.
fn refused(base: &str, path: &str, status: u16, body: &[u8]) -> String {
    format!(
        "{base}{path}: {}",
        problem(status, &String::from_utf8_lossy(body))
    )
}

/// GETs `base` + `path`: the status and body of any answer; `Err` when none came.
fn get_answer(
    base: &str,
    path: &str,
    headers: &[(String, String)],
) -> Result<(u16, Vec<u8>), String> {
    let url = format!("{base}{path}");
    let mut request = ureq::get(&url).config().http_status_as_error(false).build();
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let mut response = request
        .call()
        .map_err(|error| format!("{url}: could not ask: {error}"))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|error| format!("{url}: the answer could not be read: {error}"))?;
    Ok((status, body))
}
