//! The trace's search box: as you type (after a pause) it searches, Enter / Shift+Enter jump
//! between matches, Escape clears, and `/` anywhere but in a text field focuses it. A search that
//! reads as a span filter is one, and says so; one that looks like a filter but does not read
//! says where it went wrong, and offers to search for the words instead.

use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::analysis::filter::FilterError;
use crate::engine::protocol::{SearchReading, TraceOverview};
use crate::present::format;

/// The box's properties.
#[derive(Properties, PartialEq)]
pub(crate) struct SearchBoxProps {
    /// The text in the box (the page keeps it: it goes in the URL).
    pub text: UseStateHandle<String>,
    /// The trace's view: what was searched and what matched.
    pub trace: Rc<TraceOverview>,
    /// Hears a search to run (empty clears it), and whether it is words even if it looks like a
    /// filter.
    pub on_search: Callback<(String, bool)>,
    /// Hears a match to go to: its visible row.
    pub on_jump: Callback<u32>,
}

/// See the module docs.
#[component]
pub(crate) fn SearchBox(props: &SearchBoxProps) -> Html {
    let input = use_node_ref();
    let position = use_state(|| 0usize);
    let pending = use_mut_ref(|| None::<Timeout>);
    use_slash_focuses(input.clone());
    let run = {
        let (on_search, position) = (props.on_search.clone(), position.clone());
        Callback::from(move |text: String| {
            position.set(0);
            on_search.emit((text, false));
        })
    };
    let oninput = {
        let (text, run, pending) = (props.text.clone(), run.clone(), pending.clone());
        Callback::from(move |event: InputEvent| {
            let Some(field) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let typed = field.value();
            text.set(typed.clone());
            let run = run.clone();
            *pending.borrow_mut() = Some(Timeout::new(250, move || run.emit(typed)));
        })
    };
    let jump = {
        let (on_jump, position) = (props.on_jump.clone(), position.clone());
        let matches = props.trace.matches.clone();
        Callback::from(move |step: i64| {
            if matches.is_empty() {
                return;
            }
            let n = matches.len() as i64;
            let next = (*position as i64 + step).rem_euclid(n) as usize;
            position.set(next);
            on_jump.emit(matches[next]);
        })
    };
    let onkeydown = {
        let (jump, run, text) = (jump.clone(), run, props.text.clone());
        let searched = props.trace.search.clone();
        // A search run by a key need not run again when the typing pause ends.
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            "Enter" if *text != searched => {
                pending.borrow_mut().take();
                run.emit((*text).clone());
            }
            "Enter" => jump.emit(if event.shift_key() { -1 } else { 1 }),
            "Escape" => {
                pending.borrow_mut().take();
                run.emit(String::new());
            }
            _ => {}
        })
    };
    let trace = &props.trace;
    let label = format::matches(
        &trace.search,
        trace.matches.len(),
        *position,
        &trace.search_reading,
    );
    let step = |by: i64| jump.reform(move |_: MouseEvent| by);
    html! {
        <>
            <input ref={input} type="search" class="search" placeholder="Search spans (text, or a filter like span_kind == 'LLM') — press /"
                   value={(*props.text).clone()} {oninput} {onkeydown} aria-label="Search in the trace" data-testid="trace-search" />
            <span class="muted matches" data-testid="search-matches">{ label }</span>
            <button class="button small" onclick={step(-1)} title="Previous match (Shift+Enter)">{"↑"}</button>
            <button class="button small" onclick={step(1)} title="Next match (Enter)">{"↓"}</button>
            if let SearchReading::BadFilter(error) = &trace.search_reading {
                <BadFilter error={error.clone()} text={trace.search.clone()} on_search={props.on_search.clone()} />
            }
        </>
    }
}

/// The note's properties.
#[derive(Properties, PartialEq)]
struct BadFilterProps {
    /// Why the search does not read as a filter.
    error: FilterError,
    /// The search.
    text: String,
    /// Runs a search.
    on_search: Callback<(String, bool)>,
}

/// A search that looks like a filter and does not read: where it went wrong, and the words
/// searched for instead if the user wants.
#[component]
fn BadFilter(props: &BadFilterProps) -> Html {
    let as_text = {
        let (on_search, text) = (props.on_search.clone(), props.text.clone());
        Callback::from(move |_: MouseEvent| on_search.emit((text.clone(), true)))
    };
    html! {
        <span class="search-problem" role="alert" data-testid="search-problem">
            <span class="error">{ format!("Not a filter: {}", props.error) }</span>
            <button class="button small" data-testid="search-as-text" onclick={as_text}>{"Search as text"}</button>
        </span>
    }
}

/// `/` focuses `input`, from anywhere but a text field.
#[hook]
fn use_slash_focuses(input: NodeRef) {
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|window| {
            EventListener::new(&window, "keydown", move |event| {
                let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if key.key() == "/" && !crate::ui::typing_into(event) {
                    key.prevent_default();
                    if let Some(field) = input.cast::<HtmlInputElement>() {
                        let _ = field.focus();
                    }
                }
            })
        });
        move || drop(listener)
    });
}
