//! What a span is and what its model call recorded, read once when the span is stored: its kind
//! (in OpenInference's terms) and a [`Call`] with tokens, models, provider and a recorded cost.
//!
//! One pass over the span's attributes. Keys are recognised by their fixed ids ([`Known`]), so a
//! key that means nothing here costs one comparison. Where conventions overlap, each figure is
//! taken from the first convention in [`Rank`] order that recorded it, so a span written in two
//! conventions (Vercel's `ai.*` beside `gen_ai.*`) is read by the one that says more, and figures
//! only the other holds are still found.

use crate::model::{
    AnyValue, Arena, Call, Dialect, Known, OiKind, RecordedCost, Rows, StrId, TokenKind, Usage, Usd,
};

/// Which convention a figure came from, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    OpenInference,
    VercelAi,
    GenAi,
    Pydantic,
    Traceloop,
    Langfuse,
    LangSmith,
}

impl Rank {
    fn dialect(self) -> Dialect {
        match self {
            Rank::OpenInference => Dialect::OpenInference,
            Rank::VercelAi => Dialect::VercelAi,
            Rank::GenAi | Rank::Pydantic | Rank::Traceloop => Dialect::GenAi,
            Rank::Langfuse => Dialect::Langfuse,
            Rank::LangSmith => Dialect::LangSmith,
        }
    }
}

/// What one attribute key says, if it says anything here.
enum Meaning {
    /// A kind, and how much its key is trusted (lower first): conventions that say a kind
    /// outright come before those that imply it (LangSmith's exporter derives
    /// `gen_ai.operation.name` lossily, so its own key comes first).
    Kind(u8, Rank),
    /// The span is a tool's run unless a key says otherwise.
    ToolName,
    RequestModel(Rank),
    ResponseModel(Rank),
    Provider(Rank),
    Tokens(TokenKind, Rank),
    LangfuseUsage,
    CostTotal(Rank),
    CostInput,
    CostOutput,
    LangfuseCost,
}

fn meaning(key: Known) -> Option<Meaning> {
    use Known as K;
    use Meaning as M;
    use Rank as R;
    use TokenKind as T;
    Some(match key {
        K::OiSpanKind => M::Kind(0, R::OpenInference),
        K::LangfuseType => M::Kind(1, R::Langfuse),
        K::LangsmithSpanKind => M::Kind(2, R::LangSmith),
        K::GenAiOperation => M::Kind(3, R::GenAi),
        K::VercelOperation => M::Kind(4, R::VercelAi),
        K::TraceloopSpanKind => M::Kind(5, R::Traceloop),
        K::LlmRequestType => M::Kind(6, R::Traceloop),
        K::GenAiToolName => M::ToolName,
        K::OiModel | K::OiEmbeddingModel | K::OiRerankerModel => M::ResponseModel(R::OpenInference),
        K::GenAiRequestModel => M::RequestModel(R::GenAi),
        K::GenAiResponseModel => M::ResponseModel(R::GenAi),
        K::VercelModel => M::RequestModel(R::VercelAi),
        K::VercelResponseModel => M::ResponseModel(R::VercelAi),
        K::LangfuseModel => M::RequestModel(R::Langfuse),
        K::LangsmithModel => M::RequestModel(R::LangSmith),
        K::OiProvider => M::Provider(R::OpenInference),
        K::OiSystem => M::Provider(R::Traceloop),
        K::GenAiProvider => M::Provider(R::GenAi),
        K::GenAiSystem => M::Provider(R::Pydantic),
        K::VercelProvider => M::Provider(R::VercelAi),
        K::LangsmithProvider => M::Provider(R::LangSmith),
        K::OiPrompt => M::Tokens(T::Input, R::OpenInference),
        K::GenAiInput => M::Tokens(T::Input, R::GenAi),
        K::GenAiPrompt => M::Tokens(T::Input, R::Traceloop),
        K::VercelInput => M::Tokens(T::Input, R::VercelAi),
        K::VercelPrompt => M::Tokens(T::Input, R::VercelAi),
        K::TraceloopPrompt => M::Tokens(T::Input, R::Traceloop),
        K::OiCompletion => M::Tokens(T::Output, R::OpenInference),
        K::GenAiOutput => M::Tokens(T::Output, R::GenAi),
        K::GenAiCompletion => M::Tokens(T::Output, R::Traceloop),
        K::VercelOutput => M::Tokens(T::Output, R::VercelAi),
        K::VercelCompletion => M::Tokens(T::Output, R::VercelAi),
        K::TraceloopCompletion => M::Tokens(T::Output, R::Traceloop),
        K::OiTotal => M::Tokens(T::Total, R::OpenInference),
        K::GenAiTotal => M::Tokens(T::Total, R::GenAi),
        K::TraceloopTotal => M::Tokens(T::Total, R::Traceloop),
        K::VercelTotal => M::Tokens(T::Total, R::VercelAi),
        K::OiCacheRead | K::OiCacheInput => M::Tokens(T::CachedInput, R::OpenInference),
        K::GenAiCacheRead => M::Tokens(T::CachedInput, R::GenAi),
        K::GenAiCacheReadFlat => M::Tokens(T::CachedInput, R::Traceloop),
        K::PydanticCacheRead => M::Tokens(T::CachedInput, R::Pydantic),
        K::VercelCachedInput => M::Tokens(T::CachedInput, R::VercelAi),
        K::VercelCacheRead => M::Tokens(T::CachedInput, R::VercelAi),
        K::OiCacheWrite => M::Tokens(T::CacheWrite, R::OpenInference),
        K::GenAiCacheWrite | K::GenAiCacheWriteNew => M::Tokens(T::CacheWrite, R::GenAi),
        K::StrandsCacheWrite => M::Tokens(T::CacheWrite, R::Traceloop),
        K::GenAiCacheWriteFlat => M::Tokens(T::CacheWrite, R::Traceloop),
        K::PydanticCacheWrite => M::Tokens(T::CacheWrite, R::Pydantic),
        K::VercelCacheWrite => M::Tokens(T::CacheWrite, R::VercelAi),
        K::OiReasoning => M::Tokens(T::Reasoning, R::OpenInference),
        K::GenAiReasoning | K::GenAiReasoningOutput => M::Tokens(T::Reasoning, R::GenAi),
        K::PydanticReasoning => M::Tokens(T::Reasoning, R::Pydantic),
        K::TraceloopReasoning => M::Tokens(T::Reasoning, R::Traceloop),
        K::VercelReasoning | K::VercelOutputReasoning => M::Tokens(T::Reasoning, R::VercelAi),
        K::OiAudioInput => M::Tokens(T::AudioInput, R::OpenInference),
        K::GenAiAudioInput | K::GenAiAudioInputFlat => M::Tokens(T::AudioInput, R::GenAi),
        K::PydanticAudioInput => M::Tokens(T::AudioInput, R::Pydantic),
        K::OiAudioOutput => M::Tokens(T::AudioOutput, R::OpenInference),
        K::GenAiAudioOutput | K::GenAiAudioOutputFlat => M::Tokens(T::AudioOutput, R::GenAi),
        K::PydanticAudioOutput => M::Tokens(T::AudioOutput, R::Pydantic),
        K::LangfuseUsage => M::LangfuseUsage,
        K::OiCostTotal => M::CostTotal(R::OpenInference),
        K::PydanticCost => M::CostTotal(R::Pydantic),
        K::GenAiCost | K::GenAiCostAmount => M::CostTotal(R::GenAi),
        K::LiteLlmCost => M::CostTotal(R::Traceloop),
        K::LangsmithCost => M::CostTotal(R::LangSmith),
        K::OiCostPrompt => M::CostInput,
        K::OiCostCompletion => M::CostOutput,
        K::LangfuseCost => M::LangfuseCost,
        _ => return None,
    })
}

/// The OpenInference kind a convention's value names; `None` for a value that names none.
fn kind_named(key: Known, value: &str) -> Option<OiKind> {
    use OiKind as O;
    // OpenInference's kind, on most spans, is read without a lower-cased copy.
    if key == Known::OiSpanKind {
        return Some(O::from_attribute(value.trim()));
    }
    let lower = value.trim().to_ascii_lowercase();
    Some(match key {
        Known::GenAiOperation => match lower.as_str() {
            "chat"
            | "text_completion"
            | "generate_content"
            | "completion"
            | "generate"
            | "realtime_inference"
            | "generate_live_content" => O::Llm,
            "embeddings" | "embedding" => O::Embedding,
            "execute_tool" => O::Tool,
            "invoke_agent" | "create_agent" | "plan" => O::Agent,
            "invoke_workflow"
            | "agent_step"
            | "run_step"
            | "execute_event_loop_cycle"
            | "execute_task" => O::Chain,
            "retrieval" | "retrieve" | "vector_db_retrieve" | "search_memory" => O::Retriever,
            "rerank" => O::Reranker,
            _ => return None,
        },
        // The Vercel AI SDK names each step as openinference-vercel maps them: a call such as
        // `ai.generateText` is an agent loop, its `.doGenerate` / `.doStream` the model calls.
        Known::VercelOperation => match value {
            "ai.toolCall" => O::Tool,
            "ai.embed.doEmbed" | "ai.embedMany.doEmbed" => O::Embedding,
            "ai.rerank" | "ai.rerank.doRerank" => O::Reranker,
            "ai.generateText" | "ai.streamText" | "ai.generateObject" | "ai.streamObject" => {
                O::Agent
            }
            v if v.ends_with(".doGenerate") || v.ends_with(".doStream") => O::Llm,
            v if v.starts_with("ai.") => O::Chain,
            _ => return None,
        },
        Known::LlmRequestType => match lower.as_str() {
            "chat" | "completion" => O::Llm,
            "embedding" => O::Embedding,
            "rerank" => O::Reranker,
            _ => return None,
        },
        Known::TraceloopSpanKind => match lower.as_str() {
            "workflow" | "task" => O::Chain,
            "agent" => O::Agent,
            "tool" => O::Tool,
            _ => return None,
        },
        Known::LangsmithSpanKind => match lower.as_str() {
            "llm" => O::Llm,
            "chain" | "parser" => O::Chain,
            "tool" => O::Tool,
            "retriever" => O::Retriever,
            "embedding" => O::Embedding,
            "prompt" => O::Prompt,
            _ => return None,
        },
        Known::LangfuseType => match lower.as_str() {
            "generation" => O::Llm,
            "embedding" => O::Embedding,
            "agent" => O::Agent,
            "tool" => O::Tool,
            "chain" => O::Chain,
            "retriever" => O::Retriever,
            "evaluator" => O::Evaluator,
            "guardrail" => O::Guardrail,
            _ => return None,
        },
        _ => return None,
    })
}

/// A count from an integer, an integral double or a numeric string.
fn count(arena: &Arena, value: AnyValue) -> Option<u64> {
    match value {
        AnyValue::Int(n) => u64::try_from(n).ok(),
        AnyValue::Double(x) if x >= 0.0 && x.fract() == 0.0 && x < 1.8e19 => Some(x as u64),
        AnyValue::Str(id) => arena.str(id).trim().parse().ok(),
        _ => None,
    }
}

/// An amount of money from a number or a numeric string.
fn amount(arena: &Arena, value: AnyValue) -> Option<f64> {
    let x = match value {
        AnyValue::Int(n) => n as f64,
        AnyValue::Double(x) => x,
        AnyValue::Str(id) => arena.str(id).trim().parse().ok()?,
        _ => return None,
    };
    (x.is_finite() && x >= 0.0).then_some(x)
}

/// The best (lowest-ranked) value seen so far of one figure.
#[derive(Clone, Copy)]
struct Best<T> {
    value: Option<(Rank, T)>,
}

impl<T> Default for Best<T> {
    fn default() -> Self {
        Self { value: None }
    }
}

impl<T: Copy> Best<T> {
    fn offer(&mut self, rank: Rank, value: T) {
        if self.value.is_none_or(|(best, _)| rank < best) {
            self.value = Some((rank, value));
        }
    }

    fn get(&self) -> Option<T> {
        self.value.map(|(_, value)| value)
    }

    fn rank(&self) -> Option<Rank> {
        self.value.map(|(rank, _)| rank)
    }
}

/// The figures of one span, as the pass finds them.
#[derive(Default)]
struct Reading {
    kind: Best<OiKind>,
    /// How much the kind's key is trusted (see [`Meaning::Kind`]).
    kind_trust: Option<u8>,
    tool_name: bool,
    request_model: Best<StrId>,
    response_model: Best<StrId>,
    provider: Best<StrId>,
    tokens: [Best<u64>; TokenKind::ALL.len()],
    cost_total: Best<f64>,
    cost_input: Option<f64>,
    cost_output: Option<f64>,
}

impl Reading {
    fn take(&mut self, arena: &Arena, key: Known, value: AnyValue) {
        let Some(meaning) = meaning(key) else {
            return;
        };
        let text = || match value {
            AnyValue::Str(id) if !arena.str(id).trim().is_empty() => Some(id),
            _ => None,
        };
        match meaning {
            Meaning::Kind(trust, rank) => {
                if let Some(kind) = text().and_then(|id| kind_named(key, arena.str(id)))
                    && self.kind_trust.is_none_or(|best| trust < best)
                {
                    self.kind_trust = Some(trust);
                    self.kind = Best::default();
                    self.kind.offer(rank, kind);
                }
            }
            Meaning::ToolName => self.tool_name = true,
            Meaning::RequestModel(rank) => {
                text().map_or((), |id| self.request_model.offer(rank, id))
            }
            Meaning::ResponseModel(rank) => {
                text().map_or((), |id| self.response_model.offer(rank, id))
            }
            Meaning::Provider(rank) => {
                // Frameworks that name themselves where the provider belongs.
                let framework = |id: StrId| {
                    let name = arena.str(id).trim().to_ascii_lowercase();
                    matches!(
                        name.as_str(),
                        "strands-agents" | "gcp.vertex.agent" | "langchain" | "crewai"
                    )
                };
                if let Some(id) = text().filter(|&id| !framework(id)) {
                    self.provider.offer(rank, id);
                }
            }
            Meaning::Tokens(kind, rank) => {
                if let Some(n) = count(arena, value) {
                    self.tokens[kind as usize].offer(rank, n);
                }
            }
            Meaning::CostTotal(rank) => {
                if let Some(x) = amount(arena, value) {
                    self.cost_total.offer(rank, x);
                }
            }
            Meaning::CostInput => self.cost_input = amount(arena, value),
            Meaning::CostOutput => self.cost_output = amount(arena, value),
            Meaning::LangfuseUsage => {
                if let Some(id) = text() {
                    self.langfuse_usage(arena.str(id));
                }
            }
            Meaning::LangfuseCost => {
                if let Some(id) = text() {
                    self.langfuse_cost(arena.str(id));
                }
            }
        }
    }

    /// `langfuse.observation.usage_details`: a JSON object of counts by name, whose `input`
    /// leaves out cached tokens (added back here: input counts include them everywhere else).
    fn langfuse_usage(&mut self, json: &str) {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_str(json) else {
            return;
        };
        let mut usage = Usage::default();
        for (name, value) in &map {
            let kind = match name.as_str() {
                "input" | "prompt_tokens" | "input_tokens" => TokenKind::Input,
                "output" | "completion_tokens" | "output_tokens" => TokenKind::Output,
                "total" | "total_tokens" => TokenKind::Total,
                "input_cached_tokens" | "input_cache_read" | "cache_read_input_tokens" => {
                    TokenKind::CachedInput
                }
                "input_cache_creation" | "cache_creation_input_tokens" => TokenKind::CacheWrite,
                "output_reasoning_tokens" | "output_reasoning" | "reasoning_tokens" => {
                    TokenKind::Reasoning
                }
                _ => continue,
            };
            if let Some(n) = value.as_u64() {
                usage.set(kind, n);
            }
        }
        if let Some(input) = usage.get(TokenKind::Input) {
            let cached = usage
                .count(TokenKind::CachedInput)
                .saturating_add(usage.count(TokenKind::CacheWrite));
            usage.set(TokenKind::Input, input.saturating_add(cached));
        }
        for (kind, n) in usage.iter() {
            self.tokens[kind as usize].offer(Rank::Langfuse, n);
        }
    }

    /// `langfuse.observation.cost_details`: a JSON object of USD amounts by name.
    fn langfuse_cost(&mut self, json: &str) {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_str(json) else {
            return;
        };
        let get = |name: &str| map.get(name).and_then(serde_json::Value::as_f64);
        let (input, output) = (get("input"), get("output"));
        let total = get("total").or(match (input, output) {
            (None, None) => None,
            (i, o) => Some(i.unwrap_or(0.0) + o.unwrap_or(0.0)),
        });
        if let Some(total) = total.filter(|x| x.is_finite() && *x >= 0.0) {
            self.cost_total.offer(Rank::Langfuse, total);
            self.cost_input = self.cost_input.or(input);
            self.cost_output = self.cost_output.or(output);
        }
    }

    fn finish(self) -> (OiKind, Option<Call>) {
        let mut usage = Usage::default();
        for kind in TokenKind::ALL {
            if let Some(n) = self.tokens[kind as usize].get() {
                usage.set(kind, n);
            }
        }
        let input = self.cost_input.map(Usd::from_dollars);
        let output = self.cost_output.map(Usd::from_dollars);
        let recorded_cost = match self.cost_total.get() {
            Some(total) => Some(RecordedCost {
                total: Usd::from_dollars(total),
                input,
                output,
            }),
            None if input.is_none() && output.is_none() => None,
            None => Some(RecordedCost {
                total: input.unwrap_or_default() + output.unwrap_or_default(),
                input,
                output,
            }),
        };
        let model = self.response_model.get().or(self.request_model.get());
        let figures_rank = [
            self.tokens[TokenKind::Input as usize].rank(),
            self.tokens[TokenKind::Output as usize].rank(),
            self.request_model.rank(),
            self.response_model.rank(),
        ]
        .into_iter()
        .flatten()
        .min();
        // A span with a model and tokens but no kind (the earliest GenAI conventions wrote no
        // operation) is a model call; OpenInference always says its kind.
        let kind = match self.kind.get() {
            Some(kind) => kind,
            None if self.tool_name => OiKind::Tool,
            None if model.is_some()
                && !usage.is_empty()
                && figures_rank != Some(Rank::OpenInference) =>
            {
                OiKind::Llm
            }
            None => OiKind::Unknown,
        };
        let described = !usage.is_empty()
            || recorded_cost.is_some()
            || model.is_some()
            || matches!(kind, OiKind::Llm | OiKind::Embedding);
        if !described {
            return (kind, None);
        }
        let dialect = self
            .kind
            .rank()
            .or(figures_rank)
            .map_or(Dialect::None, Rank::dialect);
        let call = Call {
            usage,
            request_model: self.request_model.get().unwrap_or(StrId::EMPTY),
            response_model: self.response_model.get().unwrap_or(StrId::EMPTY),
            provider: self.provider.get().unwrap_or(StrId::EMPTY),
            recorded_cost,
            dialect,
        };
        (kind, Some(call))
    }
}

/// What the span with these attributes is, and what its model call recorded (if it records
/// one). See the module docs.
pub fn read_span(arena: &Arena, attributes: Rows) -> (OiKind, Option<Call>) {
    let mut reading = Reading::default();
    for kv in arena.attributes(attributes) {
        if let Some(key) = Known::of(kv.key) {
            reading.take(arena, key, kv.value);
        }
    }
    reading.finish()
}

/// The session a span names, by the first of the keys that name one.
pub fn session_of(arena: &Arena, span: &crate::model::Span) -> Option<StrId> {
    [
        Known::SessionId,
        Known::GenAiConversation,
        Known::LangfuseSession,
        Known::TraceloopSession,
        Known::VercelSession,
    ]
    .into_iter()
    .find_map(|key| match arena.attribute(span.attributes, key.id()) {
        Some(AnyValue::Str(id)) if !arena.str(id).is_empty() => Some(id),
        _ => None,
    })
}
