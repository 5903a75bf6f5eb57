//! The tags by which OpenTelemetry's Jaeger and Zipkin exporters carry what those formats have no
//! field for (span kind, status, scope), read back into OTLP fields.

use crate::attributes::Value;
use crate::model::{SpanKind, StatusCode};

/// OTLP fields recovered from tags, and the tags that remain attributes.
#[derive(Default)]
pub(crate) struct FromTags {
    pub(crate) kind: Option<SpanKind>,
    pub(crate) status_code: StatusCode,
    pub(crate) status_message: String,
    pub(crate) scope_name: String,
    pub(crate) scope_version: String,
    pub(crate) trace_state: String,
    pub(crate) attributes: Vec<(String, Value)>,
}

fn as_text(value: &Value) -> String {
    match value {
        Value::Str(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Double(x) => x.to_string(),
        _ => String::new(),
    }
}

/// Splits the special tags off `tags`.
pub(crate) fn from_tags(tags: Vec<(String, Value)>) -> FromTags {
    let mut out = FromTags::default();
    let mut otel_status = None;
    let mut error: Option<String> = None;
    for (key, value) in tags {
        match key.as_str() {
            "span.kind" => out.kind = SpanKind::from_name(&as_text(&value)),
            "otel.status_code" => otel_status = StatusCode::from_name(&as_text(&value)),
            "otel.status_description" => out.status_message = as_text(&value),
            "otel.scope.name" | "otel.library.name" => out.scope_name = as_text(&value),
            "otel.scope.version" | "otel.library.version" => out.scope_version = as_text(&value),
            "w3c.tracestate" => out.trace_state = as_text(&value),
            // Jaeger writes `error: true`; Zipkin writes the message (or "" / "true").
            "error" => error = Some(as_text(&value)),
            _ => out.attributes.push((key, value)),
        }
    }
    out.status_code = match (otel_status, error.as_deref()) {
        (Some(code), _) => code,
        (None, Some("false")) => StatusCode::Unset,
        (None, Some(_)) => StatusCode::Error,
        (None, None) => StatusCode::Unset,
    };
    // Zipkin's `error` tag holds the message; Jaeger's holds `true`.
    if out.status_code == StatusCode::Error
        && out.status_message.is_empty()
        && let Some(message) = error.filter(|m| !matches!(m.as_str(), "" | "true" | "false"))
    {
        out.status_message = message;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn special_tags_become_fields() {
        let out = from_tags(tags(&[
            ("span.kind", Value::from("server")),
            ("otel.status_code", Value::from("ERROR")),
            ("otel.status_description", Value::from("boom")),
            ("error", Value::Bool(true)),
            ("otel.scope.name", Value::from("lib")),
            ("http.method", Value::from("GET")),
        ]));
        assert_eq!(out.kind, Some(SpanKind::Server));
        assert_eq!(out.status_code, StatusCode::Error);
        assert_eq!(out.status_message, "boom");
        assert_eq!(out.scope_name, "lib");
        assert_eq!(out.attributes, tags(&[("http.method", Value::from("GET"))]));
    }

    #[test]
    fn zipkin_error_tag_carries_the_message() {
        let out = from_tags(tags(&[("error", Value::from("connection refused"))]));
        assert_eq!(out.status_code, StatusCode::Error);
        assert_eq!(out.status_message, "connection refused");
        let out = from_tags(tags(&[("error", Value::from("false"))]));
        assert_eq!(out.status_code, StatusCode::Unset);
        // OpenTelemetry's Zipkin exporter writes both.
        let out = from_tags(tags(&[
            ("otel.status_code", Value::from("ERROR")),
            ("error", Value::from("tool failed")),
        ]));
        assert_eq!(
            (out.status_code, out.status_message.as_str()),
            (StatusCode::Error, "tool failed")
        );
    }
}
