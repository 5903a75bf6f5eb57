//! `plume serve`'s HTTP listener: OTLP/HTTP export requests (`POST /v1/traces`, `/v1/logs`)
//! answered by [`receive`](super::receive) and kept by [`Disk`] before the answer goes, and the
//! viewer's files. What cannot keep up is told to come back (503 with `Retry-After`): at most
//! [`IN_FLIGHT`] requests are held at once, so memory stays bounded whatever is sent.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::Semaphore;

use crate::serve::disk::{Disk, Signal};
use crate::serve::receive::{Reply, receive};

/// Requests held at once; past them a sender hears 503 and retries.
pub const IN_FLIGHT: usize = 32;

/// How `plume serve` runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The address to listen on.
    pub address: SocketAddr,
    /// Where the viewer's built files are (`dist/`).
    pub page: PathBuf,
    /// A request's largest body, expanded.
    pub max_body: usize,
    /// A token every receiver asks for (`Authorization: Bearer …`), if set.
    pub token: Option<String>,
}

struct Shared {
    disk: Mutex<Disk>,
    page: PathBuf,
    max_body: usize,
    token: Option<String>,
    permits: Semaphore,
}

/// The listener's routes over `disk`.
pub fn router(disk: Disk, options: &Options) -> Router {
    let shared = Arc::new(Shared {
        disk: Mutex::new(disk),
        page: options.page.clone(),
        max_body: options.max_body,
        token: options.token.clone(),
        permits: Semaphore::new(IN_FLIGHT),
    });
    Router::new()
        .route("/v1/traces", post(traces))
        .route("/v1/logs", post(logs))
        .fallback(page)
        // A compressed body may expand to `max_body`; what arrives is limited to as much.
        .layer(DefaultBodyLimit::max(options.max_body))
        .with_state(shared)
}

/// Serves until the process ends.
pub async fn run(disk: Disk, options: Options) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(options.address).await?;
    axum::serve(listener, router(disk, &options)).await
}

async fn traces(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    export(shared, Signal::Traces, headers, body).await
}

async fn logs(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    export(shared, Signal::Logs, headers, body).await
}

async fn export(shared: Arc<Shared>, signal: Signal, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&shared.token, &headers) {
        return plain(
            StatusCode::UNAUTHORIZED,
            "this server asks for its token: Authorization: Bearer <token>",
        );
    }
    let Ok(_permit) = shared.permits.try_acquire() else {
        return busy("more requests than Plume holds at once; retry");
    };
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let (content_type, encoding) = (text(header::CONTENT_TYPE), text(header::CONTENT_ENCODING));
    let worker = shared.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let receipt = receive(
            signal,
            content_type.as_deref(),
            encoding.as_deref(),
            &body,
            worker.max_body,
        );
        if let Some(keep) = &receipt.keep {
            let mut disk = worker
                .disk
                .lock()
                .map_err(|_| "the store failed earlier".to_owned())?;
            disk.append(signal, keep)
                .map_err(|error| format!("the store cannot write: {error}"))?;
        }
        Ok::<Reply, String>(receipt.reply)
    })
    .await;
    match outcome {
        Ok(Ok(reply)) => answer(reply),
        // Not kept, so not acknowledged: the sender keeps it and retries.
        Ok(Err(message)) => busy(&message),
        Err(_) => busy("the request could not be handled"),
    }
}

fn authorized(token: &Option<String>, headers: &HeaderMap) -> bool {
    let Some(token) = token else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    given.and_then(|v| v.strip_prefix("Bearer ")) == Some(token.as_str())
}

fn answer(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, reply.content_type)],
        reply.body,
    )
        .into_response()
}

fn plain(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_owned(),
    )
        .into_response()
}

fn busy(message: &str) -> Response {
    let mut response = plain(StatusCode::SERVICE_UNAVAILABLE, message);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// The viewer's files: `/` is `index.html`; nothing outside the folder is served.
async fn page(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let Some(file) = inside(&shared.page, path) else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let kind = media_type(&file);
            ([(header::CONTENT_TYPE, kind)], Body::from(bytes)).into_response()
        }
        Err(_) => plain(StatusCode::NOT_FOUND, "not found"),
    }
}

/// `path` under `root`, if it names nothing outside it.
fn inside(root: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path);
    relative
        .components()
        .all(|part| matches!(part, Component::Normal(_)))
        .then(|| root.join(relative))
}

fn media_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}
