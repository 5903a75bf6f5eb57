//! What a call cost: the figure it recorded itself, else its tokens priced by the table
//! ([`Prices`]), else unknown — and sums of those that never pass an unknown off as $0.

use serde::{Deserialize, Serialize};

use hashbrown::HashMap;

use crate::model::{Arena, Call, StrId, Usage, Usd};
use crate::semantics::prices::{CostParts, ModelPrice, Prices};

/// What the calls of several models (model, provider, calls), made in a trace that began at
/// `at_nanos`, cost with `prices`.
pub fn models_cost<'a>(
    models: impl IntoIterator<Item = (&'a str, &'a str, &'a ModelCalls)>,
    at_nanos: u64,
    prices: &Prices,
) -> CostTotal {
    let mut total = CostTotal::default();
    for (model, provider, calls) in models {
        total.add(&calls.cost(model, provider, at_nanos, prices));
    }
    total
}

/// Where a cost came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostSource {
    /// The span recorded it (`llm.cost.*`, `operation.cost`, `gen_ai.usage.cost`, Langfuse's
    /// `cost_details`).
    Recorded,
    /// Its tokens priced by the price table.
    Estimated,
}

impl CostSource {
    /// `recorded` or `estimated`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Recorded => "recorded",
            Self::Estimated => "estimated",
        }
    }
}

/// One call's cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCost {
    /// The whole.
    pub usd: Usd,
    /// Recorded or estimated.
    pub source: CostSource,
    /// Input, cached input, cache writes and output apart: an estimate's parts, or a recorded
    /// cost's input and output when it recorded them.
    pub parts: Option<CostParts>,
}

/// What `call` (made at `at_nanos`) cost: recorded, else priced, else `None`. A call with no
/// tokens and no recorded cost (a failed call) has none.
pub fn call_cost(arena: &Arena, call: &Call, at_nanos: u64, prices: &Prices) -> Option<CallCost> {
    priced(call, || {
        let (model, provider) = (arena.str(call.model()), arena.str(call.provider));
        prices
            .find(model, provider, at_nanos)
            .map(|found| found.price)
    })
}

/// [`call_cost`] for many calls: a model's price is looked up once for each day its calls
/// were made on, not once a call. A look-up lower-cases and strips the names it is given:
/// summing a million-span trace's costs went mostly to it. Exact, since prices change only at
/// midnight UTC (a price file's dates).
pub struct CallPricer<'a> {
    arena: &'a Arena,
    prices: &'a Prices,
    /// By model, provider and day.
    found: HashMap<(StrId, StrId, u64), Option<&'a ModelPrice>>,
}

impl<'a> CallPricer<'a> {
    /// A pricer of the arena's calls with `prices`.
    pub fn new(arena: &'a Arena, prices: &'a Prices) -> Self {
        Self {
            arena,
            prices,
            found: HashMap::new(),
        }
    }

    /// The price table it prices with.
    pub fn prices(&self) -> &'a Prices {
        self.prices
    }

    /// What `call`, made at `at_nanos`, cost (as [`call_cost`] says).
    pub fn cost(&mut self, call: &Call, at_nanos: u64) -> Option<CallCost> {
        const DAY_NANOS: u64 = 86_400_000_000_000;
        let (arena, prices) = (self.arena, self.prices);
        let key = (call.model(), call.provider, at_nanos / DAY_NANOS);
        priced(call, || {
            *(self.found.entry(key)).or_insert_with(|| {
                let (model, provider) = (arena.str(key.0), arena.str(key.1));
                prices
                    .find(model, provider, at_nanos)
                    .map(|found| found.price)
            })
        })
    }
}

/// What `call` cost: recorded, else its usage at `price` when there is one.
fn priced<'p>(call: &Call, price: impl FnOnce() -> Option<&'p ModelPrice>) -> Option<CallCost> {
    if let Some(recorded) = call.recorded_cost {
        let parts = match (recorded.input, recorded.output) {
            (None, None) => None,
            (input, output) => Some(CostParts {
                input: input.unwrap_or_default(),
                output: output.unwrap_or_default(),
                ..CostParts::default()
            }),
        };
        return Some(CallCost {
            usd: recorded.total,
            source: CostSource::Recorded,
            parts,
        });
    }
    if call.usage.is_empty() {
        return None;
    }
    let parts = price()?.cost(&call.usage);
    Some(CallCost {
        usd: parts.total(),
        source: CostSource::Estimated,
        parts: Some(parts),
    })
}

/// A sum of calls' costs, and how many calls of each sort went into it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostTotal {
    /// What the calls with a cost cost.
    pub usd: Usd,
    /// Calls that recorded their cost.
    pub recorded_calls: u32,
    /// Calls priced by the table.
    pub estimated_calls: u32,
    /// Calls with tokens but no price: the sum leaves them out, and says so.
    pub unpriced_calls: u32,
}

impl CostTotal {
    /// Adds another sum.
    pub fn add(&mut self, other: &CostTotal) {
        self.usd += other.usd;
        self.recorded_calls += other.recorded_calls;
        self.estimated_calls += other.estimated_calls;
        self.unpriced_calls += other.unpriced_calls;
    }

    /// Adds one call's cost (`None`: a call with tokens the table cannot price).
    pub fn add_call(&mut self, cost: Option<&CallCost>) {
        match cost {
            Some(cost) => {
                self.usd += cost.usd;
                match cost.source {
                    CostSource::Recorded => self.recorded_calls += 1,
                    CostSource::Estimated => self.estimated_calls += 1,
                }
            }
            None => self.unpriced_calls += 1,
        }
    }

    /// True when some call has a cost.
    pub fn is_priced(&self) -> bool {
        self.recorded_calls + self.estimated_calls > 0
    }
}

/// One model's counted calls (in a trace, a session, a project): what their tokens and
/// recorded costs add up to, kept apart so that a cost can be worked out again with other
/// prices.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelCalls {
    /// Calls.
    pub calls: u32,
    /// Tokens of all of them.
    pub usage: Usage,
    /// Tokens of the calls that recorded no cost: what a price table prices.
    pub usage_to_price: Usage,
    /// Calls among them with tokens to price.
    pub calls_to_price: u32,
    /// The costs calls recorded themselves, summed.
    pub recorded_usd: Usd,
    /// Calls that recorded a cost.
    pub recorded_calls: u32,
}

impl ModelCalls {
    /// Adds one call.
    pub fn add_call(&mut self, call: &Call) {
        self.calls += 1;
        self.usage.add(&call.usage);
        match call.recorded_cost {
            Some(cost) => {
                self.recorded_usd += cost.total;
                self.recorded_calls += 1;
            }
            None if !call.usage.is_empty() => {
                self.usage_to_price.add(&call.usage);
                self.calls_to_price += 1;
            }
            None => {}
        }
    }

    /// Adds another model's (or the same model's elsewhere) calls.
    pub fn add(&mut self, other: &ModelCalls) {
        self.calls += other.calls;
        self.usage.add(&other.usage);
        self.usage_to_price.add(&other.usage_to_price);
        self.calls_to_price += other.calls_to_price;
        self.recorded_usd += other.recorded_usd;
        self.recorded_calls += other.recorded_calls;
    }

    /// What they cost with `prices`, priced as of `at_nanos` (prices change rarely: a trace's
    /// calls are priced at its start).
    pub fn cost(&self, model: &str, provider: &str, at_nanos: u64, prices: &Prices) -> CostTotal {
        let mut total = CostTotal {
            usd: self.recorded_usd,
            recorded_calls: self.recorded_calls,
            ..CostTotal::default()
        };
        if self.calls_to_price > 0 {
            match prices.cost(model, provider, &self.usage_to_price, at_nanos) {
                Some(parts) => {
                    total.usd += parts.total();
                    total.estimated_calls += self.calls_to_price;
                }
                None => total.unpriced_calls += self.calls_to_price,
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// gpt-4o calls about the midnight its price fell (2024-10-02), out of time order, one
    /// recording its cost and one with no tokens.
    fn calls() -> Arena {
        let span = |id: u8, start: &str, attributes: &str| {
            let start = crate::model::parse_rfc3339_nanos(start).unwrap_or_default();
            format!(
                r#"{{"traceId": "0102030405060708090a0b0c0d0e0f10", "spanId": "00000000000000{id:02x}",
                "name": "chat", "startTimeUnixNano": "{start}", "endTimeUnixNano": "{start}",
                "attributes": [
                    {{"key": "openinference.span.kind", "value": {{"stringValue": "LLM"}}}},
                    {{"key": "llm.model_name", "value": {{"stringValue": "gpt-4o"}}}},
                    {{"key": "llm.provider", "value": {{"stringValue": "openai"}}}}{attributes}]}}"#
            )
        };
        let tokens = r#", {"key": "llm.token_count.prompt", "value": {"intValue": "1000"}},
            {"key": "llm.token_count.completion", "value": {"intValue": "100"}}"#;
        let spans = [
            span(1, "2024-10-02T00:00:00Z", tokens),
            span(2, "2024-10-01T23:59:59.999999999Z", tokens),
            span(3, "2024-10-02T12:00:00Z", tokens),
            span(4, "2024-10-01T00:00:00Z", tokens),
            span(
                5,
                "2024-10-02T01:00:00Z",
                &format!(
                    "{tokens}, {}",
                    r#"{"key": "llm.cost.total", "value": {"doubleValue": 0.5}}"#
                ),
            ),
            span(6, "2024-10-02T02:00:00Z", ""),
        ];
        let json = format!(
            r#"{{"resourceSpans": [{{"scopeSpans": [{{"spans": [{}]}}]}}]}}"#,
            spans.join(",")
        );
        let mut arena = Arena::default();
        let report = crate::ingest::load(&mut arena, "calls.json", json.as_bytes());
        assert!(report.is_ok(), "{report:?}");
        arena
    }

    #[test]
    fn a_pricer_prices_each_call_as_call_cost_does() {
        let arena = calls();
        let prices = Prices::builtin();
        let mut pricer = CallPricer::new(&arena, &prices);
        let mut costs = Vec::new();
        for span in arena.spans() {
            let call = arena.call(span);
            let alone =
                call.and_then(|call| call_cost(&arena, call, span.start_unix_nanos, &prices));
            let priced = call.and_then(|call| pricer.cost(call, span.start_unix_nanos));
            assert_eq!(priced, alone, "span {}", span.span_id);
            costs.push(priced.map(|cost| (cost.usd.dollars(), cost.source)));
        }
        let estimated = |input: f64, output: f64| {
            Some((
                (1000.0 * input + 100.0 * output) / 1e6,
                CostSource::Estimated,
            ))
        };
        let (after, before) = (estimated(2.5, 10.0), estimated(5.0, 15.0));
        assert_eq!(
            costs,
            [
                after,
                before,
                after,
                before,
                Some((0.5, CostSource::Recorded)),
                None
            ]
        );
    }
}
