//! The strings Plume reads by meaning: attribute keys of the LLM conventions it understands
//! (OpenInference, the OpenTelemetry GenAI conventions, Vercel's `ai.*`, LangSmith, Langfuse…)
//! and a few values.
//!
//! Every [`Arena`](super::Arena) interns them first, in this order, so their ids are fixed:
//! [`Known::id`] needs no lookup, and [`Known::of`] recognises a key with one comparison and an
//! index. Reading what a span means at ingest therefore costs one pass over its attributes with
//! no hashing. What each key *means* is the `semantics` layer's business; this list only names
//! them.

use super::strings::StrId;

macro_rules! vocabulary {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// A string every arena holds at a fixed id. See the module docs.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Known {
            $($(#[$doc])* #[doc = concat!("`", $text, "`")] $variant,)*
        }

        impl Known {
            /// Every known string, in id order.
            pub const ALL: &'static [Known] = &[$(Known::$variant,)*];

            /// The text.
            pub const fn text(self) -> &'static str {
                match self {
                    $(Known::$variant => $text,)*
                }
            }
        }
    };
}

vocabulary! {
    // What a span is, per convention.
    OiSpanKind = "openinference.span.kind",
    GenAiOperation = "gen_ai.operation.name",
    VercelOperation = "ai.operationId",
    LlmRequestType = "llm.request.type",
    TraceloopSpanKind = "traceloop.span.kind",
    LangsmithSpanKind = "langsmith.span.kind",
    LangfuseType = "langfuse.observation.type",
    // Models and providers.
    OiModel = "llm.model_name",
    OiEmbeddingModel = "embedding.model_name",
    OiRerankerModel = "reranker.model_name",
    GenAiRequestModel = "gen_ai.request.model",
    GenAiResponseModel = "gen_ai.response.model",
    VercelModel = "ai.model.id",
    VercelResponseModel = "ai.response.model",
    LangfuseModel = "langfuse.observation.model.name",
    LangsmithModel = "langsmith.metadata.ls_model_name",
    OiProvider = "llm.provider",
    OiSystem = "llm.system",
    GenAiProvider = "gen_ai.provider.name",
    GenAiSystem = "gen_ai.system",
    VercelProvider = "ai.model.provider",
    LangsmithProvider = "langsmith.metadata.ls_provider",
    // A tool's name marks a tool span that names no operation.
    GenAiToolName = "gen_ai.tool.name",
    // Input tokens (all of them, cached ones included).
    OiPrompt = "llm.token_count.prompt",
    GenAiInput = "gen_ai.usage.input_tokens",
    GenAiPrompt = "gen_ai.usage.prompt_tokens",
    VercelInput = "ai.usage.inputTokens",
    VercelPrompt = "ai.usage.promptTokens",
    TraceloopPrompt = "llm.usage.prompt_tokens",
    // Output tokens.
    OiCompletion = "llm.token_count.completion",
    GenAiOutput = "gen_ai.usage.output_tokens",
    GenAiCompletion = "gen_ai.usage.completion_tokens",
    VercelOutput = "ai.usage.outputTokens",
    VercelCompletion = "ai.usage.completionTokens",
    TraceloopCompletion = "llm.usage.completion_tokens",
    // Totals.
    OiTotal = "llm.token_count.total",
    GenAiTotal = "gen_ai.usage.total_tokens",
    TraceloopTotal = "llm.usage.total_tokens",
    VercelTotal = "ai.usage.totalTokens",
    // Input tokens read from a cache.
    OiCacheRead = "llm.token_count.prompt_details.cache_read",
    OiCacheInput = "llm.token_count.prompt_details.cache_input",
    GenAiCacheRead = "gen_ai.usage.cache_read.input_tokens",
    GenAiCacheReadFlat = "gen_ai.usage.cache_read_input_tokens",
    PydanticCacheRead = "gen_ai.usage.details.cache_read_tokens",
    VercelCachedInput = "ai.usage.cachedInputTokens",
    VercelCacheRead = "ai.usage.inputTokenDetails.cacheReadTokens",
    // Input tokens written to a cache.
    OiCacheWrite = "llm.token_count.prompt_details.cache_write",
    GenAiCacheWriteNew = "gen_ai.usage.cache_write.input_tokens",
    GenAiCacheWrite = "gen_ai.usage.cache_creation.input_tokens",
    StrandsCacheWrite = "gen_ai.usage.cache_write_input_tokens",
    GenAiCacheWriteFlat = "gen_ai.usage.cache_creation_input_tokens",
    PydanticCacheWrite = "gen_ai.usage.details.cache_write_tokens",
    VercelCacheWrite = "ai.usage.inputTokenDetails.cacheWriteTokens",
    // Reasoning tokens (part of the output).
    OiReasoning = "llm.token_count.completion_details.reasoning",
    GenAiReasoning = "gen_ai.usage.reasoning_tokens",
    GenAiReasoningOutput = "gen_ai.usage.reasoning.output_tokens",
    PydanticReasoning = "gen_ai.usage.details.reasoning_tokens",
    TraceloopReasoning = "llm.usage.reasoning_tokens",
    VercelReasoning = "ai.usage.reasoningTokens",
    VercelOutputReasoning = "ai.usage.outputTokenDetails.reasoningTokens",
    // Audio tokens.
    GenAiAudioInput = "gen_ai.usage.audio.input_tokens",
    GenAiAudioInputFlat = "gen_ai.usage.input_audio_tokens",
    OiAudioInput = "llm.token_count.prompt_details.audio",
    PydanticAudioInput = "gen_ai.usage.details.input_audio_tokens",
    GenAiAudioOutput = "gen_ai.usage.audio.output_tokens",
    GenAiAudioOutputFlat = "gen_ai.usage.output_audio_tokens",
    OiAudioOutput = "llm.token_count.completion_details.audio",
    PydanticAudioOutput = "gen_ai.usage.details.output_audio_tokens",
    // Usage and cost as JSON objects (Langfuse).
    LangfuseUsage = "langfuse.observation.usage_details",
    LangfuseCost = "langfuse.observation.cost_details",
    // Costs the producer recorded, in USD.
    OiCostTotal = "llm.cost.total",
    OiCostPrompt = "llm.cost.prompt",
    OiCostCompletion = "llm.cost.completion",
    PydanticCost = "operation.cost",
    GenAiCost = "gen_ai.usage.cost",
    GenAiCostAmount = "gen_ai.usage.cost.amount",
    LiteLlmCost = "gen_ai.cost.total_cost",
    LangsmithCost = "langsmith.usage_metadata.total_cost",
    // Sessions and projects.
    SessionId = "session.id",
    GenAiConversation = "gen_ai.conversation.id",
    LangfuseSession = "langfuse.session.id",
    TraceloopSession = "traceloop.association.properties.session_id",
    VercelSession = "ai.telemetry.metadata.sessionId",
    // Who a trace ran for, in each convention.
    UserId = "user.id",
    EndUserId = "enduser.id",
    LangfuseUser = "langfuse.user.id",
    TraceloopUser = "traceloop.association.properties.user_id",
    VercelUser = "ai.telemetry.metadata.userId",
    ProjectName = "openinference.project.name",
    ServiceName = "service.name",
    InputValue = "input.value",
    OutputValue = "output.value",
    /// What a log record that names no `event_name` says it is.
    EventName = "event.name",
    /// The project of a resource that names none.
    DefaultProject = "default",
}

impl Known {
    /// Its id in every arena: the empty string is 0, then these in order.
    pub const fn id(self) -> StrId {
        StrId::from_index(self as u32 + 1)
    }

    /// The known string with this id, if it is one.
    pub fn of(id: StrId) -> Option<Known> {
        Self::ALL
            .get((id.index() as usize).wrapping_sub(1))
            .copied()
    }
}
