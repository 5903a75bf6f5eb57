//! *Open files…*: a button that opens the file picker, and loads what is picked.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::ui::context::Loader;
use crate::ui::loading::files_of;

/// The button's properties.
#[derive(Properties, PartialEq)]
pub struct OpenFilesProps {
    /// The picker's `data-testid`, if tests pick files through it.
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// See the module docs.
#[component]
pub fn OpenFiles(props: &OpenFilesProps) -> Html {
    let loader = use_context::<Loader>();
    let picker = use_node_ref();
    let open = {
        let picker = picker.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = picker.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let onchange = Callback::from(move |event: Event| {
        if let (Some(input), Some(loader)) =
            (event.target_dyn_into::<HtmlInputElement>(), loader.as_ref())
        {
            loader.files.emit(files_of(input.files()));
            input.set_value("");
        }
    });
    html! {
        <>
            <button class="button primary" onclick={open}>{"Open files…"}</button>
            <input ref={picker} type="file" multiple=true class="hidden" data-testid={props.testid.clone()} {onchange} />
        </>
    }
}
