//! Loading, for the whole page: the engine's worker started once, the [`Loader`] every part
//! loads through, and files dropped anywhere or text pasted anywhere but in a field.

use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File};
use yew::prelude::*;

use crate::embed::PageOptions;
use crate::engine::messages::Source;
use crate::engine::protocol::SpanSelection;
use crate::ui::bridge::EngineHandle;
use crate::ui::context::{Loader, page_options, page_powers};
use crate::ui::home::save_setting::saves_loads;
use crate::ui::host::HostLink;
use crate::ui::route::Router;
use crate::ui::state::{LoadAction, Loads};

/// The files of a file list (of a picker or a drop).
pub(crate) fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The engine's worker, started once; its load events go through the host link (which tells
/// the host what its loads came to) to `loads`. `None` if the browser would not start it.
#[hook]
pub(crate) fn use_engine_worker(
    loads: &UseReducerHandle<Loads>,
    router: &Router,
    host: &Rc<HostLink>,
) -> Option<EngineHandle> {
    let (dispatcher, navigate, host) = (loads.dispatcher(), router.navigate.clone(), host.clone());
    let started = loads.dispatcher();
    let engine = use_memo((), move |_| {
        let dispatch = Callback::from(move |action| dispatcher.dispatch(action));
        let follow = host.follow(dispatch, navigate);
        let options = page_options();
        let database = page_powers().database;
        let engine =
            EngineHandle::new(follow, options.embedded, database.as_deref(), saves_loads()).ok();
        // Served by `plume serve`: what it keeps is shown from the start, then what it receives.
        if let (Some(engine), Some(api)) = (engine.as_ref(), options.server) {
            started.dispatch(LoadAction::Started);
            let token = options.server_token;
            if token.is_some() {
                forget_token_in_address();
            }
            engine.load(Source::Server { api, token }, false, None);
        }
        crate::ui::publish_engine(engine.clone());
        engine
    });
    (*engine).clone()
}

/// Takes the token out of the address bar: held in memory, it is not left on the screen, in the
/// history or in a link the user copies.
fn forget_token_in_address() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let (Ok(path), Ok(search), Ok(hash)) =
        (location.pathname(), location.search(), location.hash())
    else {
        return;
    };
    let address = format!("{path}{}{hash}", PageOptions::without_token(&search));
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address));
    }
}

/// A callback that starts a load batch (the file lines then wait for it) and asks the engine.
fn batch<T: 'static>(
    engine: &Option<EngineHandle>,
    loads: &UseReducerDispatcher<Loads>,
    ask: impl Fn(&EngineHandle, T) + 'static,
) -> Callback<T> {
    let (engine, loads) = (engine.clone(), loads.clone());
    Callback::from(move |value: T| {
        if let Some(engine) = engine.as_ref() {
            loads.dispatch(LoadAction::Started);
            ask(engine, value);
        }
    })
}

/// What every part loads, forgets and keeps through.
pub(crate) fn loader(engine: &Option<EngineHandle>, loads: &UseReducerDispatcher<Loads>) -> Loader {
    let clear = loads.clone();
    Loader {
        files: batch(engine, loads, |engine, files: Vec<File>| {
            engine.load_files(files);
        }),
        url: batch(engine, loads, |engine, (url, name): (String, String)| {
            engine.load(Source::Url { url, name }, false, None);
        }),
        text: batch(engine, loads, |engine, text: String| {
            let name = "pasted.json".to_owned();
            engine.load(Source::Text { name, text }, false, None);
        }),
        forget: batch(
            engine,
            loads,
            move |engine, selection: Option<SpanSelection>| {
                if selection.is_none() {
                    clear.dispatch(LoadAction::ClearFinished);
                }
                engine.forget(selection);
            },
        ),
        saving: batch(engine, loads, |engine, on: bool| {
            engine.set_saving(on);
        }),
        forget_prices: batch(engine, loads, |engine, key: String| {
            engine.forget_prices(key);
        }),
        keep_held: batch(engine, loads, |engine, ()| {
            engine.keep_held();
        }),
        annotate: batch(engine, loads, |engine, (annotation, remove)| {
            engine.annotate(annotation, remove);
        }),
        remote: batch(engine, loads, |engine, (source, project, traces)| {
            engine.load(
                Source::Remote {
                    source,
                    project,
                    traces,
                },
                true,
                None,
            );
        }),
    }
}

/// Files dropped anywhere and text pasted anywhere but in a field are loaded (when `takes`);
/// whether files are being dragged over the page.
#[hook]
pub(crate) fn use_drop_and_paste(loader: Loader, takes: bool) -> bool {
    let dragging = use_state(|| false);
    {
        let dragging = dragging.clone();
        use_effect_with((), move |_| {
            let listeners = web_sys::window()
                .filter(|_| takes)
                .map(|window| listen(&window, &loader, &dragging));
            move || drop(listeners)
        });
    }
    *dragging
}

/// The window's drag, drop and paste listeners.
fn listen(
    window: &web_sys::Window,
    loader: &Loader,
    dragging: &UseStateHandle<bool>,
) -> [EventListener; 4] {
    let options = EventListenerOptions::enable_prevent_default();
    let over = {
        let dragging = dragging.clone();
        EventListener::new_with_options(window, "dragover", options, move |event| {
            event.prevent_default();
            dragging.set(true);
        })
    };
    let leave = {
        let dragging = dragging.clone();
        EventListener::new(window, "dragleave", move |event| {
            // Leaving the window (not moving between elements) has no related target.
            let leaving = event
                .dyn_ref::<DragEvent>()
                .is_some_and(|e| e.related_target().is_none());
            if leaving {
                dragging.set(false);
            }
        })
    };
    let drop = {
        let (dragging, files) = (dragging.clone(), loader.files.clone());
        EventListener::new_with_options(window, "drop", options, move |event| {
            event.prevent_default();
            dragging.set(false);
            let list = event
                .dyn_ref::<DragEvent>()
                .and_then(DragEvent::data_transfer)
                .and_then(|transfer| transfer.files());
            files.emit(files_of(list));
        })
    };
    let text = loader.text.clone();
    let paste = EventListener::new(window, "paste", move |event| {
        if crate::ui::typing_into(event) {
            return;
        }
        let pasted = event
            .dyn_ref::<web_sys::ClipboardEvent>()
            .and_then(web_sys::ClipboardEvent::clipboard_data)
            .and_then(|data| data.get_data("text").ok())
            .unwrap_or_default();
        if !pasted.trim().is_empty() {
            text.emit(pasted);
        }
    });
    [over, leave, drop, paste]
}
