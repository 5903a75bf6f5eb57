//! Grafana Tempo's HTTP API: a TraceQL search (`/api/search`, the traces' ids) and a trace by id
//! (`/api/v2/traces/{id}`: asked for as protobuf, `tempopb.TraceByIDResponse`, whose field 1 is
//! the trace as OTLP's `TracesData`; a Tempo that answers JSON wraps OTLP/JSON in `trace`, ids
//! in base64). [`unwrap_trace`] hands [`crate::ingest`] the OTLP document either holds.

use serde::Deserialize;

use super::{RemoteTrace, query_value};

/// The path of a TraceQL search (`{}`: every trace), at most `limit` traces, in the `range` of
/// start times given (from its start, else a day before its end; Tempo takes seconds; without
/// one, its recent blocks).
pub fn search(traceql: &str, limit: usize, range: Option<(Option<u64>, u64)>) -> String {
    const DAY_NANOS: u64 = 86_400_000_000_000;
    let range = range.map_or_else(String::new, |(since, end)| {
        format!(
            "&start={}&end={}",
            since.unwrap_or(end.saturating_sub(DAY_NANOS)) / 1_000_000_000,
            end.div_ceil(1_000_000_000)
        )
    });
    format!(
        "/api/search?q={}&limit={limit}{range}",
        query_value(traceql)
    )
}

/// What a trace is asked for as: Tempo answers protobuf only for exactly this `Accept`.
pub const PROTOBUF: &str = "application/protobuf";

/// The path of one trace.
pub fn trace(id: &str) -> String {
    format!("/api/v2/traces/{}", query_value(id))
}

#[derive(Deserialize)]
struct Search {
    #[serde(default)]
    traces: Vec<Found>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Found {
    #[serde(rename = "traceID")]
    trace_id: String,
    #[serde(default)]
    root_service_name: Option<String>,
    #[serde(default)]
    root_trace_name: Option<String>,
    #[serde(default)]
    start_time_unix_nano: Option<String>,
    #[serde(default)]
    duration_ms: Option<f64>,
}

/// The traces a search found: id, root's service and name, start and duration.
pub fn read_search(body: &[u8]) -> Result<Vec<RemoteTrace>, String> {
    let search = serde_json::from_slice::<Search>(body)
        .map_err(|error| format!("Tempo's search results do not read: {error}"))?;
    Ok((search.traces.into_iter())
        .map(|found| RemoteTrace {
            name: match (found.root_service_name, found.root_trace_name) {
                (Some(service), Some(name)) => Some(format!("{service}: {name}")),
                (service, name) => name.or(service),
            },
            start_ns: found.start_time_unix_nano.and_then(|t| t.parse().ok()),
            duration_ns: found.duration_ms.map(|ms| (ms * 1e6) as u64),
            tokens: None,
            id: found.trace_id,
        })
        .collect())
}

/// The OTLP document a trace answer holds: as protobuf, the trace (field 1 of
/// `TraceByIDResponse`, an OTLP `TracesData`); as JSON, what is under `trace` (API v2), else
/// the answer as it is (API v1's `batches`).
pub fn unwrap_trace(body: &[u8]) -> Result<Vec<u8>, String> {
    if body.trim_ascii_start().first() != Some(&b'{') {
        return unwrap_protobuf(body);
    }
    let mut answer: serde_json::Value = serde_json::from_slice(body)
        .map_err(|error| format!("Tempo's trace does not read: {error}"))?;
    match answer.get_mut("trace").map(serde_json::Value::take) {
        Some(trace) => serde_json::to_vec(&trace).map_err(|error| error.to_string()),
        None => Ok(body.to_vec()),
    }
}

/// The trace of a protobuf `TraceByIDResponse`: field 1, wherever it is (a message's field that
/// comes twice is the two merged: their bytes one after the other).
fn unwrap_protobuf(body: &[u8]) -> Result<Vec<u8>, String> {
    let mut trace = Vec::new();
    for field in crate::ingest::wire::fields(body) {
        let field = field.map_err(|error| {
            format!(
                "Tempo's trace (protobuf) does not read at byte {}: {}",
                error.offset, error.message
            )
        })?;
        if let (1, crate::ingest::wire::WireValue::Bytes(bytes)) = (field.number, field.value) {
            trace.extend_from_slice(bytes);
        }
    }
    Ok(trace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_and_traces() {
        let now = 1_764_633_600_500_000_000;
        assert_eq!(
            search(
                "{ span.http.status_code >= 500 }",
                20,
                Some((Some(1_764_547_200_000_000_000), now))
            ),
            "/api/search?q=%7B%20span.http.status_code%20%3E%3D%20500%20%7D&limit=20\
             &start=1764547200&end=1764633601"
        );
        assert_eq!(search("{}", 5, None), "/api/search?q=%7B%7D&limit=5");
        // Until a time, from a day before it.
        assert_eq!(
            search("{}", 5, Some((None, 1_764_633_600_000_000_000))),
            "/api/search?q=%7B%7D&limit=5&start=1764547200&end=1764633600"
        );
        assert_eq!(trace("5b8e"), "/api/v2/traces/5b8e");
        assert_eq!(
            read_search(
                br#"{"traces":[{"traceID":"d6e9329d67b6146a","rootServiceName":"shop","rootTraceName":"GET /","startTimeUnixNano":"1684778327699392724","durationMs":611}],"metrics":{}}"#
            ),
            Ok(vec![RemoteTrace {
                id: "d6e9329d67b6146a".into(),
                name: Some("shop: GET /".into()),
                start_ns: Some(1_684_778_327_699_392_724),
                duration_ns: Some(611_000_000),
                tokens: None,
            }])
        );
        assert_eq!(read_search(br#"{"metrics":{}}"#), Ok(vec![]));
        assert_eq!(
            unwrap_trace(br#"{"trace":{"resourceSpans":[]}}"#),
            Ok(br#"{"resourceSpans":[]}"#.to_vec())
        );
        assert_eq!(
            unwrap_trace(br#"{"batches":[]}"#),
            Ok(br#"{"batches":[]}"#.to_vec())
        );
        assert!(unwrap_trace(b"{html").is_err());
        // As protobuf: field 1 (the trace) kept, field 2 (metrics) left; a cut answer refused.
        let answer = [0x0A, 2, 0x0A, 0, 0x12, 1, 0x08, 0x0A, 1, 0x0A];
        assert_eq!(unwrap_trace(&answer), Ok(vec![0x0A, 0, 0x0A]));
        assert!(
            unwrap_trace(&[0x0A, 5, 1])
                .unwrap_err()
                .contains("at byte 0")
        );
    }
}
