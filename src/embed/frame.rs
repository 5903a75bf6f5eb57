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

use super::{Loaded, MessageFields, PageOptions};

/// What a host asks the frame to load, its bytes as the page got them.
pub type Load = super::Load<Uint8Array>;

/// One `{plume: {…}}` message, its bytes as the page got them.
pub type Instruction = super::Instruction<Uint8Array>;

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

impl MessageFields for JsValue {
    fn text(&self, within: Option<&str>, key: &str) -> Option<String> {
        match within {
            Some(within) => get(&get(self, within), key).as_string(),
            None => get(self, key).as_string(),
        }
    }

    fn has_bytes(&self, key: &str) -> bool {
        let value = get(self, key);
        value.is_instance_of::<js_sys::ArrayBuffer>() || value.is_instance_of::<Uint8Array>()
    }
}

/// Reads the object under a message's `plume` key; a URL is made absolute against the page's.
fn read(plume: &JsValue, page: &Window) -> Instruction {
    Instruction::read(
        plume,
        || Uint8Array::new(&get(plume, "buffer")),
        |url| {
            // Relative to the frame's page; the host resolves its own before sending.
            web_sys::Url::new_with_base(url, &page.location().href().unwrap_or_default())
                .map(|u| u.href())
                .unwrap_or_else(|_| url.to_owned())
        },
    )
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
                on_instruction(read(&plume, &window));
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
