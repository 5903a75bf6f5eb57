//! A trace as a flame graph (icicle) by self time: a span's box is as wide as the self time of
//! it and everything under it. A click zooms on the span (and selects it); "Whole trace" zooms
//! out. The engine lays out only the boxes wide enough to see.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::FlameBoxView;
use crate::present::format;
use crate::present::popover::{self, Px};
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
    // The box under the pointer (or keyboard focus), whose tip shows, and where (client px).
    let hovered = use_state_eq(|| None::<(usize, Px)>);
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
    let boxes = view.boxes.iter().enumerate().map(|(index, b)| {
        let selected = props.selected.as_deref() == Some(b.span_id.as_str());
        let hovered = hovered.clone();
        let hover = Callback::from(move |at: Option<Px>| hovered.set(at.map(|at| (index, at))));
        html! { <FlameBox key={b.span_id.clone()} flame={b.clone()} {selected} on_pick={pick(b)} {hover} /> }
    });
    let tip = hovered.and_then(|(index, at)| Some((view.boxes.get(index)?.clone(), at)));
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
            // Always there, so that a tip coming or going changes no list the boxes are in (a
            // box re-made loses the keyboard's focus).
            <FlameTip {tip} {whole} />
        </div>
    }
}

/// A box's properties.
#[derive(Properties, PartialEq)]
struct FlameBoxProps {
    flame: FlameBoxView,
    selected: bool,
    /// Zooms on it and selects its span.
    on_pick: Callback<()>,
    /// Hears the pointer or the focus come (where, client px) and go.
    hover: Callback<Option<Px>>,
}

/// One span's box: its name, and its duration where the box is wide enough (a duration that
/// does not fit wraps onto a line the box hides).
#[component]
fn FlameBox(props: &FlameBoxProps) -> Html {
    let b = &props.flame;
    let style = format!(
        "left:{:.4}%;width:{:.4}%;top:{}px",
        b.x * 100.0,
        b.width * 100.0,
        b.level * LEVEL_HEIGHT
    );
    let onclick = props.on_pick.reform(|_: MouseEvent| ());
    // Boxes are reached with Tab and picked with Enter or Space, like buttons.
    let picked = props.on_pick.clone();
    let onkeydown = Callback::from(move |event: KeyboardEvent| {
        if matches!(event.key().as_str(), "Enter" | " ") {
            event.prevent_default();
            picked.emit(());
        }
    });
    let enter = props
        .hover
        .reform(|e: MouseEvent| Some((f64::from(e.client_x()), f64::from(e.client_y()))));
    let leave = props.hover.reform(|_: MouseEvent| None);
    let focus = props.hover.reform(|e: FocusEvent| {
        let rect = e
            .target_dyn_into::<web_sys::Element>()?
            .get_bounding_client_rect();
        Some((rect.left(), rect.bottom()))
    });
    let blur = props.hover.reform(|_: FocusEvent| None);
    html! {
        <div class={classes!("fbox", format!("kind-{}", b.kind.to_lowercase()), (b.status == "ERROR").then_some("error"), props.selected.then_some("selected"))}
             {style} {onclick} {onkeydown} onmouseenter={enter} onmouseleave={leave}
             onfocus={focus} onblur={blur} aria-label={b.name.clone()}
             tabindex="0" data-testid="flame-box" data-span-id={b.span_id.clone()} role="button">
            <span class="fname">{ b.name.clone() }</span>
            <span class="fdur">{ format::duration(b.total_nanos) }</span>
        </div>
    }
}

/// A tip's properties.
#[derive(Properties, PartialEq)]
struct FlameTipProps {
    /// The box pointed at, and where the pointer came onto it (or below it, focused), client
    /// px.
    tip: Option<(FlameBoxView, Px)>,
    /// The self time of the whole view, ns.
    whole: u64,
}

/// The largest a tip is, px: where it goes is decided for this size.
const TIP_SIZE: Px = (360.0, 90.0);

/// What a box is, by the pointer: name, kind, its time and share, its own self time. It floats
/// over the page (changing no layout) and stays inside the viewport.
#[component]
fn FlameTip(props: &FlameTipProps) -> Html {
    let Some((b, at)) = &props.tip else {
        return html! {};
    };
    let [name, kind, total, own] = format::flame_tip(b, props.whole);
    let viewport = web_sys::window().map_or(TIP_SIZE, |w| {
        let size = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
        (
            size(w.inner_width()).unwrap_or(TIP_SIZE.0),
            size(w.inner_height()).unwrap_or(TIP_SIZE.1),
        )
    });
    let (left, top) = popover::place(*at, 12.0, TIP_SIZE, viewport);
    let style = format!("left:{left:.0}px;top:{top:.0}px");
    html! {
        <div class="flame-tip" role="tooltip" {style} data-testid="flame-tip">
            <strong>{ name }</strong>
            <span class="muted">{ kind }</span>
            <span>{ total }</span>
            <span>{ own }</span>
        </div>
    }
}
