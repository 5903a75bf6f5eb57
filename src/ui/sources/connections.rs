//! The servers connected to: each opens its traces or is removed; the form connects another.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::present::route::{Route, SourceSearch};
use crate::present::sources::{kind_label, without};
use crate::sources::Connection;
use crate::ui::query::{shown, use_engine, use_query};
use crate::ui::sources::connect_form::{connect_form, use_connect_form};

/// The page's properties.
#[derive(Properties, PartialEq)]
pub struct SourcesPageProps {
    /// The loads version.
    pub version: u32,
}

/// `#/sources`.
#[component]
pub fn SourcesPage(props: &SourcesPageProps) -> Html {
    let engine = use_engine();
    // Bumped when the list is changed here, so it is asked again.
    let changed = use_state(|| 0u32);
    let answer = use_query((props.version, *changed), |_| Query::connections());
    let set = {
        let changed = changed.clone();
        Callback::from(move |next: Vec<Connection>| {
            if let Some(engine) = &engine {
                engine.set_connections(next);
            }
            changed.set(*changed + 1);
        })
    };
    let known = match &answer {
        Some(Ok(connections)) => connections.clone(),
        _ => Default::default(),
    };
    let connecting = use_connect_form(known, set.clone());
    let connections = match shown(answer, html! { <p class="muted">{"Loading…"}</p> }) {
        Ok(connections) => connections,
        Err(instead) => return instead,
    };
    let rows = connections.iter().map(|connection| {
        let open = Route::Source {
            name: connection.name.clone(),
            search: SourceSearch::default(),
        };
        let remove = {
            let (set, all, name) = (set.clone(), connections.clone(), connection.name.clone());
            Callback::from(move |_: MouseEvent| set.emit(without(&all, &name)))
        };
        let key = match (&connection.key, connection.remember) {
            (None, _) => "no key",
            (Some(_), true) => "key kept in this browser",
            (Some(_), false) => "key kept while this page is open",
        };
        html! {
            <tr data-testid="connection-row">
                <td><a href={open.to_fragment()} data-testid="connection-open">{ connection.name.clone() }</a></td>
                <td>{ kind_label(connection.server.kind) }</td>
                <td class="mono">{ connection.server.base.clone() }</td>
                <td class="muted">{ key }</td>
                <td><button class="button small" onclick={remove}>{"Remove"}</button></td>
            </tr>
        }
    });
    html! {
        <section class="sources">
            <h1>{"Servers"}</h1>
            <p class="muted">{"Plume reads the traces a Phoenix, Tempo, Jaeger or Zipkin server holds, \
                fetching only what you open. Nothing is sent anywhere but to the server you name."}</p>
            if !connections.is_empty() {
                <table class="table">
                    <thead><tr><th>{"Name"}</th><th>{"Kind"}</th><th>{"Address"}</th><th>{"Key"}</th><th></th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
            { connect_form(&connecting) }
        </section>
    }
}
