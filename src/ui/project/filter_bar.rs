//! The span filter bar: a Phoenix filter expression, checked by the engine as it is applied
//! (Enter or Apply), with the place of a mistake marked under the text; the table keeps the last
//! filter that read, and is told so it can say its rows are that filter's.

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::analysis::filter::FilterError;
use crate::engine::messages::Query;

use crate::ui::common::input::value_of;
use crate::ui::query::use_engine;

/// Examples offered as the user types, as Phoenix's filter snippets offer them.
const EXAMPLES: [&str; 10] = [
    "span_kind == 'LLM'",
    "status_code == 'ERROR'",
    "latency_ms >= 1000",
    "'error' in output.value",
    "llm.model_name == 'gpt-4o'",
    "llm.token_count.total > 1000",
    "cumulative_token_count.total > 1000",
    "metadata['topic'] == 'billing'",
    "evals['correctness'].label == 'incorrect'",
    "parent_id is None",
];

/// The bar's properties.
#[derive(Properties, PartialEq)]
pub struct FilterBarProps {
    /// The filter applied now ("" for none).
    pub applied: AttrValue,
    /// Hears a filter that reads ("" clears).
    pub on_apply: Callback<String>,
    /// Hears whether the bar holds a filter that does not read.
    pub on_mistake: Callback<bool>,
}

/// See the module docs.
#[component]
pub fn FilterBar(props: &FilterBarProps) -> Html {
    let draft = use_state(|| props.applied.to_string());
    {
        // A filter applied from elsewhere (a link, Back) shows in the bar.
        let draft = draft.clone();
        use_effect_with(props.applied.clone(), move |applied| {
            draft.set(applied.to_string())
        });
    }
    let (apply, error) = use_filter_check(props.on_apply.clone());
    {
        let on_mistake = props.on_mistake.clone();
        use_effect_with(error.is_some(), move |wrong| on_mistake.emit(*wrong));
    }
    let oninput = {
        let (draft, error) = (draft.clone(), error.clone());
        Callback::from(move |event: InputEvent| {
            draft.set(value_of(&event));
            error.set(None);
        })
    };
    // Escape and Clear empty the bar and lift the filter.
    let clear = {
        let (apply, draft) = (apply.clone(), draft.clone());
        Callback::from(move |()| {
            draft.set(String::new());
            apply.emit(String::new());
        })
    };
    let onkeydown = {
        let (apply, draft, clear) = (apply.clone(), draft.clone(), clear.clone());
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            "Enter" => apply.emit((*draft).clone()),
            "Escape" => clear.emit(()),
            _ => {}
        })
    };
    let on_apply_click = {
        let draft = draft.clone();
        apply.reform(move |_: MouseEvent| (*draft).clone())
    };
    let on_clear = clear.reform(|_: MouseEvent| ());
    let applied = !props.applied.is_empty();
    html! {
        <div class="filter-bar">
            <input type="search" class={classes!("mono", applied.then_some("applied"))} list="filter-examples"
                   placeholder="Span filter, as in Phoenix: span_kind == 'LLM' and latency_ms > 1000 (Enter applies)"
                   value={(*draft).clone()} {oninput} {onkeydown} spellcheck="false"
                   aria-label="Span filter" data-testid="filter-input" />
            <datalist id="filter-examples">
                { for EXAMPLES.iter().map(|example| html! { <option value={*example} /> }) }
            </datalist>
            <button class="button small" onclick={on_apply_click} data-testid="filter-apply">{"Apply"}</button>
            if applied {
                <button class="button small" onclick={on_clear}>{"Clear"}</button>
            }
            if let Some((text, problem)) = (*error).clone() {
                <FilterProblem {text} {problem} />
            }
        </div>
    }
}

/// A filter that did not read, and what was wrong with it.
type Mistake = Option<(AttrValue, FilterError)>;

/// Applying a filter: the engine checks it first; one that reads goes to `on_apply` (as does
/// "", which lifts the filter), one that does not is kept as the mistake to show.
#[hook]
fn use_filter_check(on_apply: Callback<String>) -> (Callback<String>, UseStateHandle<Mistake>) {
    let error = use_state(|| None);
    let engine = use_engine();
    let apply = {
        let error = error.clone();
        Callback::from(move |text: String| {
            let text = text.trim().to_owned();
            if text.is_empty() {
                error.set(None);
                on_apply.emit(text);
                return;
            }
            let Some(engine) = engine.clone() else {
                return;
            };
            let (error, on_apply) = (error.clone(), on_apply.clone());
            spawn_local(async move {
                match engine.ask(Query::check_filter(text.clone())).await {
                    Ok(Err(problem)) => error.set(Some((text.into(), problem))),
                    // The engine itself failed: the table below says why.
                    Ok(Ok(())) | Err(_) => {
                        error.set(None);
                        on_apply.emit(text);
                    }
                }
            });
        })
    };
    (apply, error)
}

#[derive(Properties, PartialEq)]
struct FilterProblemProps {
    text: AttrValue,
    problem: FilterError,
}

/// The expression, a caret under the character at fault (text nodes only), and the message.
#[component]
fn FilterProblem(props: &FilterProblemProps) -> Html {
    let caret = format!("{}^", " ".repeat(props.problem.position));
    html! {
        <div class="filter-error" role="alert" data-testid="filter-error">
            <pre class="mono">{ props.text.clone() }{"\n"}{ caret }</pre>
            <span>{ props.problem.to_string() }</span>
        </div>
    }
}
