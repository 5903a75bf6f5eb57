//! The files saved in this browser, each with what it brought and a way to delete that.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::{SavedFileRow, SpanSelection};
use crate::present::format;
use crate::present::route::Route;
use crate::ui::common::delete_button::DeleteButton;
use crate::ui::query::{shown, use_query};

/// The list's properties.
#[derive(Properties, PartialEq)]
pub struct SavedFilesProps {
    /// The loads version (refreshes the list).
    pub version: u32,
}

/// See the module docs.
#[component]
pub fn SavedFiles(props: &SavedFilesProps) -> Html {
    let answer = use_query(props.version, |_| Query::saved_files());
    let files = match shown(answer, html! {}) {
        Ok(files) => files,
        Err(instead) => return instead,
    };
    if files.is_empty() {
        return html! {};
    }
    html! {
        <section class="saved-files" aria-label="Saved files">
            <h2>{"Saved files"}</h2>
            <div class="table-scroll">
                <table class="table">
                    <thead><tr>
                        <th>{"File"}</th><th>{"Format"}</th><th class="num">{"Size"}</th>
                        <th>{"Saved"}</th><th class="num">{"Spans"}</th><th class="num">{"Traces kept"}</th><th></th>
                    </tr></thead>
                    <tbody>{ for files.iter().map(file_row) }</tbody>
                </table>
            </div>
        </section>
    }
}

fn file_row(file: &SavedFileRow) -> Html {
    let question = format!(
        "Delete the {} traces {} brought, here and in this browser's storage? \
         Spans other files added to those traces go with them.",
        format::count(file.traces),
        file.name
    );
    html! {
        <tr data-testid="saved-file" data-name={file.name.clone()}>
            <td>{ file.name.clone() }</td>
            <td>{ file.format.clone().unwrap_or_default() }</td>
            <td class="num">{ format::bytes(file.bytes) }</td>
            <td>{ format::time(file.saved_at_ms.saturating_mul(1_000_000)) }</td>
            <td class="num">{ format::count(file.spans) }</td>
            <td class="num">{ format::count(file.traces) }</td>
            <td>
                <DeleteButton selection={Some(SpanSelection::File(file.key.clone()))}
                    label="Delete…" question={question} then={Route::Home} />
            </td>
        </tr>
    }
}
