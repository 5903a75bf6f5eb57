//! Where the viewer is, as the URL's fragment holds it, so a reload or a shared link comes back
//! to the same place: `#/project/<name>`, `#/project/<name>/spans`, `#/project/<name>/sessions`,
//! `#/project/<name>/stats`, `#/compare/<trace>/<trace>`, `#/diff/<trace>/<span>/<trace>/<span>`,
//! `#/project/<name>/session/<id>`, `#/trace/<id>`, `#/trace/<id>/span/<id>`; a trace's may end
//! in `?search=<text>`, the search (or span filter) to open it with, and a project's in the
//! table's filters and order (`?status=ERROR&sort=duration`, see [`TableView`]).

use crate::engine::protocol::SpanAt;
use crate::present::table::TableView;
use crate::sources::query_value as encode;

/// A place in the viewer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The start page: the projects, or what to drop when nothing is loaded.
    Home,
    /// A project's table.
    Project {
        /// Project name.
        name: String,
        /// Which table.
        tab: ProjectTab,
        /// The table's filters and order.
        view: TableView,
    },
    /// One session as a conversation.
    Session {
        /// Project name.
        project: String,
        /// The `session.id`.
        session: String,
    },
    /// A trace, and the selected span.
    Trace {
        /// Hex trace id.
        trace_id: String,
        /// Hex span id.
        span_id: Option<String>,
        /// What to search the trace for when it opens (a table's span filter carries on).
        search: Option<String>,
    },
    /// Two traces side by side.
    Compare {
        /// Hex id of the trace compared against (before).
        base: String,
        /// Hex id of the other trace (after).
        other: String,
    },
    /// The servers connected to, and the form that connects another.
    Sources,
    /// A server connected to: its projects and traces.
    Source {
        /// The connection's name.
        name: String,
        /// What its traces are listed by.
        search: SourceSearch,
    },
    /// A trace of a server connected to: fetched if it is not loaded, then shown.
    SourceTrace {
        /// The connection's name.
        name: String,
        /// The project it is in (Phoenix asks for it).
        project: Option<String>,
        /// Hex trace id.
        trace_id: String,
    },
    /// Two spans, anywhere, compared for what they said.
    SpanDiff {
        /// The span compared against (before).
        base: SpanAt,
        /// The other (after).
        other: SpanAt,
    },
}

/// What a server's traces are listed by (its page's address carries it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceSearch {
    /// The project (Jaeger's, Zipkin's service).
    pub project: Option<String>,
    /// The operation (Jaeger's; Zipkin's span name).
    pub operation: Option<String>,
    /// The server's own filter (see [`crate::sources::Search`]).
    pub filter: Option<String>,
    /// From when (ISO 8601).
    pub since: Option<String>,
    /// Until when (ISO 8601).
    pub until: Option<String>,
    /// Traces per page (else [`crate::present::sources::PAGE`]).
    pub limit: Option<u32>,
}

/// The tables of a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectTab {
    /// One row per trace.
    Traces,
    /// One row per span.
    Spans,
    /// One row per session.
    Sessions,
    /// Figures and plots.
    Stats,
}

impl Route {
    /// A project's traces, nothing filtered.
    pub fn project(name: &str) -> Route {
        Route::Project {
            name: name.to_owned(),
            tab: ProjectTab::Traces,
            view: TableView::default(),
        }
    }

    /// A trace, nothing selected or searched.
    pub fn trace(trace_id: &str) -> Route {
        Route::Trace {
            trace_id: trace_id.to_owned(),
            span_id: None,
            search: None,
        }
    }

    /// Reads a fragment (`#/trace/…`, with or without the `#`). Anything unknown is [`Route::Home`].
    pub fn parse(fragment: &str) -> Route {
        let path = fragment.trim_start_matches('#').trim_start_matches('/');
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let path = path.split('&').next().unwrap_or_default();
        let pairs: Vec<(&str, String)> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, value)| (name, decode(value)))
            .collect();
        let project = |name: &str, tab| Route::Project {
            name: name.to_owned(),
            tab,
            view: TableView::from_pairs(pairs.iter().cloned()),
        };
        let parts: Vec<String> = path
            .split('/')
            .filter(|p| !p.is_empty())
            .map(decode)
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let pair = |name: &str| {
            (pairs.iter())
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.clone())
                .filter(|value| !value.is_empty())
        };
        match parts.as_slice() {
            ["sources"] => Route::Sources,
            ["source", name] => Route::Source {
                name: (*name).to_owned(),
                search: SourceSearch {
                    project: pair("project"),
                    operation: pair("operation"),
                    filter: pair("filter"),
                    since: pair("since"),
                    until: pair("until"),
                    // A link asks for a page, not a whole server.
                    limit: (pair("limit").and_then(|limit| limit.parse::<u32>().ok()))
                        .map(|limit| limit.clamp(1, 1000)),
                },
            },
            ["source", name, "trace", trace_id] => Route::SourceTrace {
                name: (*name).to_owned(),
                project: pair("project"),
                trace_id: (*trace_id).to_owned(),
            },
            ["project", name] => project(name, ProjectTab::Traces),
            ["project", name, "spans"] => project(name, ProjectTab::Spans),
            ["project", name, "sessions"] => project(name, ProjectTab::Sessions),
            ["project", name, "stats"] => project(name, ProjectTab::Stats),
            ["compare", base, other] => Route::Compare {
                base: (*base).to_owned(),
                other: (*other).to_owned(),
            },
            ["diff", base_trace, base_span, other_trace, other_span] => Route::SpanDiff {
                base: span_at(base_trace, base_span),
                other: span_at(other_trace, other_span),
            },
            ["project", project, "session", session] => Route::Session {
                project: (*project).to_owned(),
                session: (*session).to_owned(),
            },
            ["trace", trace_id] => Route::Trace {
                trace_id: (*trace_id).to_owned(),
                span_id: None,
                search: pair("search"),
            },
            ["trace", trace_id, "span", span_id] => Route::Trace {
                trace_id: (*trace_id).to_owned(),
                span_id: Some((*span_id).to_owned()),
                search: pair("search"),
            },
            _ => Route::Home,
        }
    }

    /// The fragment, with its `#`.
    pub fn to_fragment(&self) -> String {
        match self {
            Route::Home => "#/".to_owned(),
            Route::Project { name, tab, view } => {
                let suffix = match tab {
                    ProjectTab::Traces => "",
                    ProjectTab::Spans => "/spans",
                    ProjectTab::Sessions => "/sessions",
                    ProjectTab::Stats => "/stats",
                };
                format!("#/project/{}{suffix}{}", encode(name), query(view.pairs()))
            }
            Route::Session { project, session } => {
                format!("#/project/{}/session/{}", encode(project), encode(session))
            }
            Route::Trace {
                trace_id,
                span_id,
                search,
            } => {
                let span = span_id
                    .as_ref()
                    .map(|span| format!("/span/{}", encode(span)))
                    .unwrap_or_default();
                let search = search.iter().map(|text| ("search", text.clone()));
                format!("#/trace/{}{span}{}", encode(trace_id), query(search))
            }
            Route::Compare { base, other } => {
                format!("#/compare/{}/{}", encode(base), encode(other))
            }
            Route::Sources => "#/sources".to_owned(),
            Route::Source { name, search } => {
                let limit = search.limit.map(|limit| limit.to_string());
                let pairs = [
                    ("project", &search.project),
                    ("operation", &search.operation),
                    ("filter", &search.filter),
                    ("since", &search.since),
                    ("until", &search.until),
                    ("limit", &limit),
                ];
                let pairs =
                    (pairs.into_iter()).filter_map(|(key, value)| Some((key, value.clone()?)));
                format!("#/source/{}{}", encode(name), query(pairs))
            }
            Route::SourceTrace {
                name,
                project,
                trace_id,
            } => {
                let project = project.iter().map(|project| ("project", project.clone()));
                format!(
                    "#/source/{}/trace/{}{}",
                    encode(name),
                    encode(trace_id),
                    query(project)
                )
            }
            Route::SpanDiff { base, other } => format!(
                "#/diff/{}/{}/{}/{}",
                encode(&base.trace_id),
                encode(&base.span_id),
                encode(&other.trace_id),
                encode(&other.span_id)
            ),
        }
    }
}

fn span_at(trace_id: &str, span_id: &str) -> SpanAt {
    SpanAt {
        trace_id: trace_id.to_owned(),
        span_id: span_id.to_owned(),
    }
}

/// `?name=value&…` with the values encoded, or "" for no pairs.
fn query<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let pairs: Vec<String> = pairs
        .into_iter()
        .map(|(name, value)| format!("{name}={}", encode(&value)))
        .collect();
    match pairs.is_empty() {
        true => String::new(),
        false => format!("?{}", pairs.join("&")),
    }
}

/// Undoes [`encode`] ([`crate::sources::query_value`]; invalid escapes stay as they are).
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_read_back_what_they_write() {
        let routes = [
            Route::Home,
            Route::Project {
                name: "chatbot demo/α".into(),
                tab: ProjectTab::Traces,
                view: TableView::default(),
            },
            Route::Project {
                name: "x".into(),
                tab: ProjectTab::Spans,
                view: TableView {
                    filter: "name == 'a&b=c?'".into(),
                    status: Some("ERROR".into()),
                    ..TableView::default()
                }
                .sorted_by(crate::engine::protocol::SortKey::Tokens),
            },
            Route::Project {
                name: "x".into(),
                tab: ProjectTab::Spans,
                view: TableView::default(),
            },
            Route::Project {
                name: "x".into(),
                tab: ProjectTab::Sessions,
                view: TableView::default(),
            },
            Route::Project {
                name: "x".into(),
                tab: ProjectTab::Stats,
                view: TableView::default(),
            },
            Route::Compare {
                base: "0af7651916cd43dd8448eb211c80319c".into(),
                other: "1af7651916cd43dd8448eb211c80319c".into(),
            },
            Route::SpanDiff {
                base: span_at("0af7651916cd43dd8448eb211c80319c", "387344f283d647b6"),
                other: span_at("0af7651916cd43dd8448eb211c80319c", "487344f283d647b6"),
            },
            Route::Sources,
            Route::Source {
                name: "team phoenix/1".into(),
                search: SourceSearch::default(),
            },
            Route::Source {
                name: "p".into(),
                search: SourceSearch {
                    project: Some("default".into()),
                    operation: Some("GET /a b".into()),
                    filter: Some("latency_ms > 1000 and name == 'a&b'".into()),
                    since: Some("2026-12-01T00:00:00Z".into()),
                    until: Some("2026-12-02T00:00:00+01:00".into()),
                    limit: Some(2),
                },
            },
            Route::SourceTrace {
                name: "p".into(),
                project: Some("my project".into()),
                trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
            },
            Route::Session {
                project: "x".into(),
                session: "sess 1#2".into(),
            },
            Route::Trace {
                trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
                span_id: None,
                search: None,
            },
            Route::Trace {
                trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
                span_id: Some("387344f283d647b6".into()),
                search: Some("span_kind == 'LLM' & name?".into()),
            },
        ];
        for route in routes {
            assert_eq!(
                Route::parse(&route.to_fragment()),
                route,
                "{}",
                route.to_fragment()
            );
        }
        assert_eq!(
            Route::Trace {
                trace_id: "ab".into(),
                span_id: Some("cd".into()),
                search: None,
            }
            .to_fragment(),
            "#/trace/ab/span/cd"
        );
        assert_eq!(
            Route::Project {
                name: "p".into(),
                tab: ProjectTab::Traces,
                view: TableView::default(),
            }
            .to_fragment(),
            "#/project/p",
            "the default view adds nothing"
        );
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(Route::parse("#/nowhere/at/all"), Route::Home);
        assert_eq!(decode("100%"), "100%");
    }
}
