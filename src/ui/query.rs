//! Asking the engine from a component: [`use_query`] re-asks when its inputs change and keeps the
//! last answer, ignoring answers that arrive after a newer question.

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::engine::protocol::{Request, Response};
use crate::ui::bridge::EngineHandle;

/// The engine handle from context.
#[hook]
pub fn use_engine() -> Option<EngineHandle> {
    use_context::<EngineHandle>()
}

/// The engine's answer to `request(deps)`, asked again whenever `deps` change; `None` until the
/// first answer arrives.
#[hook]
pub fn use_query<D, F>(deps: D, request: F) -> Option<Rc<Response>>
where
    D: PartialEq + Clone + 'static,
    F: Fn(&D) -> Request + 'static,
{
    use_query_for(deps, request).map(|(_, answer)| answer)
}

/// [`use_query`], with the `deps` the answer was given for (the last answer may be for older
/// ones while the newest question is on its way).
#[hook]
pub fn use_query_for<D, F>(deps: D, request: F) -> Option<(D, Rc<Response>)>
where
    D: PartialEq + Clone + 'static,
    F: Fn(&D) -> Request + 'static,
{
    let engine = use_engine();
    let answer = use_state(|| None::<(D, Rc<Response>)>);
    let asked = use_mut_ref(|| 0u64);
    {
        let answer = answer.clone();
        use_effect_with(deps, move |deps| {
            let generation = {
                let mut asked = asked.borrow_mut();
                *asked += 1;
                *asked
            };
            if let Some(engine) = engine {
                let (request, deps) = (request(deps), deps.clone());
                spawn_local(async move {
                    let response = engine.ask(request).await;
                    if *asked.borrow() == generation {
                        answer.set(Some((deps, Rc::new(response))));
                    }
                });
            }
        });
    }
    (*answer).clone()
}
