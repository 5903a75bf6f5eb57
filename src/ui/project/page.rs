//! A project: its traces (or spans) as a sortable, filterable, virtualized table, and its sessions.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::{
    EvaluationView, SortKey, SpanSelection, TraceQuery, TraceRow, TraceTableRows,
};
use crate::model::{OiKind, parse_rfc3339_nanos};
use crate::present::format;
use crate::present::route::{ProjectTab, Route};
use crate::ui::common::delete_button::DeleteButton;
use crate::ui::common::export_menu::ExportMenu;
use crate::ui::common::kind::KindBadge;
use crate::ui::common::send_menu::SendMenu;
use crate::ui::common::virtual_list::VirtualList;
use crate::ui::project::filter_bar::FilterBar;
use crate::ui::project::stats::StatsTab;
use crate::ui::query::{ProblemView, shown, use_query};
use crate::ui::route::Router;

/// Height of a table row, px.
const ROW_HEIGHT: f64 = 30.0;

/// The page's properties.
#[derive(Properties, PartialEq)]
pub struct ProjectPageProps {
    /// Project name.
    pub name: AttrValue,
    /// Which table.
    pub tab: ProjectTab,
    /// The loads version.
    pub version: u32,
}

/// See the module docs.
#[component]
pub fn ProjectPage(props: &ProjectPageProps) -> Html {
    let tab = |tab: ProjectTab, label: &str| {
        let href = Route::Project {
            name: props.name.to_string(),
            tab,
        }
        .to_fragment();
        html! { <a class={classes!("tab", (props.tab == tab).then_some("active"))} {href}>{ label.to_owned() }</a> }
    };
    html! {
        <section class="project">
            <div class="page-head">
                <h1>{ props.name.clone() }</h1>
                <nav class="tabs">
                    { tab(ProjectTab::Traces, "Traces") }
                    { tab(ProjectTab::Spans, "All spans") }
                    { tab(ProjectTab::Sessions, "Sessions") }
                    { tab(ProjectTab::Stats, "Stats") }
                </nav>
            </div>
            {
                match props.tab {
                    ProjectTab::Traces | ProjectTab::Spans => html! {
                        <TracesTable project={props.name.clone()} all_spans={props.tab == ProjectTab::Spans} version={props.version} />
                    },
                    ProjectTab::Sessions => html! { <SessionsList project={props.name.clone()} version={props.version} /> },
                    ProjectTab::Stats => html! { <StatsTab project={props.name.clone()} version={props.version} /> },
                }
            }
        </section>
    }
}

/// The table's properties.
#[derive(Properties, PartialEq)]
pub struct TracesTableProps {
    /// Project name.
    pub project: AttrValue,
    /// One row per span rather than per trace.
    pub all_spans: bool,
    /// The loads version.
    pub version: u32,
}

/// The filters and sort order (a [`TraceQuery`] without its page).
#[derive(Clone, Default, PartialEq)]
struct Filters {
    text: String,
    /// A span filter expression that reads ("" for none).
    filter: String,
    status: Option<String>,
    kind: Option<String>,
    since: Option<u64>,
    until: Option<u64>,
    sort: SortKey,
    descending: bool,
}

impl Filters {
    /// The query for every row these filters let through.
    fn query(&self, project: &str, all_spans: bool) -> TraceQuery {
        TraceQuery {
            project: project.to_owned(),
            text: self.text.clone(),
            filter: self.filter.clone(),
            status: self.status.clone(),
            kind: self.kind.clone(),
            since_nanos: self.since,
            until_nanos: self.until,
            all_spans,
            sort: self.sort,
            descending: self.descending,
            first: 0,
            count: 0,
        }
    }
}

thread_local! {
    /// Each table's filters, by (project, all spans), so Back from a trace finds them as left.
    static TABLES: RefCell<HashMap<(String, bool), Filters>> = RefCell::new(HashMap::new());
}

/// Reads a `datetime-local` value as UTC.
fn time_input(value: &str) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    parse_rfc3339_nanos(&format!("{value}:00Z"))
        .or_else(|| parse_rfc3339_nanos(&format!("{value}Z")))
}

/// Traces (or spans) of a project.
#[component]
pub fn TracesTable(props: &TracesTableProps) -> Html {
    let router = use_context::<Router>();
    let table = (props.project.to_string(), props.all_spans);
    let filters = use_state(|| {
        TABLES
            .with(|t| t.borrow().get(&table).cloned())
            .unwrap_or(Filters {
                descending: true,
                ..Filters::default()
            })
    });
    {
        // Remembered as they change, for Back from a trace.
        let table = table.clone();
        use_effect_with((*filters).clone(), move |filters| {
            TABLES.with(|t| t.borrow_mut().insert(table, filters.clone()));
        });
    }
    let range = use_state(|| (0u32, 60u32));
    // Traces ticked for export, sending or deleting (trace mode only), by id.
    let selected = use_state(BTreeSet::<String>::new);
    {
        let selected = selected.clone();
        use_effect_with(
            (props.project.clone(), props.all_spans, props.version),
            move |_| selected.set(BTreeSet::new()),
        );
    }
    let deps = (
        (*filters).clone(),
        *range,
        props.project.clone(),
        props.all_spans,
        props.version,
    );
    let answer = use_query(deps, |(filters, range, project, all_spans, _)| {
        Query::traces(TraceQuery {
            first: range.0,
            count: range.1.max(1),
            ..filters.query(project, *all_spans)
        })
    });
    let matching = filters.query(&props.project, props.all_spans);
    // Keep the last page while the next one is asked for, so scrolling never flashes.
    let page = use_mut_ref(|| {
        (
            0u32,
            Rc::new(TraceTableRows {
                total: 0,
                rows: Vec::new(),
            }),
        )
    });
    let problem = match answer {
        Some(Ok(answer)) => {
            *page.borrow_mut() = (range.0, answer);
            None
        }
        Some(Err(problem)) => Some(problem),
        None => None,
    };
    let (first, current) = page.borrow().clone();

    let update = |change: fn(&mut Filters, String)| {
        let filters = filters.clone();
        Callback::from(move |event: Event| {
            let value = event
                .target_dyn_into::<HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|| {
                    event
                        .target_dyn_into::<HtmlSelectElement>()
                        .map(|s| s.value())
                })
                .unwrap_or_default();
            let mut next = (*filters).clone();
            change(&mut next, value);
            filters.set(next);
        })
    };
    let on_text = {
        let filters = filters.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                filters.set(Filters {
                    text: input.value(),
                    ..(*filters).clone()
                });
            }
        })
    };
    let on_filter = {
        let filters = filters.clone();
        Callback::from(move |filter: String| {
            filters.set(Filters {
                filter,
                ..(*filters).clone()
            });
        })
    };
    let sort_by = |key: SortKey, label: &str, numeric: bool| {
        let filters = filters.clone();
        let active = filters.sort == key;
        let arrow = match (active, filters.descending) {
            (true, true) => " ↓",
            (true, false) => " ↑",
            _ => "",
        };
        let onclick = Callback::from(move |_: MouseEvent| {
            let descending = if filters.sort == key {
                !filters.descending
            } else {
                true
            };
            filters.set(Filters {
                sort: key,
                descending,
                ..(*filters).clone()
            });
        });
        html! {
            <button class={classes!("th", numeric.then_some("num"), active.then_some("sorted"))} {onclick}>
                { format!("{label}{arrow}") }
            </button>
        }
    };
    let on_tick = {
        let selected = selected.clone();
        Callback::from(move |(trace_id, on): (String, bool)| {
            let mut next = (*selected).clone();
            match on {
                true => next.insert(trace_id),
                false => next.remove(&trace_id),
            };
            selected.set(next);
        })
    };
    let render = {
        let current = current.clone();
        let router = router.clone();
        let all_spans = props.all_spans;
        let selected = selected.clone();
        let span_filter = filters.filter.clone();
        Callback::from(move |index: u32| {
            let row = index
                .checked_sub(first)
                .and_then(|i| current.rows.get(i as usize));
            let tick = (!all_spans).then(|| Tick {
                on: row.is_some_and(|r| selected.contains(&r.trace_id)),
                changed: on_tick.clone(),
            });
            match row {
                Some(row) => trace_row(row, tick, router.as_ref(), &span_filter),
                None => html! { <div class="trow placeholder"></div> },
            }
        })
    };
    let on_range = {
        let range = range.clone();
        Callback::from(move |(first, count): (u32, u32)| range.set((first, count)))
    };
    let kinds = OiKind::ALL.iter().map(|k| {
        let selected = filters.kind.as_deref() == Some(k.name());
        html! { <option value={k.name()} {selected}>{ k.name() }</option> }
    });
    html! {
        <div class="table-view">
            <div class="filters">
                <input type="search" placeholder="Filter: name, input, output, session, id" value={filters.text.clone()}
                       oninput={on_text} aria-label="Filter" />
                <select onchange={update(|f, v| f.status = (!v.is_empty()).then_some(v))} aria-label="Status">
                    { for [("", "Any status"), ("ERROR", "ERROR"), ("OK", "OK"), ("UNSET", "UNSET")].into_iter().map(|(value, label)| html! {
                        <option {value} selected={filters.status.as_deref().unwrap_or_default() == value}>{ label }</option>
                    }) }
                </select>
                <select onchange={update(|f, v| f.kind = (!v.is_empty()).then_some(v))} aria-label="Kind">
                    <option value="" selected={filters.kind.is_none()}>{"Any kind"}</option>
                    { for kinds }
                </select>
                <label>{"From "}<input type="datetime-local" onchange={update(|f, v| f.since = time_input(&v))} /></label>
                <label>{"to "}<input type="datetime-local" onchange={update(|f, v| f.until = time_input(&v))} /></label>
                <span class="muted">{ format!("{} {}", format::count(u64::from(current.total)), if props.all_spans { "spans" } else { "traces" }) }</span>
                <span class="actions">
                    if selected.is_empty() {
                        <ExportMenu selection={SpanSelection::Matching(matching.clone())} label={if props.all_spans { "Export these spans" } else { "Export these traces" }} />
                        <SendMenu selection={SpanSelection::Matching(matching)} label={if props.all_spans { "Send these spans" } else { "Send these traces" }} />
                        <DeleteButton selection={Some(SpanSelection::Project(props.project.to_string()))} label="Delete project…"
                                      question="Delete every trace of this project, here and in this browser's storage?" then={Route::Home} />
                    } else {
                        { selection_actions(&selected, &props.project) }
                    }
                </span>
            </div>
            <FilterBar applied={AttrValue::from(filters.filter.clone())} on_apply={on_filter} />
            <div class="thead trow">
                { sort_by(SortKey::Name, "Name", false) }
                { sort_by(SortKey::Kind, "Kind", false) }
                { sort_by(SortKey::Start, "Start (UTC)", false) }
                { sort_by(SortKey::Duration, "Duration", true) }
                { sort_by(SortKey::Spans, "Spans", true) }
                { sort_by(SortKey::Tokens, "Tokens", true) }
                { sort_by(SortKey::Cost, "Cost", true) }
                { sort_by(SortKey::Status, "Status", false) }
                <span class="th">{"Session"}</span>
                <span class="th">{"Evaluations"}</span>
                <span class="th">{"Input"}</span>
            </div>
            if let Some(problem) = problem {
                <ProblemView {problem} />
            }
            <VirtualList count={current.total} row_height={ROW_HEIGHT} {render} {on_range} class="table-body" role="grid" />
        </div>
    }
}

/// What to do with the ticked traces, and a way to untick them all.
fn selection_actions(selected: &UseStateHandle<BTreeSet<String>>, project: &str) -> Html {
    let ids: Vec<String> = selected.iter().cloned().collect();
    let count = ids.len();
    let selection = SpanSelection::Traces(ids.clone());
    let clear = {
        let selected = selected.clone();
        Callback::from(move |_: MouseEvent| selected.set(BTreeSet::new()))
    };
    let back = Route::Project {
        name: project.to_owned(),
        tab: ProjectTab::Traces,
    };
    // Two traces ticked: compare them (the first ticked in id order is the base; the page swaps).
    let compare = match ids.as_slice() {
        [base, other] => Some(
            Route::Compare {
                base: base.clone(),
                other: other.clone(),
            }
            .to_fragment(),
        ),
        _ => None,
    };
    html! {
        <>
            <span data-testid="selected-count">{ format!("{count} selected") }</span>
            if let Some(href) = compare {
                <a class="button small" {href} data-testid="compare-selected">{"Compare"}</a>
            }
            <ExportMenu selection={selection.clone()} label="Export selected" />
            <SendMenu selection={selection.clone()} label="Send selected" />
            <DeleteButton selection={Some(selection)} label="Delete selected…"
                          question={format!("Delete the {count} selected traces, here and in this browser's storage?")}
                          then={back} />
            <button class="button small" onclick={clear}>{"Clear selection"}</button>
        </>
    }
}

/// A row's tick box: whether it is ticked, and who hears it change.
struct Tick {
    on: bool,
    changed: Callback<(String, bool)>,
}

/// A row of the table; a click opens its trace, with the table's span filter (if any) as the
/// trace's search, so what matched stays marked in the tree.
fn trace_row(
    row: &TraceRow,
    tick: Option<Tick>,
    router: Option<&Router>,
    span_filter: &str,
) -> Html {
    let all_spans = tick.is_none();
    // The table's span filter carries on as the trace's search, in the URL.
    let route = Route::Trace {
        trace_id: row.trace_id.clone(),
        span_id: all_spans.then(|| row.span_id.clone()),
        search: (!span_filter.is_empty()).then(|| span_filter.to_owned()),
    };
    let onclick = router.map(|router| {
        let (router, route) = (router.clone(), route.clone());
        Callback::from(move |_: MouseEvent| router.go(route.clone()))
    });
    let tick = tick.map(|Tick { on, changed }| {
        let trace_id = row.trace_id.clone();
        // The row opens the trace on a click; the box must not.
        let onclick = Callback::from(|event: MouseEvent| event.stop_propagation());
        let onchange = Callback::from(move |event: Event| {
            let checked = event.target_unchecked_into::<HtmlInputElement>().checked();
            changed.emit((trace_id.clone(), checked));
        });
        html! {
            <input type="checkbox" class="row-tick" checked={on} {onclick} {onchange}
                   aria-label="Select this trace" data-testid="tick" />
        }
    });
    html! {
        <div class="trow" data-testid="trace-row" data-trace-id={row.trace_id.clone()} {onclick} role="row">
            <span class="cell name" title={row.name.clone()}>{ for tick }{ row.name.clone() }</span>
            <span class="cell"><KindBadge kind={row.kind.clone()} /></span>
            <span class="cell mono">{ format::time(row.start_nanos) }</span>
            <span class="cell num">{ format::duration(row.duration_nanos) }</span>
            <span class="cell num">{ format::count(u64::from(row.spans)) }</span>
            <span class="cell num">{ if row.tokens > 0 { format::count(row.tokens) } else { String::new() } }</span>
            <span class="cell num" data-testid="row-cost" title={format::cost_sources(&row.cost)}>{ format::cost(&row.cost).unwrap_or_default() }</span>
            <span class={classes!("cell", "status", row.status.to_lowercase())}>{ row.status.clone() }</span>
            <span class="cell mono" title={row.session.clone().unwrap_or_default()}>{ row.session.clone().unwrap_or_default() }</span>
            <span class="cell evals" data-testid="row-evaluations">{ for row.evaluations.iter().map(evaluation_chip) }</span>
            <span class="cell preview" title={row.input_preview.clone()}>{ row.input_preview.clone() }</span>
        </div>
    }
}

/// One evaluation in a table cell: `name: label 0.80`.
fn evaluation_chip(evaluation: &EvaluationView) -> Html {
    let mut text = format!("{}:", evaluation.name);
    if let Some(label) = &evaluation.label {
        text.push(' ');
        text.push_str(label);
    }
    if let Some(score) = evaluation.score {
        text.push_str(&format!(" {score:.2}"));
    }
    html! { <span class="eval-chip" title={text.clone()}>{ text }</span> }
}

/// The sessions list's properties.
#[derive(Properties, PartialEq)]
pub struct SessionsListProps {
    /// Project name.
    pub project: AttrValue,
    /// The loads version.
    pub version: u32,
}

/// A project's sessions.
#[component]
pub fn SessionsList(props: &SessionsListProps) -> Html {
    let answer = use_query((props.project.clone(), props.version), |(project, _)| {
        Query::sessions(project.to_string())
    });
    let sessions = match shown(answer, html! { <p class="muted">{"Loading…"}</p> }) {
        Ok(sessions) => sessions,
        Err(instead) => return instead,
    };
    if sessions.is_empty() {
        return html! { <p class="muted">{"No trace of this project has a session.id."}</p> };
    }
    let rows = sessions.iter().map(|s| {
        let href = Route::Session {
            project: props.project.to_string(),
            session: s.session.clone(),
        }
        .to_fragment();
        html! {
            <tr data-testid="session-row">
                <td><a {href} class="mono">{ s.session.clone() }</a></td>
                <td class="num">{ s.traces }</td>
                <td class="mono">{ format::time(s.start_nanos) }</td>
                <td class="num">{ format::duration(s.end_nanos.saturating_sub(s.start_nanos)) }</td>
                <td class="num">{ format::count(s.tokens) }</td>
                <td class="num" title={format::cost_sources(&s.cost)}>{ format::cost(&s.cost).unwrap_or_default() }</td>
                <td class={classes!("num", (s.errors > 0).then_some("bad"))}>{ s.errors }</td>
                <td class="preview">{ s.first_input.clone() }</td>
            </tr>
        }
    });
    html! {
        <table class="table">
            <thead><tr>
                <th>{"Session"}</th><th class="num">{"Turns"}</th><th>{"Started (UTC)"}</th><th class="num">{"Span"}</th>
                <th class="num">{"Tokens"}</th><th class="num">{"Cost"}</th><th class="num">{"Errors"}</th><th>{"First input"}</th>
            </tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}
