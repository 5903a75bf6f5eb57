//! Fetching from a server natively (the CLI's `plume fetch`), with a blocking HTTP client
//! (ureq, native only): a project's (or service's) newest traces, or the ones named, each
//! answer read into one arena as a dropped file is.

use std::task::{Context, Poll, Waker};

use crate::ingest::{self, FileReport};
use crate::model::Arena;
use crate::sources::{Search, Server, ServerKind, client};

/// The largest answer read (a page of 1,000 spans is a few MB).
const MAX_BODY: u64 = 512 * 1024 * 1024;

/// What to fetch.
#[derive(Clone, Debug)]
pub struct Fetch {
    /// From where.
    pub server: Server,
    /// Headers sent with every request (`Authorization: Bearer …`).
    pub headers: Vec<(String, String)>,
    /// Which project (a Jaeger or Zipkin service), operation, filtered how, from when.
    pub search: Search,
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

/// Fetches `request`.
pub fn fetch(request: &Fetch) -> Result<Fetched, String> {
    let http = Blocking {
        server: &request.server,
        headers: &request.headers,
    };
    let mut arena = Arena::default();
    let mut reports = Vec::new();
    let mut read = |file: client::File| {
        reports.push(ingest::load(&mut arena, &file.name, &file.bytes));
    };
    let traces = match request.traces.is_empty() {
        false => {
            let project = &request.search.project;
            now(client::traces(&http, project, &request.traces, &mut read))?;
            request.traces.clone()
        }
        true => {
            let listed = now(client::list(
                &http,
                &request.search,
                request.limit,
                None,
                now_nanos(),
            ))?;
            // Jaeger's and Zipkin's searches answer with whole traces.
            listed.files.into_iter().for_each(&mut read);
            let mut ids: Vec<String> = listed.traces.into_iter().map(|t| t.id).collect();
            ids.truncate(request.limit);
            now(client::traces(
                &http,
                &request.search.project,
                &ids,
                &mut read,
            ))?;
            ids
        }
    };
    // A search that answered with whole traces names them by what was read.
    let traces = match traces.is_empty() {
        true => {
            let mut found: Vec<String> = (arena.spans().iter())
                .map(|span| span.trace_id.to_string())
                .collect();
            found.sort_unstable();
            found.dedup();
            found
        }
        false => traces,
    };
    Ok(Fetched {
        arena,
        reports,
        traces,
    })
}

fn now_nanos() -> u64 {
    // Natively (this module is not in the browser's build), where the clock is there to read.
    #[expect(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| d.as_nanos() as u64)
}

/// The projects the server holds (Jaeger's and Zipkin's services).
pub fn projects(server: &Server, headers: &[(String, String)]) -> Result<Vec<String>, String> {
    if server.kind == ServerKind::Tempo {
        return Err("Tempo has no projects: find traces with --filter (TraceQL) -o OUT".into());
    }
    now(client::projects(&Blocking { server, headers }))
}

/// `future`'s output: the blocking client's futures are ready when first polled (each GET
/// blocks inside it), so one poll finishes them.
fn now<T>(future: impl Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// A server asked with ureq, blocking.
struct Blocking<'a> {
    server: &'a Server,
    headers: &'a [(String, String)],
}

impl client::Http for Blocking<'_> {
    fn server(&self) -> &Server {
        self.server
    }

    async fn get_answer(&self, path: &str, accept: &str) -> Result<(u16, Vec<u8>), String> {
        let url = format!("{}{path}", self.server.base);
        let mut request =
            (ureq::get(&url).config().http_status_as_error(false).build()).header("Accept", accept);
        for (name, value) in self.headers {
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
}
