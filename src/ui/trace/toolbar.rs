//! The trace's toolbar: search, the flame graph, the critical path, expand and collapse all,
//! export, send and delete, and the zoom buttons.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::{SpanSelection, TraceOverview};
use crate::present::route::Route;
use crate::ui::common::delete_button::DeleteButton;
use crate::ui::common::export_menu::ExportMenu;
use crate::ui::common::menu::place_items;
use crate::ui::common::send_menu::SendMenu;
use crate::ui::trace::search::SearchBox;
use crate::ui::trace::zoom::Zoom;

/// The toolbar's properties.
#[derive(Properties, PartialEq)]
pub(crate) struct ToolbarProps {
    /// The trace's view.
    pub trace: Rc<TraceOverview>,
    /// Its hex id.
    pub trace_id: AttrValue,
    /// The search box's text.
    pub search: UseStateHandle<String>,
    /// Hears a search to run, and whether it is words even if it looks like a filter.
    pub on_search: Callback<(String, bool)>,
    /// Hears a match to go to.
    pub on_jump: Callback<u32>,
    /// Whether the flame graph shows instead of the waterfall.
    pub flame: UseStateHandle<bool>,
    /// Whether the agent graph shows.
    pub graph: UseStateHandle<bool>,
    /// Changes the engine's view of the trace.
    pub act: Callback<Query<TraceOverview>>,
    /// The timeline's zoom.
    pub zoom: Zoom,
}

/// See the module docs.
#[component]
pub(crate) fn Toolbar(props: &ToolbarProps) -> Html {
    let trace = &props.trace;
    let view = |query: fn(String, bool) -> Query<TraceOverview>, on: bool| {
        let (act, trace_id) = (props.act.clone(), props.trace_id.clone());
        Callback::from(move |_: MouseEvent| act.emit(query(trace_id.to_string(), on)))
    };
    let flame = &props.flame;
    let toggle_flame = {
        let flame = flame.clone();
        Callback::from(move |_: MouseEvent| flame.set(!*flame))
    };
    let graph = &props.graph;
    let toggle_graph = {
        let graph = graph.clone();
        Callback::from(move |_: MouseEvent| graph.set(!*graph))
    };
    let this_trace = SpanSelection::Traces(vec![props.trace_id.to_string()]);
    let actions = html! {
        <>
            <button class="button small" onclick={view(Query::toggle_all, true)}>{"Expand all"}</button>
            <button class="button small" onclick={view(Query::toggle_all, false)}>{"Collapse all"}</button>
            <ExportMenu selection={this_trace.clone()} label="Export trace" />
            <SendMenu selection={this_trace.clone()} label="Send trace" />
            <DeleteButton selection={Some(this_trace)} label="Delete trace…"
                          question="Delete this trace, here and in this browser's storage?"
                          then={Route::project(&trace.project)} />
        </>
    };
    let (zoom, duration) = (&props.zoom, trace.duration_nanos);
    let whole = {
        let zoom = zoom.clone();
        Callback::from(move |_: MouseEvent| zoom.reset())
    };
    html! {
        <div class="toolbar">
            <SearchBox text={props.search.clone()} trace={trace.clone()} on_search={props.on_search.clone()} on_jump={props.on_jump.clone()} />
            <span class="gap"></span>
            <button class={classes!("button", "small", flame.then_some("active"))} onclick={toggle_flame}
                    aria-pressed={flame.to_string()} data-testid="flame-toggle">{"Flame graph"}</button>
            <button class={classes!("button", "small", graph.then_some("active"))} onclick={toggle_graph}
                    aria-pressed={graph.to_string()} data-testid="agent-graph-toggle">{"Agent graph"}</button>
            <button class={classes!("button", "small", trace.critical_path.then_some("active"))}
                    onclick={view(Query::critical_path, !trace.critical_path)}
                    aria-pressed={trace.critical_path.to_string()} data-testid="critical-path">{"Critical path"}</button>
            // The less used actions: inline where there is room, else in a menu (CSS decides).
            <span class="wide">{ actions.clone() }</span>
            <details class="menu more" data-testid="toolbar-more" ontoggle={place_items}>
                <summary class="button small">{"More ▾"}</summary>
                <div class="menu-items">{ actions }</div>
            </details>
            <span class="gap"></span>
            <button class="button small" onclick={zoom.by(0.5, duration)} title="Zoom in (Ctrl + wheel)">{"+"}</button>
            <button class="button small" onclick={zoom.by(2.0, duration)} title="Zoom out">{"−"}</button>
            <button class="button small" onclick={whole}>{"Whole trace"}</button>
        </div>
    }
}
