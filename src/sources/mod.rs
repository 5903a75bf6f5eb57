//! Servers teams keep their traces in, read on demand: where to ask and what the answers mean,
//! without I/O — the CLI asks with a blocking HTTP client (`plume fetch`), and what an answer
//! holds is read like a dropped file. Phoenix ([`phoenix`]), Tempo ([`tempo`]), Jaeger
//! ([`jaeger`]) and Zipkin ([`zipkin`]).

#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod client;
#[cfg(not(target_arch = "wasm32"))]
pub mod fetch;
pub mod jaeger;
pub mod job;
pub mod phoenix;
pub mod tempo;
pub mod zipkin;

use serde::{Deserialize, Serialize};

/// A trace server, named as `plume fetch` takes it: `phoenix+http://127.0.0.1:6006`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    /// What it is.
    pub kind: ServerKind,
    /// Its base URL (`http://127.0.0.1:6006`), without a trailing `/`.
    pub base: String,
}

/// Which traces of a server to list: what each kind of server can be asked (the page's fields,
/// `plume fetch`'s flags).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Search {
    /// The project (Phoenix's name or id; Jaeger's, Zipkin's service; none for Tempo).
    pub project: String,
    /// The operation (Jaeger's; Zipkin's span name) a trace's spans must include.
    pub operation: Option<String>,
    /// The server's own filter, evaluated by it: Phoenix's trace filter (`latency_ms > 1000`),
    /// TraceQL (Tempo), tags as Jaeger UI takes them (`error=true http.status_code=500`), or
    /// Zipkin's annotation query (`http.method=GET and error`).
    pub filter: Option<String>,
    /// Traces started at or after this ISO 8601 time.
    pub since: Option<String>,
    /// Traces started before this ISO 8601 time (else now).
    pub until: Option<String>,
}

impl Search {
    /// The operation named, if one is (typed text, trimmed).
    pub fn named_operation(&self) -> Option<&str> {
        given(&self.operation)
    }

    /// The server's filter, if one is given (typed text, trimmed).
    pub fn given_filter(&self) -> Option<&str> {
        given(&self.filter)
    }
}

/// Typed text, trimmed, unless there is none.
fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// A page of a server's traces, as listed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TracesPage {
    /// The traces, as the server described them (or, from a search that answers whole traces,
    /// as read).
    pub traces: Vec<RemoteTrace>,
    /// The next page's cursor, if there is one (Phoenix).
    pub next: Option<String>,
    /// The operations of the service listed (Jaeger's; Zipkin's span names), to search by.
    pub operations: Vec<String>,
}

/// A trace a server holds, as its list of traces says (what it says: Phoenix no name, Tempo
/// no tokens). Every field is written: it travels between page and worker in postcard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RemoteTrace {
    /// Its id (hex).
    pub id: String,
    /// Its root span's name (and service), if said.
    pub name: Option<String>,
    /// When it started (ns since the epoch).
    pub start_ns: Option<u64>,
    /// How long it took.
    pub duration_ns: Option<u64>,
    /// Its tokens, all spans' together.
    pub tokens: Option<u64>,
}

/// The servers Plume reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerKind {
    /// Arize Phoenix (its REST API, `/v1/…`).
    Phoenix,
    /// Jaeger (its query API, `/api/…`).
    Jaeger,
    /// Zipkin (its v2 API, `/api/v2/…`).
    Zipkin,
    /// Grafana Tempo (its HTTP API: TraceQL search, traces by id).
    Tempo,
}

impl ServerKind {
    /// Every kind, in the order the page offers them.
    pub const ALL: [ServerKind; 4] = [
        ServerKind::Phoenix,
        ServerKind::Tempo,
        ServerKind::Jaeger,
        ServerKind::Zipkin,
    ];

    /// The kind's name in an address (`phoenix` in `phoenix+http://…`).
    pub fn scheme(self) -> &'static str {
        match self {
            ServerKind::Phoenix => "phoenix",
            ServerKind::Jaeger => "jaeger",
            ServerKind::Zipkin => "zipkin",
            ServerKind::Tempo => "tempo",
        }
    }
}

impl Server {
    /// Reads `phoenix+http(s)://host[:port][/path]`.
    pub fn parse(text: &str) -> Result<Server, String> {
        let (scheme, rest) = text
            .split_once('+')
            .ok_or_else(|| format!("“{text}”: name the server as phoenix+http://host:port"))?;
        let Some(kind) = (ServerKind::ALL.into_iter()).find(|kind| kind.scheme() == scheme) else {
            return Err(format!(
                "“{text}”: no server kind “{scheme}” (phoenix+, tempo+, jaeger+ or zipkin+http://…)"
            ));
        };
        let lower = rest.to_ascii_lowercase();
        let after_scheme = match () {
            _ if lower.starts_with("http://") => &rest["http://".len()..],
            _ if lower.starts_with("https://") => &rest["https://".len()..],
            _ => {
                return Err(format!(
                    "“{text}”: the address must start with http:// or https://"
                ));
            }
        };
        if after_scheme.is_empty() || after_scheme.starts_with('/') {
            return Err(format!("“{text}”: no host"));
        }
        Ok(Server {
            kind,
            base: rest.trim_end_matches('/').to_owned(),
        })
    }
}

/// A server the user connected to in the page, by the name they gave it (kept in the browser's
/// storage; the key only when `remember`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// What the user calls it (`#/source/<name>`).
    pub name: String,
    /// Where and what it is.
    pub server: Server,
    /// Its API key (sent as `Authorization: Bearer KEY`), or a whole `Authorization` value
    /// (`Basic …`), if it asks for one.
    pub key: Option<String>,
    /// Keep the key where connections are kept, not only while the page is open.
    pub remember: bool,
}

impl Connection {
    /// The headers sent with every request.
    pub fn headers(&self) -> Vec<(String, String)> {
        let key = self.key.as_deref().map(str::trim).filter(|k| !k.is_empty());
        key.map(|key| {
            let value = match key.contains(' ') {
                true => key.to_owned(),
                false => format!("Bearer {key}"),
            };
            ("Authorization".to_owned(), value)
        })
        .into_iter()
        .collect()
    }

    /// As it is kept: without its key unless the user asked to remember it.
    pub fn kept(&self) -> Self {
        Self {
            key: self.key.clone().filter(|_| self.remember),
            ..self.clone()
        }
    }
}

/// What to tell a person when `kind`'s server at `base` sent no answer this page (at `origin`)
/// may read: it is down, or it does not allow the page's origin (CORS), and how to allow it.
pub fn unreachable(kind: ServerKind, base: &str, origin: &str) -> String {
    let how = match kind {
        ServerKind::Phoenix => {
            format!("start Phoenix with PHOENIX_ALLOWED_ORIGINS={origin} (Phoenix 8 and later)")
        }
        ServerKind::Tempo | ServerKind::Jaeger | ServerKind::Zipkin => format!(
            "{kind:?} sends no CORS headers itself: put it behind a reverse proxy that adds \
             them, e.g. nginx: add_header Access-Control-Allow-Origin \"{origin}\" always; \
             add_header Access-Control-Allow-Headers \"Authorization\" always; (and answer \
             OPTIONS with 204), or use plume fetch from a terminal, which needs no CORS"
        ),
    };
    format!(
        "{base} did not answer this page: it is not running or not reachable from this browser, \
         or it does not let this page ({origin}) read its answers (CORS). To allow it, {how}."
    )
}

/// `text` as a URL query value (or path segment, or the page's route): RFC 3986's unreserved
/// characters as they are, every other byte percent-encoded.
pub fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// What a failed answer means, for a person: `status` and the body the server sent.
pub fn problem(status: u16, body: &str) -> String {
    // Phoenix (FastAPI) says why in `detail`; otherwise the body's start.
    let detail = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|json| {
            json.get("detail").map(|d| match d {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            })
        })
        .unwrap_or_else(|| body.chars().take(200).collect());
    let hint = match status {
        401 | 403 => {
            " — the server refused the key: check the API key (the server's API key in the page, plume fetch's --header 'Authorization: Bearer …')"
        }
        404 => " — not found: check the project's name or the trace id",
        _ => "",
    };
    format!(
        "HTTP {status}{}{hint}",
        match detail.trim() {
            "" => String::new(),
            detail => format!(": {detail}"),
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_named_with_their_kind() {
        assert_eq!(
            Server::parse("phoenix+http://127.0.0.1:6006/"),
            Ok(Server {
                kind: ServerKind::Phoenix,
                base: "http://127.0.0.1:6006".into()
            })
        );
        assert_eq!(
            Server::parse("phoenix+https://app.phoenix.arize.com/s/me").map(|s| s.base),
            Ok("https://app.phoenix.arize.com/s/me".into())
        );
        assert_eq!(
            Server::parse("zipkin+http://127.0.0.1:9411").map(|s| s.kind),
            Ok(ServerKind::Zipkin)
        );
        assert_eq!(
            Server::parse("jaeger+https://jaeger.example").map(|s| s.kind),
            Ok(ServerKind::Jaeger)
        );
        // Every kind is named by its scheme, one each.
        for kind in ServerKind::ALL {
            let named = Server::parse(&format!("{}+http://x", kind.scheme()));
            assert_eq!(named.map(|s| s.kind), Ok(kind));
        }
        for bad in [
            "http://x",
            "phoenix+ftp://x",
            "phoenix+http://",
            "grafana+http://x",
        ] {
            assert!(Server::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn query_values_are_encoded_and_problems_said() {
        assert_eq!(
            query_value("span_kind == 'LLM' & x"),
            "span_kind%20%3D%3D%20%27LLM%27%20%26%20x"
        );
        assert_eq!(query_value("é"), "%C3%A9");
        assert_eq!(
            problem(401, r#"{"detail":"Invalid token"}"#),
            "HTTP 401: Invalid token — the server refused the key: check the API key (the server's API key in the page, plume fetch's --header 'Authorization: Bearer …')"
        );
        assert_eq!(problem(500, ""), "HTTP 500");
        assert_eq!(
            problem(502, "<html>bad gateway</html>"),
            "HTTP 502: <html>bad gateway</html>"
        );
    }
}
