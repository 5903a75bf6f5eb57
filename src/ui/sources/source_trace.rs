//! `#/source/<name>/trace/<id>`: a server's trace, fetched if it is not loaded (held: kept in
//! this browser only if the user keeps it), then shown as any trace; *Fetch again* refreshes it.

use yew::prelude::*;

use crate::engine::messages::{Problem, Query};
use crate::present::route::{Route, SourceSearch};
use crate::ui::context::Loader;
use crate::ui::query::use_query;
use crate::ui::sources::remote_traces::use_cancel;
use crate::ui::state::Loads;
use crate::ui::trace::page::TracePage;

/// The page's properties.
#[derive(Properties, PartialEq)]
pub struct SourceTracePageProps {
    /// The connection's name.
    pub name: AttrValue,
    /// The project the trace is in.
    pub project: Option<AttrValue>,
    /// Hex trace id.
    pub trace_id: AttrValue,
    /// The loads version.
    pub version: u32,
}

/// See [`SourceTracePageProps`].
#[component]
pub fn SourceTracePage(props: &SourceTracePageProps) -> Html {
    let loader = use_context::<Loader>();
    // Fetches asked for on this page: the first when the trace is not loaded, then each
    // *Fetch again*.
    let fetches = use_state(|| 0u32);
    let fetch = {
        let (loader, fetches) = (loader.clone(), fetches.clone());
        let (name, trace_id) = (props.name.to_string(), props.trace_id.to_string());
        let project = props.project.as_deref().unwrap_or_default().to_owned();
        Callback::from(move |()| {
            if let Some(loader) = &loader {
                loader
                    .remote
                    .emit((name.clone(), project.clone(), vec![trace_id.clone()]));
            }
            fetches.set(*fetches + 1);
        })
    };
    let deps = (props.trace_id.to_string(), props.version);
    let answer = use_query(deps, |(trace_id, _)| Query::open_trace(trace_id.clone()));
    let missing = matches!(answer, Some(Err(Problem::NotFound(_))));
    let loads = use_context::<std::rc::Rc<Loads>>();
    // Not before what this browser kept is read: a kept trace is not fetched again.
    let restored = loads.as_ref().is_none_or(|loads| loads.restored);
    let busy = loads.as_ref().is_some_and(|loads| loads.busy > 0);
    {
        let fetch = fetch.clone();
        let first = missing && restored && *fetches == 0;
        use_effect_with(first, move |first| {
            if *first {
                fetch.emit(());
            }
        });
    }
    let source = Route::Source {
        name: props.name.to_string(),
        search: SourceSearch {
            project: props.project.as_ref().map(ToString::to_string),
            ..SourceSearch::default()
        },
    };
    let again = fetch.reform(|_: MouseEvent| ());
    // Asked and done, and the trace is still not here: the fetch failed or was cancelled (its
    // line above says which).
    let cancel = use_cancel();
    let bar = html! {
        <p class="source-bar muted" data-testid="source-bar">
            {"From "}<a href={source.to_fragment()}>{ props.name.clone() }</a>
            {" · held in this page until you keep it · "}
            <button class="button small" data-testid="source-refresh" onclick={again}>{"Fetch again"}</button>
        </p>
    };
    match answer {
        Some(Ok(_)) => html! {
            <>
                { bar }
                <TracePage key={props.trace_id.to_string()} trace_id={props.trace_id.clone()} span_id={None::<AttrValue>} version={props.version} />
            </>
        },
        Some(Err(problem)) if !missing => {
            html! { <p class="problem error" role="alert">{ problem.to_string() }</p> }
        }
        _ if missing && *fetches > 0 && !busy => html! {
            <>
                { bar }
                <p class="problem error" role="alert" data-testid="source-not-fetched">
                    { format!("Trace {} was not fetched from {}: the line above says why.", props.trace_id, props.name) }
                </p>
            </>
        },
        _ => html! {
            <>
                { bar }
                <p class="muted" data-testid="source-fetching">
                    { format!("Fetching trace {} from {}… ", props.trace_id, props.name) }
                    <button class="button small" data-testid="source-cancel" onclick={cancel}>{"Cancel"}</button>
                </p>
            </>
        },
    }
}
