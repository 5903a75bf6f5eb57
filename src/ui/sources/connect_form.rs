//! *Connect…*: a server's kind, address, name and key (a hook and its view, not a component of
//! its own: each component costs what an embedding page downloads).

use std::rc::Rc;

use yew::prelude::*;

use crate::present::route::{Route, SourceSearch};
use crate::present::sources::{self, ConnectForm as Form, kind_label};
use crate::sources::Connection;
use crate::sources::ServerKind;
use crate::ui::common::input::value_of;
use crate::ui::context::uses_storage;
use crate::ui::route::Router;

/// The form: what it holds, what went wrong, and its callbacks.
pub struct Connecting {
    form: UseStateHandle<Form>,
    problem: UseStateHandle<String>,
    connect: Callback<SubmitEvent>,
}

/// The form's state: once `connect`ed, the list the new server joined goes to `on_connect`
/// and the server's traces open.
#[hook]
pub fn use_connect_form(
    connections: Rc<Vec<Connection>>,
    on_connect: Callback<Vec<Connection>>,
) -> Connecting {
    let form = use_state(Form::default);
    let problem = use_state(String::new);
    let router = use_context::<Router>();
    let connect = {
        let (form, problem) = (form.clone(), problem.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            match form.connection() {
                Ok(connection) => {
                    let name = connection.name.clone();
                    on_connect.emit(sources::with(&connections, connection));
                    problem.set(String::new());
                    let search = SourceSearch::default();
                    if let Some(router) = &router {
                        router.go(Route::Source { name, search });
                    }
                }
                Err(why) => problem.set(why),
            }
        })
    };
    Connecting {
        form,
        problem,
        connect,
    }
}

/// The form *Connecting* holds: a server's kind, address, name and key.
pub fn connect_form(connecting: &Connecting) -> Html {
    let form = &connecting.form;
    let edit = |change: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |event: Event| {
            let mut next = (*form).clone();
            change(&mut next, value_of(&event));
            form.set(next);
        })
    };
    let kinds = ServerKind::ALL.into_iter().map(|kind| {
        let value = kind.scheme();
        html! { <option value={value} selected={form.kind == value}>{ kind_label(kind) }</option> }
    });
    let problem = &connecting.problem;
    html! {
        <form class="connect-form" data-testid="connect-form" onsubmit={connecting.connect.clone()}>
            <h2>{"Connect…"}</h2>
            <label>{"Server "}<select data-testid="connect-kind" onchange={edit(|f, v| f.kind = v)}>{ for kinds }</select></label>
            <label>{"Address "}<input type="url" data-testid="connect-url" value={form.url.clone()} onchange={edit(|f, v| f.url = v)} /></label>
            <label>{"Name "}<input data-testid="connect-name" placeholder="its host" value={form.name.clone()} onchange={edit(|f, v| f.name = v)} /></label>
            <label>{"API key "}<input type="password" data-testid="connect-key" autocomplete="off" placeholder="if its authentication is on"
                value={form.key.clone()} onchange={edit(|f, v| f.key = v)} /></label>
            if uses_storage() {
                <label><input type="checkbox" data-testid="connect-remember" checked={form.remember} onchange={edit(|f, v| f.remember = v == "true")} />
                    {" Remember the key in this browser"}</label>
            }
            <button class="button primary" type="submit" data-testid="connect-button">{"Connect"}</button>
            if !problem.is_empty() { <p class="problem error" role="alert">{ (**problem).clone() }</p> }
        </form>
    }
}
