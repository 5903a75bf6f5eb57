//! Where something that floats over the page (a tooltip, a menu) goes so that it stays inside
//! the viewport: beside its anchor if it fits, else moved in from the edge it would cross.

/// A point or a size, px: `(x, y)` or `(width, height)`.
pub type Px = (f64, f64);

/// Room kept between a floating box and the viewport's edge, px.
const MARGIN: f64 = 8.0;

/// The top-left corner for a box of `size` shown below and right of `anchor` (offset by
/// `gap`), moved left or flipped above so that it stays inside `viewport`; never off its
/// top-left corner, even if it is larger than the viewport.
pub fn place(anchor: Px, gap: f64, size: Px, viewport: Px) -> Px {
    let left = (anchor.0 + gap)
        .min(viewport.0 - size.0 - MARGIN)
        .max(MARGIN);
    let below = anchor.1 + gap;
    let top = match below + size.1 + MARGIN > viewport.1 {
        true => anchor.1 - gap - size.1,
        false => below,
    };
    (left, top.min(viewport.1 - size.1 - MARGIN).max(MARGIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_goes_below_right_of_its_anchor_when_it_fits() {
        assert_eq!(
            place((100.0, 100.0), 12.0, (300.0, 80.0), (1400.0, 900.0)),
            (112.0, 112.0)
        );
    }

    #[test]
    fn a_box_near_an_edge_moves_in_or_flips_above() {
        // Near the right edge: moved left to end a margin short of it.
        assert_eq!(
            place((1300.0, 100.0), 12.0, (300.0, 80.0), (1400.0, 900.0)),
            (1092.0, 112.0)
        );
        // Near the bottom: above the anchor.
        assert_eq!(
            place((100.0, 850.0), 12.0, (300.0, 80.0), (1400.0, 900.0)),
            (112.0, 758.0)
        );
        // Larger than a phone's viewport: pinned at its top-left margin.
        assert_eq!(
            place((200.0, 20.0), 12.0, (500.0, 80.0), (390.0, 844.0)),
            (8.0, 32.0)
        );
    }
}
