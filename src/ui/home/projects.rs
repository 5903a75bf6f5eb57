//! The projects list.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::present::format;
use crate::present::route::Route;
use crate::ui::context::uses_storage;
use crate::ui::home::price_tables::PriceTablesList;
use crate::ui::home::save_setting::SaveSetting;
use crate::ui::home::saved_files::SavedFiles;
use crate::ui::home::storage_status::StorageStatus;
use crate::ui::query::{shown, use_query};

/// The page's properties.
#[derive(Properties, PartialEq)]
pub struct ProjectsPageProps {
    /// The loads version (refreshes the list).
    pub version: u32,
}

/// Every project with its figures.
#[component]
pub fn ProjectsPage(props: &ProjectsPageProps) -> Html {
    let answer = use_query(props.version, |_| Query::projects());
    let projects = match shown(answer, html! { <p class="muted">{"Loading…"}</p> }) {
        Ok(projects) => projects,
        Err(instead) => return instead,
    };
    if projects.is_empty() {
        return html! { <p class="muted">{"Nothing loaded yet: the files above say why."}</p> };
    }
    let rows = projects.iter().map(|p| {
        let href = Route::project(&p.name).to_fragment();
        html! {
            <tr data-testid="project-row">
                <td><a href={href}>{ p.name.clone() }</a></td>
                <td class="num">{ format::count(p.traces) }</td>
                <td class="num">{ format::count(p.spans) }</td>
                <td class={classes!("num", (p.error_rate > 0.0).then_some("bad"))}>{ format::percent(p.error_rate) }</td>
                <td class="num">{ format::duration(p.p50_nanos) }</td>
                <td class="num">{ format::duration(p.p99_nanos) }</td>
                <td class="num">{ format::count(p.tokens) }</td>
                <td class="num" data-testid="project-cost" title={format::cost_sources(&p.cost)}>{ format::cost(&p.cost).unwrap_or_default() }</td>
                <td class="num">{ format::count(p.sessions) }</td>
            </tr>
        }
    });
    html! {
        <section>
            <h1>{"Projects"}</h1>
            <div class="table-scroll">
                <table class="table">
                    <thead><tr>
                        <th>{"Project"}</th><th class="num">{"Traces"}</th><th class="num">{"Spans"}</th>
                        <th class="num">{"Error rate"}</th><th class="num">{"p50"}</th><th class="num">{"p99"}</th>
                        <th class="num">{"Tokens"}</th><th class="num">{"Cost"}</th><th class="num">{"Sessions"}</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            if uses_storage() {
                <StorageStatus version={props.version} />
                <SaveSetting />
                <SavedFiles version={props.version} />
            }
            <PriceTablesList version={props.version} />
        </section>
    }
}
