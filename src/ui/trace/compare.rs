//! Two traces compared: totals, self time by kind in each, and their trees aligned by span name
//! path with each position's duration in both and the difference (added and removed spans
//! marked). The rows are a virtualized list; a pair of spans chosen in it (at first the first
//! pair of model calls) is compared for what it said below ([`SpanDiffView`]).

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::{ComparedRow, ComparedSpan, ComparedTrace, Comparison, SpanAt};
use crate::present::route::Route;
use crate::present::{diff, format};
use crate::ui::common::kind::KindBadge;
use crate::ui::common::virtual_list::VirtualList;
use crate::ui::query::{shown, use_query};
use crate::ui::trace::span_diff::SpanDiffView;

const ROW_HEIGHT: f64 = 26.0;

/// The page's properties.
#[derive(Properties, PartialEq)]
pub struct ComparePageProps {
    /// Hex id of the base trace.
    pub base: AttrValue,
    /// Hex id of the other.
    pub other: AttrValue,
    /// The loads version.
    pub version: u32,
}

fn slower_or_faster(before: u64, after: u64) -> Option<&'static str> {
    // Within 5% is the same.
    let (b, a) = (before as f64, after as f64);
    match () {
        _ if a > b * 1.05 => Some("slower"),
        _ if a < b * 0.95 => Some("faster"),
        _ => None,
    }
}

/// See the module docs.
#[component]
pub fn ComparePage(props: &ComparePageProps) -> Html {
    let answer = use_query(
        (props.base.clone(), props.other.clone(), props.version),
        |(base, other, _)| Query::compare(base.to_string(), other.to_string()),
    );
    // The pair chosen, by its spans' ids: rows move when the traces grow or swap.
    let picked = use_state(|| None::<(String, String)>);
    let answer = match shown(answer, html! { <p class="muted">{"Aligning…"}</p> }) {
        Ok(answer) => answer,
        Err(instead) => return instead,
    };
    let c: &Comparison = &answer;
    let ids = |row: &ComparedRow| {
        Some((
            row.base.as_ref()?.span_id.clone(),
            row.other.as_ref()?.span_id.clone(),
        ))
    };
    let chosen = (picked.as_ref())
        .and_then(|pair| {
            c.rows
                .iter()
                .position(|row| ids(row).as_ref() == Some(pair))
        })
        .or_else(|| first_calls(&c.rows));
    // Rows are drawn from the engine's answer as it is, shared, never copied.
    let render = {
        let (answer, picked) = (answer.clone(), picked.clone());
        Callback::from(move |index: u32| {
            let row = answer.rows.get(index as usize).map(|row| {
                let pick = ids(row).map(|pair| {
                    let picked = picked.clone();
                    Callback::from(move |_: MouseEvent| picked.set(Some(pair.clone())))
                });
                let traces = (
                    answer.base.trace_id.as_str(),
                    answer.other.trace_id.as_str(),
                );
                compared_row(row, traces, chosen == Some(index as usize), pick)
            });
            row.unwrap_or_else(|| html! { <div class="crow placeholder"></div> })
        })
    };
    let pair = chosen.and_then(|index| {
        let (base, other) = ids(c.rows.get(index)?)?;
        let at = |trace: &ComparedTrace, span_id| SpanAt {
            trace_id: trace.trace_id.clone(),
            span_id,
        };
        Some((at(&c.base, base), at(&c.other, other)))
    });
    html! {
        <section class="compare" data-testid="compare">
            { compare_head(c, &props.base, &props.other) }
            <div class="crow thead">
                <span class="th">{"Span (aligned by name path)"}</span><span class="th num">{"Base"}</span>
                <span class="th num">{"Other"}</span><span class="th num">{"Difference"}</span>
            </div>
            // As tall as its rows, up to under half the window: the chosen pair shows below.
            <div class="compare-rows" style={format!("height: min(45vh, {}px)", c.rows.len() as f64 * ROW_HEIGHT + 2.0)}>
                <VirtualList count={c.rows.len() as u32} row_height={ROW_HEIGHT} {render} role="grid" />
            </div>
            if let Some((base, other)) = pair {
                <h2 class="pair-head">{"What the chosen pair said"}</h2>
                <SpanDiffView {base} {other} version={props.version} />
            } else {
                <p class="muted">{"Choose a pair of spans above (Compare) to see what each said."}</p>
            }
        </section>
    }
}

/// The page's head: the two traces, their differences in time, spans, tokens and cost, and self
/// time by kind.
fn compare_head(c: &Comparison, base: &str, other: &str) -> Html {
    let swap = Route::Compare {
        base: other.to_owned(),
        other: base.to_owned(),
    }
    .to_fragment();
    let side = |label: &str, t: &ComparedTrace| {
        let href = Route::trace(&t.trace_id).to_fragment();
        html! {
            <div class="compared-trace">
                <span class="muted">{ label.to_owned() }</span>
                <a {href} class="mono">{ format!("{} · {}", t.name, format::short_id(&t.trace_id)) }</a>
                <span>{ format!("{} · {} · {} · started {}", format::duration(t.duration_nanos), format::counted(u64::from(t.spans), "span", "spans"), format::counted(t.tokens, "token", "tokens"), format::time(t.start_nanos)) }</span>
                if let Some(cost) = format::cost(&t.cost) {
                    <span data-testid="compare-cost" title={format::cost_sources(&t.cost)}>{ format!(" · {cost}") }</span>
                }
            </div>
        }
    };
    let by_kind = c.by_kind.iter().map(|k| {
        html! {
            <tr data-testid="kind-difference">
                <td><KindBadge kind={k.kind.clone()} /></td>
                <td class="num">{ format::duration(k.base_nanos) }</td>
                <td class="num">{ format::duration(k.other_nanos) }</td>
                <td class={classes!("num", slower_or_faster(k.base_nanos, k.other_nanos))}>{ diff::duration_change(k.base_nanos, k.other_nanos) }</td>
            </tr>
        }
    });
    html! {
        <>
            <div class="page-head">
                <h1>{"Compare traces"}</h1>
                <a class="button small" href={swap}>{"Swap"}</a>
            </div>
            { side("Base", &c.base) }
            { side("Other", &c.other) }
            <p data-testid="compare-summary">
                { format!("Duration {} · spans added: {}, removed: {}", diff::duration_change(c.base.duration_nanos, c.other.duration_nanos), c.added, c.removed) }
                if c.truncated { <span class="muted">{ format!(" · first {} positions shown", c.rows.len()) }</span> }
            </p>
            <p data-testid="compare-totals">
                { format!("Tokens {}", diff::count_change(Some(c.base.tokens), Some(c.other.tokens))) }
                if let Some(cost) = diff::cost_change(priced(&c.base), priced(&c.other)) { { format!(" · cost {cost}") } }
            </p>
            <div class="table-scroll">
                <table class="table kinds">
                    <thead><tr><th>{"Self time by kind"}</th><th class="num">{"Base"}</th><th class="num">{"Other"}</th><th class="num">{"Difference"}</th></tr></thead>
                    <tbody>{ for by_kind }</tbody>
                </table>
            </div>
        </>
    }
}

/// What a trace's calls cost, when any has a cost.
fn priced(trace: &ComparedTrace) -> Option<crate::model::Usd> {
    trace.cost.is_priced().then_some(trace.cost.usd)
}

/// The first position where both traces have a model call (else a tool run): the pair the page
/// compares until another is chosen.
fn first_calls(rows: &[ComparedRow]) -> Option<usize> {
    let paired = |kind: &str| {
        (rows.iter()).position(|r| r.kind == kind && r.base.is_some() && r.other.is_some())
    };
    paired("LLM").or_else(|| paired("TOOL"))
}

/// A position: its span in each trace (a link to it there), and the difference; a pair can be
/// chosen (`pick`) to compare what it said.
fn compared_row(
    row: &ComparedRow,
    (base, other): (&str, &str),
    chosen: bool,
    pick: Option<Callback<MouseEvent>>,
) -> Html {
    let duration = |span: &Option<ComparedSpan>, trace_id: &str| match span {
        Some(span) => {
            let href = Route::Trace {
                trace_id: trace_id.to_owned(),
                span_id: Some(span.span_id.clone()),
                search: None,
            }
            .to_fragment();
            html! { <a {href} title="Open this span in its trace">{ format::duration(span.duration_nanos) }</a> }
        }
        None => html! {},
    };
    let (state, change, class) = match (&row.base, &row.other) {
        (Some(b), Some(o)) => (
            None,
            diff::duration_change(b.duration_nanos, o.duration_nanos),
            slower_or_faster(b.duration_nanos, o.duration_nanos),
        ),
        (None, _) => (Some("added"), "added".to_owned(), Some("added")),
        (_, None) => (Some("removed"), "removed".to_owned(), Some("removed")),
    };
    html! {
        <div class={classes!("crow", state, chosen.then_some("chosen"))} data-testid="compared-row" data-state={state.unwrap_or("both")}>
            <span class="cell name" style={format!("padding-left:{}px", row.depth.min(30) * 14)} title={row.name.clone()}>
                <KindBadge kind={row.kind.clone()} />{" "}{ row.name.clone() }
                if let Some(onclick) = pick {
                    <button class="button small pick" {onclick} aria-pressed={chosen.to_string()} data-testid="compare-pair"
                            title="Compare what these two spans said">{"Compare"}</button>
                }
            </span>
            <span class="cell num">{ duration(&row.base, base) }</span>
            <span class="cell num">{ duration(&row.other, other) }</span>
            <span class={classes!("cell", "num", class)}>{ change }</span>
        </div>
    }
}
