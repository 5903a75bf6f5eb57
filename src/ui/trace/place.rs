//! Where the user is in a trace, as only the screen cares: the selected row, a row to scroll
//! to, whether the details show; and how the URL, the keys and the engine move it.

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::engine::messages::{Query, Revealed};
use crate::engine::protocol::{RowView, TraceOverview};
use crate::present::keys::{KeyAction, SelectedRow, key_action};
use crate::present::route::Route;
use crate::ui::query::use_engine;
use crate::ui::route::Router;
use crate::ui::trace::view::TraceView;

/// The selected row, a row to scroll to, whether the details show.
#[derive(Clone, PartialEq)]
pub(crate) struct Place {
    /// The selected row's visible index.
    pub selected: UseStateHandle<Option<u32>>,
    /// A row to scroll into view (the second number makes equal requests differ).
    pub scroll_to: UseStateHandle<Option<(u32, u32)>>,
    /// Whether the selected span's details show.
    pub details_open: UseStateHandle<bool>,
}

impl Place {
    /// Scrolls row `index` into view.
    pub fn scroll(&self, index: u32) {
        let request = self.scroll_to.map_or(0, |s| s.1 + 1);
        self.scroll_to.set(Some((index, request)));
    }
}

/// Nothing selected, the details open once something is.
#[hook]
pub(crate) fn use_place() -> Place {
    Place {
        selected: use_state(|| None),
        scroll_to: use_state(|| None),
        details_open: use_state(|| true),
    }
}

/// The trace is opened (again when files were loaded) with `search` run, at the whole trace.
#[hook]
pub(crate) fn use_open_trace(
    trace_id: AttrValue,
    version: u32,
    search: String,
    act: Callback<Query<TraceOverview>>,
    on_open: Callback<()>,
) {
    use_effect_with((trace_id, version), move |(trace_id, _)| {
        on_open.emit(());
        let trace_id = trace_id.to_string();
        act.emit(match search.is_empty() {
            true => Query::open_trace(trace_id),
            false => Query::search(trace_id, search),
        });
    });
}

/// The URL's span is revealed (its ancestors expanded), selected and scrolled to, unless it is
/// the selected row already.
#[hook]
pub(crate) fn use_follow_url_span(
    trace_id: AttrValue,
    span_id: Option<AttrValue>,
    version: u32,
    view: &TraceView,
    place: &Place,
) {
    let engine = use_engine();
    let (replace, rows, place) = (view.replace.clone(), view.rows.clone(), place.clone());
    use_effect_with(
        (trace_id, span_id, version),
        move |(trace_id, span_id, _)| {
            let Some(span_id) = span_id.clone() else {
                return;
            };
            let selected = *place.selected;
            let here = rows
                .1
                .iter()
                .any(|r| r.span_id == span_id.as_str() && Some(r.visible_index) == selected);
            if here {
                return;
            }
            let query = Query::reveal(trace_id.to_string(), span_id.to_string());
            spawn_local(async move {
                let Some(engine) = engine else { return };
                if let Ok(Revealed {
                    trace,
                    visible_index,
                }) = engine.ask(query).await
                {
                    replace.emit(trace);
                    if let Some(index) = visible_index {
                        place.selected.set(Some(index));
                        place.scroll(index);
                        place.details_open.set(true);
                    }
                }
            });
        },
    );
}

/// Puts a span in the URL (without a history entry), the search with it: the page then shows
/// it ([`use_follow_url_span`]).
#[hook]
pub(crate) fn use_show_span(
    trace_id: AttrValue,
    search: UseStateHandle<String>,
) -> Callback<String> {
    let router = use_context::<Router>();
    Callback::from(move |span_id: String| {
        if let Some(router) = router.as_ref() {
            router.replace(Route::Trace {
                trace_id: trace_id.to_string(),
                span_id: Some(span_id),
                search: (!search.is_empty()).then(|| (*search).clone()),
            });
        }
    })
}

/// Selects a visible row, and names its span (when fetched) in the URL.
pub(crate) fn select(
    place: &Place,
    show_span: &Callback<String>,
) -> Callback<(u32, Option<String>)> {
    let (selected, show_span) = (place.selected.clone(), show_span.clone());
    Callback::from(move |(index, span_id): (u32, Option<String>)| {
        selected.set(Some(index));
        if let Some(span_id) = span_id {
            show_span.emit(span_id);
        }
    })
}

/// When the selection moved by keyboard onto a row not fetched yet, its span is named (in the
/// URL) once it is.
#[hook]
pub(crate) fn use_name_selected_span(
    view: &TraceView,
    place: &Place,
    url_span: Option<AttrValue>,
    select: Callback<(u32, Option<String>)>,
) {
    let selected = place
        .selected
        .and_then(|index| view.row(index).map(|r| (index, r.span_id.clone())));
    use_effect_with(selected, move |selected| {
        if let Some((index, span)) = selected.clone()
            && url_span.as_deref() != Some(span.as_str())
        {
            select.emit((index, Some(span)));
        }
    });
}

/// What keys see of row `index`: a row not fetched yet can only move.
fn selected_row(index: u32, row: Option<&RowView>) -> SelectedRow {
    match row {
        Some(row) => SelectedRow {
            index,
            row: row.row,
            parent_index: row.parent_index,
            children: row.children,
            collapsed: row.collapsed,
        },
        None => SelectedRow {
            index,
            row: index,
            parent_index: None,
            children: 0,
            collapsed: false,
        },
    }
}

/// The tree's keys (`present::keys` decides what each does) over `rows` visible rows.
pub(crate) fn tree_keys(
    view: &TraceView,
    place: &Place,
    rows: u32,
    move_to: Callback<i64>,
    toggle_row: Callback<(u32, Option<bool>)>,
) -> Callback<KeyboardEvent> {
    let selected = place
        .selected
        .map(|index| selected_row(index, view.row(index).map(|r| &**r)));
    let details_open = place.details_open.clone();
    Callback::from(move |event: KeyboardEvent| {
        let Some(action) = key_action(&event.key(), selected, rows) else {
            return;
        };
        event.prevent_default();
        match action {
            KeyAction::Select(index) => move_to.emit(i64::from(index)),
            KeyAction::Expand(row, expand) => toggle_row.emit((row, Some(expand))),
            KeyAction::Details(open) => details_open.set(open),
            KeyAction::Nothing => {}
        }
    })
}
