//! The *Live* indicator of a page served by `plume serve`, with pause and resume.

use std::rc::Rc;

use yew::prelude::*;

use crate::present::live::indicator;
use crate::ui::query::use_engine;
use crate::ui::state::Loads;

/// Says whether what `plume serve` receives shows as it comes; pauses and resumes it.
#[component]
pub(crate) fn LiveIndicator() -> Html {
    let loads = use_context::<Rc<Loads>>();
    let engine = use_engine();
    let Some(status) = loads.and_then(|loads| loads.live.clone()) else {
        return html! {};
    };
    let shown = indicator(&status);
    let toggle = {
        let paused = status.paused;
        Callback::from(move |_: MouseEvent| {
            if let Some(engine) = &engine {
                engine.pause_live(!paused);
            }
        })
    };
    html! {
        <span class={classes!("live", shown.state)} data-testid="live" data-state={shown.state}
              title={shown.title}>
            <span class="live-dot" aria-hidden="true"></span>
            { shown.text }
            <button class="button small" data-testid="live-toggle" onclick={toggle}>
                { shown.action }
            </button>
        </span>
    }
}
