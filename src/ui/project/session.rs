//! One session as a conversation: its traces in time order, each an input and an output; they
//! export (and share) together.

use yew::prelude::*;

use crate::attributes::pretty_json;
use crate::engine::messages::Query;
use crate::engine::protocol::SpanSelection;

use crate::present::format;
use crate::present::route::Route;
use crate::ui::common::export_menu::ExportMenu;
use crate::ui::common::long_text::LongText;
use crate::ui::query::{shown, use_query};

/// The page's properties.
#[derive(Properties, PartialEq)]
pub struct SessionPageProps {
    /// Project name.
    pub project: AttrValue,
    /// The `session.id`.
    pub session: AttrValue,
    /// The loads version.
    pub version: u32,
}

/// See the module docs.
#[component]
pub fn SessionPage(props: &SessionPageProps) -> Html {
    let answer = use_query(
        (props.project.clone(), props.session.clone(), props.version),
        |(p, s, _)| Query::session(p.to_string(), s.to_string()),
    );
    let turns = match shown(answer, html! { <p class="muted">{"Loading…"}</p> }) {
        Ok(turns) => turns,
        Err(instead) => return instead,
    };
    let selection = SpanSelection::Traces(turns.iter().map(|t| t.trace_id.clone()).collect());
    let turns = turns.iter().enumerate().map(|(i, turn)| {
        let href = Route::trace(&turn.trace_id).to_fragment();
        let text = |t: &str| pretty_json(t).unwrap_or_else(|| t.to_owned());
        html! {
            <article class="turn" data-testid="session-turn">
                <header>
                    <span class="muted">{ format!("Turn {} · {}", i + 1, format::time(turn.start_nanos)) }</span>
                    <a {href}>{ turn.name.clone() }</a>
                    <span class="muted">{ format!("{} · {} tokens", format::duration(turn.duration_nanos), format::count(turn.tokens)) }</span>
                    if let Some(cost) = format::cost(&turn.cost) {
                        <span class="muted" title={format::cost_sources(&turn.cost)}>{ cost }</span>
                    }
                    <span class={classes!("status", turn.status.to_lowercase())}>{ turn.status.clone() }</span>
                </header>
                <div class="bubble user"><div class="role">{"input"}</div><LongText text={text(&turn.input)} /></div>
                <div class="bubble assistant"><div class="role">{"output"}</div><LongText text={text(&turn.output)} /></div>
            </article>
        }
    });
    html! {
        <section class="session">
            <div class="session-head">
                <h1>{ format!("Session {}", props.session) }</h1>
                <ExportMenu {selection} label="Export session" />
            </div>
            { for turns }
        </section>
    }
}
