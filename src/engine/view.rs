//! The state of one open trace: collapsed rows, the search, the critical path, and the list of
//! rows that are visible because of them.
//!
//! `visible` holds tree rows in pre-order. Without a search, a collapsed row's subtree is skipped
//! in one step (`subtree_len`), so recomputing is O(visible rows); with a search, the visible rows
//! are the matches and their ancestors. Windows of rows are then slices of `visible`.

use crate::analysis::filter::{Filter, looks_like_filter};
use crate::analysis::{Segment, Trace, Tree, critical_path};
use hashbrown::{HashMap, HashSet};

use crate::engine::details::log_view;
use crate::engine::protocol::{
    Anomalies, LogView, MINIMAP_COLUMNS, MINIMAP_ROWS, ORPHAN_LOGS, RowView, SearchReading,
    TraceOverview,
};
use crate::engine::status_name;
use crate::model::{AnyValue, Arena, Caseless, OiKind, SpanId, StatusCode, StrId, StrSet};
use crate::semantics::{Prices, call_cost};

/// One open trace's view state.
pub(crate) struct View {
    collapsed: Vec<bool>,
    visible: Vec<u32>,
    search: String,
    /// How the search was read; a filter that does not read filters nothing.
    search_reading: SearchReading,
    /// Rows matching the search, in order.
    matches: Vec<u32>,
    /// The critical path, sorted by row, when it is on.
    critical: Option<Vec<Segment>>,
    minimap: Vec<u16>,
    /// The first span in tree order whose status is an error.
    first_error: Option<SpanId>,
    /// Log records naming the trace but none of its loaded spans: how many, and the first.
    orphan_logs: (u32, Vec<LogView>),
    /// The trace is still arriving ([`crate::analysis::Traces::in_progress`]).
    pub(crate) in_progress: bool,
}

/// What a view held that its trace's next view keeps, when the trace grew: collapsed rows by
/// span id (rows move as spans arrive), the search, the critical path.
pub(crate) struct Carried {
    collapsed: HashSet<SpanId>,
    search: String,
    as_text: bool,
    critical: bool,
}

impl View {
    /// What this view of `trace` holds, for the view of the trace once it has grown.
    pub(crate) fn carried(&self, arena: &Arena, trace: &Trace) -> Carried {
        let spans = arena.spans();
        let collapsed = (self.collapsed.iter().enumerate())
            .filter(|(_, collapsed)| **collapsed)
            .filter_map(|(row, _)| trace.tree.span.get(row))
            .map(|&span| spans[span as usize].span_id)
            .collect();
        Carried {
            collapsed,
            search: self.search.clone(),
            as_text: self.search_reading == SearchReading::Text,
            critical: self.critical.is_some(),
        }
    }

    /// A view of `trace` that keeps what `carried` held.
    pub(crate) fn carrying(
        arena: &Arena,
        trace: &Trace,
        carried: Carried,
        prices: &Prices,
    ) -> Self {
        let mut view = Self::new(arena, trace);
        let spans = arena.spans();
        for (row, &span) in trace.tree.span.iter().enumerate() {
            view.collapsed[row] = carried.collapsed.contains(&spans[span as usize].span_id);
        }
        if carried.search.is_empty() {
            view.recompute(&trace.tree);
        } else {
            view.search(arena, trace, &carried.search, carried.as_text, prices);
        }
        view.set_critical_path(arena, trace, carried.critical);
        view
    }

    pub(crate) fn new(arena: &Arena, trace: &Trace) -> Self {
        let mut view = Self {
            collapsed: vec![false; trace.tree.len()],
            visible: Vec::new(),
            search: String::new(),
            search_reading: SearchReading::Text,
            matches: Vec::new(),
            critical: None,
            minimap: minimap(arena, trace),
            first_error: trace
                .tree
                .span
                .iter()
                .map(|&i| &arena.spans()[i as usize])
                .find(|span| span.status_code == StatusCode::Error)
                .map(|span| span.span_id),
            orphan_logs: orphan_logs(arena, trace),
            in_progress: false,
        };
        view.recompute(&trace.tree);
        view
    }

    fn recompute(&mut self, tree: &Tree) {
        self.visible.clear();
        if !self.filtering() {
            let mut row = 0usize;
            while row < tree.len() {
                self.visible.push(row as u32);
                row += if self.collapsed[row] {
                    tree.subtree_len[row] as usize
                } else {
                    1
                };
            }
        } else {
            // Matches and their ancestors, in tree order; collapsing does not hide matches.
            let mut keep = vec![false; tree.len()];
            for &row in &self.matches {
                let mut at = row;
                while at != crate::analysis::NO_ROW && !keep[at as usize] {
                    keep[at as usize] = true;
                    at = tree.parent[at as usize];
                }
            }
            self.visible
                .extend((0..tree.len() as u32).filter(|&row| keep[row as usize]));
        }
    }

    /// Whether the search limits the rows to its matches.
    fn filtering(&self) -> bool {
        !self.search.is_empty() && !matches!(self.search_reading, SearchReading::BadFilter(_))
    }

    fn visible_index(&self, row: u32) -> Option<u32> {
        self.visible.binary_search(&row).ok().map(|i| i as u32)
    }

    pub(crate) fn toggle(&mut self, trace: &Trace, row: u32, expand: Option<bool>) {
        let Some(collapsed) = self.collapsed.get_mut(row as usize) else {
            return;
        };
        *collapsed = match expand {
            Some(expand) => !expand,
            None => !*collapsed,
        };
        self.recompute(&trace.tree);
    }

    pub(crate) fn toggle_all(&mut self, trace: &Trace, expand: bool) {
        let tree = &trace.tree;
        for (row, collapsed) in self.collapsed.iter_mut().enumerate() {
            // Collapsing all keeps the roots' children in sight.
            *collapsed = !expand && tree.subtree_len[row] > 1 && tree.depth[row] > 0;
        }
        self.recompute(tree);
    }

    pub(crate) fn search(
        &mut self,
        arena: &Arena,
        trace: &Trace,
        text: &str,
        as_text: bool,
        prices: &Prices,
    ) {
        self.search = text.trim().to_owned();
        self.matches.clear();
        let rows = 0..trace.tree.len() as u32;
        let filter = match as_text {
            true => None,
            false => Some(Filter::parse(&self.search)),
        };
        self.search_reading = match &filter {
            Some(Ok(_)) => SearchReading::Filter,
            Some(Err(error)) if looks_like_filter(&self.search) => {
                SearchReading::BadFilter(error.clone())
            }
            _ => SearchReading::Text,
        };
        if let Some(Ok(filter)) = filter {
            let matcher = filter.matcher(arena, prices);
            let scope = matcher.trace(trace);
            self.matches = trace.tree.rows_where(rows, |row| scope.matches(row));
        } else if self.search_reading == SearchReading::Text && !self.search.is_empty() {
            let scan_all = trace.tree.len().saturating_mul(SCAN_SHARE) >= arena.spans().len();
            let mut search = TextSearch::new(&self.search, arena, scan_all);
            let spans = arena.spans();
            // A needle no string (when all were scanned), number, id or kind holds matches no
            // span: no walk.
            if search.may_match() {
                self.matches = trace.tree.rows_where(rows, |row| {
                    search.span_matches(arena, &spans[trace.tree.span[row as usize] as usize])
                });
            }
        }
        self.recompute(&trace.tree);
    }

    /// Expands the span's ancestors (leaving the search if it hides the span); its visible index.
    pub(crate) fn reveal(&mut self, arena: &Arena, trace: &Trace, span_id: SpanId) -> Option<u32> {
        let tree = &trace.tree;
        let spans = arena.spans();
        let row = (0..tree.len() as u32)
            .find(|&row| spans[tree.span[row as usize] as usize].span_id == span_id)?;
        let mut at = tree.parent[row as usize];
        while at != crate::analysis::NO_ROW {
            self.collapsed[at as usize] = false;
            at = tree.parent[at as usize];
        }
        self.recompute(tree);
        if self.visible_index(row).is_none() && !self.search.is_empty() {
            self.search.clear();
            self.search_reading = SearchReading::Text;
            self.matches.clear();
            self.recompute(tree);
        }
        self.visible_index(row)
    }

    pub(crate) fn set_critical_path(&mut self, arena: &Arena, trace: &Trace, on: bool) {
        self.critical = on.then(|| {
            let mut segments: Vec<Segment> = trace
                .tree
                .roots()
                .flat_map(|root| critical_path(arena.spans(), &trace.tree, root))
                .collect();
            segments.sort_by_key(|s| (s.row, s.start_unix_nanos));
            segments
        });
    }

    pub(crate) fn overview(&self, arena: &Arena, trace: &Trace, prices: &Prices) -> TraceOverview {
        let summary = &trace.summary;
        let mut time_by_kind: Vec<(String, u64)> = OiKind::ALL
            .iter()
            .zip(summary.self_nanos_by_kind)
            .filter(|(_, nanos)| *nanos > 0)
            .map(|(kind, nanos)| (kind.name().to_owned(), nanos))
            .collect();
        time_by_kind.sort_by_key(|(_, nanos)| std::cmp::Reverse(*nanos));
        TraceOverview {
            trace_id: summary.trace_id.to_string(),
            name: arena.str(summary.name).to_owned(),
            project: arena.str(summary.project).to_owned(),
            session: summary.session.map(|s| arena.str(s).to_owned()),
            start_nanos: summary.start_unix_nanos,
            duration_nanos: summary.duration_nanos(),
            spans: summary.span_count,
            errors: summary.error_count,
            usage: summary.usage,
            cost: summary.cost(arena, prices),
            time_by_kind,
            orphan_log_count: self.orphan_logs.0,
            orphan_logs: self.orphan_logs.1.clone(),
            anomalies: Anomalies {
                roots: summary.roots,
                missing_parents: summary.missing_parents,
                duplicates: summary.duplicates,
                cycles: summary.cycles,
                outside_parent: summary.outside_parent,
                unfinished: summary.unfinished,
            },
            visible_rows: self.visible.len() as u32,
            search: self.search.clone(),
            search_reading: self.search_reading.clone(),
            matches: self
                .matches
                .iter()
                .filter_map(|&row| self.visible_index(row))
                .collect(),
            critical_path: self.critical.is_some(),
            first_error: self.first_error.map(|id| id.to_string()),
            in_progress: self.in_progress,
            minimap: self.minimap.clone(),
        }
    }

    pub(crate) fn rows(
        &self,
        arena: &Arena,
        trace: &Trace,
        first: u32,
        count: u32,
        prices: &Prices,
    ) -> Vec<RowView> {
        let tree = &trace.tree;
        let start = trace.summary.start_unix_nanos;
        let end = (first as usize)
            .saturating_add(count as usize)
            .min(self.visible.len());
        let offset = |nanos: u64| nanos.saturating_sub(start);
        (first as usize..end)
            .map(|visible_index| {
                let row = self.visible[visible_index];
                let r = row as usize;
                let span = &arena.spans()[tree.span[r] as usize];
                let call = arena.call(span);
                let critical = self
                    .critical
                    .as_ref()
                    .map(|segments| {
                        let at = segments.partition_point(|s| s.row < row);
                        segments[at..]
                            .iter()
                            .take_while(|s| s.row == row)
                            .map(|s| (offset(s.start_unix_nanos), offset(s.end_unix_nanos)))
                            .collect()
                    })
                    .unwrap_or_default();
                RowView {
                    visible_index: visible_index as u32,
                    row,
                    span_id: span.span_id.to_string(),
                    name: arena.str(span.name).to_owned(),
                    depth: tree.depth[r],
                    parent_index: match tree.parent[r] {
                        crate::analysis::NO_ROW => None,
                        parent => self.visible_index(parent),
                    },
                    children: tree.children(row).count() as u32,
                    collapsed: self.collapsed[r],
                    kind: span.oi_kind.name().to_owned(),
                    status: status_name(span.status_code),
                    offset_nanos: offset(span.start_unix_nanos),
                    duration_nanos: span.duration_nanos(),
                    self_nanos: tree.self_nanos[r],
                    tokens: call.and_then(|c| c.usage.total()).unwrap_or(0),
                    cost: call
                        .and_then(|c| call_cost(arena, c, span.start_unix_nanos, prices))
                        .map(|c| c.usd),
                    flags: tree.flags[r],
                    matched: self.matches.binary_search(&row).is_ok(),
                    critical,
                    evaluations: crate::engine::lists::evaluation_views(arena, span, false),
                }
            })
            .collect()
    }
}

/// The log records that name `trace` but none of its loaded spans (none, or one that has not
/// come): how many, and the first [`ORPHAN_LOGS`] in time order.
fn orphan_logs(arena: &Arena, trace: &Trace) -> (u32, Vec<LogView>) {
    let id = trace.summary.trace_id;
    if arena.logs_of_trace(id).next().is_none() {
        return (0, Vec::new());
    }
    let spans: HashSet<SpanId> = trace
        .tree
        .span
        .iter()
        .map(|&i| arena.spans()[i as usize].span_id)
        .collect();
    let mut orphans: Vec<&crate::model::LogRecord> = arena
        .logs_of_trace(id)
        .filter(|log| log.span_id.is_none_or(|span| !spans.contains(&span)))
        .collect();
    orphans.sort_by_key(|log| log.unix_nanos());
    let shown = orphans
        .iter()
        .take(ORPHAN_LOGS)
        .map(|log| log_view(arena, log))
        .collect();
    (orphans.len() as u32, shown)
}

/// A text search prepared once: the needle lower-cased, what it would be as an integer or a span
/// id, and which interned strings hold it — a system prompt sent with every LLM call is looked
/// at once, not once per span.
struct TextSearch {
    needle: Caseless,
    as_int: Option<i64>,
    as_span_id: Option<SpanId>,
    holding: Holding,
}

/// Which strings hold the needle.
enum Holding {
    /// All of them, found in one pass over every string of the arena: for a trace with a fair
    /// share of the arena's spans.
    Scanned(StrSet),
    /// Each string a span of a small trace holds, looked in as it is met (once): a small trace
    /// among a million spans does not pay for reading all their text.
    Looked(HashMap<StrId, bool>),
}

/// A trace with at least this share of the arena's spans (1 / `SCAN_SHARE`) is searched by
/// scanning every string; a smaller one, string by string.
const SCAN_SHARE: usize = 8;

impl TextSearch {
    /// `scan_all`: find every string holding the text at once, else string by string.
    fn new(text: &str, arena: &Arena, scan_all: bool) -> Self {
        let needle = Caseless::new(text.to_lowercase().as_bytes());
        let holding = match scan_all {
            true => Holding::Scanned(arena.strings().containing(&needle)),
            false => Holding::Looked(HashMap::new()),
        };
        Self {
            as_int: text.parse().ok(),
            as_span_id: SpanId::parse(text).ok(),
            holding,
            needle,
        }
    }

    /// Met for every string of every span walked: kept small enough to be inlined there.
    #[inline]
    fn contains_str(&mut self, arena: &Arena, id: StrId) -> bool {
        match &mut self.holding {
            Holding::Scanned(holding) => holding.contains(id),
            Holding::Looked(looked) => look(looked, arena, id, &self.needle),
        }
    }

    /// Whether any span could match: some string holds the needle (or the strings are looked
    /// in one by one), or it reads as a number, a span id or a kind.
    fn may_match(&self) -> bool {
        !matches!(&self.holding, Holding::Scanned(holding) if holding.is_empty())
            || self.as_int.is_some()
            || self.as_span_id.is_some()
            || OiKind::ALL.iter().any(|kind| {
                kind.name()
                    .as_bytes()
                    .eq_ignore_ascii_case(self.needle.needle())
            })
    }

    /// Inlined in the walk over every attribute (a call each cost a tenth of a search); only
    /// nested values call [`TextSearch::nested_matches`].
    #[inline]
    fn value_matches(&mut self, arena: &Arena, value: AnyValue) -> bool {
        match value {
            AnyValue::Str(id) => self.contains_str(arena, id),
            AnyValue::Int(n) => self.as_int == Some(n),
            AnyValue::Array(_) | AnyValue::KvList(_) => self.nested_matches(arena, value),
            _ => false,
        }
    }

    /// Whether any value in an array or a map holds the text.
    #[inline(never)]
    fn nested_matches(&mut self, arena: &Arena, value: AnyValue) -> bool {
        match value {
            AnyValue::Array(rows) => arena
                .array_values(rows)
                .iter()
                .any(|v| self.value_matches(arena, *v)),
            AnyValue::KvList(rows) => arena
                .attributes(rows)
                .iter()
                .any(|kv| self.value_matches(arena, kv.value)),
            _ => false,
        }
    }

    /// Whether a span's name, kind, id or any attribute value holds the text.
    fn span_matches(&mut self, arena: &Arena, span: &crate::model::Span) -> bool {
        self.contains_str(arena, span.name)
            || span
                .oi_kind
                .name()
                .as_bytes()
                .eq_ignore_ascii_case(self.needle.needle())
            || self.as_span_id == Some(span.span_id)
            || arena
                .attributes(span.attributes)
                .iter()
                .any(|kv| self.value_matches(arena, kv.value))
    }
}

/// Whether the string `id` holds the needle, looked in once (a small trace's search).
#[inline(never)]
fn look(looked: &mut HashMap<StrId, bool>, arena: &Arena, id: StrId, needle: &Caseless) -> bool {
    *(looked.entry(id)).or_insert_with(|| arena.strings().holds(id, needle))
}

/// The trace in small: spans counted per band of rows and stretch of time.
fn minimap(arena: &Arena, trace: &Trace) -> Vec<u16> {
    let mut cells = vec![0u16; MINIMAP_ROWS * MINIMAP_COLUMNS];
    let tree = &trace.tree;
    let rows = tree.len().max(1);
    let start = trace.summary.start_unix_nanos;
    let duration = trace.summary.duration_nanos().max(1) as f64;
    let column = |nanos: u64| {
        let x = (nanos.saturating_sub(start) as f64 / duration * MINIMAP_COLUMNS as f64) as usize;
        x.min(MINIMAP_COLUMNS - 1)
    };
    for row in 0..tree.len() {
        let span = &arena.spans()[tree.span[row] as usize];
        let band = row * MINIMAP_ROWS / rows;
        let end = if span.is_unfinished() {
            span.start_unix_nanos
        } else {
            span.end_unix_nanos
        };
        let error = span.status_code == StatusCode::Error;
        for x in column(span.start_unix_nanos)..=column(end) {
            let cell = &mut cells[band * MINIMAP_COLUMNS + x];
            let count = (*cell & 0x7fff).saturating_add(1).min(0x7fff);
            *cell = count | (*cell & 0x8000) | if error { 0x8000 } else { 0 };
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_search_ignores_ascii_case_and_reads_numbers_and_ids() {
        let mut arena = Arena::default();
        let prompt = arena
            .intern("You are a Helpful assistant")
            .unwrap_or_default();
        let other = arena.intern("héllo").unwrap_or_default();
        // Every string scanned at once, or each looked in as met: the same answers.
        for scan_all in [true, false] {
            let search = |text| TextSearch::new(text, &arena, scan_all);
            let mut helpful = search("HELPFUL");
            assert!(helpful.contains_str(&arena, prompt));
            assert!(!helpful.contains_str(&arena, other));
            let mut accented = search("HÉL");
            assert!(accented.contains_str(&arena, other));
            assert!(!accented.contains_str(&arena, prompt));
            let mut number = search("42");
            assert_eq!(number.as_int, Some(42));
            assert!(number.value_matches(&arena, AnyValue::Int(42)));
            assert!(!number.value_matches(&arena, AnyValue::Int(420)));
            assert!(helpful.may_match() && number.may_match());
            assert!(search("llm").may_match(), "a kind");
            // Only a scan of every string knows that none holds it.
            assert_eq!(search("nowhere").may_match(), !scan_all);
        }
    }
}
