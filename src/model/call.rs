//! What the arena keeps of a model call, whichever convention recorded it: tokens, models,
//! provider and the cost the producer recorded (money as [`Usd`]). The `semantics` layer reads these from a span's
//! attributes when the span is stored; everything that counts tokens or prices them reads them
//! here instead of the attributes.

use serde::{Deserialize, Serialize};

use super::strings::StrId;

/// A kind of token count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum TokenKind {
    /// Every input (prompt) token, those read from a cache and written to one included.
    Input,
    /// Every output (completion) token, reasoning included.
    Output,
    /// The total the producer recorded.
    Total,
    /// Input tokens read from a prompt cache.
    CachedInput,
    /// Input tokens written to a prompt cache.
    CacheWrite,
    /// Output tokens spent reasoning.
    Reasoning,
    /// Input tokens of audio.
    AudioInput,
    /// Output tokens of audio.
    AudioOutput,
}

impl TokenKind {
    /// Every kind, in storage order.
    pub const ALL: [TokenKind; 8] = [
        Self::Input,
        Self::Output,
        Self::Total,
        Self::CachedInput,
        Self::CacheWrite,
        Self::Reasoning,
        Self::AudioInput,
        Self::AudioOutput,
    ];

    /// A short name (`input`, `cached_input`, …), as the CLI and the page write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Input => "input",
            Self::Output => "output",
            Self::Total => "total",
            Self::CachedInput => "cached_input",
            Self::CacheWrite => "cache_write",
            Self::Reasoning => "reasoning",
            Self::AudioInput => "audio_input",
            Self::AudioOutput => "audio_output",
        }
    }
}

/// Token counts; a count that was not recorded is absent, not zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    counts: [u64; TokenKind::ALL.len()],
    /// Bit `k` set: `counts[k]` was recorded.
    recorded: u8,
}

impl Usage {
    /// The count of `kind`, if recorded.
    pub fn get(&self, kind: TokenKind) -> Option<u64> {
        let k = kind as usize;
        (self.recorded & (1 << k) != 0).then_some(self.counts[k])
    }

    /// The count of `kind`, 0 when not recorded.
    pub fn count(&self, kind: TokenKind) -> u64 {
        self.counts[kind as usize]
    }

    /// Records `count` as the count of `kind`.
    pub fn set(&mut self, kind: TokenKind, count: u64) {
        let k = kind as usize;
        self.counts[k] = count;
        self.recorded |= 1 << k;
    }

    /// True when no count was recorded.
    pub fn is_empty(&self) -> bool {
        self.recorded == 0
    }

    /// The recorded total, else input + output when either was recorded.
    pub fn total(&self) -> Option<u64> {
        self.get(TokenKind::Total).or_else(|| {
            match (self.get(TokenKind::Input), self.get(TokenKind::Output)) {
                (None, None) => None,
                (input, output) => Some(input.unwrap_or(0).saturating_add(output.unwrap_or(0))),
            }
        })
    }

    /// The count of `kind` as totals report it: [`Usage::total`] for the total, else as recorded.
    pub fn reported(&self, kind: TokenKind) -> Option<u64> {
        match kind {
            TokenKind::Total => self.total(),
            kind => self.get(kind),
        }
    }

    /// Adds `other`'s counts; a sum has a count when either side has it. Totals are summed as
    /// [`Usage::total`] reads them, so a sum's total never misses a side without one.
    pub fn add(&mut self, other: &Usage) {
        let total = match (self.total(), other.total()) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        };
        for k in 0..self.counts.len() {
            self.counts[k] = self.counts[k].saturating_add(other.counts[k]);
        }
        self.recorded |= other.recorded;
        if let Some(total) = total {
            self.set(TokenKind::Total, total);
        }
    }

    /// The recorded counts, in [`TokenKind::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (TokenKind, u64)> + '_ {
        TokenKind::ALL
            .into_iter()
            .filter_map(|kind| Some((kind, self.get(kind)?)))
    }
}

/// As a JSON object of the recorded counts: `{"input": 12, "cached_input": 0}`.
impl Serialize for Usage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // Its length first: formats that are not self-describing write it ahead.
        let mut map = serializer.serialize_map(Some(self.iter().count()))?;
        for (kind, count) in self.iter() {
            map.serialize_entry(&kind, &count)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Usage {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let counts = std::collections::BTreeMap::<TokenKind, u64>::deserialize(deserializer)?;
        let mut usage = Usage::default();
        for (kind, count) in counts {
            usage.set(kind, count);
        }
        Ok(usage)
    }
}

/// Which convention described a call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum Dialect {
    /// Arize's OpenInference (`llm.*`, `openinference.span.kind`).
    OpenInference,
    /// The OpenTelemetry GenAI conventions (`gen_ai.*`).
    GenAi,
    /// The Vercel AI SDK's own keys (`ai.*`).
    VercelAi,
    /// LangSmith's OpenTelemetry exporter (`langsmith.*`).
    LangSmith,
    /// Langfuse's OpenTelemetry attributes (`langfuse.observation.*`).
    Langfuse,
    /// No LLM convention.
    #[default]
    None,
}

impl Dialect {
    /// A short stable name (`openinference`, `gen-ai`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::OpenInference => "openinference",
            Self::GenAi => "gen-ai",
            Self::VercelAi => "vercel-ai",
            Self::LangSmith => "langsmith",
            Self::Langfuse => "langfuse",
            Self::None => "none",
        }
    }
}

/// An amount in US dollars, kept in whole picodollars (10⁻¹² USD): sums do not depend on the
/// order they were made in (a project summed from its stored records and from its spans is the
/// same), and amounts cross the page ⇄ worker boundary exactly.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Usd(u64);

impl Usd {
    /// Nothing.
    pub const ZERO: Usd = Usd(0);

    /// From dollars (negative and non-finite amounts are none).
    pub fn from_dollars(dollars: f64) -> Self {
        if dollars.is_finite() && dollars > 0.0 {
            Usd((dollars * 1e12).round() as u64)
        } else {
            Usd(0)
        }
    }

    /// In dollars.
    pub fn dollars(self) -> f64 {
        self.0 as f64 / 1e12
    }
}

impl std::ops::Add for Usd {
    type Output = Usd;

    fn add(self, other: Usd) -> Usd {
        Usd(self.0.saturating_add(other.0))
    }
}

impl std::ops::AddAssign for Usd {
    fn add_assign(&mut self, other: Usd) {
        *self = *self + other;
    }
}

/// A cost the producer recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedCost {
    /// The whole call.
    pub total: Usd,
    /// Its input part, when recorded.
    pub input: Option<Usd>,
    /// Its output part, when recorded.
    pub output: Option<Usd>,
}

/// What is known of one span's model call (or of a span that sums calls).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Call {
    /// Token counts.
    pub usage: Usage,
    /// The model asked for.
    pub request_model: StrId,
    /// The model that answered.
    pub response_model: StrId,
    /// The provider (`openai`, `anthropic`, `openai.chat`…), as recorded.
    pub provider: StrId,
    /// A cost the producer recorded.
    pub recorded_cost: Option<RecordedCost>,
    /// The convention the usage was read from.
    pub dialect: Dialect,
}

impl Call {
    /// The model to name and price: the one that answered, else the one asked for.
    pub fn model(&self) -> StrId {
        if self.response_model == StrId::EMPTY {
            self.request_model
        } else {
            self.response_model
        }
    }

    /// True when it holds anything worth counting: tokens or a cost.
    pub fn has_usage(&self) -> bool {
        !self.usage.is_empty() || self.recorded_cost.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_keeps_absent_counts_absent_and_sums_totals() {
        let mut a = Usage::default();
        a.set(TokenKind::Input, 10);
        a.set(TokenKind::Output, 5);
        assert_eq!(a.get(TokenKind::CachedInput), None);
        assert_eq!(a.total(), Some(15), "derived");
        let mut b = Usage::default();
        b.set(TokenKind::Input, 7);
        b.set(TokenKind::Total, 9);
        b.set(TokenKind::CachedInput, 3);
        a.add(&b);
        assert_eq!(a.get(TokenKind::Input), Some(17));
        assert_eq!(a.get(TokenKind::CachedInput), Some(3));
        assert_eq!(a.total(), Some(24), "15 derived + 9 recorded");
        assert!(Usage::default().is_empty());
        assert_eq!(Usage::default().total(), None);
    }

    #[test]
    fn names_are_distinct_and_stable() {
        let tokens: Vec<&str> = TokenKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(
            tokens,
            [
                "input",
                "output",
                "total",
                "cached_input",
                "cache_write",
                "reasoning",
                "audio_input",
                "audio_output"
            ]
        );
        let dialects: Vec<&str> = [
            Dialect::OpenInference,
            Dialect::GenAi,
            Dialect::VercelAi,
            Dialect::LangSmith,
            Dialect::Langfuse,
            Dialect::None,
        ]
        .iter()
        .map(|d| d.name())
        .collect();
        assert_eq!(
            dialects,
            [
                "openinference",
                "gen-ai",
                "vercel-ai",
                "langsmith",
                "langfuse",
                "none"
            ]
        );
    }

    #[test]
    fn reported_counts_are_recorded_ones_and_the_derived_total() {
        let mut usage = Usage::default();
        usage.set(TokenKind::Input, 5);
        usage.set(TokenKind::Output, 2);
        assert_eq!(usage.reported(TokenKind::Input), Some(5));
        assert_eq!(usage.reported(TokenKind::Total), Some(7));
        assert_eq!(usage.reported(TokenKind::Reasoning), None);
    }

    #[test]
    fn amounts_that_are_not_money_are_nothing() {
        for dollars in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -1.0, 0.0] {
            assert_eq!(Usd::from_dollars(dollars), Usd::ZERO, "{dollars}");
        }
        assert_eq!(Usd::from_dollars(0.5).dollars(), 0.5);
    }

    #[test]
    fn a_call_has_usage_once_a_count_is_recorded() {
        let mut call = Call::default();
        assert!(!call.has_usage());
        call.usage.set(TokenKind::Output, 0);
        assert!(call.has_usage(), "a recorded zero is a count");
    }
}
