//! Chat messages recorded as JSON, in every shape the conventions use: the GenAI conventions'
//! `{role, parts: [{type: "text", content}, {type: "tool_call", …}]}`, OpenAI's
//! `{role, content, tool_calls: [{function: {name, arguments}}]}` (OpenLLMetry, the GenAI event
//! bodies, LangSmith), and the Vercel AI SDK's `{role, content: [{type: "tool-call", …}]}`.
//!
//! One tolerant reader: a field is looked for under each name a convention gives it, a part of
//! an unknown type is kept as JSON, and nothing here fails — a value of no known shape reads as
//! no messages, and its attribute is still shown raw.

use serde_json::{Map, Value as Json};

use super::meaning::{MAX_INLINE_MEDIA, Message, Part, base64_size};

/// A JSON value that may have been recorded as a string holding JSON.
pub(crate) fn parsed(value: &Json) -> Option<Json> {
    match value {
        Json::String(text) => {
            let trimmed = text.trim_start();
            if trimmed.starts_with('[') || trimmed.starts_with('{') {
                serde_json::from_str(text).ok()
            } else {
                None
            }
        }
        other => Some(other.clone()),
    }
}

/// Text for display: strings as they are, anything else as compact JSON.
pub(crate) fn text_of(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// The first of `names` that `object` has (and is not null).
fn field<'a>(object: &'a Map<String, Json>, names: &[&str]) -> Option<&'a Json> {
    names
        .iter()
        .find_map(|name| object.get(*name).filter(|v| !v.is_null()))
}

fn string_field(object: &Map<String, Json>, names: &[&str]) -> Option<String> {
    field(object, names)
        .map(text_of)
        .filter(|text| !text.is_empty())
}

/// Messages from a JSON array (or an object holding one under `messages`).
pub(crate) fn messages(value: &Json) -> Vec<Message> {
    let Some(value) = parsed(value) else {
        return Vec::new();
    };
    let items = match &value {
        Json::Array(items) => items.as_slice(),
        Json::Object(object) => match object.get("messages") {
            Some(Json::Array(items)) => items.as_slice(),
            _ => std::slice::from_ref(&value),
        },
        _ => return Vec::new(),
    };
    items.iter().filter_map(message).collect()
}

/// One message, if `value` is an object that looks like one.
pub(crate) fn message(value: &Json) -> Option<Message> {
    let object = value.as_object()?;
    let mut message = Message {
        role: string_field(object, &["role", "type"]).unwrap_or_default(),
        name: string_field(object, &["name"]),
        parts: Vec::new(),
        tool_call_id: string_field(object, &["tool_call_id", "toolCallId"]),
        finish_reason: string_field(object, &["finish_reason", "finishReason"]),
    };
    match field(object, &["parts", "content", "contents"]) {
        Some(Json::Array(parts)) => message.parts.extend(parts.iter().filter_map(part)),
        Some(Json::String(text)) if !text.is_empty() => {
            message.parts.push(match message.role.as_str() {
                // A tool message's content is what the tool answered.
                "tool" | "function" => Part::ToolResult {
                    id: message
                        .tool_call_id
                        .clone()
                        .or_else(|| string_field(object, &["id"])),
                    name: message.name.clone(),
                    result: text.clone(),
                },
                _ => Part::Text { text: text.clone() },
            })
        }
        Some(Json::Object(_)) | Some(Json::Number(_)) | Some(Json::Bool(_)) => {
            if let Some(value) = field(object, &["content"]) {
                message.parts.push(Part::Text {
                    text: text_of(value),
                });
            }
        }
        _ => {}
    }
    if let Some(Json::Array(calls)) = field(object, &["tool_calls", "toolCalls", "function_calls"])
    {
        message.parts.extend(calls.iter().filter_map(tool_call));
    }
    if let Some(call) = field(object, &["function_call"]).and_then(tool_call) {
        message.parts.push(call);
    }
    Some(message)
}

/// Arguments as text: JSON text when they were structured.
fn arguments_text(value: Option<&Json>) -> String {
    value.map(text_of).unwrap_or_default()
}

/// A tool call in any of its shapes (`{id, function: {name, arguments}}`, `{id, name,
/// arguments}`, Vercel's `{toolCallId, toolName, input}`).
pub(crate) fn tool_call(value: &Json) -> Option<Part> {
    let object = value.as_object()?;
    let function = object.get("function").and_then(Json::as_object);
    let name = function
        .and_then(|f| string_field(f, &["name"]))
        .or_else(|| string_field(object, &["name", "toolName", "tool_name"]))?;
    let arguments = function
        .and_then(|f| field(f, &["arguments"]))
        .or_else(|| field(object, &["arguments", "input", "args", "parameters"]));
    Some(Part::ToolCall {
        id: string_field(object, &["id", "toolCallId", "call_id", "tool_call_id"]),
        name,
        arguments: arguments_text(arguments),
    })
}

/// One part of a message's content.
fn part(value: &Json) -> Option<Part> {
    let object = match value {
        Json::String(text) => return Some(Part::Text { text: text.clone() }),
        Json::Object(object) => object,
        Json::Null => return None,
        other => {
            return Some(Part::Other {
                json: other.to_string(),
            });
        }
    };
    let kind = string_field(object, &["type"]).unwrap_or_default();
    let text = || string_field(object, &["content", "text", "reasoning", "thinking"]);
    Some(match kind.as_str() {
        "text" | "input_text" | "output_text" | "" if text().is_some() => Part::Text {
            text: text().unwrap_or_default(),
        },
        "reasoning" | "thinking" => Part::Reasoning {
            text: text().unwrap_or_default(),
        },
        "tool_call" | "tool-call" | "function_call" | "tool_use" | "server_tool_call" => {
            tool_call(value)?
        }
        "tool_call_response"
        | "tool-result"
        | "tool_result"
        | "function_call_output"
        | "server_tool_call_response" => Part::ToolResult {
            id: string_field(object, &["id", "toolCallId", "call_id", "tool_use_id"]),
            name: string_field(object, &["name", "toolName"]),
            result: field(object, &["response", "result", "output", "content"])
                .map(|result| text_of(typed_output(result)))
                .unwrap_or_default(),
        },
        "image" | "image_url" | "input_image" => match image_url(object) {
            Some(url) => Part::image(url),
            None => media(&kind, object),
        },
        "blob" | "file" | "uri" | "audio" | "input_audio" | "video" => match inline_image(object) {
            Some(url) => Part::image(url),
            None => media(&kind, object),
        },
        _ => Part::Other {
            json: value.to_string(),
        },
    })
}

/// The value of the Vercel AI SDK's typed tool output (`{type: "json", value: …}`), else the
/// output as it is.
fn typed_output(output: &Json) -> &Json {
    match output {
        Json::Object(object)
            if object.len() == 2
                && matches!(
                    object.get("type").and_then(Json::as_str),
                    Some("json" | "text" | "error-json" | "error-text")
                ) =>
        {
            object.get("value").unwrap_or(output)
        }
        other => other,
    }
}

/// An image part's URL: `image_url.url`, `image_url`, `image`, `url`, `uri`, or Anthropic's
/// `source` (`{type: "base64", media_type, data}` as a `data:` URL, or `{type: "url", url}`).
fn image_url(object: &Map<String, Json>) -> Option<String> {
    if let Some(Json::Object(source)) = object.get("source") {
        return inline_image(source).or_else(|| string_field(source, &["url"]));
    }
    match field(object, &["image_url", "image", "url", "uri"])? {
        Json::String(url) => Some(url.clone()),
        Json::Object(inner) => string_field(inner, &["url"]),
        _ => None,
    }
}

fn mime_type(object: &Map<String, Json>) -> Option<String> {
    string_field(
        object,
        &["mime_type", "mimeType", "mediaType", "media_type"],
    )
}

/// An image's bytes given inline (a GenAI `blob` of modality `image`, Anthropic's base64
/// source) as a `data:` URL, or a GenAI `uri` part of an image as its URI.
fn inline_image(object: &Map<String, Json>) -> Option<String> {
    let mime = mime_type(object).unwrap_or_default();
    let modality = string_field(object, &["modality"]).unwrap_or_default();
    if modality != "image" && !mime.starts_with("image/") {
        return None;
    }
    match field(object, &["content", "data"]) {
        Some(Json::String(data)) if !mime.is_empty() => Some(format!("data:{mime};base64,{data}")),
        Some(_) => None,
        None => string_field(object, &["uri"]),
    }
}

/// A media part: its URI or file id, or what came inline (its size; audio's bytes to play).
fn media(kind: &str, object: &Map<String, Json>) -> Part {
    // OpenAI's input audio nests its bytes and format: `{type: "input_audio", input_audio: {data, format}}`.
    let nested = match object.get("input_audio") {
        Some(Json::Object(inner)) => inner,
        _ => object,
    };
    let modality = string_field(object, &["modality"]).unwrap_or_else(|| match kind {
        "input_audio" => "audio".to_owned(),
        other => other.to_owned(),
    });
    let mime_type = mime_type(nested)
        .or_else(|| string_field(nested, &["format"]).map(|format| format!("audio/{format}")));
    let inline = match field(nested, &["content", "data"]) {
        Some(Json::String(inline)) => Some(inline.as_str()),
        _ => None,
    };
    let audio = modality == "audio"
        || mime_type
            .as_deref()
            .is_some_and(|m| m.starts_with("audio/"));
    Part::Media {
        kind: modality,
        mime_type,
        reference: string_field(object, &["uri", "url", "file_id", "fileId"]).unwrap_or_default(),
        name: string_field(object, &["name", "filename", "file_name"]),
        size: inline.map(base64_size),
        data: inline
            .filter(|data| audio && data.len() <= MAX_INLINE_MEDIA)
            .map(str::to_owned),
        transcript: string_field(nested, &["transcript"]),
    }
}

/// System instructions: a list of parts, one part, or text.
pub(crate) fn instruction_parts(value: &Json) -> Vec<Part> {
    match parsed(value) {
        Some(Json::Array(parts)) => parts.iter().filter_map(part).collect(),
        Some(Json::Object(object)) => part(&Json::Object(object)).into_iter().collect(),
        _ => match value {
            Json::String(text) if !text.is_empty() => vec![Part::Text { text: text.clone() }],
            _ => Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_message_shape_reads_the_same() {
        let genai = json!([{"role": "assistant", "parts": [
            {"type": "text", "content": "Looking."},
            {"type": "tool_call", "id": "c1", "name": "get_weather", "arguments": {"city": "Paris"}}
        ], "finish_reason": "tool_calls"}]);
        let openai = json!([{"role": "assistant", "content": "Looking.", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
        ]}]);
        let vercel = json!([{"role": "assistant", "content": [
            {"type": "text", "text": "Looking."},
            {"type": "tool-call", "toolCallId": "c1", "toolName": "get_weather", "input": {"city": "Paris"}}
        ]}]);
        for shape in [genai, openai, vercel] {
            let read = messages(&shape);
            assert_eq!(read.len(), 1, "{shape}");
            assert_eq!(read[0].role, "assistant");
            assert_eq!(read[0].content(), "Looking.");
            let calls: Vec<_> = read[0].tool_calls().collect();
            assert_eq!(calls.len(), 1);
            assert_eq!((calls[0].0, calls[0].1), (Some("c1"), "get_weather"));
            let arguments: Json = serde_json::from_str(calls[0].2).unwrap();
            assert_eq!(arguments, json!({"city": "Paris"}));
        }
    }

    #[test]
    fn tool_results_media_and_odd_values() {
        let read = messages(&Json::String(
            r#"[{"role":"tool","content":"18 degrees","tool_call_id":"c1"},
                {"role":"user","parts":[{"type":"tool_call_response","id":"c1","response":{"t":18}},
                  {"type":"blob","modality":"image","mime_type":"image/png","content":"AAAA"},
                  {"type":"uri","modality":"audio","uri":"https://x/a.wav"},
                  {"type":"blob","modality":"audio","mime_type":"audio/wav","content":"UklGRg=="},
                  {"type":"input_audio","input_audio":{"data":"AAA=","format":"mp3","transcript":"hi"}},
                  {"type":"file","modality":"document","file_id":"file-1","filename":"a.pdf"},
                  {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/"}},
                  {"type":"server_thing","x":1}]}]"#
                .into(),
        ));
        assert_eq!(
            read[0].parts,
            [Part::ToolResult {
                id: Some("c1".into()),
                name: None,
                result: "18 degrees".into()
            }]
        );
        assert!(
            matches!(&read[1].parts[0], Part::ToolResult { result, .. } if result == r#"{"t":18}"#)
        );
        let parts = &read[1].parts;
        assert!(matches!(&parts[1], Part::Image { url } if url == "data:image/png;base64,AAAA"));
        assert!(
            matches!(&parts[2], Part::Media { reference, data: None, .. } if reference == "https://x/a.wav")
        );
        assert!(
            matches!(&parts[3], Part::Media { kind, size: Some(4), data: Some(data), .. } if kind == "audio" && data == "UklGRg==")
        );
        assert!(
            matches!(&parts[4], Part::Media { kind, mime_type: Some(mime), transcript: Some(said), size: Some(2), .. }
                if kind == "audio" && mime == "audio/mp3" && said == "hi")
        );
        assert!(
            matches!(&parts[5], Part::Media { kind, reference, name: Some(name), data: None, .. }
                if kind == "document" && reference == "file-1" && name == "a.pdf")
        );
        assert!(matches!(&parts[6], Part::Image { url } if url == "data:image/jpeg;base64,/9j/"));
        assert!(matches!(&parts[7], Part::Other { .. }));
        let huge = "A".repeat(super::MAX_INLINE_MEDIA + 4);
        let big = messages(&json!([{"role": "user", "parts": [
            {"type": "blob", "modality": "image", "mime_type": "image/png", "content": huge}]}]));
        assert!(
            matches!(&big[0].parts[0], Part::Media { kind, size: Some(size), data: None, .. }
                if kind == "image" && *size == 6_000_003),
            "an inline image past the bound is kept as its size"
        );
        assert!(messages(&json!("not json")).is_empty());
        assert!(messages(&json!(42)).is_empty());
        assert!(messages(&json!([1, null, "x"])).is_empty());
    }
}
