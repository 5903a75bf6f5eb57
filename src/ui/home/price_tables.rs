//! The price tables calls are priced with: the built-in one (its version and size), and each
//! table the user dropped, with a way to stop using it.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::PriceFileRow;
use crate::present::format;
use crate::ui::context::{Loader, page_powers};
use crate::ui::query::{shown, use_query};

/// The list's properties.
#[derive(Properties, PartialEq)]
pub struct PriceTablesListProps {
    /// The loads version (refreshes the list).
    pub version: u32,
}

/// See the module docs.
#[component]
pub fn PriceTablesList(props: &PriceTablesListProps) -> Html {
    let answer = use_query(props.version, |_| Query::price_tables());
    let tables = match shown(answer, html! {}) {
        Ok(tables) => tables,
        Err(instead) => return instead,
    };
    let builtin = format!(
        "Built-in table{}: {}. Drop a price file of the same shape to add models or change prices.",
        tables
            .builtin_version
            .as_deref()
            .map(|v| format!(" of {v}"))
            .unwrap_or_default(),
        format::counted(tables.builtin_models.into(), "price", "prices")
    );
    html! {
        <section class="price-tables" aria-label="Prices" data-testid="price-tables">
            <h2>{"Prices"}</h2>
            <p class="muted">{ builtin }</p>
            if !tables.files.is_empty() {
                <ul>{ for tables.files.iter().map(|file| html! { <PriceFileItem file={file.clone()} /> }) }</ul>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct PriceFileItemProps {
    file: PriceFileRow,
}

/// A user's table, consulted before the built-in one.
#[component]
fn PriceFileItem(props: &PriceFileItemProps) -> Html {
    let loader = use_context::<Loader>();
    let file = &props.file;
    let onclick = {
        let key = file.key.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(loader) = loader.as_ref() {
                loader.forget_prices.emit(key.clone());
            }
        })
    };
    html! {
        <li data-testid="price-file" data-name={file.name.clone()}>
            { format!("{} · {}", file.name, format::counted(file.models.into(), "price", "prices")) }
            if let Some(version) = &file.version { <span class="muted">{ format!(" · {version}") }</span> }
            if page_powers().delete {
                {" "}<button class="button small danger" {onclick}>{"Stop using"}</button>
            }
        </li>
    }
}
