//! What a share file's page says about itself, at its top.

use crate::present::format;
use crate::share::ShareInfo;

/// The banner's line under the title: who shared it and when, what it holds, and whether
/// secrets were taken out (`Shared by Ana · 2026-12-03 14:02 UTC · 1 trace, 42 spans · secrets
/// taken out: email, key`).
pub fn banner(info: &ShareInfo) -> String {
    let mut parts = Vec::new();
    match (&info.by, info.made.as_deref().and_then(minutes)) {
        (Some(by), Some(made)) => parts.push(format!("Shared by {by} · {made}")),
        (Some(by), None) => parts.push(format!("Shared by {by}")),
        (None, Some(made)) => parts.push(format!("Shared {made}")),
        (None, None) => {}
    }
    parts.push(format!(
        "{}, {}",
        format::counted(info.traces as u64, "trace", "traces"),
        format::counted(info.spans as u64, "span", "spans")
    ));
    parts.push(match &info.redacted {
        Some(rules) => format!("secrets taken out: {rules}"),
        None => "not redacted".to_owned(),
    });
    parts.join(" · ")
}

/// An RFC 3339 time to the minute (`2026-12-03T14:02:31Z` → `2026-12-03 14:02 UTC`); `None`
/// if it does not read as one.
fn minutes(time: &str) -> Option<String> {
    let (date, clock) = time.split_once('T')?;
    // A share file's word: any text, so every cut is checked.
    let minutes = clock.get(..5).filter(|m| m.as_bytes()[2] == b':')?;
    (date.len() == 10).then(|| format!("{date} {minutes} UTC"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_says_who_when_what_and_whether_it_was_redacted() {
        let mut info = ShareInfo {
            title: "chat".into(),
            by: Some("Ana".into()),
            made: Some("2026-12-03T14:02:31.5Z".into()),
            traces: 1,
            spans: 42,
            redacted: Some("email, key".into()),
            open: None,
        };
        assert_eq!(
            banner(&info),
            "Shared by Ana · 2026-12-03 14:02 UTC · 1 trace, 42 spans · secrets taken out: email, key"
        );
        info.by = None;
        info.redacted = None;
        info.traces = 3;
        assert_eq!(
            banner(&info),
            "Shared 2026-12-03 14:02 UTC · 3 traces, 42 spans · not redacted"
        );
        info.made = Some("yesterday".into());
        assert_eq!(banner(&info), "3 traces, 42 spans · not redacted");
        info.made = Some("2026-01-01T12:0é".into());
        assert_eq!(
            banner(&info),
            "3 traces, 42 spans · not redacted",
            "no panic on any text"
        );
    }
}
