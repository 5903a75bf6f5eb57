//! Any two spans compared: *Compare with…* in a span's details chooses it; in another span's
//! details (in this trace or another) *Compare with <the first>* opens the two side by side
//! (`#/diff/…`) — "why did the retry answer differently?".

use yew::prelude::*;

use crate::engine::protocol::SpanAt;
use crate::present::route::Route;
use crate::ui::context::{ComparePick, PickedSpan};

/// The button's properties.
#[derive(Properties, PartialEq)]
pub struct ComparePickButtonProps {
    /// The span whose details show the button.
    pub at: SpanAt,
    /// Its name.
    pub name: AttrValue,
}

/// See the module docs.
#[component]
pub fn ComparePickButton(props: &ComparePickButtonProps) -> Html {
    let Some(pick) = use_context::<ComparePick>() else {
        return html! {};
    };
    let choose = {
        let (set, span) = (
            pick.pick.clone(),
            PickedSpan {
                at: props.at.clone(),
                name: props.name.to_string(),
            },
        );
        Callback::from(move |_: MouseEvent| set.emit(Some(span.clone())))
    };
    let drop = pick.pick.reform(|_: MouseEvent| None);
    match &pick.picked {
        Some(picked) if picked.at != props.at => {
            let href = Route::SpanDiff {
                base: picked.at.clone(),
                other: props.at.clone(),
            }
            .to_fragment();
            html! {
                <div class="compare-pick">
                    <a class="button small" {href} data-testid="compare-with-picked">{ format!("Compare with “{}”", picked.name) }</a>
                    <button class="button small" onclick={choose} data-testid="compare-pick">{"Choose this one instead"}</button>
                </div>
            }
        }
        Some(_) => html! {
            <div class="compare-pick">
                <span class="muted" data-testid="compare-picked">{"Chosen: open another span to compare it with this one."}</span>
                <button class="button small" onclick={drop}>{"Cancel"}</button>
            </div>
        },
        None => html! {
            <div class="compare-pick">
                <button class="button small" onclick={choose} data-testid="compare-pick"
                        title="Choose this span, then open another one to compare what they said">{"Compare with…"}</button>
            </div>
        },
    }
}
