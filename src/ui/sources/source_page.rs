//! `#/source/<name>`: a server's projects (services), its own filter, and a page of its traces.
//! One component; its parts are hooks and views (each component costs what an embedding page
//! downloads).

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::SourceQuery;
use crate::present::route::{Route, SourceSearch};
use crate::present::sources::{PAGE, filter_label, kind_label, operation_label, project_label};
use crate::sources::{Connection, Search};
use crate::ui::common::input::{use_draft, value_of};
use crate::ui::query::{Answered, shown, use_query};
use crate::ui::route::Router;
use crate::ui::sources::remote_traces::{remote_traces, use_remote_traces};

/// The page's properties.
#[derive(Properties, PartialEq)]
pub struct SourcePageProps {
    /// The connection's name.
    pub name: AttrValue,
    /// What its traces are listed by.
    pub search: SourceSearch,
    /// The loads version (the connections are read again once the store's are).
    pub version: u32,
}

/// See [`SourcePageProps`].
#[component]
pub fn SourcePage(props: &SourcePageProps) -> Html {
    let connections = use_query(props.version, |_| Query::connections());
    // Tempo has no projects (its answer is an empty list, not shown).
    let projects = use_query(props.name.to_string(), |name| Query::source_projects(name));
    let connection = match &connections {
        Some(Ok(all)) => all.iter().find(|c| *c.name == *props.name).cloned(),
        _ => None,
    };
    let query = connection
        .as_ref()
        .and_then(|c| query(c, &props.search, &projects));
    let listed = use_remote_traces(props.name.to_string(), query);
    let drafts = Drafts {
        operation: use_draft(props.search.operation.clone().unwrap_or_default()),
        filter: use_draft(props.search.filter.clone().unwrap_or_default()),
        since: use_draft(props.search.since.clone().unwrap_or_default()),
        until: use_draft(props.search.until.clone().unwrap_or_default()),
    };
    let connections = match shown(connections, html! { <p class="muted">{"Loading…"}</p> }) {
        Ok(connections) => connections,
        Err(instead) => return instead,
    };
    let Some(connection) = connections.iter().find(|c| *c.name == *props.name) else {
        return html! {
            <p class="problem error" role="alert" data-testid="problem">
                { format!("No server is connected as “{}” in this browser. ", props.name) }
                <a href={Route::Sources.to_fragment()}>{"Connect it"}</a>
            </p>
        };
    };
    let go = use_context::<Router>().map(|router| {
        let (name, search) = (props.name.to_string(), props.search.clone());
        Rc::new(
            move |change: fn(&mut SourceSearch, String), value: String| {
                let mut next = search.clone();
                change(&mut next, value);
                router.go(Route::Source {
                    name: name.clone(),
                    search: next,
                });
            },
        ) as Rc<dyn Fn(fn(&mut SourceSearch, String), String)>
    });
    html! {
        <section class="source-page">
            <h1>{ format!("{} · {}", connection.name, kind_label(connection.server.kind)) }</h1>
            <p class="muted mono">{ connection.server.base.clone() }</p>
            { search_form(connection, &props.search, projects, &listed.operations(), go, drafts) }
            { remote_traces(&props.name, &listed) }
        </section>
    }
}

/// What to list: the project chosen (else the first), the filter and time of `search`; none
/// while the projects are not known.
fn query(
    connection: &Connection,
    search: &SourceSearch,
    projects: &Option<Answered<Vec<String>>>,
) -> Option<SourceQuery> {
    let project = match project_label(connection.server.kind) {
        None => String::new(),
        Some(_) => match projects {
            Some(Ok(names)) => search.project.clone().or_else(|| names.first().cloned())?,
            _ => return None,
        },
    };
    Some(SourceQuery {
        search: Search {
            project,
            operation: search.operation.clone(),
            filter: search.filter.clone(),
            since: search.since.clone(),
            until: search.until.clone(),
        },
        limit: search.limit.unwrap_or(PAGE),
    })
}

type Go = Option<Rc<dyn Fn(fn(&mut SourceSearch, String), String)>>;

/// What is typed in the operation, filter and time fields, not applied yet.
struct Drafts {
    operation: (UseStateHandle<String>, Callback<InputEvent>),
    filter: (UseStateHandle<String>, Callback<InputEvent>),
    since: (UseStateHandle<String>, Callback<InputEvent>),
    until: (UseStateHandle<String>, Callback<InputEvent>),
}

/// Which project, filtered how, from when: each change is a new address.
fn search_form(
    connection: &Connection,
    search: &SourceSearch,
    projects: Option<Answered<Vec<String>>>,
    operations: &[String],
    go: Go,
    drafts: Drafts,
) -> Html {
    let kind = connection.server.kind;
    let on = |change: fn(&mut SourceSearch, String)| {
        let go = go.clone();
        Callback::from(move |event: Event| {
            if let Some(go) = &go {
                go(change, value_of(&event));
            }
        })
    };
    let picker = project_label(kind).map(|label| {
        let names = match shown(projects, html! { <span class="muted">{"Loading…"}</span> }) {
            Ok(names) => names,
            Err(instead) => return html! { <label>{ format!("{label} ") }{ instead }</label> },
        };
        let chosen = search.project.clone().or_else(|| names.first().cloned());
        let options = names.iter().map(|n| html! { <option value={n.clone()} selected={Some(n) == chosen.as_ref()}>{ n.clone() }</option> });
        html! {
            <label>{ format!("{label} ") }
                <select data-testid="source-project" onchange={on(|s, v| s.project = Some(v))}>{ for options }</select>
            </label>
        }
    });
    // Typed, with the service's operations offered (the last search's answer names them).
    let operation = operation_label(kind).map(|label| html! {
        <label>{ format!("{label} ") }
            <input data-testid="source-operation" list="source-operations" value={(*drafts.operation.0).clone()} oninput={drafts.operation.1.clone()}
                   onchange={on(|s, v| s.operation = Some(v.trim().to_owned()).filter(|v| !v.is_empty()))} />
            <datalist id="source-operations">{ for operations.iter().map(|o| html! { <option value={o.clone()} /> }) }</datalist>
        </label>
    });
    let filter = filter_label(kind).map(|(label, example)| html! {
        <label class="grow">{ format!("{label} ") }
            <input data-testid="source-filter" placeholder={example} value={(*drafts.filter.0).clone()} oninput={drafts.filter.1.clone()}
                   onchange={on(|s, v| s.filter = Some(v).filter(|v| !v.trim().is_empty()))} />
        </label>
    });
    html! {
        <div class="row source-search">
            { for picker }
            { for operation }
            { for filter }
            <label>{"Since "}
                <input data-testid="source-since" placeholder="2026-12-01T00:00:00Z" value={(*drafts.since.0).clone()} oninput={drafts.since.1.clone()}
                       onchange={on(|s, v| s.since = Some(v.trim().to_owned()).filter(|v| !v.is_empty()))} />
            </label>
            <label>{"Until "}
                <input data-testid="source-until" placeholder="now" value={(*drafts.until.0).clone()} oninput={drafts.until.1.clone()}
                       onchange={on(|s, v| s.until = Some(v.trim().to_owned()).filter(|v| !v.is_empty()))} />
            </label>
        </div>
    }
}
