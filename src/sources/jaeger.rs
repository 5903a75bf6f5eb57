//! Jaeger's query APIs: API v3 (Jaeger 2's `/api/v3/…`: OTLP under `result`, which
//! [`unwrap_v3`] hands to [`crate::ingest`] as OTLP JSON Lines) where the server offers it, else
//! the v1 API Jaeger UI read (`/api/…`, Jaeger JSON): its services, a service's recent traces
//! (whole: the search answers with their spans) and a trace by id.

use serde::Deserialize;

use super::query_value;

/// The path of the services list.
pub fn services() -> String {
    "/api/services".to_owned()
}

/// The path of a search: a service's traces, at most `limit`, started at or after `since_nanos`
/// (Jaeger takes microseconds).
pub fn traces(service: &str, limit: usize, since_nanos: Option<u64>) -> String {
    let start = since_nanos.map_or_else(String::new, |nanos| format!("&start={}", nanos / 1000));
    format!(
        "/api/traces?service={}&limit={limit}{start}",
        query_value(service)
    )
}

/// The path of one trace.
pub fn trace(id: &str) -> String {
    format!("/api/traces/{}", query_value(id))
}

/// API v3's services list (a 404 there: the server does not offer v3).
pub fn services_v3() -> String {
    "/api/v3/services".to_owned()
}

/// API v3's search: a service's traces, at most `limit`, started from `since_nanos` (else a day
/// before `now_nanos`) to `now_nanos`.
pub fn traces_v3(service: &str, limit: usize, since_nanos: Option<u64>, now_nanos: u64) -> String {
    const DAY_NANOS: u64 = 86_400_000_000_000;
    let from = since_nanos.unwrap_or(now_nanos.saturating_sub(DAY_NANOS));
    let time = |nanos| query_value(&crate::model::format_rfc3339_nanos(nanos));
    format!(
        "/api/v3/traces?query.service_name={}&query.start_time_min={}&query.start_time_max={}\
         &query.search_depth={limit}",
        query_value(service),
        time(from),
        time(now_nanos)
    )
}

/// API v3's trace by id.
pub fn trace_v3(id: &str) -> String {
    format!("/api/v3/traces/{}", query_value(id))
}

#[derive(Deserialize)]
struct Services {
    #[serde(default)]
    services: Vec<String>,
}

/// The services an API v3 answer names.
pub fn read_services_v3(body: &[u8]) -> Result<Vec<String>, String> {
    serde_json::from_slice::<Services>(body)
        .map(|answer| answer.services)
        .map_err(|error| format!("Jaeger's list of services does not read: {error}"))
}

/// The OTLP/JSON documents an API v3 answer holds (one `{"result": …}` per streamed chunk), as
/// JSON Lines.
pub fn unwrap_v3(body: &[u8]) -> Result<Vec<u8>, String> {
    let mut lines = Vec::new();
    let chunks = serde_json::Deserializer::from_slice(body).into_iter::<serde_json::Value>();
    for chunk in chunks {
        let mut chunk = chunk.map_err(|error| format!("Jaeger's answer does not read: {error}"))?;
        let result = chunk
            .get_mut("result")
            .map(serde_json::Value::take)
            .ok_or_else(|| {
                let said = chunk
                    .get("error")
                    .map_or_else(|| chunk.to_string(), ToString::to_string);
                format!("Jaeger's answer holds no result: {said}")
            })?;
        serde_json::to_writer(&mut lines, &result).map_err(|error| error.to_string())?;
        lines.push(b'\n');
    }
    Ok(lines)
}

#[derive(Deserialize)]
struct Data {
    #[serde(default)]
    data: Option<Vec<String>>,
}

/// The services a services answer names.
pub fn read_services(body: &[u8]) -> Result<Vec<String>, String> {
    serde_json::from_slice::<Data>(body)
        .map(|page| page.data.unwrap_or_default())
        .map_err(|error| format!("Jaeger's list of services does not read: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_services() {
        assert_eq!(
            traces("chat bot", 20, Some(1_764_547_200_000_000_000)),
            "/api/traces?service=chat%20bot&limit=20&start=1764547200000000"
        );
        assert_eq!(trace("7b3f"), "/api/traces/7b3f");
        assert_eq!(
            read_services(br#"{"data":["a","b"],"total":2,"limit":0,"offset":0,"errors":null}"#),
            Ok(vec!["a".into(), "b".into()])
        );
        assert_eq!(read_services(br#"{"data":null}"#), Ok(vec![]));
        let now = 1_796_169_600_000_000_000; // 2026-12-02T00:00:00Z
        assert_eq!(
            traces_v3("api", 20, None, now),
            "/api/v3/traces?query.service_name=api\
             &query.start_time_min=2026-12-01T00%3A00%3A00.000000000Z\
             &query.start_time_max=2026-12-02T00%3A00%3A00.000000000Z&query.search_depth=20"
        );
        assert_eq!(trace_v3("01"), "/api/v3/traces/01");
        assert_eq!(
            read_services_v3(br#"{"services":["foo"]}"#),
            Ok(vec!["foo".into()])
        );
        let streamed = br#"{"result":{"resourceSpans":[1]}}
{"result":{"resourceSpans":[2]}}"#;
        assert_eq!(
            unwrap_v3(streamed),
            Ok(b"{\"resourceSpans\":[1]}\n{\"resourceSpans\":[2]}\n".to_vec())
        );
        assert!(
            unwrap_v3(br#"{"error":{"code":5,"message":"not found"}}"#)
                .unwrap_err()
                .contains("not found")
        );
    }
}
