//! Where the user is in a trace, as only the screen cares: the selected row, a row to scroll
//! to, whether the details show; and how the URL, the keys and the engine move it.
//!
//! The URL names the span whose details show; without one, the trace opens on its root (the
//! first row), details open. Closing the details (Esc, ×) takes the span out of the URL, so a
//! reload does not open them again on it.

use std::cell::RefCell;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::engine::messages::{Problem, Query, Revealed};
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
    /// Why the URL's span is not shown, if it is not.
    pub span_problem: UseStateHandle<Option<Problem>>,
    /// When the trace grew: the selected span, to select again where it is once the rows are
    /// fetched anew, unless the user moved the selection from the index it had.
    pub anchor: Rc<RefCell<Option<Anchor>>>,
}

impl Place {
    /// Scrolls row `index` into view.
    pub fn scroll(&self, index: u32) {
        let request = self.scroll_to.map_or(0, |s| s.1 + 1);
        self.scroll_to.set(Some((index, request)));
    }
}

/// The root selected unless the URL names a span (that one is, once revealed), details open.
#[hook]
pub(crate) fn use_place(url_span: Option<&AttrValue>) -> Place {
    let root = url_span.is_none().then_some(0);
    Place {
        selected: use_state(|| root),
        scroll_to: use_state(|| None),
        details_open: use_state(|| true),
        span_problem: use_state(|| None),
        anchor: use_mut_ref(|| None),
    }
}

/// The selected span when its trace grew.
#[derive(Clone, PartialEq)]
pub(crate) struct Anchor {
    span: String,
    /// The identity of the rows then ([`rows_identity`]): while they are the same, the rows
    /// have not been fetched anew.
    rows: usize,
    /// The selected index then.
    index: u32,
}

/// The identity of the rows a view holds: fetched anew, they are another.
fn rows_identity(view: &TraceView) -> usize {
    Rc::as_ptr(&view.rows.1) as usize
}

/// When the trace grows (spans arriving live, files loaded), the selection stays on its span
/// though rows move: the span is anchored until the rows are fetched again.
#[hook]
pub(crate) fn use_anchor_selection(view: &TraceView, place: &Place, version: u32) {
    let selected = place
        .selected
        .and_then(|index| view.row(index).map(|r| (index, r.span_id.clone())));
    let (anchor, rows) = (place.anchor.clone(), rows_identity(view));
    let first = use_mut_ref(|| true);
    use_effect_with(version, move |_| {
        if !first.replace(false) {
            *anchor.borrow_mut() = selected.map(|(index, span)| Anchor { span, rows, index });
        }
    });
}

/// The trace is opened (again when files were loaded) with `search` run, at the whole trace
/// when it is another trace.
#[hook]
pub(crate) fn use_open_trace(
    trace_id: AttrValue,
    version: u32,
    search: String,
    act: Callback<Query<TraceOverview>>,
    on_open: Callback<()>,
) {
    // The zoom is the user's until another trace opens: a trace growing live keeps it.
    let opened = use_mut_ref(|| None::<AttrValue>);
    use_effect_with((trace_id, version), move |(trace_id, _)| {
        if opened.borrow().as_ref() != Some(trace_id) {
            *opened.borrow_mut() = Some(trace_id.clone());
            on_open.emit(());
        }
        let trace_id = trace_id.to_string();
        act.emit(match search.is_empty() {
            true => Query::open_trace(trace_id),
            false => Query::search(trace_id, search, false),
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
                place.span_problem.set(None);
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
                match engine.ask(query).await {
                    Ok(Revealed {
                        trace,
                        visible_index,
                    }) => {
                        replace.emit(trace);
                        place.selected.set(Some(visible_index));
                        place.scroll(visible_index);
                        place.details_open.set(true);
                        place.span_problem.set(None);
                    }
                    Err(problem) => place.span_problem.set(Some(problem)),
                }
            });
        },
    );
}

/// Puts a span in the URL, or takes it out (without a history entry), the search with it: the
/// page then shows it ([`use_follow_url_span`]).
#[hook]
pub(crate) fn use_show_span(
    trace_id: AttrValue,
    search: UseStateHandle<String>,
) -> Callback<Option<String>> {
    let router = use_context::<Router>();
    Callback::from(move |span_id: Option<String>| {
        if let Some(router) = router.as_ref() {
            router.replace(Route::Trace {
                trace_id: trace_id.to_string(),
                span_id,
                search: (!search.is_empty()).then(|| (*search).clone()),
            });
        }
    })
}

/// Opens or closes the details: open, on the selected span (named in the URL once fetched, by
/// [`use_name_selected_span`]); closed, with no span in the URL.
pub(crate) fn show_details(place: &Place, show_span: &Callback<Option<String>>) -> Callback<bool> {
    let (details_open, show_span) = (place.details_open.clone(), show_span.clone());
    Callback::from(move |open: bool| {
        details_open.set(open);
        if !open {
            show_span.emit(None);
        }
    })
}

/// Selects a visible row, and names its span (when fetched) in the URL.
pub(crate) fn select(
    place: &Place,
    show_span: &Callback<Option<String>>,
) -> Callback<(u32, Option<String>)> {
    let (selected, details_open, show_span) = (
        place.selected.clone(),
        place.details_open.clone(),
        show_span.clone(),
    );
    Callback::from(move |(index, span_id): (u32, Option<String>)| {
        selected.set(Some(index));
        if span_id.is_some() && *details_open {
            show_span.emit(span_id);
        }
    })
}

/// While the details show, the selected span is named in the URL once its row is fetched (the
/// selection may have moved by keyboard onto a row not fetched yet, or the details reopened);
/// the root, the first row, needs no name.
#[hook]
pub(crate) fn use_name_selected_span(
    view: &TraceView,
    place: &Place,
    url_span: Option<AttrValue>,
    show_span: Callback<Option<String>>,
) {
    let selected = place
        .selected
        .and_then(|index| view.row(index).map(|r| (index, r.span_id.clone())));
    let (anchor, rows, select) = (
        place.anchor.clone(),
        view.rows.clone(),
        place.selected.clone(),
    );
    let identity = rows_identity(view);
    use_effect_with(
        (selected, *place.details_open, identity),
        move |(selected, open, identity)| {
            // The trace grew: select the anchored span where it is now, once the rows are anew (the
            // user's own move since wins; a span not among them leaves the details on the URL's).
            let anchored = anchor.borrow_mut().take();
            if let Some(anchored) = anchored.filter(|a| *select == Some(a.index)) {
                if anchored.rows == *identity {
                    *anchor.borrow_mut() = Some(anchored);
                    return;
                }
                match rows.1.iter().find(|r| r.span_id == anchored.span) {
                    Some(row) if Some(row.visible_index) != *select => {
                        select.set(Some(row.visible_index));
                    }
                    Some(_) => {}
                    None => select.set(None),
                }
                return;
            }
            if let Some((index, span)) = selected.clone()
                && *open
                && url_span.as_deref() != Some(span.as_str())
                && (index != 0 || url_span.is_some())
            {
                show_span.emit(Some(span));
            }
        },
    );
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
    details: Callback<bool>,
) -> Callback<KeyboardEvent> {
    let selected = place
        .selected
        .map(|index| selected_row(index, view.row(index).map(|r| &**r)));
    Callback::from(move |event: KeyboardEvent| {
        let Some(action) = key_action(&event.key(), selected, rows) else {
            return;
        };
        event.prevent_default();
        match action {
            KeyAction::Select(index) => move_to.emit(i64::from(index)),
            KeyAction::Expand(row, expand) => toggle_row.emit((row, Some(expand))),
            KeyAction::Details(open) => details.emit(open),
            KeyAction::Nothing => {}
        }
    })
}
