//! A project's figures and distributions, for its Stats page: error rate, latency quantiles
//! and histogram, tokens and cost over time, cost by model, time by span kind, and each
//! evaluation's scores and labels.

use std::collections::BTreeMap;

use hashbrown::{HashMap, HashSet};
use serde::{Deserialize, Serialize};

use crate::analysis::{Trace, Traces};
use crate::model::{Arena, EvalTarget, OiKind, SpanId, TokenKind, TraceId, Usage};
use crate::semantics::{CostTotal, ModelCalls, Prices};

/// Bars of the latency histogram.
const LATENCY_BINS: usize = 24;
/// Bars of the over-time chart.
const TIME_BINS: usize = 30;
/// Bars of a score histogram.
const SCORE_BINS: usize = 10;

/// See the module docs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectStats {
    /// Traces.
    pub traces: u64,
    /// Spans.
    pub spans: u64,
    /// Traces with an error span.
    pub error_traces: u64,
    /// Trace latency quantiles, ns: p50, p90, p99.
    pub latency_quantiles: [u64; 3],
    /// Tokens of the counted calls (`analysis::mark_sums`).
    pub usage: Usage,
    /// What the calls cost.
    pub cost: CostTotal,
    /// Cost and tokens by model, costliest first.
    pub by_model: Vec<ModelCost>,
    /// Trace latencies in log-spaced bins.
    pub latency_histogram: Vec<Bin>,
    /// Traces, errors, tokens and cost by start time.
    pub over_time: Vec<TimeBin>,
    /// Self time and spans by OpenInference kind, largest first (kinds with spans only).
    pub time_by_kind: Vec<KindTime>,
    /// Each evaluation name's results on this project's spans and traces.
    pub evaluations: Vec<EvaluationStats>,
}

/// A histogram bar: values in `low..high` (the last bar includes `high`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// Lower edge.
    pub low: f64,
    /// Upper edge.
    pub high: f64,
    /// Values in it.
    pub count: u64,
}

/// Traces started in `start..end`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeBin {
    /// Start, ns since the epoch.
    pub start_nanos: u64,
    /// End, ns since the epoch.
    pub end_nanos: u64,
    /// Traces started.
    pub traces: u64,
    /// Of those, traces with an error.
    pub errors: u64,
    /// Their input tokens.
    pub input_tokens: u64,
    /// Their output tokens.
    pub output_tokens: u64,
    /// What their calls cost.
    pub cost: CostTotal,
    /// Their durations' p50, p90 and p99, ns (0 without traces).
    #[serde(default)]
    pub latency_quantiles: [u64; 3],
}

/// One model's calls in a project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCost {
    /// The model.
    pub model: String,
    /// The provider, as recorded.
    pub provider: String,
    /// Calls and tokens.
    pub calls: ModelCalls,
    /// What they cost.
    pub cost: CostTotal,
}

/// Time spent in spans of one kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindTime {
    /// `LLM`, `TOOL`, …
    pub kind: String,
    /// Self time summed, ns.
    pub self_nanos: u64,
    /// Spans.
    pub spans: u64,
}

/// One evaluation name's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvaluationStats {
    /// The evaluation's name.
    pub name: String,
    /// Results.
    pub count: u64,
    /// Mean score, if any result has one.
    pub mean_score: Option<f64>,
    /// Scores in equal bins from the lowest to the highest.
    pub score_histogram: Vec<Bin>,
    /// Labels and how often each was given, most frequent first.
    pub labels: Vec<(String, u64)>,
}

/// The figures of every trace of `project`, its calls priced with `prices`.
pub fn project_stats(
    arena: &Arena,
    traces: &Traces,
    project: &str,
    prices: &Prices,
) -> ProjectStats {
    let members: Vec<&Trace> = traces
        .all()
        .iter()
        .filter(|t| arena.str(t.summary.project) == project)
        .collect();
    let mut stats = ProjectStats {
        traces: members.len() as u64,
        ..ProjectStats::default()
    };
    let mut durations: Vec<u64> = Vec::with_capacity(members.len());
    let mut by_kind = [(0u64, 0u64); OiKind::ALL.len()];
    let mut by_model: BTreeMap<(&str, &str), ModelCost> = BTreeMap::new();
    // Each trace's cost, summed from its models' (each priced once).
    let mut costs: Vec<CostTotal> = Vec::with_capacity(members.len());
    for trace in &members {
        let summary = &trace.summary;
        stats.spans += u64::from(summary.span_count);
        stats.error_traces += u64::from(summary.error_count > 0);
        stats.usage.add(&summary.usage);
        let mut cost = CostTotal::default();
        for m in &summary.models {
            let (model, provider) = (arena.str(m.model), arena.str(m.provider));
            let entry = by_model
                .entry((model, provider))
                .or_insert_with(|| ModelCost {
                    model: model.to_owned(),
                    provider: provider.to_owned(),
                    calls: ModelCalls::default(),
                    cost: CostTotal::default(),
                });
            entry.calls.add(&m.calls);
            let model_cost = m
                .calls
                .cost(model, provider, summary.start_unix_nanos, prices);
            entry.cost.add(&model_cost);
            cost.add(&model_cost);
        }
        stats.cost.add(&cost);
        costs.push(cost);
        durations.push(summary.duration_nanos());
        for (kind, nanos) in summary.self_nanos_by_kind.iter().enumerate() {
            by_kind[kind].0 += nanos;
        }
        for &span in &trace.tree.span {
            by_kind[arena.spans()[span as usize].oi_kind as usize].1 += 1;
        }
    }
    durations.sort_unstable();
    stats.latency_quantiles = [0.5, 0.9, 0.99].map(|q| quantile(&durations, q));
    stats.latency_histogram = log_bins(&durations, LATENCY_BINS);
    stats.over_time = over_time(&members, &costs);
    stats.by_model = by_model.into_values().collect();
    stats.by_model.sort_by(|a, b| {
        b.cost
            .usd
            .cmp(&a.cost.usd)
            .then(b.calls.calls.cmp(&a.calls.calls))
    });
    let mut time_by_kind: Vec<KindTime> = OiKind::ALL
        .iter()
        .zip(by_kind)
        .filter(|(_, (_, spans))| *spans > 0)
        .map(|(kind, (self_nanos, spans))| KindTime {
            kind: kind.name().to_owned(),
            self_nanos,
            spans,
        })
        .collect();
    time_by_kind.sort_by_key(|k| std::cmp::Reverse(k.self_nanos));
    stats.time_by_kind = time_by_kind;
    stats.evaluations = evaluations(arena, &members);
    stats
}

/// The value at quantile `q` of sorted `values` (nearest rank).
pub fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Log-spaced bins from the smallest to the largest of sorted `values` (zeros in the first).
fn log_bins(sorted: &[u64], bins: usize) -> Vec<Bin> {
    let (Some(&first), Some(&last)) = (sorted.first(), sorted.last()) else {
        return Vec::new();
    };
    let low = (first.max(1) as f64).ln();
    let high = (last.max(1) as f64).ln();
    let step = ((high - low) / bins as f64).max(f64::EPSILON);
    let mut out: Vec<Bin> = (0..bins)
        .map(|i| Bin {
            low: (low + step * i as f64).exp(),
            high: (low + step * (i + 1) as f64).exp(),
            count: 0,
        })
        .collect();
    for &value in sorted {
        let at = ((value.max(1) as f64).ln() - low) / step;
        out[(at as usize).min(bins - 1)].count += 1;
    }
    out
}

/// Equal bins from the smallest to the largest value.
fn linear_bins(values: &[f64], bins: usize) -> Vec<Bin> {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !low.is_finite() || !high.is_finite() {
        return Vec::new();
    }
    // All equal: one bar.
    let bins = if high > low { bins } else { 1 };
    let step = ((high - low) / bins as f64).max(f64::MIN_POSITIVE);
    let mut out: Vec<Bin> = (0..bins)
        .map(|i| Bin {
            low: low + step * i as f64,
            high: if i + 1 == bins {
                high
            } else {
                low + step * (i + 1) as f64
            },
            count: 0,
        })
        .collect();
    for &value in values {
        let at = ((value - low) / step) as usize;
        out[at.min(bins - 1)].count += 1;
    }
    out
}

/// Traces by start time, with `costs` (one per trace).
fn over_time(traces: &[&Trace], costs: &[CostTotal]) -> Vec<TimeBin> {
    let starts = traces.iter().map(|t| t.summary.start_unix_nanos);
    let (Some(first), Some(last)) = (starts.clone().min(), starts.max()) else {
        return Vec::new();
    };
    let step = ((last - first) / TIME_BINS as u64 + 1).max(1);
    let bins = (((last - first) / step) as usize + 1).min(TIME_BINS);
    let mut out: Vec<TimeBin> = (0..bins as u64)
        // Saturating: a start near the end of time (a hostile file's) has no room for a bin.
        .map(|i| TimeBin {
            start_nanos: first.saturating_add(step.saturating_mul(i)),
            end_nanos: first.saturating_add(step.saturating_mul(i + 1)),
            traces: 0,
            errors: 0,
            input_tokens: 0,
            output_tokens: 0,
            cost: CostTotal::default(),
            latency_quantiles: [0; 3],
        })
        .collect();
    let mut durations: Vec<Vec<u64>> = vec![Vec::new(); bins];
    for (trace, cost) in traces.iter().zip(costs) {
        let summary = &trace.summary;
        let at = (((summary.start_unix_nanos - first) / step) as usize).min(bins - 1);
        durations[at].push(summary.duration_nanos());
        let bin = &mut out[at];
        bin.traces += 1;
        bin.errors += u64::from(summary.error_count > 0);
        bin.input_tokens = bin
            .input_tokens
            .saturating_add(summary.usage.count(TokenKind::Input));
        bin.output_tokens = bin
            .output_tokens
            .saturating_add(summary.usage.count(TokenKind::Output));
        bin.cost.add(cost);
    }
    for (bin, mut durations) in out.iter_mut().zip(durations) {
        durations.sort_unstable();
        bin.latency_quantiles = [0.5, 0.9, 0.99].map(|q| quantile(&durations, q));
    }
    out
}

/// One evaluation name's results as they are counted.
#[derive(Default)]
struct Tally<'a> {
    scores: Vec<f64>,
    labels: HashMap<&'a str, u64>,
    count: u64,
}

fn evaluations(arena: &Arena, traces: &[&Trace]) -> Vec<EvaluationStats> {
    let trace_ids: HashSet<TraceId> = traces.iter().map(|t| t.summary.trace_id).collect();
    let span_ids: HashSet<SpanId> = traces
        .iter()
        .flat_map(|t| t.tree.span.iter())
        .map(|&i| arena.spans()[i as usize].span_id)
        .collect();
    // By name.
    let mut by_name: BTreeMap<&str, Tally<'_>> = BTreeMap::new();
    for evaluation in arena.evaluations() {
        let here = match evaluation.target {
            EvalTarget::Span(id) | EvalTarget::Document(id, _) => span_ids.contains(&id),
            EvalTarget::Trace(id) => trace_ids.contains(&id),
        };
        if !here {
            continue;
        }
        let entry = by_name.entry(arena.str(evaluation.name)).or_default();
        entry.count += 1;
        entry
            .scores
            .extend(evaluation.score.filter(|s| s.is_finite()));
        if let Some(label) = evaluation.label {
            *entry.labels.entry(arena.str(label)).or_default() += 1;
        }
    }
    by_name
        .into_iter()
        .map(|(name, tally)| {
            let mut labels: Vec<(String, u64)> = tally
                .labels
                .into_iter()
                .map(|(label, n)| (label.to_owned(), n))
                .collect();
            labels.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let scores = tally.scores;
            EvaluationStats {
                name: name.to_owned(),
                count: tally.count,
                mean_score: (!scores.is_empty())
                    .then(|| scores.iter().sum::<f64>() / scores.len() as f64),
                score_histogram: linear_bins(&scores, SCORE_BINS),
                labels,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_hold_every_value_once() {
        let bins = log_bins(&[0, 1, 10, 100, 1000], 3);
        assert_eq!(bins.iter().map(|b| b.count).collect::<Vec<_>>(), [2, 1, 2]);
        assert!((bins[2].high - 1000.0).abs() < 1e-6);
        let bins = linear_bins(&[0.0, 0.25, 0.5, 1.0], 4);
        assert_eq!(
            bins.iter().map(|b| b.count).collect::<Vec<_>>(),
            [1, 1, 1, 1]
        );
        assert_eq!(linear_bins(&[0.5, 0.5], 10).len(), 1);
        assert!(linear_bins(&[], 10).is_empty());
    }

    #[test]
    fn the_chatbot_demo_project_in_figures() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/phoenix/chatbot-demo/"
        );
        let mut arena = Arena::default();
        for name in [
            "trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet",
            "evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet",
        ] {
            let bytes = std::fs::read(format!("{dir}{name}")).unwrap();
            assert!(crate::ingest::load(&mut arena, name, &bytes).is_ok());
        }
        let traces = Traces::assemble(&arena);
        let stats = project_stats(&arena, &traces, "default", &Prices::builtin());
        assert_eq!((stats.traces, stats.spans, stats.error_traces), (4, 13, 1));
        assert!(stats.latency_quantiles[0] <= stats.latency_quantiles[1]);
        assert!(stats.latency_quantiles[1] <= stats.latency_quantiles[2]);
        let histogram: u64 = stats.latency_histogram.iter().map(|b| b.count).sum();
        let over_time: u64 = stats.over_time.iter().map(|b| b.traces).sum();
        assert_eq!((histogram, over_time), (4, 4));
        // Each time bin's latency quantiles are its own traces'.
        for bin in &stats.over_time {
            let [p50, p90, p99] = bin.latency_quantiles;
            assert!(p50 <= p90 && p90 <= p99);
            assert_eq!(bin.traces == 0, p99 == 0, "{bin:?}");
        }
        let slowest = stats.over_time.iter().map(|b| b.latency_quantiles[2]).max();
        assert_eq!(
            slowest,
            Some(stats.latency_quantiles[2]),
            "the slowest trace is some bin's p99"
        );
        let llm = stats.time_by_kind.iter().find(|k| k.kind == "LLM").unwrap();
        assert_eq!(llm.spans, 8);
        let [correctness] = stats.evaluations.as_slice() else {
            panic!("{:?}", stats.evaluations);
        };
        assert_eq!(
            (correctness.name.as_str(), correctness.count),
            ("correctness", 8)
        );
        let labelled: u64 = correctness.labels.iter().map(|(_, n)| n).sum();
        let scored: u64 = correctness.score_histogram.iter().map(|b| b.count).sum();
        assert_eq!((labelled, scored), (8, 8));
        assert_eq!(
            project_stats(&arena, &traces, "nothing", &Prices::builtin()).traces,
            0
        );
    }
}
