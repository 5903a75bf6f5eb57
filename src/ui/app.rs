//! The page: header, files being loaded, and the current route's view. Files come in by drop
//! (anywhere), the file picker, paste, or a sample button; all go to the engine worker.

use std::rc::Rc;

use yew::prelude::*;

use crate::present::route::Route;
use crate::ui::bridge::EngineHandle;
use crate::ui::common::file_list::FileList;
use crate::ui::context::{
    ComparePick, Loader, PickedSpan, page_options, page_powers, uses_storage,
};
use crate::ui::header::Header;
use crate::ui::home::projects::ProjectsPage;
use crate::ui::home::save_setting::saves_loads;
use crate::ui::home::welcome::Welcome;
use crate::ui::host::{HostControls, HostLink, use_host};
use crate::ui::loading::{loader, use_drop_and_paste, use_engine_worker};
use crate::ui::project::page::ProjectPage;
use crate::ui::project::session::SessionPage;
use crate::ui::route::{Router, use_router};
use crate::ui::share::share_page;
use crate::ui::share_banner::ShareBanner;
use crate::ui::sources::connections::SourcesPage;
use crate::ui::sources::source_page::SourcePage;
use crate::ui::sources::source_trace::SourceTracePage;
use crate::ui::state::{LoadAction, Loads};
use crate::ui::theme::use_theme;
use crate::ui::trace::compare::ComparePage;
use crate::ui::trace::page::TracePage;
use crate::ui::trace::span_diff::SpanDiffPage;

/// The application.
#[component]
pub fn App() -> Html {
    let options = use_memo((), |_| page_options());
    let loads = use_reducer(Loads::default);
    let router = use_router();
    let (theme, toggle_theme, set_theme) = use_theme();
    let title = use_state(|| None::<String>);
    let picked = use_state(|| None::<PickedSpan>);
    let host = use_memo((), {
        let options = options.clone();
        move |_| Rc::new(HostLink::new(&options))
    });
    let engine = use_engine_worker(&loads, &router, &host);
    use_host(
        (*host).clone(),
        engine.clone(),
        loads.dispatcher(),
        router.route.clone(),
        router.navigate.clone(),
        HostControls {
            set_theme,
            set_title: titled(title.clone()),
        },
    );
    let loader = loader(&engine, &loads.dispatcher());
    let dragging = use_drop_and_paste(loader.clone(), options.drop);
    {
        let loads = loads.clone();
        use_effect_with((loads.version, loads.busy, loads.restored), move |_| {
            crate::ui::publish_loads(&loads)
        });
    }
    let Some(engine) = engine else {
        return html! {
            <div class="fatal">
                {"Plume could not start its engine (a Web Worker). This browser may block workers for pages opened from disk: serve the page over HTTP."}
            </div>
        };
    };
    // Kept only where the page keeps loads at all.
    let on_keep = (uses_storage() && saves_loads()).then(|| held_kept(&loader, &loads));
    let keep_shared = held_kept(&loader, &loads);
    let clear = |action: fn() -> LoadAction| {
        let loads = loads.dispatcher();
        Callback::from(move |()| loads.dispatch(action()))
    };
    let (on_clear, on_clear_quiet) = (
        clear(|| LoadAction::ClearFinished),
        clear(|| LoadAction::ClearQuiet),
    );
    // What was loaded: the list at the top shows it, and a view saying what is missing names it.
    let files = Rc::new((*loads).clone());
    let pick = ComparePick {
        picked: (*picked).clone(),
        pick: Callback::from(move |span| picked.set(span)),
    };
    html! {
        <ContextProvider<EngineHandle> context={engine}>
        <ContextProvider<ComparePick> context={pick}>
        <ContextProvider<Router> context={router.clone()}>
        <ContextProvider<Loader> context={loader}>
        <ContextProvider<Rc<Loads>> context={files.clone()}>
            <div class={classes!("app", dragging.then_some("dragging"), options.embedded.then_some("embedded"))}>
                if !options.compact {
                    <Header theme_label={theme.label()} on_theme={toggle_theme} loads={loads.version}
                            title={(*title).clone()} embedded={options.embedded} takes_files={options.drop} />
                }
                // Compact, a file's line shows while it loads, and stays only to say what went wrong.
                if let Some(share) = share_page() {
                    <ShareBanner info={share.info.clone()} on_keep={keep_shared} />
                }
                <FileList loads={files} only_problems={options.compact} {on_clear} {on_clear_quiet} {on_keep} />
                <main class="content">{ view(&router.route, loads.version, loads.files.is_empty(), options.embedded) }</main>
                if dragging {
                    <div class="drop-overlay"><div>{"Drop trace files to load them"}</div></div>
                }
            </div>
        </ContextProvider<Rc<Loads>>>
        </ContextProvider<Loader>>
        </ContextProvider<Router>>
        </ContextProvider<ComparePick>>
        </ContextProvider<EngineHandle>>
    }
}

/// Keeps what links, the host page or a share file brought.
fn held_kept(loader: &Loader, loads: &UseReducerHandle<Loads>) -> Callback<()> {
    let (keep, loads) = (loader.keep_held.clone(), loads.dispatcher());
    Callback::from(move |()| {
        loads.dispatch(LoadAction::HeldKept);
        keep.emit(());
    })
}

/// Sets the page's title (a host's or a link's).
fn titled(title: UseStateHandle<Option<String>>) -> Callback<String> {
    Callback::from(move |text: String| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format!("{text} · Plume"));
        }
        title.set(Some(text));
    })
}

fn view(route: &Route, version: u32, nothing_loaded: bool, embedded: bool) -> Html {
    match route {
        Route::Home if nothing_loaded && embedded => {
            html! { <p class="muted waiting">{"Waiting for traces from the page around this view."}</p> }
        }
        Route::Home if nothing_loaded => html! { <Welcome /> },
        Route::Home => html! { <ProjectsPage {version} /> },
        Route::Project { name, tab, view } => {
            html! { <ProjectPage name={name.clone()} tab={*tab} view={view.clone()} {version} /> }
        }
        Route::Session { project, session } => {
            html! { <SessionPage project={project.clone()} session={session.clone()} {version} /> }
        }
        Route::Trace {
            trace_id,
            span_id,
            search,
        } => {
            let search = search.clone().map(AttrValue::from);
            // Keyed: another trace is a new page (its root selected), not this one's state.
            html! { <TracePage key={trace_id.clone()} trace_id={trace_id.clone()} span_id={span_id.clone()} {search} {version} /> }
        }
        Route::Compare { base, other } => {
            html! { <ComparePage base={base.clone()} other={other.clone()} {version} /> }
        }
        Route::SpanDiff { base, other } => {
            html! { <SpanDiffPage base={base.clone()} other={other.clone()} {version} /> }
        }
        // Servers are asked only where the page may send (not embedded, not in a share file).
        Route::Sources | Route::Source { .. } | Route::SourceTrace { .. }
            if embedded || !page_powers().send =>
        {
            html! { <p class="muted">{"Reading servers is off in this page."}</p> }
        }
        Route::Sources => html! { <SourcesPage {version} /> },
        Route::Source { name, search } => {
            html! { <SourcePage key={name.clone()} name={name.clone()} search={search.clone()} {version} /> }
        }
        Route::SourceTrace {
            name,
            project,
            trace_id,
        } => {
            let project = project.clone().map(AttrValue::from);
            html! { <SourceTracePage key={trace_id.clone()} name={name.clone()} {project} trace_id={trace_id.clone()} {version} /> }
        }
    }
}
