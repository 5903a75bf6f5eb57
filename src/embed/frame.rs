//! The frame's side of the host protocol (`docs/EMBEDDING.md`): answer `"PING"` with `"PONG"`,
//! read `{plume: {…}}` instructions, and tell the host what loaded and what the user selected.
//!
//! Only messages from the frame's parent, from an origin [`PageOptions::obeys`], are read;
//! others that look meant for Plume are ignored and logged, anything else is ignored silently.
//! What the frame tells goes to the origin that spoke to it last, never to `*`.

use std::cell::RefCell;

use gloo::events::EventListener;
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Window};

use super::{Loaded, PageOptions, file_name};
use crate::present::route::Route;

/// What a host asks the frame to load.
pub enum Load {
    /// A file's bytes.
    Bytes(Uint8Array),
    /// A file's text.
    Text(String),
    /// A file at a URL, fetched by the frame.
    Url(String),
}

/// One `{plume: {…}}` message.
pub struct Instruction {
    /// Something to load, and its name.
    pub load: Option<(Load, String)>,
    /// The trace (and span) to show, once the load (if any) is done.
    pub select: Option<Route>,
    /// A title for the view.
    pub title: Option<String>,
    /// `light`, `dark` or `system`.
    pub theme: Option<String>,
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string().filter(|s| !s.is_empty())
}

impl Instruction {
    /// Reads the object under a message's `plume` key.
    fn read(plume: &JsValue, page: &Window) -> Self {
        let name = text(plume, "fileName");
        let buffer = get(plume, "buffer");
        let load = if buffer.is_instance_of::<js_sys::ArrayBuffer>()
            || buffer.is_instance_of::<Uint8Array>()
        {
            Some((
                Load::Bytes(Uint8Array::new(&buffer)),
                name.unwrap_or_else(|| "trace file".into()),
            ))
        } else if let Some(text) = get(plume, "text").as_string() {
            Some((
                Load::Text(text),
                name.unwrap_or_else(|| "trace.json".into()),
            ))
        } else if let Some(url) = text(plume, "url") {
            // Relative to the frame's page; the host resolves its own before sending.
            let absolute =
                web_sys::Url::new_with_base(&url, &page.location().href().unwrap_or_default())
                    .map(|u| u.href())
                    .unwrap_or(url);
            let name = name.unwrap_or_else(|| file_name(&absolute));
            Some((Load::Url(absolute), name))
        } else {
            None
        };
        let select = get(plume, "select");
        Self {
            load,
            select: text(&select, "traceId").map(|trace_id| Route::Trace {
                trace_id,
                span_id: text(&select, "spanId"),
            }),
            title: text(plume, "title"),
            theme: text(plume, "theme"),
        }
    }
}

/// The frame's link to its host page.
pub struct Host {
    options: PageOptions,
    /// The origin that spoke last: where what the frame tells goes.
    origin: RefCell<Option<String>>,
}

impl Host {
    /// A host link for a page run with `options`.
    pub fn new(options: PageOptions) -> Self {
        Self {
            options,
            origin: RefCell::new(None),
        }
    }

    /// Listens to the host: `on_instruction` hears each instruction it may give.
    pub fn listen(
        self: &std::rc::Rc<Self>,
        on_instruction: impl Fn(Instruction) + 'static,
    ) -> Option<EventListener> {
        let window = web_sys::window()?;
        let host = self.clone();
        Some(EventListener::new(
            &window.clone(),
            "message",
            move |event| {
                let Some(event) = event.dyn_ref::<MessageEvent>() else {
                    return;
                };
                let data = event.data();
                let ping = data.as_string().as_deref() == Some("PING");
                let plume = get(&data, "plume");
                if !ping && !plume.is_object() {
                    return;
                }
                let origin = event.origin();
                let own = window.location().origin().unwrap_or_default();
                let parent = window.parent().ok().flatten();
                let from_parent = match (event.source(), &parent) {
                    (Some(source), Some(parent)) => Object::is(&source, parent),
                    _ => false,
                };
                if !from_parent || !host.options.obeys(&origin, &own) {
                    web_sys::console::warn_1(
                    &format!(
                        "Plume ignored a message from {origin}: only its host page, from its own \
                         origin or one listed in the frame's `origins`, is obeyed"
                    )
                    .into(),
                );
                    return;
                }
                *host.origin.borrow_mut() = Some(origin.clone());
                if ping {
                    if let Some(parent) = parent {
                        let _ = parent.post_message(&"PONG".into(), &origin);
                    }
                    return;
                }
                on_instruction(Instruction::read(&plume, &window));
            },
        ))
    }

    /// Tells the host `{plume: {key: value}}`, if one has spoken.
    fn tell(&self, key: &str, value: &JsValue) {
        let Some(origin) = self.origin.borrow().clone() else {
            return;
        };
        let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
            return;
        };
        let inner = Object::new();
        let _ = Reflect::set(&inner, &key.into(), value);
        let message = Object::new();
        let _ = Reflect::set(&message, &"plume".into(), &inner);
        let _ = parent.post_message(&message, &origin);
    }

    /// Tells the host what a load it asked for came to.
    pub fn loaded(&self, loaded: Loaded) {
        let counts = Object::new();
        for (key, value) in [
            ("spans", loaded.spans),
            ("traces", loaded.traces),
            ("errors", loaded.errors),
        ] {
            let _ = Reflect::set(&counts, &key.into(), &JsValue::from_f64(value as f64));
        }
        self.tell("loaded", &counts);
    }

    /// Tells the host the user selected a trace (and a span).
    pub fn selected(&self, trace_id: &str, span_id: Option<&str>) {
        let selected = Object::new();
        let _ = Reflect::set(&selected, &"traceId".into(), &trace_id.into());
        let span = span_id.map_or(JsValue::NULL, JsValue::from_str);
        let _ = Reflect::set(&selected, &"spanId".into(), &span);
        self.tell("selected", &selected);
    }
}
