//! The current [`Route`], kept in the URL's fragment.

use gloo::events::EventListener;
use yew::prelude::*;

use crate::present::route::Route;

/// The route and a way to change it, shared through context.
#[derive(Clone, PartialEq)]
pub struct Router {
    /// Where the viewer is.
    pub route: Route,
    /// Goes somewhere: `(route, replace)`; `replace` changes the URL without a history entry
    /// (moving the selection), otherwise Back returns here.
    pub navigate: Callback<(Route, bool)>,
}

impl Router {
    /// Goes to `route`, with a history entry.
    pub fn go(&self, route: Route) {
        self.navigate.emit((route, false));
    }

    /// Goes to `route` without a history entry.
    pub fn replace(&self, route: Route) {
        self.navigate.emit((route, true));
    }
}

fn current() -> Route {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Route::parse(&hash)
}

/// Keeps the route in step with the URL.
#[hook]
pub fn use_router() -> Router {
    let route = use_state(current);
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "hashchange", move |_| route.set(current()))
            });
            move || drop(listener)
        });
    }
    let navigate = {
        let route = route.clone();
        Callback::from(move |(next, replace): (Route, bool)| {
            let Some(window) = web_sys::window() else {
                return;
            };
            let fragment = next.to_fragment();
            if replace {
                if let Ok(history) = window.history() {
                    let _ = history.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&fragment),
                    );
                }
            } else {
                let _ = window.location().set_hash(&fragment);
            }
            route.set(next);
        })
    };
    Router {
        route: (*route).clone(),
        navigate,
    }
}
