//! The normalized view of one span ([`Meaning`]): what the details pane, the CLI and the
//! sessions page show, whichever convention the span was written in.

use serde::{Deserialize, Serialize};

use crate::model::{Dialect, Usage};

/// Most base64 characters of inline media kept to be shown or played (6 MB); past it only
/// its size is kept.
pub const MAX_INLINE_MEDIA: usize = 8_000_000;

/// How many bytes base64 text holds (padded or not).
pub fn base64_size(text: &str) -> u64 {
    let len = text.trim_end_matches('=').len() as u64;
    (len / 4) * 3 + (len % 4).saturating_sub(1)
}

/// One part of a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// The model's reasoning ("thinking"), when it was recorded.
    Reasoning {
        /// The text.
        text: String,
    },
    /// An image, by its URL: a remote one, or a `data:` URL when it came inline.
    Image {
        /// The URL.
        url: String,
    },
    /// Audio, a file, a video or other bytes, inline or by reference.
    Media {
        /// `audio`, `document`, `file`, `video`, …: the modality, else the part's type.
        kind: String,
        /// Its MIME type, if recorded.
        mime_type: Option<String>,
        /// A URI or a file id; empty when it came inline.
        reference: String,
        /// Its file name, if recorded.
        name: Option<String>,
        /// How many bytes came inline.
        size: Option<u64>,
        /// The inline bytes as base64, for audio up to [`MAX_INLINE_MEDIA`] characters (played
        /// in the page); not kept otherwise.
        data: Option<String>,
        /// What was said, when a transcript was recorded.
        transcript: Option<String>,
    },
    /// A tool call the model asked for.
    ToolCall {
        /// The call's id.
        id: Option<String>,
        /// The tool.
        name: String,
        /// The arguments as recorded: JSON text when they were JSON.
        arguments: String,
    },
    /// What a tool answered.
    ToolResult {
        /// The id of the call it answers.
        id: Option<String>,
        /// The tool, if recorded.
        name: Option<String>,
        /// The result, as text (JSON text when it was structured).
        result: String,
    },
    /// Anything else, as JSON text.
    Other {
        /// The part as recorded.
        json: String,
    },
}

impl Part {
    /// An image by its URL; a `data:` URL past [`MAX_INLINE_MEDIA`] is kept as its size only.
    pub fn image(url: String) -> Part {
        if url.len() <= MAX_INLINE_MEDIA || !url.starts_with("data:") {
            return Part::Image { url };
        }
        let data = url.split_once(',').map_or("", |(_, data)| data);
        Part::Media {
            kind: "image".into(),
            mime_type: url
                .strip_prefix("data:")
                .and_then(|rest| rest.split([';', ',']).next())
                .map(str::to_owned),
            reference: String::new(),
            name: None,
            size: Some(base64_size(data)),
            data: None,
            transcript: None,
        }
    }
}

/// One message of a conversation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// `system`, `user`, `assistant`, `tool`, …
    pub role: String,
    /// A participant's or function's name.
    pub name: Option<String>,
    /// Its parts, in order.
    pub parts: Vec<Part>,
    /// The tool call a tool message answers.
    pub tool_call_id: Option<String>,
    /// Why the model stopped (output messages).
    pub finish_reason: Option<String>,
}

impl Message {
    /// What the model reads of it as text: its text parts and tool results, joined by blank
    /// lines.
    pub fn content(&self) -> String {
        let texts: Vec<&str> = self
            .parts
            .iter()
            .filter_map(|part| match part {
                Part::Text { text } => Some(text.as_str()),
                Part::ToolResult { result, .. } => Some(result.as_str()),
                _ => None,
            })
            .collect();
        texts.join("\n\n")
    }

    /// The tool calls among its parts: (id, name, arguments).
    pub fn tool_calls(&self) -> impl Iterator<Item = (Option<&str>, &str, &str)> {
        self.parts.iter().filter_map(|part| match part {
            Part::ToolCall {
                id,
                name,
                arguments,
            } => Some((id.as_deref(), name.as_str(), arguments.as_str())),
            _ => None,
        })
    }
}

/// A tool offered to the model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolDefinition {
    /// Its name.
    pub name: String,
    /// What it does.
    pub description: Option<String>,
    /// Its parameters' JSON schema (or the whole definition when it has no known shape), as
    /// JSON text.
    pub schema: Option<String>,
}

/// A retrieved (or reranked) document.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Its id.
    pub id: Option<String>,
    /// Its relevance score.
    pub score: Option<f64>,
    /// Its text.
    pub content: Option<String>,
    /// Its metadata, as JSON text.
    pub metadata: Option<String>,
}

/// One embedded text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Embedding {
    /// The text.
    pub text: Option<String>,
    /// The vector's length.
    pub dimensions: usize,
}

/// A tool's run, on a TOOL span.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolUse {
    /// The tool.
    pub name: Option<String>,
    /// The id of the call it answers.
    pub call_id: Option<String>,
    /// What it does.
    pub description: Option<String>,
    /// Its parameters' schema, as JSON text.
    pub parameters: Option<String>,
    /// The arguments it was given, as text.
    pub arguments: Option<String>,
    /// What it returned, as text.
    pub result: Option<String>,
}

/// A prompt template and its variables (OpenInference).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PromptTemplate {
    /// The template.
    pub template: String,
    /// Its variables, as JSON text.
    pub variables: Option<String>,
    /// Its version.
    pub version: Option<String>,
}

/// What one span means. Every field may be empty: a span says what it says.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Meaning {
    /// The convention it was read in.
    pub dialect: Dialect,
    /// The operation as the span names it (`chat`, `ai.generateText.doGenerate`, `LLM`…).
    pub operation: Option<String>,
    /// The model asked for.
    pub request_model: Option<String>,
    /// The model that answered.
    pub response_model: Option<String>,
    /// The provider.
    pub provider: Option<String>,
    /// The agent it runs as or for.
    pub agent: Option<String>,
    /// System instructions given apart from the messages.
    pub system: Vec<Part>,
    /// The messages sent to the model.
    pub input: Vec<Message>,
    /// The messages it answered.
    pub output: Vec<Message>,
    /// Tools offered to the model.
    pub tools: Vec<ToolDefinition>,
    /// Invocation parameters (temperature, max tokens…): name and value as text.
    pub parameters: Vec<(String, String)>,
    /// Why the model stopped.
    pub finish_reasons: Vec<String>,
    /// Token counts.
    pub usage: Usage,
    /// What a retriever or reranker was asked.
    pub query: Option<String>,
    /// Retrieved documents (or a reranker's input).
    pub documents: Vec<Document>,
    /// A reranker's output.
    pub reranked: Vec<Document>,
    /// Embedded texts.
    pub embeddings: Vec<Embedding>,
    /// A tool's run.
    pub tool: Option<ToolUse>,
    /// The span's input as text, when it has no messages (`input.value`, a chain's prompt).
    pub input_value: Option<String>,
    /// The span's output as text, when it has no messages.
    pub output_value: Option<String>,
    /// A prompt template.
    pub prompt_template: Option<PromptTemplate>,
    /// What went wrong (`error.type`), beside the status message.
    pub error_type: Option<String>,
}
