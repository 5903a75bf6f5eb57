//! Asking the engine from a component: [`use_query`] re-asks when its inputs change and keeps the
//! last answer, ignoring answers that arrive after a newer question.

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::engine::messages::{Answer, Problem, Query};
use crate::ui::bridge::EngineHandle;
use crate::ui::common::missing::MissingView;

/// The engine handle from context.
#[hook]
pub fn use_engine() -> Option<EngineHandle> {
    use_context::<EngineHandle>()
}

/// An answer as a component holds it: the value, or why there is none.
pub type Answered<T> = Result<Rc<T>, Problem>;

/// The engine's answer to `query(deps)`, asked again whenever `deps` change; `None` until the
/// first answer arrives.
#[hook]
pub fn use_query<D, T, F>(deps: D, query: F) -> Option<Answered<T>>
where
    D: PartialEq + Clone + 'static,
    T: Answer + 'static,
    F: Fn(&D) -> Query<T> + 'static,
{
    use_query_for(deps, query).map(|(_, answer)| answer)
}

/// [`use_query`], with the `deps` the answer was given for (the last answer may be for older
/// ones while the newest question is on its way).
#[hook]
pub fn use_query_for<D, T, F>(deps: D, query: F) -> Option<(D, Answered<T>)>
where
    D: PartialEq + Clone + 'static,
    T: Answer + 'static,
    F: Fn(&D) -> Query<T> + 'static,
{
    use_query_if(deps, move |deps| Some(query(deps)))
}

/// [`use_query_for`] where `query` may have nothing to ask for `deps` (then nothing is asked
/// and no answer is shown).
#[hook]
pub fn use_query_if<D, T, F>(deps: D, query: F) -> Option<(D, Answered<T>)>
where
    D: PartialEq + Clone + 'static,
    T: Answer + 'static,
    F: Fn(&D) -> Option<Query<T>> + 'static,
{
    let engine = use_engine();
    let answer = use_state(|| None::<(D, Answered<T>)>);
    let asked = use_mut_ref(|| 0u64);
    {
        let answer = answer.clone();
        use_effect_with(deps, move |deps| {
            let generation = {
                let mut asked = asked.borrow_mut();
                *asked += 1;
                *asked
            };
            let Some(query) = query(deps) else {
                answer.set(None);
                return;
            };
            let deps = deps.clone();
            spawn_local(async move {
                let answered = match engine {
                    Some(engine) => engine.ask(query).await.map(Rc::new),
                    None => Err(Problem::EngineStopped),
                };
                if *asked.borrow() == generation {
                    answer.set(Some((deps, answered)));
                }
            });
        });
    }
    (*answer).clone()
}

/// Shows why an answer did not come; every page shows it where its content would be.
#[derive(Properties, PartialEq)]
pub struct ProblemViewProps {
    /// What went wrong.
    pub problem: Problem,
}

/// See [`ProblemViewProps`].
#[component]
pub fn ProblemView(props: &ProblemViewProps) -> Html {
    if let Problem::NotFound(missing) = &props.problem {
        return html! { <MissingView missing={missing.clone()} /> };
    }
    html! {
        <p class="problem error" role="alert" data-testid="problem">{ props.problem.to_string() }</p>
    }
}

/// An answer's value, or what to show instead: `waiting` until it comes, the problem if it
/// failed.
pub fn shown<T>(answer: Option<Answered<T>>, waiting: Html) -> Result<Rc<T>, Html> {
    match answer {
        None => Err(waiting),
        Some(Ok(value)) => Ok(value),
        Some(Err(problem)) => Err(html! { <ProblemView {problem} /> }),
    }
}
