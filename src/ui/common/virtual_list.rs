//! A list that only puts the rows in view into the DOM, however many there are.
//!
//! It knows a row count and a row height, nothing about what the rows are: `render` draws row
//! `i`, `on_range` hears which rows are (about to be) in view so the owner can fetch them. The
//! arithmetic (which rows, where, scaled spacers for lists taller than browsers allow) is
//! [`ListGeometry`]'s, tested natively.

use web_sys::HtmlElement;
use yew::prelude::*;

use crate::present::list::ListGeometry;

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

/// See the module docs.
#[component]
pub fn VirtualList(props: &VirtualListProps) -> Html {
    let container = use_node_ref();
    let viewport = use_viewport(container.clone());
    let geometry = ListGeometry::new(props.count, props.row_height, viewport.height);
    let (first, last) = geometry.rendered(viewport.scroll_top);
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
        use_effect_with(props.scroll_to, move |request| {
            if let (Some((row, _)), Some(element)) = (request, container.cast::<HtmlElement>()) {
                let scroll_top = f64::from(element.scroll_top());
                if let Some(target) = geometry.scroll_into_view(*row, scroll_top) {
                    element.set_scroll_top(target as i32);
                }
            }
        });
    }
    let onscroll = {
        let viewport = viewport.clone();
        Callback::from(move |event: Event| {
            if let Some(element) = event.target_dyn_into::<HtmlElement>() {
                viewport.set(Viewport::of(&element));
            }
        })
    };
    let rows = (first..last).map(|index| {
        let top = geometry.row_top(index, viewport.scroll_top);
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

impl Viewport {
    fn of(element: &HtmlElement) -> Viewport {
        Viewport {
            scroll_top: f64::from(element.scroll_top()),
            height: f64::from(element.client_height()).max(1.0),
        }
    }
}

/// The container's viewport: measured once it exists and again when the window resizes (the
/// list's scroll handler keeps it as the user scrolls).
#[hook]
fn use_viewport(container: NodeRef) -> UseStateHandle<Viewport> {
    let viewport = use_state(|| Viewport {
        scroll_top: 0.0,
        height: 600.0,
    });
    {
        let viewport = viewport.clone();
        use_effect_with((), move |_| {
            let measure = move || {
                if let Some(element) = container.cast::<HtmlElement>() {
                    viewport.set(Viewport::of(&element));
                }
            };
            measure();
            let listener = web_sys::window().map(|window| {
                gloo::events::EventListener::new(&window, "resize", move |_| measure())
            });
            move || drop(listener)
        });
    }
    viewport
}
