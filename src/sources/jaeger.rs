//! Jaeger's query API (the one Jaeger UI reads, `/api/…`): its services, a service's recent
//! traces (whole: the search answers with their spans, in the Jaeger JSON [`crate::ingest`]
//! reads) and a trace by id.

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
    }
}
