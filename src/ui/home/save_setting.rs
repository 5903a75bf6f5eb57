//! Whether what is loaded is saved in this browser: a checkbox, remembered in `localStorage`.
//! Off, new loads stay in the page only; what was saved before stays listed (and can be
//! deleted). On again, what was loaded meanwhile is saved at once.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::ui::context::Loader;
use crate::ui::local_storage;

const STORAGE_KEY: &str = "plume.save";

/// Whether the user wants loads saved (yes unless they said no).
pub(crate) fn saves_loads() -> bool {
    local_storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .is_none_or(|value| value != "off")
}

/// See the module docs.
#[component]
pub fn SaveSetting() -> Html {
    let loader = use_context::<Loader>();
    let on = use_state(saves_loads);
    let onchange = {
        let on = on.clone();
        Callback::from(move |event: Event| {
            let checked = event.target_unchecked_into::<HtmlInputElement>().checked();
            if let Some(storage) = local_storage() {
                let _ = storage.set_item(STORAGE_KEY, if checked { "on" } else { "off" });
            }
            on.set(checked);
            if let Some(loader) = &loader {
                loader.saving.emit(checked);
            }
        })
    };
    html! {
        <label class="save-setting" data-testid="save-setting">
            <input type="checkbox" checked={*on} {onchange} />
            { " Save what I load in this browser" }
            if !*on {
                <span class="muted">{" — off: new files stay in this page only, until it closes"}</span>
            }
        </label>
    }
}
