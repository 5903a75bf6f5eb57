//! A trace: its figures, the span tree with the timeline beside it (rows aligned, both
//! virtualized), a minimap, search, the critical path, and the selected span's details.
//!
//! The engine keeps the view (collapsed rows, search, critical path); this page keeps what only
//! the screen cares about: the selection, the timeline's zoom window, which rows are fetched.

use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement, HtmlInputElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::analysis::flags;
use crate::engine::messages::{Problem, Query, Revealed};
use crate::engine::protocol::{
    MINIMAP_COLUMNS, MINIMAP_ROWS, RowView, SpanSelection, TraceOverview,
};
use crate::model::TokenKind;
use crate::present::axis::{TimeWindow, ticks};
use crate::present::format;
use crate::present::keys::{KeyAction, SelectedRow, key_action};
use crate::present::list::{FETCH_MARGIN, fetch_window};
use crate::present::route::{ProjectTab, Route};
use crate::ui::common::delete_button::DeleteButton;
use crate::ui::common::export_menu::ExportMenu;
use crate::ui::common::kind::{KindBadge, glyph};
use crate::ui::common::send_menu::SendMenu;
use crate::ui::common::virtual_list::VirtualList;
use crate::ui::query::{ProblemView, use_engine};
use crate::ui::route::Router;
use crate::ui::trace::flame_graph::FlameGraph;
use crate::ui::trace::meaning::logs;
use crate::ui::trace::span_details::SpanDetailsPanel;

/// Height of a tree row, px.
const ROW_HEIGHT: f64 = 26.0;
/// Deeper rows are indented no further (a number shows the depth).
const MAX_INDENT: u32 = 40;

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

/// The selected row.
#[derive(Clone, Copy, PartialEq)]
struct Selection {
    index: u32,
}

/// See the module docs.
#[component]
pub fn TracePage(props: &TracePageProps) -> Html {
    let engine = use_engine();
    let router = use_context::<Router>();
    let overview = use_state(|| None::<Rc<TraceOverview>>);
    // Why the engine did not answer, if it did not: shown instead of the trace.
    let problem = use_state(|| None::<Problem>);
    // Grows when a revealed span changed the engine's view, so rows are fetched again.
    let view_version = use_state(|| 0u32);
    // The rows fetched, `(first, count)`: those rendered and a margin each side.
    let fetch = use_state_eq(|| (0u32, 2 * FETCH_MARGIN));
    let rows = use_state(|| (0u32, Rc::new(Vec::<RowView>::new())));
    // `fetch` as of the last render, for answers that arrive later.
    let fetch_now = use_mut_ref(|| *fetch);
    *fetch_now.borrow_mut() = *fetch;
    let selection = use_state(|| None::<Selection>);
    let scroll_to = use_state(|| None::<(u32, u32)>);
    let zoom = use_state(|| None::<TimeWindow>);
    let details_open = use_state(|| true);
    // A span filter the table it was opened from carries in becomes its search.
    let search_text = use_state(|| props.search.as_deref().unwrap_or_default().to_owned());
    // The flame graph instead of the waterfall.
    let flame = use_state(|| false);
    let match_position = use_state(|| 0usize);
    let search_input = use_node_ref();

    // Changes the engine's view and shows the new one together with its rows, so that no row
    // is ever shown (or acted on by a key) with the old view's state.
    let act = {
        let (engine, overview, rows) = (engine.clone(), overview.clone(), rows.clone());
        let (trace_id, fetch_now) = (props.trace_id.to_string(), fetch_now.clone());
        let problem = problem.clone();
        Callback::from(move |query: Query<TraceOverview>| {
            let (engine, overview, rows) = (engine.clone(), overview.clone(), rows.clone());
            let (trace_id, fetch_now, problem) =
                (trace_id.clone(), fetch_now.clone(), problem.clone());
            spawn_local(async move {
                let Some(engine) = engine else {
                    return problem.set(Some(Problem::EngineStopped));
                };
                let (first, count) = *fetch_now.borrow();
                let answered = match engine.ask(query).await {
                    Ok(next) => engine
                        .ask(Query::rows(trace_id, first, count))
                        .await
                        .map(|fetched| (next, fetched)),
                    Err(failed) => Err(failed),
                };
                match answered {
                    Ok((next, fetched)) => {
                        rows.set((first, Rc::new(fetched)));
                        overview.set(Some(Rc::new(next)));
                        problem.set(None);
                    }
                    Err(failed) => problem.set(Some(failed)),
                }
            });
        })
    };

    // Open the trace (again when files were loaded).
    {
        let act = act.clone();
        let zoom = zoom.clone();
        let search = (*search_text).clone();
        use_effect_with(
            (props.trace_id.clone(), props.version),
            move |(trace_id, _)| {
                zoom.set(None);
                let trace_id = trace_id.to_string();
                act.emit(match search.is_empty() {
                    true => Query::open_trace(trace_id),
                    false => Query::search(trace_id, search),
                });
            },
        );
    }
    // Follow the URL's span: reveal it, select it, scroll to it.
    {
        let (engine, overview, view_version) =
            (engine.clone(), overview.clone(), view_version.clone());
        let (selection, scroll_to) = (selection.clone(), scroll_to.clone());
        let details_open = details_open.clone();
        let rows = rows.clone();
        use_effect_with(
            (props.trace_id.clone(), props.span_id.clone(), props.version),
            move |(trace_id, span_id, _)| {
                let Some(span_id) = span_id.clone() else {
                    return;
                };
                let selected_here = rows.1.iter().any(|r| {
                    r.span_id == span_id.as_str()
                        && Some(r.visible_index) == selection.map(|s| s.index)
                });
                if selected_here {
                    return;
                }
                let trace_id = trace_id.to_string();
                spawn_local(async move {
                    let Some(engine) = engine else { return };
                    let query = Query::reveal(trace_id, span_id.to_string());
                    if let Ok(Revealed {
                        trace,
                        visible_index,
                    }) = engine.ask(query).await
                    {
                        overview.set(Some(Rc::new(trace)));
                        view_version.set(*view_version + 1);
                        if let Some(index) = visible_index {
                            selection.set(Some(Selection { index }));
                            scroll_to.set(Some((index, scroll_to.map_or(0, |s| s.1 + 1))));
                            details_open.set(true);
                        }
                    }
                });
            },
        );
    }
    // Fetch the rows in view.
    {
        let (engine, rows) = (engine.clone(), rows.clone());
        use_effect_with(
            (props.trace_id.clone(), *fetch, *view_version),
            move |(trace_id, (first, count), _)| {
                let (trace_id, first, count) = (trace_id.to_string(), *first, *count);
                spawn_local(async move {
                    let Some(engine) = engine else { return };
                    if let Ok(fetched) =
                        engine.ask(Query::rows(trace_id, first, count.max(1))).await
                    {
                        rows.set((first, Rc::new(fetched)));
                    }
                });
            },
        );
    }
    // `/` focuses the search, from anywhere but a text field.
    {
        let search_input = search_input.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "keydown", move |event| {
                    let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if key.key() == "/" && !crate::ui::typing_into(event) {
                        key.prevent_default();
                        if let Some(input) = search_input.cast::<HtmlInputElement>() {
                            let _ = input.focus();
                        }
                    }
                })
            });
            move || drop(listener)
        });
    }

    if let Some(problem) = (*problem).clone() {
        return html! { <ProblemView {problem} /> };
    }
    let Some(trace) = (*overview).clone() else {
        return html! { <p class="muted">{"Opening the trace…"}</p> };
    };
    let view = (*zoom).unwrap_or_else(|| TimeWindow::whole(trace.duration_nanos));
    let (rows_first, rows_now) = (*rows).clone();
    let row_at = |index: u32| {
        index
            .checked_sub(rows_first)
            .and_then(|i| rows_now.get(i as usize))
    };

    // Selecting a row puts its span in the URL (without a history entry).
    let select = {
        let (selection, router, trace_id) =
            (selection.clone(), router.clone(), props.trace_id.clone());
        let search = search_text.clone();
        Callback::from(move |(index, span_id): (u32, Option<String>)| {
            selection.set(Some(Selection { index }));
            if let (Some(router), Some(span_id)) = (router.as_ref(), span_id) {
                router.replace(Route::Trace {
                    trace_id: trace_id.to_string(),
                    span_id: Some(span_id),
                    search: (!search.is_empty()).then(|| (*search).clone()),
                });
            }
        })
    };
    // When the selection moved by keyboard onto a row not fetched yet, name its span once it is.
    {
        let select = select.clone();
        let selected_span =
            selection.and_then(|s| row_at(s.index).map(|r| (s.index, r.span_id.clone())));
        let url_span = props.span_id.clone();
        use_effect_with(selected_span, move |selected| {
            if let Some((index, span)) = selected.clone()
                && url_span.as_deref() != Some(span.as_str())
            {
                select.emit((index, Some(span)));
            }
        });
    }

    let move_to = {
        let (select, scroll_to) = (select.clone(), scroll_to.clone());
        let total = trace.visible_rows;
        let rows_now = rows_now.clone();
        Callback::from(move |index: i64| {
            if total == 0 {
                return;
            }
            let index = index.clamp(0, i64::from(total) - 1) as u32;
            let span = index
                .checked_sub(rows_first)
                .and_then(|i| rows_now.get(i as usize))
                .map(|r| r.span_id.clone());
            select.emit((index, span));
            scroll_to.set(Some((index, scroll_to.map_or(0, |s| s.1 + 1))));
        })
    };
    let toggle_row = {
        let (act, trace_id) = (act.clone(), props.trace_id.clone());
        Callback::from(move |(row, expand): (u32, Option<bool>)| {
            act.emit(Query::toggle(trace_id.to_string(), row, expand));
        })
    };
    let onkeydown = {
        let (move_to, toggle_row, details_open) =
            (move_to.clone(), toggle_row.clone(), details_open.clone());
        let rows = trace.visible_rows;
        let selected = selection.map(|s| match row_at(s.index) {
            Some(row) => SelectedRow {
                index: s.index,
                row: row.row,
                parent_index: row.parent_index,
                children: row.children,
                collapsed: row.collapsed,
            },
            // Not fetched yet: a row that can only move.
            None => SelectedRow {
                index: s.index,
                row: s.index,
                parent_index: None,
                children: 0,
                collapsed: false,
            },
        });
        Callback::from(move |event: KeyboardEvent| {
            let Some(action) = key_action(&event.key(), selected, rows) else {
                return;
            };
            event.prevent_default();
            match action {
                KeyAction::Select(index) => move_to.emit(i64::from(index)),
                KeyAction::Expand(row, expand) => toggle_row.emit((row, Some(expand))),
                KeyAction::Details(open) => details_open.set(open),
                KeyAction::Nothing => {}
            }
        })
    };

    // Search: as you type (after a pause), Enter / Shift+Enter jump between matches.
    let run_search = {
        let (act, trace_id, match_position) =
            (act.clone(), props.trace_id.clone(), match_position.clone());
        Callback::from(move |text: String| {
            match_position.set(0);
            act.emit(Query::search(trace_id.to_string(), text));
        })
    };
    let pending_search = use_mut_ref(|| None::<Timeout>);
    let oninput = {
        let (search_text, run_search) = (search_text.clone(), run_search.clone());
        Callback::from(move |event: InputEvent| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let text = input.value();
            search_text.set(text.clone());
            let run_search = run_search.clone();
            *pending_search.borrow_mut() = Some(Timeout::new(250, move || run_search.emit(text)));
        })
    };
    let jump = {
        let (move_to, match_position) = (move_to.clone(), match_position.clone());
        let matches = trace.matches.clone();
        Callback::from(move |step: i64| {
            if matches.is_empty() {
                return;
            }
            let n = matches.len() as i64;
            let next = (*match_position as i64 + step).rem_euclid(n) as usize;
            match_position.set(next);
            move_to.emit(i64::from(matches[next]));
        })
    };
    let search_keys = {
        let (jump, run_search, search_text) =
            (jump.clone(), run_search.clone(), search_text.clone());
        let searched = trace.search.clone();
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            "Enter" if *search_text != searched => run_search.emit((*search_text).clone()),
            "Enter" => jump.emit(if event.shift_key() { -1 } else { 1 }),
            "Escape" => run_search.emit(String::new()),
            _ => {}
        })
    };

    // Timeline zoom: Ctrl/⌘ + wheel zooms around the pointer, Shift + wheel pans.
    let onwheel = {
        let zoom = zoom.clone();
        let duration = trace.duration_nanos;
        Callback::from(move |event: WheelEvent| {
            let current = (*zoom).unwrap_or_else(|| TimeWindow::whole(duration));
            let Some(target) = event
                .current_target()
                .and_then(|t| t.dyn_into::<HtmlElement>().ok())
            else {
                return;
            };
            let rect = target.get_bounding_client_rect();
            let fraction = ((f64::from(event.client_x()) - rect.left()) / rect.width().max(1.0))
                .clamp(0.0, 1.0);
            if event.ctrl_key() || event.meta_key() {
                event.prevent_default();
                let factor = if event.delta_y() > 0.0 { 1.25 } else { 0.8 };
                zoom.set(Some(current.zoomed(factor, fraction, duration)));
            } else if event.shift_key() {
                event.prevent_default();
                let delta = if event.delta_x() != 0.0 {
                    event.delta_x()
                } else {
                    event.delta_y()
                };
                zoom.set(Some(current.panned(delta / 1000.0, duration)));
            }
        })
    };
    let zoom_by = |factor: f64| {
        let zoom = zoom.clone();
        let duration = trace.duration_nanos;
        Callback::from(move |_: MouseEvent| {
            let current = (*zoom).unwrap_or_else(|| TimeWindow::whole(duration));
            zoom.set(Some(current.zoomed(factor, 0.5, duration)));
        })
    };
    let reset_zoom = {
        let zoom = zoom.clone();
        Callback::from(move |_: MouseEvent| zoom.set(None))
    };

    let render = {
        let (select, toggle_row, rows_now) = (select.clone(), toggle_row.clone(), rows_now.clone());
        let selected = selection.map(|s| s.index);
        Callback::from(move |index: u32| {
            match index
                .checked_sub(rows_first)
                .and_then(|i| rows_now.get(i as usize))
            {
                Some(row) => span_row(row, selected == Some(index), &view, &select, &toggle_row),
                None => html! { <div class="srow placeholder"></div> },
            }
        })
    };
    // Fetch again only when the rendered rows come near the edge of those fetched.
    let on_range = {
        let fetch = fetch.clone();
        let total = trace.visible_rows;
        Callback::from(move |rendered: (u32, u32)| {
            if let Some(window) = fetch_window(rendered, *fetch, total) {
                fetch.set(window);
            }
        })
    };
    let critical = {
        let (act, trace_id, on) = (act.clone(), props.trace_id.clone(), !trace.critical_path);
        Callback::from(move |_: MouseEvent| {
            act.emit(Query::critical_path(trace_id.to_string(), on))
        })
    };
    let expand_all = |expand: bool| {
        let (act, trace_id) = (act.clone(), props.trace_id.clone());
        Callback::from(move |_: MouseEvent| {
            act.emit(Query::toggle_all(trace_id.to_string(), expand))
        })
    };
    let on_minimap = {
        let zoom = zoom.clone();
        let (scroll_to, duration, visible_rows) =
            (scroll_to.clone(), trace.duration_nanos, trace.visible_rows);
        Callback::from(move |(start, end, row_fraction): (f64, f64, f64)| {
            let whole = TimeWindow::whole(duration);
            let (start, end) = (
                whole.nanos_from_fraction(start.min(end)),
                whole.nanos_from_fraction(start.max(end)),
            );
            if end - start > whole.width_nanos() / 200.0 {
                zoom.set(Some(TimeWindow {
                    start_nanos: start,
                    end_nanos: end,
                }));
            } else {
                let current = (*zoom).unwrap_or(whole);
                let half = current.width_nanos() / 2.0;
                zoom.set(Some(
                    TimeWindow {
                        start_nanos: start - half,
                        end_nanos: start + half,
                    }
                    .zoomed(1.0, 0.5, duration),
                ));
            }
            let row = (row_fraction * f64::from(visible_rows)) as u32;
            scroll_to.set(Some((row, scroll_to.map_or(0, |s| s.1 + 1))));
        })
    };
    let close_details = {
        let details_open = details_open.clone();
        Callback::from(move |()| details_open.set(false))
    };
    let selected_span = selection
        .and_then(|s| row_at(s.index).map(|r| r.span_id.clone()))
        .or_else(|| props.span_id.as_ref().map(ToString::to_string));
    let matches_label = if trace.search.is_empty() {
        String::new()
    } else if trace.matches.is_empty() {
        "no match".into()
    } else {
        format!(
            "{} of {}",
            (*match_position).min(trace.matches.len() - 1) + 1,
            trace.matches.len()
        )
    };
    // A search that reads as a span filter is one: say so.
    let matches_label = match trace.search_is_filter {
        true => format!("filter · {matches_label}"),
        false => matches_label,
    };
    let toggle_flame = {
        let flame = flame.clone();
        Callback::from(move |_: MouseEvent| flame.set(!*flame))
    };
    let on_flame_pick = {
        let (router, details_open) = (router.clone(), details_open.clone());
        let (trace_id, search) = (props.trace_id.to_string(), search_text.clone());
        Callback::from(move |span_id: String| {
            details_open.set(true);
            if let Some(router) = &router {
                router.replace(Route::Trace {
                    trace_id: trace_id.clone(),
                    span_id: Some(span_id),
                    search: (!search.is_empty()).then(|| (*search).clone()),
                });
            }
        })
    };
    html! {
        <section class="trace" data-trace-id={trace.trace_id.clone()}>
            { insight(&trace) }
            <div class="toolbar">
                <input ref={search_input} type="search" class="search" placeholder="Search spans (text, or a filter like span_kind == 'LLM') — press /"
                       value={(*search_text).clone()} {oninput} onkeydown={search_keys} aria-label="Search in the trace" data-testid="trace-search" />
                <span class="muted matches" data-testid="search-matches">{ matches_label }</span>
                <button class="button small" onclick={let j = jump.clone(); Callback::from(move |_: MouseEvent| j.emit(-1))} title="Previous match (Shift+Enter)">{"↑"}</button>
                <button class="button small" onclick={let j = jump.clone(); Callback::from(move |_: MouseEvent| j.emit(1))} title="Next match (Enter)">{"↓"}</button>
                <span class="gap"></span>
                <button class={classes!("button", "small", flame.then_some("active"))} onclick={toggle_flame}
                        aria-pressed={flame.to_string()} data-testid="flame-toggle">{"Flame graph"}</button>
                <button class={classes!("button", "small", trace.critical_path.then_some("active"))} onclick={critical}
                        aria-pressed={trace.critical_path.to_string()} data-testid="critical-path">{"Critical path"}</button>
                <button class="button small" onclick={expand_all(true)}>{"Expand all"}</button>
                <button class="button small" onclick={expand_all(false)}>{"Collapse all"}</button>
                <ExportMenu selection={SpanSelection::Traces(vec![props.trace_id.to_string()])} label="Export trace" />
                <SendMenu selection={SpanSelection::Traces(vec![props.trace_id.to_string()])} label="Send trace" />
                <DeleteButton selection={Some(SpanSelection::Traces(vec![props.trace_id.to_string()]))} label="Delete trace…"
                              question="Delete this trace, here and in this browser's storage?"
                              then={Route::Project { name: trace.project.clone(), tab: ProjectTab::Traces }} />
                <span class="gap"></span>
                <button class="button small" onclick={zoom_by(0.5)} title="Zoom in (Ctrl + wheel)">{"+"}</button>
                <button class="button small" onclick={zoom_by(2.0)} title="Zoom out">{"−"}</button>
                <button class="button small" onclick={reset_zoom}>{"Whole trace"}</button>
            </div>
            <div class={classes!("trace-body", (*details_open && selected_span.is_some()).then_some("with-details"))}>
                if *flame {
                    <FlameGraph trace_id={props.trace_id.clone()} version={props.version}
                                selected={selected_span.clone()} on_select={on_flame_pick} />
                } else {
                <div class="waterfall">
                    <div class="wf-head">
                        <div class="tree-cell head">{ format!("{} spans", format::count(u64::from(trace.spans))) }</div>
                        <div class="time-cell head">
                            <Minimap cells={Rc::new(trace.minimap.clone())} view={view} duration={trace.duration_nanos} on_pick={on_minimap} />
                            <div class="axis">
                                { for ticks(&view, 6).into_iter().map(|t| {
                                    // Labels at the edges stay inside the axis.
                                    let edge = if t.percent < 4.0 { "start" } else if t.percent > 96.0 { "end" } else { "" };
                                    html! { <span class={classes!("tick", edge)} style={format!("left:{:.3}%", t.percent)}>{ t.label }</span> }
                                }) }
                            </div>
                        </div>
                    </div>
                    <div class="wf-rows" {onwheel}>
                        <VirtualList count={trace.visible_rows} row_height={ROW_HEIGHT} {render} {on_range}
                                     scroll_to={*scroll_to} {onkeydown} class="span-list" role="tree" />
                    </div>
                </div>
                }
                if *details_open {
                    if let Some(span_id) = selected_span {
                        <SpanDetailsPanel trace_id={props.trace_id.clone()} span_id={span_id} version={props.version} on_close={close_details} />
                    }
                }
            </div>
        </section>
    }
}

/// One row: the tree cell (indent, twisty, kind, name, badges) and the timeline cell (its bar).
fn span_row(
    row: &RowView,
    selected: bool,
    view: &TimeWindow,
    select: &Callback<(u32, Option<String>)>,
    toggle: &Callback<(u32, Option<bool>)>,
) -> Html {
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
    let left = view.percent_from_nanos(start);
    let width = (view.percent_from_nanos(end) - left).max(0.15);
    let mut notes = Vec::new();
    if row.flags & flags::PARENT_MISSING != 0 {
        notes.push("its parent is not loaded");
    }
    if row.flags & flags::OUTSIDE_PARENT != 0 {
        notes.push("it starts before or ends after its parent (clock skew)");
    }
    if row.flags & flags::CYCLE_CUT != 0 {
        notes.push("its parents loop back to it; the loop was cut here");
    }
    if unfinished {
        notes.push("it never ended");
    }
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
                    let l = view.percent_from_nanos(*a as f64);
                    let w = (view.percent_from_nanos(*b as f64) - l).max(0.1);
                    html! { <div class="critical" style={format!("left:{l:.4}%;width:{w:.4}%")}></div> }
                }) }
            </div>
        </div>
    }
}

/// The trace's figures: duration, spans, errors, tokens, time by kind, anomalies.
fn insight(trace: &TraceOverview) -> Html {
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

/// The minimap's properties.
#[derive(Properties, PartialEq)]
struct MinimapProps {
    cells: Rc<Vec<u16>>,
    view: TimeWindow,
    duration: u64,
    /// A pick: (start fraction, end fraction, row fraction).
    on_pick: Callback<(f64, f64, f64)>,
}

/// The whole trace in small (spans per band of rows and stretch of time), with the zoom window.
/// Click to center there, drag to zoom to a stretch.
#[component]
fn Minimap(props: &MinimapProps) -> Html {
    let canvas = use_node_ref();
    let drag = use_mut_ref(|| None::<(f64, f64)>);
    {
        let canvas = canvas.clone();
        use_effect_with(props.cells.clone(), move |cells| draw(&canvas, cells));
    }
    let fraction = |event: &MouseEvent| {
        let Some(target) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlElement>().ok())
        else {
            return (0.0, 0.0);
        };
        let rect = target.get_bounding_client_rect();
        (
            ((f64::from(event.client_x()) - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0),
            ((f64::from(event.client_y()) - rect.top()) / rect.height().max(1.0)).clamp(0.0, 1.0),
        )
    };
    let onmousedown = {
        let drag = drag.clone();
        Callback::from(move |event: MouseEvent| *drag.borrow_mut() = Some(fraction(&event)))
    };
    let onmouseup = {
        let (drag, on_pick) = (drag.clone(), props.on_pick.clone());
        Callback::from(move |event: MouseEvent| {
            if let Some((x0, y0)) = drag.borrow_mut().take() {
                let (x1, _) = fraction(&event);
                on_pick.emit((x0, x1, y0));
            }
        })
    };
    let whole = TimeWindow::whole(props.duration);
    let left = whole.percent_from_nanos(props.view.start_nanos);
    let width = whole.percent_from_nanos(props.view.end_nanos) - left;
    html! {
        <div class="minimap" title="The whole trace: click to go there, drag to zoom to a stretch">
            <canvas ref={canvas} width={MINIMAP_COLUMNS.to_string()} height={MINIMAP_ROWS.to_string()} {onmousedown} {onmouseup}></canvas>
            <div class="window" style={format!("left:{left:.3}%;width:{width:.3}%")}></div>
        </div>
    }
}

fn draw(canvas: &NodeRef, cells: &[u16]) {
    let Some(canvas) = canvas.cast::<HtmlCanvasElement>() else {
        return;
    };
    let Ok(Some(context)) = canvas.get_context("2d") else {
        return;
    };
    let Ok(context) = context.dyn_into::<web_sys::CanvasRenderingContext2d>() else {
        return;
    };
    let max = cells.iter().map(|c| c & 0x7fff).max().unwrap_or(1).max(1) as f64;
    let mut pixels = vec![0u8; MINIMAP_ROWS * MINIMAP_COLUMNS * 4];
    for (i, &cell) in cells.iter().enumerate() {
        let count = (cell & 0x7fff) as f64;
        if count == 0.0 {
            continue;
        }
        let alpha = (60.0 + 195.0 * (count.ln_1p() / max.ln_1p())) as u8;
        let (r, g, b) = if cell & 0x8000 != 0 {
            (220, 60, 60)
        } else {
            (80, 130, 220)
        };
        pixels[i * 4..i * 4 + 4].copy_from_slice(&[r, g, b, alpha]);
    }
    let data = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        wasm_bindgen::Clamped(&pixels),
        MINIMAP_COLUMNS as u32,
        MINIMAP_ROWS as u32,
    );
    if let Ok(data) = data {
        let _ = context.put_image_data(&data, 0.0, 0.0);
    }
}
