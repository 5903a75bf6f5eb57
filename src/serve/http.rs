//! `plume serve`'s HTTP listener: OTLP/HTTP export requests (`POST /v1/traces`, `/v1/logs`)
//! answered by [`receive`](super::receive) and kept by [`Disk`] before the answer goes, and the
//! viewer's files. What cannot keep up is told to come back (503 with `Retry-After`): at most
//! [`IN_FLIGHT`] requests are held at once, so memory stays bounded whatever is sent.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Path as Named;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use tokio::sync::{Semaphore, watch};

use crate::serve::disk::{Disk, Signal};
use crate::serve::receive::{Receipt, Reply, receive};

/// Requests held at once; past them a sender hears 503 and retries.
pub const IN_FLIGHT: usize = 32;

/// How `plume serve` runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The address of the viewer and OTLP/HTTP.
    pub address: SocketAddr,
    /// Another address for OTLP/HTTP alone (OTLP's own port, 4318), if any.
    pub otlp_http: Option<SocketAddr>,
    /// The address of OTLP/gRPC (4317), if any.
    pub otlp_grpc: Option<SocketAddr>,
    /// Where the viewer's built files are (`dist/`).
    pub page: PathBuf,
    /// A request's largest body, expanded.
    pub max_body: usize,
    /// A token every receiver asks for (`Authorization: Bearer …`), if set.
    pub token: Option<String>,
    /// Origins (`http://localhost:3000`) whose pages may send here and read what is kept,
    /// besides the viewer's own.
    pub allow_origins: Vec<String>,
}

/// What every request shares.
pub(super) struct Shared {
    disk: Mutex<Disk>,
    /// The folder the disk keeps in.
    store: PathBuf,
    page: PathBuf,
    max_body: usize,
    pub(super) token: Option<String>,
    allow_origins: Vec<String>,
    permits: Semaphore,
    /// Counts the bodies kept: open pages' streams wake when it moves.
    kept: watch::Sender<u64>,
}

/// What every listener shares, over `disk`.
pub(super) fn shared(disk: Disk, options: &Options) -> Arc<Shared> {
    Arc::new(Shared {
        store: disk.dir().to_owned(),
        disk: Mutex::new(disk),
        page: options.page.clone(),
        max_body: options.max_body,
        token: options.token.clone(),
        allow_origins: options.allow_origins.clone(),
        permits: Semaphore::new(IN_FLIGHT),
        kept: watch::Sender::new(0),
    })
}

/// The HTTP routes: OTLP/HTTP, and the viewer's files.
pub(super) fn router(shared: Arc<Shared>) -> Router {
    let max_body = shared.max_body;
    Router::new()
        .route("/v1/traces", post(traces))
        .route("/v1/logs", post(logs))
        .route("/api/kept", get(kept_list))
        .route("/api/kept/{name}", get(kept_file))
        .route("/api/live", get(live))
        // The receivers and what is kept ask for the token; the viewer's files do not.
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            require_token,
        ))
        .fallback(page)
        // Outermost: another site's page is refused before anything else is looked at.
        .layer(middleware::from_fn_with_state(shared.clone(), cross_origin))
        // A compressed body may expand to `max_body`; what arrives is limited to as much.
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(shared)
}

/// Serves until the process ends: the viewer and OTLP/HTTP, OTLP/HTTP again on its own port,
/// and OTLP/gRPC, each listener bound before any serves (a port in use is said at once).
pub async fn run(disk: Disk, options: Options) -> std::io::Result<()> {
    let shared = shared(disk, &options);
    let bind = |address: SocketAddr| async move {
        tokio::net::TcpListener::bind(address)
            .await
            .map_err(|error| std::io::Error::new(error.kind(), format!("{address}: {error}")))
    };
    let main = bind(options.address).await?;
    let otlp_http = match options.otlp_http {
        Some(address) => Some(bind(address).await?),
        None => None,
    };
    let otlp_grpc = match options.otlp_grpc {
        Some(address) => Some(bind(address).await?),
        None => None,
    };
    let http = router(shared.clone());
    let serve = |listener: Option<tokio::net::TcpListener>, routes: Router| async move {
        match listener {
            Some(listener) => axum::serve(listener, routes).await,
            None => Ok(()),
        }
    };
    tokio::try_join!(
        serve(Some(main), http.clone()),
        serve(otlp_http, http),
        serve(otlp_grpc, super::grpc::router(shared)),
    )?;
    Ok(())
}

async fn traces(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    export(shared, Signal::Traces, headers, body).await
}

async fn logs(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    export(shared, Signal::Logs, headers, body).await
}

async fn export(shared: Arc<Shared>, signal: Signal, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = header_text(&headers, header::CONTENT_TYPE).map(str::to_owned);
    let encoding = header_text(&headers, header::CONTENT_ENCODING).map(str::to_owned);
    match keep(&shared, signal, content_type, encoding, body).await {
        Ok(receipt) => answer(receipt.reply),
        Err(message) => busy(&message),
    }
}

/// What a sender without the token hears.
pub(super) const UNAUTHORIZED: &str =
    "this server asks for its token: Authorization: Bearer <token>";

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Reads a request and keeps what it brings before the answer goes; `Err` is why it was
/// neither kept nor refused (busy, or the disk failed): the sender is to retry.
pub(super) async fn keep(
    shared: &Arc<Shared>,
    signal: Signal,
    content_type: Option<String>,
    encoding: Option<String>,
    body: Bytes,
) -> Result<Receipt, String> {
    let Ok(_permit) = shared.permits.try_acquire() else {
        return Err("more requests than Plume holds at once; retry".into());
    };
    let worker = shared.clone();
    let kept = tokio::task::spawn_blocking(move || {
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
            worker.kept.send_modify(|count| *count += 1);
        }
        Ok(receipt)
    })
    .await;
    kept.unwrap_or_else(|_| Err("the request could not be handled".into()))
}

/// Refuses a request without the token, when there is one.
async fn require_token(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let given = header_text(request.headers(), header::AUTHORIZATION);
    if !authorized(shared.token.as_deref(), given) {
        return plain(StatusCode::UNAUTHORIZED, UNAUTHORIZED);
    }
    next.run(request).await
}

/// Whether an `Authorization` value gives the token, when there is one.
pub(super) fn authorized(token: Option<&str>, given: Option<&str>) -> bool {
    token.is_none_or(|token| given.and_then(|v| v.strip_prefix("Bearer ")) == Some(token))
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

/// What is kept: `{store, files: [{name, bytes}]}`, oldest first.
async fn kept_list(State(shared): State<Arc<Shared>>) -> Response {
    match kept_json(&shared.store) {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(message) => busy(&message),
    }
}

fn kept_json(store: &Path) -> Result<String, String> {
    let files = crate::serve::disk::kept(store)
        .map_err(|error| format!("the store cannot be read: {error}"))?;
    let files: Vec<_> = files
        .into_iter()
        .map(|(name, bytes)| serde_json::json!({"name": name, "bytes": bytes}))
        .collect();
    let store = store.display().to_string();
    Ok(serde_json::json!({"store": store, "files": files}).to_string())
}

/// A kept file's whole frames, from `?from=` (the end of what the page read before) on.
async fn kept_file(
    State(shared): State<Arc<Shared>>,
    Named(name): Named<String>,
    uri: Uri,
) -> Response {
    let from = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("from="));
    let Ok(from) = from.map_or(Ok(0), str::parse::<u64>) else {
        return plain(StatusCode::BAD_REQUEST, "from= is a byte offset: digits");
    };
    // Files are read off the async threads, as bodies are written.
    let store = shared.store.clone();
    let read =
        tokio::task::spawn_blocking(move || crate::serve::disk::read_kept(&store, &name, from));
    match read.await {
        Ok(Ok(Some(bytes))) => {
            ([(header::CONTENT_TYPE, "application/x-protobuf")], bytes).into_response()
        }
        Ok(Ok(None)) => plain(StatusCode::NOT_FOUND, "no such kept file"),
        Ok(Err(error)) => busy(&format!("the store cannot be read: {error}")),
        Err(_) => busy("the store could not be read"),
    }
}

/// Least time between two events of a page's stream: a busy sender's bodies reach the page
/// together, a few times a second, not one event per body.
const LIVE_EVERY: Duration = Duration::from_millis(100);

/// Server-sent events for an open page: `kept`, with what [`kept_list`] says, when the page
/// connects and after each body kept (`problem`, with why, when the store cannot be read).
async fn live(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let kept = shared.kept.subscribe();
    let stream = futures_util::stream::unfold(
        (kept, shared, true),
        |(mut kept, shared, first)| async move {
            if !first {
                // The server stopping ends the stream.
                kept.changed().await.ok()?;
                tokio::time::sleep(LIVE_EVERY).await;
            }
            kept.mark_unchanged();
            let event = match kept_json(&shared.store) {
                Ok(json) => Event::default().event("kept").data(json),
                Err(message) => Event::default().event("problem").data(message),
            };
            Some((Ok(event), (kept, shared, false)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Requests from pages of other origins (`Origin` other than this server's, and not allowed by
/// `--allow-origin`) are refused: another site open in the user's browser must not send here or
/// read what is kept. Allowed origins hear CORS headers, and their preflights are answered.
///
/// Without a token (loopback), a request must also name the server as a loopback host: a page
/// whose own name an attacker rebinds to 127.0.0.1 (DNS rebinding) is then "same origin" by its
/// `Origin` and `Host`, but its `Host` is not `localhost` or a loopback address.
async fn cross_origin(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let host = header_text(request.headers(), header::HOST)
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    if shared.token.is_none() && !host.as_deref().is_none_or(loopback_host) {
        let message = format!(
            "this server answers requests for localhost or 127.0.0.1 only, not {}: beyond \
             loopback, start it with --host and --token",
            host.unwrap_or_default()
        );
        return plain(StatusCode::FORBIDDEN, &message);
    }
    let Some(origin) = header_text(request.headers(), header::ORIGIN).map(str::to_owned) else {
        return next.run(request).await;
    };
    let host = host.unwrap_or_default();
    if same_origin(&origin, &host) {
        return next.run(request).await;
    }
    if !shared.allow_origins.contains(&origin) {
        let message = format!(
            "pages of {origin} may not use this server: start it with --allow-origin {origin} \
             to let them"
        );
        return plain(StatusCode::FORBIDDEN, &message);
    }
    let mut response = match request.method() == axum::http::Method::OPTIONS {
        true => StatusCode::NO_CONTENT.into_response(),
        false => next.run(request).await,
    };
    let headers = response.headers_mut();
    if let Ok(origin) = HeaderValue::from_str(&origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type, content-encoding"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

/// Whether a `Host` (name or address, with or without a port) names this machine's loopback.
pub(super) fn loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        },
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `origin` is the server's own, as the request's `Host` names it.
pub(super) fn same_origin(origin: &str, host: &str) -> bool {
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|rest| !host.is_empty() && rest.eq_ignore_ascii_case(host))
}

/// The viewer's files: `/` is `index.html`; nothing outside the folder is served.
async fn page(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let Some(file) = inside(&shared.page, path) else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) if path == "index.html" => {
            let kind = media_type(&file);
            ([(header::CONTENT_TYPE, kind)], Body::from(marked(bytes))).into_response()
        }
        Ok(bytes) => {
            let kind = media_type(&file);
            ([(header::CONTENT_TYPE, kind)], Body::from(bytes)).into_response()
        }
        Err(_) => plain(StatusCode::NOT_FOUND, "not found"),
    }
}

/// The page marked as served here: `<meta name="plume-server" content="api/">` tells it where
/// what is kept is listed (a static deployment has no such mark, so it asks nothing of its host).
fn marked(page: Vec<u8>) -> Vec<u8> {
    const MARK: &[u8] = br#"<meta name="plume-server" content="api/">"#;
    // Beside the page's first `<meta>` (minified, the page has no `<head>` tag to look for).
    match page
        .windows(5)
        .position(|w| w.eq_ignore_ascii_case(b"<meta"))
    {
        Some(at) => [&page[..at], MARK, &page[at..]].concat(),
        None => page,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_are_loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST:6006",
            "127.0.0.1",
            "127.0.0.1:4318",
            "[::1]:6006",
            "127.3.2.1",
        ] {
            assert!(loopback_host(host), "{host}");
        }
        for host in [
            "evil.example:6006",
            "evil.example",
            "localhost.evil.example",
            "10.0.0.1:6006",
            "[::2]:1",
            "",
            "0.0.0.0",
        ] {
            assert!(!loopback_host(host), "{host}");
        }
    }

    #[test]
    fn a_page_is_of_the_server_s_origin_only_by_the_host_it_asked() {
        assert!(same_origin("http://127.0.0.1:6006", "127.0.0.1:6006"));
        assert!(!same_origin("http://127.0.0.1:6007", "127.0.0.1:6006"));
        assert!(!same_origin("null", "127.0.0.1:6006"));
        assert!(!same_origin("http://127.0.0.1:6006", ""));
    }
}
