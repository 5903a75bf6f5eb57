//! Which columns the traces table shows: chosen in a menu, remembered in this browser (where
//! the page may keep settings).

use yew::prelude::*;

use crate::present::columns::{Column, Columns};
use crate::ui::common::menu::place_items;
use crate::ui::local_storage;

/// Where the choice is kept.
const KEY: &str = "plume.columns";

/// The columns shown, and a callback that shows others (and remembers them).
#[hook]
pub(crate) fn use_columns() -> (Columns, Callback<Columns>) {
    let columns = use_state_eq(|| {
        local_storage()
            .and_then(|storage| storage.get_item(KEY).ok().flatten())
            .map_or_else(Columns::default, |stored| Columns::from_stored(&stored))
    });
    let choose = {
        let columns = columns.clone();
        Callback::from(move |chosen: Columns| {
            if let Some(storage) = local_storage() {
                let _ = storage.set_item(KEY, &chosen.to_stored());
            }
            columns.set(chosen);
        })
    };
    ((*columns).clone(), choose)
}

/// The chooser's properties.
#[derive(Properties, PartialEq)]
pub(crate) struct ColumnChooserProps {
    /// The columns shown.
    pub columns: Columns,
    /// Hears the columns chosen.
    pub on_choose: Callback<Columns>,
}

/// A menu with a tick box per column (the name has none: it always shows).
#[component]
pub(crate) fn ColumnChooser(props: &ColumnChooserProps) -> Html {
    let boxes = Column::ALL.into_iter().skip(1).map(|column| {
        let (columns, on_choose) = (props.columns.clone(), props.on_choose.clone());
        let onchange = Callback::from(move |event: Event| {
            let on = event
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .checked();
            on_choose.emit(columns.with(column, on));
        });
        html! {
            <label>
                <input type="checkbox" checked={props.columns.shows(column)} {onchange}
                       data-column={column.key()} />
                { column.label() }
            </label>
        }
    });
    html! {
        <details class="menu" data-testid="column-chooser" ontoggle={place_items}>
            <summary class="button small">{"Columns ▾"}</summary>
            <div class="menu-items columns-menu">{ for boxes }</div>
        </details>
    }
}
