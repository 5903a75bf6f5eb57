//! Two spans compared for what they said (the engine's [`SpanDiff`]): each side's model, time,
//! tokens and cost with the change, then every message, argument and result side by side with
//! the words only one side has marked, and what differs key by key in tool calls, parameters and
//! JSON values. On the compare page under the aligned trees, and alone at `#/diff/…`.

use yew::prelude::*;

use crate::analysis::call_diff::{DiffedSpan, FieldDiff, SpanDiff};
use crate::analysis::diff::{Change, KeyChange};
use crate::engine::messages::Query;
use crate::engine::protocol::SpanAt;
use crate::present::route::Route;
use crate::present::{diff, format};
use crate::ui::common::kind::KindBadge;
use crate::ui::query::{shown, use_query};

/// The comparison's (and its page's) properties.
#[derive(Properties, PartialEq)]
pub struct SpanDiffViewProps {
    /// The span compared against.
    pub base: SpanAt,
    /// The other.
    pub other: SpanAt,
    /// The loads version.
    pub version: u32,
}

/// See the module docs.
#[component]
pub fn SpanDiffView(props: &SpanDiffViewProps) -> Html {
    let answer = use_query(
        (props.base.clone(), props.other.clone(), props.version),
        |(base, other, _)| Query::span_diff(base.clone(), other.clone()),
    );
    let d = match shown(answer, html! { <p class="muted">{"Comparing…"}</p> }) {
        Ok(answer) => answer,
        Err(instead) => return instead,
    };
    let d: &SpanDiff = &d;
    let cost = |side: &DiffedSpan| side.cost.as_ref().map(|c| c.usd);
    let tokens = diff::token_changes(&d.base.usage, &d.other.usage);
    html! {
        <section class="span-diff" data-testid="span-diff">
            <div class="diff-sides">{ side("Base", &d.base) }{ side("Other", &d.other) }</div>
            <dl class="facts" data-testid="token-delta">
                <dt>{"Duration"}</dt>
                <dd>{ format!("{} → {}", format::duration(d.base.duration_nanos), format::duration(d.other.duration_nanos)) }</dd>
                { for tokens.into_iter().map(|(label, change)| html! {
                    <><dt>{ format!("Tokens, {label}") }</dt><dd data-kind={label}>{ change }</dd></>
                }) }
                if let Some(change) = diff::cost_change(cost(&d.base), cost(&d.other)) {
                    <dt>{"Cost"}</dt><dd data-testid="cost-delta">{ change }</dd>
                }
            </dl>
            { for d.fields.iter().chain(&d.tool_calls).chain(&d.parameters).map(|field| html! { <FieldDiffView field={field.clone()} /> }) }
        </section>
    }
}

/// One side's head: a link to the span in its trace, its kind, model and name.
fn side(label: &str, span: &DiffedSpan) -> Html {
    let href = Route::Trace {
        trace_id: span.trace_id.clone(),
        span_id: Some(span.span_id.clone()),
        search: None,
    }
    .to_fragment();
    html! {
        <div class="diff-side">
            <span class="muted">{ label.to_owned() }</span>
            <KindBadge kind={span.kind.clone()} />
            <a {href} title="Open this span in its trace">{ span.name.clone() }</a>
            if let Some(model) = &span.model { <span class="mono muted">{ model.clone() }</span> }
        </div>
    }
}

/// The field's properties.
#[derive(Properties, PartialEq)]
struct FieldDiffViewProps {
    field: FieldDiff,
}

/// A message, arguments or a result: the two texts side by side, what only the base has struck
/// out on the left and what only the other has marked on the right; a field that is the same
/// on both sides is folded.
#[component]
fn FieldDiffView(props: &FieldDiffViewProps) -> Html {
    let field = &props.field;
    let same = field.same();
    let column = |hidden: Change, class: &'static str| {
        html! {
            <div class={classes!("diff-text", class)}>
                { for field.pieces.iter().filter(|p| p.change != hidden).map(|p| match p.change {
                    Change::Same => html! { <span>{ p.text.clone() }</span> },
                    Change::Removed => html! { <del data-testid="removed-words">{ p.text.clone() }</del> },
                    Change::Added => html! { <ins data-testid="added-words">{ p.text.clone() }</ins> },
                }) }
            </div>
        }
    };
    html! {
        <details class="field-diff" data-testid="field-diff" data-label={field.label.clone()}
                 data-same={same.to_string()} open={!same}>
            <summary>
                <strong>{ field.label.clone() }</strong>
                <span class="muted">{ if same { " · the same in both" } else { " · differs" } }</span>
            </summary>
            if !field.pieces.is_empty() {
                <div class="diff-columns">{ column(Change::Added, "before") }{ column(Change::Removed, "after") }</div>
            }
            { key_changes(&field.keys, field.more_keys) }
        </details>
    }
}

/// What differs key by key.
fn key_changes(changes: &[KeyChange], more: usize) -> Html {
    if changes.is_empty() {
        return html! {};
    }
    let value = |v: &Option<String>| match v {
        Some(text) => html! { <code>{ text.clone() }</code> },
        None => html! { <span class="muted">{"absent"}</span> },
    };
    html! {
        <table class="kv key-changes">
            <thead><tr><th>{"Key"}</th><th>{"Base"}</th><th>{"Other"}</th></tr></thead>
            <tbody>
                { for changes.iter().map(|c| html! {
                    <tr data-testid="key-change" data-path={c.path.clone()}>
                        <th class="mono">{ if c.path.is_empty() { "(the value)".to_owned() } else { c.path.clone() } }</th>
                        <td>{ value(&c.before) }</td><td>{ value(&c.after) }</td>
                    </tr>
                }) }
                if more > 0 { <tr><td colspan="3" class="muted">{ format!("and {more} more") }</td></tr> }
            </tbody>
        </table>
    }
}

/// Two spans compared, alone on a page (`#/diff/…`), with *Swap*.
#[component]
pub fn SpanDiffPage(props: &SpanDiffViewProps) -> Html {
    let swap = Route::SpanDiff {
        base: props.other.clone(),
        other: props.base.clone(),
    }
    .to_fragment();
    html! {
        <section class="compare-spans">
            <div class="page-head">
                <h1>{"Compare spans"}</h1>
                <a class="button small" href={swap}>{"Swap"}</a>
            </div>
            <SpanDiffView base={props.base.clone()} other={props.other.clone()} version={props.version} />
        </section>
    }
}
