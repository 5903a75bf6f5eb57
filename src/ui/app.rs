//! The page: header, files being loaded, and the current route's view. Files come in by drop
//! (anywhere), the file picker, paste, or a sample button; all go to the engine worker.

use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;

use crate::engine::messages::{Query, Source};
use crate::engine::protocol::{SpanSelection, Summary};
use crate::present::format;
use crate::present::route::Route;
use crate::ui::bridge::EngineHandle;
use crate::ui::common::delete_button::DeleteButton;
use crate::ui::common::file_list::FileList;
use crate::ui::context::{Loader, page_options, page_powers, uses_storage};
use crate::ui::home::projects::ProjectsPage;
use crate::ui::home::save_setting::saves_loads;
use crate::ui::home::welcome::Welcome;
use crate::ui::host::{HostControls, HostLink, use_host};
use crate::ui::project::page::ProjectPage;
use crate::ui::project::session::SessionPage;
use crate::ui::query::use_query_for;
use crate::ui::route::{Router, use_router};
use crate::ui::state::{LoadAction, Loads};
use crate::ui::theme::use_theme;
use crate::ui::trace::compare::ComparePage;
use crate::ui::trace::page::TracePage;

/// Keeps what links and the host page brought.
fn keep_held(engine: EngineHandle, loads: UseReducerDispatcher<Loads>) -> Callback<()> {
    Callback::from(move |()| {
        loads.dispatch(LoadAction::HeldKept);
        loads.dispatch(LoadAction::Started);
        engine.keep_held();
    })
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The application.
#[component]
pub fn App() -> Html {
    let options = use_memo((), |_| page_options());
    let loads = use_reducer(Loads::default);
    let router = use_router();
    let (theme, toggle_theme, set_theme) = use_theme();
    let title = use_state(|| None::<String>);
    let host = use_memo((), {
        let options = options.clone();
        move |_| Rc::new(HostLink::new(&options))
    });
    let engine = {
        let (dispatcher, navigate) = (loads.dispatcher(), router.navigate.clone());
        let host = host.clone();
        use_memo((), move |_| {
            let dispatch = Callback::from(move |action| dispatcher.dispatch(action));
            let follow = host.follow(dispatch, navigate);
            let engine =
                EngineHandle::new(follow, page_powers().database.as_deref(), saves_loads()).ok();
            crate::ui::publish_engine(engine.clone());
            engine
        })
    };
    use_host(
        (*host).clone(),
        (*engine).clone(),
        loads.dispatcher(),
        router.route.clone(),
        router.navigate.clone(),
        HostControls {
            set_theme,
            set_title: {
                let title = title.clone();
                Callback::from(move |text: String| {
                    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                        document.set_title(&format!("{text} · Plume"));
                    }
                    title.set(Some(text));
                })
            },
        },
    );
    let loader = {
        let engine = engine.clone();
        let dispatcher = loads.dispatcher();
        let files = {
            let engine = engine.clone();
            let dispatcher = dispatcher.clone();
            Callback::from(move |files: Vec<File>| {
                if let (Some(engine), false) = (engine.as_ref(), files.is_empty()) {
                    dispatcher.dispatch(LoadAction::Started);
                    engine.load_files(files);
                }
            })
        };
        let url = {
            let (engine, dispatcher) = (engine.clone(), dispatcher.clone());
            Callback::from(move |(url, name): (String, String)| {
                if let Some(engine) = engine.as_ref() {
                    dispatcher.dispatch(LoadAction::Started);
                    engine.load(Source::Url { url, name }, false, None);
                }
            })
        };
        let saving = {
            let (engine, dispatcher) = (engine.clone(), dispatcher.clone());
            Callback::from(move |on: bool| {
                if let Some(engine) = engine.as_ref() {
                    dispatcher.dispatch(LoadAction::Started);
                    engine.set_saving(on);
                }
            })
        };
        let forget_prices = {
            let (engine, dispatcher) = (engine.clone(), dispatcher.clone());
            Callback::from(move |key: String| {
                if let Some(engine) = engine.as_ref() {
                    dispatcher.dispatch(LoadAction::Started);
                    engine.forget_prices(key);
                }
            })
        };
        let forget = Callback::from(move |selection: Option<SpanSelection>| {
            if let Some(engine) = engine.as_ref() {
                if selection.is_none() {
                    dispatcher.dispatch(LoadAction::ClearFinished);
                }
                dispatcher.dispatch(LoadAction::Started);
                engine.forget(selection);
            }
        });
        Loader {
            files,
            url,
            forget,
            saving,
            forget_prices,
        }
    };

    // Drop anywhere, paste anywhere but in a text field (embedded, only if the host asks).
    let dragging = use_state(|| false);
    {
        let (loader, dragging) = (loader.clone(), dragging.clone());
        let engine = engine.clone();
        let dispatcher = loads.dispatcher();
        let takes_files = options.drop;
        use_effect_with((), move |_| {
            let window = web_sys::window().filter(|_| takes_files);
            let options = EventListenerOptions::enable_prevent_default();
            let listeners = window.map(|window| {
                let over = {
                    let dragging = dragging.clone();
                    EventListener::new_with_options(&window, "dragover", options, move |event| {
                        event.prevent_default();
                        dragging.set(true);
                    })
                };
                let leave = {
                    let dragging = dragging.clone();
                    EventListener::new(&window, "dragleave", move |event| {
                        // Leaving the window (not moving between elements) has no related target.
                        let leaving = event
                            .dyn_ref::<DragEvent>()
                            .is_some_and(|e| e.related_target().is_none());
                        if leaving {
                            dragging.set(false);
                        }
                    })
                };
                let drop =
                    EventListener::new_with_options(&window, "drop", options, move |event| {
                        event.prevent_default();
                        dragging.set(false);
                        let files = event
                            .dyn_ref::<DragEvent>()
                            .and_then(DragEvent::data_transfer)
                            .and_then(|transfer| transfer.files());
                        loader.files.emit(files_of(files));
                    });
                let paste = EventListener::new(&window, "paste", move |event| {
                    if crate::ui::typing_into(event) {
                        return;
                    }
                    let text = event
                        .dyn_ref::<web_sys::ClipboardEvent>()
                        .and_then(web_sys::ClipboardEvent::clipboard_data)
                        .and_then(|data| data.get_data("text").ok())
                        .unwrap_or_default();
                    if let (Some(engine), false) = (engine.as_ref(), text.trim().is_empty()) {
                        dispatcher.dispatch(LoadAction::Started);
                        let name = "pasted.json".to_owned();
                        engine.load(Source::Text { name, text }, false, None);
                    }
                });
                (over, leave, drop, paste)
            });
            move || drop(listeners)
        });
    }

    {
        let loads = loads.clone();
        use_effect_with((loads.version, loads.busy, loads.restored), move |_| {
            crate::ui::publish_loads(&loads)
        });
    }
    let on_keep = match ((*engine).clone(), uses_storage() && saves_loads()) {
        (Some(engine), true) => Some(keep_held(engine, loads.dispatcher())),
        _ => None,
    };
    let Some(engine) = (*engine).clone() else {
        return html! {
            <div class="fatal">
                {"Plume could not start its engine (a Web Worker). This browser may block workers for pages opened from disk: serve the page over HTTP."}
            </div>
        };
    };
    html! {
        <ContextProvider<EngineHandle> context={engine}>
        <ContextProvider<Router> context={router.clone()}>
        <ContextProvider<Loader> context={loader.clone()}>
            <div class={classes!("app", dragging.then_some("dragging"), options.embedded.then_some("embedded"))}>
                if !options.compact {
                    <Header theme_label={theme.label()} on_theme={toggle_theme} loads={loads.version}
                            title={(*title).clone()} embedded={options.embedded} takes_files={options.drop} />
                }
                // Compact, a file's line shows while it loads, and stays only to say what went wrong.
                <FileList loads={Rc::new((*loads).clone())} only_problems={options.compact}
                          on_clear={let d = loads.dispatcher(); Callback::from(move |()| d.dispatch(LoadAction::ClearFinished))}
                          {on_keep} />
                <main class="content">{ view(&router.route, loads.version, loads.files.is_empty(), options.embedded) }</main>
                if *dragging {
                    <div class="drop-overlay"><div>{"Drop trace files to load them"}</div></div>
                }
            </div>
        </ContextProvider<Loader>>
        </ContextProvider<Router>>
        </ContextProvider<EngineHandle>>
    }
}

fn view(route: &Route, version: u32, nothing_loaded: bool, embedded: bool) -> Html {
    match route {
        Route::Home if nothing_loaded && embedded => {
            html! { <p class="muted waiting">{"Waiting for traces from the page around this view."}</p> }
        }
        Route::Home if nothing_loaded => html! { <Welcome /> },
        Route::Home => html! { <ProjectsPage {version} /> },
        Route::Project { name, tab } => {
            html! { <ProjectPage name={name.clone()} tab={*tab} {version} /> }
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
            html! { <TracePage trace_id={trace_id.clone()} span_id={span_id.clone()} {search} {version} /> }
        }
        Route::Compare { base, other } => {
            html! { <ComparePage base={base.clone()} other={other.clone()} {version} /> }
        }
    }
}

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
fn Header(props: &HeaderProps) -> Html {
    let router = use_context::<Router>();
    let loader = use_context::<Loader>();
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
    let picker = use_node_ref();
    let open = {
        let picker = picker.clone();
        Callback::from(move |_| {
            if let Some(input) = picker.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let onchange = {
        let loader = loader.clone();
        Callback::from(move |event: Event| {
            if let (Some(input), Some(loader)) =
                (event.target_dyn_into::<HtmlInputElement>(), loader.as_ref())
            {
                loader.files.emit(files_of(input.files()));
                input.set_value("");
            }
        })
    };
    let crumbs = router
        .as_ref()
        .map(|r| breadcrumbs(&r.route))
        .unwrap_or_default();
    let on_theme = props.on_theme.reform(|_: MouseEvent| ());
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
            if summary.spans > 0 && !props.embedded {
                <DeleteButton selection={None::<SpanSelection>} label="Forget all…" then={Route::Home}
                              question="Forget every trace loaded, here and in this browser's storage?" />
            }
            if props.takes_files {
                <button class="button primary" onclick={open}>{"Open files…"}</button>
                <input ref={picker} type="file" multiple=true class="hidden" data-testid="file-input" {onchange} />
            }
            if !props.embedded {
                <button class="button" onclick={on_theme} title="Light, dark, or as the system says">{ props.theme_label.clone() }</button>
            }
        </header>
    }
}

fn breadcrumbs(route: &Route) -> Html {
    let project = |name: &str| {
        let route = Route::Project {
            name: name.to_owned(),
            tab: crate::present::route::ProjectTab::Traces,
        };
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
        Route::Compare { .. } => {
            html! { <><span class="sep">{"/"}</span><span>{"compare"}</span></> }
        }
    }
}
