//! The geometry of a virtual list: which rows of a list of any length are in view and where each
//! is drawn, for a scroll offset. Lists taller than browsers allow an element to be (~17M px in
//! Firefox) scroll through a scaled spacer: the scroll offset maps to a fractional first row.

/// Spacers are never taller than this (below every browser's limit).
pub const MAX_SPACER_PX: f64 = 8_000_000.0;
/// Rows rendered beyond the view, each side.
pub const OVERSCAN: u32 = 8;

/// How a list of `count` rows of `row_height` px scrolls in a view `height` px tall.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ListGeometry {
    count: f64,
    row_height: f64,
    /// The spacer's height: what the container scrolls through.
    pub spacer: f64,
    height: f64,
}

impl ListGeometry {
    /// A list of `count` rows of `row_height` px in a view `height` px tall.
    pub fn new(count: u32, row_height: f64, height: f64) -> Self {
        let natural = f64::from(count) * row_height;
        Self {
            count: f64::from(count),
            row_height,
            spacer: natural.min(MAX_SPACER_PX),
            height,
        }
    }

    fn scaled(&self) -> bool {
        self.count * self.row_height > self.spacer
    }

    /// The fractional row at the top of the view.
    pub fn top_row(&self, scroll_top: f64) -> f64 {
        if !self.scaled() {
            return scroll_top / self.row_height;
        }
        let scrollable = (self.spacer - self.height).max(1.0);
        let rows_scrollable = (self.count - self.height / self.row_height).max(0.0);
        (scroll_top / scrollable).clamp(0.0, 1.0) * rows_scrollable
    }

    /// The scroll offset that puts fractional row `row` at the top.
    pub fn scroll_for(&self, row: f64) -> f64 {
        if !self.scaled() {
            return row * self.row_height;
        }
        let scrollable = (self.spacer - self.height).max(1.0);
        let rows_scrollable = (self.count - self.height / self.row_height).max(1.0);
        (row / rows_scrollable).clamp(0.0, 1.0) * scrollable
    }

    /// The rows to render, `first..last`: those in view and [`OVERSCAN`] more each side.
    pub fn rendered(&self, scroll_top: f64) -> (u32, u32) {
        let top = self.top_row(scroll_top).floor() as u32;
        let in_view = (self.height / self.row_height).ceil() as u32 + 1;
        let last = top
            .saturating_add(in_view + OVERSCAN)
            .min(self.count as u32);
        (top.saturating_sub(OVERSCAN), last)
    }

    /// Where row `index` is drawn, px from the spacer's top.
    pub fn row_top(&self, index: u32, scroll_top: f64) -> f64 {
        scroll_top + (f64::from(index) - self.top_row(scroll_top)) * self.row_height
    }

    /// The scroll offset that brings `row` into view (centred), or `None` if it is in view.
    pub fn scroll_into_view(&self, row: u32, scroll_top: f64) -> Option<f64> {
        let top = self.top_row(scroll_top);
        let rows_in_view = self.height / self.row_height;
        let row = f64::from(row);
        if row >= top + 0.5 && row <= top + rows_in_view - 1.5 {
            return None;
        }
        Some(self.scroll_for((row - rows_in_view / 2.0).max(0.0)).round())
    }
}

/// Rows fetched beyond those rendered, each side, so that scrolling meets rows already there.
pub const FETCH_MARGIN: u32 = 150;

/// The rows to fetch, `(first, count)`, when `rendered` (`(first, count)`) are in view, `have`
/// were fetched and the list has `total`: `None` while what was fetched still covers the view
/// with a margin (a quarter of [`FETCH_MARGIN`]) on each side that has more rows.
pub fn fetch_window(rendered: (u32, u32), have: (u32, u32), total: u32) -> Option<(u32, u32)> {
    let (first, end) = (rendered.0, rendered.0.saturating_add(rendered.1));
    let have_end = have.0.saturating_add(have.1);
    let near_start = have.0 > 0 && first < have.0.saturating_add(FETCH_MARGIN / 4);
    let near_end = have_end < total && end.saturating_add(FETCH_MARGIN / 4) > have_end;
    if first < have.0 || end > have_end || near_start || near_end {
        let start = first.saturating_sub(FETCH_MARGIN);
        return Some((start, end.saturating_add(FETCH_MARGIN) - start));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_fetched_ahead_of_the_view() {
        // At the top: what the first fetch brought covers it.
        assert_eq!(fetch_window((0, 30), (0, 300), 100_000), None);
        // Scrolling down to within a quarter margin of the end fetches around the view.
        assert_eq!(fetch_window((250, 30), (0, 300), 100_000), Some((100, 330)));
        // Jumping far away (End) fetches there.
        assert_eq!(
            fetch_window((99_970, 30), (100, 330), 100_000),
            Some((99_820, 330))
        );
        // At the end of the list there is nothing more to be near.
        assert_eq!(fetch_window((99_970, 30), (99_820, 180), 100_000), None);
        // A short list fetched whole stays.
        assert_eq!(fetch_window((0, 12), (0, 300), 12), None);
    }

    #[test]
    fn a_short_list_scrolls_row_by_row() {
        let list = ListGeometry::new(100, 20.0, 200.0);
        assert_eq!(list.spacer, 2_000.0);
        assert_eq!(list.top_row(400.0), 20.0);
        assert_eq!(list.scroll_for(20.0), 400.0);
        assert_eq!(list.rendered(0.0), (0, 19));
        assert_eq!(list.rendered(400.0), (12, 39));
        assert_eq!(list.rendered(1_800.0), (82, 100), "never past the end");
        assert_eq!(list.row_top(25, 400.0), 500.0);
        assert_eq!(list.scroll_into_view(25, 400.0), None, "in view");
        assert_eq!(list.scroll_into_view(60, 400.0), Some(1_100.0), "centred");
        assert_eq!(list.scroll_into_view(0, 0.0), Some(0.0));
    }

    #[test]
    fn a_million_rows_scroll_through_a_scaled_spacer() {
        let list = ListGeometry::new(1_000_000, 26.0, 520.0);
        assert_eq!(list.spacer, MAX_SPACER_PX);
        let end = list.spacer - 520.0;
        assert_eq!(list.top_row(0.0), 0.0);
        assert_eq!(
            list.top_row(end),
            1_000_000.0 - 20.0,
            "the last rows fill the view"
        );
        let (first, last) = list.rendered(end);
        assert_eq!(last, 1_000_000);
        assert!(last - first <= 20 + 1 + 2 * OVERSCAN);
        // Scrolling to a row and back reads the same row.
        let scroll = list.scroll_for(654_321.0);
        assert!((list.top_row(scroll) - 654_321.0).abs() < 1e-6);
        // The rows drawn around the view stay at row spacing.
        let top = list.row_top(654_322, scroll) - list.row_top(654_321, scroll);
        assert!((top - 26.0).abs() < 1e-9);
    }

    #[test]
    fn an_empty_list_renders_nothing() {
        let list = ListGeometry::new(0, 26.0, 520.0);
        assert_eq!(list.rendered(0.0), (0, 0));
        assert_eq!(list.spacer, 0.0);
    }
}
