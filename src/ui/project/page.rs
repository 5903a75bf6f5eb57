//! A project: its traces (or spans) as a sortable, filterable, virtualized table, its sessions
//! and its figures, one tab each.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::present::format;
use crate::present::route::{ProjectTab, Route};
use crate::present::table::TableView;
use crate::ui::project::stats::StatsTab;
use crate::ui::project::table::TracesTable;
use crate::ui::query::{shown, use_query};

/// The page's properties.
#[derive(Properties, PartialEq)]
pub struct ProjectPageProps {
    /// Project name.
    pub name: AttrValue,
    /// Which table.
    pub tab: ProjectTab,
    /// The table's filters and order, from the route.
    pub view: TableView,
    /// The loads version.
    pub version: u32,
}

/// See the module docs.
#[component]
pub fn ProjectPage(props: &ProjectPageProps) -> Html {
    // The tabs keep the table's filters: the traces and all-spans tables share them.
    let tab = |tab: ProjectTab, label: &str| {
        let href = Route::Project {
            name: props.name.to_string(),
            tab,
            view: props.view.clone(),
        }
        .to_fragment();
        html! { <a class={classes!("tab", (props.tab == tab).then_some("active"))} {href}>{ label.to_owned() }</a> }
    };
    let (project, version) = (props.name.clone(), props.version);
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
                        <TracesTable {project} all_spans={props.tab == ProjectTab::Spans} view={props.view.clone()} {version} />
                    },
                    ProjectTab::Sessions => html! { <SessionsList {project} {version} /> },
                    ProjectTab::Stats => html! { <StatsTab {project} view={props.view.clone()} {version} /> },
                }
            }
        </section>
    }
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
        <div class="table-scroll">
            <table class="table">
                <thead><tr>
                    <th>{"Session"}</th><th class="num">{"Turns"}</th><th>{"Started (UTC)"}</th><th class="num">{"Span"}</th>
                    <th class="num">{"Tokens"}</th><th class="num">{"Cost"}</th><th class="num">{"Errors"}</th><th>{"First input"}</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}
