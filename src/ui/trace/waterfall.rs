//! The span tree with the timeline beside it: a head (span count, minimap, time axis) over the
//! rows, which only exist in the page while in view.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::protocol::TraceOverview;
use crate::present::axis::{TimeWindow, ticks};
use crate::present::format;
use crate::ui::common::virtual_list::VirtualList;
use crate::ui::trace::minimap::Minimap;

/// Height of a tree row, px.
const ROW_HEIGHT: f64 = 26.0;

/// The waterfall's properties.
#[derive(Properties, PartialEq)]
pub(crate) struct WaterfallProps {
    /// The trace's view.
    pub trace: Rc<TraceOverview>,
    /// The timeline's window.
    pub window: TimeWindow,
    /// Draws visible row `i`.
    pub render: Callback<u32, Html>,
    /// Hears which rows are rendered.
    pub on_range: Callback<(u32, u32)>,
    /// A row to scroll into view (the second number makes equal requests differ).
    pub scroll_to: Option<(u32, u32)>,
    /// Keys on the tree.
    pub onkeydown: Callback<KeyboardEvent>,
    /// The wheel over the rows (zoom and pan).
    pub onwheel: Callback<WheelEvent>,
    /// A pick on the minimap: start and end fractions of the trace, and the row fraction.
    pub on_minimap: Callback<(f64, f64, f64)>,
}

/// See the module docs.
#[component]
pub(crate) fn Waterfall(props: &WaterfallProps) -> Html {
    let (trace, window) = (&props.trace, props.window);
    let ticks = ticks(&window, 6).into_iter().map(|t| {
        // Labels at the edges stay inside the axis.
        let edge = if t.percent < 4.0 {
            "start"
        } else if t.percent > 96.0 {
            "end"
        } else {
            ""
        };
        html! { <span class={classes!("tick", edge)} style={format!("left:{:.3}%", t.percent)}>{ t.label }</span> }
    });
    html! {
        <div class="waterfall">
            <div class="wf-head">
                <div class="tree-cell head">{ format!("{} spans", format::count(u64::from(trace.spans))) }</div>
                <div class="time-cell head">
                    <Minimap cells={Rc::new(trace.minimap.clone())} view={window} duration={trace.duration_nanos} on_pick={props.on_minimap.clone()} />
                    <div class="axis">{ for ticks }</div>
                </div>
            </div>
            <div class="wf-rows" onwheel={props.onwheel.clone()}>
                <VirtualList count={trace.visible_rows} row_height={ROW_HEIGHT} render={props.render.clone()}
                             on_range={props.on_range.clone()} scroll_to={props.scroll_to}
                             onkeydown={props.onkeydown.clone()} class="span-list" role="tree" />
            </div>
        </div>
    }
}
