//! The traces (or spans) table: its view (filters and order) lives in the route, its rows are
//! fetched a window at a time as the list scrolls, and traces can be ticked for export,
//! sending, deleting or comparing.

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::prelude::*;

use crate::engine::messages::{Problem, Query};
use crate::engine::protocol::{TraceQuery, TraceTableRows};
use crate::present::columns::{Column, Columns};
use crate::present::format;
use crate::present::route::{ProjectTab, Route};
use crate::present::table::TableView;
use crate::ui::common::virtual_list::VirtualList;
use crate::ui::project::columns::{ColumnChooser, use_columns};
use crate::ui::project::filter_bar::FilterBar;
use crate::ui::project::table_filters::TableFilters;
use crate::ui::project::table_row::{Tick, TraceTableRow};
use crate::ui::query::{ProblemView, use_query_for};
use crate::ui::route::Router;

/// Height of a table row, px.
const ROW_HEIGHT: f64 = 30.0;

/// The table's properties.
#[derive(Properties, PartialEq)]
pub struct TracesTableProps {
    /// Project name.
    pub project: AttrValue,
    /// One row per span rather than per trace.
    pub all_spans: bool,
    /// The filters and order, from the route.
    pub view: TableView,
    /// The loads version.
    pub version: u32,
}

/// See the module docs.
#[component]
pub fn TracesTable(props: &TracesTableProps) -> Html {
    let on_view = use_view_setter(&props.project, props.all_spans);
    let matching = props.view.query(&props.project, props.all_spans);
    let rows = use_table_rows(matching.clone(), props.version);
    let ticked = use_ticked((props.project.clone(), props.all_spans, props.version));
    let (columns, on_columns) = use_columns();
    let render = {
        let (rows, ticked, columns) = (rows.clone(), ticked.clone(), columns.clone());
        let (all_spans, span_filter) =
            (props.all_spans, AttrValue::from(props.view.filter.clone()));
        Callback::from(move |index: u32| {
            let row = index
                .checked_sub(rows.first)
                .and_then(|i| rows.page.rows.get(i as usize));
            let Some(row) = row else {
                return html! { <div class="trow placeholder"></div> };
            };
            let tick = (!all_spans).then(|| Tick {
                on: ticked.contains(&row.trace_id),
                changed: ticked.toggle.clone(),
            });
            html! { <TraceTableRow row={row.clone()} {tick} span_filter={span_filter.clone()} columns={columns.clone()} /> }
        })
    };
    // The bar holds a filter that does not read: the rows are the last good filter's.
    let stale = use_state_eq(|| false);
    let on_mistake = {
        let stale = stale.clone();
        Callback::from(move |wrong: bool| stale.set(wrong))
    };
    let on_filter = {
        let (view, on_view) = (props.view.clone(), on_view.clone());
        Callback::from(move |filter: String| {
            on_view.emit(TableView {
                filter,
                ..view.clone()
            })
        })
    };
    html! {
        <div class="table-view">
            <TableFilters view={props.view.clone()} on_view={on_view.clone()} total={rows.page.total}
                          {matching} ticked={ticked.ids.clone()} on_untick={ticked.clear.clone()} />
            <FilterBar applied={AttrValue::from(props.view.filter.clone())} on_apply={on_filter} {on_mistake} />
            if *stale {
                <p class="notice" data-testid="table-stale">{ match props.view.filter.is_empty() {
                    true => "The rows below are unfiltered: the filter above does not read.".to_owned(),
                    false => format!("The rows below are for the last filter that read: {}", props.view.filter),
                } }</p>
            }
            <div class="table-tools">
                <ColumnChooser columns={columns.clone()} on_choose={on_columns} />
            </div>
            <TableHead view={props.view.clone()} on_view={on_view.clone()} {columns} />
            if let Some(problem) = rows.problem.clone() {
                <ProblemView {problem} />
            }
            if rows.answered { <EmptyTable page={rows.page.clone()} view={props.view.clone()} project={props.project.clone()} /> }
            <VirtualList count={rows.page.total} row_height={ROW_HEIGHT} {render} on_range={rows.on_range.clone()}
                         class={classes!("table-body", stale.then_some("stale"))} role="grid" />
        </div>
    }
}

/// A callback that puts a changed view in the route (without a history entry: Back leaves the
/// table, it does not undo a filter).
#[hook]
fn use_view_setter(project: &AttrValue, all_spans: bool) -> Callback<TableView> {
    let router = use_context::<Router>();
    let project = project.to_string();
    let tab = match all_spans {
        true => ProjectTab::Spans,
        false => ProjectTab::Traces,
    };
    Callback::from(move |view: TableView| {
        if let Some(router) = &router {
            router.replace(Route::Project {
                name: project.clone(),
                tab,
                view,
            });
        }
    })
}

/// The rows fetched for the list's window: the last page answered stays shown while the next
/// is asked for, so scrolling never flashes.
#[derive(Clone, PartialEq)]
struct TableRows {
    /// The first row of `page`.
    first: u32,
    page: Rc<TraceTableRows>,
    /// The engine answered with `page` (else it is empty while waiting).
    answered: bool,
    problem: Option<Problem>,
    /// Hears the list's window.
    on_range: Callback<(u32, u32)>,
}

#[hook]
fn use_table_rows(matching: TraceQuery, version: u32) -> TableRows {
    let range = use_state(|| (0u32, 60u32));
    let answer = use_query_for((matching, *range, version), |(matching, range, _)| {
        Query::traces(TraceQuery {
            first: range.0,
            count: range.1.max(1),
            ..matching.clone()
        })
    });
    let on_range = Callback::from(move |window: (u32, u32)| range.set(window));
    let empty = || {
        Rc::new(TraceTableRows {
            total: 0,
            spans_matching: None,
            rows: Vec::new(),
        })
    };
    let (first, page, answered, problem) = match answer {
        Some(((_, range, _), Ok(page))) => (range.0, page, true, None),
        Some((_, Err(problem))) => (0, empty(), false, Some(problem)),
        None => (0, empty(), false, None),
    };
    TableRows {
        first,
        page,
        answered,
        problem,
        on_range,
    }
}

/// The traces ticked (by id), and ways to tick one and to untick all; a change of project,
/// mode or loads unticks all.
#[derive(Clone, PartialEq)]
struct Ticked {
    ids: Rc<BTreeSet<String>>,
    toggle: Callback<(String, bool)>,
    clear: Callback<()>,
}

impl Ticked {
    fn contains(&self, trace_id: &str) -> bool {
        self.ids.contains(trace_id)
    }
}

#[hook]
fn use_ticked(scope: (AttrValue, bool, u32)) -> Ticked {
    let ids = use_state(|| Rc::new(BTreeSet::<String>::new()));
    {
        let ids = ids.clone();
        use_effect_with(scope, move |_| ids.set(Rc::default()));
    }
    let toggle = {
        let ids = ids.clone();
        Callback::from(move |(trace_id, on): (String, bool)| {
            let mut next = (**ids).clone();
            match on {
                true => next.insert(trace_id),
                false => next.remove(&trace_id),
            };
            ids.set(Rc::new(next));
        })
    };
    let clear = {
        let ids = ids.clone();
        Callback::from(move |()| ids.set(Rc::default()))
    };
    Ticked {
        ids: (*ids).clone(),
        toggle,
        clear,
    }
}

/// The head's properties.
#[derive(Properties, PartialEq)]
struct TableHeadProps {
    view: TableView,
    on_view: Callback<TableView>,
    columns: Columns,
}

/// The column heads; a sortable one sorts on a click.
#[component]
fn TableHead(props: &TableHeadProps) -> Html {
    let head = |column: Column| {
        let class = classes!(
            "th",
            format!("col-{}", column.key()),
            column.numeric().then_some("num")
        );
        let Some(key) = column.sort() else {
            return html! { <span {class}>{ column.label() }</span> };
        };
        let active = props.view.sort == key;
        let arrow = match (active, props.view.descending) {
            (true, true) => " ↓",
            (true, false) => " ↑",
            _ => "",
        };
        let (sorted, on_view) = (props.view.sorted_by(key), props.on_view.clone());
        let onclick = Callback::from(move |_: MouseEvent| on_view.emit(sorted.clone()));
        html! {
            <button class={classes!(class, active.then_some("sorted"))} {onclick}>
                { format!("{}{arrow}", column.label()) }
            </button>
        }
    };
    html! {
        <div class="thead trow">{ for props.columns.shown().iter().map(|&c| head(c)) }</div>
    }
}
/// The empty table's properties.
#[derive(Properties, PartialEq)]
struct EmptyTableProps {
    page: Rc<TraceTableRows>,
    view: TableView,
    project: AttrValue,
}

/// An empty table says why: nothing matches, or a span filter that passes no root span (it
/// points to the spans it matches).
#[component]
fn EmptyTable(props: &EmptyTableProps) -> Html {
    if props.page.total > 0 {
        return html! {};
    }
    let text = match props.page.spans_matching {
        Some(0) | None => {
            return html! { <p class="muted empty-table" data-testid="table-empty">{"Nothing here matches."}</p> };
        }
        Some(n) => format!(
            "No root span matches; {} match",
            format::counted(n.into(), "span", "spans")
        ),
    };
    let href = Route::Project {
        name: props.project.to_string(),
        tab: ProjectTab::Spans,
        view: props.view.clone(),
    }
    .to_fragment();
    html! {
        <p class="notice empty-table" data-testid="table-empty">
            { text }{" in "}<a {href} data-testid="to-all-spans">{"All spans →"}</a>
        </p>
    }
}
