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
    let engine = use_engine();
    let answer = use_state(|| None::<Rc<Response>>);
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
                let request = request(deps);
                spawn_local(async move {
                    let response = engine.ask(request).await;
                    if *asked.borrow() == generation {
                        answer.set(Some(Rc::new(response)));
                    }
                });
            }
        });
    }
    (*answer).clone()
}
