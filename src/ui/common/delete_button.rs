//! Delete traces (a trace, a project, a saved file's, or everything), here and in the browser's storage, after
//! asking; in an embedded page only if its host asked for it.

use yew::prelude::*;

use crate::engine::protocol::SpanSelection;
use crate::present::route::Route;
use crate::ui::context::{Loader, page_powers};
use crate::ui::route::Router;

/// The button's properties.
#[derive(Properties, PartialEq)]
pub struct DeleteButtonProps {
    /// What to delete; `None` deletes everything.
    pub selection: Option<SpanSelection>,
    /// The button's text.
    pub label: AttrValue,
    /// The question asked first.
    pub question: AttrValue,
    /// Where to go afterwards (the page shown may be gone).
    pub then: Route,
}

/// See the module docs.
#[component]
pub fn DeleteButton(props: &DeleteButtonProps) -> Html {
    let loader = use_context::<Loader>();
    let router = use_context::<Router>();
    if !page_powers().delete {
        return html! {};
    }
    let onclick = {
        let (selection, question, then) = (
            props.selection.clone(),
            props.question.clone(),
            props.then.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let confirmed = web_sys::window()
                .and_then(|w| w.confirm_with_message(&question).ok())
                .unwrap_or(false);
            if let (true, Some(loader)) = (confirmed, loader.as_ref()) {
                loader.forget.emit(selection.clone());
                if let Some(router) = router.as_ref() {
                    router.go(then.clone());
                }
            }
        })
    };
    let testid = if props.selection.is_some() {
        "delete"
    } else {
        "forget-all"
    };
    html! {
        <button class="button small danger" data-testid={testid} {onclick}>{ props.label.clone() }</button>
    }
}
