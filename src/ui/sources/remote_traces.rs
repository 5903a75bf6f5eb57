//! A page of a server's traces: when, what, how long, tokens; each opens (fetched whole then).
//! One page at a time (what is shown is all the page holds of the server's traces), with the
//! server's cursor to the next.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::SourceQuery;
use crate::present::format;
use crate::present::route::Route;
use crate::sources::{RemoteTrace, TracesPage};
use crate::ui::query::{Answered, shown, use_engine, use_query_if};

/// The traces listed: the answer for the page shown, and the way to the next and back.
pub struct Listed {
    query: Option<SourceQuery>,
    cancel: Callback<MouseEvent>,
    answer: Option<Answered<Box<TracesPage>>>,
    newer: Option<Callback<MouseEvent>>,
    older: Option<Callback<MouseEvent>>,
}

/// The page of `query`'s traces shown (none asked while there is no query); a new query starts
/// again from its first page.
#[hook]
pub fn use_remote_traces(source: String, query: Option<SourceQuery>) -> Listed {
    // The query, and the cursors of its pages up to the one shown (none: the first).
    let pages = use_state(|| (query.clone(), vec![None::<String>]));
    let cursors = match pages.0 == query {
        true => pages.1.clone(),
        false => vec![None],
    };
    let cursor = cursors.last().cloned().flatten();
    let deps = (source, query.clone(), cursor);
    let answered = use_query_if(deps.clone(), |(source, query, cursor)| {
        (query.clone()).map(|query| Query::source_traces(source, query, cursor.clone()))
    });
    // Another project's or filter's rows are not shown under this one while it is asked.
    let answer = answered.and_then(|(asked, answer)| (asked == deps).then_some(answer));
    let move_to = |next: Vec<Option<String>>| {
        let (pages, query) = (pages.clone(), query.clone());
        Callback::from(move |_: MouseEvent| pages.set((query.clone(), next.clone())))
    };
    let newer = (cursors.len() > 1).then(|| move_to(cursors[..cursors.len() - 1].to_vec()));
    let next = match &answer {
        Some(Ok(listed)) => listed.next.clone(),
        _ => None,
    };
    let older = next.map(|next| move_to([cursors.clone(), vec![Some(next)]].concat()));
    let cancel = use_cancel();
    Listed {
        query,
        cancel,
        answer,
        newer,
        older,
    }
}

impl Listed {
    /// The operations the answer shown names (Jaeger's, Zipkin's), to search by.
    pub fn operations(&self) -> Vec<String> {
        match &self.answer {
            Some(Ok(page)) => page.operations.clone(),
            _ => Vec::new(),
        }
    }
}

/// A button's callback that stops asking a server (what is listed or fetched).
#[hook]
pub fn use_cancel() -> Callback<MouseEvent> {
    let engine = use_engine();
    Callback::from(move |_: MouseEvent| {
        if let Some(engine) = &engine {
            engine.cancel();
        }
    })
}

/// The table of a page of traces of the server connected to as `source`.
pub fn remote_traces(source: &str, listed: &Listed) -> Html {
    let Some(query) = &listed.query else {
        return html! {};
    };
    let waiting = html! {
        <p class="muted" data-testid="source-waiting">{"Asking the server… "}
            <button class="button small" data-testid="source-cancel" onclick={listed.cancel.clone()}>{"Cancel"}</button>
        </p>
    };
    let page = match shown(listed.answer.clone(), waiting) {
        Ok(page) => page,
        Err(instead) => return instead,
    };
    if page.traces.is_empty() {
        return html! { <p class="muted" data-testid="source-empty">{"No trace found."}</p> };
    }
    let project = Some(query.search.project.clone()).filter(|p| !p.is_empty());
    let rows = page.traces.iter().map(|trace| row(source, &project, trace));
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
                if let Some(newer) = listed.newer.clone() { <button class="button small" onclick={newer}>{"← Newer"}</button> }
                if let Some(older) = listed.older.clone() { <button class="button small" data-testid="source-next" onclick={older}>{"Older →"}</button> }
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
