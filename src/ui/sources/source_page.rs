//! `#/source/<name>`: a server's projects (services), its own filter, and a page of its traces.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::SourceQuery;
use crate::present::route::{Route, SourceSearch};
use crate::present::sources::{PAGE, filter_label, kind_label, project_label};
use crate::sources::Connection;
use crate::ui::common::input::value_of;
use crate::ui::query::{shown, use_query};
use crate::ui::route::Router;
use crate::ui::sources::remote_traces::RemoteTraces;

/// The page's properties.
#[derive(Properties, PartialEq)]
pub struct SourcePageProps {
    /// The connection's name.
    pub name: AttrValue,
    /// What its traces are listed by.
    pub search: SourceSearch,
}

/// See [`SourcePageProps`].
#[component]
pub fn SourcePage(props: &SourcePageProps) -> Html {
    let answer = use_query(props.name.clone(), |_| Query::connections());
    let connections = match shown(answer, html! { <p class="muted">{"Loading…"}</p> }) {
        Ok(connections) => connections,
        Err(instead) => return instead,
    };
    let Some(connection) = connections.iter().find(|c| *c.name == *props.name) else {
        return html! {
            <section>
                <p class="problem error" role="alert" data-testid="problem">
                    { format!("No server is connected as “{}” in this browser. ", props.name) }
                    <a href={Route::Sources.to_fragment()}>{"Connect it"}</a>
                </p>
            </section>
        };
    };
    html! {
        <section class="source-page">
            <h1>{ format!("{} · {}", connection.name, kind_label(connection.server.kind)) }</h1>
            <p class="muted mono">{ connection.server.base.clone() }</p>
            <SourceSearchForm connection={connection.clone()} search={props.search.clone()} />
        </section>
    }
}

/// The form's properties.
#[derive(Properties, PartialEq)]
struct SourceSearchFormProps {
    connection: Connection,
    search: SourceSearch,
}

/// Which project, filtered how, from when — then the traces.
#[component]
fn SourceSearchForm(props: &SourceSearchFormProps) -> Html {
    let kind = props.connection.server.kind;
    let name = props.connection.name.clone();
    // Tempo has none (its answer is an empty list, not shown).
    let projects = use_query(name.clone(), |name| Query::source_projects(name));
    let router = use_context::<Router>();
    let go = {
        let (name, search) = (name.clone(), props.search.clone());
        move |change: fn(&mut SourceSearch, String)| {
            let (router, name, search) = (router.clone(), name.clone(), search.clone());
            Callback::from(move |event: Event| {
                let mut next = search.clone();
                change(&mut next, value_of(&event));
                if let Some(router) = &router {
                    router.go(Route::Source {
                        name: name.clone(),
                        search: next,
                    });
                }
            })
        }
    };
    let projects = project_label(kind).map(|label| {
        match shown(projects, html! { <span class="muted">{"Loading…"}</span> }) {
            Ok(projects) => (label, Ok(projects)),
            Err(instead) => (label, Err(instead)),
        }
    });
    let (project, picker) = match projects {
        None => (Some(String::new()), html! {}),
        Some((label, Err(instead))) => (
            None,
            html! { <label>{ format!("{label} ") }{ instead }</label> },
        ),
        Some((label, Ok(names))) => {
            let chosen = props
                .search
                .project
                .clone()
                .or_else(|| names.first().cloned());
            let options = names.iter().map(|n| html! { <option value={n.clone()} selected={Some(n) == chosen.as_ref()}>{ n.clone() }</option> });
            let picker = html! {
                <label>{ format!("{label} ") }
                    <select data-testid="source-project" onchange={go(|s, v| s.project = Some(v))}>{ for options }</select>
                </label>
            };
            (chosen, picker)
        }
    };
    let filter = filter_label(kind).map(|(label, example)| html! {
        <label class="grow">{ format!("{label} ") }
            <input data-testid="source-filter" placeholder={example} value={props.search.filter.clone().unwrap_or_default()}
                   onchange={go(|s, v| s.filter = Some(v).filter(|v| !v.trim().is_empty()))} />
        </label>
    });
    let query = project.map(|project| SourceQuery {
        project,
        filter: props.search.filter.clone().unwrap_or_default(),
        since: props.search.since.clone(),
        limit: props.search.limit.unwrap_or(PAGE),
    });
    html! {
        <>
            <div class="row source-search">
                { picker }
                { for filter }
                <label>{"Since "}
                    <input data-testid="source-since" placeholder="2026-12-01T00:00:00Z" value={props.search.since.clone().unwrap_or_default()}
                           onchange={go(|s, v| s.since = Some(v.trim().to_owned()).filter(|v| !v.is_empty()))} />
                </label>
            </div>
            if let Some(query) = query {
                // Keyed: another search starts again from its first page.
                <RemoteTraces key={format!("{query:?}")} source={name} query={query.clone()} />
            }
        </>
    }
}
