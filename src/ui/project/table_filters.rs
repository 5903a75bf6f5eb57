//! The row above the traces table: text search, status, kind and time range (each a change of
//! the route's [`TableView`]), the count, and what to do with the rows shown or ticked.

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::prelude::*;

use crate::engine::protocol::{SpanSelection, TraceQuery};
use crate::model::OiKind;
use crate::present::format;
use crate::present::route::Route;
use crate::present::table::{TableView, time_from_input, time_to_input};
use crate::ui::common::choice::Choice;
use crate::ui::common::delete_button::DeleteButton;
use crate::ui::common::export_menu::ExportMenu;
use crate::ui::common::input::value_of;
use crate::ui::common::send_menu::SendMenu;

/// The filters' properties.
#[derive(Properties, PartialEq)]
pub struct TableFiltersProps {
    /// The view shown.
    pub view: TableView,
    /// Hears a changed view.
    pub on_view: Callback<TableView>,
    /// Rows matching in all.
    pub total: u32,
    /// Every row the view lets through (its project and mode too).
    pub matching: TraceQuery,
    /// Traces ticked, by id.
    pub ticked: Rc<BTreeSet<String>>,
    /// Unticks them all.
    pub on_untick: Callback<()>,
}

/// See the module docs.
#[component]
pub fn TableFilters(props: &TableFiltersProps) -> Html {
    // Each control sets one field of the view from its text.
    let set = |change: fn(&mut TableView, String)| {
        let (view, on_view) = (props.view.clone(), props.on_view.clone());
        move |value: String| {
            let mut next = view.clone();
            change(&mut next, value);
            on_view.emit(next);
        }
    };
    let set_text = |change| Callback::from(set(change));
    let typed = |change| set_text(change).reform(|event: InputEvent| value_of(&event));
    let changed = |change| set_text(change).reform(|event: Event| value_of(&event));
    let view = &props.view;
    let option =
        |value: &'static str, label: &'static str| (AttrValue::from(value), AttrValue::from(label));
    let statuses = vec![
        option("", "Any status"),
        option("ERROR", "ERROR"),
        option("OK", "OK"),
        option("UNSET", "UNSET"),
    ];
    let kinds = std::iter::once(option("", "Any kind"))
        .chain(OiKind::ALL.iter().map(|k| option(k.name(), k.name())))
        .collect::<Vec<_>>();
    let chosen = |value: &Option<String>| AttrValue::from(value.clone().unwrap_or_default());
    let rows = if props.matching.all_spans {
        "spans"
    } else {
        "traces"
    };
    html! {
        <div class="filters">
            <input type="search" placeholder="Filter: name, input, output, session, id" value={view.text.clone()}
                   oninput={typed(|v, text| v.text = text)} aria-label="Filter" />
            <Choice options={statuses} chosen={chosen(&view.status)} label="Status"
                    onchange={set_text(|v, s| v.status = (!s.is_empty()).then_some(s))} />
            <Choice options={kinds} chosen={chosen(&view.kind)} label="Kind"
                    onchange={set_text(|v, k| v.kind = (!k.is_empty()).then_some(k))} />
            <label>{"From "}<input type="datetime-local" step="1" value={time_to_input(view.since_nanos)}
                                   onchange={changed(|v, t| v.since_nanos = time_from_input(&t))} aria-label="From" /></label>
            <label>{"to "}<input type="datetime-local" step="1" value={time_to_input(view.until_nanos)}
                                 onchange={changed(|v, t| v.until_nanos = time_from_input(&t))} aria-label="To" /></label>
            <span class="muted">{ format!("{} {rows}", format::count(u64::from(props.total))) }</span>
            <span class="actions">
                if props.ticked.is_empty() {
                    <ShownActions matching={props.matching.clone()} />
                } else {
                    <TickedActions ticked={props.ticked.clone()} project={props.matching.project.clone()}
                                   on_untick={props.on_untick.clone()} />
                }
            </span>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ShownActionsProps {
    matching: TraceQuery,
}

/// Export or send every row the view lets through; delete the project.
#[component]
fn ShownActions(props: &ShownActionsProps) -> Html {
    let (export, send) = match props.matching.all_spans {
        true => ("Export these spans", "Send these spans"),
        false => ("Export these traces", "Send these traces"),
    };
    let selection = SpanSelection::Matching(props.matching.clone());
    html! {
        <>
            <ExportMenu selection={selection.clone()} label={export} />
            <SendMenu {selection} label={send} />
            <DeleteButton selection={Some(SpanSelection::Project(props.matching.project.clone()))} label="Delete project…"
                          question="Delete every trace of this project, here and in this browser's storage?" then={Route::Home} />
        </>
    }
}

#[derive(Properties, PartialEq)]
struct TickedActionsProps {
    ticked: Rc<BTreeSet<String>>,
    project: String,
    on_untick: Callback<()>,
}

/// What to do with the ticked traces, and a way to untick them all.
#[component]
fn TickedActions(props: &TickedActionsProps) -> Html {
    let ids: Vec<String> = props.ticked.iter().cloned().collect();
    let count = ids.len();
    // Two traces ticked: compare them (the first ticked in id order is the base; the page swaps).
    let compare = match ids.as_slice() {
        [base, other] => Some(
            Route::Compare {
                base: base.clone(),
                other: other.clone(),
            }
            .to_fragment(),
        ),
        _ => None,
    };
    let selection = SpanSelection::Traces(ids);
    let clear = props.on_untick.reform(|_: MouseEvent| ());
    html! {
        <>
            <span data-testid="selected-count">{ format!("{count} selected") }</span>
            if let Some(href) = compare {
                <a class="button small" {href} data-testid="compare-selected">{"Compare"}</a>
            }
            <ExportMenu selection={selection.clone()} label="Export selected" />
            <SendMenu selection={selection.clone()} label="Send selected" />
            <DeleteButton selection={Some(selection)} label="Delete selected…"
                          question={format!("Delete the {count} selected traces, here and in this browser's storage?")}
                          then={Route::project(&props.project)} />
            <button class="button small" onclick={clear}>{"Clear selection"}</button>
        </>
    }
}
