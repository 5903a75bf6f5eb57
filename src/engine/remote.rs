//! Servers connected to, asked from the worker with the browser's `fetch` (`sources::client`
//! decides what to ask and reads the answers): their projects, a page of their traces, and
//! traces opened whole into the engine like a dropped file (held until the user keeps them).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, Headers, RequestCredentials, RequestInit};

use crate::engine::Engine;
use crate::engine::protocol::{Response, SourceQuery, SourceTraces};
use crate::engine::reading::{self, Progress};
use crate::sources::client::{self, File, Http};
use crate::sources::phoenix::TraceQuery;
use crate::sources::{Connection, Server, unreachable};

/// A connection asked with the browser's `fetch`.
struct Browser {
    connection: Connection,
}

impl Http for Browser {
    fn server(&self) -> &Server {
        &self.connection.server
    }

    async fn get_answer(&self, path: &str) -> Result<(u16, Vec<u8>), String> {
        let server = &self.connection.server;
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        // Without cookies: the key, if any, is what the user gave for this server.
        let init = RequestInit::new();
        init.set_credentials(RequestCredentials::Omit);
        let headers = Headers::new().map_err(|_| "no headers".to_owned())?;
        for (name, value) in self.connection.headers() {
            let _ = headers.set(&name, &value);
        }
        init.set_headers(&headers);
        let url = format!("{}{path}", server.base);
        let answer = JsFuture::from(scope.fetch_with_str_and_init(&url, &init)).await;
        let Some(response) = answer
            .ok()
            .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
        else {
            let origin = scope.origin();
            return Err(unreachable(server.kind, &server.base, &origin));
        };
        let body = match response.array_buffer() {
            Ok(promise) => JsFuture::from(promise).await,
            Err(error) => Err(error),
        };
        let body = body.map_err(|_| format!("{url}: the answer could not be read"))?;
        Ok((response.status(), Uint8Array::new(&body).to_vec()))
    }
}

/// The connection named `source`, or why there is none.
fn connect(engine: &Rc<RefCell<Engine>>, source: &str) -> Result<Browser, String> {
    match engine.borrow().connection(source) {
        Some(connection) => Ok(Browser {
            connection: connection.clone(),
        }),
        None => Err(format!(
            "no server is connected as “{source}”: connect it again"
        )),
    }
}

/// The projects (services) of the server connected to as `source`.
pub(super) async fn projects(engine: &Rc<RefCell<Engine>>, source: &str) -> Response {
    let projects = match connect(engine, source) {
        Ok(http) => client::projects(&http).await,
        Err(problem) => Err(problem),
    };
    match projects {
        Ok(projects) => Response::SourceProjects(projects),
        Err(problem) => Response::Failed(problem),
    }
}

/// A page of the traces of the server connected to as `source`. Jaeger and Zipkin answer a
/// search with whole traces: those are read into an engine of their own to be described, and
/// fetched again by id when opened.
pub(super) async fn traces(
    engine: &Rc<RefCell<Engine>>,
    source: &str,
    query: &SourceQuery,
    cursor: Option<String>,
) -> Response {
    let listed = match connect(engine, source) {
        Ok(http) => {
            let asked = TraceQuery {
                project: query.project.clone(),
                filter: Some(query.filter.clone()),
                since: query.since.clone(),
            };
            let limit = query.limit as usize;
            let now = js_sys::Date::now() as u64 * 1_000_000;
            client::list(&http, &asked, limit, cursor.as_deref(), now).await
        }
        Err(problem) => Err(problem),
    };
    let listed = match listed {
        Ok(listed) => listed,
        Err(problem) => return Response::Failed(problem),
    };
    let mut traces = listed.traces;
    if !listed.files.is_empty() {
        let scratch = Rc::new(RefCell::new(Engine::default()));
        for file in listed.files {
            let mut progress = Progress::new(0, 0, &file.name, 0.0);
            let result = reading::parse(&scratch, &mut progress, file.bytes, true).await;
            if let Some(error) = result.errors.first() {
                return Response::Failed(error.clone());
            }
        }
        traces = scratch.borrow().remote_traces();
        traces.sort_by_key(|trace| std::cmp::Reverse(trace.start_ns));
    }
    Response::SourceTraces(Box::new(SourceTraces {
        traces,
        next: listed.next,
        loaded: false,
    }))
}

/// Traces `ids` of `project`, whole, from the server connected to as `source`: the files its
/// answers are, in order.
pub(super) async fn fetch(
    engine: &Rc<RefCell<Engine>>,
    source: &str,
    project: &str,
    ids: &[String],
) -> Result<Vec<File>, String> {
    let http = connect(engine, source)?;
    let mut files = Vec::new();
    client::traces(&http, project, ids, &mut |file: File| files.push(file)).await?;
    Ok(files)
}
