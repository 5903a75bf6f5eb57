//! Realistic LLM agent traces of any size, for benchmarks and tests, in OpenInference or in the
//! OpenTelemetry GenAI conventions ([`Convention`]).
//!
//! Each trace is an agent run: an AGENT root whose steps are CHAINs; a step calls an LLM (a system
//! and a user prompt of a few hundred bytes, an answer, token counts, sometimes a tool call), then
//! a TOOL, a RETRIEVER (five scored documents with metadata) or, now and then, a nested sub-agent
//! with steps of its own (three levels at most). Content is deterministic for a seed. In the
//! GenAI form, messages are the conventions' JSON attributes and the agent root repeats the sum of
//! its calls' usage, as several SDKs write it.
//!
//! The output is streamed in batches of about [`BATCH_SPANS`] spans, so a million-span file is
//! written without holding it: concatenated protobuf encodings of requests are one valid request
//! (repeated fields append), and the JSON form wraps the batches in one `resourceSpans` array.
//!
//! ```
//! use plume::generate::{Shape, batches};
//!
//! let shape = Shape { spans: 500, traces: 2, seed: 7, ..Shape::default() };
//! let spans: usize = batches(shape)
//!     .map(|batch| batch.scope_spans.iter().map(|s| s.spans.len()).sum::<usize>())
//!     .sum();
//! assert_eq!(spans, 500);
//! ```

use std::io::{self, Write};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status, span};
use prost::Message;

/// Spans per emitted batch.
pub const BATCH_SPANS: usize = 2_000;

/// Which attribute convention the spans are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Convention {
    /// OpenInference (`openinference.span.kind`, `llm.*`).
    #[default]
    OpenInference,
    /// The OpenTelemetry GenAI conventions (`gen_ai.*`, JSON messages).
    GenAi,
}

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Total spans.
    pub spans: usize,
    /// Traces to spread them over (at least one).
    pub traces: usize,
    /// Seed for the content.
    pub seed: u64,
    /// The attribute convention.
    pub convention: Convention,
}

impl Default for Shape {
    /// One span of one trace, seed 1, OpenInference.
    fn default() -> Self {
        Self {
            spans: 1,
            traces: 1,
            seed: 1,
            convention: Convention::OpenInference,
        }
    }
}

/// The batches of a generated data set, in order.
pub fn batches(shape: Shape) -> impl Iterator<Item = ResourceSpans> {
    let traces = shape.traces.clamp(1, shape.spans.max(1));
    let mut generator = Generator {
        rng: Rng(shape.seed ^ 0x9E37_79B9_7F4A_7C15),
        pending: Vec::new(),
        trace_index: 0,
        traces,
        spans_total: shape.spans,
        spans_made: 0,
        clock: 1_795_000_000_000_000_000,
        trace: None,
        genai: shape.convention == Convention::GenAi,
        call_tokens: (0, 0),
    };
    std::iter::from_fn(move || generator.next_batch())
}

/// Writes the data set as one OTLP protobuf body.
pub fn write_proto(shape: Shape, out: &mut impl Write) -> io::Result<()> {
    for batch in batches(shape) {
        let request = ExportTraceServiceRequest {
            resource_spans: vec![batch],
        };
        out.write_all(&request.encode_to_vec())?;
    }
    Ok(())
}

/// Writes the data set as one OTLP/JSON document.
pub fn write_json(shape: Shape, out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"{\"resourceSpans\":[")?;
    let mut text = String::new();
    for (i, batch) in batches(shape).enumerate() {
        text.clear();
        if i > 0 {
            text.push(',');
        }
        crate::export::write_resource_spans_json(&batch, &mut text);
        out.write_all(text.as_bytes())?;
    }
    out.write_all(b"]}")
}

/// splitmix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn words(&mut self, count: usize) -> String {
        const WORDS: [&str; 32] = [
            "the", "agent", "trace", "span", "latency", "token", "model", "answer", "question",
            "retrieve", "document", "context", "tool", "call", "weather", "flight", "price",
            "summary", "user", "plan", "search", "result", "error", "retry", "cache", "prompt",
            "reason", "step", "final", "score", "budget", "policy",
        ];
        let mut text = String::with_capacity(count * 7);
        for i in 0..count {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(WORDS[self.below(WORDS.len() as u64) as usize]);
        }
        text
    }
}

struct TraceState {
    trace_id: Vec<u8>,
    root_id: Vec<u8>,
    root_start: u64,
    session: String,
    /// Spans this trace may still make, root included.
    budget: usize,
}

struct Generator {
    rng: Rng,
    pending: Vec<Span>,
    trace_index: usize,
    traces: usize,
    spans_total: usize,
    spans_made: usize,
    clock: u64,
    trace: Option<TraceState>,
    /// Write the GenAI conventions rather than OpenInference.
    genai: bool,
    /// Input and output tokens of the current trace's LLM calls (a GenAI root repeats them).
    call_tokens: (i64, i64),
}

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}

fn text(key: &str, value: impl Into<String>) -> KeyValue {
    kv(key, any_value::Value::StringValue(value.into()))
}

fn int(key: &str, value: i64) -> KeyValue {
    kv(key, any_value::Value::IntValue(value))
}

fn double(key: &str, value: f64) -> KeyValue {
    kv(key, any_value::Value::DoubleValue(value))
}

/// A span of `state`'s trace.
fn span(
    state: &TraceState,
    (span_id, parent): (Vec<u8>, &[u8]),
    name: String,
    kind: i32,
    (start, end): (u64, u64),
    attributes: Vec<KeyValue>,
) -> Span {
    Span {
        trace_id: state.trace_id.clone(),
        span_id,
        parent_span_id: parent.to_vec(),
        name,
        kind,
        start_time_unix_nano: start,
        end_time_unix_nano: end,
        attributes,
        status: Some(Status::default()),
        ..Default::default()
    }
}

impl Generator {
    fn next_batch(&mut self) -> Option<ResourceSpans> {
        while self.pending.len() < BATCH_SPANS && self.spans_made < self.spans_total {
            self.step();
        }
        if self.pending.is_empty() {
            return None;
        }
        let take = self.pending.len().min(BATCH_SPANS);
        let spans: Vec<Span> = self.pending.drain(..take).collect();
        Some(ResourceSpans {
            resource: Some(Resource {
                attributes: vec![
                    text("service.name", "agent-service"),
                    text("openinference.project.name", "generated-agents"),
                    text("telemetry.sdk.language", "python"),
                ],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "openinference.instrumentation.generated".into(),
                    version: "1.0.0".into(),
                    ..Default::default()
                }),
                spans,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        })
    }

    fn id(&mut self, bytes: usize) -> Vec<u8> {
        let mut id = Vec::with_capacity(bytes);
        while id.len() < bytes {
            id.extend_from_slice(&self.rng.next().to_be_bytes());
        }
        id.truncate(bytes);
        id
    }

    /// Adds one root-level step to the current trace (starting a trace, or ending it, as needed).
    fn step(&mut self) {
        if self.trace.is_none() {
            let remaining_traces = self.traces - self.trace_index;
            let remaining_spans = self.spans_total - self.spans_made;
            let budget = remaining_spans.div_ceil(remaining_traces.max(1)).max(1);
            self.trace_index += 1;
            self.clock += 1_000_000_000 + self.rng.below(5_000_000_000);
            self.trace = Some(TraceState {
                trace_id: self.id(16),
                root_id: self.id(8),
                root_start: self.clock,
                session: format!("session-{}", self.trace_index / 3),
                budget,
            });
            self.call_tokens = (0, 0);
            // The root is written last, when its end is known; count it now.
            self.spans_made += 1;
            if let Some(trace) = &mut self.trace {
                trace.budget -= 1;
            }
        }
        let Some(state) = self.trace.take() else {
            return;
        };
        let mut budget = state.budget;
        if budget > 0 {
            let parent = state.root_id.clone();
            let made = self.chain_step(&state, &parent, 0, &mut budget);
            self.spans_made += made;
        }
        if budget == 0 {
            self.finish_root(&state);
        } else {
            self.trace = Some(TraceState { budget, ..state });
        }
    }

    fn finish_root(&mut self, state: &TraceState) {
        self.clock += 200_000;
        let question = self.rng.words(12);
        let answer = self.rng.words(40);
        let attributes = match self.genai {
            true => vec![
                text("gen_ai.operation.name", "invoke_agent"),
                text("gen_ai.agent.name", "travel-agent"),
                text("gen_ai.conversation.id", state.session.clone()),
                text("gen_ai.provider.name", "openai"),
                text("gen_ai.input.messages", messages_json("user", &question)),
                text(
                    "gen_ai.output.messages",
                    messages_json("assistant", &answer),
                ),
                int("gen_ai.usage.input_tokens", self.call_tokens.0),
                int("gen_ai.usage.output_tokens", self.call_tokens.1),
            ],
            false => vec![
                text("openinference.span.kind", "AGENT"),
                text("session.id", state.session.clone()),
                text("user.id", format!("user-{}", self.trace_index % 17)),
                text("input.value", question),
                text("output.value", answer),
                text("metadata", "{\"tenant\": \"acme\", \"env\": \"prod\"}"),
            ],
        };
        let ids = (state.root_id.clone(), &[][..]);
        let span = span(
            state,
            ids,
            "agent.run".into(),
            1,
            (state.root_start, self.clock),
            attributes,
        );
        self.pending.push(span);
    }

    /// One CHAIN step with an LLM call and an action; returns the spans made. `budget` counts
    /// down; a step stops early when it runs out.
    fn chain_step(
        &mut self,
        state: &TraceState,
        parent: &[u8],
        depth: u32,
        budget: &mut usize,
    ) -> usize {
        if *budget == 0 {
            return 0;
        }
        *budget -= 1;
        let mut made = 1;
        let step_id = self.id(8);
        let start = self.clock;
        self.clock += 50_000;
        if *budget > 0 {
            *budget -= 1;
            made += 1;
            self.llm(state, &step_id);
        }
        if *budget > 0 {
            match self.rng.below(10) {
                0..=3 => {
                    *budget -= 1;
                    made += 1;
                    self.tool(state, &step_id);
                }
                4..=7 => {
                    *budget -= 1;
                    made += 1;
                    self.retriever(state, &step_id);
                }
                _ if depth < 3 && *budget > 1 => {
                    made += self.sub_agent(state, &step_id, depth + 1, budget);
                }
                _ => {
                    *budget -= 1;
                    made += 1;
                    self.tool(state, &step_id);
                }
            }
        }
        self.clock += 30_000;
        // Drawn in both conventions, so that a seed makes the same traces in each.
        let (input, output) = (self.rng.words(10), self.rng.words(16));
        let attributes = match self.genai {
            true => vec![text("gen_ai.operation.name", "agent_step")],
            false => vec![
                text("openinference.span.kind", "CHAIN"),
                text("session.id", state.session.clone()),
                text("input.value", input),
                text("output.value", output),
            ],
        };
        let span = span(
            state,
            (step_id, parent),
            "agent.step".into(),
            1,
            (start, self.clock),
            attributes,
        );
        self.pending.push(span);
        made
    }

    fn sub_agent(
        &mut self,
        state: &TraceState,
        parent: &[u8],
        depth: u32,
        budget: &mut usize,
    ) -> usize {
        *budget -= 1;
        let mut made = 1;
        let agent_id = self.id(8);
        let start = self.clock;
        self.clock += 20_000;
        for _ in 0..2 + self.rng.below(3) {
            if *budget == 0 {
                break;
            }
            made += self.chain_step(state, &agent_id, depth, budget);
        }
        self.clock += 20_000;
        let name = self
            .rng
            .pick(&["researcher", "planner", "critic", "booker"]);
        let (input, output) = (self.rng.words(14), self.rng.words(30));
        let attributes = match self.genai {
            true => vec![
                text("gen_ai.operation.name", "invoke_agent"),
                text("gen_ai.agent.name", name),
                text("gen_ai.input.messages", messages_json("user", &input)),
                text(
                    "gen_ai.output.messages",
                    messages_json("assistant", &output),
                ),
            ],
            false => vec![
                text("openinference.span.kind", "AGENT"),
                text("session.id", state.session.clone()),
                text("input.value", input),
                text("output.value", output),
            ],
        };
        let ids = (agent_id, parent);
        let span = span(
            state,
            ids,
            format!("sub_agent.{name}"),
            1,
            (start, self.clock),
            attributes,
        );
        self.pending.push(span);
        made
    }

    fn leaf(
        &mut self,
        state: &TraceState,
        parent: &[u8],
        name: String,
        micros: u64,
        attributes: Vec<KeyValue>,
    ) {
        let start = self.clock + 5_000;
        let duration = (micros / 2 + self.rng.below(micros)) * 1_000;
        self.clock = start + duration;
        let failed = self.rng.chance(2);
        let ids = (self.id(8), parent);
        let mut span = span(state, ids, name, 3, (start, self.clock), attributes);
        if failed {
            span.status = Some(Status {
                code: 2,
                message: "upstream error: 503 Service Unavailable".into(),
            });
            span.events.push(span::Event {
                time_unix_nano: self.clock,
                name: "exception".into(),
                attributes: vec![
                    text("exception.type", "UpstreamError"),
                    text("exception.message", "503 Service Unavailable"),
                    text("exception.stacktrace", "Traceback (most recent call last):\n  File \"agent.py\", line 42, in run\n    result = client.call()\nUpstreamError: 503 Service Unavailable\n"),
                ],
                dropped_attributes_count: 0,
            });
        }
        self.pending.push(span);
    }

    fn llm(&mut self, state: &TraceState, parent: &[u8]) {
        let model = self.rng.pick(&[
            "gpt-4o",
            "gpt-4o-mini",
            "claude-3-5-sonnet",
            "llama-3.1-70b",
        ]);
        let system = format!("You are a careful travel agent. {}", self.rng.words(40));
        let user = self.rng.words(30);
        let answer = self.rng.words(45);
        let prompt = 60 + self.rng.below(900) as i64;
        let completion = 20 + self.rng.below(400) as i64;
        let tool_call = self.rng.chance(30);
        self.call_tokens.0 += prompt;
        self.call_tokens.1 += completion;
        let attributes = match self.genai {
            true => genai_llm(
                model,
                &system,
                &user,
                &answer,
                (prompt, completion),
                tool_call,
            ),
            false => {
                let mut attributes = vec![
                    text("openinference.span.kind", "LLM"),
                    text("session.id", state.session.clone()),
                    text("llm.model_name", model),
                    text("llm.provider", "openai"),
                    text("llm.system", "openai"),
                    text(
                        "llm.invocation_parameters",
                        "{\"temperature\": 0.2, \"max_tokens\": 512}",
                    ),
                    text("input.mime_type", "application/json"),
                    text(
                        "input.value",
                        format!(
                            "{{\"messages\": [{{\"role\": \"user\", \"content\": \"{user}\"}}]}}"
                        ),
                    ),
                    text("llm.input_messages.0.message.role", "system"),
                    text("llm.input_messages.0.message.content", system),
                    text("llm.input_messages.1.message.role", "user"),
                    text("llm.input_messages.1.message.content", user),
                    text("llm.output_messages.0.message.role", "assistant"),
                    text("llm.output_messages.0.message.content", answer.clone()),
                    text("output.value", answer),
                    int("llm.token_count.prompt", prompt),
                    int("llm.token_count.completion", completion),
                    int("llm.token_count.total", prompt + completion),
                ];
                if tool_call {
                    attributes.push(text(
                        "llm.output_messages.0.message.tool_calls.0.tool_call.function.name",
                        "search_flights",
                    ));
                    attributes.push(text(
                        "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments",
                        "{\"from\": \"CDG\", \"to\": \"JFK\", \"date\": \"2026-12-01\"}",
                    ));
                }
                attributes
            }
        };
        let name = match self.genai {
            true => format!("chat {model}"),
            false => "llm.chat".into(),
        };
        self.leaf(state, parent, name, 800_000, attributes);
    }

    fn tool(&mut self, state: &TraceState, parent: &[u8]) {
        let name = self.rng.pick(&[
            "search_flights",
            "get_weather",
            "book_hotel",
            "convert_currency",
        ]);
        let result = self.rng.words(25);
        let attributes = match self.genai {
            true => vec![
                text("gen_ai.operation.name", "execute_tool"),
                text("gen_ai.tool.name", name),
                text("gen_ai.tool.call.id", format!("call_{}", self.spans_made)),
                text("gen_ai.tool.description", "Looks things up for the agent"),
                text(
                    "gen_ai.tool.call.arguments",
                    "{\"city\": \"Paris\", \"days\": 3}",
                ),
                text("gen_ai.tool.call.result", result),
            ],
            false => vec![
                text("openinference.span.kind", "TOOL"),
                text("session.id", state.session.clone()),
                text("tool.name", name),
                text("tool.description", "Looks things up for the agent"),
                text("tool.parameters", "{\"city\": \"Paris\", \"days\": 3}"),
                text("input.value", "{\"city\": \"Paris\", \"days\": 3}"),
                text("output.value", result),
            ],
        };
        let span_name = match self.genai {
            true => format!("execute_tool {name}"),
            false => format!("tool.{name}"),
        };
        self.leaf(state, parent, span_name, 120_000, attributes);
    }

    fn retriever(&mut self, state: &TraceState, parent: &[u8]) {
        let mut attributes = match self.genai {
            true => vec![
                text("gen_ai.operation.name", "retrieval"),
                text("gen_ai.data_source.id", "travel-kb"),
                text("gen_ai.retrieval.query.text", self.rng.words(8)),
            ],
            false => vec![
                text("openinference.span.kind", "RETRIEVER"),
                text("session.id", state.session.clone()),
                text("input.value", self.rng.words(8)),
            ],
        };
        for i in 0..5 {
            let prefix = format!("retrieval.documents.{i}.document");
            attributes.push(text(
                &format!("{prefix}.id"),
                format!("doc-{}", self.rng.below(100_000)),
            ));
            attributes.push(double(
                &format!("{prefix}.score"),
                1.0 - i as f64 * 0.1 - self.rng.below(50) as f64 / 1000.0,
            ));
            attributes.push(text(&format!("{prefix}.content"), self.rng.words(35)));
            attributes.push(text(
                &format!("{prefix}.metadata"),
                format!("{{\"source\": \"kb://{i}\", \"chunk\": {i}}}"),
            ));
        }
        self.leaf(state, parent, "retriever.search".into(), 60_000, attributes);
    }
}

/// One message of the GenAI conventions' JSON form, text only.
fn messages_json(role: &str, text: &str) -> String {
    serde_json::json!([{"role": role, "parts": [{"type": "text", "content": text}]}]).to_string()
}

/// A chat call in the GenAI conventions: model, provider, parameters, JSON messages, usage.
fn genai_llm(
    model: &str,
    system: &str,
    user: &str,
    answer: &str,
    (prompt, completion): (i64, i64),
    tool_call: bool,
) -> Vec<KeyValue> {
    let mut parts = vec![serde_json::json!({"type": "text", "content": answer})];
    if tool_call {
        parts.push(
            serde_json::json!({"type": "tool_call", "id": "call_1", "name": "search_flights",
            "arguments": {"from": "CDG", "to": "JFK", "date": "2026-12-01"}}),
        );
    }
    let output =
        serde_json::json!([{"role": "assistant", "parts": parts, "finish_reason": "stop"}]);
    vec![
        text("gen_ai.operation.name", "chat"),
        text("gen_ai.provider.name", "openai"),
        text("gen_ai.request.model", model),
        text("gen_ai.response.model", format!("{model}-2024-08-06")),
        double("gen_ai.request.temperature", 0.2),
        int("gen_ai.request.max_tokens", 512),
        text(
            "gen_ai.system_instructions",
            serde_json::json!([{"type": "text", "content": system}]).to_string(),
        ),
        text("gen_ai.input.messages", messages_json("user", user)),
        text("gen_ai.output.messages", output.to_string()),
        int("gen_ai.usage.input_tokens", prompt),
        int("gen_ai.usage.output_tokens", completion),
        kv(
            "gen_ai.response.finish_reasons",
            any_value::Value::ArrayValue(opentelemetry_proto::tonic::common::v1::ArrayValue {
                values: vec![AnyValue {
                    value: Some(any_value::Value::StringValue("stop".into())),
                }],
            }),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Traces;
    use crate::ingest;
    use crate::model::{Arena, OiKind};

    #[test]
    fn makes_exactly_the_spans_asked_as_valid_trees() {
        for (spans, traces) in [(1, 1), (7, 3), (2_500, 1), (10_000, 40)] {
            let mut proto = Vec::new();
            write_proto(
                Shape {
                    spans,
                    traces,
                    ..Shape::default()
                },
                &mut proto,
            )
            .unwrap_or_default();
            let mut arena = Arena::default();
            let report = ingest::load(&mut arena, "generated.pb", &proto);
            assert!(report.is_ok(), "{:?}", report.errors);
            assert_eq!(report.spans, spans);
            let assembled = Traces::assemble(&arena);
            assert_eq!(assembled.len(), traces);
            let overview = assembled.overview();
            assert_eq!(
                (
                    overview.roots,
                    overview.missing_parents,
                    overview.outside_parent
                ),
                (traces as u64, 0, 0)
            );
        }
    }

    #[test]
    fn the_genai_form_means_what_the_openinference_form_means() {
        let [oi, genai] = [Convention::OpenInference, Convention::GenAi].map(|convention| {
            let mut bytes = Vec::new();
            let shape = Shape {
                spans: 3_000,
                traces: 3,
                seed: 9,
                convention,
            };
            write_proto(shape, &mut bytes).unwrap_or_default();
            let mut arena = Arena::default();
            assert!(ingest::load(&mut arena, "g.pb", &bytes).is_ok());
            let traces = Traces::assemble(&arena);
            let kinds: Vec<OiKind> = arena.spans().iter().map(|s| s.oi_kind).collect();
            let usage: Vec<_> = traces.all().iter().map(|t| t.summary.usage).collect();
            (kinds, usage)
        });
        assert!(oi.0 == genai.0, "the same kinds, span by span");
        // The GenAI agent repeats its calls' sum; it is counted once all the same.
        assert_eq!(oi.1, genai.1);
    }

    #[test]
    fn json_and_protobuf_carry_the_same_spans() {
        let shape = Shape {
            spans: 3_000,
            traces: 2,
            seed: 5,
            ..Shape::default()
        };
        let (mut proto, mut json) = (Vec::new(), Vec::new());
        write_proto(shape, &mut proto).unwrap_or_default();
        write_json(shape, &mut json).unwrap_or_default();
        let mut a = Arena::default();
        let mut b = Arena::default();
        ingest::load(&mut a, "g.pb", &proto);
        ingest::load(&mut b, "g.json", &json);
        assert_eq!(a.spans().len(), 3_000);
        assert_eq!(
            crate::export::encode_proto(&a, &(0..3_000).collect::<Vec<_>>()),
            crate::export::encode_proto(&b, &(0..3_000).collect::<Vec<_>>())
        );
        let kinds: std::collections::BTreeSet<OiKind> =
            a.spans().iter().map(|s| s.oi_kind).collect();
        assert!(
            kinds.is_superset(
                &[
                    OiKind::Agent,
                    OiKind::Chain,
                    OiKind::Llm,
                    OiKind::Tool,
                    OiKind::Retriever
                ]
                .into()
            )
        );
    }
}
