//! What a link named that this browser does not hold, and the ways on: open the files, the
//! projects, the trace (for a span) or project (for a session), and what this tab loaded.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::protocol::Missing;
use crate::present::format;
use crate::present::missing::explain;
use crate::present::route::Route;
use crate::ui::common::open_files::OpenFiles;
use crate::ui::state::Loads;

/// The view's properties.
#[derive(Properties, PartialEq)]
pub struct MissingViewProps {
    /// What is not there.
    pub missing: Missing,
}

/// See the module docs.
#[component]
pub fn MissingView(props: &MissingViewProps) -> Html {
    let loads = use_context::<Rc<Loads>>();
    if loads.as_ref().is_some_and(|l| !l.restored) {
        return html! { <p class="muted">{"Looking in what this browser kept…"}</p> };
    }
    let (headline, why) = explain(&props.missing);
    let up = match &props.missing {
        Missing::Span { trace_id, .. } => Some((Route::trace(trace_id), "The whole trace")),
        Missing::Session { project, .. } => Some((Route::project(project), "The project")),
        Missing::Trace(_) | Missing::Project(_) => None,
    };
    let loaded: Vec<String> = loads
        .iter()
        .flat_map(|l| l.files.iter())
        .filter_map(|f| f.result.as_ref().map(format::file_result))
        .collect();
    html! {
        <section class="missing" role="status" data-testid="missing">
            <h2>{ headline }</h2>
            <p>{ why }</p>
            <div class="ways">
                if let Some((route, label)) = up {
                    <a class="button" href={route.to_fragment()}>{ label }</a>
                }
                <OpenFiles />
                <a class="button" href={Route::Home.to_fragment()}>{"All projects"}</a>
            </div>
            if !loaded.is_empty() {
                <div class="muted" data-testid="missing-loaded">
                    {"Loaded in this tab:"}
                    <ul>{ for loaded.into_iter().map(|line| html! { <li>{ line }</li> }) }</ul>
                </div>
            }
        </section>
    }
}
