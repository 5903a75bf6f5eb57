//! What a call cost: a price table (USD per million tokens, by model and the date each price
//! took effect), how a recorded model id finds its price, and the arithmetic.
//!
//! The built-in table is the data file `src/semantics/prices.json`, with the source page of
//! every price. A user's price file has the same shape and is consulted first, so it adds models
//! and overrides prices ([`Prices::add`]).
//!
//! **Finding a model.** Ids are compared in lower case. An id that is not in a table as it is
//! loses, one step at a time and trying again after each, what providers and gateways add around
//! a model's name:
//! 1. a routing prefix: `models/` (Gemini), `provider/` (OpenRouter, LiteLLM), a Bedrock region
//!    (`us.`, `eu.`, `apac.`, `global.`, `us-gov.`), a Bedrock vendor (`anthropic.`, `meta.`,
//!    `mistral.`, `cohere.`, `ai21.`, `amazon.`, `deepseek.`, `openai.`);
//! 2. a version or snapshot suffix: Vertex's `@20240620`, Bedrock's `-v2:0` / `-v1`, a date
//!    (`-2024-07-18`, `-20241022`, `-08-2024`, `-2407`, `-05-20`), a Gemini revision (`-002`),
//!    `-latest`, `-preview`, `-exp`, `-beta`.
//!
//! So `us.anthropic.claude-3-5-sonnet-20241022-v2:0`, `claude-3-5-sonnet@20240620` and
//! `claude-3-5-sonnet-latest` all find `claude-3-5-sonnet`, and `gpt-4o-mini-2024-07-18` finds
//! `gpt-4o-mini`, while `gpt-4o-2024-05-13`, priced apart, is found as itself. Nothing is matched
//! by a mere shared prefix: a model the table does not know has no price, never a neighbour's.
//! When two entries share an id, the one of the call's provider wins.
//!
//! **Arithmetic.** Input counts include cached reads and cache writes (OpenAI's and the GenAI
//! conventions' meaning): the uncached rest is priced as input, cached reads and writes at their
//! own prices when the model has them. When cached reads and writes exceed the input count, the
//! producer counted them apart (Anthropic's API does) and the input count is all uncached.
//! Reasoning and audio tokens are part of output and input; they are priced apart only when the
//! model prices them apart.

use std::collections::BTreeMap;

use std::sync::LazyLock;

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use crate::model::Usd;
use crate::model::{TokenKind, Usage, parse_rfc3339_nanos};

/// The built-in table's text.
const BUILTIN: &str = include_str!("../prices.json");

/// Where a price came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceSource {
    /// The page.
    pub url: String,
    /// When the page was read (`YYYY-MM-DD`).
    #[serde(default)]
    pub checked: Option<String>,
}

/// One model's prices from a date on, in USD per million tokens; `None` where the kind of token
/// is not priced apart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelPrice {
    /// The model id, as the provider's API names it.
    pub id: String,
    /// The provider (`openai`, `anthropic`, `google`, `bedrock`, …).
    #[serde(default)]
    pub provider: Option<String>,
    /// A key of the file's `sources`.
    #[serde(default)]
    pub source: Option<String>,
    /// The day the price took effect (`YYYY-MM-DD`).
    #[serde(default)]
    pub from: Option<String>,
    /// Uncached input.
    pub input: f64,
    /// Output (reasoning included, unless `reasoning` is given).
    #[serde(default)]
    pub output: Option<f64>,
    /// Input read from a cache.
    #[serde(default)]
    pub cached_input: Option<f64>,
    /// Input written to a cache.
    #[serde(default)]
    pub cache_write: Option<f64>,
    /// Reasoning output.
    #[serde(default)]
    pub reasoning: Option<f64>,
    /// Audio input.
    #[serde(default)]
    pub audio_input: Option<f64>,
    /// Audio output.
    #[serde(default)]
    pub audio_output: Option<f64>,
}

/// A price file: the built-in table, or a user's in the same shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceFile {
    /// The table's version (a date).
    #[serde(default)]
    pub version: Option<String>,
    /// What the figures mean.
    #[serde(default)]
    pub about: Option<String>,
    /// Where the prices came from, by key.
    #[serde(default)]
    pub sources: BTreeMap<String, PriceSource>,
    /// The prices.
    pub models: Vec<ModelPrice>,
}

/// Why a price file was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PriceFileError {
    /// Not JSON of the price file's shape.
    #[error("not a price file: {0}")]
    Shape(String),
    /// An entry is wrong.
    #[error("price of {id:?}: {problem}")]
    Entry {
        /// Its position in `models`.
        index: usize,
        /// The entry's model id.
        id: String,
        /// What is wrong.
        problem: String,
    },
}

impl PriceFile {
    /// Reads a price file and [checks](PriceFile::check) it.
    pub fn parse(text: &str) -> Result<Self, PriceFileError> {
        let file: PriceFile = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| PriceFileError::Shape(e.to_string()))?;
        file.check()?;
        Ok(file)
    }

    /// Checks every entry: an id, prices that are finite and not negative, a date that reads.
    pub fn check(&self) -> Result<(), PriceFileError> {
        for (index, model) in self.models.iter().enumerate() {
            let problem = |problem: &str| PriceFileError::Entry {
                index,
                id: model.id.clone(),
                problem: problem.to_owned(),
            };
            if model.id.trim().is_empty() {
                return Err(problem("the id is empty"));
            }
            let prices = [
                Some(model.input),
                model.output,
                model.cached_input,
                model.cache_write,
                model.reasoning,
                model.audio_input,
                model.audio_output,
            ];
            if prices
                .into_iter()
                .flatten()
                .any(|p| !p.is_finite() || p < 0.0)
            {
                return Err(problem("a price is negative or not a number"));
            }
            if let Some(from) = &model.from
                && day_nanos(from).is_none()
            {
                return Err(problem("`from` is not a YYYY-MM-DD date"));
            }
        }
        Ok(())
    }
}

fn day_nanos(day: &str) -> Option<u64> {
    parse_rfc3339_nanos(&format!("{day}T00:00:00Z"))
}

/// A price as it applies to one call, with where it came from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Found<'a> {
    /// The entry.
    pub price: &'a ModelPrice,
    /// True when it comes from a user's price file.
    pub from_user: bool,
}

/// What a call's tokens cost, by part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostParts {
    /// Uncached input (audio input included).
    pub input: Usd,
    /// Input read from a cache.
    pub cached_input: Usd,
    /// Input written to a cache.
    pub cache_write: Usd,
    /// Output (reasoning and audio output included).
    pub output: Usd,
}

impl CostParts {
    /// The whole.
    pub fn total(&self) -> Usd {
        self.input + self.cached_input + self.cache_write + self.output
    }
}

/// One table, indexed by id.
#[derive(Clone, Debug)]
struct Table {
    file: PriceFile,
    /// Lower-case id → entries, oldest `from` first.
    by_id: HashMap<String, Vec<usize>>,
    /// Each entry's `from`, in ns since the epoch (read once, not at every lookup).
    from_nanos: Vec<Option<u64>>,
    /// Each entry's provider as [`normalize_provider`] writes it.
    providers: Vec<Option<String>>,
    from_user: bool,
}

impl Table {
    fn new(file: PriceFile, from_user: bool) -> Self {
        let from_nanos: Vec<Option<u64>> = file
            .models
            .iter()
            .map(|m| m.from.as_deref().and_then(day_nanos))
            .collect();
        let providers = file
            .models
            .iter()
            .map(|m| m.provider.as_deref().map(normalize_provider))
            .collect();
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, model) in file.models.iter().enumerate() {
            by_id
                .entry(model.id.trim().to_ascii_lowercase())
                .or_default()
                .push(index);
        }
        for entries in by_id.values_mut() {
            entries.sort_by_key(|&i| from_nanos[i]);
        }
        Self {
            file,
            by_id,
            from_nanos,
            providers,
            from_user,
        }
    }

    /// The entry of `id` for `provider` in effect at `at_nanos`.
    fn get(&self, id: &str, provider: &str, at_nanos: u64) -> Option<Found<'_>> {
        let entries = self.by_id.get(id)?;
        // The provider's own entries when it has some, else any.
        let of_provider = |i: &usize| self.providers[*i].as_deref() == Some(provider);
        let has_provider = entries.iter().any(of_provider);
        let candidates = entries.iter().filter(|i| !has_provider || of_provider(i));
        // The latest price in effect at the call; a call older than every price gets the
        // oldest (the table's dates are when a price began, not when the model did).
        let index = candidates
            .clone()
            .rev()
            .find(|&&i| self.from_nanos[i].is_none_or(|from| from <= at_nanos))
            .or_else(|| candidates.clone().next())?;
        Some(Found {
            price: &self.file.models[*index],
            from_user: self.from_user,
        })
    }
}

/// The built-in table, read once.
static BUILTIN_TABLE: LazyLock<Option<Table>> = LazyLock::new(|| {
    PriceFile::parse(BUILTIN)
        .ok()
        .map(|file| Table::new(file, false))
});

/// The price tables in use: a user's files (the latest first), then the built-in one.
#[derive(Clone, Debug)]
pub struct Prices {
    tables: Vec<Table>,
}

impl Default for Prices {
    /// The built-in table alone.
    fn default() -> Self {
        Self::builtin()
    }
}

impl Prices {
    /// The built-in table alone.
    pub fn builtin() -> Self {
        Self {
            tables: BUILTIN_TABLE.iter().cloned().collect(),
        }
    }

    /// The built-in table's file.
    pub fn builtin_file() -> Option<&'static PriceFile> {
        BUILTIN_TABLE.as_ref().map(|table| &table.file)
    }

    /// Adds a user's table, consulted before the others.
    pub fn add(&mut self, file: PriceFile) {
        self.tables.insert(0, Table::new(file, true));
    }

    /// The price of `model` (as recorded) from `provider` at `at_nanos`, found by the rules in
    /// the module docs.
    pub fn find(&self, model: &str, provider: &str, at_nanos: u64) -> Option<Found<'_>> {
        let provider = normalize_provider(provider);
        let mut id = model.trim().to_ascii_lowercase();
        if id.is_empty() {
            return None;
        }
        loop {
            if let Some(found) = self
                .tables
                .iter()
                .find_map(|table| table.get(&id, &provider, at_nanos))
            {
                return Some(found);
            }
            id = strip_one(&id)?;
        }
    }

    /// What `usage` of `model` cost at `at_nanos`, when the model has a price.
    pub fn cost(
        &self,
        model: &str,
        provider: &str,
        usage: &Usage,
        at_nanos: u64,
    ) -> Option<CostParts> {
        Some(self.find(model, provider, at_nanos)?.price.cost(usage))
    }
}

/// The provider's name as tables write it: `openai.chat` → `openai`, `aws.bedrock` → `bedrock`.
fn normalize_provider(provider: &str) -> String {
    let lower = provider.trim().to_ascii_lowercase();
    match lower.as_str() {
        "aws.bedrock" | "amazon_bedrock" | "aws_bedrock" | "bedrock" => "bedrock".into(),
        "gcp.gemini" | "gcp.vertex_ai" | "gcp.gen_ai" | "vertex_ai" | "vertexai" | "gemini"
        | "google" | "google_genai" => "google".into(),
        "az.ai.openai" | "azure" | "azure_openai" | "azure.ai.openai" => "openai".into(),
        "x_ai" | "xai" => "xai".into(),
        "mistral_ai" | "mistralai" | "mistral" => "mistral".into(),
        other => other.split('.').next().unwrap_or(other).to_owned(),
    }
}

const REGIONS: [&str; 6] = ["us.", "eu.", "apac.", "global.", "us-gov.", "jp."];
const VENDORS: [&str; 8] = [
    "anthropic.",
    "meta.",
    "mistral.",
    "cohere.",
    "ai21.",
    "amazon.",
    "deepseek.",
    "openai.",
];
const WORD_SUFFIXES: [&str; 5] = ["-latest", "-preview", "-exp", "-beta", "-experimental"];

/// `id` without one thing providers add around a model's name (module docs), if it has one.
fn strip_one(id: &str) -> Option<String> {
    if let Some(rest) = id.strip_prefix("models/") {
        return Some(rest.to_owned());
    }
    if let Some((_, rest)) = id.rsplit_once('/') {
        return Some(rest.to_owned());
    }
    for prefix in REGIONS.iter().chain(&VENDORS) {
        if let Some(rest) = id.strip_prefix(prefix) {
            return Some(rest.to_owned());
        }
    }
    if let Some((name, _)) = id.split_once('@') {
        return Some(name.to_owned());
    }
    if let Some(name) = strip_bedrock_version(id) {
        return Some(name.to_owned());
    }
    for suffix in WORD_SUFFIXES {
        if let Some(name) = id.strip_suffix(suffix) {
            return Some(name.to_owned());
        }
    }
    strip_date(id).map(str::to_owned)
}

/// `-v2:0`, `-v1` (Bedrock versions) off the end.
fn strip_bedrock_version(id: &str) -> Option<&str> {
    let (name, version) = id.rsplit_once("-v")?;
    let (major, minor) = match version.split_once(':') {
        Some((major, minor)) => (major, Some(minor)),
        None => (version, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(major) && minor.is_none_or(digits)).then_some(name)
}

/// A date or revision off the end: `-2024-07-18`, `-20241022`, `-08-2024`, `-05-20`, `-2407`,
/// `-002`.
fn strip_date(id: &str) -> Option<&str> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = id.rsplitn(4, '-').collect();
    // parts[0] is the last dash-separated piece.
    let cut = |pieces: usize| {
        let len: usize = parts[..pieces].iter().map(|p| p.len() + 1).sum();
        id.get(..id.len() - len)
    };
    match parts.as_slice() {
        [d, m, y, _] if digits(y, 4) && digits(m, 2) && digits(d, 2) => cut(3),
        [y, m, _, ..] if digits(y, 4) && digits(m, 2) => cut(2),
        [d, m, _, ..] if digits(m, 2) && digits(d, 2) => cut(2),
        [last, _, ..] if digits(last, 8) || digits(last, 4) || digits(last, 3) => cut(1),
        _ => None,
    }
}

impl ModelPrice {
    /// What `usage` costs at this price (module docs).
    pub fn cost(&self, usage: &Usage) -> CostParts {
        let per_token = |per_million: f64| per_million / 1e6;
        let count = |kind| usage.count(kind) as f64;
        let input = count(TokenKind::Input);
        let cached = count(TokenKind::CachedInput);
        let cache_write = count(TokenKind::CacheWrite);
        let audio_input = count(TokenKind::AudioInput);
        // Counted apart (Anthropic's API) when they exceed the input count.
        let uncached = if cached + cache_write > input {
            input
        } else {
            input - cached - cache_write
        };
        let (uncached_text, audio_input) = match self.audio_input {
            Some(_) => ((uncached - audio_input).max(0.0), audio_input),
            None => (uncached, 0.0),
        };
        let output = count(TokenKind::Output);
        let reasoning = count(TokenKind::Reasoning);
        let audio_output = count(TokenKind::AudioOutput);
        let mut output_cost = 0.0;
        let mut plain_output = output;
        if let Some(p) = self.reasoning {
            let r = reasoning.min(plain_output);
            output_cost += r * per_token(p);
            plain_output -= r;
        }
        if let Some(p) = self.audio_output {
            let a = audio_output.min(plain_output);
            output_cost += a * per_token(p);
            plain_output -= a;
        }
        output_cost += plain_output * per_token(self.output.unwrap_or(0.0));
        CostParts {
            input: Usd::from_dollars(
                uncached_text * per_token(self.input)
                    + audio_input * per_token(self.audio_input.unwrap_or(self.input)),
            ),
            cached_input: Usd::from_dollars(
                cached * per_token(self.cached_input.unwrap_or(self.input)),
            ),
            cache_write: Usd::from_dollars(
                cache_write * per_token(self.cache_write.unwrap_or(self.input)),
            ),
            output: Usd::from_dollars(output_cost),
        }
    }
}

#[cfg(test)]
mod tests;
