//! Jaeger's query APIs: API v3 (Jaeger 2's `/api/v3/…`: OTLP under `result`, which
//! [`unwrap_v3`] hands to [`crate::ingest`] as OTLP JSON Lines) where the server offers it, else
//! the v1 API Jaeger UI read (`/api/…`, Jaeger JSON): its services, a service's recent traces
//! (whole: the search answers with their spans) and a trace by id.

use serde::Deserialize;

use super::{Search, query_value};

/// The path of the services list.
pub fn services() -> String {
    "/api/services".to_owned()
}

/// The path of a service's operations.
pub fn operations(service: &str) -> String {
    format!("/api/services/{}/operations", query_value(service))
}

/// The path of a search: `search`'s service's traces (with its operation and tags), at most
/// `limit`, started at or after `since_nanos` and before `until_nanos` (Jaeger takes
/// microseconds).
pub fn traces(
    search: &Search,
    limit: usize,
    since_nanos: Option<u64>,
    until_nanos: Option<u64>,
) -> Result<String, String> {
    let mut path = format!("/api/traces?service={}", query_value(&search.project));
    if let Some(operation) = search.named_operation() {
        path.push_str(&format!("&operation={}", query_value(operation)));
    }
    if let Some(tags) = tags(search)? {
        path.push_str(&format!("&tags={}", query_value(&tags)));
    }
    path.push_str(&format!("&limit={limit}"));
    if let Some(nanos) = since_nanos {
        path.push_str(&format!("&start={}", nanos / 1000));
    }
    if let Some(nanos) = until_nanos {
        path.push_str(&format!("&end={}", nanos / 1000));
    }
    Ok(path)
}

/// The path of one trace.
pub fn trace(id: &str) -> String {
    format!("/api/traces/{}", query_value(id))
}

/// API v3's services list (a 404 there: the server does not offer v3).
pub fn services_v3() -> String {
    "/api/v3/services".to_owned()
}

/// API v3's operations of a service.
pub fn operations_v3(service: &str) -> String {
    format!("/api/v3/operations?service={}", query_value(service))
}

/// API v3's search: `search`'s service's traces (with its operation and tags as attributes),
/// at most `limit`, started from `since_nanos` (else a day before `end_nanos`) to `end_nanos`.
/// Parameters are named as every Jaeger 2 release so far reads them (snake case).
pub fn traces_v3(
    search: &Search,
    limit: usize,
    since_nanos: Option<u64>,
    end_nanos: u64,
) -> Result<String, String> {
    const DAY_NANOS: u64 = 86_400_000_000_000;
    let from = since_nanos.unwrap_or(end_nanos.saturating_sub(DAY_NANOS));
    let time = |nanos| query_value(&crate::model::format_rfc3339_nanos(nanos));
    let mut path = format!(
        "/api/v3/traces?query.service_name={}",
        query_value(&search.project)
    );
    if let Some(operation) = search.named_operation() {
        path.push_str(&format!("&query.operation_name={}", query_value(operation)));
    }
    if let Some(tags) = tags(search)? {
        path.push_str(&format!("&query.attributes={}", query_value(&tags)));
    }
    path.push_str(&format!(
        "&query.start_time_min={}&query.start_time_max={}&query.search_depth={limit}",
        time(from),
        time(end_nanos)
    ));
    Ok(path)
}

/// API v3's trace by id.
pub fn trace_v3(id: &str) -> String {
    format!("/api/v3/traces/{}", query_value(id))
}

/// The search's filter, tags as Jaeger UI takes them (logfmt: `error=true
/// db.statement="select 1"`), as the JSON object of strings Jaeger's APIs read; none if empty.
fn tags(search: &Search) -> Result<Option<String>, String> {
    let text = search.given_filter().unwrap_or_default();
    let mut tags = serde_json::Map::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (key, after) = rest
            .split_once('=')
            .filter(|(key, _)| {
                !key.is_empty() && !key.contains(char::is_whitespace) && !key.contains('"')
            })
            .ok_or_else(|| {
                format!(
                    "Jaeger's tags are key=value pairs (error=true http.status_code=500): “{text}”"
                )
            })?;
        let (value, after) = match after.strip_prefix('"') {
            Some(quoted) => quoted_value(quoted)
                .ok_or_else(|| format!("a tag's quoted value is not closed: “{text}”"))?,
            None => {
                let (value, after) =
                    after.split_at(after.find(char::is_whitespace).unwrap_or(after.len()));
                (value.to_owned(), after)
            }
        };
        tags.insert(key.to_owned(), value.into());
        rest = after.trim_start();
    }
    Ok((!tags.is_empty()).then(|| serde_json::Value::Object(tags).to_string()))
}

/// A quoted value (what follows its opening `"`; `\"` and `\\` escaped), and what is after it.
fn quoted_value(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((value, &text[at + 1..])),
            '\\' => value.push(chars.next()?.1),
            c => value.push(c),
        }
    }
    None
}

#[derive(Deserialize)]
struct Operations {
    #[serde(default)]
    operations: Vec<Operation>,
}

#[derive(Deserialize)]
struct Operation {
    name: String,
}

/// The operations an API v3 answer names, sorted, each once.
pub fn read_operations_v3(body: &[u8]) -> Result<Vec<String>, String> {
    let answer = serde_json::from_slice::<Operations>(body)
        .map_err(|error| format!("Jaeger's list of operations does not read: {error}"))?;
    let mut names: Vec<String> = answer.operations.into_iter().map(|o| o.name).collect();
    names.sort();
    names.dedup();
    Ok(names)
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

/// The names a services or operations answer holds (under `data`).
pub fn read_names(body: &[u8]) -> Result<Vec<String>, String> {
    serde_json::from_slice::<Data>(body)
        .map(|page| page.data.unwrap_or_default())
        .map_err(|error| format!("Jaeger's list does not read: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(operation: Option<&str>, filter: Option<&str>) -> Search {
        Search {
            project: "chat bot".into(),
            operation: operation.map(Into::into),
            filter: filter.map(Into::into),
            since: None,
            until: None,
        }
    }

    #[test]
    fn searches_name_operations_and_tags() {
        assert_eq!(
            traces(&search(None, None), 20, Some(1_764_547_200_000_000_000), Some(1_764_547_200_000_001_000)),
            Ok("/api/traces?service=chat%20bot&limit=20&start=1764547200000000&end=1764547200000001".into())
        );
        assert_eq!(
            traces(&search(Some("GET /"), Some(r#" error=true  db.statement="select \"a b\"" "#)), 5, None, None),
            Ok("/api/traces?service=chat%20bot&operation=GET%20%2F\
                &tags=%7B%22error%22%3A%22true%22%2C%22db.statement%22%3A%22select%20%5C%22a%20b%5C%22%22%7D\
                &limit=5"
                .into())
        );
        let now = 1_796_169_600_000_000_000; // 2026-12-02T00:00:00Z
        assert_eq!(
            traces_v3(&search(Some("op"), Some("k=v")), 3, None, now),
            Ok(
                "/api/v3/traces?query.service_name=chat%20bot&query.operation_name=op\
                &query.attributes=%7B%22k%22%3A%22v%22%7D\
                &query.start_time_min=2026-12-01T00%3A00%3A00.000000000Z\
                &query.start_time_max=2026-12-02T00%3A00%3A00.000000000Z&query.search_depth=3"
                    .into()
            )
        );
        for bad in ["error", "=x", "a=\"open", "a b=c"] {
            assert!(
                traces(&search(None, Some(bad)), 1, None, None).is_err(),
                "{bad}"
            );
        }
        assert_eq!(operations("a/b"), "/api/services/a%2Fb/operations");
        assert_eq!(operations_v3("a"), "/api/v3/operations?service=a");
        // Jaeger's snapshot of GetOperations, and a list with the same name twice.
        assert_eq!(
            read_operations_v3(
                br#"{"operations":[{"name":"get_users","spanKind":"server"},{"name":"a"},{"name":"a","spanKind":"client"}]}"#
            ),
            Ok(vec!["a".into(), "get_users".into()])
        );
    }

    #[test]
    fn paths_and_services() {
        assert_eq!(trace("7b3f"), "/api/traces/7b3f");
        assert_eq!(
            read_names(br#"{"data":["a","b"],"total":2,"limit":0,"offset":0,"errors":null}"#),
            Ok(vec!["a".into(), "b".into()])
        );
        assert_eq!(read_names(br#"{"data":null}"#), Ok(vec![]));
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
