//! Time ↔ pixels for the timeline, in one place.
//!
//! The timeline shows a window of the trace, `[start, end)` in ns after the trace's start, across
//! a width in pixels (or as percentages of it). [`TimeWindow`] is that mapping; [`ticks`] picks the
//! axis labels.

use crate::present::format;

/// The stretch of a trace the timeline shows, in ns after the trace's start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeWindow {
    /// First ns shown.
    pub start_nanos: f64,
    /// One past the last ns shown.
    pub end_nanos: f64,
}

/// The smallest window a user can zoom to.
pub const MIN_WINDOW_NANOS: f64 = 1_000.0;

impl TimeWindow {
    /// The whole trace (at least 1 ns wide).
    pub fn whole(duration_nanos: u64) -> Self {
        Self {
            start_nanos: 0.0,
            end_nanos: (duration_nanos as f64).max(1.0),
        }
    }

    /// Its width in ns.
    pub fn width_nanos(&self) -> f64 {
        self.end_nanos - self.start_nanos
    }

    /// Where `nanos` falls, as a percentage of the width (may be outside 0–100).
    pub fn percent_from_nanos(&self, nanos: f64) -> f64 {
        (nanos - self.start_nanos) / self.width_nanos() * 100.0
    }

    /// A bar from `start` to `end` (ns from the trace's start) as CSS percentages `(left,
    /// width)`, at least `min_width` wide so the shortest span stays visible.
    pub fn bar(&self, start: f64, end: f64, min_width: f64) -> (f64, f64) {
        let left = self.percent_from_nanos(start);
        (left, (self.percent_from_nanos(end) - left).max(min_width))
    }

    /// The ns at `fraction` (0–1) of the width.
    pub fn nanos_from_fraction(&self, fraction: f64) -> f64 {
        self.start_nanos + fraction * self.width_nanos()
    }

    /// Zoomed by `factor` (< 1 zooms in) around `fraction` of the width, kept inside the trace.
    pub fn zoomed(&self, factor: f64, fraction: f64, duration_nanos: u64) -> Self {
        let total = (duration_nanos as f64).max(1.0);
        let anchor = self.nanos_from_fraction(fraction);
        let width = (self.width_nanos() * factor).clamp(MIN_WINDOW_NANOS.min(total), total);
        let start = anchor - fraction * width;
        Self::clamped(start, width, total)
    }

    /// Moved by `fraction` of its width (negative moves earlier), kept inside the trace.
    pub fn panned(&self, fraction: f64, duration_nanos: u64) -> Self {
        let total = (duration_nanos as f64).max(1.0);
        let width = self.width_nanos();
        Self::clamped(self.start_nanos + fraction * width, width, total)
    }

    /// Where a pick on the whole trace's minimap goes from `self`: a drag from `start` to `end`
    /// (fractions of the trace) zooms to that stretch; a click (a stretch under 1/200 of the
    /// trace) keeps the width and centres it there.
    pub fn picked(&self, start: f64, end: f64, duration_nanos: u64) -> Self {
        let whole = Self::whole(duration_nanos);
        let (from, to) = (
            whole.nanos_from_fraction(start.min(end)),
            whole.nanos_from_fraction(start.max(end)),
        );
        if to - from > whole.width_nanos() / 200.0 {
            return Self {
                start_nanos: from,
                end_nanos: to,
            };
        }
        let half = self.width_nanos() / 2.0;
        Self {
            start_nanos: from - half,
            end_nanos: from + half,
        }
        .zoomed(1.0, 0.5, duration_nanos)
    }

    /// The window of `width` starting near `start`, moved to lie inside `[0, total]`.
    fn clamped(start: f64, width: f64, total: f64) -> Self {
        let start = start.clamp(0.0, (total - width).max(0.0));
        Self {
            start_nanos: start,
            end_nanos: start + width,
        }
    }
}

/// An axis label: where (percent of the width) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// Position, percent of the width.
    pub percent: f64,
    /// The label.
    pub label: String,
}

/// Labels at a round step (1, 2 or 5 × 10ⁿ ns) giving about `target` ticks across the window.
pub fn ticks(window: &TimeWindow, target: usize) -> Vec<Tick> {
    let width = window.width_nanos().max(1.0);
    let raw = width / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    let first = (window.start_nanos / step).ceil() * step;
    let mut ticks = Vec::new();
    let mut at = first;
    while at <= window.end_nanos && ticks.len() <= target * 3 {
        ticks.push(Tick {
            percent: window.percent_from_nanos(at),
            label: format::duration(at.round() as u64),
        });
        at += step;
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimap_drag_zooms_to_its_stretch_and_a_click_centres_the_window() {
        let second = 1_000_000_000;
        let whole = TimeWindow::whole(second);
        let dragged = whole.picked(0.6, 0.2, second);
        assert_eq!((dragged.start_nanos, dragged.end_nanos), (2e8, 6e8));
        let narrow = TimeWindow {
            start_nanos: 0.0,
            end_nanos: 1e8,
        };
        let clicked = narrow.picked(0.5, 0.5, second);
        assert_eq!((clicked.start_nanos, clicked.end_nanos), (4.5e8, 5.5e8));
        let at_end = narrow.picked(0.99, 0.99, second);
        assert_eq!(
            (at_end.start_nanos, at_end.end_nanos),
            (9e8, 1e9),
            "kept inside"
        );
    }

    #[test]
    fn percentages_and_zoom() {
        let window = TimeWindow::whole(1_000_000);
        assert_eq!(window.percent_from_nanos(250_000.0), 25.0);
        let zoomed = window.zoomed(0.5, 0.5, 1_000_000);
        assert_eq!(
            (zoomed.start_nanos, zoomed.end_nanos),
            (250_000.0, 750_000.0)
        );
        // Zooming near an edge stays inside the trace.
        let edge = window.zoomed(0.1, 0.0, 1_000_000);
        assert_eq!((edge.start_nanos, edge.end_nanos), (0.0, 100_000.0));
        let panned = edge.panned(-3.0, 1_000_000);
        assert_eq!(panned.start_nanos, 0.0);
        let far = edge.panned(100.0, 1_000_000);
        assert_eq!(far.end_nanos, 1_000_000.0);
        // Never narrower than a microsecond, never wider than the trace.
        assert_eq!(
            window.zoomed(1e-9, 0.5, 1_000_000).width_nanos(),
            MIN_WINDOW_NANOS
        );
        assert_eq!(
            window.zoomed(10.0, 0.5, 1_000_000).width_nanos(),
            1_000_000.0
        );
    }

    #[test]
    fn ticks_are_round() {
        let labels: Vec<String> = ticks(&TimeWindow::whole(23_000_000), 5)
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(labels, ["0ns", "5.00ms", "10.0ms", "15.0ms", "20.0ms"]);
        // 2,750 ns in about 4 ticks: a step of 1µs, the first at 2µs.
        let window = TimeWindow {
            start_nanos: 1_250.0,
            end_nanos: 4_000.0,
        };
        let all = ticks(&window, 4);
        assert_eq!(
            all.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(),
            ["2.00µs", "3.00µs", "4.00µs"]
        );
        assert!((all[0].percent - 750.0 / 2750.0 * 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_bar_spans_its_times_and_is_never_thinner_than_asked() {
        let window = TimeWindow {
            start_nanos: 100.0,
            end_nanos: 300.0,
        };
        assert_eq!(window.bar(150.0, 250.0, 0.1), (25.0, 50.0));
        assert_eq!(window.bar(200.0, 200.0, 0.15), (50.0, 0.15));
        assert_eq!(window.bar(0.0, 500.0, 0.1), (-50.0, 250.0));
    }
}
