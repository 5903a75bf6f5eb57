//! What OpenInference attributes mean, read from a span's nested attributes: chat messages, tool
//! calls, documents, embeddings, token counts — what the details panel shows as such rather than
//! as keys. Every reader is forgiving: a missing or odd-shaped attribute gives nothing, not an
//! error, and the raw attributes stay one click away.

use crate::attributes::{Map, Value, python_json_dumps};

/// One chat message (`llm.input_messages.N.message`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Message {
    /// `user`, `assistant`, `system`, `tool`, …
    pub role: String,
    /// Plain text content.
    pub content: Option<String>,
    /// Multi-part content (`message.contents`).
    pub parts: Vec<ContentPart>,
    /// Tool calls the message asks for.
    pub tool_calls: Vec<ToolCall>,
    /// `message.name` (function or participant name).
    pub name: Option<String>,
    /// `message.tool_call_id`: which call a tool message answers.
    pub tool_call_id: Option<String>,
}

/// A part of a multi-part message.
#[derive(Clone, Debug, PartialEq)]
pub enum ContentPart {
    /// Text.
    Text(String),
    /// An image, by its URL (shown as text: it may be a data URL of any size).
    Image(String),
    /// Anything else, as JSON.
    Other(String),
}

/// A function call requested by the model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ToolCall {
    /// `tool_call.id`.
    pub id: Option<String>,
    /// `tool_call.function.name`.
    pub name: String,
    /// `tool_call.function.arguments`, pretty-printed when it is JSON.
    pub arguments: String,
}

/// A retrieved (or reranked) document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// `document.id`.
    pub id: Option<String>,
    /// `document.score`.
    pub score: Option<f64>,
    /// `document.content`.
    pub content: Option<String>,
    /// `document.metadata`, pretty JSON.
    pub metadata: Option<String>,
}

/// One embedded text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Embedding {
    /// `embedding.text`.
    pub text: Option<String>,
    /// Length of `embedding.vector`.
    pub dimensions: usize,
}

/// A map member (`Value::Map` only).
fn member<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Map(map) => map.get(key),
        _ => None,
    }
}

/// A value at a dotted path under a value.
fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, member)
}

/// A value as display text: strings as they are, anything else as compact JSON.
pub fn text(value: &Value) -> String {
    match value {
        Value::Str(s) => s.clone(),
        Value::Null => String::new(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn opt_text(value: Option<&Value>) -> Option<String> {
    value.filter(|v| **v != Value::Null).map(text)
}

fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Int(n) => Some(*n as f64),
        Value::Double(x) => Some(*x),
        Value::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `text` pretty-printed when it is a JSON object or array.
pub fn pretty_json(text: &str) -> Option<String> {
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    serde_json::to_string_pretty(&json).ok()
}

/// A structured value (a map or list) as pretty JSON; text as it is.
pub fn pretty(value: &Value) -> String {
    match value {
        Value::Str(s) => pretty_json(s).unwrap_or_else(|| s.clone()),
        Value::Map(_) | Value::Array(_) => serde_json::to_string_pretty(value).unwrap_or_default(),
        other => text(other),
    }
}

/// The list at `path` (e.g. `llm.input_messages`).
fn list<'a>(attributes: &'a Map, path: &str) -> &'a [Value] {
    match attributes.get_path(path) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// Chat messages at `path` (`llm.input_messages` or `llm.output_messages`).
pub fn messages(attributes: &Map, path: &str) -> Vec<Message> {
    list(attributes, path)
        .iter()
        .filter_map(|item| member(item, "message"))
        .map(|message| Message {
            role: opt_text(member(message, "role")).unwrap_or_default(),
            content: opt_text(member(message, "content")),
            parts: match member(message, "contents") {
                Some(Value::Array(parts)) => parts.iter().filter_map(content_part).collect(),
                _ => Vec::new(),
            },
            tool_calls: match member(message, "tool_calls") {
                Some(Value::Array(calls)) => calls.iter().filter_map(tool_call).collect(),
                _ => Vec::new(),
            },
            name: opt_text(member(message, "name")),
            tool_call_id: opt_text(member(message, "tool_call_id")),
        })
        .collect()
}

fn content_part(item: &Value) -> Option<ContentPart> {
    let part = member(item, "message_content")?;
    let kind = opt_text(member(part, "type")).unwrap_or_default();
    Some(match kind.as_str() {
        "image" => ContentPart::Image(opt_text(at(part, "image.image.url")).unwrap_or_default()),
        _ => match opt_text(member(part, "text")) {
            Some(text) => ContentPart::Text(text),
            None => ContentPart::Other(serde_json::to_string(part).unwrap_or_default()),
        },
    })
}

fn tool_call(item: &Value) -> Option<ToolCall> {
    let call = member(item, "tool_call")?;
    let arguments = opt_text(at(call, "function.arguments")).unwrap_or_default();
    Some(ToolCall {
        id: opt_text(member(call, "id")),
        name: opt_text(at(call, "function.name")).unwrap_or_default(),
        arguments: pretty_json(&arguments).unwrap_or(arguments),
    })
}

/// Documents at `path` (`retrieval.documents`, `reranker.input_documents`, …).
pub fn documents(attributes: &Map, path: &str) -> Vec<Document> {
    list(attributes, path)
        .iter()
        .filter_map(|item| member(item, "document"))
        .map(|document| Document {
            id: opt_text(member(document, "id")),
            score: number(member(document, "score")),
            content: opt_text(member(document, "content")),
            metadata: member(document, "metadata")
                .filter(|m| **m != Value::Null)
                .map(pretty),
        })
        .collect()
}

/// Embeddings (`embedding.embeddings`).
pub fn embeddings(attributes: &Map) -> Vec<Embedding> {
    list(attributes, "embedding.embeddings")
        .iter()
        .filter_map(|item| member(item, "embedding"))
        .map(|embedding| Embedding {
            text: opt_text(member(embedding, "text")),
            dimensions: match member(embedding, "vector") {
                Some(Value::Array(items)) => items.len(),
                _ => 0,
            },
        })
        .collect()
}

/// Every token count under `llm.token_count`, flattened (`prompt`, `completion`, `total`,
/// `prompt_details.cache_read`, …), with `total` derived when it is missing.
pub fn token_counts(attributes: &Map) -> Vec<(String, f64)> {
    let mut counts = Vec::new();
    if let Some(Value::Map(map)) = attributes.get_path("llm.token_count") {
        collect_numbers("", map, &mut counts);
    }
    let has = |name: &str| counts.iter().any(|(k, _)| k == name);
    if !has("total") && (has("prompt") || has("completion")) {
        let sum: f64 = counts
            .iter()
            .filter(|(k, _)| k == "prompt" || k == "completion")
            .map(|(_, v)| v)
            .sum();
        counts.push(("total".to_owned(), sum));
    }
    counts
}

fn collect_numbers(prefix: &str, map: &Map, out: &mut Vec<(String, f64)>) {
    for (key, value) in map.iter() {
        let name = if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Map(inner) => collect_numbers(&name, inner, out),
            other => {
                if let Some(n) = number(Some(other)) {
                    out.push((name, n));
                }
            }
        }
    }
}

/// A text attribute at `path`.
pub fn string(attributes: &Map, path: &str) -> Option<String> {
    opt_text(attributes.get_path(path))
}

/// `input.value` / `output.value` for display: pretty JSON when the mime type says JSON (or it
/// parses as JSON), else the text.
pub fn io_value(attributes: &Map, root: &str) -> Option<String> {
    let value = attributes.get_path(&format!("{root}.value"))?;
    let text = match value {
        Value::Str(s) => s.clone(),
        other => python_json_dumps(other),
    };
    Some(pretty_json(&text).unwrap_or(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::unflatten;

    fn attrs(pairs: &[(&str, Value)]) -> Map {
        unflatten(pairs.iter().map(|(k, v)| (*k, v.clone())))
    }

    #[test]
    fn chat_messages_with_parts_and_tool_calls() {
        let a = attrs(&[
            ("llm.input_messages.0.message.role", Value::from("system")),
            (
                "llm.input_messages.0.message.content",
                Value::from("Be brief."),
            ),
            ("llm.input_messages.1.message.role", Value::from("user")),
            (
                "llm.input_messages.1.message.contents.0.message_content.type",
                Value::from("text"),
            ),
            (
                "llm.input_messages.1.message.contents.0.message_content.text",
                Value::from("What is this?"),
            ),
            (
                "llm.input_messages.1.message.contents.1.message_content.type",
                Value::from("image"),
            ),
            (
                "llm.input_messages.1.message.contents.1.message_content.image.image.url",
                Value::from("https://x/y.png"),
            ),
            (
                "llm.output_messages.0.message.role",
                Value::from("assistant"),
            ),
            (
                "llm.output_messages.0.message.tool_calls.0.tool_call.id",
                Value::from("call_1"),
            ),
            (
                "llm.output_messages.0.message.tool_calls.0.tool_call.function.name",
                Value::from("get_weather"),
            ),
            (
                "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments",
                Value::from("{\"city\":\"Paris\"}"),
            ),
        ]);
        let input = messages(&a, "llm.input_messages");
        assert_eq!(input.len(), 2);
        assert_eq!(
            (input[0].role.as_str(), input[0].content.as_deref()),
            ("system", Some("Be brief."))
        );
        assert_eq!(
            input[1].parts,
            [
                ContentPart::Text("What is this?".into()),
                ContentPart::Image("https://x/y.png".into())
            ]
        );
        let output = messages(&a, "llm.output_messages");
        assert_eq!(output[0].tool_calls[0].name, "get_weather");
        assert_eq!(
            output[0].tool_calls[0].arguments,
            "{\n  \"city\": \"Paris\"\n}"
        );
        assert_eq!(output[0].tool_calls[0].id.as_deref(), Some("call_1"));
    }

    #[test]
    fn documents_embeddings_tokens() {
        let a = attrs(&[
            ("retrieval.documents.0.document.id", Value::from("doc-1")),
            ("retrieval.documents.0.document.score", Value::Double(0.92)),
            (
                "retrieval.documents.0.document.content",
                Value::from("A trace is a tree of spans."),
            ),
            (
                "retrieval.documents.1.document.content",
                Value::from("second"),
            ),
            (
                "embedding.embeddings.0.embedding.text",
                Value::from("hello"),
            ),
            (
                "embedding.embeddings.0.embedding.vector",
                Value::Array(vec![Value::Double(0.1); 8]),
            ),
            ("llm.token_count.prompt", Value::Int(9)),
            ("llm.token_count.completion", Value::Int(25)),
            ("llm.token_count.prompt_details.cache_read", Value::Int(4)),
        ]);
        let docs = documents(&a, "retrieval.documents");
        assert_eq!(docs.len(), 2);
        assert_eq!(
            (docs[0].id.as_deref(), docs[0].score),
            (Some("doc-1"), Some(0.92))
        );
        assert_eq!(docs[1].score, None);
        assert_eq!(embeddings(&a)[0].dimensions, 8);
        let tokens = token_counts(&a);
        assert!(tokens.contains(&("prompt_details.cache_read".to_owned(), 4.0)));
        assert!(
            tokens.contains(&("total".to_owned(), 34.0)),
            "derived total: {tokens:?}"
        );
    }

    #[test]
    fn io_values_pretty_print_json() {
        let a = attrs(&[
            ("input.value", Value::from("{\"a\":1}")),
            ("input.mime_type", Value::from("application/json")),
            ("output.value", Value::from("<img src=x onerror=alert(1)>")),
        ]);
        assert_eq!(io_value(&a, "input").as_deref(), Some("{\n  \"a\": 1\n}"));
        assert_eq!(
            io_value(&a, "output").as_deref(),
            Some("<img src=x onerror=alert(1)>")
        );
        assert_eq!(io_value(&a, "nothing"), None);
    }
}
