//! Sending spans to an OTLP/HTTP collector (Phoenix, an OpenTelemetry Collector, …): batching,
//! and what to do with each answer, as the OTLP/HTTP specification says: retry only 429, 502,
//! 503 and 504 (and unreachable collectors), with exponential backoff or the server's
//! `Retry-After`; split a batch the server found too large (413); give up on other errors.
//!
//! No I/O here. A [`Delivery`] plans the requests; whoever holds it (the engine's worker, or a
//! test) makes each one and hands back the [`Answer`], then waits as long as [`Step::Wait`] says.
//!
//! ```
//! use plume::export::send::{Answer, Delivery, Settings, Step};
//! use plume::model::Arena;
//!
//! let arena = Arena::default();
//! let mut delivery = Delivery::new(Vec::new(), &Settings::default());
//! assert!(delivery.next_request(&arena).is_none(), "nothing to send");
//! assert!(delivery.report().done);
//! ```

pub mod annotations;

use std::collections::VecDeque;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message;
use serde::{Deserialize, Serialize};

use crate::export::{Target, encode};
use crate::model::Arena;

/// The most a request may carry, as the OTLP specification advises.
pub const MAX_REQUEST_BYTES: usize = 20 * 1024 * 1024;
/// Attempts per batch before giving up on a retryable failure.
const MAX_ATTEMPTS: u32 = 6;
/// The longest wait between attempts, whatever the server asks.
const MAX_WAIT_MS: u64 = 60_000;

/// The wire format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Protocol {
    /// `application/x-protobuf` (what every OTLP/HTTP receiver takes).
    #[default]
    Protobuf,
    /// `application/json` (OTLP/JSON; Phoenix does not take it).
    Json,
}

/// Where and how to send.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The OTLP/HTTP traces endpoint, e.g. `http://localhost:6006/v1/traces`.
    pub endpoint: String,
    /// The wire format.
    pub protocol: Protocol,
    /// Compress bodies with gzip.
    pub gzip: bool,
    /// Extra headers (`authorization`, `api_key`, `x-project-name`, …). Never logged.
    pub headers: Vec<(String, String)>,
    /// Spans per request at most.
    pub max_spans: usize,
    /// Bytes per request at most (before compression), never above [`MAX_REQUEST_BYTES`].
    pub max_bytes: usize,
    /// The first wait before a retry, ms; it doubles with each attempt.
    pub initial_backoff_ms: u64,
    /// Take secrets out of the spans first, with the rules in use ([`crate::redact`]).
    #[serde(default)]
    pub redact: bool,
    /// Then send their annotations to Phoenix's REST API ([`annotations`]).
    #[serde(default)]
    pub annotations: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            endpoint: "http://localhost:6006/v1/traces".into(),
            protocol: Protocol::Protobuf,
            gzip: true,
            headers: Vec::new(),
            max_spans: 2_000,
            max_bytes: 4 * 1024 * 1024,
            initial_backoff_ms: 1_000,
            redact: false,
            annotations: false,
        }
    }
}

/// One request to make.
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing {
    /// The body.
    pub body: Vec<u8>,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Whether it is to leave gzip-compressed (`Content-Encoding: gzip`): the body here is
    /// plain, and compressed as it leaves (by the browser's `CompressionStream` in the engine;
    /// plain where the browser has none).
    pub gzip: bool,
    /// Spans in it.
    pub spans: usize,
    /// 1 for the first try of this batch.
    pub attempt: u32,
}

/// What came back.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// An HTTP response.
    Http {
        /// The status code.
        status: u16,
        /// The `Retry-After` header, if any.
        retry_after: Option<String>,
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The body.
        body: Vec<u8>,
    },
    /// A redirect, not followed: the headers (an API key) would go wherever it points.
    Redirected,
    /// No response: the collector is unreachable, or the browser refused the answer (CORS).
    Unreachable(String),
}

/// What to do after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Go on with the next request.
    Next,
    /// Wait this long (ms), then go on.
    Wait(u64),
}

/// How the delivery is going.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Spans to send in all.
    pub spans: u64,
    /// Spans the collector answered for with success.
    pub sent: u64,
    /// Of those, spans it kept (sent minus those it reported rejecting).
    pub accepted: u64,
    /// Spans given up on.
    pub failed: u64,
    /// Requests made, retries included.
    pub requests: u64,
    /// What went wrong or was retried, most recent last.
    pub messages: Vec<String>,
    /// Every span was answered for (sent or failed), and every annotation when asked.
    pub done: bool,
    /// Annotations to send to Phoenix, when asked.
    #[serde(default)]
    pub annotations: u64,
    /// Of those, sent.
    #[serde(default)]
    pub annotations_sent: u64,
    /// Of those, given up on.
    #[serde(default)]
    pub annotations_failed: u64,
}

struct Batch {
    spans: Vec<u32>,
    attempt: u32,
}

/// A delivery in progress: the batches left, the one in flight, and the report so far.
pub struct Delivery {
    settings: Settings,
    queue: VecDeque<Batch>,
    in_flight: Option<Batch>,
    report: Report,
}

impl Delivery {
    /// Plans sending the spans (arena indices, trace by trace).
    pub fn new(spans: Vec<u32>, settings: &Settings) -> Self {
        let mut settings = settings.clone();
        settings.max_spans = settings.max_spans.max(1);
        settings.max_bytes = settings.max_bytes.clamp(1, MAX_REQUEST_BYTES);
        let report = Report {
            spans: spans.len() as u64,
            done: spans.is_empty(),
            ..Report::default()
        };
        let queue = spans
            .chunks(settings.max_spans)
            .map(|chunk| Batch {
                spans: chunk.to_vec(),
                attempt: 0,
            })
            .collect();
        Self {
            settings,
            queue,
            in_flight: None,
            report,
        }
    }

    /// The report so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The next request to make, or `None` when everything was answered for.
    pub fn next_request(&mut self, arena: &Arena) -> Option<Outgoing> {
        debug_assert!(
            self.in_flight.is_none(),
            "answer the request in flight first"
        );
        while let Some(mut batch) = self.queue.pop_front() {
            let target = match self.settings.protocol {
                Protocol::Protobuf => Target::OtlpProto,
                Protocol::Json => Target::OtlpJson,
            };
            let body = encode(arena, &batch.spans, target);
            if body.len() > self.settings.max_bytes {
                if self.split(batch) {
                    continue;
                }
                self.note("one span is larger than the request size limit; it was not sent");
                continue;
            }
            batch.attempt += 1;
            let outgoing = Outgoing {
                body,
                content_type: target.media_type(),
                gzip: self.settings.gzip,
                spans: batch.spans.len(),
                attempt: batch.attempt,
            };
            self.in_flight = Some(batch);
            self.report.requests += 1;
            return Some(outgoing);
        }
        self.report.done = true;
        None
    }

    /// Takes the answer to the request in flight.
    pub fn answer(&mut self, answer: Answer) -> Step {
        let Some(batch) = self.in_flight.take() else {
            return Step::Next;
        };
        match answer {
            Answer::Http {
                status: 200..=299,
                content_type,
                body,
                ..
            } => {
                let count = batch.spans.len() as u64;
                let (rejected, message) = partial_success(content_type.as_deref(), &body);
                let rejected = rejected.min(count);
                self.report.sent += count;
                self.report.accepted += count - rejected;
                if rejected > 0 || !message.is_empty() {
                    self.note(&format!(
                        "the collector rejected {rejected} of {count} spans: {message}"
                    ));
                }
                Step::Next
            }
            Answer::Http {
                status: status @ (429 | 502 | 503 | 504),
                retry_after,
                ..
            } => {
                let wait = retry_after
                    .as_deref()
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .map(|seconds| seconds.saturating_mul(1_000))
                    .unwrap_or_else(|| self.backoff(batch.attempt));
                self.retry(batch, &format!("HTTP {status}"), wait)
            }
            Answer::Http { status: 413, .. } => {
                if !self.split(batch) {
                    self.note("HTTP 413: one span is larger than the collector accepts");
                }
                Step::Next
            }
            Answer::Http { status, body, .. } => {
                let reason = match status {
                    415 if self.settings.protocol == Protocol::Json => {
                        "the collector does not take OTLP/JSON (Phoenix takes only protobuf): \
                         choose protobuf"
                            .to_owned()
                    }
                    401 | 403 => {
                        "not authorized: check the headers (authorization, api_key)".to_owned()
                    }
                    404 => "no OTLP traces endpoint at this URL (it usually ends in /v1/traces)"
                        .to_owned(),
                    _ => excerpt(&body),
                };
                self.fail(batch, &format!("HTTP {status}: {reason}"));
                Step::Next
            }
            Answer::Redirected => {
                self.fail(
                    batch,
                    "the collector answered with a redirect, which is not followed (the headers \
                     would go along): give the address it redirects to",
                );
                Step::Next
            }
            Answer::Unreachable(error) => {
                let reason = format!(
                    "no answer from {} ({error}): the collector is not running there, or it \
                     refused this page's origin (CORS). For Phoenix, start it with \
                     PHOENIX_ALLOWED_ORIGINS set to this page's origin",
                    self.settings.endpoint
                );
                let wait = self.backoff(batch.attempt);
                // A refusal by CORS looks the same and never heals: try only a few times.
                if batch.attempt >= 3 {
                    self.fail(batch, &reason);
                    return Step::Next;
                }
                self.retry(batch, &reason, wait)
            }
        }
    }

    fn backoff(&self, attempt: u32) -> u64 {
        self.settings
            .initial_backoff_ms
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
    }

    fn retry(&mut self, batch: Batch, reason: &str, wait_ms: u64) -> Step {
        if batch.attempt >= MAX_ATTEMPTS {
            self.fail(batch, &format!("{reason}, {MAX_ATTEMPTS} times"));
            return Step::Next;
        }
        let wait_ms = wait_ms.min(MAX_WAIT_MS);
        self.note(&format!(
            "{reason}; retrying {} spans in {:.1} s",
            batch.spans.len(),
            wait_ms as f64 / 1000.0
        ));
        self.queue.push_front(batch);
        Step::Wait(wait_ms)
    }

    /// Puts the two halves of `batch` first in line; false if it holds one span.
    fn split(&mut self, batch: Batch) -> bool {
        if batch.spans.len() < 2 {
            self.report.failed += batch.spans.len() as u64;
            return false;
        }
        let mut first = batch.spans;
        let second = first.split_off(first.len() / 2);
        self.queue.push_front(Batch {
            spans: second,
            attempt: 0,
        });
        self.queue.push_front(Batch {
            spans: first,
            attempt: 0,
        });
        true
    }

    fn fail(&mut self, batch: Batch, reason: &str) {
        self.report.failed += batch.spans.len() as u64;
        self.note(&format!("{} spans not sent: {reason}", batch.spans.len()));
    }

    fn note(&mut self, message: &str) {
        self.report.messages.push(message.to_owned());
    }
}

/// A warning for an endpoint that would carry the headers unencrypted to another machine:
/// plain `http:` to a host that is not this one.
pub fn endpoint_warning(endpoint: &str) -> Option<String> {
    let rest = endpoint
        .trim()
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .map(|_| &endpoint.trim()[7..])?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    let local = host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (!local).then(|| {
        format!(
            "{host} is reached over plain http: the spans and the headers (API keys) cross the \
             network unencrypted"
        )
    })
}

/// Headers from text, one `name: value` per line (blank lines skipped).
pub fn parse_headers(text: &str) -> Result<Vec<(String, String)>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("line {}: expected `name: value`", number + 1))?;
            let name = name.trim();
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !valid {
                return Err(format!(
                    "line {}: {name:?} is not a header name",
                    number + 1
                ));
            }
            Ok((name.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// Headers as [`parse_headers`] reads them.
pub fn format_headers(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `(rejected spans, error message)` from a success response's `partial_success`.
fn partial_success(content_type: Option<&str>, body: &[u8]) -> (u64, String) {
    if body.is_empty() {
        return (0, String::new());
    }
    if content_type.is_some_and(|t| t.contains("json")) {
        let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let partial = value
            .get("partialSuccess")
            .or_else(|| value.get("partial_success"));
        let Some(partial) = partial else {
            return (0, String::new());
        };
        let rejected = partial
            .get("rejectedSpans")
            .or_else(|| partial.get("rejected_spans"))
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
            .unwrap_or(0);
        let message = partial
            .get("errorMessage")
            .or_else(|| partial.get("error_message"))
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        return (rejected, message.to_owned());
    }
    match ExportTraceServiceResponse::decode(body) {
        Ok(ExportTraceServiceResponse {
            partial_success: Some(partial),
        }) => (partial.rejected_spans.max(0) as u64, partial.error_message),
        _ => (0, String::new()),
    }
}

/// The start of a response body, as text.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None if text.is_empty() => "no explanation given".to_owned(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests;
