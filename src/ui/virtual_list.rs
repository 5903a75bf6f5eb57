//! A list that only puts the rows in view into the DOM, however many there are.
//!
//! It knows a row count and a row height, nothing about what the rows are: `render` draws row
//! `i`, `on_range` hears which rows are (about to be) in view so the owner can fetch them. Lists
//! taller than browsers allow an element to be (~17M px in Firefox) are scrolled through a
//! scaled spacer: the scroll position maps to a fractional first row.

use web_sys::HtmlElement;
use yew::prelude::*;

/// Spacers are never taller than this (below every browser's limit).
const MAX_SPACER_PX: f64 = 8_000_000.0;
/// Rows rendered beyond the view, each side.
const OVERSCAN: u32 = 8;

/// The list's properties.
#[derive(Properties, PartialEq)]
pub struct VirtualListProps {
    /// Rows in all.
    pub count: u32,
    /// Height of a row, px.
    pub row_height: f64,
    /// Draws row `i` (absolute positioning is the list's job).
    pub render: Callback<u32, Html>,
    /// Hears `(first, count)` of the rows rendered, when it changes.
    #[prop_or_default]
    pub on_range: Callback<(u32, u32)>,
    /// When it changes, the list scrolls row `.0` into view (`.1` makes equal requests differ).
    #[prop_or_default]
    pub scroll_to: Option<(u32, u32)>,
    /// Extra classes for the scroll container.
    #[prop_or_default]
    pub class: Classes,
    /// Keyboard handler on the scroll container (which is focusable).
    #[prop_or_default]
    pub onkeydown: Callback<KeyboardEvent>,
    /// Accessible role of the container (`tree`, `grid`, …).
    #[prop_or_default]
    pub role: Option<AttrValue>,
}

/// Where the view is: the scroll offset and the height of the container.
#[derive(Clone, Copy, PartialEq)]
struct Viewport {
    scroll_top: f64,
    height: f64,
}

/// The geometry of a list: how scroll offsets map to rows.
struct Geometry {
    count: f64,
    row_height: f64,
    spacer: f64,
    height: f64,
}

impl Geometry {
    fn new(count: u32, row_height: f64, height: f64) -> Self {
        let natural = count as f64 * row_height;
        Self {
            count: count as f64,
            row_height,
            spacer: natural.min(MAX_SPACER_PX),
            height,
        }
    }

    fn scaled(&self) -> bool {
        self.count * self.row_height > self.spacer
    }

    /// The fractional row at the top of the view.
    fn top_row(&self, scroll_top: f64) -> f64 {
        if !self.scaled() {
            return scroll_top / self.row_height;
        }
        let scrollable = (self.spacer - self.height).max(1.0);
        let rows_scrollable = (self.count - self.height / self.row_height).max(0.0);
        (scroll_top / scrollable).clamp(0.0, 1.0) * rows_scrollable
    }

    /// The scroll offset that puts fractional row `row` at the top.
    fn scroll_for(&self, row: f64) -> f64 {
        if !self.scaled() {
            return row * self.row_height;
        }
        let scrollable = (self.spacer - self.height).max(1.0);
        let rows_scrollable = (self.count - self.height / self.row_height).max(1.0);
        (row / rows_scrollable).clamp(0.0, 1.0) * scrollable
    }
}

/// See the module docs.
#[component]
pub fn VirtualList(props: &VirtualListProps) -> Html {
    let container = use_node_ref();
    let viewport = use_state(|| Viewport {
        scroll_top: 0.0,
        height: 600.0,
    });
    let geometry = Geometry::new(props.count, props.row_height, viewport.height);
    let top_row = geometry.top_row(viewport.scroll_top);
    let in_view = (viewport.height / props.row_height).ceil() as u32 + 1;
    let first = (top_row.floor() as u32).saturating_sub(OVERSCAN);
    let last = (top_row.floor() as u32)
        .saturating_add(in_view + OVERSCAN)
        .min(props.count);

    // Measure the container once it exists, and again when the window resizes.
    {
        let container = container.clone();
        let viewport = viewport.clone();
        use_effect_with((), move |_| {
            let measure = {
                let container = container.clone();
                let viewport = viewport.clone();
                move || {
                    if let Some(element) = container.cast::<HtmlElement>() {
                        let height = f64::from(element.client_height()).max(1.0);
                        viewport.set(Viewport {
                            scroll_top: f64::from(element.scroll_top()),
                            height,
                        });
                    }
                }
            };
            measure();
            let listener = web_sys::window().map(|window| {
                gloo::events::EventListener::new(&window, "resize", move |_| measure())
            });
            move || drop(listener)
        });
    }
    // Tell the owner which rows are rendered.
    {
        let on_range = props.on_range.clone();
        use_effect_with((first, last), move |(first, last)| {
            on_range.emit((*first, last.saturating_sub(*first)));
        });
    }
    // Scroll a requested row into view.
    {
        let container = container.clone();
        let height = viewport.height;
        let (count, row_height) = (props.count, props.row_height);
        use_effect_with(props.scroll_to, move |request| {
            if let (Some((row, _)), Some(element)) = (request, container.cast::<HtmlElement>()) {
                let geometry = Geometry::new(count, row_height, height);
                let top = geometry.top_row(f64::from(element.scroll_top()));
                let rows_in_view = height / row_height;
                let row = f64::from(*row);
                if row < top + 0.5 || row > top + rows_in_view - 1.5 {
                    let target = (row - rows_in_view / 2.0).max(0.0);
                    element.set_scroll_top(geometry.scroll_for(target).round() as i32);
                }
            }
        });
    }
    let onscroll = {
        let viewport = viewport.clone();
        Callback::from(move |event: Event| {
            if let Some(element) = event.target_dyn_into::<HtmlElement>() {
                viewport.set(Viewport {
                    scroll_top: f64::from(element.scroll_top()),
                    height: f64::from(element.client_height()).max(1.0),
                });
            }
        })
    };
    let rows = (first..last).map(|index| {
        let top = viewport.scroll_top + (f64::from(index) - top_row) * props.row_height;
        html! {
            <div class="vrow" key={index} style={format!("top:{top:.1}px;height:{}px", props.row_height)}>
                { props.render.emit(index) }
            </div>
        }
    });
    html! {
        <div ref={container} class={classes!("vlist", props.class.clone())} {onscroll}
             tabindex="0" onkeydown={props.onkeydown.clone()} role={props.role.clone()}>
            <div class="vspacer" style={format!("height:{}px", geometry.spacer)}></div>
            { for rows }
        </div>
    }
}
