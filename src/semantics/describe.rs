//! [`describe`]: one span's [`Meaning`], read from its attributes, its events and the log
//! records that name it, in whichever convention wrote them.
//!
//! Each convention's reader fills what the span says in it. Messages come from the first
//! convention, in this order, that has any: OpenInference, the GenAI conventions' JSON
//! attributes, GenAI events and log records, GenAI indexed attributes (OpenLLMetry before
//! 0.55), Vercel's `ai.*`, Pydantic AI's agent history, Langfuse — so a span written in two
//! conventions is read by the richer, and the two are never mixed into one conversation.

use serde_json::{Map as JsonMap, Value as Json};

use crate::attributes::{Map, span_attributes, value_from_any};
use crate::model::{AnyValue, Arena, Dialect, LogRecord, Rows, Span};

use super::meaning::{Embedding, Meaning, Message, Part, ToolDefinition, ToolUse};
use super::messages::{instruction_parts, messages, parsed, text_of, tool_call};
use super::openinference;
use crate::attributes::pretty_json;

/// The log records about `span`, in time order (records without a time keep their place).
pub fn logs_of<'a>(arena: &'a Arena, span: &'a Span) -> Vec<&'a LogRecord> {
    let mut logs: Vec<&LogRecord> = arena.logs_of_span(span).collect();
    if logs.iter().any(|log| log.unix_nanos() != 0) {
        logs.sort_by_key(|log| log.unix_nanos());
    }
    logs
}

/// A span event or a log record about the span, as the readers of GenAI events see both.
#[derive(Clone, Debug, Default, PartialEq)]
struct Record {
    /// The event's name (a log record's `event_name`, else its `event.name` attribute).
    pub name: String,
    /// A log record's body.
    pub body: Option<Json>,
    /// Its attributes, by flat key.
    pub attributes: JsonMap<String, Json>,
}

impl Record {
    /// A span event, or a log record's attributes and body.
    fn new(arena: &Arena, name: &str, attributes: Rows, body: Option<AnyValue>) -> Self {
        let attributes = flat(arena, attributes);
        let name = match name {
            "" => attributes
                .get("event.name")
                .map(text_of)
                .unwrap_or_default(),
            name => name.to_owned(),
        };
        let body = body
            .filter(|b| *b != AnyValue::Empty)
            .and_then(|b| serde_json::to_value(value_from_any(arena, b)).ok());
        Self {
            name,
            body,
            attributes,
        }
    }
}

/// Attributes by flat key, as JSON.
fn flat(arena: &Arena, rows: Rows) -> JsonMap<String, Json> {
    arena
        .attributes(rows)
        .iter()
        .filter_map(|kv| {
            let value = serde_json::to_value(value_from_any(arena, kv.value)).ok()?;
            Some((arena.str(kv.key).to_owned(), value))
        })
        .collect()
}

/// What `span` means. See the module docs.
pub fn describe(arena: &Arena, span: &Span) -> Meaning {
    let flat = flat(arena, span.attributes);
    let nested = span_attributes(arena, span.attributes);
    let mut meaning = Meaning::default();
    if let Some(call) = arena.call(span) {
        let text = |id| Some(arena.str(id).to_owned()).filter(|s| !s.is_empty());
        meaning.dialect = call.dialect;
        meaning.usage = call.usage;
        meaning.request_model = text(call.request_model);
        meaning.response_model = text(call.response_model);
        meaning.provider = text(call.provider);
    }
    meaning.operation = first_text(
        &flat,
        &[
            "gen_ai.operation.name",
            "ai.operationId",
            "llm.request.type",
            "langfuse.observation.type",
            "langsmith.span.kind",
            "openinference.span.kind",
        ],
    );
    let events: Vec<Record> = arena
        .events(span.events)
        .iter()
        .map(|e| Record::new(arena, arena.str(e.name), e.attributes, None))
        .chain(logs_of(arena, span).into_iter().map(|log| {
            Record::new(
                arena,
                arena.str(log.event_name),
                log.attributes,
                Some(log.body),
            )
        }))
        .collect();
    openinference::read(&nested, &mut meaning);
    if meaning.dialect == Dialect::None && !meaning.input.is_empty() {
        meaning.dialect = Dialect::OpenInference;
    }
    gen_ai(&flat, &mut meaning);
    gen_ai_events(&events, &mut meaning);
    gen_ai_indexed(&nested, &mut meaning);
    vercel(&flat, &mut meaning);
    pydantic(&flat, &mut meaning);
    langfuse(&flat, &mut meaning);
    tool_use(&flat, &mut meaning);
    meaning
}

/// The first of `keys` that is present and not empty, as text.
fn first_text(flat: &JsonMap<String, Json>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|key| flat.get(*key))
        .map(text_of)
        .find(|text| !text.is_empty())
}

/// Sets the conversation when none was read yet.
fn converse(meaning: &mut Meaning, input: Vec<Message>, output: Vec<Message>) {
    if meaning.input.is_empty() && meaning.output.is_empty() {
        meaning.input = input;
        meaning.output = output;
    }
}

/// Text for display: pretty JSON when it is JSON.
fn display(value: &Json) -> String {
    match value {
        Json::String(text) => pretty_json(text).unwrap_or_else(|| text.clone()),
        Json::Null => String::new(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// Tool definitions in the GenAI (`{type, name, description, parameters}`), OpenAI
/// (`{function: {…}}`) and Vercel (`inputSchema`) shapes.
fn tool_definitions(value: &Json) -> Vec<ToolDefinition> {
    let items: Vec<Json> = match parsed(value) {
        Some(Json::Array(items)) => items,
        Some(object @ Json::Object(_)) => vec![object],
        _ => return Vec::new(),
    };
    items
        .iter()
        .filter_map(|item| {
            let item = parsed(item)?;
            let object = item.as_object()?;
            let function = object
                .get("function")
                .and_then(Json::as_object)
                .unwrap_or(object);
            let name = function.get("name").map(text_of)?;
            let schema = [
                "parameters",
                "inputSchema",
                "input_schema",
                "parameters_json_schema",
            ]
            .iter()
            .find_map(|key| function.get(*key))
            .unwrap_or(&item);
            Some(ToolDefinition {
                name,
                description: function.get("description").map(text_of),
                schema: Some(display(schema)),
            })
        })
        .collect()
}

/// Every `prefix*` key but those in `skip`, as invocation parameters.
fn parameters_under(
    flat: &JsonMap<String, Json>,
    prefix: &str,
    skip: &[&str],
) -> Vec<(String, String)> {
    flat.iter()
        .filter_map(|(key, value)| {
            let name = key.strip_prefix(prefix)?;
            (!skip.contains(&name)).then(|| (name.to_owned(), text_of(value)))
        })
        .collect()
}

/// The GenAI conventions' JSON attributes (`gen_ai.input.messages`…), on the span or on a
/// `gen_ai.client.inference.operation.details` record, and their other keys.
fn gen_ai(flat: &JsonMap<String, Json>, meaning: &mut Meaning) {
    gen_ai_json(flat, meaning);
    if meaning.parameters.is_empty() {
        meaning.parameters = parameters_under(flat, "gen_ai.request.", &["model"]);
    }
    if meaning.finish_reasons.is_empty()
        && let Some(reasons) = flat.get("gen_ai.response.finish_reasons")
    {
        meaning.finish_reasons = match reasons {
            Json::Array(items) => items.iter().map(text_of).collect(),
            other => vec![text_of(other)],
        };
    }
    if meaning.agent.is_none() {
        meaning.agent = first_text(flat, &["gen_ai.agent.name"]);
    }
    meaning.error_type = first_text(flat, &["error.type"]);
}

fn gen_ai_json(flat: &JsonMap<String, Json>, meaning: &mut Meaning) {
    let input = flat
        .get("gen_ai.input.messages")
        .map(messages)
        .unwrap_or_default();
    let output = flat
        .get("gen_ai.output.messages")
        .map(messages)
        .unwrap_or_default();
    converse(meaning, input, output);
    if meaning.system.is_empty()
        && let Some(instructions) = flat.get("gen_ai.system_instructions")
    {
        meaning.system = instruction_parts(instructions);
    }
    if meaning.tools.is_empty()
        && let Some(tools) = flat.get("gen_ai.tool.definitions")
    {
        meaning.tools = tool_definitions(tools);
    }
}

/// GenAI events (span events or log records): `gen_ai.{system,user,assistant,tool}.message`
/// and `gen_ai.choice`, the older `gen_ai.content.prompt` / `.completion`, and
/// `gen_ai.client.inference.operation.details`.
fn gen_ai_events(records: &[Record], meaning: &mut Meaning) {
    let (mut input, mut output) = (Vec::new(), Vec::new());
    for record in records {
        let content = record
            .body
            .clone()
            .unwrap_or_else(|| Json::Object(record.attributes.clone()));
        match record.name.as_str() {
            "gen_ai.client.inference.operation.details" => {
                gen_ai_json(&record.attributes, meaning);
            }
            "gen_ai.content.prompt" => {
                input.extend(
                    record
                        .attributes
                        .get("gen_ai.prompt")
                        .map(messages)
                        .unwrap_or_default(),
                );
            }
            "gen_ai.content.completion" => {
                output.extend(
                    record
                        .attributes
                        .get("gen_ai.completion")
                        .map(messages)
                        .unwrap_or_default(),
                );
            }
            "gen_ai.choice" => {
                let object = content.as_object();
                let inner = object.and_then(|o| o.get("message")).unwrap_or(&content);
                if let Some(mut message) = super::messages::message(inner) {
                    if message.role.is_empty() {
                        message.role = "assistant".into();
                    }
                    message.finish_reason = object
                        .and_then(|o| o.get("finish_reason"))
                        .map(text_of)
                        .or(message.finish_reason);
                    output.push(message);
                }
            }
            name => {
                let Some(role) = name
                    .strip_prefix("gen_ai.")
                    .and_then(|rest| rest.strip_suffix(".message"))
                else {
                    continue;
                };
                if let Some(mut message) = super::messages::message(&content) {
                    if message.role.is_empty() || message.role == "tool" && role != "tool" {
                        message.role = role.to_owned();
                    }
                    if message.role == "tool" {
                        // The body names the call it answers `id`.
                        let id = content.get("id").map(text_of);
                        message.tool_call_id = message.tool_call_id.or(id.clone());
                        for part in &mut message.parts {
                            if let Part::Text { text } = part {
                                *part = Part::ToolResult {
                                    id: id.clone(),
                                    name: None,
                                    result: std::mem::take(text),
                                };
                            }
                        }
                    }
                    input.push(message);
                }
            }
        }
    }
    converse(meaning, input, output);
}

/// OpenLLMetry's indexed attributes: `gen_ai.prompt.N.*`, `gen_ai.completion.N.*`,
/// `llm.request.functions.N.*` (and LangSmith's `gen_ai.prompt` / `gen_ai.completion` JSON).
fn gen_ai_indexed(nested: &Map, meaning: &mut Meaning) {
    let as_json = |path: &str| {
        nested
            .get_path(path)
            .and_then(|value| serde_json::to_value(value).ok())
    };
    let input = as_json("gen_ai.prompt")
        .map(|v| messages(&v))
        .unwrap_or_default();
    let output = as_json("gen_ai.completion")
        .map(|v| messages(&v))
        .unwrap_or_default();
    converse(meaning, input, output);
    if meaning.tools.is_empty()
        && let Some(functions) = as_json("llm.request.functions")
    {
        meaning.tools = tool_definitions(&functions);
    }
}

/// The Vercel AI SDK's `ai.*` keys.
fn vercel(flat: &JsonMap<String, Json>, meaning: &mut Meaning) {
    let mut input = flat
        .get("ai.prompt.messages")
        .map(messages)
        .unwrap_or_default();
    if input.is_empty()
        && let Some(Json::Object(prompt)) = flat.get("ai.prompt").and_then(parsed)
    {
        if let Some(system) = prompt.get("system") {
            input.push(Message {
                role: "system".into(),
                parts: vec![Part::Text {
                    text: text_of(system),
                }],
                ..Message::default()
            });
        }
        if let Some(text) = prompt.get("prompt").filter(|p| p.is_string()) {
            input.push(Message {
                role: "user".into(),
                parts: vec![Part::Text {
                    text: text_of(text),
                }],
                ..Message::default()
            });
        }
        input.extend(prompt.get("messages").map(messages).unwrap_or_default());
    }
    let mut answer = Message {
        role: "assistant".into(),
        finish_reason: first_text(flat, &["ai.response.finishReason"]),
        ..Message::default()
    };
    if let Some(text) = first_text(flat, &["ai.response.text", "ai.response.object"]) {
        answer.parts.push(Part::Text { text });
    }
    if let Some(Json::Array(calls)) = flat.get("ai.response.toolCalls").and_then(parsed) {
        answer.parts.extend(calls.iter().filter_map(tool_call));
    }
    let output = match answer.parts.is_empty() && answer.finish_reason.is_none() {
        true => Vec::new(),
        false => vec![answer],
    };
    if !input.is_empty() || !output.is_empty() {
        converse(meaning, input, output);
    }
    if meaning.tools.is_empty()
        && let Some(tools) = flat.get("ai.prompt.tools")
    {
        meaning.tools = tool_definitions(tools);
    }
    if meaning.parameters.is_empty() {
        meaning.parameters = parameters_under(flat, "ai.settings.", &[]);
    }
    if meaning.finish_reasons.is_empty() {
        meaning
            .finish_reasons
            .extend(first_text(flat, &["ai.response.finishReason"]));
    }
    if meaning.embeddings.is_empty() {
        let texts = match flat.get("ai.values").and_then(parsed) {
            Some(Json::Array(values)) => values.iter().map(text_of).collect(),
            _ => first_text(flat, &["ai.value"])
                .into_iter()
                .collect::<Vec<_>>(),
        };
        meaning.embeddings = texts
            .into_iter()
            .map(|text| Embedding {
                text: Some(text),
                dimensions: 0,
            })
            .collect();
    }
}

/// Pydantic AI's agent spans: the whole history and the final result.
fn pydantic(flat: &JsonMap<String, Json>, meaning: &mut Meaning) {
    if let Some(history) = flat.get("pydantic_ai.all_messages") {
        converse(meaning, messages(history), Vec::new());
    }
    if meaning.output_value.is_none() {
        meaning.output_value = flat.get("final_result").map(display);
    }
}

/// Langfuse's `langfuse.observation.*` keys.
fn langfuse(flat: &JsonMap<String, Json>, meaning: &mut Meaning) {
    let (Some(input), output) = (
        flat.get("langfuse.observation.input"),
        flat.get("langfuse.observation.output"),
    ) else {
        return;
    };
    let (input_messages, output_messages) =
        (messages(input), output.map(messages).unwrap_or_default());
    if input_messages.is_empty() && meaning.input_value.is_none() {
        meaning.input_value = Some(display(input));
    }
    if output_messages.is_empty() && meaning.output_value.is_none() {
        meaning.output_value = output.map(display);
    }
    converse(meaning, input_messages, output_messages);
    if meaning.parameters.is_empty()
        && let Some(Json::Object(parameters)) = flat
            .get("langfuse.observation.model.parameters")
            .and_then(parsed)
    {
        meaning.parameters = parameters
            .iter()
            .map(|(k, v)| (k.clone(), text_of(v)))
            .collect();
    }
}

/// A tool's run in the GenAI (`gen_ai.tool.*`), Vercel (`ai.toolCall.*`) and OpenInference
/// (`tool.*`, `input.value`, `output.value`) keys.
fn tool_use(flat: &JsonMap<String, Json>, meaning: &mut Meaning) {
    let name = first_text(flat, &["gen_ai.tool.name", "ai.toolCall.name"]);
    let tool = meaning.tool.get_or_insert_with(ToolUse::default);
    tool.name = tool.name.take().or(name);
    tool.call_id = tool
        .call_id
        .take()
        .or_else(|| first_text(flat, &["gen_ai.tool.call.id", "ai.toolCall.id"]));
    tool.description = tool
        .description
        .take()
        .or_else(|| first_text(flat, &["gen_ai.tool.description"]));
    let shown = |keys: &[&str]| keys.iter().find_map(|key| flat.get(*key)).map(display);
    tool.arguments = shown(&[
        "gen_ai.tool.call.arguments",
        "ai.toolCall.args",
        "ai.toolCall.input",
    ]);
    tool.result = shown(&[
        "gen_ai.tool.call.result",
        "ai.toolCall.result",
        "ai.toolCall.output",
    ]);
    if tool.name.is_none() {
        meaning.tool = None;
    }
}
