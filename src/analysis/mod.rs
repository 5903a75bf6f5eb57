//! Trace assembly, and what is computed from it.
//!
//! [`Traces::assemble`] groups the arena's spans by trace id — across files and batches, so a
//! trace split over several POST bodies becomes one tree — and builds each trace's [`Tree`] and
//! [`TraceSummary`]. [`Traces::update`] does the same for the traces that spans loaded since
//! touched, leaving the others as they were.
//!
//! ```
//! use plume::{analysis::Traces, ingest, model::Arena};
//!
//! let mut arena = Arena::default();
//! let otlp = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[
//!   {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"root",
//!    "startTimeUnixNano":"100","endTimeUnixNano":"200"},
//!   {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"387344f283d647b6","parentSpanId":"b7ad6b7169203331",
//!    "name":"child","startTimeUnixNano":"120","endTimeUnixNano":"150"}]}]}]}"#;
//! ingest::load(&mut arena, "trace.json", otlp);
//! let traces = Traces::assemble(&arena);
//! let trace = &traces.all()[0];
//! assert_eq!(trace.tree.depth, [0, 1]);
//! assert_eq!(trace.tree.self_nanos, [70, 30]);
//! ```

pub mod agent_graph;
pub mod call_diff;
pub mod compare;
mod critical_path;
pub mod diff;
pub mod filter;
pub mod flame;
pub mod project_stats;
mod stats;
mod tree;

use hashbrown::HashMap;

pub use critical_path::{Segment, critical_path};
pub use stats::{ModelUsage, TraceSummary, counted_call, mark_sums, summarize};
pub use tree::{NO_ROW, Tree, build as build_tree, flags};

use crate::model::{AnyValue, Arena, Known, Span, StatusCode, StrId, TraceId, Usage};
use crate::semantics::{CostTotal, Prices, describe};

/// Characters of `input.value` shown in lists.
pub const PREVIEW_CHARS: usize = 160;

/// One assembled trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// Its spans as a tree.
    pub tree: Tree,
    /// Its figures.
    pub summary: TraceSummary,
}

impl Trace {
    /// Its root span, if it has one.
    pub fn root<'a>(&self, arena: &'a Arena) -> Option<&'a Span> {
        self.summary
            .root_span
            .map(|index| &arena.spans()[index as usize])
    }

    /// ERROR if any span failed, else its root's status.
    pub fn status(&self, arena: &Arena) -> StatusCode {
        match self.summary.error_count {
            0 => self
                .root(arena)
                .map_or(StatusCode::Unset, |r| r.status_code),
            _ => StatusCode::Error,
        }
    }

    /// The start of what it was asked ([`Trace::exchange`]), as lists show it.
    pub fn input_preview(&self, arena: &Arena) -> String {
        preview(&self.asked(arena), PREVIEW_CHARS)
    }

    /// The start of what it answered (see [`Trace::exchange`]).
    pub fn output_preview(&self, arena: &Arena) -> String {
        preview(&self.answered(arena), PREVIEW_CHARS)
    }

    /// What went wrong: the status message of its first failed span in tree order, else its
    /// root's ("" when none says).
    pub fn error_message(&self, arena: &Arena) -> String {
        let spans = || self.tree.span.iter().map(|&i| &arena.spans()[i as usize]);
        spans()
            .find(|s| s.status_code == crate::model::StatusCode::Error)
            .or_else(|| self.root(arena))
            .map(|s| arena.str(s.status_message).to_owned())
            .unwrap_or_default()
    }

    /// Who it ran for: the user id its root names, else the first span that names one.
    pub fn user(&self, arena: &Arena) -> Option<String> {
        self.root(arena)
            .into_iter()
            .chain(self.tree.span.iter().map(|&i| &arena.spans()[i as usize]))
            .find_map(|span| user_of(arena, span))
    }

    /// What it was asked and what it answered, as text: its root's `input.value` and
    /// `output.value`; else, in whichever convention its spans speak, the last user text and
    /// the last assistant text (or result) of its root, else of its first and last LLM calls.
    pub fn exchange(&self, arena: &Arena) -> (String, String) {
        (self.asked(arena), self.answered(arena))
    }

    fn asked(&self, arena: &Arena) -> String {
        let asked = |span: &Span| last_text(&describe(arena, span).input, "user");
        let Some(root) = self.root(arena) else {
            return String::new();
        };
        text_attribute(arena, root, Known::InputValue.id())
            .map(str::to_owned)
            .or_else(|| asked(root))
            .or_else(|| self.llm_calls(arena).next().and_then(asked))
            .unwrap_or_default()
    }

    fn answered(&self, arena: &Arena) -> String {
        let answered = |span: &Span| {
            let meaning = describe(arena, span);
            last_text(&meaning.output, "assistant").or(meaning.output_value)
        };
        let Some(root) = self.root(arena) else {
            return String::new();
        };
        text_attribute(arena, root, Known::OutputValue.id())
            .map(str::to_owned)
            .or_else(|| answered(root))
            .or_else(|| self.llm_calls(arena).next_back().and_then(answered))
            .unwrap_or_default()
    }

    /// Its LLM spans, in tree order.
    fn llm_calls<'a>(&'a self, arena: &'a Arena) -> impl DoubleEndedIterator<Item = &'a Span> {
        self.tree
            .span
            .iter()
            .map(|&i| &arena.spans()[i as usize])
            .filter(|s| s.oi_kind == crate::model::OiKind::Llm)
    }
}

/// The user id a span names, in whichever convention.
pub fn user_of(arena: &Arena, span: &Span) -> Option<String> {
    [
        Known::UserId,
        Known::EndUserId,
        Known::LangfuseUser,
        Known::TraceloopUser,
        Known::VercelUser,
    ]
    .into_iter()
    .find_map(|key| text_attribute(arena, span, key.id()))
    .map(str::to_owned)
}

/// The text of the last message of `role` that has text (tool results are not what a person
/// said).
fn last_text(messages: &[crate::semantics::meaning::Message], role: &str) -> Option<String> {
    messages.iter().rev().find_map(|m| {
        let texts: Vec<&str> = m
            .parts
            .iter()
            .filter_map(|part| match part {
                crate::semantics::meaning::Part::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        (m.role == role && !texts.is_empty()).then(|| texts.join("\n\n"))
    })
}

/// A string attribute of a span, if it is one.
pub fn text_attribute<'a>(arena: &'a Arena, span: &Span, key: StrId) -> Option<&'a str> {
    match arena.attribute(span.attributes, key)? {
        AnyValue::Str(id) => Some(arena.str(id)),
        _ => None,
    }
}

/// The first `chars` characters of `text`, with an ellipsis when cut.
pub fn preview(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Where some log records landed: on loaded spans, or not (yet).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogAttachment {
    /// Records.
    pub records: u64,
    /// Distinct loaded spans they name.
    pub spans: u64,
    /// Records that name no loaded span (none, or one not loaded yet).
    pub without_span: u64,
}

impl Traces {
    /// Where `logs` land among the loaded traces.
    pub fn attach(&self, arena: &Arena, logs: &[crate::model::LogRecord]) -> LogAttachment {
        let mut members: HashMap<TraceId, hashbrown::HashSet<crate::model::SpanId>> =
            HashMap::new();
        let mut named = hashbrown::HashSet::new();
        let mut attachment = LogAttachment {
            records: logs.len() as u64,
            ..LogAttachment::default()
        };
        for log in logs {
            let found = match (log.trace_id, log.span_id) {
                (Some(trace_id), Some(span_id)) => self.get(&trace_id).is_some_and(|trace| {
                    members
                        .entry(trace_id)
                        .or_insert_with(|| {
                            trace
                                .tree
                                .span
                                .iter()
                                .map(|&i| arena.spans()[i as usize].span_id)
                                .collect()
                        })
                        .contains(&span_id)
                }),
                _ => false,
            };
            match found {
                true => {
                    named.insert((log.trace_id, log.span_id));
                }
                false => attachment.without_span += 1,
            }
        }
        attachment.spans = named.len() as u64;
        attachment
    }
}

/// Totals over all traces, as `plume inspect` prints them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overview {
    /// Spans kept (duplicates left out).
    pub spans: u64,
    /// Traces.
    pub traces: u64,
    /// Projects, in order of first appearance.
    pub projects: Vec<ProjectTotals>,
    /// Distinct `session.id`s of traces.
    pub sessions: u64,
    /// Spans with status ERROR.
    pub error_spans: u64,
    /// Spans without a parent in their trace.
    pub roots: u64,
    /// Spans whose parent is not in the data.
    pub missing_parents: u64,
    /// Spans left out as duplicates.
    pub duplicates: u64,
    /// Parent loops cut.
    pub cycles: u64,
    /// Spans starting before or ending after their parent.
    pub outside_parent: u64,
}

/// One project's totals.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectTotals {
    /// The project name.
    pub name: crate::model::StrId,
    /// Its traces.
    pub traces: u64,
    /// Its spans.
    pub spans: u64,
}

/// Every trace of an arena.
#[derive(Clone, Debug, Default)]
pub struct Traces {
    traces: Vec<Trace>,
    index: HashMap<TraceId, u32>,
    /// How many arena spans have been assembled.
    spans_seen: usize,
    /// Traces whose spans are arriving live, as an app sends them.
    arriving: hashbrown::HashSet<TraceId>,
}

impl Traces {
    /// Assembles every span of `arena`.
    pub fn assemble(arena: &Arena) -> Self {
        let mut traces = Traces::default();
        traces.update(arena);
        traces
    }

    /// Assembles the spans added to `arena` since the last call: the traces they belong to are
    /// rebuilt (with their earlier spans), new traces are appended, the rest stay as they were.
    pub fn update(&mut self, arena: &Arena) {
        let spans = arena.spans();
        if spans.len() < self.spans_seen {
            // The arena was rolled back past what was assembled: start again.
            *self = Traces::default();
        }
        // Each trace's spans, by trace in order of first appearance. Spans of a trace mostly
        // come together: the last trace's list is found without hashing its id.
        let mut slot_of: HashMap<TraceId, usize> = HashMap::new();
        let mut touched: Vec<(TraceId, Vec<u32>)> = Vec::new();
        let mut last = None;
        for (index, span) in spans.iter().enumerate().skip(self.spans_seen) {
            let trace_id = span.trace_id;
            let slot = match last {
                Some((id, slot)) if id == trace_id => slot,
                _ => *slot_of.entry(trace_id).or_insert_with(|| {
                    touched.push((trace_id, Vec::new()));
                    touched.len() - 1
                }),
            };
            last = Some((trace_id, slot));
            touched[slot].1.push(index as u32);
        }
        for (trace_id, mut list) in touched {
            let slot = self.index.get(&trace_id).copied();
            if let Some(slot) = slot {
                // Earlier spans first, so the first-seen copy of a duplicated id wins.
                let old = &self.traces[slot as usize].tree;
                let mut all: Vec<u32> = old.span.iter().chain(&old.duplicates).copied().collect();
                all.sort_unstable();
                all.append(&mut list);
                list = all;
            }
            let mut tree = tree::build(arena, &list);
            if cfg!(debug_assertions) {
                tree.sanity_check();
            }
            stats::mark_sums(arena, &mut tree);
            let summary = stats::summarize(arena, trace_id, &tree);
            let trace = Trace { tree, summary };
            match slot {
                Some(slot) => self.traces[slot as usize] = trace,
                None => {
                    self.index.insert(trace_id, self.traces.len() as u32);
                    self.traces.push(trace);
                }
            }
        }
        self.spans_seen = spans.len();
    }

    /// Every trace, in order of first appearance.
    pub fn all(&self) -> &[Trace] {
        &self.traces
    }

    /// The tokens of every trace's counted calls, and what they cost with `prices`.
    pub fn llm_totals(&self, arena: &Arena, prices: &Prices) -> (Usage, CostTotal) {
        let (mut usage, mut cost) = (Usage::default(), CostTotal::default());
        for trace in &self.traces {
            usage.add(&trace.summary.usage);
            cost.add(&trace.summary.cost(arena, prices));
        }
        (usage, cost)
    }

    /// Drops these traces. Their spans stay in the arena but belong to no trace any more: spans
    /// of the same ids loaded later make a new trace of their own.
    pub fn remove(&mut self, ids: &hashbrown::HashSet<TraceId>) {
        self.traces.retain(|t| !ids.contains(&t.summary.trace_id));
        self.arriving.retain(|id| !ids.contains(id));
        self.index = self
            .traces
            .iter()
            .enumerate()
            .map(|(slot, t)| (t.summary.trace_id, slot as u32))
            .collect();
    }

    /// The position of the trace with this id in [`Traces::all`].
    pub fn slot(&self, trace_id: &TraceId) -> Option<u32> {
        self.index.get(trace_id).copied()
    }

    /// These traces' spans are arriving live.
    pub fn mark_arriving(&mut self, ids: impl IntoIterator<Item = TraceId>) {
        self.arriving.extend(ids);
    }

    /// Whether `trace` is still arriving: its spans come live and some of them wait for their
    /// parent (an SDK sends a span when it ends, so the root, which ends last, comes last).
    pub fn in_progress(&self, trace: &Trace) -> bool {
        trace.summary.missing_parents > 0 && self.arriving.contains(&trace.summary.trace_id)
    }

    /// The trace with this id.
    pub fn get(&self, trace_id: &TraceId) -> Option<&Trace> {
        self.index
            .get(trace_id)
            .map(|&slot| &self.traces[slot as usize])
    }

    /// Totals over every trace.
    pub fn overview(&self) -> Overview {
        let mut overview = Overview::default();
        let mut projects: Vec<ProjectTotals> = Vec::new();
        let mut sessions = hashbrown::HashSet::new();
        for trace in &self.traces {
            let s = &trace.summary;
            overview.spans += u64::from(s.span_count);
            overview.traces += 1;
            overview.error_spans += u64::from(s.error_count);
            overview.roots += u64::from(s.roots);
            overview.missing_parents += u64::from(s.missing_parents);
            overview.duplicates += u64::from(s.duplicates);
            overview.cycles += u64::from(s.cycles);
            overview.outside_parent += u64::from(s.outside_parent);
            if let Some(session) = s.session {
                sessions.insert(session);
            }
            match projects.iter_mut().find(|p| p.name == s.project) {
                Some(project) => {
                    project.traces += 1;
                    project.spans += u64::from(s.span_count);
                }
                None => projects.push(ProjectTotals {
                    name: s.project,
                    traces: 1,
                    spans: u64::from(s.span_count),
                }),
            }
        }
        overview.sessions = sessions.len() as u64;
        overview.projects = projects;
        overview
    }

    /// Number of traces.
    pub fn len(&self) -> usize {
        self.traces.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.traces.is_empty()
    }
}

#[cfg(test)]
mod tests;
