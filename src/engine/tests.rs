//! The questions the UI asks, against the real fixtures.

use super::protocol::*;
use super::*;
use crate::export::Target;
use crate::testutil::fixture;

fn engine_with(paths: &[&str]) -> Engine {
    let mut engine = Engine::default();
    for path in paths {
        let result = engine.load(path, &fixture(path), &mut |_| {});
        assert!(result.errors.is_empty(), "{path}: {:?}", result.errors);
    }
    engine
}

fn trace_overview(engine: &mut Engine, request: Request) -> TraceOverview {
    match engine.handle(request) {
        Response::Trace(overview) => overview,
        other => panic!("expected a trace, got {other:?}"),
    }
}

fn rows(engine: &mut Engine, trace_id: &str, first: u32, count: u32) -> Vec<RowView> {
    match engine.handle(Request::Rows {
        trace_id: trace_id.into(),
        first,
        count,
    }) {
        Response::Rows(rows) => rows,
        other => panic!("expected rows, got {other:?}"),
    }
}

const OPENAI_01_TRACE: &str = "3a34990d3bcc7893ef125bc4b7879ed7";

#[test]
fn loading_reports_each_file_with_its_traces() {
    let mut engine = Engine::default();
    let mut heard = Vec::new();
    let good = engine.load(
        "openai-01.otlp.pb",
        &fixture("openai-01.otlp.pb"),
        &mut |n| heard.push(n),
    );
    assert_eq!(
        (good.format.as_deref(), good.spans, good.traces),
        (Some("otlp-proto"), 4, 1)
    );
    assert_eq!(heard.last(), Some(&4), "progress hears the spans stored");
    let bad = engine.load(
        "bad.json",
        br#"{"resourceSpans": [{"scopeSpans": ["#,
        &mut |_| {},
    );
    assert_eq!(bad.spans, 0);
    assert_eq!(bad.errors.len(), 1);
    assert!(
        bad.errors[0].starts_with("bad.json: line 1"),
        "{:?}",
        bad.errors
    );
    let lines = engine.load(
        "collector.jsonl",
        &fixture("collector-file-exporter.jsonl"),
        &mut |_| {},
    );
    assert_eq!((lines.spans, lines.traces), (38, 8));
    let Response::Summary(summary) = engine.handle(Request::Summary) else {
        panic!()
    };
    assert_eq!(
        (
            summary.spans,
            summary.traces,
            summary.projects,
            summary.errors
        ),
        (38, 8, 2, 1)
    );
    // The OpenInference LLM calls' tokens, each counted once.
    assert_eq!(summary.usage.total(), Some(568));
    assert!(summary.cost.is_priced());
    assert_eq!(engine.files.len(), 3);
}

#[test]
fn projects_list_their_figures() {
    let mut engine = engine_with(&["collector-file-exporter.jsonl"]);
    let Response::Projects(projects) = engine.handle(Request::Projects) else {
        panic!()
    };
    let chatbot = projects.iter().find(|p| p.name == "chatbot-demo").cloned();
    let chatbot = chatbot.unwrap_or_else(|| panic!("{projects:?}"));
    assert_eq!(
        (chatbot.traces, chatbot.spans, chatbot.sessions),
        (4, 13, 3),
        "one trace has no session"
    );
    assert_eq!(chatbot.error_rate, 0.25, "one of four traces failed");
    assert!(chatbot.p50_nanos > 0 && chatbot.p50_nanos <= chatbot.p99_nanos);
    assert!(chatbot.tokens > 0);
}

#[test]
fn traces_filter_sort_and_page() {
    let mut engine = engine_with(&["collector-file-exporter.jsonl"]);
    let query = |engine: &mut Engine, query: TraceQuery| match engine.handle(Request::Traces(query))
    {
        Response::Traces(page) => page,
        other => panic!("{other:?}"),
    };
    let all = query(
        &mut engine,
        TraceQuery {
            project: "chatbot-demo".into(),
            count: 50,
            ..TraceQuery::default()
        },
    );
    assert_eq!(all.total, 4);
    assert!(
        all.rows
            .windows(2)
            .all(|w| w[0].start_nanos <= w[1].start_nanos),
        "by start time"
    );
    let errors = query(
        &mut engine,
        TraceQuery {
            project: "chatbot-demo".into(),
            status: Some("ERROR".into()),
            count: 50,
            ..TraceQuery::default()
        },
    );
    assert_eq!(errors.total, 1);
    assert_eq!(errors.rows[0].name, "chat_turn");
    assert_eq!(errors.rows[0].session.as_deref(), Some("sess-0003"));
    let by_duration = query(
        &mut engine,
        TraceQuery {
            project: "chatbot-demo".into(),
            sort: SortKey::Duration,
            descending: true,
            first: 1,
            count: 2,
            ..TraceQuery::default()
        },
    );
    assert_eq!((by_duration.total, by_duration.rows.len()), (4, 2));
    assert!(by_duration.rows[0].duration_nanos >= by_duration.rows[1].duration_nanos);
    let llm_spans = query(
        &mut engine,
        TraceQuery {
            project: "chatbot-demo".into(),
            all_spans: true,
            kind: Some("llm".into()),
            count: 50,
            ..TraceQuery::default()
        },
    );
    assert_eq!(llm_spans.total, 8, "the chatbot-demo LLM spans");
    let text = query(
        &mut engine,
        TraceQuery {
            project: "chatbot-demo".into(),
            text: "PARIS".into(),
            all_spans: true,
            count: 50,
            ..TraceQuery::default()
        },
    );
    assert!(
        text.total >= 1
            && text
                .rows
                .iter()
                .all(|r| r.trace_id == text.rows[0].trace_id)
    );
}

#[test]
fn every_column_sorts_spans_by_its_value_then_start_and_equal_rows_keep_their_order() {
    let mut engine = engine_with(&["collector-file-exporter.jsonl"]);
    // A parent and its children starting together, as SDKs with coarse clocks write them.
    let span = |id: u8, parent: Option<u8>| {
        let parent = parent.map_or(String::new(), |p| format!(r#""parentSpanId":"{p:016x}","#));
        format!(
            r#"{{"traceId":"{:032x}","spanId":"{id:016x}",{parent}"name":"s{id}","startTimeUnixNano":"1000","endTimeUnixNano":"{}"}}"#,
            7,
            2000 + u32::from(id) % 2
        )
    };
    let spans = [
        span(1, None),
        span(2, Some(1)),
        span(3, Some(1)),
        span(4, Some(3)),
    ];
    let together = format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"together"}}}}]}},"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
        spans.join(",")
    );
    assert!(
        engine
            .load("together.json", together.as_bytes(), &mut |_| {})
            .errors
            .is_empty()
    );
    let Response::Projects(projects) = engine.handle(Request::Projects) else {
        panic!()
    };
    let rows = |engine: &mut Engine, project: &str, sort: SortKey, descending: bool| {
        let Response::Traces(page) = engine.handle(Request::Traces(TraceQuery {
            project: project.into(),
            all_spans: true,
            sort,
            descending,
            count: 1000,
            ..TraceQuery::default()
        })) else {
            panic!()
        };
        page.rows
    };
    let (mut ties, mut checked) = (0, 0);
    for (project, sort) in projects.iter().flat_map(|p| {
        [
            SortKey::Start,
            SortKey::Duration,
            SortKey::Name,
            SortKey::Spans,
            SortKey::Tokens,
            SortKey::Cost,
            SortKey::Status,
            SortKey::Kind,
        ]
        .map(|sort| (p.name.clone(), sort))
    }) {
        let up = rows(&mut engine, &project, sort, false);
        let down = rows(&mut engine, &project, sort, true);
        assert_eq!(up.len(), down.len(), "{sort:?}");
        checked += up.len();
        // An unknown cost sorts below every known one.
        fn by(sort: SortKey, r: &TraceRow) -> (Option<crate::model::Usd>, u64, &str, u64) {
            let (cost, number, text) = match sort {
                SortKey::Start | SortKey::Spans => (None, 0, ""),
                SortKey::Duration => (None, r.duration_nanos, ""),
                SortKey::Tokens => (None, r.tokens, ""),
                SortKey::Cost => (r.cost.is_priced().then_some(r.cost.usd), 0, ""),
                SortKey::Name => (None, 0, r.name.as_str()),
                SortKey::Status => (None, 0, r.status.as_str()),
                SortKey::Kind => (None, 0, r.kind.as_str()),
            };
            (cost, number, text, r.start_nanos)
        }
        assert!(
            up.windows(2).all(|w| by(sort, &w[0]) <= by(sort, &w[1])),
            "{sort:?}"
        );
        assert!(
            down.windows(2).all(|w| by(sort, &w[0]) >= by(sort, &w[1])),
            "{sort:?}"
        );
        // Rows equal in value and start come in the same order either way up.
        let place = |id: &str| up.iter().position(|r| r.span_id == id);
        for w in down
            .windows(2)
            .filter(|w| by(sort, &w[0]) == by(sort, &w[1]))
        {
            ties += 1;
            assert!(place(&w[0].span_id) < place(&w[1].span_id), "{sort:?}");
        }
    }
    assert!(
        checked > 100 && ties > 0,
        "{checked} rows, {ties} equal in value and start"
    );
}

#[test]
fn sessions_read_as_conversations() {
    let mut engine = engine_with(&["langchain-01.otlp.pb"]);
    let Response::Sessions(sessions) = engine.handle(Request::Sessions {
        project: "rag-langchain-demo".into(),
    }) else {
        panic!()
    };
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        (sessions[0].session.as_str(), sessions[0].traces),
        ("lc-sess-1", 2)
    );
    let Response::Session(turns) = engine.handle(Request::Session {
        project: "rag-langchain-demo".into(),
        session: "lc-sess-1".into(),
    }) else {
        panic!()
    };
    assert_eq!(turns.len(), 2);
    assert!(turns[0].start_nanos <= turns[1].start_nanos);
    assert_eq!(turns[0].input, "What is a trace in OpenTelemetry?");
    assert!(!turns[0].output.is_empty());
}

#[test]
fn tree_rows_collapse_search_and_reveal() {
    let mut engine = engine_with(&["openai-01.otlp.pb"]);
    let open = trace_overview(
        &mut engine,
        Request::OpenTrace {
            trace_id: OPENAI_01_TRACE.into(),
        },
    );
    assert_eq!(
        (open.spans, open.visible_rows, open.name.as_str()),
        (4, 4, "chat_turn")
    );
    assert_eq!(open.minimap.len(), MINIMAP_ROWS * MINIMAP_COLUMNS);
    assert_eq!(open.time_by_kind.iter().map(|(_, n)| n).sum::<u64>(), {
        let rows = rows(&mut engine, OPENAI_01_TRACE, 0, 10);
        rows.iter().map(|r| r.self_nanos).sum::<u64>()
    });
    let window = rows(&mut engine, OPENAI_01_TRACE, 0, 10);
    assert_eq!(
        window.iter().map(|r| r.depth).collect::<Vec<_>>(),
        [0, 1, 1, 1]
    );
    assert_eq!((window[0].children, window[0].kind.as_str()), (3, "CHAIN"));
    assert_eq!(
        rows(&mut engine, OPENAI_01_TRACE, 2, 10).len(),
        2,
        "a window from the middle"
    );

    let collapsed = trace_overview(
        &mut engine,
        Request::Toggle {
            trace_id: OPENAI_01_TRACE.into(),
            row: 0,
            expand: None,
        },
    );
    assert_eq!(collapsed.visible_rows, 1);
    let expanded = trace_overview(
        &mut engine,
        Request::ToggleAll {
            trace_id: OPENAI_01_TRACE.into(),
            expand: true,
        },
    );
    assert_eq!(expanded.visible_rows, 4);

    let searched = trace_overview(
        &mut engine,
        Request::Search {
            trace_id: OPENAI_01_TRACE.into(),
            text: "embedding".into(),
            as_text: false,
        },
    );
    assert_eq!(searched.visible_rows, 2, "the match and its ancestor");
    assert_eq!(searched.matches, [1]);
    let found = rows(&mut engine, OPENAI_01_TRACE, 0, 10);
    assert_eq!(
        (found[1].name.as_str(), found[1].matched, found[0].matched),
        ("CreateEmbeddings", true, false)
    );

    trace_overview(
        &mut engine,
        Request::Toggle {
            trace_id: OPENAI_01_TRACE.into(),
            row: 0,
            expand: Some(false),
        },
    );
    let Response::Revealed {
        trace,
        visible_index,
    } = engine.handle(Request::Reveal {
        trace_id: OPENAI_01_TRACE.into(),
        span_id: "368e2a2a62da0b9b".into(),
    })
    else {
        panic!()
    };
    assert_eq!(
        (trace.search.as_str(), trace.visible_rows),
        ("", 4),
        "revealing a hidden span leaves the search"
    );
    assert_eq!(visible_index, 3);
}

#[test]
fn critical_path_marks_rows() {
    let mut engine = engine_with(&["openai-01.otlp.pb"]);
    let on = trace_overview(
        &mut engine,
        Request::CriticalPath {
            trace_id: OPENAI_01_TRACE.into(),
            on: true,
        },
    );
    assert!(on.critical_path);
    let window = rows(&mut engine, OPENAI_01_TRACE, 0, 10);
    let marked: u64 = window
        .iter()
        .flat_map(|r| &r.critical)
        .map(|(a, b)| b - a)
        .sum();
    assert_eq!(
        marked, on.duration_nanos,
        "the critical path covers the root's whole duration"
    );
    trace_overview(
        &mut engine,
        Request::CriticalPath {
            trace_id: OPENAI_01_TRACE.into(),
            on: false,
        },
    );
    assert!(
        rows(&mut engine, OPENAI_01_TRACE, 0, 10)
            .iter()
            .all(|r| r.critical.is_empty())
    );
}

#[test]
fn span_details_carry_what_the_panel_shows() {
    let mut engine = engine_with(&["openai-03.otlp.pb", "node-01.otlp.json"]);
    let wrong = engine.handle(Request::SpanDetails {
        trace_id: "0".repeat(32),
        span_id: "854fa39873128fb8".into(),
    });
    assert!(matches!(wrong, Response::NotFound(_)));
    let trace_id = trace_of(&mut engine, "854fa39873128fb8");
    let Response::SpanDetails(details) = engine.handle(Request::SpanDetails {
        trace_id,
        span_id: "854fa39873128fb8".into(),
    }) else {
        panic!("the failed LLM call")
    };
    assert_eq!(
        (details.kind.as_str(), details.status.as_str()),
        ("LLM", "ERROR")
    );
    assert!(details.parent_loaded);
    let exception = &details.events[0];
    assert_eq!(exception.name, "exception");
    let stack = exception
        .attributes
        .get("exception.stacktrace")
        .and_then(|v| v.as_str());
    assert!(stack.is_some_and(|s| s.contains("Traceback")));
    let messages = details.attributes.get_path("llm.input_messages");
    assert!(matches!(messages, Some(crate::attributes::Value::Array(m)) if m.len() == 1));
    assert!(
        details
            .flat_attributes
            .iter()
            .any(|(k, _)| k == "llm.input_messages.0.message.role")
    );
    assert_eq!(details.project, "chatbot-demo");
    assert!(
        details
            .source
            .starts_with("openai-03.otlp.pb (otlp-proto, span "),
        "{}",
        details.source
    );
}

fn trace_of(engine: &mut Engine, span_id: &str) -> String {
    let id = SpanId::parse(span_id).unwrap_or_default();
    engine
        .arena
        .spans()
        .iter()
        .find(|s| s.span_id == id)
        .map(|s| s.trace_id.to_string())
        .unwrap_or_default()
}

#[test]
fn links_know_whether_their_span_is_loaded_and_evaluations_attach() {
    let mut engine = engine_with(&["node-01.otlp.json"]);
    let trace = trace_of(&mut engine, "beb1eb1171b45e64");
    let Response::SpanDetails(details) = engine.handle(Request::SpanDetails {
        trace_id: trace,
        span_id: "beb1eb1171b45e64".into(),
    }) else {
        panic!()
    };
    let loaded: Vec<bool> = details.links.iter().map(|l| l.loaded).collect();
    assert_eq!(
        loaded,
        [true, false, true],
        "the link to another trace's span is not loaded"
    );
    assert!(!details.parent_loaded || details.parent_id.is_some());

    let mut engine = engine_with(&[
        "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet",
        "phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet",
    ]);
    let trace = trace_of(&mut engine, "4802305b03135782");
    let Response::SpanDetails(details) = engine.handle(Request::SpanDetails {
        trace_id: trace,
        span_id: "4802305b03135782".into(),
    }) else {
        panic!()
    };
    assert_eq!(details.evaluations.len(), 1);
    assert_eq!(details.evaluations[0].label.as_deref(), Some("incorrect"));
}

#[test]
fn messages_survive_json_both_ways() {
    let mut engine = engine_with(&["openai-01.otlp.pb"]);
    for request in [
        Request::Summary,
        Request::Projects,
        Request::OpenTrace {
            trace_id: OPENAI_01_TRACE.into(),
        },
        Request::Rows {
            trace_id: OPENAI_01_TRACE.into(),
            first: 0,
            count: 10,
        },
        Request::SpanDetails {
            trace_id: OPENAI_01_TRACE.into(),
            span_id: "2b5538cd44d34c58".into(),
        },
    ] {
        let text = serde_json::to_string(&request).unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<Request>(&text).ok(),
            Some(request.clone())
        );
        let response = engine.handle(request);
        let text = serde_json::to_string(&response).unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<Response>(&text).ok(),
            Some(response),
            "{text}"
        );
    }
}

fn details_of(engine: &mut Engine, trace_id: &str, span_id: &str) -> SpanDetails {
    match engine.handle(Request::SpanDetails {
        trace_id: trace_id.into(),
        span_id: span_id.into(),
    }) {
        Response::SpanDetails(details) => *details,
        other => panic!("expected details, got {other:?}"),
    }
}

#[test]
fn an_exported_trace_reads_back_as_the_same_spans_in_every_format() {
    let mut engine = engine_with(&["openai-01.otlp.pb", "langchain-01.otlp.pb"]);
    let selection = SpanSelection::Traces(vec![OPENAI_01_TRACE.into()]);
    let original = details_of(&mut engine, OPENAI_01_TRACE, "2b5538cd44d34c58");
    for target in [
        Target::OtlpJson,
        Target::OtlpProto,
        Target::OtlpJsonLines,
        Target::PhoenixJsonLines,
    ] {
        let export = engine.export(&selection, target, None).expect("exported");
        assert_eq!(export.spans, 4);
        assert_eq!(
            export.name,
            format!("trace-{OPENAI_01_TRACE}.{}", target.extension())
        );
        let mut back = Engine::default();
        let result = back.load(&export.name, &export.bytes, &mut |_| {});
        assert!(result.errors.is_empty(), "{target:?}: {:?}", result.errors);
        assert_eq!((result.spans, result.traces), (4, 1), "{target:?}");
        let read = details_of(&mut back, OPENAI_01_TRACE, "2b5538cd44d34c58");
        assert_eq!(read.attributes, original.attributes, "{target:?}");
        assert_eq!(
            (
                read.start_nanos,
                read.duration_nanos,
                &read.status,
                &read.name
            ),
            (
                original.start_nanos,
                original.duration_nanos,
                &original.status,
                &original.name
            ),
            "{target:?}"
        );
        if target != Target::PhoenixJsonLines {
            // Phoenix's dataframe has no resource: its spans land in the project `default`.
            assert_eq!(read.project, original.project, "{target:?}");
        }
    }
}

#[test]
fn a_project_or_a_filter_selects_its_traces_or_its_matching_spans() {
    let engine = engine_with(&["openai-01.otlp.pb", "langchain-01.otlp.pb"]);
    let project = engine
        .export(
            &SpanSelection::Project("rag-langchain-demo".into()),
            Target::OtlpProto,
            None,
        )
        .expect("exported");
    assert_eq!(
        (project.spans, project.name.as_str()),
        (18, "rag-langchain-demo.otlp.pb")
    );

    let retrievers = TraceQuery {
        project: "rag-langchain-demo".into(),
        kind: Some("RETRIEVER".into()),
        all_spans: true,
        ..TraceQuery::default()
    };
    let export = engine
        .export(
            &SpanSelection::Matching(retrievers.clone()),
            Target::OtlpJson,
            None,
        )
        .expect("exported");
    assert_eq!(export.name, "rag-langchain-demo-matching-spans.otlp.json");
    let mut back = Engine::default();
    back.load(&export.name, &export.bytes, &mut |_| {});
    let Response::Traces(page) = back.handle(Request::Traces(TraceQuery {
        count: 100,
        ..retrievers.clone()
    })) else {
        panic!("expected a page");
    };
    assert_eq!(page.total as usize, export.spans);
    assert!(page.rows.iter().all(|r| r.kind == "RETRIEVER"));

    // In traces mode a filter selects whole traces.
    let traces = TraceQuery {
        all_spans: false,
        kind: None,
        text: "trace in OpenTelemetry".into(),
        ..retrievers
    };
    let whole = engine
        .export(&SpanSelection::Matching(traces), Target::OtlpJson, None)
        .expect("exported");
    assert!(whole.spans > 1 && whole.spans < 18, "{} spans", whole.spans);
}

#[test]
fn what_loads_change_is_stored_and_restores_into_the_same_traces() {
    let mut engine = engine_with(&["langchain-01.otlp.pb", "openai-01.otlp.pb"]);
    let changed = engine.take_changed();
    assert_eq!(changed.len(), 3);
    assert!(engine.take_changed().is_empty(), "asked once");
    let stored: Vec<(String, crate::store::StoredChunk)> = changed
        .iter()
        .flat_map(|id| {
            let record = engine.stored_record(id, 1).expect("a record");
            let chunks = (0..record.chunks).map(|n| engine.stored_chunk(id, n).expect("a chunk"));
            record.chunk_keys().zip(chunks).collect::<Vec<_>>()
        })
        .collect();

    let mut restored = Engine::default();
    let problems = restored.restore(
        &changed,
        stored.iter().map(|(k, chunk)| (k.as_str(), chunk)),
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(restored.summary(), engine.summary());
    assert!(restored.take_changed().is_empty(), "nothing to store again");
    assert!(
        restored.files.is_empty(),
        "restored chunks are not files the user gave"
    );
    assert_eq!(
        details_of(&mut restored, OPENAI_01_TRACE, "2b5538cd44d34c58").attributes,
        details_of(&mut engine, OPENAI_01_TRACE, "2b5538cd44d34c58").attributes
    );
    // Each span says the file it was first read from, and its place in it.
    let source = details_of(&mut restored, OPENAI_01_TRACE, "2b5538cd44d34c58").source;
    assert!(
        source.starts_with("openai-01.otlp.pb (otlp-proto, span "),
        "{source}"
    );
    assert_eq!(
        source,
        details_of(&mut engine, OPENAI_01_TRACE, "2b5538cd44d34c58").source
    );
    // A chunk kept before Plume stored origins still reads.
    let bare: Vec<(String, crate::store::StoredChunk)> = stored
        .iter()
        .map(|(key, chunk)| {
            let otlp = chunk.otlp.clone();
            (
                key.clone(),
                crate::store::StoredChunk {
                    otlp,
                    origins: None,
                },
            )
        })
        .collect();
    let mut old = Engine::default();
    let problems = old.restore(&changed, bare.iter().map(|(k, chunk)| (k.as_str(), chunk)));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(old.summary(), engine.summary());

    // A trace that grows with a later file is changed again.
    restored.load(
        "collector-file-exporter.jsonl",
        &fixture("collector-file-exporter.jsonl"),
        &mut |_| {},
    );
    assert!(
        restored
            .take_changed()
            .iter()
            .any(|id| id.to_string() == OPENAI_01_TRACE)
    );
}

#[test]
fn stored_records_alone_give_the_same_lists_until_the_spans_are_read() {
    let mut engine = engine_with(&[
        "langchain-01.otlp.pb",
        "openai-01.otlp.pb",
        "openai-03.otlp.pb",
        "collector-file-exporter.jsonl",
    ]);
    let changed = engine.take_changed();
    let records: Vec<_> = changed
        .iter()
        .map(|id| engine.stored_record(id, 1).expect("a record"))
        .collect();
    let mut waiting = Engine::default();
    waiting.list_stored(records);
    assert_eq!(waiting.summary(), engine.summary());
    assert_eq!(
        waiting.handle(Request::Projects),
        engine.handle(Request::Projects)
    );
    let Response::Projects(projects) = engine.handle(Request::Projects) else {
        panic!("expected projects");
    };
    for project in projects {
        let query = |filter: fn(&mut TraceQuery)| {
            let mut query = TraceQuery {
                project: project.name.clone(),
                count: 100,
                ..TraceQuery::default()
            };
            filter(&mut query);
            Request::Traces(query)
        };
        for filter in [
            (|_: &mut TraceQuery| {}) as fn(&mut TraceQuery),
            |q| q.status = Some("ERROR".into()),
            |q| q.kind = Some("LLM".into()),
            // While waiting, text matches names, input previews, sessions and ids (not the
            // whole input and output, which only the spans hold).
            |q| q.text = "chat_turn".into(),
            |q| q.text = "sess-0001".into(),
            |q| q.sort = SortKey::Duration,
        ] {
            let (Response::Traces(mut want), Response::Traces(got)) =
                (engine.handle(query(filter)), waiting.handle(query(filter)))
            else {
                panic!("expected pages");
            };
            // A stored row does not know its root span's id until the spans are read back.
            want.rows.iter_mut().for_each(|r| r.span_id.clear());
            assert_eq!(got, want, "{}", project.name);
        }
        let sessions = Request::Sessions {
            project: project.name.clone(),
        };
        assert_eq!(waiting.handle(sessions.clone()), engine.handle(sessions));
    }
}

/// The chunks the store holds for a trace, with their keys.
type Kept = Vec<(TraceId, Vec<(String, crate::store::StoredChunk)>)>;

/// An engine that knows the traces of `paths` only by their stored records, and the chunks
/// the store would hold for them.
fn stored(paths: &[&str]) -> (Engine, Kept) {
    let mut engine = engine_with(paths);
    let kept = engine
        .take_changed()
        .into_iter()
        .map(|id| {
            let record = engine.stored_record(&id, 1).expect("a record");
            let chunks = (0..record.chunks).map(|n| engine.stored_chunk(&id, n).expect("a chunk"));
            (id, record.chunk_keys().zip(chunks).collect())
        })
        .collect::<Kept>();
    let mut unread = Engine::default();
    unread.list_stored(
        kept.iter()
            .map(|(id, _)| engine.stored_record(id, 1).expect("a record")),
    );
    (unread, kept)
}

fn read(engine: &mut Engine, kept: &Kept, ids: &[TraceId]) {
    let chunks = kept
        .iter()
        .filter(|(id, _)| ids.contains(id))
        .flat_map(|(_, chunks)| chunks.iter().map(|(k, chunk)| (k.as_str(), chunk)));
    let problems = engine.restore(ids, chunks);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn opening_a_stored_trace_reads_only_that_trace() {
    let (mut engine, kept) = stored(&["langchain-01.otlp.pb", "openai-01.otlp.pb"]);
    let totals = engine.summary();
    assert_eq!(kept.len(), 3);
    let open = Request::OpenTrace {
        trace_id: OPENAI_01_TRACE.into(),
    };
    let wanted = engine.unread(&open);
    assert_eq!(wanted.len(), 1);
    assert_eq!(wanted[0].to_string(), OPENAI_01_TRACE);
    assert!(
        matches!(engine.handle(open.clone()), Response::NotFound(_)),
        "nothing is answered from a record"
    );

    read(&mut engine, &kept, &wanted);
    assert!(engine.unread(&open).is_empty());
    assert_eq!(trace_overview(&mut engine, open).spans, 4);
    assert_eq!(engine.summary(), totals, "read or not, counted once");
    let others: Vec<TraceId> = kept
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| id.to_string() != OPENAI_01_TRACE)
        .collect();
    assert!(others.iter().all(|id| engine.is_unread(id)));
    assert!(engine.take_changed().is_empty(), "reading is not a change");
}

#[test]
fn lists_read_spans_only_to_search_text_or_list_spans() {
    let (engine, _) = stored(&["langchain-01.otlp.pb", "openai-01.otlp.pb"]);
    let query = TraceQuery {
        project: "rag-langchain-demo".into(),
        count: 50,
        ..TraceQuery::default()
    };
    for request in [
        Request::Summary,
        Request::Projects,
        Request::Traces(query.clone()),
        Request::Sessions {
            project: query.project.clone(),
        },
    ] {
        assert!(engine.unread(&request).is_empty(), "{request:?}");
    }
    let text = Request::Traces(TraceQuery {
        text: "retriev".into(),
        ..query.clone()
    });
    let spans = Request::Traces(TraceQuery {
        all_spans: true,
        ..query.clone()
    });
    let filter = Request::Traces(TraceQuery {
        filter: "latency_ms > 1".into(),
        ..query.clone()
    });
    for request in [text, spans, filter] {
        assert_eq!(engine.unread(&request).len(), 2, "{request:?}");
    }
    let everything = Request::Query {
        filter: "span_kind == 'LLM'".into(),
    };
    assert_eq!(engine.unread(&everything).len(), 2 + 1);
    let project = SpanSelection::Project(query.project.clone());
    assert_eq!(engine.unread_in(&project).len(), 2, "exporting needs spans");
    assert!(
        engine.unread_to_forget(&project).is_empty(),
        "deleting does not"
    );
}

#[test]
fn unread_traces_can_be_forgotten_without_reading_them() {
    let (mut engine, _) = stored(&["langchain-01.otlp.pb", "openai-01.otlp.pb"]);
    let forgotten = engine.forget(&SpanSelection::Project("rag-langchain-demo".into()));
    assert_eq!(forgotten.traces.len(), 2);
    assert_eq!(engine.summary().traces, 1);
    let query = TraceQuery {
        project: "chatbot-demo".into(),
        status: Some("ERROR".into()),
        ..TraceQuery::default()
    };
    assert!(
        engine
            .forget(&SpanSelection::Matching(query.clone()))
            .traces
            .is_empty()
    );
    let ok = TraceQuery {
        status: Some("UNSET".into()),
        ..query
    };
    assert_eq!(engine.forget(&SpanSelection::Matching(ok)).traces.len(), 1);
    assert_eq!(engine.summary().traces, 0);
    let Response::Projects(projects) = engine.handle(Request::Projects) else {
        panic!("expected projects");
    };
    assert!(projects.is_empty());
}

#[test]
fn a_stored_trace_loaded_again_before_it_is_read_is_listed_once_and_merges() {
    let (mut engine, kept) = stored(&["openai-01.otlp.pb"]);
    let totals = engine.summary();
    engine.load(
        "openai-01.otlp.pb",
        &fixture("openai-01.otlp.pb"),
        &mut |_| {},
    );
    assert_eq!(engine.summary(), totals);
    let changed = engine.take_changed();
    assert!(
        engine.is_unread(&changed[0]),
        "still to be read before it is stored"
    );
    read(&mut engine, &kept, &changed);
    assert_eq!(
        engine.summary(),
        totals,
        "the same spans twice are one span"
    );
    let id = changed[0];
    assert_eq!(engine.stored_record(&id, 2).expect("a record").spans, 4);
}

#[test]
fn forgotten_traces_leave_every_list_and_do_not_come_back_with_later_loads() {
    let mut engine = engine_with(&["langchain-01.otlp.pb", "openai-01.otlp.pb"]);
    let forgotten = engine.forget(&SpanSelection::Traces(vec![OPENAI_01_TRACE.into()]));
    assert_eq!(forgotten.traces.len(), 1);
    assert_eq!(forgotten.traces[0].to_string(), OPENAI_01_TRACE);
    assert_eq!((engine.summary().spans, engine.summary().traces), (18, 2));
    assert!(matches!(
        engine.handle(Request::OpenTrace {
            trace_id: OPENAI_01_TRACE.into()
        }),
        Response::NotFound(_)
    ));
    let Response::Projects(projects) = engine.handle(Request::Projects) else {
        panic!("expected projects");
    };
    assert_eq!(projects.len(), 1, "chatbot-demo had only that trace");

    let project = engine.forget(&SpanSelection::Project("rag-langchain-demo".into()));
    assert_eq!(project.traces.len(), 2);
    assert_eq!(engine.summary().traces, 0);

    // The same trace loaded again is a trace again, once.
    engine.load(
        "openai-01.otlp.pb",
        &fixture("openai-01.otlp.pb"),
        &mut |_| {},
    );
    assert_eq!((engine.summary().spans, engine.summary().traces), (4, 1));
}

#[test]
fn evaluations_are_kept_and_restored() {
    let evaluations =
        "phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet";
    let dataset = "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet";
    let mut engine = engine_with(&[dataset, evaluations]);
    let kept = engine.take_new_evaluations();
    assert_eq!(kept.len(), 8);
    assert!(engine.take_new_evaluations().is_empty(), "asked once");

    let mut restored = engine_with(&[dataset]);
    assert_eq!(restored.restore_evaluations(&kept), 8);
    assert!(
        restored.take_new_evaluations().is_empty(),
        "nothing to keep again"
    );
    // Every span's evaluations read the same.
    let Response::Traces(page) = engine.handle(Request::Traces(TraceQuery {
        project: "default".into(),
        all_spans: true,
        count: 100,
        ..TraceQuery::default()
    })) else {
        panic!("expected a page");
    };
    let mut seen = 0;
    for row in &page.rows {
        let want = details_of(&mut engine, &row.trace_id, &row.span_id).evaluations;
        seen += want.len();
        assert_eq!(
            details_of(&mut restored, &row.trace_id, &row.span_id).evaluations,
            want
        );
    }
    assert!(seen > 0, "some span has evaluations");
}

#[test]
fn a_saved_file_lists_its_traces_and_deleting_it_deletes_them() {
    let mut engine = engine_with(&["langchain-01.otlp.pb", "openai-01.otlp.pb"]);
    let langchain: Vec<String> = engine
        .take_changed()
        .iter()
        .map(ToString::to_string)
        .filter(|id| id != OPENAI_01_TRACE)
        .collect();
    let file = |key: &str, name: &str, traces: Vec<String>| crate::store::FileRecord {
        key: key.into(),
        name: name.into(),
        format: Some("otlp-proto".into()),
        bytes: 100,
        saved_at_ms: 1,
        spans: 0,
        traces,
    };
    engine.add_saved_file(file("a", "langchain-01.otlp.pb", langchain));
    engine.add_saved_file(file("b", "openai-01.otlp.pb", vec![OPENAI_01_TRACE.into()]));
    let Response::SavedFiles(rows) = engine.handle(Request::SavedFiles) else {
        panic!("expected files");
    };
    assert_eq!(
        rows.iter()
            .map(|r| (r.name.as_str(), r.traces))
            .collect::<Vec<_>>(),
        [("langchain-01.otlp.pb", 2), ("openai-01.otlp.pb", 1)]
    );
    let export = engine
        .export(&SpanSelection::File("a".into()), Target::OtlpJson, None)
        .expect("exported");
    assert_eq!(export.spans, 18);
    assert_eq!(export.name, "langchain-01.otlp.pb-traces.otlp.json");

    let forgotten = engine.forget(&SpanSelection::File("a".into()));
    assert_eq!(forgotten.traces.len(), 2);
    assert_eq!(forgotten.files, ["a"]);
    assert_eq!(engine.summary().traces, 1);
    // A file none of whose traces is left goes too, however its traces were deleted.
    let forgotten = engine.forget(&SpanSelection::Traces(vec![OPENAI_01_TRACE.into()]));
    assert_eq!(forgotten.files, ["b"]);
    assert_eq!(
        engine.handle(Request::SavedFiles),
        Response::SavedFiles(Vec::new())
    );
}

fn page(engine: &mut Engine, query: TraceQuery) -> TraceTableRows {
    match engine.handle(Request::Traces(TraceQuery {
        count: 1000,
        ..query
    })) {
        Response::Traces(page) => page,
        other => panic!("expected a page, got {other:?}"),
    }
}

#[test]
fn a_span_filter_narrows_the_tables_the_trace_search_and_exports() {
    let mut engine = engine_with(&["langchain-01.otlp.pb", "openai-01.otlp.pb"]);
    let spans = TraceQuery {
        project: "rag-langchain-demo".into(),
        all_spans: true,
        ..TraceQuery::default()
    };
    let all = page(&mut engine, spans.clone());
    let llm = page(
        &mut engine,
        TraceQuery {
            filter: "span_kind == 'LLM'".into(),
            ..spans.clone()
        },
    );
    let expected = all.rows.iter().filter(|r| r.kind == "LLM").count();
    assert!(expected > 0);
    assert_eq!(llm.total as usize, expected);
    assert!(llm.rows.iter().all(|r| r.kind == "LLM"));
    // Combined with the other filters.
    let none = page(
        &mut engine,
        TraceQuery {
            filter: "span_kind == 'LLM'".into(),
            kind: Some("RETRIEVER".into()),
            ..spans.clone()
        },
    );
    assert_eq!(none.total, 0);
    // In trace mode it applies to root spans, as Phoenix's traces table does.
    let traces = TraceQuery {
        all_spans: false,
        ..spans.clone()
    };
    let roots = page(&mut engine, traces.clone());
    let root_kind = roots.rows[0].kind.clone();
    let by_root = page(
        &mut engine,
        TraceQuery {
            filter: format!("span_kind == '{root_kind}' and parent_id is None"),
            ..traces.clone()
        },
    );
    assert_eq!(
        by_root.total as usize,
        roots.rows.iter().filter(|r| r.kind == root_kind).count()
    );
    assert_eq!(by_root.spans_matching, None, "roots match: no hint");
    // A filter only child spans pass says how many spans it matches.
    let only_children = page(
        &mut engine,
        TraceQuery {
            filter: "span_kind == 'LLM'".into(),
            ..traces.clone()
        },
    );
    assert_eq!(
        (only_children.total, only_children.spans_matching),
        (0, Some(llm.total))
    );
    // A filter that does not read lets nothing through.
    let bad = page(
        &mut engine,
        TraceQuery {
            filter: "span_kind = 'LLM'".into(),
            ..spans.clone()
        },
    );
    assert_eq!(bad.total, 0);
    // Export takes what the filter shows.
    let filtered = SpanSelection::Matching(TraceQuery {
        filter: "span_kind == 'LLM'".into(),
        ..spans.clone()
    });
    let export = engine
        .export(&filtered, Target::OtlpJson, None)
        .expect("exported");
    assert_eq!(export.spans, expected);

    // window.plume.query: every project.
    let Response::SpanIds(ids) = engine.handle(Request::Query {
        filter: "span_kind == 'LLM'".into(),
    }) else {
        panic!("expected ids");
    };
    assert_eq!(
        ids.len(),
        expected + 2,
        "langchain's LLM spans and openai-01's two"
    );
    assert!(matches!(
        engine.handle(Request::Query {
            filter: "span_kind ==".into()
        }),
        Response::BadFilter(error) if error.position == 12
    ));

    // The trace search takes a filter too.
    let trace_id = llm.rows[0].trace_id.clone();
    let found = trace_overview(
        &mut engine,
        Request::Search {
            trace_id: trace_id.clone(),
            text: "span_kind == 'LLM'".into(),
            as_text: false,
        },
    );
    assert_eq!(found.search_reading, SearchReading::Filter);
    let in_trace = llm.rows.iter().filter(|r| r.trace_id == trace_id).count();
    assert_eq!(found.matches.len(), in_trace);
    let text = trace_overview(
        &mut engine,
        Request::Search {
            trace_id,
            text: "ChatOpenAI".into(),
            as_text: false,
        },
    );
    assert_eq!(text.search_reading, SearchReading::Text);
}

#[test]
fn a_search_that_looks_like_a_broken_filter_filters_nothing_until_searched_as_text() {
    let mut engine = engine_with(&["openai-01.otlp.pb"]);
    let search = |text: &str, as_text| Request::Search {
        trace_id: OPENAI_01_TRACE.into(),
        text: text.into(),
        as_text,
    };
    let broken = trace_overview(&mut engine, search("name == 'CreateEmbeddings", false));
    assert!(
        matches!(&broken.search_reading, SearchReading::BadFilter(e) if e.position == 8),
        "{:?}",
        broken.search_reading
    );
    assert_eq!(
        (broken.visible_rows, broken.matches.len()),
        (4, 0),
        "the tree is left whole"
    );
    let as_text = trace_overview(&mut engine, search("CreateEmbeddings", true));
    assert_eq!(as_text.search_reading, SearchReading::Text);
    assert_eq!(as_text.matches.len(), 1);
    let words = trace_overview(&mut engine, search("name == 'CreateEmbeddings", true));
    assert_eq!(
        (words.search_reading, words.matches.len()),
        (SearchReading::Text, 0),
        "searched as words, nothing holds them"
    );
}

#[test]
fn a_trace_names_its_first_error_in_tree_order() {
    let mut engine = engine_with(&["openai-01.otlp.pb", "openai-03.otlp.pb"]);
    let open = |engine: &mut Engine, trace_id: &str| {
        trace_overview(
            engine,
            Request::OpenTrace {
                trace_id: trace_id.into(),
            },
        )
    };
    assert_eq!(open(&mut engine, OPENAI_01_TRACE).first_error, None);
    let failed = engine
        .traces
        .all()
        .iter()
        .find(|t| t.summary.error_count > 0)
        .map(|t| t.summary.trace_id.to_string())
        .unwrap();
    let overview = open(&mut engine, &failed);
    let first = overview.first_error.expect("an error span");
    let Response::SpanDetails(details) = engine.handle(Request::SpanDetails {
        trace_id: failed,
        span_id: first,
    }) else {
        panic!()
    };
    assert_eq!(details.status, "ERROR");
}

#[test]
fn what_is_not_loaded_is_named_as_such() {
    let mut engine = engine_with(&["openai-01.otlp.pb"]);
    let project = engine.handle(Request::Projects);
    let Response::Projects(projects) = project else {
        panic!()
    };
    let name = projects[0].name.clone();
    let cases = [
        (
            Request::OpenTrace {
                trace_id: "0000".into(),
            },
            Missing::Trace("0000".into()),
        ),
        (
            Request::Reveal {
                trace_id: OPENAI_01_TRACE.into(),
                span_id: "0011223344556677".into(),
            },
            Missing::Span {
                trace_id: OPENAI_01_TRACE.into(),
                span_id: "0011223344556677".into(),
            },
        ),
        (
            Request::SpanDetails {
                trace_id: OPENAI_01_TRACE.into(),
                span_id: "zz".into(),
            },
            Missing::Span {
                trace_id: OPENAI_01_TRACE.into(),
                span_id: "zz".into(),
            },
        ),
        (
            Request::Stats {
                project: "nope".into(),
            },
            Missing::Project("nope".into()),
        ),
        (
            Request::Sessions {
                project: "nope".into(),
            },
            Missing::Project("nope".into()),
        ),
        (
            Request::Session {
                project: name.clone(),
                session: "s1".into(),
            },
            Missing::Session {
                project: name.clone(),
                session: "s1".into(),
            },
        ),
    ];
    for (request, missing) in cases {
        assert_eq!(engine.handle(request), Response::NotFound(missing));
    }
    assert!(matches!(
        engine.handle(Request::Sessions { project: name }),
        Response::Sessions(_)
    ));
}

#[test]
fn a_flame_graph_is_laid_out_by_self_time_and_zooms() {
    let mut engine = engine_with(&["openai-01.otlp.pb"]);
    let Response::Flame(whole) = engine.handle(Request::Flame {
        trace_id: OPENAI_01_TRACE.into(),
        focus: None,
    }) else {
        panic!("expected a flame graph");
    };
    assert_eq!(whole.boxes.len(), 4);
    assert_eq!((whole.boxes[0].x, whole.boxes[0].width), (0.0, 1.0));
    assert_eq!(whole.levels, 2);
    let children: f64 = whole.boxes[1..].iter().map(|b| b.width).sum();
    let root = &whole.boxes[0];
    let own = root.self_nanos as f64 / root.total_nanos as f64;
    assert!(
        (children + own - 1.0).abs() < 1e-9,
        "children and the root's own time fill it"
    );
    // Zoomed on the widest child: it is full width under the root.
    let widest = whole.boxes[1..]
        .iter()
        .max_by(|a, b| a.width.total_cmp(&b.width))
        .map(|b| b.row);
    let Response::Flame(zoomed) = engine.handle(Request::Flame {
        trace_id: OPENAI_01_TRACE.into(),
        focus: widest,
    }) else {
        panic!("expected a flame graph");
    };
    assert_eq!(zoomed.focus, widest);
    assert_eq!(zoomed.boxes.len(), 2);
    assert!(zoomed.boxes.iter().all(|b| b.width == 1.0));
}

#[test]
fn two_traces_compare_by_name_path() {
    let mut engine = engine_with(&["langchain-01.otlp.pb"]);
    let Response::Traces(page) = engine.handle(Request::Traces(TraceQuery {
        project: "rag-langchain-demo".into(),
        count: 10,
        ..TraceQuery::default()
    })) else {
        panic!("expected traces");
    };
    let (a, b) = (page.rows[0].trace_id.clone(), page.rows[1].trace_id.clone());
    let Response::Comparison(same) = engine.handle(Request::Compare {
        base: a.clone(),
        other: a.clone(),
    }) else {
        panic!("expected a comparison");
    };
    assert_eq!((same.added, same.removed), (0, 0));
    assert_eq!(same.rows.len() as u32, same.base.spans);
    assert!(same.rows.iter().all(|r| r.base == r.other));
    let Response::Comparison(two) = engine.handle(Request::Compare {
        base: a.clone(),
        other: b.clone(),
    }) else {
        panic!("expected a comparison");
    };
    let paired = two
        .rows
        .iter()
        .filter(|r| r.base.is_some() && r.other.is_some())
        .count() as u32;
    assert_eq!(paired + two.removed, two.base.spans);
    assert_eq!(paired + two.added, two.other.spans);
    assert_eq!(two.rows[0].depth, 0);
    let base_self: u64 = two.by_kind.iter().map(|k| k.base_nanos).sum();
    assert!(base_self > 0 && base_self <= two.base.duration_nanos);
    assert!(matches!(
        engine.handle(Request::Compare {
            base: a,
            other: "00".repeat(16)
        }),
        Response::NotFound(_)
    ));
    let Response::Stats(stats) = engine.handle(Request::Stats {
        project: "rag-langchain-demo".into(),
    }) else {
        panic!("expected stats");
    };
    assert_eq!(stats.traces as usize, page.rows.len());
}

#[test]
fn a_table_pages_through_its_kept_order_until_the_data_change() {
    let mut engine = engine_with(&["openai-01.otlp.pb"]);
    let query = TraceQuery {
        project: "chatbot-demo".into(),
        all_spans: true,
        sort: SortKey::Name,
        ..TraceQuery::default()
    };
    let page_of =
        |engine: &mut Engine, first, count| match engine.handle(Request::Traces(TraceQuery {
            first,
            count,
            ..query.clone()
        })) {
            Response::Traces(page) => page,
            other => panic!("expected a page, got {other:?}"),
        };
    let whole = page_of(&mut engine, 0, 100);
    let mut paged = page_of(&mut engine, 0, 2).rows;
    paged.extend(page_of(&mut engine, 2, 2).rows);
    assert_eq!(paged, whole.rows);
    let before = whole.total;
    let loaded = engine.load(
        "openai-03.otlp.pb",
        &fixture("openai-03.otlp.pb"),
        &mut |_| {},
    );
    assert!(loaded.spans > 0);
    let after = page_of(&mut engine, 0, 100);
    assert_eq!(u64::from(after.total), u64::from(before) + loaded.spans);
    assert!(after.rows.windows(2).all(|w| w[0].name <= w[1].name));
}

#[test]
fn log_records_attach_to_their_spans_whichever_comes_first() {
    const TRACE: &str = "6fd619cd2bd1f009fce84c283644729f";
    const CALL: &str = "788511589847254b";
    let spans = "genai/otelv2-legacy-02.otlp.pb";
    let logs = "genai/otelv2-legacy-02.logs.otlp.pb";
    for order in [[spans, logs], [logs, spans]] {
        let mut engine = Engine::default();
        let results: Vec<FileResult> = order
            .iter()
            .map(|path| engine.load(path, &fixture(path), &mut |_| {}))
            .collect();
        let of_logs = &results[usize::from(order[0] == spans)];
        assert_eq!(of_logs.logs.records, 8);
        if order[0] == spans {
            assert_eq!((of_logs.logs.spans, of_logs.logs.without_span), (2, 0));
            assert_eq!(of_logs.traces, 1, "the trace they name changed");
        } else {
            assert_eq!(of_logs.logs.without_span, 8, "no span yet");
        }
        let details = details_of(&mut engine, TRACE, CALL);
        assert_eq!(details.logs.len(), 5);
        assert_eq!(details.logs[0].event_name, "gen_ai.system.message");
        let roles: Vec<&str> = details
            .meaning
            .input
            .iter()
            .map(|m| m.role.as_str())
            .collect();
        assert_eq!(roles, ["system", "user", "assistant", "tool"]);
        assert_eq!(details.meaning.output.len(), 1);
        let overview = trace_overview(
            &mut engine,
            Request::OpenTrace {
                trace_id: TRACE.into(),
            },
        );
        assert_eq!(overview.orphan_log_count, 0);
        assert!(overview.cost.is_priced());
    }
}

#[test]
fn span_details_say_what_a_call_cost_and_what_its_subtree_did() {
    let mut engine = engine_with(&["genai/vercel-ai-01.otlp.pb"]);
    const TRACE: &str = "8cae9ad9915f28d80b19ac2db1aaec57";
    let chat = details_of(&mut engine, TRACE, "6ac8f5ce3ec6c6cb");
    let cost = chat.cost.expect("a cost");
    assert_eq!(cost.source, crate::semantics::CostSource::Estimated);
    // gpt-4o: 875 input and 241 output tokens at $2.50 / $10 per million.
    assert!(
        (cost.usd.dollars() - (875.0 * 2.5 + 241.0 * 10.0) / 1e6).abs() < 1e-12,
        "{:?}",
        cost.usd
    );
    assert_eq!(chat.subtree, None, "a call alone");
    let agent = details_of(&mut engine, TRACE, "918ea4d671aef967");
    let subtree = agent.subtree.expect("the calls below");
    assert_eq!(subtree.calls, 2);
    assert_eq!(
        subtree.usage.get(crate::model::TokenKind::Input),
        Some(875 + 300)
    );
    assert_eq!(agent.meaning.agent.as_deref(), Some("weather-chat"));
    assert_eq!(agent.kind, "AGENT");
}

#[test]
fn a_genai_conversation_is_a_session_whose_turns_say_what_was_asked_and_answered() {
    let mut engine = engine_with(&["genai/pydantic-ai-02.otlp.pb"]);
    let Response::Sessions(sessions) = engine.handle(Request::Sessions {
        project: "pydantic-ai-demo".into(),
    }) else {
        panic!("sessions expected");
    };
    let [session] = sessions.as_slice() else {
        panic!("one session: {sessions:?}");
    };
    assert_eq!(session.session, "01a23437-1469-70e5-8dfb-884aabe65fa9");
    assert_eq!(
        session.first_input,
        "Is it warm enough in Paris for a picnic today?"
    );
    assert_eq!(session.cost.recorded_calls, 2);
    let Response::Session(turns) = engine.handle(Request::Session {
        project: "pydantic-ai-demo".into(),
        session: session.session.clone(),
    }) else {
        panic!("a session expected");
    };
    assert_eq!(
        turns[0].input,
        "Is it warm enough in Paris for a picnic today?"
    );
    assert!(
        turns[0].output.contains("18°C and partly cloudy"),
        "{}",
        turns[0].output
    );
}

#[test]
fn a_dropped_price_table_prices_calls_until_it_is_forgotten() {
    let mut engine = engine_with(&["genai/vercel-ai-02.otlp.pb"]);
    const TRACE: &str = "fe12367f66495c24bd70fc4a7f6ff948";
    let cost = |engine: &mut Engine| {
        trace_overview(
            engine,
            Request::OpenTrace {
                trace_id: TRACE.into(),
            },
        )
        .cost
    };
    let builtin = cost(&mut engine);
    assert_eq!(builtin.estimated_calls, 1);
    let table =
        br#"{"version": "ours", "models": [{"id": "gpt-4o-mini", "input": 1000, "output": 0}]}"#;
    let result = engine.load("our-prices.json", table, &mut |_| {});
    assert_eq!(result.format.as_deref(), Some("prices"));
    assert_eq!(result.price_models, Some(1));
    assert!(
        result.errors.is_empty() && result.warnings.is_empty(),
        "{result:?}"
    );
    // 300 input tokens (192 of them cached, priced as input: the table has no cache price).
    assert!((cost(&mut engine).usd.dollars() - 0.3).abs() < 1e-9);
    let Response::PriceTables(tables) = engine.handle(Request::PriceTables) else {
        panic!("price tables expected");
    };
    assert_eq!(tables.files.len(), 1);
    assert!(tables.builtin_models > 100);
    assert_eq!(engine.take_unsaved_price_files().len(), 1);
    assert!(engine.forget_price_file(&tables.files[0].key));
    assert_eq!(cost(&mut engine), builtin);
    let bad = engine.load(
        "bad-prices.json",
        br#"{"models": [{"id": "x", "input": -1}]}"#,
        &mut |_| {},
    );
    assert_eq!(bad.errors.len(), 1, "{bad:?}");
    assert!(
        bad.errors[0].contains("a price is negative"),
        "{:?}",
        bad.errors
    );
}

#[test]
fn what_a_link_or_host_brings_is_kept_only_when_the_user_keeps_it() {
    let evaluations =
        "phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet";
    let dataset = "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet";
    let mut engine = engine_with(&["openai-01.otlp.pb"]);
    assert_eq!(engine.take_changed().len(), 1, "the user's file is kept");

    // A host posts spans of the kept trace, and more: shown, but nothing is to be stored.
    let result = engine.load_held(
        "host.jsonl",
        &fixture("collector-file-exporter.jsonl"),
        &mut |_| {},
    );
    assert!(result.held && result.spans > 0);
    let held = engine.load_held(dataset, &fixture(dataset), &mut |_| {});
    assert!(held.held && held.spans > 0);
    engine.load_held(evaluations, &fixture(evaluations), &mut |_| {});
    let table = br#"{"models": [{"id": "gpt-4o-mini", "input": 1, "output": 1}]}"#;
    engine.load_held("prices.json", table, &mut |_| {});
    assert!(
        engine.take_changed().is_empty(),
        "the kept trace is not rewritten"
    );
    assert!(engine.take_new_evaluations().is_empty());
    assert!(engine.take_unsaved_price_files().is_empty());
    assert!(engine.summary().spans > 4, "but all of it is shown");

    // The user's own load touching a held trace does not take the host's spans to the store.
    engine.load("again.otlp.pb", &fixture("openai-01.otlp.pb"), &mut |_| {});
    assert!(engine.take_changed().is_empty());

    // Until the user keeps it.
    assert!(engine.keep_held());
    assert!(
        engine
            .take_changed()
            .iter()
            .any(|id| id.to_string() == OPENAI_01_TRACE)
    );
    assert_eq!(engine.take_new_evaluations().len(), 8);
    assert_eq!(engine.take_unsaved_price_files().len(), 1);
    assert!(!engine.keep_held(), "nothing more held");
}

#[test]
fn a_table_row_says_what_a_trace_answered_what_went_wrong_and_for_whom() {
    let mut engine = engine_with(&["openai-01.otlp.pb", "openai-03.otlp.pb"]);
    let rows = page(
        &mut engine,
        TraceQuery {
            project: "chatbot-demo".into(),
            ..TraceQuery::default()
        },
    )
    .rows;
    let ok = rows
        .iter()
        .find(|r| r.trace_id == OPENAI_01_TRACE)
        .expect("openai-01");
    assert_eq!(ok.gist.user.as_deref(), Some("alice@example.com"));
    assert!(
        ok.gist
            .output_preview
            .starts_with("Sure! Here is a helpful answer"),
        "{}",
        ok.gist.output_preview
    );
    assert_eq!(ok.gist.error, "");
    let failed = rows
        .iter()
        .find(|r| r.status == "ERROR")
        .expect("openai-03");
    assert!(
        !failed.gist.error.is_empty(),
        "the first failed span's status message"
    );
    // A stored record carries them too, for rows of traces not read yet.
    let id = TraceId::parse(OPENAI_01_TRACE).expect("an id");
    let record = engine.stored_record(&id, 1).expect("a record");
    assert_eq!(
        (
            record.gist.user.as_deref(),
            record.gist.output_preview.as_str()
        ),
        (ok.gist.user.as_deref(), ok.gist.output_preview.as_str())
    );
}

#[test]
fn a_tree_row_carries_its_spans_evaluations() {
    let evaluations =
        "phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet";
    let dataset = "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet";
    let mut engine = engine_with(&[dataset, evaluations]);
    let spans = page(
        &mut engine,
        TraceQuery {
            project: "default".into(),
            all_spans: true,
            ..TraceQuery::default()
        },
    );
    let evaluated: Vec<_> = spans
        .rows
        .iter()
        .filter(|r| !r.evaluations.is_empty())
        .collect();
    assert!(!evaluated.is_empty());
    for table_row in evaluated {
        trace_overview(
            &mut engine,
            Request::OpenTrace {
                trace_id: table_row.trace_id.clone(),
            },
        );
        let tree = rows(&mut engine, &table_row.trace_id, 0, 100);
        let row = tree
            .iter()
            .find(|r| r.span_id == table_row.span_id)
            .expect("the span's row");
        assert_eq!(row.evaluations, table_row.evaluations);
    }
}

/// Every kind of answer, about traces of every kind of span, crosses the page's boundary (binary,
/// positional: a type whose serde form needs a self-describing format would fail here).
#[test]
fn every_answer_reads_back_as_the_page_gets_it() {
    use crate::engine::messages::{FromWorker, decode, encode};
    let mut engine = engine_with(&[
        "openai-01.otlp.pb",
        "langchain-01.otlp.pb",
        "collector-file-exporter.jsonl",
        "genai/openai-agents-01.otlp.pb",
        "genai/pydantic-ai-01.otlp.pb",
        "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet",
        "phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet",
    ]);
    let traces: Vec<(String, Vec<String>)> = engine
        .traces
        .all()
        .iter()
        .map(|trace| {
            let spans = trace.tree.span.iter();
            let ids = spans.map(|&i| engine.arena.spans()[i as usize].span_id.to_string());
            (trace.summary.trace_id.to_string(), ids.collect())
        })
        .collect();
    let mut requests = vec![
        Request::Summary,
        Request::Projects,
        Request::SavedFiles,
        Request::PriceTables,
        Request::Query {
            filter: "span_kind == 'LLM'".into(),
        },
        Request::CheckFilter {
            filter: "span_kind ==".into(),
        },
        Request::Compare {
            base: traces[0].0.clone(),
            other: traces[1].0.clone(),
        },
    ];
    for project in ["chatbot-demo", "rag-langchain-demo", "default"] {
        requests.push(Request::Stats {
            project: project.into(),
        });
        requests.push(Request::Sessions {
            project: project.into(),
        });
        for all_spans in [false, true] {
            requests.push(Request::Traces(TraceQuery {
                project: project.into(),
                all_spans,
                count: 50,
                ..TraceQuery::default()
            }));
        }
    }
    for (trace_id, spans) in &traces {
        requests.push(Request::OpenTrace {
            trace_id: trace_id.clone(),
        });
        requests.push(Request::Rows {
            trace_id: trace_id.clone(),
            first: 0,
            count: 200,
        });
        requests.push(Request::Flame {
            trace_id: trace_id.clone(),
            focus: None,
        });
        for span_id in spans {
            requests.push(Request::SpanDetails {
                trace_id: trace_id.clone(),
                span_id: span_id.clone(),
            });
        }
    }
    // And what loading tells, a file with problems included.
    for (name, bytes) in [
        ("broken.json", &b"{\"resourceSpans\": [{"[..]),
        ("a.pb", &fixture("openai-03.otlp.pb")[..]),
    ] {
        let loaded = FromWorker::Loaded {
            batch: 2,
            file: 0,
            result: engine.load(name, bytes, &mut |_| {}),
        };
        assert_eq!(decode(&encode(&loaded)), Ok(loaded));
    }
    for request in requests {
        let asked = crate::engine::messages::ToWorker::Ask {
            id: 1,
            request: request.clone(),
        };
        assert_eq!(decode(&encode(&asked)), Ok(asked));
        let answer = FromWorker::Answer {
            id: 1,
            answer: Ok(Box::new(engine.handle(request.clone()))),
        };
        assert_eq!(decode(&encode(&answer)), Ok(answer), "{request:?}");
    }
}

/// An OTLP/JSON body of spans `(id, parent, name)` of one trace, as an SDK sends a batch.
fn piece(spans: &[(u64, Option<u64>, &str)]) -> Vec<u8> {
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .map(|&(id, parent, name)| {
            serde_json::json!({
                "traceId": "0af7651916cd43dd8448eb211c80319c",
                "spanId": format!("{id:016x}"),
                "parentSpanId": parent.map(|p| format!("{p:016x}")).unwrap_or_default(),
                "name": name,
                "startTimeUnixNano": (1_700_000_000_000_000_000u64 + id).to_string(),
                "endTimeUnixNano": (1_700_000_001_000_000_000u64 - id).to_string(),
            })
        })
        .collect();
    serde_json::json!({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]})
        .to_string()
        .into_bytes()
}

#[test]
fn a_trace_arriving_live_grows_in_place_and_is_in_progress_until_its_root_comes() {
    const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
    let mut engine = Engine::default();
    // An SDK sends spans as they end: the leaves first.
    let first = engine.load_live(
        "traces-00000001.otlp.pb",
        &piece(&[
            (3, Some(2), "tool"),
            (4, Some(2), "llm"),
            (2, Some(1), "agent"),
        ]),
    );
    assert_eq!((first.spans, first.traces), (3, 1));
    let arriving = trace_overview(
        &mut engine,
        Request::OpenTrace {
            trace_id: TRACE.into(),
        },
    );
    assert!(arriving.in_progress, "its root has not come");
    assert_eq!(arriving.anomalies.missing_parents, 1);
    // The user collapses the agent and searches; then the root arrives.
    trace_overview(
        &mut engine,
        Request::Toggle {
            trace_id: TRACE.into(),
            row: 0,
            expand: Some(false),
        },
    );
    let searched = trace_overview(
        &mut engine,
        Request::Search {
            trace_id: TRACE.into(),
            text: "l".into(),
            as_text: true,
        },
    );
    assert_eq!(searched.matches.len(), 2, "tool and llm");
    engine.load_live("traces-00000001.otlp.pb", &piece(&[(1, None, "root")]));
    let whole = trace_overview(
        &mut engine,
        Request::OpenTrace {
            trace_id: TRACE.into(),
        },
    );
    assert!(!whole.in_progress);
    assert_eq!((whole.spans, whole.anomalies.missing_parents), (4, 0));
    assert_eq!(whole.search, "l", "the search is kept");
    assert_eq!(whole.matches.len(), 2);
    let names = |engine: &mut Engine| -> Vec<(String, u32)> {
        rows(engine, TRACE, 0, 10)
            .into_iter()
            .map(|r| (r.name, r.depth))
            .collect()
    };
    // The agent, once an orphan, is under the root now; the search shows every match.
    assert_eq!(
        names(&mut engine)[..2],
        [("root".to_owned(), 0), ("agent".to_owned(), 1)]
    );
    let cleared = trace_overview(
        &mut engine,
        Request::Search {
            trace_id: TRACE.into(),
            text: String::new(),
            as_text: true,
        },
    );
    // Without the search, the agent is still collapsed: its row moved, its state followed it.
    assert_eq!(cleared.visible_rows, 2);
    // Live pieces are parts of the file already listed, not files of their own.
    assert!(engine.files.is_empty());
}

/// A trace kept whole, as the keeper writes it (what was unkept of it counts as kept): its
/// record and chunks.
fn kept_whole(engine: &mut Engine, id: &TraceId) -> (TraceRecord, Vec<crate::store::StoredChunk>) {
    let _ = engine.stored_piece(id, None);
    let record = engine.stored_record(id, 1).expect("a record");
    let chunks = (0..record.chunks)
        .map(|n| engine.stored_chunk(id, n).expect("a chunk"))
        .collect();
    (record, chunks)
}

#[test]
fn a_piece_of_a_kept_trace_is_kept_as_its_own_spans_and_reads_back_with_the_rest() {
    let id = TraceId::parse("0af7651916cd43dd8448eb211c80319c").expect("an id");
    let mut engine = Engine::default();
    engine.load(
        "1.json",
        &piece(&[(1, None, "root"), (2, Some(1), "agent")]),
        &mut |_| {},
    );
    // A trace not kept yet is written whole: its spans need no list.
    assert_eq!(engine.unkept.get(&id), Some(&None));
    assert!(engine.stored_piece(&id, None).is_none());
    let (record, mut chunks) = kept_whole(&mut engine, &id);
    engine.load(
        "2.json",
        &piece(&[(3, Some(2), "tool"), (4, Some(2), "llm")]),
        &mut |_| {},
    );
    let (grown, added) = engine.stored_piece(&id, Some(&record)).expect("a piece");
    assert_eq!((grown.generation, grown.chunks, grown.spans), (1, 2, 4));
    assert_eq!(added.len(), 1);
    // The added chunk holds the piece's two spans only.
    let mut arena = Arena::default();
    assert_eq!(ingest::load(&mut arena, "piece", &added[0].otlp).spans, 2);
    // Read back, the kept chunks and the piece are the whole trace.
    chunks.extend(added);
    let mut restored = Engine::default();
    restored.list_stored([grown.clone()]);
    let keys: Vec<String> = grown.chunk_keys().collect();
    let problems = restored.restore(&[id], keys.iter().map(String::as_str).zip(&chunks));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        restored
            .traces
            .get(&id)
            .expect("the trace")
            .summary
            .span_count,
        4
    );
    // Taken, the piece is not kept twice.
    assert!(engine.stored_piece(&id, Some(&grown)).is_none());
    // A piece whose writing failed: the trace is written whole the next time.
    engine.load("3.json", &piece(&[(5, Some(2), "retry")]), &mut |_| {});
    assert!(engine.stored_piece(&id, Some(&grown)).is_some());
    engine.keep_whole_next(&[id]);
    engine.load("4.json", &piece(&[(6, Some(2), "later")]), &mut |_| {});
    assert!(engine.stored_piece(&id, Some(&grown)).is_none());
}

#[test]
fn pieces_are_compacted_once_the_trace_has_grown_fourfold_and_held_spans_write_it_whole() {
    let id = TraceId::parse("0af7651916cd43dd8448eb211c80319c").expect("an id");
    let mut engine = Engine::default();
    engine.load("0.json", &piece(&[(1, None, "root")]), &mut |_| {});
    let (mut record, _) = kept_whole(&mut engine, &id);
    let mut whole_at = Vec::new();
    for n in 2..200 {
        engine.load("n.json", &piece(&[(n, Some(1), "step")]), &mut |_| {});
        match engine.stored_piece(&id, Some(&record)) {
            Some((grown, chunks)) => {
                assert_eq!(
                    (grown.chunks, grown.pieces),
                    (record.chunks + 1, record.pieces + 1)
                );
                assert_eq!(chunks.len(), 1);
                record = grown;
            }
            None => {
                whole_at.push(n);
                record = kept_whole(&mut engine, &id).0;
            }
        }
    }
    // Written whole at 66 spans (65 pieces on 1), then not until it has grown fourfold again:
    // what is encoded again stays a fraction of the trace.
    assert_eq!(whole_at, [66]);
    assert_eq!(record.whole_spans, 66);
    assert_eq!(record.pieces, 199 - 66);
    // Spans that were held until kept: written whole.
    engine.load_held("held.json", &piece(&[(500, Some(1), "held")]), &mut |_| {});
    assert!(engine.keep_held());
    assert!(engine.stored_piece(&id, Some(&record)).is_none());
}

#[test]
fn a_batch_of_files_is_assembled_once_and_views_made_meanwhile_are_made_again() {
    const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
    let mut engine = Engine::default();
    engine.load(
        "0.json",
        &piece(&[(1, None, "root"), (2, Some(1), "agent")]),
        &mut |_| {},
    );
    trace_overview(
        &mut engine,
        Request::Toggle {
            trace_id: TRACE.into(),
            row: 1,
            expand: Some(false),
        },
    );
    engine.defer_assembly(true);
    engine.load("1.json", &piece(&[(3, Some(2), "tool")]), &mut |_| {});
    assert_eq!(
        engine.take_touched(),
        [TraceId::parse(TRACE).expect("an id")]
    );
    // Asked meanwhile, the trace is as it was assembled last.
    let meanwhile = trace_overview(
        &mut engine,
        Request::OpenTrace {
            trace_id: TRACE.into(),
        },
    );
    assert_eq!(meanwhile.spans, 2);
    engine.load("2.json", &piece(&[(4, Some(3), "llm")]), &mut |_| {});
    engine.defer_assembly(false);
    let whole = trace_overview(
        &mut engine,
        Request::OpenTrace {
            trace_id: TRACE.into(),
        },
    );
    assert_eq!(whole.spans, 4);
    // The agent stays collapsed: its tool and the tool's call are out of sight.
    assert_eq!(whole.visible_rows, 2);
    assert_eq!(rows(&mut engine, TRACE, 0, 10).len(), 2);
}

#[test]
fn an_export_with_secrets_taken_out_keeps_every_span_and_says_so_in_its_name() {
    let engine = engine_with(&["openai-01.otlp.pb"]);
    let selection = SpanSelection::Traces(vec![OPENAI_01_TRACE.into()]);
    let plain = engine
        .export(&selection, Target::OtlpJson, None)
        .expect("exported");
    let redacted = exported_redacted(&engine, &selection, Target::OtlpJson).expect("exported");
    assert_eq!(
        redacted.name,
        format!("trace-{OPENAI_01_TRACE}-redacted.otlp.json")
    );
    let mut back = Engine::default();
    let read = back.load(&redacted.name, &redacted.bytes, &mut |_| {});
    assert_eq!((read.spans, redacted.spans), (4, plain.spans));
}

#[test]
fn annotations_are_set_replaced_filtered_on_and_removed() {
    use crate::store::{StoredEvaluation, StoredTarget};
    let mut engine = engine_with(&["openai-01.otlp.pb"]);
    let span = "f4067ff1516df620";
    let review = |label: &str, score: f64| StoredEvaluation {
        target: StoredTarget::Span(span.into()),
        name: "review".into(),
        score: Some(score),
        label: Some(label.into()),
        explanation: Some("it answered another question".into()),
        annotator: crate::model::Annotator::Llm,
    };
    let (key, kept) = engine.annotate(&review("good", 1.0), false).expect("set");
    assert_eq!(key, format!("span:{span}/review"));
    assert_eq!(
        kept.expect("kept").annotator,
        crate::model::Annotator::Human,
        "a person's"
    );
    engine
        .annotate(&review("bad", 0.0), false)
        .expect("replaced");
    let details = details_of(&mut engine, OPENAI_01_TRACE, span);
    let [annotation] = details.evaluations.as_slice() else {
        panic!("one annotation: {:?}", details.evaluations)
    };
    assert_eq!(annotation.label.as_deref(), Some("bad"));
    assert!(annotation.human);
    let matching = |engine: &mut Engine, filter: &str| match engine.handle(Request::Query {
        filter: filter.into(),
    }) {
        Response::SpanIds(ids) => ids,
        other => panic!("expected ids, got {other:?}"),
    };
    assert_eq!(
        matching(&mut engine, "annotations['review'].label == 'bad'"),
        [span]
    );
    assert_eq!(matching(&mut engine, "evals['review'].score < 0.5"), [span]);
    // Kept and put back in another engine, as the page reopened.
    let unsaved = engine.take_unsaved_annotations();
    assert_eq!(unsaved.len(), 1, "set twice, kept once: {unsaved:?}");
    let stored: Vec<StoredEvaluation> = unsaved.into_iter().filter_map(|(_, a)| a).collect();
    let mut reopened = engine_with(&["openai-01.otlp.pb"]);
    assert_eq!(reopened.restore_annotations(&stored), 1);
    assert_eq!(
        matching(&mut reopened, "annotations['review'].label == 'bad'"),
        [span]
    );
    // On the trace as a whole, then removed from the span.
    let on_trace = StoredEvaluation {
        target: StoredTarget::Trace(OPENAI_01_TRACE.into()),
        name: "note".into(),
        explanation: Some("check the retries".into()),
        score: None,
        label: None,
        annotator: crate::model::Annotator::Human,
    };
    assert_eq!(
        engine.annotate(&on_trace, false).expect("set").0,
        format!("trace:{OPENAI_01_TRACE}/note")
    );
    let (_, removed) = engine.annotate(&review("bad", 0.0), true).expect("removed");
    assert_eq!(removed, None);
    assert!(
        details_of(&mut engine, OPENAI_01_TRACE, span)
            .evaluations
            .is_empty()
    );
    let unsaved = engine.take_unsaved_annotations();
    let removed = unsaved
        .iter()
        .find(|(key, _)| key == &format!("span:{span}/review"));
    assert_eq!(
        removed.map(|(_, a)| a.is_none()),
        Some(true),
        "the store deletes it: {unsaved:?}"
    );
    assert!(
        engine
            .annotate(
                &StoredEvaluation {
                    name: " ".into(),
                    ..on_trace.clone()
                },
                false
            )
            .is_err()
    );
    let nowhere = StoredEvaluation {
        target: StoredTarget::Span("not hex".into()),
        ..on_trace
    };
    assert!(engine.annotate(&nowhere, false).is_err());
}

#[test]
fn annotations_export_as_phoenix_rows_that_read_back_as_annotations_and_redact() {
    use crate::store::{StoredEvaluation, StoredTarget};
    let mut engine = engine_with(&["openai-01.otlp.pb"]);
    let span = "f4067ff1516df620";
    let annotation =
        |target, name: &str, label: Option<&str>, explanation: &str| StoredEvaluation {
            target,
            name: name.into(),
            score: label.map(|_| 0.0),
            label: label.map(str::to_owned),
            explanation: Some(explanation.into()),
            annotator: crate::model::Annotator::Human,
        };
    let on_span = annotation(
        StoredTarget::Span(span.into()),
        "review",
        Some("bad"),
        "told ana@example.com",
    );
    let note = annotation(
        StoredTarget::Trace(OPENAI_01_TRACE.into()),
        "note",
        None,
        "retry twice",
    );
    engine.annotate(&on_span, false).expect("set");
    engine.annotate(&note, false).expect("set");
    let selection = SpanSelection::Traces(vec![OPENAI_01_TRACE.into()]);
    let export = engine
        .export(&selection, Target::PhoenixAnnotations, None)
        .expect("export");
    let text = String::from_utf8(export.bytes).expect("text");
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("row"))
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert_eq!(rows[0]["span_id"], span);
    assert_eq!(rows[0]["annotator_kind"], "HUMAN");
    assert_eq!(rows[0]["result"]["label"], "bad");
    assert_eq!(rows[1]["trace_id"], OPENAI_01_TRACE);
    assert_eq!(rows[1]["name"], "note");
    // Dropped on a page with the spans, they are annotations again.
    let mut back = engine_with(&["openai-01.otlp.pb"]);
    let result = back.load("review.annotations.jsonl", text.as_bytes(), &mut |_| {});
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let details = details_of(&mut back, OPENAI_01_TRACE, span);
    assert!(
        details
            .evaluations
            .iter()
            .any(|e| e.human && e.label.as_deref() == Some("bad"))
    );
    // Secrets taken out, as from spans.
    let redacted =
        exported_redacted(&engine, &selection, Target::PhoenixAnnotations).expect("export");
    assert_eq!(
        redacted.name,
        format!("trace-{OPENAI_01_TRACE}-redacted.annotations.jsonl")
    );
    let redacted = String::from_utf8(redacted.bytes).expect("text");
    assert!(!redacted.contains("ana@example.com") && redacted.contains("told [email-1]"));
    // Phoenix's REST bodies: notes apart, as Phoenix keeps them.
    let arena = engine.arena();
    let spans: Vec<u32> = (0..arena.spans().len() as u32).collect();
    let bodies = crate::export::annotations::phoenix(arena, &spans, str::to_owned);
    assert_eq!(
        (
            bodies.spans.len(),
            bodies.traces.len(),
            bodies.trace_notes.len()
        ),
        (1, 0, 1)
    );
    assert_eq!(bodies.trace_notes[0]["data"]["note"], "retry twice");
    assert_eq!(bodies.trace_notes[0]["data"]["identifier"], "plume");
}

#[test]
fn the_rules_in_use_redact_exports_and_previews_and_a_bad_pattern_is_said() {
    let mut engine = engine_with(&["openai-01.otlp.pb"]);
    let selection = SpanSelection::Traces(vec![OPENAI_01_TRACE.into()]);
    let rules = crate::redact::Rules::read(
        r#"{"rules": [], "patterns": [{"name": "topic", "regex": "OpenTelemetry"}]}"#,
    )
    .expect("rules");
    engine.settings().rules.set(rules.clone());
    let Response::RedactionRules(used) = engine.handle(Request::RedactionRules) else {
        panic!("rules")
    };
    assert_eq!(used, rules);
    let Response::RedactionPreview(preview) = redaction_preview(&engine, &selection) else {
        panic!("a preview")
    };
    assert_eq!(preview.problem, None);
    let topic = &preview.preview.rules[0];
    assert_eq!(topic.rule, "topic");
    assert!(topic.values >= 2 && topic.spans >= 2, "{topic:?}");
    assert!(topic.examples[0].1.contains("[topic-1]"));
    let export = exported_redacted(&engine, &selection, Target::OtlpJson).expect("export");
    let text = String::from_utf8(export.bytes).expect("text");
    assert!(!text.contains("OpenTelemetry") && text.contains("[topic-1]"));
    // A pattern that does not read is said, not applied.
    let mut bad = rules;
    bad.patterns[0].regex = "(".into();
    engine.settings().rules.set(bad);
    let Response::RedactionPreview(preview) = redaction_preview(&engine, &selection) else {
        panic!("a preview")
    };
    assert!(
        preview
            .problem
            .expect("a problem")
            .contains("the pattern topic does not read")
    );
    let selection = SpanSelection::Traces(vec![OPENAI_01_TRACE.into()]);
    let refused = exported_redacted(&engine, &selection, Target::OtlpJson);
    assert!(
        refused.is_err_and(|e| e.contains("cannot be used")),
        "nothing leaves with a rule left out"
    );
}

#[test]
fn forgetting_a_trace_forgets_what_people_noted_on_it() {
    use crate::store::{StoredEvaluation, StoredTarget};
    let mut engine = engine_with(&["openai-01.otlp.pb", "langchain-01.otlp.pb"]);
    let note = |target| StoredEvaluation {
        target,
        name: "note".into(),
        score: None,
        label: None,
        explanation: Some("look".into()),
        annotator: crate::model::Annotator::Human,
    };
    engine
        .annotate(&note(StoredTarget::Span("f4067ff1516df620".into())), false)
        .expect("set");
    engine
        .annotate(&note(StoredTarget::Trace(OPENAI_01_TRACE.into())), false)
        .expect("set");
    let other = engine
        .arena()
        .spans()
        .iter()
        .find(|s| s.trace_id.to_string() != OPENAI_01_TRACE)
        .expect("another trace's span")
        .span_id;
    engine
        .annotate(&note(StoredTarget::Span(other.to_string())), false)
        .expect("set");
    engine.take_unsaved_annotations();
    engine.forget(&SpanSelection::Traces(vec![OPENAI_01_TRACE.into()]));
    assert_eq!(
        engine.arena().annotations().len(),
        1,
        "the other trace's stays"
    );
    let deleted = engine.take_unsaved_annotations();
    assert_eq!(deleted.len(), 2);
    assert!(
        deleted.iter().all(|(_, kept)| kept.is_none()),
        "the store deletes them: {deleted:?}"
    );
}

#[test]
fn a_projects_agent_graph_sums_its_traces() {
    let mut engine = engine_with(&[
        "genai/openai-agents-01.otlp.pb",
        "genai/openai-agents-02.otlp.pb",
    ]);
    let Response::AgentGraph(graph) = engine.handle(Request::AgentGraph {
        selection: SpanSelection::Project("openai-agents-demo".into()),
        expanded: false,
    }) else {
        panic!("a graph")
    };
    let workflow = graph
        .nodes
        .iter()
        .find(|n| n.name == "Agent workflow")
        .expect("the workflow");
    assert_eq!(workflow.spans.len(), 2, "one per run");
    let names: Vec<&str> = graph.nodes.iter().map(|n| n.name.as_str()).collect();
    assert!(
        names.contains(&"Triage agent") && names.contains(&"Weather agent (chat completions)"),
        "{names:?}"
    );
}

#[test]
fn two_runs_of_a_chat_compare_what_they_said() {
    let mut engine = engine_with(&[
        "genai/pydantic-ai-01.otlp.pb",
        "genai/pydantic-ai-02.otlp.pb",
    ]);
    let at = |trace_id: &str, span_id: &str| SpanAt {
        trace_id: trace_id.into(),
        span_id: span_id.into(),
    };
    let first = at("a3afd8cb714049451ff4997d45886da4", "187cfeeb7978d6c1");
    let second = at("9a96b2d36a8b1604ca6fa192d5571346", "94955d1a9981cc29");
    let Response::SpanDiff(diff) = engine.handle(Request::SpanDiff {
        base: first.clone(),
        other: second.clone(),
    }) else {
        panic!("a span diff")
    };
    assert_eq!(
        (diff.base.model.as_deref(), diff.other.model.as_deref()),
        (
            Some("gpt-4o-mini-2024-07-18"),
            Some("gpt-4.1-mini-2025-04-14")
        )
    );
    let input = crate::model::TokenKind::Input;
    assert_eq!(
        (diff.base.usage.get(input), diff.other.usage.get(input)),
        (Some(170), Some(879))
    );
    let question = diff
        .fields
        .iter()
        .find(|f| f.label == "input 1 · user")
        .expect("the user's question");
    let changed = |change| -> String {
        (question.pieces.iter())
            .filter(|p| p.change == change)
            .map(|p| p.text.as_str())
            .collect()
    };
    use crate::analysis::diff::Change;
    assert!(changed(Change::Removed).contains("weather"), "{question:?}");
    assert!(changed(Change::Added).contains("picnic"), "{question:?}");
    assert!(changed(Change::Same).contains("Paris"), "{question:?}");
    let calls = diff
        .tool_calls
        .as_ref()
        .expect("both asked for get_weather");
    assert!(calls.same(), "same arguments: {calls:?}");
    assert!(diff.fields.iter().any(|f| f.label == "system" && f.same()));

    // Their tool runs: arguments and results, compared key by key as JSON.
    let Response::SpanDiff(tools) = engine.handle(Request::SpanDiff {
        base: at("a3afd8cb714049451ff4997d45886da4", "29455dd9599e77eb"),
        other: at("9a96b2d36a8b1604ca6fa192d5571346", "2108dd25120e1279"),
    }) else {
        panic!("a span diff")
    };
    let labels: Vec<&str> = tools.fields.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, ["arguments", "result"], "{tools:?}");
    assert!(
        tools.fields.iter().all(|f| f.same()),
        "the same tool, asked the same: {tools:?}"
    );
    assert_eq!(tools.base.kind, "TOOL");

    let Response::SpanDiff(itself) = engine.handle(Request::SpanDiff {
        base: first.clone(),
        other: first.clone(),
    }) else {
        panic!("a span diff")
    };
    assert!(
        itself.fields.iter().all(|f| f.same()),
        "{:?}",
        itself.fields
    );
    assert!(matches!(
        engine.handle(Request::SpanDiff {
            base: first,
            other: at("9a96b2d36a8b1604ca6fa192d5571346", "0000000000000001"),
        }),
        Response::NotFound(_)
    ));
}

#[test]
fn two_runs_with_another_model_pair_their_model_calls() {
    let mut engine = engine_with(&[
        "genai/pydantic-ai-01.otlp.pb",
        "genai/pydantic-ai-02.otlp.pb",
    ]);
    let Response::Comparison(two) = engine.handle(Request::Compare {
        base: "a3afd8cb714049451ff4997d45886da4".into(),
        other: "9a96b2d36a8b1604ca6fa192d5571346".into(),
    }) else {
        panic!("a comparison")
    };
    let calls: Vec<(&str, Option<&str>, Option<&str>)> = (two.rows.iter())
        .filter(|r| r.kind == "LLM")
        .map(|r| {
            (
                r.name.as_str(),
                r.base.as_ref().map(|s| s.span_id.as_str()),
                r.other.as_ref().map(|s| s.span_id.as_str()),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            (
                "chat gpt-4o-mini",
                Some("187cfeeb7978d6c1"),
                Some("94955d1a9981cc29")
            ),
            (
                "chat gpt-4o-mini",
                Some("29730718e07ccb66"),
                Some("123abe1e76eda648")
            ),
        ]
    );
    assert_eq!((two.added, two.removed), (0, 0));
}

/// An export with secrets taken out, the redaction run here as the helper runs it.
fn exported_redacted(
    engine: &Engine,
    selection: &SpanSelection,
    target: Target,
) -> Result<Export, String> {
    let redacted = crate::redact::job::run(&engine.export_job(selection, target))?;
    engine.export(selection, target, Some(&redacted))
}

/// A redaction preview, made here as the helper makes it.
fn redaction_preview(engine: &Engine, selection: &SpanSelection) -> Response {
    let answer = crate::redact::job::run(&engine.preview_job(selection));
    Response::RedactionPreview(Box::new(RedactionPreview::of(answer)))
}

#[test]
fn a_zstd_file_expanded_by_the_helper_loads_as_its_content_does_or_not_at_all() {
    use crate::ingest::{Codec, helper_wire};
    let packed = fixture("generated/openai-01.otlp.pb.zst");
    // As `reading::read_zstd` does, the helper's pieces taken here.
    let read = |engine: &mut Engine, bytes: &[u8]| {
        let mut loading = engine.begin_expanding("a.zst", Codec::Zstd, false);
        let mut expander = helper_wire::Expander::new(bytes);
        let expanded = loop {
            match expander.next_piece() {
                Ok(Some(piece)) => {
                    engine.feed_expanded(&mut loading, Codec::Zstd, piece, &mut |_| {})
                }
                Ok(None) => break Ok(()),
                Err(message) => break Err(Codec::Zstd.corrupt(message)),
            }
        };
        assert_eq!(loading.expanded_helped(expanded), None);
        engine.finish(loading, &mut |_| {})
    };
    let mut engine = Engine::default();
    let result = read(&mut engine, &packed);
    let mut plain = engine_with(&["openai-01.otlp.pb"]);
    assert_eq!((result.spans, result.traces), (4, 1));
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let open = || Request::OpenTrace {
        trace_id: OPENAI_01_TRACE.into(),
    };
    assert_eq!(
        trace_overview(&mut engine, open()),
        trace_overview(&mut plain, open())
    );
    // Cut short: the file fails and what it stored is undone.
    let mut engine = Engine::default();
    let cut = read(&mut engine, &packed[..packed.len() - 9]);
    assert_eq!((cut.spans, cut.errors.len()), (0, 1));
    assert!(cut.errors[0].contains("zstd"), "{:?}", cut.errors);
    assert_eq!(engine.arena.spans().len(), 0);
}

/// A trace search looks in every attribute value: text, whole numbers, and the values inside
/// arrays and maps, however deep.
#[test]
fn a_search_reaches_numbers_and_values_in_arrays_and_maps() {
    const TRACE: &str = "5b8aa5a2d2c872e8321cf37308d69df2";
    let span = |name: &str, attributes: &str| {
        format!(
            r#"{{"traceId":"{TRACE}","spanId":"00000000000000{name}","name":"{name}",
                "startTimeUnixNano":"1","endTimeUnixNano":"9","attributes":[{attributes}]}}"#
        )
    };
    let spans = [
        span("a1", r#"{"key":"count","value":{"intValue":"4242"}}"#),
        span(
            "a2",
            r#"{"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"alpha"},
                {"arrayValue":{"values":[{"stringValue":"needle in an array"}]}}]}}}"#,
        ),
        span(
            "a3",
            r#"{"key":"map","value":{"kvlistValue":{"values":[{"key":"inner","value":
                {"kvlistValue":{"values":[{"key":"deep","value":{"stringValue":"a needle in a map"}}]}}}]}}}"#,
        ),
    ];
    let json = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
        spans.join(",")
    );
    let mut engine = Engine::default();
    let loaded = engine.load("nested.json", json.as_bytes(), &mut |_| {});
    assert_eq!((loaded.spans, loaded.errors.len()), (3, 0), "{loaded:?}");
    // The names of the spans matched.
    let mut matched = |text: &str| {
        let search = Request::Search {
            trace_id: TRACE.into(),
            text: text.into(),
            as_text: true,
        };
        let found = trace_overview(&mut engine, search).matches;
        let names: Vec<String> = rows(&mut engine, TRACE, 0, 10)
            .into_iter()
            .filter(|row| row.matched)
            .map(|row| row.name)
            .collect();
        assert_eq!(names.len(), found.len(), "{text}: every match is shown");
        names
    };
    assert_eq!(matched("4242"), ["a1"]);
    assert_eq!(matched("needle"), ["a2", "a3"]);
    assert_eq!(matched("IN A MAP"), ["a3"]);
    assert_eq!(matched("alpha"), ["a2"]);
    assert!(matched("absent").is_empty());
}
