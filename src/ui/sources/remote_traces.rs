//! A page of a server's traces: when, what, how long, tokens; each opens (fetched whole then).

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::SourceQuery;
use crate::present::format;
use crate::present::route::Route;
use crate::sources::RemoteTrace;
use crate::ui::query::{shown, use_query};

/// The list's properties.
#[derive(Properties, PartialEq)]
pub struct RemoteTracesProps {
    /// The connection's name.
    pub source: String,
    /// Which traces.
    pub query: SourceQuery,
}

/// See [`RemoteTracesProps`]: one page at a time (what is shown is all the page holds of the
/// server's traces), with the server's cursor to the next.
#[component]
pub fn RemoteTraces(props: &RemoteTracesProps) -> Html {
    // The cursors of the pages before this one, and this one's (none: the first).
    let pages = use_state(|| vec![None::<String>]);
    let cursor = pages.last().cloned().flatten();
    let deps = (props.source.clone(), props.query.clone(), cursor);
    let answer = use_query(deps, |(source, query, cursor)| {
        Query::source_traces(source, query.clone(), cursor.clone())
    });
    let waiting =
        html! { <p class="muted" data-testid="source-waiting">{"Asking the server…"}</p> };
    let listed = match shown(answer, waiting) {
        Ok(listed) => listed,
        Err(instead) => return instead,
    };
    if listed.traces.is_empty() {
        return html! { <p class="muted" data-testid="source-empty">{"No trace found."}</p> };
    }
    let previous = (pages.len() > 1).then(|| {
        let pages = pages.clone();
        Callback::from(move |_: MouseEvent| pages.set(pages[..pages.len() - 1].to_vec()))
    });
    let next = listed.next.clone().map(|next| {
        let pages = pages.clone();
        Callback::from(move |_: MouseEvent| {
            let mut more = (*pages).clone();
            more.push(Some(next.clone()));
            pages.set(more);
        })
    });
    let project = Some(props.query.project.clone()).filter(|p| !p.is_empty());
    let rows = listed
        .traces
        .iter()
        .map(|trace| row(&props.source, &project, trace));
    html! {
        <>
            <div class="table-scroll">
                <table class="table" data-testid="source-traces">
                    <thead><tr><th>{"Started"}</th><th>{"Trace"}</th><th>{"Name"}</th>
                        <th class="num">{"Duration"}</th><th class="num">{"Tokens"}</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            <div class="row">
                if let Some(previous) = previous { <button class="button small" onclick={previous}>{"← Newer"}</button> }
                if let Some(next) = next { <button class="button small" data-testid="source-next" onclick={next}>{"Older →"}</button> }
            </div>
        </>
    }
}

fn row(source: &str, project: &Option<String>, trace: &RemoteTrace) -> Html {
    let open = Route::SourceTrace {
        name: source.to_owned(),
        project: project.clone(),
        trace_id: trace.id.clone(),
    };
    html! {
        <tr data-testid="source-trace-row">
            <td class="mono">{ trace.start_ns.map(format::time).unwrap_or_default() }</td>
            <td class="mono"><a href={open.to_fragment()} data-testid="source-trace-open">{ format::short_id(&trace.id).to_owned() }</a></td>
            <td>{ trace.name.clone().unwrap_or_default() }</td>
            <td class="num">{ trace.duration_ns.map(format::duration).unwrap_or_default() }</td>
            <td class="num">{ trace.tokens.map(format::count).unwrap_or_default() }</td>
        </tr>
    }
}
