//! Menus (`<details class="menu">`): opened, their items float over the page, kept inside the
//! viewport ([`crate::present::popover`]) however near an edge the menu's button is.

use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlDetailsElement, HtmlElement};

use crate::present::popover;

/// Room between the menu's button and its items, px.
const GAP: f64 = 4.0;

/// A menu's `toggle` handler: when it opens, its items are placed inside the viewport.
pub(crate) fn place_items(event: Event) {
    let Some(menu) = event
        .target()
        .and_then(|t| t.dyn_into::<HtmlDetailsElement>().ok())
    else {
        return;
    };
    let (Some(window), true) = (web_sys::window(), menu.open()) else {
        return;
    };
    let items = menu
        .query_selector(":scope > .menu-items")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    let button = menu.query_selector(":scope > summary").ok().flatten();
    let (Some(items), Some(button)) = (items, button) else {
        return;
    };
    let viewport = (
        window
            .inner_width()
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0),
        window
            .inner_height()
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0),
    );
    // Measured as it will be laid out: fixed, at the viewport's corner. Measured where it
    // hangs in the page, a box inside another menu shrinks to that menu and then grows.
    let _ = items.set_attribute("style", "position:fixed;left:0;top:0;right:auto");
    let anchor = button.get_bounding_client_rect();
    let size = (
        f64::from(items.offset_width()),
        f64::from(items.offset_height()),
    );
    let (left, top) = popover::place((anchor.left(), anchor.bottom()), GAP, size, viewport);
    let style = format!("position:fixed;left:{left:.0}px;top:{top:.0}px;right:auto");
    let _ = items.set_attribute("style", &style);
}
