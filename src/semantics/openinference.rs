//! OpenInference (Arize Phoenix's convention), read from a span's unflattened attributes:
//! `llm.input_messages.N.message.*`, `llm.tools`, `llm.invocation_parameters`,
//! `retrieval.documents`, `reranker.*`, `embedding.embeddings`, `tool.*`, `input.value`,
//! `llm.prompt_template.*`.

use crate::attributes::{Map, Value, pretty, pretty_json, value_text as text};

use super::meaning::{
    Document, Embedding, Meaning, Message, Part, PromptTemplate, ToolDefinition, ToolUse,
};

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

/// The list at `path`.
fn list<'a>(attributes: &'a Map, path: &str) -> &'a [Value] {
    match attributes.get_path(path) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// A text attribute at `path`.
pub(crate) fn string(attributes: &Map, path: &str) -> Option<String> {
    opt_text(attributes.get_path(path)).filter(|s| !s.is_empty())
}

/// Everything OpenInference says of the span, into `meaning`.
pub(crate) fn read(attributes: &Map, meaning: &mut Meaning) {
    meaning.input = messages(attributes, "llm.input_messages");
    meaning.output = messages(attributes, "llm.output_messages");
    meaning.tools = list(attributes, "llm.tools")
        .iter()
        .filter_map(|tool| tool_definition(at(tool, "tool.json_schema")?))
        .collect();
    if let Some(Value::Map(parameters)) = attributes.get_path("llm.invocation_parameters") {
        meaning.parameters = parameters
            .iter()
            .map(|(k, v)| (k.to_owned(), text(v)))
            .collect();
    }
    meaning
        .finish_reasons
        .extend(string(attributes, "llm.finish_reason"));
    meaning.documents = documents(attributes, "retrieval.documents");
    if meaning.documents.is_empty() {
        meaning.documents = documents(attributes, "reranker.input_documents");
    }
    meaning.reranked = documents(attributes, "reranker.output_documents");
    meaning.query = string(attributes, "reranker.query");
    if let Some(top_k) = string(attributes, "reranker.top_k") {
        meaning.parameters.push(("top_k".to_owned(), top_k));
    }
    meaning.embeddings = embeddings(attributes);
    if let Some(name) = string(attributes, "tool.name") {
        meaning.tool = Some(ToolUse {
            name: Some(name),
            description: string(attributes, "tool.description"),
            parameters: attributes.get_path("tool.parameters").map(pretty),
            call_id: string(attributes, "tool_call.id"),
            ..ToolUse::default()
        });
    }
    meaning.agent = string(attributes, "agent.name");
    meaning.input_value = io_value(attributes, "input");
    meaning.output_value = io_value(attributes, "output");
    if let Some(template) = string(attributes, "llm.prompt_template.template") {
        meaning.prompt_template = Some(PromptTemplate {
            template,
            variables: attributes
                .get_path("llm.prompt_template.variables")
                .map(pretty),
            version: string(attributes, "llm.prompt_template.version"),
        });
    }
}

/// Chat messages at `path` (`llm.input_messages` or `llm.output_messages`).
fn messages(attributes: &Map, path: &str) -> Vec<Message> {
    list(attributes, path)
        .iter()
        .filter_map(|item| member(item, "message"))
        .map(|message| {
            // `contents` (the parts) when present; some instrumentations write the same text
            // as `content` beside it.
            let mut parts: Vec<Part> = match member(message, "contents") {
                Some(Value::Array(contents)) => contents.iter().filter_map(content_part).collect(),
                _ => Vec::new(),
            };
            if parts.is_empty()
                && let Some(content) =
                    opt_text(member(message, "content")).filter(|c| !c.is_empty())
            {
                parts.push(Part::Text { text: content });
            }
            if let Some(Value::Array(calls)) = member(message, "tool_calls") {
                parts.extend(calls.iter().filter_map(tool_call));
            }
            let role = opt_text(member(message, "role")).unwrap_or_default();
            let tool_call_id = opt_text(member(message, "tool_call_id"));
            // A tool message's content is what the tool answered.
            if role == "tool" {
                for part in &mut parts {
                    if let Part::Text { text } = part {
                        *part = Part::ToolResult {
                            id: tool_call_id.clone(),
                            name: opt_text(member(message, "name")),
                            result: std::mem::take(text),
                        };
                    }
                }
            }
            Message {
                role,
                name: opt_text(member(message, "name")),
                parts,
                tool_call_id,
                finish_reason: None,
            }
        })
        .collect()
}

fn content_part(item: &Value) -> Option<Part> {
    let part = member(item, "message_content")?;
    let kind = opt_text(member(part, "type")).unwrap_or_default();
    Some(match kind.as_str() {
        "image" => Part::image(opt_text(at(part, "image.image.url")).unwrap_or_default()),
        _ => match opt_text(member(part, "text")) {
            Some(text) => Part::Text { text },
            None => Part::Other {
                json: serde_json::to_string(part).unwrap_or_default(),
            },
        },
    })
}

fn tool_call(item: &Value) -> Option<Part> {
    let call = member(item, "tool_call")?;
    Some(Part::ToolCall {
        id: opt_text(member(call, "id")),
        name: opt_text(at(call, "function.name")).unwrap_or_default(),
        arguments: opt_text(at(call, "function.arguments")).unwrap_or_default(),
    })
}

/// A tool definition from a JSON schema of OpenAI's shape (`{type: function, function: {name,
/// description, parameters}}`) or a bare one.
fn tool_definition(schema: &Value) -> Option<ToolDefinition> {
    let schema = match schema {
        Value::Str(text) => Value::from_json(serde_json::from_str(text).ok()?),
        other => other.clone(),
    };
    let function = member(&schema, "function").unwrap_or(&schema);
    Some(ToolDefinition {
        name: opt_text(member(function, "name")).unwrap_or_default(),
        description: opt_text(member(function, "description")),
        schema: Some(pretty(member(function, "parameters").unwrap_or(&schema))),
    })
}

/// Documents at `path` (`retrieval.documents`, `reranker.input_documents`, …).
fn documents(attributes: &Map, path: &str) -> Vec<Document> {
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
fn embeddings(attributes: &Map) -> Vec<Embedding> {
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

/// `input.value` / `output.value`: pretty JSON when it is JSON, else the text.
fn io_value(attributes: &Map, root: &str) -> Option<String> {
    let value = attributes.get_path(&format!("{root}.value"))?;
    let text = match value {
        Value::Str(s) => s.clone(),
        other => crate::attributes::python_json_dumps(other),
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
            ("llm.input_messages.2.message.role", Value::from("tool")),
            ("llm.input_messages.2.message.content", Value::from("18C")),
            (
                "llm.input_messages.2.message.tool_call_id",
                Value::from("call_0"),
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
        let mut meaning = Meaning::default();
        read(&a, &mut meaning);
        assert_eq!(meaning.input.len(), 3);
        assert_eq!(
            (meaning.input[0].role.as_str(), meaning.input[0].content()),
            ("system", "Be brief.".into())
        );
        assert_eq!(
            meaning.input[1].parts,
            [
                Part::Text {
                    text: "What is this?".into()
                },
                Part::Image {
                    url: "https://x/y.png".into()
                }
            ]
        );
        assert_eq!(
            meaning.input[2].parts,
            [Part::ToolResult {
                id: Some("call_0".into()),
                name: None,
                result: "18C".into()
            }]
        );
        assert_eq!(
            meaning.output[0].tool_calls().collect::<Vec<_>>(),
            [(Some("call_1"), "get_weather", "{\"city\":\"Paris\"}")]
        );
    }

    #[test]
    fn documents_embeddings_tools_and_values() {
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
            ("tool.name", Value::from("search")),
            ("input.value", Value::from("{\"a\":1}")),
            ("output.value", Value::from("<img src=x onerror=alert(1)>")),
        ]);
        let mut meaning = Meaning::default();
        read(&a, &mut meaning);
        assert_eq!(meaning.documents.len(), 2);
        assert_eq!(
            (
                meaning.documents[0].id.as_deref(),
                meaning.documents[0].score
            ),
            (Some("doc-1"), Some(0.92))
        );
        assert_eq!(meaning.documents[1].score, None);
        assert_eq!(meaning.embeddings[0].dimensions, 8);
        assert_eq!(meaning.tool.and_then(|t| t.name).as_deref(), Some("search"));
        assert_eq!(meaning.input_value.as_deref(), Some("{\n  \"a\": 1\n}"));
        assert_eq!(
            meaning.output_value.as_deref(),
            Some("<img src=x onerror=alert(1)>")
        );
    }
}
