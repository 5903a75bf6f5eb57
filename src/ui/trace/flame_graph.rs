//! A trace as a flame graph (icicle) by self time: a span's box is as wide as the self time of
//! it and everything under it. A click zooms on the span (and selects it); "Whole trace" zooms
//! out. The engine lays out only the boxes wide enough to see.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::FlameBoxView;
use crate::present::format;
use crate::ui::query::{shown, use_query};

/// Height of a level, px.
const LEVEL_HEIGHT: u32 = 22;

/// The graph's properties.
#[derive(Properties, PartialEq)]
pub struct FlameGraphProps {
    /// Hex trace id.
    pub trace_id: AttrValue,
    /// The loads version.
    pub version: u32,
    /// The selected span's hex id.
    pub selected: Option<String>,
    /// Hears a span picked (its hex id).
    pub on_select: Callback<String>,
}

/// See the module docs.
#[component]
pub fn FlameGraph(props: &FlameGraphProps) -> Html {
    let focus = use_state(|| None::<u32>);
    {
        let focus = focus.clone();
        use_effect_with(props.trace_id.clone(), move |_| focus.set(None));
    }
    let answer = use_query(
        (props.trace_id.clone(), *focus, props.version),
        |(trace_id, focus, _)| Query::flame(trace_id.to_string(), *focus),
    );
    let view = match shown(answer, html! { <p class="muted">{"Laying out…"}</p> }) {
        Ok(view) => view,
        Err(instead) => return instead,
    };
    let whole = view.boxes.first().map_or(0, |b| b.total_nanos).max(1);
    let pick = |b: &FlameBoxView| {
        let (focus, on_select) = (focus.clone(), props.on_select.clone());
        let (row, span_id, zoomed) = (b.row, b.span_id.clone(), view.focus == Some(b.row));
        Callback::from(move |()| {
            // Picking the box zoomed on zooms out to the whole trace.
            focus.set(if zoomed { None } else { Some(row) });
            on_select.emit(span_id.clone());
        })
    };
    let boxes = view.boxes.iter().map(|b| {
        let share = b.total_nanos as f64 / whole as f64 * 100.0;
        let title = format!(
            "{} ({})\nself time here and below: {} ({share:.1}%)\nown self time: {}",
            b.name,
            b.kind,
            format::duration(b.total_nanos),
            format::duration(b.self_nanos)
        );
        let style = format!(
            "left:{:.4}%;width:{:.4}%;top:{}px",
            b.x * 100.0,
            b.width * 100.0,
            b.level * LEVEL_HEIGHT
        );
        let selected = props.selected.as_deref() == Some(b.span_id.as_str());
        let picked = pick(b);
        let onclick = picked.reform(|_: MouseEvent| ());
        // Boxes are reached with Tab and picked with Enter or Space, like buttons.
        let onkeydown = Callback::from(move |event: KeyboardEvent| {
            if matches!(event.key().as_str(), "Enter" | " ") {
                event.prevent_default();
                picked.emit(());
            }
        });
        html! {
            <div class={classes!("fbox", format!("kind-{}", b.kind.to_lowercase()), (b.status == "ERROR").then_some("error"), selected.then_some("selected"))}
                 {style} {title} {onclick} {onkeydown} tabindex="0" data-testid="flame-box" data-span-id={b.span_id.clone()} role="button">
                { b.name.clone() }
            </div>
        }
    });
    let reset = {
        let focus = focus.clone();
        Callback::from(move |_: MouseEvent| focus.set(None))
    };
    html! {
        <div class="flame-view">
            <div class="flame-head muted">
                {"Width: self time of a span and everything under it. Click to zoom."}
                if view.focus.is_some() {
                    <button class="button small" onclick={reset} data-testid="flame-reset">{"Whole trace"}</button>
                }
            </div>
            <div class="flame" style={format!("height:{}px", view.levels * LEVEL_HEIGHT)} data-testid="flame-graph">
                { for boxes }
            </div>
        </div>
    }
}
