//! The whole trace in small beside the timeline's axis: spans per band of rows and stretch of
//! time on a canvas, with the zoom window over it.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement};
use yew::prelude::*;

use crate::engine::protocol::{MINIMAP_COLUMNS, MINIMAP_ROWS};
use crate::present::axis::TimeWindow;

/// The minimap's properties.
#[derive(Properties, PartialEq)]
pub(crate) struct MinimapProps {
    /// Spans per cell, row-major; the top bit marks an error.
    pub cells: Rc<Vec<u16>>,
    /// The timeline's window.
    pub view: TimeWindow,
    /// The trace's duration, ns.
    pub duration: u64,
    /// A pick: (start fraction, end fraction, row fraction).
    pub on_pick: Callback<(f64, f64, f64)>,
}

/// The whole trace in small (spans per band of rows and stretch of time), with the zoom window.
/// Click to center there, drag to zoom to a stretch.
#[component]
pub(crate) fn Minimap(props: &MinimapProps) -> Html {
    let canvas = use_node_ref();
    let drag = use_mut_ref(|| None::<(f64, f64)>);
    {
        let canvas = canvas.clone();
        use_effect_with(props.cells.clone(), move |cells| draw(&canvas, cells));
    }
    let fraction = |event: &MouseEvent| {
        let Some(target) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlElement>().ok())
        else {
            return (0.0, 0.0);
        };
        let rect = target.get_bounding_client_rect();
        (
            ((f64::from(event.client_x()) - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0),
            ((f64::from(event.client_y()) - rect.top()) / rect.height().max(1.0)).clamp(0.0, 1.0),
        )
    };
    let onmousedown = {
        let drag = drag.clone();
        Callback::from(move |event: MouseEvent| *drag.borrow_mut() = Some(fraction(&event)))
    };
    let onmouseup = {
        let (drag, on_pick) = (drag.clone(), props.on_pick.clone());
        Callback::from(move |event: MouseEvent| {
            if let Some((x0, y0)) = drag.borrow_mut().take() {
                let (x1, _) = fraction(&event);
                on_pick.emit((x0, x1, y0));
            }
        })
    };
    let whole = TimeWindow::whole(props.duration);
    let left = whole.percent_from_nanos(props.view.start_nanos);
    let width = whole.percent_from_nanos(props.view.end_nanos) - left;
    html! {
        <div class="minimap" title="The whole trace: click to go there, drag to zoom to a stretch">
            <canvas ref={canvas} width={MINIMAP_COLUMNS.to_string()} height={MINIMAP_ROWS.to_string()} {onmousedown} {onmouseup}></canvas>
            <div class="window" style={format!("left:{left:.3}%;width:{width:.3}%")}></div>
        </div>
    }
}

fn draw(canvas: &NodeRef, cells: &[u16]) {
    let Some(canvas) = canvas.cast::<HtmlCanvasElement>() else {
        return;
    };
    let Ok(Some(context)) = canvas.get_context("2d") else {
        return;
    };
    let Ok(context) = context.dyn_into::<web_sys::CanvasRenderingContext2d>() else {
        return;
    };
    let max = cells.iter().map(|c| c & 0x7fff).max().unwrap_or(1).max(1) as f64;
    let mut pixels = vec![0u8; MINIMAP_ROWS * MINIMAP_COLUMNS * 4];
    for (i, &cell) in cells.iter().enumerate() {
        let count = (cell & 0x7fff) as f64;
        if count == 0.0 {
            continue;
        }
        let alpha = (60.0 + 195.0 * (count.ln_1p() / max.ln_1p())) as u8;
        let (r, g, b) = if cell & 0x8000 != 0 {
            (220, 60, 60)
        } else {
            (80, 130, 220)
        };
        pixels[i * 4..i * 4 + 4].copy_from_slice(&[r, g, b, alpha]);
    }
    let data = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        wasm_bindgen::Clamped(&pixels),
        MINIMAP_COLUMNS as u32,
        MINIMAP_ROWS as u32,
    );
    if let Ok(data) = data {
        let _ = context.put_image_data(&data, 0.0, 0.0);
    }
}
