//! One row of the span tree and its timeline: indent, twisty, kind, name, badges, and the bar.
//! A component of its own, so a row re-renders only when it changes (as Jaeger's `SpanBarRow`).

use std::rc::Rc;

use yew::prelude::*;

use crate::analysis::flags;
use crate::engine::protocol::RowView;
use crate::present::axis::TimeWindow;
use crate::present::format;
use crate::ui::common::eval_chip::evaluation_chip;
use crate::ui::common::kind::glyph;

/// Rows deeper than this are not indented further (the depth is written out instead).
const MAX_INDENT: u32 = 40;

/// The row's properties.
#[derive(Properties, PartialEq)]
pub(crate) struct SpanRowProps {
    /// What the engine says of the row.
    pub row: Rc<RowView>,
    /// Whether it is the selected row.
    pub selected: bool,
    /// The timeline's window.
    pub view: TimeWindow,
    /// Hears the row picked: its visible index and span.
    pub select: Callback<(u32, Option<String>)>,
    /// Hears its twisty: its tree row, and toggle.
    pub toggle: Callback<(u32, Option<bool>)>,
}

/// One row: the tree cell (indent, twisty, kind, name, badges) and the timeline cell (its bar).
#[component]
pub(crate) fn SpanRow(props: &SpanRowProps) -> Html {
    let SpanRowProps {
        row,
        selected,
        view,
        select,
        toggle,
    } = props;
    let selected = *selected;
    let onclick = {
        let (select, index, span) = (select.clone(), row.visible_index, row.span_id.clone());
        Callback::from(move |_: MouseEvent| select.emit((index, Some(span.clone()))))
    };
    let twisty = if row.children > 0 {
        let (toggle, r) = (toggle.clone(), row.row);
        let onclick = Callback::from(move |event: MouseEvent| {
            event.stop_propagation();
            toggle.emit((r, None));
        });
        html! {
            <button class="twisty" {onclick} aria-label={if row.collapsed { "Expand" } else { "Collapse" }}>
                { if row.collapsed { "▸" } else { "▾" } }
            </button>
        }
    } else {
        html! { <span class="twisty leaf"></span> }
    };
    let indent = row.depth.min(MAX_INDENT) * 14;
    let error = row.status == "ERROR";
    let start = row.offset_nanos as f64;
    let unfinished = row.flags & flags::UNFINISHED != 0;
    let end = if unfinished {
        view.end_nanos.max(start)
    } else {
        start + row.duration_nanos as f64
    };
    let (left, width) = view.bar(start, end, 0.15);
    let notes = format::flag_notes(row.flags);
    let kind_class = format!("kind-{}", row.kind.to_lowercase());
    let sums = row.flags & flags::SUMS_CALLS_BELOW != 0;
    html! {
        <div class={classes!("srow", selected.then_some("selected"), row.matched.then_some("matched"), error.then_some("error"))}
             data-testid="span-row" data-span-id={row.span_id.clone()} data-kind={row.kind.clone()} role="treeitem"
             aria-selected={selected.to_string()} aria-level={(row.depth + 1).to_string()} {onclick}>
            <div class="tree-cell" style={format!("padding-left:{indent}px")}>
                { twisty }
                <span class={classes!("glyph", kind_class.clone())} title={row.kind.clone()}>{ glyph(&row.kind) }</span>
                <span class="name" title={row.name.clone()}>{ row.name.clone() }</span>
                if row.depth > MAX_INDENT { <span class="muted">{ format!(" (depth {})", row.depth) }</span> }
                if !notes.is_empty() { <span class="warn" title={notes.join("; ")}>{"⚠"}</span> }
                if error { <span class="status error">{"error"}</span> }
                { for row.evaluations.iter().map(evaluation_chip) }
                if row.tokens > 0 {
                    if sums {
                        <span class="tokens sum" title="the calls below, summed: counted there">{ format!("Σ {} tok", format::count(row.tokens)) }</span>
                    } else {
                        <span class="tokens" title="tokens">{ format!("{} tok", format::count(row.tokens)) }</span>
                    }
                }
                if let Some(cost) = row.cost.filter(|_| !sums) {
                    <span class="cost" data-testid="row-cost" title="cost of this call">{ format::usd(cost) }</span>
                }
                <span class="dur">{ format::duration(row.duration_nanos) }</span>
            </div>
            <div class="time-cell">
                <div class={classes!("bar", kind_class, unfinished.then_some("unfinished"), error.then_some("error"))}
                     style={format!("left:{left:.4}%;width:{width:.4}%")}></div>
                { for row.critical.iter().map(|(a, b)| {
                    let (l, w) = view.bar(*a as f64, *b as f64, 0.1);
                    html! { <div class="critical" style={format!("left:{l:.4}%;width:{w:.4}%")}></div> }
                }) }
            </div>
        </div>
    }
}
