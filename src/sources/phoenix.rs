//! Arize Phoenix's REST API (20.x): its projects, a project's traces newest first (paged by
//! cursor, from a time on, filtered by a trace filter Phoenix evaluates itself), and spans by
//! trace id as OTLP (`/spans/otlpv1`, which [`crate::ingest`] reads as Phoenix's OTLP export,
//! so fetched spans land as a dropped file's do).

use serde::Deserialize;

use super::{RemoteTrace, Search, query_value};

/// Traces asked for per page at most (Phoenix's most).
const TRACES_PAGE: usize = 1000;

/// Spans asked for per page (Phoenix's most).
const SPANS_PAGE: usize = 1000;

/// Spans asked for in the first page of a fetch: a small page comes back sooner, so a trace's
/// first rows show before Phoenix has written a thousand spans out (its cursor takes another
/// size for the pages after).
const FIRST_SPANS_PAGE: usize = 100;

/// Trace ids asked for in one spans request (each is 50 bytes of the URL).
pub const TRACES_PER_REQUEST: usize = 20;

/// The path and query of a page of projects.
pub fn projects(cursor: Option<&str>) -> String {
    format!("/v1/projects?limit=100{}", cursor_part(cursor))
}

/// The path and query of a page of a project's traces, newest first, at most `limit` (and
/// Phoenix's most).
pub fn traces(query: &Search, limit: usize, cursor: Option<&str>) -> String {
    let mut url = format!(
        "/v1/projects/{}/traces?limit={}&sort=start_time&order=desc",
        query_value(&query.project),
        limit.clamp(1, TRACES_PAGE)
    );
    if let Some(filter) = query.given_filter() {
        url.push_str(&format!("&filter={}", query_value(filter)));
    }
    if let Some(since) = &query.since {
        url.push_str(&format!("&start_time={}", query_value(since)));
    }
    if let Some(until) = &query.until {
        url.push_str(&format!("&end_time={}", query_value(until)));
    }
    url + &cursor_part(cursor)
}

/// The path and query of a page of the spans of some traces, as OTLP (the `first` page of a
/// fetch smaller).
pub fn spans(project: &str, trace_ids: &[String], cursor: Option<&str>, first: bool) -> String {
    let limit = if first { FIRST_SPANS_PAGE } else { SPANS_PAGE };
    let ids: String = trace_ids
        .iter()
        .map(|id| format!("&trace_id={}", query_value(id)))
        .collect();
    format!(
        "/v1/projects/{}/spans/otlpv1?limit={limit}{ids}{}",
        query_value(project),
        cursor_part(cursor)
    )
}

/// Annotations asked for per page, and span or trace ids per request.
pub const ANNOTATIONS_PAGE: usize = 1000;
/// See [`ANNOTATIONS_PAGE`].
pub const IDS_PER_REQUEST: usize = 50;

/// What annotations (evaluations, people's labels and notes) are on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Annotated {
    /// Spans, by span id.
    Spans,
    /// Whole traces, by trace id.
    Traces,
}

/// The path and query of a page of the annotations on some spans or traces.
pub fn annotations(project: &str, on: Annotated, ids: &[String], cursor: Option<&str>) -> String {
    let (what, key) = match on {
        Annotated::Spans => ("span_annotations", "span_ids"),
        Annotated::Traces => ("trace_annotations", "trace_ids"),
    };
    let ids: String = ids
        .iter()
        .map(|id| format!("&{key}={}", query_value(id)))
        .collect();
    format!(
        "/v1/projects/{}/{what}?limit={ANNOTATIONS_PAGE}{ids}{}",
        query_value(project),
        cursor_part(cursor)
    )
}

/// A page of annotations as JSON Lines, one annotation per line (what [`crate::ingest`] reads as
/// evaluations, a person's as annotations), and the next page's cursor.
pub fn read_annotations(body: &[u8]) -> Result<(String, Option<String>), String> {
    let page: Page<serde_json::Value> = read(body, "annotations")?;
    let lines: Vec<String> = page.data.iter().map(ToString::to_string).collect();
    Ok((lines.join("\n"), page.next_cursor))
}

fn cursor_part(cursor: Option<&str>) -> String {
    cursor.map_or_else(String::new, |c| format!("&cursor={}", query_value(c)))
}

/// A page of Phoenix's answers: its items and where the next page starts.
#[derive(Deserialize)]
struct Page<T> {
    data: Vec<T>,
    #[serde(default)]
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct Project {
    name: String,
}

#[derive(Deserialize)]
struct Trace {
    trace_id: String,
    #[serde(default)]
    start_time: Option<String>,
    #[serde(default)]
    end_time: Option<String>,
    #[serde(default)]
    token_count_total: Option<u64>,
}

/// A span of Phoenix's OTLP page, as far as its id.
#[derive(Deserialize)]
struct SpanId {
    #[serde(default)]
    span_id: String,
}

#[derive(Deserialize)]
struct Cursor {
    #[serde(default)]
    next_cursor: Option<String>,
}

/// Project names, and the next page's cursor.
pub fn read_projects(body: &[u8]) -> Result<(Vec<String>, Option<String>), String> {
    let page: Page<Project> = read(body, "projects")?;
    Ok((
        page.data.into_iter().map(|p| p.name).collect(),
        page.next_cursor,
    ))
}

/// A page of traces (id, start, duration and tokens), and the next page's cursor.
pub fn read_traces(body: &[u8]) -> Result<(Vec<RemoteTrace>, Option<String>), String> {
    let page: Page<Trace> = read(body, "traces")?;
    let time = |text: &Option<String>| text.as_deref().and_then(phoenix_time);
    let traces = (page.data.into_iter())
        .map(|trace| {
            let (start, end) = (time(&trace.start_time), time(&trace.end_time));
            RemoteTrace {
                start_ns: start,
                duration_ns: start.zip(end).map(|(start, end)| end.saturating_sub(start)),
                tokens: trace.token_count_total,
                name: None,
                id: trace.trace_id,
            }
        })
        .collect();
    Ok((traces, page.next_cursor))
}

/// A time as Phoenix writes it (ISO 8601, with or without a zone: UTC then).
fn phoenix_time(text: &str) -> Option<u64> {
    crate::model::parse_rfc3339_nanos(text)
        .or_else(|| crate::model::parse_rfc3339_nanos(&format!("{text}Z")))
}

/// The span ids of a page of spans (`/spans/otlpv1`: `data`, a list of spans), as Phoenix
/// names them.
pub fn span_ids(body: &[u8]) -> Result<Vec<String>, String> {
    let page: Page<SpanId> = read(body, "spans")?;
    Ok(page.data.into_iter().map(|span| span.span_id).collect())
}

/// The next page's cursor of a page of spans (its spans are read as a file is).
pub fn spans_cursor(body: &[u8]) -> Result<Option<String>, String> {
    read::<Cursor>(body, "spans").map(|page| page.next_cursor)
}

fn read<'a, T: Deserialize<'a>>(body: &'a [u8], what: &str) -> Result<T, String> {
    serde_json::from_slice(body)
        .map_err(|error| format!("Phoenix's page of {what} does not read: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_say_what_is_asked() {
        let query = Search {
            project: "chatbot demo".into(),
            filter: Some("latency_ms > 1000".into()),
            since: Some("2026-12-01T00:00:00Z".into()),
            until: Some("2026-12-02T00:00:00Z".into()),
            operation: None,
        };
        assert_eq!(
            traces(&query, 100, Some("abc=")),
            "/v1/projects/chatbot%20demo/traces?limit=100&sort=start_time&order=desc\
             &filter=latency_ms%20%3E%201000&start_time=2026-12-01T00%3A00%3A00Z\
             &end_time=2026-12-02T00%3A00%3A00Z&cursor=abc%3D"
        );
        assert_eq!(
            spans("p", &["a1".into(), "b2".into()], None, false),
            "/v1/projects/p/spans/otlpv1?limit=1000&trace_id=a1&trace_id=b2"
        );
        assert_eq!(
            spans("p", &["a1".into()], Some("c"), true),
            "/v1/projects/p/spans/otlpv1?limit=100&trace_id=a1&cursor=c"
        );
        assert_eq!(projects(None), "/v1/projects?limit=100");
    }

    #[test]
    fn pages_read_and_say_when_they_do_not() {
        let body = br#"{"data":[{"id":"UHJvamVjdDox","name":"default","description":null}],"next_cursor":"x"}"#;
        assert_eq!(
            read_projects(body),
            Ok((vec!["default".into()], Some("x".into())))
        );
        let body = br#"{"data":[{"id":"VHJhY2U6MQ==","trace_id":"3a34","project_id":"p","start_time":"2026-12-01T00:00:00+00:00","end_time":"2026-12-01T00:00:01+00:00"}],"next_cursor":null}"#;
        let one = RemoteTrace {
            id: "3a34".into(),
            name: None,
            start_ns: crate::model::parse_rfc3339_nanos("2026-12-01T00:00:00Z"),
            duration_ns: Some(1_000_000_000),
            tokens: Some(12),
        };
        let body = String::from_utf8_lossy(body)
            .replace("\"end_time", "\"token_count_total\":12,\"end_time");
        assert_eq!(read_traces(body.as_bytes()), Ok((vec![one], None)));
        let spans =
            br#"{"data":[{"span_id":"b7ad","name":"a"},{"span_id":"c8be"}],"next_cursor":null}"#;
        assert_eq!(span_ids(spans), Ok(vec!["b7ad".into(), "c8be".into()]));
        assert_eq!(
            spans_cursor(br#"{"data":[],"next_cursor":"c"}"#),
            Ok(Some("c".into()))
        );
        assert!(
            read_traces(b"<html>")
                .unwrap_err()
                .contains("does not read")
        );
    }
}
