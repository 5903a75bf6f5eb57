//! What the *Live* indicator of a page served by `plume serve` says.

use crate::engine::messages::{Connection, LiveStatus};
use crate::present::format;

/// The indicator: its words, its state (a class: `live`, `paused`, `connecting`, `lost`), a
/// longer explanation, and the button's label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveIndicator {
    /// What it says.
    pub text: String,
    /// Its state, as a class.
    pub state: &'static str,
    /// Said on hover.
    pub title: String,
    /// The pause/resume button's label.
    pub action: &'static str,
}

/// The indicator for `status`.
pub fn indicator(status: &LiveStatus) -> LiveIndicator {
    let spans = match status.spans {
        0 => String::new(),
        n => format!(" · {} spans received", format::count(n)),
    };
    let (text, state, mut title) = match (&status.connection, status.paused) {
        (_, true) => (
            format!("Paused{spans}"),
            "paused",
            "What plume serve receives is kept; resume to show it here".to_owned(),
        ),
        (Connection::Open, false) => (
            format!("Live{spans}"),
            "live",
            "Spans show here as plume serve receives them".to_owned(),
        ),
        (Connection::Connecting, false) => (
            "Connecting…".to_owned(),
            "connecting",
            "Connecting to plume serve".to_owned(),
        ),
        (Connection::Lost(why), false) => (
            "Reconnecting…".to_owned(),
            "lost",
            format!("{why}; trying again"),
        ),
    };
    if let Some(problem) = &status.problem {
        title = format!("{title}. Last problem: {problem}");
    }
    LiveIndicator {
        text,
        state,
        title,
        action: if status.paused { "Resume" } else { "Pause" },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_indicator_says_how_following_goes() {
        let mut status = LiveStatus::default();
        assert_eq!(indicator(&status).text, "Connecting…");
        status.connection = Connection::Open;
        assert_eq!(indicator(&status).text, "Live");
        status.spans = 12_345;
        let live = indicator(&status);
        assert_eq!((live.state, live.action), ("live", "Pause"));
        assert_eq!(live.text, "Live · 12,345 spans received");
        status.paused = true;
        let paused = indicator(&status);
        assert_eq!((paused.state, paused.action), ("paused", "Resume"));
        assert!(paused.text.starts_with("Paused"));
        status.paused = false;
        status.connection = Connection::Lost("plume serve closed the stream".into());
        status.problem = Some("a piece did not read".into());
        let lost = indicator(&status);
        assert_eq!(lost.state, "lost");
        assert!(lost.title.contains("closed the stream") && lost.title.contains("did not read"));
    }
}
