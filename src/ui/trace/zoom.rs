//! The timeline's zoom: a window over the trace (`None`: the whole trace), changed by the wheel
//! (Ctrl/⌘ zooms around the pointer, Shift pans), the buttons and the minimap. The arithmetic is
//! `present::axis::TimeWindow`'s.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::present::axis::TimeWindow;

/// The zoom of a trace `duration` ns long.
#[derive(Clone, PartialEq)]
pub(crate) struct Zoom {
    state: UseStateHandle<Option<TimeWindow>>,
}

/// The page's zoom, the whole trace at first.
#[hook]
pub(crate) fn use_zoom() -> Zoom {
    Zoom {
        state: use_state(|| None),
    }
}

impl Zoom {
    /// The window shown of a trace `duration` ns long.
    pub fn window(&self, duration: u64) -> TimeWindow {
        (*self.state).unwrap_or_else(|| TimeWindow::whole(duration))
    }

    /// Back to the whole trace.
    pub fn reset(&self) {
        self.state.set(None);
    }

    /// A button zooming by `factor` around the middle.
    pub fn by(&self, factor: f64, duration: u64) -> Callback<MouseEvent> {
        let zoom = self.clone();
        Callback::from(move |_: MouseEvent| {
            let next = zoom.window(duration).zoomed(factor, 0.5, duration);
            zoom.state.set(Some(next));
        })
    }

    /// Goes where a minimap pick (start and end fractions of the trace) says.
    pub fn pick(&self, start: f64, end: f64, duration: u64) {
        let next = self.window(duration).picked(start, end, duration);
        self.state.set(Some(next));
    }

    /// The wheel over the rows: Ctrl/⌘ zooms around the pointer, Shift pans.
    pub fn onwheel(&self, duration: u64) -> Callback<WheelEvent> {
        let zoom = self.clone();
        Callback::from(move |event: WheelEvent| {
            let current = zoom.window(duration);
            let Some(target) = event
                .current_target()
                .and_then(|t| t.dyn_into::<HtmlElement>().ok())
            else {
                return;
            };
            let rect = target.get_bounding_client_rect();
            let fraction = ((f64::from(event.client_x()) - rect.left()) / rect.width().max(1.0))
                .clamp(0.0, 1.0);
            if event.ctrl_key() || event.meta_key() {
                event.prevent_default();
                let factor = if event.delta_y() > 0.0 { 1.25 } else { 0.8 };
                zoom.state
                    .set(Some(current.zoomed(factor, fraction, duration)));
            } else if event.shift_key() {
                event.prevent_default();
                let delta = if event.delta_x() != 0.0 {
                    event.delta_x()
                } else {
                    event.delta_y()
                };
                zoom.state
                    .set(Some(current.panned(delta / 1000.0, duration)));
            }
        })
    }
}
