//! Zipkin's v2 API: its services, a service's recent traces (whole: the search answers with
//! their spans, as the Zipkin JSON [`crate::ingest`] reads) and a trace by id.

use super::{Search, query_value};

/// Zipkin looks back this far by default (a day), in milliseconds.
const DAY_MILLIS: u64 = 86_400_000;

/// The path of the services list.
pub fn services() -> String {
    "/api/v2/services".to_owned()
}

/// The path of a service's span names.
pub fn span_names(service: &str) -> String {
    format!("/api/v2/spans?serviceName={}", query_value(service))
}

/// The path of a search: `search`'s service's traces (with a span of its operation, matching
/// its filter, Zipkin's annotation query), at most `limit`, started at or after `since_nanos`
/// (else in the day before `end_nanos`), up to `end_nanos` (Zipkin takes an end and a look back,
/// in ms).
pub fn traces(search: &Search, limit: usize, since_nanos: Option<u64>, end_nanos: u64) -> String {
    let end = end_nanos / 1_000_000;
    let lookback = since_nanos.map_or(DAY_MILLIS, |since| end.saturating_sub(since / 1_000_000));
    let mut path = format!(
        "/api/v2/traces?serviceName={}",
        query_value(&search.project)
    );
    if let Some(operation) = search.named_operation() {
        path.push_str(&format!("&spanName={}", query_value(operation)));
    }
    if let Some(query) = search.given_filter() {
        path.push_str(&format!("&annotationQuery={}", query_value(query)));
    }
    path + &format!("&limit={limit}&endTs={end}&lookback={lookback}")
}

/// The path of one trace. A 64-bit id Plume writes as 32 hex digits (16 zeros first) is asked
/// for as Zipkin writes it, in 16.
pub fn trace(id: &str) -> String {
    let id = match id.strip_prefix("0000000000000000") {
        Some(low) if id.len() == 32 => low,
        _ => id,
    };
    format!("/api/v2/trace/{}", query_value(id))
}

/// The names a services or span names answer holds (a JSON array of names).
pub fn read_names(body: &[u8]) -> Result<Vec<String>, String> {
    serde_json::from_slice(body).map_err(|error| format!("Zipkin's list does not read: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_services() {
        let now = 1_764_633_600_000_000_000; // 2025-12-02T00:00:00Z
        let mut search = Search {
            project: "frontend".into(),
            ..Search::default()
        };
        // A range: its end, and a look back to its start.
        assert_eq!(
            traces(&search, 10, Some(now - 3_600_000_000_000), now),
            "/api/v2/traces?serviceName=frontend&limit=10&endTs=1764633600000&lookback=3600000"
        );
        assert!(traces(&search, 10, None, now).ends_with("&lookback=86400000"));
        search.operation = Some("get /api".into());
        search.filter = Some("http.method=GET and error".into());
        assert_eq!(
            traces(&search, 1, None, now),
            "/api/v2/traces?serviceName=frontend&spanName=get%20%2Fapi\
             &annotationQuery=http.method%3DGET%20and%20error&limit=1&endTs=1764633600000\
             &lookback=86400000"
        );
        assert_eq!(span_names("a b"), "/api/v2/spans?serviceName=a%20b");
        assert_eq!(trace("463ac35c9f6413ad"), "/api/v2/trace/463ac35c9f6413ad");
        assert_eq!(
            trace("0000000000000000463ac35c9f6413ad"),
            "/api/v2/trace/463ac35c9f6413ad"
        );
        let wide = "5af7183fb1d4cf5f463ac35c9f6413ad";
        assert_eq!(trace(wide), format!("/api/v2/trace/{wide}"));
        assert_eq!(
            read_names(br#"["backend","frontend"]"#),
            Ok(vec!["backend".into(), "frontend".into()])
        );
        assert!(read_names(b"{}").is_err());
    }
}
