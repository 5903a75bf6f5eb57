//! The trace's figures at the top of its page: duration, spans, errors, tokens, cost, time by
//! kind, anomalies, and log records of spans not loaded.

use yew::prelude::*;

use crate::engine::protocol::TraceOverview;
use crate::model::TokenKind;
use crate::present::format;
use crate::ui::common::kind::KindBadge;
use crate::ui::trace::meaning::logs;

/// The trace's figures: duration, spans, errors, tokens, time by kind, anomalies.
pub(crate) fn insight(trace: &TraceOverview) -> Html {
    let total: u64 = trace
        .time_by_kind
        .iter()
        .map(|(_, n)| n)
        .sum::<u64>()
        .max(1);
    let a = &trace.anomalies;
    let anomalies = [
        (a.missing_parents, "with a parent not loaded"),
        (a.duplicates, "duplicates left out"),
        (a.cycles, "parent loops cut"),
        (a.outside_parent, "outside their parent (clock skew)"),
        (a.unfinished, "unfinished"),
    ];
    html! {
        <div class="trace-head">
            <h1>{ trace.name.clone() }</h1>
            if trace.in_progress { { in_progress() } }
            <div class="figures">
                <span><strong>{ format::duration(trace.duration_nanos) }</strong>{" duration"}</span>
                <span><strong>{ format::count(u64::from(trace.spans)) }</strong>{" spans"}</span>
                <span class={classes!((trace.errors > 0).then_some("bad"))}><strong>{ trace.errors }</strong>{" errors"}</span>
                <span title={format!("input {} · output {}", format::count(trace.usage.count(TokenKind::Input)), format::count(trace.usage.count(TokenKind::Output)))}>
                    <strong>{ format::count(trace.usage.total().unwrap_or(0)) }</strong>{" tokens"}</span>
                if let Some(cost) = format::cost(&trace.cost) {
                    <span data-testid="trace-cost" title={format::cost_sources(&trace.cost)}><strong>{ cost }</strong>{" cost"}</span>
                }
                <span class="muted">{ format!("{} UTC", format::time(trace.start_nanos)) }</span>
                if let Some(session) = &trace.session { <span class="muted mono">{ format!("session {session}") }</span> }
                <span class="muted">{ trace.project.clone() }</span>
            </div>
            <div class="by-kind" title="Self time by span kind">
                { for trace.time_by_kind.iter().map(|(kind, nanos)| {
                    let share = *nanos as f64 / total as f64 * 100.0;
                    html! {
                        <span class={classes!("part", format!("kind-{}", kind.to_lowercase()))} style={format!("width:{share:.2}%")}
                              title={format!("{kind}: {} ({share:.0}%)", format::duration(*nanos))}></span>
                    }
                }) }
            </div>
            <div class="legend">
                { for trace.time_by_kind.iter().map(|(kind, nanos)| html! {
                    <span><KindBadge kind={kind.clone()} />{ format!(" {}", format::duration(*nanos)) }</span>
                }) }
            </div>
            if anomalies.iter().any(|(n, _)| *n > 0) || a.roots > 1 {
                <div class="anomalies">
                    if a.roots > 1 { <span class="chip">{ format!("{} roots", a.roots) }</span> }
                    { for anomalies.iter().filter(|(n, _)| *n > 0).map(|(n, what)| html! { <span class="chip">{ format!("{n} {what}") }</span> }) }
                </div>
            }
            if trace.orphan_log_count > 0 {
                <details class="orphan-logs" data-testid="orphan-logs">
                    <summary>{ format!("{} that name this trace but no span of it that is loaded", format::counted(trace.orphan_log_count.into(), "log record", "log records")) }</summary>
                    { logs(&trace.orphan_logs) }
                </details>
            }
        </div>
    }
}

/// The notice's properties.
#[derive(Properties, PartialEq)]
pub(crate) struct ErrorsNoticeProps {
    /// The trace's view.
    pub trace: std::rc::Rc<TraceOverview>,
    /// Shows a span (by hex id) with its details.
    pub on_pick: Callback<String>,
}

/// A trace with errors says so, and offers to go to the first.
#[component]
pub(crate) fn ErrorsNotice(props: &ErrorsNoticeProps) -> Html {
    let Some(first) = props.trace.first_error.clone() else {
        return html! {};
    };
    let onclick = props.on_pick.reform(move |_: MouseEvent| first.clone());
    html! {
        <div class="notice bad" data-testid="errors-notice">
            { format!("{} in this trace. ", format::counted(props.trace.errors.into(), "span failed", "spans failed")) }
            <button class="button small" data-testid="first-error" {onclick}>{"Go to the first error"}</button>
        </div>
    }
}

/// The mark of a trace whose spans are still arriving.
pub(crate) fn in_progress() -> Html {
    html! {
        <span class="chip in-progress" data-testid="in-progress"
              title="Its spans are arriving from plume serve, and some still wait for their parent">
            {"in progress"}
        </span>
    }
}
