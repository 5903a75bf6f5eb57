//! The browser entry point. Until the Yew viewer lands, a plain page: drop or pick trace files
//! (or load a sample) and see what Plume read from them. Everything runs in this tab; every
//! value from a file is shown as text (`textContent`), never as HTML.

#[cfg(target_arch = "wasm32")]
fn main() {
    page::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("plume-web runs in a browser: start it with `./dev serve`");
}

#[cfg(target_arch = "wasm32")]
mod page {
    use std::cell::RefCell;
    use std::rc::Rc;

    use plume::analysis::Traces;
    use plume::ingest;
    use plume::model::Arena;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::{JsFuture, spawn_local};
    use web_sys::{Document, DragEvent, Element, File, HtmlInputElement};

    /// Everything loaded so far.
    type State = Rc<RefCell<Arena>>;

    pub fn start() {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let state: State = Rc::new(RefCell::new(Arena::default()));
        let drop_zone = document.get_element_by_id("drop-zone");
        let picker = document
            .get_element_by_id("file-picker")
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok());
        if let Some(picker) = picker {
            let state = state.clone();
            let input = picker.clone();
            listen(&picker, "change", move |_| {
                if let Some(files) = input.files() {
                    for i in 0..files.length() {
                        if let Some(file) = files.get(i) {
                            spawn_local(load_file(state.clone(), file));
                        }
                    }
                }
            });
        }
        if let Some(zone) = drop_zone {
            listen(&zone, "dragover", |event| event.prevent_default());
            let state = state.clone();
            listen(&zone, "drop", move |event| {
                event.prevent_default();
                let files = event
                    .dyn_ref::<DragEvent>()
                    .and_then(DragEvent::data_transfer)
                    .and_then(|transfer| transfer.files());
                if let Some(files) = files {
                    for i in 0..files.length() {
                        if let Some(file) = files.get(i) {
                            spawn_local(load_file(state.clone(), file));
                        }
                    }
                }
            });
        }
        let samples = document.query_selector_all("[data-sample]");
        if let Ok(samples) = samples {
            for i in 0..samples.length() {
                let Some(button) = samples.get(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                    continue;
                };
                let state = state.clone();
                let url = button.get_attribute("data-sample").unwrap_or_default();
                listen(&button, "click", move |_| {
                    spawn_local(load_url(state.clone(), url.clone()));
                });
            }
        }
    }

    fn listen(
        target: &web_sys::EventTarget,
        name: &str,
        handler: impl FnMut(web_sys::Event) + 'static,
    ) {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
        let _ = target.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        // The page lives as long as the tab: the listener is never removed.
        closure.forget();
    }

    async fn load_file(state: State, file: File) {
        let name = file.name();
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => ingest_bytes(&state, &name, &js_sys::Uint8Array::new(&buffer).to_vec()),
            Err(_) => show_line(&format!("{name}: the browser could not read the file")),
        }
    }

    async fn load_url(state: State, url: String) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let response = JsFuture::from(window.fetch_with_str(&url)).await;
        let response: Option<web_sys::Response> = response.ok().and_then(|r| r.dyn_into().ok());
        let Some(response) = response.filter(web_sys::Response::ok) else {
            show_line(&format!("{url}: could not be fetched"));
            return;
        };
        let Ok(promise) = response.array_buffer() else {
            return;
        };
        if let Ok(buffer) = JsFuture::from(promise).await {
            let name = url.rsplit('/').next().unwrap_or(&url).to_owned();
            ingest_bytes(&state, &name, &js_sys::Uint8Array::new(&buffer).to_vec());
        }
    }

    fn ingest_bytes(state: &State, name: &str, bytes: &[u8]) {
        let mut arena = state.borrow_mut();
        let report = ingest::load(&mut arena, name, bytes);
        let format = report.format.map_or("unreadable", |f| f.name());
        show_line(&format!("{name}: {format}, {} spans", report.spans));
        for error in &report.errors {
            show_line(&format!("  error: {error}"));
        }
        for warning in &report.warnings {
            show_line(&format!("  warning: {warning}"));
        }
        let traces = Traces::assemble(&arena);
        let overview = traces.overview();
        let projects: Vec<&str> = overview
            .projects
            .iter()
            .map(|p| arena.str(p.name))
            .collect();
        set_text(
            "totals",
            &format!(
                "{} spans in {} traces; projects: {}; {} sessions",
                overview.spans,
                overview.traces,
                projects.join(", "),
                overview.sessions
            ),
        );
    }

    fn document() -> Option<Document> {
        web_sys::window()?.document()
    }

    fn show_line(text: &str) {
        let Some(document) = document() else { return };
        let (Some(log), Ok(line)) = (
            document.get_element_by_id("log"),
            document.create_element("div"),
        ) else {
            return;
        };
        line.set_text_content(Some(text));
        let _ = log.append_child(&line);
    }

    fn set_text(id: &str, text: &str) {
        if let Some(element) = document().and_then(|d| d.get_element_by_id(id)) {
            element.set_text_content(Some(text));
        }
    }
}
