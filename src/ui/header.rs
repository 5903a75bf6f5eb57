//! The page's header: title, breadcrumbs, totals, *Forget all*, the file picker and the theme
//! toggle.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::{SpanSelection, Summary};
use crate::present::format;
use crate::present::route::Route;
use crate::ui::common::delete_button::DeleteButton;
use crate::ui::common::open_files::OpenFiles;
use crate::ui::context::{page_options, page_powers};
use crate::ui::live::LiveIndicator;
use crate::ui::query::use_query_for;
use crate::ui::route::Router;

/// The header's properties.
#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    /// The theme toggle's label.
    pub theme_label: AttrValue,
    /// Moves to the next theme.
    pub on_theme: Callback<()>,
    /// The loads version, to refresh the summary.
    pub loads: u32,
    /// A title the host or the link gave.
    pub title: Option<String>,
    /// Inside another page: the host sets the theme.
    pub embedded: bool,
    /// Offers to open files.
    pub takes_files: bool,
}

/// Title, breadcrumbs, totals, the file picker and the theme toggle.
#[component]
pub(crate) fn Header(props: &HeaderProps) -> Html {
    let router = use_context::<Router>();
    // The header shows totals when it has them; a page below says what failed.
    let answer = use_query_for(props.loads, |_| Query::summary());
    {
        // `window.plume.summary()` answers what the header shows.
        let answer = answer.clone();
        use_effect_with(answer.as_ref().map(|(version, _)| *version), move |_| {
            if let Some((version, Ok(summary))) = &answer {
                crate::ui::publish_summary(summary, *version);
            }
        });
    }
    let summary = match answer {
        Some((_, Ok(summary))) => (*summary).clone(),
        Some((_, Err(_))) | None => Summary::default(),
    };
    let crumbs = router
        .as_ref()
        .map(|r| breadcrumbs(&r.route))
        .unwrap_or_default();
    let on_theme = props.on_theme.reform(|_: MouseEvent| ());
    let served = use_memo((), |_| page_options().server.is_some());
    html! {
        <header class="header">
            <a class="brand" href="#/">{"Plume"}</a>
            if let Some(title) = &props.title {
                <span class="title" data-testid="title">{ title.clone() }</span>
            }
            <nav class="crumbs">{ crumbs }</nav>
            <span class="totals">
                { format!("{} spans · {} traces · {} projects", format::count(summary.spans),
                    format::count(summary.traces), summary.projects) }
                if summary.errors > 0 {
                    <span class="bad">{ format!(" · {} file errors", summary.errors) }</span>
                }
            </span>
            if *served {
                <span class="muted" data-testid="served-by"
                      title="What this page shows comes from the plume serve that served it, which keeps it on its disk; nothing is kept in this browser">
                    {"from plume serve"}
                </span>
                <LiveIndicator />
            }
            if summary.spans > 0 && !props.embedded {
                <DeleteButton selection={None::<SpanSelection>} label="Forget all…" then={Route::Home}
                              question="Forget every trace loaded, here and in this browser's storage?" />
            }
            if props.takes_files {
                <OpenFiles testid="file-input" />
            }
            // Reading a server is asking it: only where the page may send.
            if !props.embedded && page_powers().send {
                <a class="button" href={Route::Sources.to_fragment()} data-testid="servers-link"
                   title="Read the traces a Phoenix, Tempo, Jaeger or Zipkin server holds">{"Servers…"}</a>
            }
            if !props.embedded {
                <button class="button" onclick={on_theme} title="Light, dark, or as the system says">{ props.theme_label.clone() }</button>
            }
        </header>
    }
}

fn breadcrumbs(route: &Route) -> Html {
    let project = |name: &str| {
        let route = Route::project(name);
        html! { <><span class="sep">{"/"}</span><a href={route.to_fragment()}>{ name.to_owned() }</a></> }
    };
    match route {
        Route::Home => html! {},
        Route::Project { name, .. } => project(name),
        Route::Session {
            project: name,
            session,
        } => html! {
            <>{ project(name) }<span class="sep">{"/"}</span><span>{ format!("session {session}") }</span></>
        },
        Route::Trace { trace_id, .. } => html! {
            <><span class="sep">{"/"}</span><span class="mono">{ format!("trace {}", format::short_id(trace_id)) }</span></>
        },
        Route::Compare { .. } | Route::SpanDiff { .. } => {
            html! { <><span class="sep">{"/"}</span><span>{"compare"}</span></> }
        }
        Route::Sources => html! { <><span class="sep">{"/"}</span><span>{"servers"}</span></> },
        Route::Source { name, .. } | Route::SourceTrace { name, .. } => {
            let source = Route::Source {
                name: name.clone(),
                search: Default::default(),
            };
            html! { <><span class="sep">{"/"}</span><a href={source.to_fragment()}>{ format!("server {name}") }</a></> }
        }
    }
}
