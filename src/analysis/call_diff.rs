//! Two spans compared for what they said: two model calls' messages word by word, their tool
//! calls and invocation parameters key by key, and their tokens and cost; two tool runs'
//! arguments and results; any other spans' input and output. The spans may be anywhere — two
//! runs of an agent, or a call and its retry in one trace.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::analysis::diff::{self, KeyChange, Piece};
use crate::model::{Arena, Span, Usage};
use crate::semantics::meaning::{Message, Part};
use crate::semantics::{CallCost, Meaning, Prices, call_cost, describe};

/// One side of a span comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiffedSpan {
    /// Hex trace id.
    pub trace_id: String,
    /// Hex span id.
    pub span_id: String,
    /// Its name.
    pub name: String,
    /// Its OpenInference kind.
    pub kind: String,
    /// The model that answered, else the one asked for.
    pub model: Option<String>,
    /// Duration, ns.
    pub duration_nanos: u64,
    /// Its call's tokens.
    pub usage: Usage,
    /// Its call's cost.
    pub cost: Option<CallCost>,
}

/// One thing both spans have (a message, a tool's arguments…), compared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldDiff {
    /// What it is: `input 2 · user`, `output 1 · assistant`, `arguments`.
    pub label: String,
    /// Its text, word by word (empty when it is only structured, as tool calls are).
    pub pieces: Vec<Piece>,
    /// When both sides are JSON objects or arrays: what differs key by key.
    pub keys: Vec<KeyChange>,
    /// Key changes past those listed.
    pub more_keys: usize,
}

impl FieldDiff {
    /// Whether both sides are the same.
    pub fn same(&self) -> bool {
        self.keys.is_empty()
            && self
                .pieces
                .iter()
                .all(|piece| piece.change == diff::Change::Same)
    }
}

/// Two spans compared (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpanDiff {
    /// The base.
    pub base: DiffedSpan,
    /// The other.
    pub other: DiffedSpan,
    /// Messages (system, input, output), arguments and results, input and output, in order.
    pub fields: Vec<FieldDiff>,
    /// The tool calls the models asked for, by tool name (`name#2` for a second call).
    pub tool_calls: Option<FieldDiff>,
    /// Invocation parameters, by name.
    pub parameters: Option<FieldDiff>,
}

/// `base` and `other` compared.
pub fn span_diff(arena: &Arena, base: &Span, other: &Span, prices: &Prices) -> SpanDiff {
    let (a, b) = (describe(arena, base), describe(arena, other));
    let mut fields = Vec::new();
    let system = |meaning: &Meaning| text_of_parts(&meaning.system);
    if !(a.system.is_empty() && b.system.is_empty()) {
        fields.push(text_field("system".to_owned(), &system(&a), &system(&b)));
    }
    messages(&mut fields, "input", &a.input, &b.input);
    messages(&mut fields, "output", &a.output, &b.output);
    let tools = |m: &Meaning| m.tool.clone().unwrap_or_default();
    let (tool_a, tool_b) = (tools(&a), tools(&b));
    texts(
        &mut fields,
        "arguments",
        &tool_a.arguments,
        &tool_b.arguments,
    );
    texts(&mut fields, "result", &tool_a.result, &tool_b.result);
    if a.input.is_empty() && b.input.is_empty() && a.tool.is_none() && b.tool.is_none() {
        texts(&mut fields, "input", &a.input_value, &b.input_value);
        texts(&mut fields, "output", &a.output_value, &b.output_value);
    }
    let calls = (tool_calls(&a), tool_calls(&b));
    let parameters = (parameters(&a), parameters(&b));
    SpanDiff {
        base: side(arena, base, &a, prices),
        other: side(arena, other, &b, prices),
        fields,
        tool_calls: keyed("tool calls", calls),
        parameters: keyed("parameters", parameters),
    }
}

fn side(arena: &Arena, span: &Span, meaning: &Meaning, prices: &Prices) -> DiffedSpan {
    DiffedSpan {
        trace_id: span.trace_id.to_string(),
        span_id: span.span_id.to_string(),
        name: arena.str(span.name).to_owned(),
        kind: span.oi_kind.name().to_owned(),
        model: (meaning.response_model.clone()).or_else(|| meaning.request_model.clone()),
        duration_nanos: span.duration_nanos(),
        usage: meaning.usage,
        cost: arena
            .call(span)
            .and_then(|call| call_cost(arena, call, span.start_unix_nanos, prices)),
    }
}

/// The n-th message of each side, compared by what the model reads of it.
fn messages(fields: &mut Vec<FieldDiff>, direction: &str, a: &[Message], b: &[Message]) {
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        let role = match (x.map(|m| m.role.as_str()), y.map(|m| m.role.as_str())) {
            (Some(r), Some(s)) if r != s => format!("{r} → {s}"),
            (r, s) => r.or(s).unwrap_or_default().to_owned(),
        };
        let content = |m: Option<&Message>| m.map(Message::content).unwrap_or_default();
        fields.push(text_field(
            format!("{direction} {} · {role}", i + 1),
            &content(x),
            &content(y),
        ));
    }
}

/// Two texts compared, when either side has one.
fn texts(fields: &mut Vec<FieldDiff>, label: &str, a: &Option<String>, b: &Option<String>) {
    if a.is_some() || b.is_some() {
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        fields.push(text_field(label.to_owned(), &text(a), &text(b)));
    }
}

fn text_of_parts(parts: &[Part]) -> String {
    let message = Message {
        parts: parts.to_vec(),
        ..Message::default()
    };
    message.content()
}

/// Two texts compared word by word, and key by key when both are JSON objects or arrays.
fn text_field(label: String, a: &str, b: &str) -> FieldDiff {
    let (keys, more_keys) = match (diff::json_of(a), diff::json_of(b)) {
        (x @ (Json::Object(_) | Json::Array(_)), y @ (Json::Object(_) | Json::Array(_))) => {
            diff::keys(&x, &y)
        }
        _ => (Vec::new(), 0),
    };
    FieldDiff {
        label,
        pieces: diff::words(a, b),
        keys,
        more_keys,
    }
}

/// Compared key by key, when either side has any.
fn keyed(label: &str, (a, b): (Map<String, Json>, Map<String, Json>)) -> Option<FieldDiff> {
    if a.is_empty() && b.is_empty() {
        return None;
    }
    let (keys, more_keys) = diff::keys(&Json::Object(a), &Json::Object(b));
    Some(FieldDiff {
        label: label.to_owned(),
        pieces: Vec::new(),
        keys,
        more_keys,
    })
}

/// The tool calls of the output messages, by tool name, their arguments parsed.
fn tool_calls(meaning: &Meaning) -> Map<String, Json> {
    let mut calls = Map::new();
    let mut seen: hashbrown::HashMap<&str, u32> = hashbrown::HashMap::new();
    let asked = meaning.output.iter().flat_map(|m| &m.parts);
    for part in asked {
        if let Part::ToolCall {
            name, arguments, ..
        } = part
        {
            let n = seen.entry(name.as_str()).or_default();
            *n += 1;
            let key = match *n {
                1 => name.clone(),
                n => format!("{name}#{n}"),
            };
            calls.insert(key, diff::json_of(arguments));
        }
    }
    calls
}

fn parameters(meaning: &Meaning) -> Map<String, Json> {
    (meaning.parameters.iter())
        .map(|(name, value)| (name.clone(), diff::json_of(value)))
        .collect()
}
