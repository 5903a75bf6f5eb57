//! The trace's view as the engine keeps it (collapsed rows, search, critical path), and the rows
//! of it the page has fetched: [`use_trace_view`] asks for them, and changes the view so that
//! the new one always comes with its rows (no row is shown, or acted on by a key, with the old
//! view's state).

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::engine::messages::{Problem, Query};
use crate::engine::protocol::{RowView, TraceOverview};
use crate::present::list::{FETCH_MARGIN, fetch_window};
use crate::ui::bridge::EngineHandle;
use crate::ui::query::use_engine;

/// Fetched rows: the visible index of the first, and the rows.
pub(crate) type FetchedRows = (u32, Rc<Vec<Rc<RowView>>>);

/// A trace's view and the rows fetched of it.
#[derive(Clone)]
pub(crate) struct TraceView {
    /// The view, once the engine answered.
    pub overview: Option<Rc<TraceOverview>>,
    /// Why the engine did not answer, if it did not.
    pub problem: Option<Problem>,
    /// The rows fetched.
    pub rows: FetchedRows,
    /// Changes the view (a toggle, a search, the critical path…); the rows come with it.
    pub act: Callback<Query<TraceOverview>>,
    /// Takes a view the engine answered with elsewhere (revealing a span), and fetches rows.
    pub replace: Callback<TraceOverview>,
    /// Hears which rows are rendered, and fetches more when they come near the edge.
    pub on_range: Callback<(u32, u32)>,
}

impl TraceView {
    /// The fetched row at visible index `index`.
    pub fn row(&self, index: u32) -> Option<&Rc<RowView>> {
        let (first, rows) = &self.rows;
        index.checked_sub(*first).and_then(|i| rows.get(i as usize))
    }
}

fn shared(rows: Vec<RowView>) -> Rc<Vec<Rc<RowView>>> {
    Rc::new(rows.into_iter().map(Rc::new).collect())
}

/// Asks for `query`, then for the rows `window` names of the view it answers with.
async fn act_on(
    engine: Option<EngineHandle>,
    query: Query<TraceOverview>,
    trace_id: String,
    window: (u32, u32),
) -> Result<(TraceOverview, Vec<RowView>), Problem> {
    let engine = engine.ok_or(Problem::EngineStopped)?;
    let next = engine.ask(query).await?;
    let rows = engine
        .ask(Query::rows(trace_id, window.0, window.1))
        .await?;
    Ok((next, rows))
}

/// The view of trace `trace_id`, and the rows in view of it.
#[hook]
pub(crate) fn use_trace_view(trace_id: AttrValue) -> TraceView {
    let engine = use_engine();
    let overview = use_state(|| None::<Rc<TraceOverview>>);
    let problem = use_state(|| None::<Problem>);
    // Grows when a view came from elsewhere, so rows are fetched again.
    let view_version = use_state(|| 0u32);
    // The rows to fetch, `(first, count)`: those rendered and a margin each side.
    let fetch = use_state_eq(|| (0u32, 2 * FETCH_MARGIN));
    let rows = use_state(|| (0u32, Rc::new(Vec::new())));
    // `fetch` as of the last render, for answers that arrive later.
    let fetch_now = use_mut_ref(|| *fetch);
    {
        let fetch_now = fetch_now.clone();
        use_effect_with(*fetch, move |fetch| *fetch_now.borrow_mut() = *fetch);
    }
    let act = {
        let (engine, overview, rows, problem) = (
            engine.clone(),
            overview.clone(),
            rows.clone(),
            problem.clone(),
        );
        let (trace_id, fetch_now) = (trace_id.to_string(), fetch_now.clone());
        Callback::from(move |query: Query<TraceOverview>| {
            let (engine, overview, rows, problem) = (
                engine.clone(),
                overview.clone(),
                rows.clone(),
                problem.clone(),
            );
            let (trace_id, window) = (trace_id.clone(), *fetch_now.borrow());
            spawn_local(async move {
                match act_on(engine, query, trace_id, window).await {
                    Ok((next, fetched)) => {
                        rows.set((window.0, shared(fetched)));
                        overview.set(Some(Rc::new(next)));
                        problem.set(None);
                    }
                    Err(failed) => problem.set(Some(failed)),
                }
            });
        })
    };
    use_fetched_rows(&engine, &trace_id, *fetch, *view_version, rows.clone());
    let replace = {
        let (overview, view_version) = (overview.clone(), view_version.clone());
        Callback::from(move |next: TraceOverview| {
            overview.set(Some(Rc::new(next)));
            view_version.set(*view_version + 1);
        })
    };
    let total = overview.as_ref().map_or(0, |o| o.visible_rows);
    let on_range = Callback::from(move |rendered: (u32, u32)| {
        if let Some(window) = fetch_window(rendered, *fetch, total) {
            fetch.set(window);
        }
    });
    TraceView {
        overview: (*overview).clone(),
        problem: (*problem).clone(),
        rows: (*rows).clone(),
        act,
        replace,
        on_range,
    }
}

/// Fetches the rows `window` names whenever it (or the view) changes.
#[hook]
fn use_fetched_rows(
    engine: &Option<EngineHandle>,
    trace_id: &AttrValue,
    window: (u32, u32),
    view_version: u32,
    rows: UseStateHandle<FetchedRows>,
) {
    let engine = engine.clone();
    use_effect_with(
        (trace_id.clone(), window, view_version),
        move |(trace_id, (first, count), _)| {
            let (trace_id, first, count) = (trace_id.to_string(), *first, *count);
            spawn_local(async move {
                let Some(engine) = engine else { return };
                if let Ok(fetched) = engine.ask(Query::rows(trace_id, first, count.max(1))).await {
                    rows.set((first, shared(fetched)));
                }
            });
        },
    );
}
