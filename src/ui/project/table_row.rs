//! One row of the traces table: a click opens its trace (with the table's span filter as the
//! trace's search, so what matched stays marked), a tick box selects it.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::protocol::TraceRow;
use crate::present::columns::{Column, Columns};
use crate::present::format;
use crate::present::route::Route;
use crate::ui::common::eval_chip::evaluation_chip;
use crate::ui::common::kind::KindBadge;
use crate::ui::route::Router;

/// A row's tick box: whether it is ticked, and who hears it change.
#[derive(Clone, PartialEq)]
pub struct Tick {
    /// Ticked now.
    pub on: bool,
    /// Hears `(trace id, ticked)`.
    pub changed: Callback<(String, bool)>,
}

/// The row's properties.
#[derive(Properties, PartialEq)]
pub struct TraceTableRowProps {
    /// What the row shows.
    pub row: TraceRow,
    /// Its tick box (trace mode only; a span row has none).
    pub tick: Option<Tick>,
    /// The table's span filter ("" for none).
    pub span_filter: AttrValue,
    /// The columns shown.
    pub columns: Columns,
}

/// See the module docs.
#[component]
pub fn TraceTableRow(props: &TraceTableRowProps) -> Html {
    let router = use_context::<Router>();
    let row = &props.row;
    let route = Route::Trace {
        trace_id: row.trace_id.clone(),
        span_id: props.tick.is_none().then(|| row.span_id.clone()),
        search: (!props.span_filter.is_empty()).then(|| props.span_filter.to_string()),
    };
    let onclick =
        router.map(|router| Callback::from(move |_: MouseEvent| router.go(route.clone())));
    let tick = props.tick.clone().map(|Tick { on, changed }| {
        let trace_id = row.trace_id.clone();
        // The row opens the trace on a click; the box must not.
        let onclick = Callback::from(|event: MouseEvent| event.stop_propagation());
        let onchange = Callback::from(move |event: Event| {
            let checked = event.target_unchecked_into::<HtmlInputElement>().checked();
            changed.emit((trace_id.clone(), checked));
        });
        html! {
            <input type="checkbox" class="row-tick" checked={on} {onclick} {onchange}
                   aria-label="Select this trace" data-testid="tick" />
        }
    });
    let mut tick = tick;
    html! {
        <div class="trow" data-testid="trace-row" data-trace-id={row.trace_id.clone()} {onclick} role="row">
            { for props.columns.shown().iter().map(|&column| cell(column, row, tick.take())) }
        </div>
    }
}

/// A row's cell in `column` (the name's with the tick box, if any).
fn cell(column: Column, row: &TraceRow, tick: Option<Html>) -> Html {
    let class = classes!(
        "cell",
        format!("col-{}", column.key()),
        column.numeric().then_some("num")
    );
    let text = |text: &str| html! { <span class={class.clone()} title={text.to_owned()}>{ text.to_owned() }</span> };
    match column {
        Column::Name => {
            html! {
                <span class={classes!("cell", "name", "col-name")} title={row.name.clone()}>
                    { for tick }{ row.name.clone() }
                    if row.in_progress { { crate::ui::trace::insight::in_progress() } }
                </span>
            }
        }
        Column::Kind => html! { <span {class}><KindBadge kind={row.kind.clone()} /></span> },
        Column::Start => text(&format::time(row.start_nanos)),
        Column::Duration => text(&format::duration(row.duration_nanos)),
        Column::Spans => text(&format::count(u64::from(row.spans))),
        Column::Tokens => text(&match row.tokens {
            0 => String::new(),
            n => format::count(n),
        }),
        Column::Cost => {
            html! { <span {class} data-testid="row-cost" title={format::cost_sources(&row.cost)}>{ format::cost(&row.cost).unwrap_or_default() }</span> }
        }
        Column::Status => {
            html! { <span class={classes!("cell", "col-status", "status", row.status.to_lowercase())}>{ row.status.clone() }</span> }
        }
        Column::Session => text(row.session.as_deref().unwrap_or_default()),
        Column::User => text(row.gist.user.as_deref().unwrap_or_default()),
        Column::Evaluations => {
            html! { <span {class} data-testid="row-evaluations">{ for row.evaluations.iter().map(evaluation_chip) }</span> }
        }
        Column::Input => text(&row.gist.input_preview),
        Column::Output => text(&row.gist.output_preview),
        Column::Error => {
            html! { <span class={classes!("cell", "col-error", "bad")} title={row.gist.error.clone()} data-testid="row-error">{ row.gist.error.clone() }</span> }
        }
    }
}
