//! A trace: its figures, the span tree with the timeline beside it (rows aligned, both
//! virtualized), a minimap, search, the critical path, and the selected span's details.
//!
//! The engine keeps the view (collapsed rows, search, critical path); this page keeps what only
//! the screen cares about: the selection, the timeline's zoom window, which rows are fetched.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::{SpanSelection, TraceOverview};
use crate::ui::query::ProblemView;
use crate::ui::trace::agent_graph::AgentGraphView;
use crate::ui::trace::flame_graph::FlameGraph;
use crate::ui::trace::insight::{ErrorsNotice, insight};
use crate::ui::trace::place::{
    Place, select, show_details, tree_keys, use_anchor_selection, use_follow_url_span,
    use_name_selected_span, use_open_trace, use_place, use_show_span,
};
use crate::ui::trace::row::SpanRow;
use crate::ui::trace::span_details::SpanDetailsPanel;
use crate::ui::trace::toolbar::Toolbar;
use crate::ui::trace::view::{TraceView, use_trace_view};
use crate::ui::trace::waterfall::Waterfall;
use crate::ui::trace::zoom::{Zoom, use_zoom};

/// The page's properties.
#[derive(Properties, PartialEq)]
pub struct TracePageProps {
    /// Hex trace id.
    pub trace_id: AttrValue,
    /// The selected span, from the URL.
    pub span_id: Option<AttrValue>,
    /// What to search the trace for as it opens (a table's span filter, carried in the URL).
    #[prop_or_default]
    pub search: Option<AttrValue>,
    /// The loads version.
    pub version: u32,
}

/// See the module docs.
#[component]
pub fn TracePage(props: &TracePageProps) -> Html {
    let view = use_trace_view(props.trace_id.clone());
    let place = use_place(props.span_id.as_ref());
    let zoom = use_zoom();
    // A span filter the table it was opened from carries in becomes its search.
    let search = use_state(|| props.search.as_deref().unwrap_or_default().to_owned());
    // The flame graph instead of the waterfall; the agent graph above it.
    let flame = use_state(|| false);
    let graph = use_state(|| false);
    let reset_zoom = {
        let zoom = zoom.clone();
        Callback::from(move |()| zoom.reset())
    };
    let trace_id = props.trace_id.clone();
    use_open_trace(
        trace_id.clone(),
        props.version,
        (*search).clone(),
        view.act.clone(),
        reset_zoom,
    );
    use_follow_url_span(
        trace_id.clone(),
        props.span_id.clone(),
        props.version,
        &view,
        &place,
    );
    let show_span = use_show_span(trace_id.clone(), search.clone());
    let select = select(&place, &show_span);
    let details = show_details(&place, &show_span);
    use_anchor_selection(&view, &place, props.version);
    use_name_selected_span(&view, &place, props.span_id.clone(), show_span.clone());

    if let Some(problem) = view.problem.clone() {
        return html! { <ProblemView {problem} /> };
    }
    let Some(trace) = view.overview.clone() else {
        return html! { <p class="muted">{"Opening the trace…"}</p> };
    };
    let selected_span = place
        .selected
        .and_then(|index| view.row(index).map(|r| r.span_id.clone()))
        .or_else(|| props.span_id.as_ref().map(ToString::to_string));
    let on_search = searcher(&view, &trace_id);
    // A graph node's spans become the search, shown in its box.
    let mark = {
        let (search, on_search) = (search.clone(), on_search.clone());
        Callback::from(move |filter: String| {
            search.set(filter.clone());
            on_search.emit((filter, false));
        })
    };
    let on_jump = move_to(&view, &place, &trace, &select).reform(i64::from);
    // Picking a span by mouse (a flame box, the first error) shows its details.
    let pick = {
        let details_open = place.details_open.clone();
        show_span.reform(move |span_id: String| {
            details_open.set(true);
            Some(span_id)
        })
    };
    let close_details = details.reform(|()| false);
    html! {
        <section class="trace" data-trace-id={trace.trace_id.clone()}>
            { insight(&trace) }
            if let Some(problem) = (*place.span_problem).clone() {
                <ProblemView {problem} />
            }
            <ErrorsNotice trace={trace.clone()} on_pick={pick.clone()} />
            <Toolbar trace={trace.clone()} trace_id={trace_id.clone()} search={search.clone()}
                     {on_search} {on_jump} flame={flame.clone()} graph={graph.clone()} act={view.act.clone()} zoom={zoom.clone()} />
            if *graph {
                <AgentGraphView selection={SpanSelection::Traces(vec![trace_id.to_string()])} version={props.version} on_mark={Some(mark)} />
            }
            <div class={classes!("trace-body", (*place.details_open && selected_span.is_some()).then_some("with-details"))}>
                if *flame {
                    <FlameGraph trace_id={trace_id.clone()} version={props.version}
                                selected={selected_span.clone()} on_select={pick} />
                } else {
                    { waterfall(&view, &place, &zoom, &trace, (&select, &details), &trace_id) }
                }
                if *place.details_open {
                    if let Some(span_id) = selected_span {
                        <SpanDetailsPanel {trace_id} {span_id} version={props.version} on_close={close_details} />
                    }
                }
            </div>
        </section>
    }
}

/// Runs a search (words even if they look like a filter, when asked) in the trace's view.
fn searcher(view: &TraceView, trace_id: &AttrValue) -> Callback<(String, bool)> {
    let (act, trace_id) = (view.act.clone(), trace_id.clone());
    Callback::from(move |(text, as_text): (String, bool)| {
        act.emit(Query::search(trace_id.to_string(), text, as_text))
    })
}

/// Selects visible row `index` (clamped to the rows there are) and scrolls to it.
fn move_to(
    view: &TraceView,
    place: &Place,
    trace: &TraceOverview,
    select: &Callback<(u32, Option<String>)>,
) -> Callback<i64> {
    let (view, place, select) = (view.clone(), place.clone(), select.clone());
    let total = trace.visible_rows;
    Callback::from(move |index: i64| {
        if total == 0 {
            return;
        }
        let index = index.clamp(0, i64::from(total) - 1) as u32;
        let span = view.row(index).map(|r| r.span_id.clone());
        select.emit((index, span));
        place.scroll(index);
    })
}

/// The span tree and timeline, its rows, keys, wheel and minimap wired to the page.
fn waterfall(
    view: &TraceView,
    place: &Place,
    zoom: &Zoom,
    trace: &std::rc::Rc<TraceOverview>,
    (select, details): (&Callback<(u32, Option<String>)>, &Callback<bool>),
    trace_id: &AttrValue,
) -> Html {
    let window = zoom.window(trace.duration_nanos);
    let toggle_row = {
        let (act, trace_id) = (view.act.clone(), trace_id.clone());
        Callback::from(move |(row, expand): (u32, Option<bool>)| {
            act.emit(Query::toggle(trace_id.to_string(), row, expand));
        })
    };
    let moves = move_to(view, place, trace, select);
    let onkeydown = tree_keys(
        view,
        place,
        trace.visible_rows,
        moves,
        toggle_row.clone(),
        details.clone(),
    );
    // A row clicked shows its details.
    let click = {
        let (select, details_open) = (select.clone(), place.details_open.clone());
        Callback::from(move |picked: (u32, Option<String>)| {
            details_open.set(true);
            select.emit(picked);
        })
    };
    let render = {
        let (select, fetched, selected) = (click, view.clone(), *place.selected);
        Callback::from(move |index: u32| match fetched.row(index) {
            Some(row) => html! {
                <SpanRow row={row.clone()} selected={selected == Some(index)}
                         view={window} select={select.clone()} toggle={toggle_row.clone()} />
            },
            None => html! { <div class="srow placeholder"></div> },
        })
    };
    let on_minimap = {
        let (zoom, place) = (zoom.clone(), place.clone());
        let (duration, rows) = (trace.duration_nanos, trace.visible_rows);
        Callback::from(move |(start, end, row_fraction): (f64, f64, f64)| {
            zoom.pick(start, end, duration);
            place.scroll((row_fraction * f64::from(rows)) as u32);
        })
    };
    html! {
        <Waterfall trace={trace.clone()} {window} {render} on_range={view.on_range.clone()}
                   scroll_to={*place.scroll_to} {onkeydown} onwheel={zoom.onwheel(trace.duration_nanos)} {on_minimap} />
    }
}
