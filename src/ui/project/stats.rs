//! A project's Stats tab: its figures, then plots — trace latency, traces, tokens and cost over
//! time, cost by model, time by span kind, and each evaluation's scores and labels. Plots are SVG drawn from the
//! engine's bins, coloured by the theme's variables so both themes read.

use yew::prelude::*;

use crate::analysis::project_stats::{Bin, EvaluationStats, ProjectStats, TimeBin};
use crate::engine::messages::Query;
use crate::engine::protocol::SpanSelection;

use crate::model::{TokenKind, Usd};
use crate::present::format;
use crate::present::table::TableView;
use crate::ui::query::{shown, use_query};
use crate::ui::trace::agent_graph::AgentGraphView;

/// Plot size in SVG units (they scale to the page's width).
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 160.0;
/// Room under the bars for the axis labels.
const AXIS: f64 = 18.0;
/// Room over the bars for the value scale and the legend.
const TOP: f64 = 16.0;

/// The tab's properties.
#[derive(Properties, PartialEq)]
pub struct StatsTabProps {
    /// Project name.
    pub project: AttrValue,
    /// The traces table's filters (the agent graph draws what they let through).
    pub view: TableView,
    /// The loads version.
    pub version: u32,
}

/// See the module docs.
#[component]
pub fn StatsTab(props: &StatsTabProps) -> Html {
    let answer = use_query((props.project.clone(), props.version), |(project, _)| {
        Query::stats(project.to_string())
    });
    let stats = match shown(answer, html! { <p class="muted">{"Counting…"}</p> }) {
        Ok(stats) => stats,
        Err(instead) => return instead,
    };
    let stats: &ProjectStats = &stats;
    if stats.traces == 0 {
        return html! { <p class="muted">{"No trace in this project."}</p> };
    }
    let error_rate = stats.error_traces as f64 / stats.traces as f64;
    let [p50, p90, p99] = stats.latency_quantiles;
    let figure = |label: &str, value: String, test: &str| {
        html! {
            <div class="figure" data-testid={test.to_owned()}>
                <div class="value">{ value }</div><div class="muted">{ label.to_owned() }</div>
            </div>
        }
    };
    html! {
        <div class="stats" data-testid="stats">
            <div class="figures">
                { figure("traces", format::count(stats.traces), "stat-traces") }
                { figure("spans", format::count(stats.spans), "stat-spans") }
                { figure("traces with errors", format::percent(error_rate), "stat-error-rate") }
                { figure("latency p50", format::duration(p50), "stat-p50") }
                { figure("p90", format::duration(p90), "stat-p90") }
                { figure("p99", format::duration(p99), "stat-p99") }
                { figure("input tokens", format::count(stats.usage.count(TokenKind::Input)), "stat-input") }
                { figure("output tokens", format::count(stats.usage.count(TokenKind::Output)), "stat-output") }
                <div class="figure" data-testid="stat-cost" title={format::cost_sources(&stats.cost)}>
                    <div class="value">{ format::cost(&stats.cost).unwrap_or_else(|| "—".to_owned()) }</div>
                    <div class="muted">{"cost"}</div>
                </div>
            </div>
            // The usual shape of the project's agents: the graphs of the traces the table's
            // filters let through (every trace, unfiltered), summed.
            if props.view.query(&props.project, false).is_filtered() {
                <p class="muted" data-testid="agent-graph-filtered">{"The agent graph of the traces the table's filters let through:"}</p>
            }
            <AgentGraphView selection={SpanSelection::Matching(props.view.query(&props.project, false))} version={props.version} />
            <div class="plots">
                { plot("Trace latency", latency_histogram(&stats.latency_histogram)) }
                { plot("Latency over time (p50, p90, p99)", latency_over_time(stats)) }
                { plot("Traces over time (errors in red)", traces_over_time(stats)) }
                { plot("Tokens over time (input, output)", tokens_over_time(stats)) }
                if stats.cost.is_priced() {
                    { plot("Cost over time", cost_over_time(stats)) }
                }
                if !stats.by_model.is_empty() {
                    { plot("Cost by model", cost_by_model(stats)) }
                }
                { plot("Self time by span kind", time_by_kind(stats)) }
                { for stats.evaluations.iter().map(evaluation_plots) }
            </div>
        </div>
    }
}

fn plot(title: &str, body: Html) -> Html {
    html! {
        <figure class="plot" data-testid="plot">
            <figcaption>{ title.to_owned() }</figcaption>
            { body }
        </figure>
    }
}

/// One bar: its height share (0..1), the class that colours it, and its tooltip.
struct Bar {
    share: f64,
    class: &'static str,
    title: String,
}

/// Vertical bars side by side, each slot possibly stacked (bottom first), with labels under the
/// first, middle and last slots, and the value a full-height bar stands for at the top.
fn bars(slots: Vec<Vec<Bar>>, labels: [String; 3], top: String) -> Html {
    let n = slots.len().max(1) as f64;
    let slot_width = WIDTH / n;
    let plot_height = HEIGHT - AXIS;
    let rects = slots.iter().enumerate().flat_map(|(i, stack)| {
        let mut bottom = plot_height;
        stack
            .iter()
            .map(|bar| {
                let height =
                    (bar.share * (plot_height - TOP)).max(if bar.share > 0.0 { 1.0 } else { 0.0 });
                bottom -= height;
                html! {
                    <rect class={bar.class} x={format!("{:.2}", i as f64 * slot_width + 1.0)} y={format!("{bottom:.2}")}
                          width={format!("{:.2}", (slot_width - 2.0).max(1.0))} height={format!("{height:.2}")}>
                        <title>{ bar.title.clone() }</title>
                    </rect>
                }
            })
            .collect::<Vec<_>>()
    });
    let [first, middle, last] = labels;
    html! {
        <svg class="chart" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img">
            <line class="axis-line" x1="0" x2={WIDTH.to_string()} y1={plot_height.to_string()} y2={plot_height.to_string()} />
            <line class="grid-line" x1="0" x2={WIDTH.to_string()} y1={TOP.to_string()} y2={TOP.to_string()} />
            { for rects }
            <text class="axis-label value" x={WIDTH.to_string()} y="12" text-anchor="end" data-testid="axis-top">{ top }</text>
            <text class="axis-label" x="0" y={(HEIGHT - 4.0).to_string()}>{ first }</text>
            <text class="axis-label" x={(WIDTH / 2.0).to_string()} y={(HEIGHT - 4.0).to_string()} text-anchor="middle">{ middle }</text>
            <text class="axis-label" x={WIDTH.to_string()} y={(HEIGHT - 4.0).to_string()} text-anchor="end">{ last }</text>
        </svg>
    }
}

/// Labels under the first, middle and last bars: where each starts, and where the last ends.
fn axis_labels<T>(
    bins: &[T],
    start: impl Fn(&T) -> String,
    end: impl Fn(&T) -> String,
) -> [String; 3] {
    match (bins.first(), bins.get(bins.len() / 2), bins.last()) {
        (Some(a), Some(m), Some(z)) => [start(a), start(m), end(z)],
        _ => Default::default(),
    }
}

fn histogram(bins: &[Bin], class: &'static str, show: impl Fn(f64) -> String + Copy) -> Html {
    let most = bins.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let slots = bins
        .iter()
        .map(|b| {
            vec![Bar {
                share: b.count as f64 / most,
                class,
                title: format!("{} – {}: {}", show(b.low), show(b.high), b.count),
            }]
        })
        .collect();
    bars(
        slots,
        axis_labels(bins, |b| show(b.low), |b| show(b.high)),
        format::count(most as u64),
    )
}

fn latency_histogram(bins: &[Bin]) -> Html {
    histogram(bins, "bar-accent", |nanos| format::duration(nanos as u64))
}

fn traces_over_time(stats: &ProjectStats) -> Html {
    over_time(
        stats,
        [
            ("bar-bad", |b| b.errors, "with errors"),
            ("bar-accent", |b| b.traces - b.errors, "without errors"),
        ],
    )
}

fn tokens_over_time(stats: &ProjectStats) -> Html {
    over_time(
        stats,
        [
            ("bar-prompt", |b| b.input_tokens, "input tokens"),
            ("bar-completion", |b| b.output_tokens, "output tokens"),
        ],
    )
}

/// A part of a stacked bar: its class, its value in a time bin, and what that counts.
type Part = (&'static str, fn(&TimeBin) -> u64, &'static str);

/// One stacked bar per time bin, of two parts.
fn over_time(stats: &ProjectStats, parts: [Part; 2]) -> Html {
    let total = |b: &TimeBin| parts.iter().map(|(_, value, _)| value(b)).sum::<u64>();
    let most = stats.over_time.iter().map(total).max().unwrap_or(0).max(1) as f64;
    let slots = stats
        .over_time
        .iter()
        .map(|b| {
            let when = format::time(b.start_nanos);
            parts
                .iter()
                .map(|&(class, value, what)| Bar {
                    share: value(b) as f64 / most,
                    class,
                    title: format!("{when}: {} {what}", format::count(value(b))),
                })
                .collect()
        })
        .collect();
    time_bars(stats, slots, format::count(most as u64))
}

/// Bars over the project's time bins, labelled by time; `top` is a full bar's value.
fn time_bars(stats: &ProjectStats, slots: Vec<Vec<Bar>>, top: String) -> Html {
    bars(slots, time_labels(stats), top)
}

/// Labels under the first, middle and last time bins.
fn time_labels(stats: &ProjectStats) -> [String; 3] {
    axis_labels(
        &stats.over_time,
        |b| format::time(b.start_nanos),
        |b| format::time(b.end_nanos),
    )
}

/// Latency p50, p90 and p99 of each time bin's traces, as three lines (a bin without traces
/// leaves a gap); each bin's figures on hover.
fn latency_over_time(stats: &ProjectStats) -> Html {
    let bins = &stats.over_time;
    let most = bins
        .iter()
        .map(|b| b.latency_quantiles[2])
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let plot_height = HEIGHT - AXIS;
    let step = WIDTH / bins.len().max(1) as f64;
    let point = |i: usize, nanos: u64| {
        let x = (i as f64 + 0.5) * step;
        (x, plot_height - nanos as f64 / most * (plot_height - TOP))
    };
    let line = |q: usize, class: &'static str| {
        let points: Vec<String> = bins
            .iter()
            .enumerate()
            .filter(|(_, b)| b.traces > 0)
            .map(|(i, b)| point(i, b.latency_quantiles[q]))
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        html! { <polyline class={classes!("line", class)} points={points.join(" ")} /> }
    };
    let marks = bins.iter().enumerate().filter(|(_, b)| b.traces > 0).map(|(i, b)| {
        let [p50, p90, p99] = b.latency_quantiles.map(format::duration);
        let (x, y) = point(i, b.latency_quantiles[2]);
        html! {
            <>
                <circle class="line-p99" cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="2" />
                <rect class="hover-band" x={format!("{:.1}", x - step / 2.0)} y="0" width={format!("{step:.1}")} height={plot_height.to_string()}>
                    <title>{ format!("{}: {} traces · p50 {p50} · p90 {p90} · p99 {p99}", format::time(b.start_nanos), b.traces) }</title>
                </rect>
            </>
        }
    });
    let [first, middle, last] = time_labels(stats);
    html! {
        <svg class="chart" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img" data-testid="latency-over-time">
            <line class="axis-line" x1="0" x2={WIDTH.to_string()} y1={plot_height.to_string()} y2={plot_height.to_string()} />
            <line class="grid-line" x1="0" x2={WIDTH.to_string()} y1={TOP.to_string()} y2={TOP.to_string()} />
            { line(0, "line-p50") }{ line(1, "line-p90") }{ line(2, "line-p99") }
            { for marks }
            <text class="axis-label value" x={WIDTH.to_string()} y="12" text-anchor="end" data-testid="axis-top">{ format::duration(most as u64) }</text>
            <text class="axis-label legend" x="0" y="12">
                <tspan class="key-p50">{"p50"}</tspan>{" "}<tspan class="key-p90">{"p90"}</tspan>{" "}<tspan class="key-p99">{"p99"}</tspan>
            </text>
            <text class="axis-label" x="0" y={(HEIGHT - 4.0).to_string()}>{ first }</text>
            <text class="axis-label" x={(WIDTH / 2.0).to_string()} y={(HEIGHT - 4.0).to_string()} text-anchor="middle">{ middle }</text>
            <text class="axis-label" x={WIDTH.to_string()} y={(HEIGHT - 4.0).to_string()} text-anchor="end">{ last }</text>
        </svg>
    }
}

/// One bar per time bin: what its traces' calls cost.
fn cost_over_time(stats: &ProjectStats) -> Html {
    let most = stats
        .over_time
        .iter()
        .map(|b| b.cost.usd.dollars())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let slots = stats
        .over_time
        .iter()
        .map(|b| {
            let shown = format::cost(&b.cost).unwrap_or_else(|| "no calls".to_owned());
            vec![Bar {
                share: b.cost.usd.dollars() / most,
                class: "bar-accent",
                title: format!("{}: {shown}", format::time(b.start_nanos)),
            }]
        })
        .collect();
    time_bars(stats, slots, format::usd(Usd::from_dollars(most)))
}

/// Each model's calls: what they cost, their calls and tokens.
fn cost_by_model(stats: &ProjectStats) -> Html {
    rows_chart(
        stats
            .by_model
            .iter()
            .map(|m| {
                let model = match (m.model.as_str(), m.provider.as_str()) {
                    ("", _) => "(no model)".to_owned(),
                    (model, "") => model.to_owned(),
                    (model, provider) => format!("{model} ({provider})"),
                };
                (
                    format!(
                        "{model} · {}",
                        format::counted(m.calls.calls.into(), "call", "calls")
                    ),
                    m.cost.usd.dollars(),
                    format!(
                        "{} · {} tokens",
                        format::cost(&m.cost).unwrap_or_else(|| "—".to_owned()),
                        format::count(m.calls.usage.total().unwrap_or(0))
                    ),
                    "bar-accent".to_owned(),
                )
            })
            .collect(),
    )
}

/// Horizontal bars: a label, a bar, a value, per row.
fn rows_chart(rows: Vec<(String, f64, String, String)>) -> Html {
    let most = rows
        .iter()
        .map(|r| r.1)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    html! {
        <div class="hbars">
            { for rows.into_iter().map(|(label, value, shown, class)| html! {
                <div class="hbar-row" data-testid="hbar">
                    <span class="hbar-label" title={label.clone()}>{ label }</span>
                    <span class="hbar-track"><span class={classes!("hbar", class)} style={format!("width:{:.2}%", value / most * 100.0)}></span></span>
                    <span class="hbar-value">{ shown }</span>
                </div>
            }) }
        </div>
    }
}

fn time_by_kind(stats: &ProjectStats) -> Html {
    let total: u64 = stats
        .time_by_kind
        .iter()
        .map(|k| k.self_nanos)
        .sum::<u64>()
        .max(1);
    rows_chart(
        stats
            .time_by_kind
            .iter()
            .map(|k| {
                (
                    format!("{} ({})", k.kind, format::counted(k.spans, "span", "spans")),
                    k.self_nanos as f64,
                    format!(
                        "{} · {}",
                        format::duration(k.self_nanos),
                        format::percent(k.self_nanos as f64 / total as f64)
                    ),
                    format!("kind-{}", k.kind.to_lowercase()),
                )
            })
            .collect(),
    )
}

fn evaluation_plots(evaluation: &EvaluationStats) -> Html {
    let mean = evaluation
        .mean_score
        .map(|m| format!(", mean score {m:.2}"))
        .unwrap_or_default();
    let title = format!(
        "Evaluation “{}”: {}{mean}",
        evaluation.name,
        format::counted(evaluation.count, "result", "results")
    );
    html! {
        <figure class="plot" data-testid="evaluation-plot" data-name={evaluation.name.clone()}>
            <figcaption>{ title }</figcaption>
            if !evaluation.score_histogram.is_empty() {
                { histogram(&evaluation.score_histogram, "bar-accent", |x| format!("{x:.2}")) }
            }
            if !evaluation.labels.is_empty() {
                { rows_chart(evaluation.labels.iter().map(|(label, n)| {
                    (label.clone(), *n as f64, format::count(*n), "bar-label".to_owned())
                }).collect()) }
            }
        </figure>
    }
}
