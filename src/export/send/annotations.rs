//! Sending annotations to Phoenix's REST API, after the spans they are about: span and trace
//! annotations in batches (`POST /v1/span_annotations?sync=true`, `/v1/trace_annotations`),
//! notes one by one (`/v1/span_notes`, `/v1/trace_notes`). Phoenix stores spans a moment after
//! it acknowledges them, so "no such span" (404) is tried again a few times before it counts as
//! a failure; 429, 502–504 and unreachable are retried as spans are. No I/O here, as in
//! [`super::Delivery`].

use std::collections::VecDeque;

use serde_json::{Value, json};

use super::{Answer, Step};
use crate::export::annotations::PhoenixAnnotations;

/// Annotations per request at most.
const ROWS_PER_REQUEST: usize = 100;
/// Attempts per request before giving up.
const MAX_ATTEMPTS: u32 = 8;
/// The first wait before trying again, ms; it doubles, up to [`MAX_WAIT_MS`].
const FIRST_WAIT_MS: u64 = 500;
const MAX_WAIT_MS: u64 = 4_000;

/// One request to make: where, its JSON body, and how many annotations it carries.
#[derive(Clone, Debug, PartialEq)]
pub struct AnnotationRequest {
    /// The URL.
    pub url: String,
    /// The JSON body.
    pub body: String,
    /// Annotations in it.
    pub count: usize,
}

/// A delivery of annotations in progress.
pub struct AnnotationDelivery {
    queue: VecDeque<(AnnotationRequest, u32)>,
    in_flight: Option<(AnnotationRequest, u32)>,
    /// Annotations in all.
    pub total: u64,
    /// Of those, answered for with success.
    pub sent: u64,
    /// Of those, given up on.
    pub failed: u64,
    /// What went wrong or was retried, most recent last.
    pub messages: Vec<String>,
}

/// Phoenix's address from its OTLP traces endpoint (`http://host:6006/v1/traces` →
/// `http://host:6006`).
pub fn phoenix_base(endpoint: &str) -> &str {
    let endpoint = endpoint.trim().trim_end_matches('/');
    endpoint.strip_suffix("/v1/traces").unwrap_or(endpoint)
}

impl AnnotationDelivery {
    /// Plans sending `annotations` to the Phoenix whose traces endpoint is `endpoint`.
    pub fn new(annotations: &PhoenixAnnotations, endpoint: &str) -> Self {
        let base = phoenix_base(endpoint);
        let mut queue = VecDeque::new();
        for (path, rows) in [
            ("v1/span_annotations?sync=true", &annotations.spans),
            ("v1/trace_annotations?sync=true", &annotations.traces),
        ] {
            for chunk in rows.chunks(ROWS_PER_REQUEST) {
                let body = json!({ "data": chunk }).to_string();
                let url = format!("{base}/{path}");
                queue.push_back((
                    AnnotationRequest {
                        url,
                        body,
                        count: chunk.len(),
                    },
                    0,
                ));
            }
        }
        for (path, notes) in [
            ("v1/span_notes", &annotations.span_notes),
            ("v1/trace_notes", &annotations.trace_notes),
        ] {
            for note in notes {
                let url = format!("{base}/{path}");
                queue.push_back((
                    AnnotationRequest {
                        url,
                        body: note.to_string(),
                        count: 1,
                    },
                    0,
                ));
            }
        }
        Self {
            queue,
            in_flight: None,
            total: annotations.len() as u64,
            sent: 0,
            failed: 0,
            messages: Vec::new(),
        }
    }

    /// Whether every annotation was answered for.
    pub fn done(&self) -> bool {
        self.queue.is_empty() && self.in_flight.is_none()
    }

    /// The next request to make, or `None` when everything was answered for.
    pub fn next_request(&mut self) -> Option<AnnotationRequest> {
        let (request, attempt) = self.queue.pop_front()?;
        self.in_flight = Some((request.clone(), attempt + 1));
        Some(request)
    }

    /// Takes the answer to the request in flight.
    pub fn answer(&mut self, answer: Answer) -> Step {
        let Some((request, attempt)) = self.in_flight.take() else {
            return Step::Next;
        };
        let (retry, why) = match answer {
            Answer::Http {
                status: 200..=299, ..
            } => {
                self.sent += request.count as u64;
                return Step::Next;
            }
            Answer::Http { status, body, .. } => {
                let said = detail(&body);
                let retry = matches!(status, 404 | 429 | 502 | 503 | 504);
                let why = match status {
                    404 => format!("Phoenix does not have these spans or traces (yet?): {said}"),
                    _ => format!("Phoenix answered {status}: {said}"),
                };
                (retry, why)
            }
            Answer::Redirected => (
                false,
                "Phoenix answered with a redirect, not followed".to_owned(),
            ),
            Answer::Unreachable(error) => (true, format!("Phoenix could not be reached: {error}")),
        };
        if retry && attempt < MAX_ATTEMPTS {
            self.note(format!("{why}; trying again"));
            self.queue.push_front((request, attempt));
            return Step::Wait((FIRST_WAIT_MS << (attempt - 1).min(8)).min(MAX_WAIT_MS));
        }
        self.failed += request.count as u64;
        self.note(format!("{} annotations not sent: {why}", request.count));
        Step::Next
    }

    fn note(&mut self, message: String) {
        self.messages.push(message);
        let excess = self.messages.len().saturating_sub(20);
        self.messages.drain(..excess);
    }
}

/// What Phoenix said in an error body (`{"detail": …}`), else the body as text, shortened.
fn detail(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let said = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(object)) => object.get("detail").map_or_else(
            || text.to_string(),
            |d| match d {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
        ),
        _ => text.to_string(),
    };
    said.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, body: &str) -> Answer {
        Answer::Http {
            status,
            retry_after: None,
            content_type: Some("application/json".into()),
            body: body.as_bytes().to_vec(),
        }
    }

    fn annotations() -> PhoenixAnnotations {
        PhoenixAnnotations {
            spans: (0..150)
                .map(|i| json!({"span_id": format!("{i:016x}"), "name": "review"}))
                .collect(),
            traces: vec![json!({"trace_id": "ab", "name": "review"})],
            span_notes: vec![json!({"data": {"span_id": "01", "note": "n"}})],
            trace_notes: Vec::new(),
        }
    }

    #[test]
    fn annotations_go_in_batches_then_notes_one_by_one_to_phoenixs_api() {
        let mut delivery =
            AnnotationDelivery::new(&annotations(), "http://127.0.0.1:6006/v1/traces/");
        let mut urls = Vec::new();
        while let Some(request) = delivery.next_request() {
            urls.push((request.url.clone(), request.count));
            assert_eq!(delivery.answer(http(200, "{}")), Step::Next);
        }
        assert_eq!(
            urls,
            [
                (
                    "http://127.0.0.1:6006/v1/span_annotations?sync=true".to_owned(),
                    100
                ),
                (
                    "http://127.0.0.1:6006/v1/span_annotations?sync=true".to_owned(),
                    50
                ),
                (
                    "http://127.0.0.1:6006/v1/trace_annotations?sync=true".to_owned(),
                    1
                ),
                ("http://127.0.0.1:6006/v1/span_notes".to_owned(), 1),
            ]
        );
        assert!(delivery.done());
        assert_eq!(
            (delivery.total, delivery.sent, delivery.failed),
            (152, 152, 0)
        );
    }

    #[test]
    fn spans_phoenix_has_not_stored_yet_are_waited_for_and_other_refusals_are_not() {
        let only_notes = PhoenixAnnotations {
            span_notes: vec![json!({"data": {"span_id": "01", "note": "n"}})],
            ..PhoenixAnnotations::default()
        };
        let mut delivery = AnnotationDelivery::new(&only_notes, "http://p/v1/traces");
        let mut waits = Vec::new();
        while let Some(_request) = delivery.next_request() {
            match delivery.answer(http(404, r#"{"detail": "Span with ID 01 does not exist"}"#)) {
                Step::Wait(ms) => waits.push(ms),
                Step::Next => {}
            }
        }
        assert_eq!(waits, [500, 1000, 2000, 4000, 4000, 4000, 4000]);
        assert_eq!((delivery.sent, delivery.failed), (0, 1));
        assert!(
            delivery
                .messages
                .last()
                .expect("said")
                .contains("Span with ID 01 does not exist")
        );

        let mut delivery = AnnotationDelivery::new(&only_notes, "http://p/v1/traces");
        delivery.next_request();
        assert_eq!(delivery.answer(http(422, "bad")), Step::Next, "not retried");
        assert_eq!(delivery.failed, 1);
        assert_eq!(
            phoenix_base("https://app.phoenix.arize.com/s/me/v1/traces"),
            "https://app.phoenix.arize.com/s/me"
        );
    }
}
