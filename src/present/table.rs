//! A project's table as the user left it — its text search, span filter, status, kind, time
//! range and sort order — carried in the route (`#/project/<name>?status=ERROR&sort=duration`),
//! so Back from a trace, a reload or a shared link finds the table as it was.

use crate::engine::protocol::{SortKey, TraceQuery};
use crate::model::{format_rfc3339_nanos, parse_rfc3339_nanos};

/// The table's filters and sort order: a [`TraceQuery`] without its project, mode and page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableView {
    /// Case-insensitive text in the name, input, output, session or id.
    pub text: String,
    /// A span filter expression that reads ("" for none).
    pub filter: String,
    /// Only this status (`OK`, `ERROR`, `UNSET`).
    pub status: Option<String>,
    /// Only this OpenInference kind.
    pub kind: Option<String>,
    /// Only those starting at or after this time, ns since the epoch.
    pub since_nanos: Option<u64>,
    /// Only those starting before this time, ns since the epoch.
    pub until_nanos: Option<u64>,
    /// The column sorted by.
    pub sort: SortKey,
    /// Largest first.
    pub descending: bool,
}

impl Default for TableView {
    /// Newest first, nothing filtered.
    fn default() -> Self {
        Self {
            text: String::new(),
            filter: String::new(),
            status: None,
            kind: None,
            since_nanos: None,
            until_nanos: None,
            sort: SortKey::Start,
            descending: true,
        }
    }
}

impl TableView {
    /// The query for every row the view lets through (the page is chosen by the list).
    pub fn query(&self, project: &str, all_spans: bool) -> TraceQuery {
        TraceQuery {
            project: project.to_owned(),
            text: self.text.clone(),
            filter: self.filter.clone(),
            status: self.status.clone(),
            kind: self.kind.clone(),
            since_nanos: self.since_nanos,
            until_nanos: self.until_nanos,
            all_spans,
            sort: self.sort,
            descending: self.descending,
            first: 0,
            count: 0,
        }
    }

    /// A click on a column's head: the same column turns its order round, another sorts
    /// largest (or latest) first.
    pub fn sorted_by(&self, key: SortKey) -> TableView {
        TableView {
            sort: key,
            descending: self.sort != key || !self.descending,
            ..self.clone()
        }
    }

    /// The `name=value` pairs that differ from the default, values not yet encoded.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let default = TableView::default();
        let mut pairs = Vec::new();
        let mut text = |name, value: &str| {
            if !value.is_empty() {
                pairs.push((name, value.to_owned()));
            }
        };
        text("text", &self.text);
        text("filter", &self.filter);
        text("status", self.status.as_deref().unwrap_or_default());
        text("kind", self.kind.as_deref().unwrap_or_default());
        for (name, time) in [("since", self.since_nanos), ("until", self.until_nanos)] {
            if let Some(nanos) = time {
                pairs.push((name, format_rfc3339_nanos(nanos)));
            }
        }
        if self.sort != default.sort {
            pairs.push(("sort", sort_name(self.sort).to_owned()));
        }
        if !self.descending {
            pairs.push(("order", "ascending".to_owned()));
        }
        pairs
    }

    /// Reads [`TableView::pairs`] back (decoded); anything unknown or unreadable is left at
    /// its default.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> TableView {
        let mut view = TableView::default();
        let present = |value: String| (!value.is_empty()).then_some(value);
        for (name, value) in pairs {
            match name {
                "text" => view.text = value,
                "filter" => view.filter = value,
                "status" => view.status = present(value),
                "kind" => view.kind = present(value),
                "since" => view.since_nanos = parse_rfc3339_nanos(&value),
                "until" => view.until_nanos = parse_rfc3339_nanos(&value),
                "sort" => view.sort = sort_named(&value).unwrap_or_default(),
                "order" => view.descending = value != "ascending",
                _ => {}
            }
        }
        view
    }
}

const SORT_NAMES: [(SortKey, &str); 8] = [
    (SortKey::Start, "start"),
    (SortKey::Duration, "duration"),
    (SortKey::Name, "name"),
    (SortKey::Spans, "spans"),
    (SortKey::Tokens, "tokens"),
    (SortKey::Cost, "cost"),
    (SortKey::Status, "status"),
    (SortKey::Kind, "kind"),
];

fn sort_name(key: SortKey) -> &'static str {
    SORT_NAMES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("start", |(_, name)| name)
}

fn sort_named(name: &str) -> Option<SortKey> {
    SORT_NAMES.iter().find(|(_, n)| *n == name).map(|(k, _)| *k)
}

/// A `datetime-local` input's value (`2026-11-28T05:07`, seconds optional) as UTC nanoseconds.
pub fn time_from_input(value: &str) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    parse_rfc3339_nanos(&format!("{value}:00Z"))
        .or_else(|| parse_rfc3339_nanos(&format!("{value}Z")))
}

/// The `datetime-local` value showing `nanos` (UTC), to the second.
pub fn time_to_input(nanos: Option<u64>) -> String {
    nanos
        .map(|nanos| format_rfc3339_nanos(nanos)[..19].to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_view_writes_nothing_and_every_field_reads_back() {
        assert!(TableView::default().pairs().is_empty());
        let view = TableView {
            text: "refund & more".into(),
            filter: "span_kind == 'LLM'".into(),
            status: Some("ERROR".into()),
            kind: Some("LLM".into()),
            since_nanos: Some(1_795_842_428_000_000_000),
            until_nanos: Some(1_795_842_429_500_000_000),
            sort: SortKey::Cost,
            descending: false,
        };
        let pairs = view.pairs();
        assert_eq!(pairs.len(), 8);
        assert!(pairs.contains(&("sort", "cost".to_owned())));
        assert!(pairs.contains(&("since", "2026-11-28T05:07:08.000000000Z".to_owned())));
        assert_eq!(TableView::from_pairs(pairs), view);
        for (key, _) in SORT_NAMES {
            let sorted = TableView::default().sorted_by(key);
            assert_eq!(TableView::from_pairs(sorted.pairs()), sorted);
        }
    }

    #[test]
    fn unreadable_values_fall_back_to_the_default() {
        let view = TableView::from_pairs([
            ("sort", "sideways".to_owned()),
            ("since", "yesterday".to_owned()),
            ("status", String::new()),
            ("order", "descending".to_owned()),
            ("unknown", "x".to_owned()),
        ]);
        assert_eq!(view, TableView::default());
    }

    #[test]
    fn a_column_head_sorts_latest_first_then_turns_round() {
        let view = TableView::default();
        let by_duration = view.sorted_by(SortKey::Duration);
        assert_eq!(
            (by_duration.sort, by_duration.descending),
            (SortKey::Duration, true)
        );
        let again = by_duration.sorted_by(SortKey::Duration);
        assert!(!again.descending);
        assert!(again.sorted_by(SortKey::Duration).descending);
        assert!(
            again.sorted_by(SortKey::Name).descending,
            "another column starts over"
        );
    }

    #[test]
    fn the_query_carries_the_view_and_the_mode() {
        let view = TableView {
            status: Some("OK".into()),
            ..TableView::default()
        };
        let query = view.query("demo", true);
        assert_eq!(query.project, "demo");
        assert!(query.all_spans && query.descending);
        assert_eq!(query.status.as_deref(), Some("OK"));
        assert_eq!((query.first, query.count), (0, 0));
    }

    #[test]
    fn datetime_inputs_are_read_and_written_as_utc() {
        assert_eq!(
            time_from_input("2026-11-28T05:07"),
            Some(1_795_842_420_000_000_000)
        );
        assert_eq!(
            time_from_input("2026-11-28T05:07:08"),
            Some(1_795_842_428_000_000_000)
        );
        assert_eq!(time_from_input(""), None);
        assert_eq!(time_from_input("soon"), None);
        assert_eq!(
            time_to_input(Some(1_795_842_428_960_000_000)),
            "2026-11-28T05:07:08"
        );
        assert_eq!(time_to_input(None), "");
    }
}
