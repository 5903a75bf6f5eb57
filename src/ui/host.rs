//! The page's host, if it has one: a page embedding Plume in an iframe (`?embed`, spoken to
//! through [`crate::embed::frame`]), or a `#url=` link naming a file to load. The loads they ask
//! for are followed to their end, to tell the host what they came to and to show the trace they
//! named. A share file's page is loaded the same way.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use yew::prelude::*;

use crate::embed::frame::{Host, Instruction, Load};
use crate::embed::{HostLoads, LinkedFile, PageOptions};
use crate::engine::messages::Source;
use crate::present::route::Route;
use crate::ui::bridge::{EngineHandle, LoadEvent};
use crate::ui::share::{SharePage, share_page};
use crate::ui::state::{LoadAction, Loads};
use crate::ui::theme::ThemeChoice;

/// The loads a host or a link asked for, and the frame's link to its host (when embedded).
pub struct HostLink {
    loads: RefCell<HostLoads>,
    frame: Option<Rc<Host>>,
}

impl HostLink {
    /// The link of a page run with `options`.
    pub fn new(options: &PageOptions) -> Self {
        Self {
            loads: RefCell::default(),
            frame: options
                .embedded
                .then(|| Rc::new(Host::new(options.clone()))),
        }
    }

    /// The engine's load events: followed here, then handed to `dispatch`. When a load the
    /// host asked for is done, the host hears what it came to and `navigate` goes where it
    /// asked.
    pub fn follow(
        self: &Rc<Self>,
        dispatch: Callback<LoadAction>,
        navigate: Callback<(Route, bool)>,
    ) -> Callback<LoadEvent> {
        let link = self.clone();
        Callback::from(move |event: LoadEvent| {
            let done = match &event {
                LoadEvent::Loaded { batch, result, .. } => {
                    link.loads.borrow_mut().file_done(*batch, result);
                    None
                }
                LoadEvent::Done { batch } => link.loads.borrow_mut().batch_done(*batch),
                LoadEvent::Progress(_) | LoadEvent::Stopped { .. } | LoadEvent::Live(_) => None,
            };
            dispatch.emit(LoadAction::Event(event));
            if let Some((loaded, then)) = done {
                if let Some(frame) = &link.frame {
                    frame.loaded(loaded);
                }
                if let Some(route) = then {
                    navigate.emit((route, true));
                }
            }
        })
    }

    /// Loads what a host or a link asked for; `then` is where to go once it is done.
    fn load(
        &self,
        engine: &EngineHandle,
        loads: &UseReducerDispatcher<Loads>,
        load: Load,
        name: &str,
        then: Option<Route>,
    ) {
        loads.dispatch(LoadAction::Started);
        let batch = match load {
            // What a host or a link brings is shown, never kept unless the user keeps it.
            Load::Bytes(bytes) => engine.load(
                Source::Bytes {
                    name: name.to_owned(),
                },
                true,
                Some(bytes.into()),
            ),
            Load::Text(text) => engine.load(
                Source::Text {
                    name: name.to_owned(),
                    text,
                },
                true,
                None,
            ),
            Load::Url(url) => engine.load(
                Source::Url {
                    url,
                    name: name.to_owned(),
                },
                true,
                None,
            ),
        };
        self.loads.borrow_mut().start(batch, then);
    }
}

impl HostLink {
    /// Loads what a share file holds, kept only if the user asks, then goes where it says.
    fn load_shared(
        &self,
        engine: &EngineHandle,
        loads: &UseReducerDispatcher<Loads>,
        share: &SharePage,
    ) {
        let then = share.info.open.as_deref().map_or(Route::Home, Route::parse);
        let last = share.files.len().saturating_sub(1);
        for (i, (name, bytes)) in share.files.iter().enumerate() {
            let load = Load::Bytes(bytes.clone());
            self.load(engine, loads, load, name, (i == last).then(|| then.clone()));
        }
    }
}

/// What a host may change on the page.
pub struct HostControls {
    /// Sets the theme.
    pub set_theme: Callback<ThemeChoice>,
    /// Sets the title.
    pub set_title: Callback<String>,
}

/// Loads the `#url=` link's file, if the page was opened with one; when embedded, obeys the
/// host and tells it which trace and span the user selects.
#[hook]
pub fn use_host(
    link: Rc<HostLink>,
    engine: Option<EngineHandle>,
    loads: UseReducerDispatcher<Loads>,
    route: Route,
    navigate: Callback<(Route, bool)>,
    controls: HostControls,
) {
    {
        let (link, engine, loads) = (link.clone(), engine.clone(), loads.clone());
        use_effect_with((), move |_| {
            let hash = web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .unwrap_or_default();
            // A share file's title is already its document's (its shell's), and its banner's.
            if let (Some(share), Some(engine)) = (share_page(), &engine) {
                link.load_shared(engine, &loads, &share);
            }
            if let (Some(file), Some(engine)) = (LinkedFile::from_fragment(&hash), &engine) {
                if let Some(title) = &file.title {
                    controls.set_title.emit(title.clone());
                }
                // Afterwards the fragment says where the viewer is, not the link.
                let then = file.route().unwrap_or(Route::Home);
                link.load(
                    engine,
                    &loads,
                    Load::Url(file.url.clone()),
                    &file.name(),
                    Some(then),
                );
            }
            let listener: Option<EventListener> = link.frame.clone().and_then(|frame| {
                let link = link.clone();
                frame.listen(move |instruction: Instruction| {
                    if let Some(theme) = &instruction.theme {
                        controls.set_theme.emit(ThemeChoice::from_name(theme));
                    }
                    if let Some(title) = instruction.title {
                        controls.set_title.emit(title);
                    }
                    match (instruction.load, &engine) {
                        (Some((load, name)), Some(engine)) => {
                            link.load(engine, &loads, load, &name, instruction.select)
                        }
                        _ => {
                            if let Some(route) = instruction.select {
                                navigate.emit((route, false));
                            }
                        }
                    }
                })
            });
            move || drop(listener)
        });
    }
    use_effect_with(route, move |route| {
        if let (
            Some(frame),
            Route::Trace {
                trace_id, span_id, ..
            },
        ) = (&link.frame, route)
        {
            frame.selected(trace_id, span_id.as_deref());
        }
    });
}
