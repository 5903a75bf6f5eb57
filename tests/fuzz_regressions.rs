//! Replays `tests/fuzz_regressions/`: inputs that crashed a reader once (named after what they
//! are), and hostile inputs made by hand. Each goes through sniffing and through every reader on
//! its own, and streamed in pieces; none may panic, each report must agree with the arena, and
//! streamed must come to what whole does.

use plume::analysis::filter::Filter;
use plume::analysis::{Traces, critical_path, project_stats};
use plume::attributes::span_attributes;
use plume::export::{self, Target};
use plume::ingest::{self, FileReport};
use plume::model::{Arena, Format};
use plume::semantics::{Prices, call_cost, describe};

fn check(arena: &Arena, report: &FileReport, what: &str) {
    let stored = arena.spans().len();
    assert_eq!(
        report.spans, stored,
        "{what}: the report counts what the arena holds"
    );
    if stored == 0 && report.logs == 0 && report.prices.is_none() {
        assert!(
            !report.errors.is_empty() || !report.warnings.is_empty(),
            "{what}: nothing loaded and nothing said"
        );
    }
    assert_eq!(report.logs, arena.logs().len(), "{what}: records counted");
    let prices = Prices::builtin();
    for span in arena.spans() {
        let _ = serde_json::to_string(&describe(arena, span));
        if let Some(call) = arena.call(span) {
            let _ = call_cost(arena, call, span.start_unix_nanos, &prices);
        }
    }
    for error in &report.errors {
        assert!(
            error.to_string().starts_with(&report.file),
            "{what}: errors name the file"
        );
    }
    let traces = Traces::assemble(arena);
    for trace in traces.all() {
        trace.tree.sanity_check();
        for root in trace.tree.roots() {
            critical_path(arena.spans(), &trace.tree, root);
        }
    }
    for span in arena.spans() {
        let _ = span_attributes(arena, span.attributes);
    }
    // Token counts and costs summed over traces and subtrees, as the page's lists and filters do.
    for trace in traces.all() {
        let _ = trace.summary.cost(arena, &prices);
    }
    for project in traces.overview().projects {
        let _ = project_stats::project_stats(arena, &traces, arena.str(project.name), &prices);
    }
    for expression in ["cumulative_token_count.total > 0", "cumulative_cost > 0"] {
        let filter = Filter::parse(expression).unwrap_or_else(|e| panic!("{expression}: {e}"));
        let _ = filter.matching_spans(arena, &traces, &prices);
    }
    let all: Vec<u32> = (0..stored as u32).collect();
    for target in [
        Target::OtlpJson,
        Target::OtlpProto,
        Target::PhoenixJsonLines,
    ] {
        let bytes = export::encode(arena, &all, target);
        let mut again = Arena::default();
        let report = ingest::load(&mut again, "again", &bytes);
        assert_eq!(
            report.spans, stored,
            "{what}: exported as {target:?} and read back"
        );
    }
}

#[test]
fn every_regression_input_is_read_without_panic() {
    let dir = format!("{}/tests/fuzz_regressions", env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let bytes = std::fs::read(entry.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut arena = Arena::default();
        let report = ingest::load(&mut arena, &name, &bytes);
        check(&arena, &report, &name);
        for format in Format::ALL {
            let mut arena = Arena::default();
            let report = ingest::load_as(&mut arena, &name, &bytes, format);
            check(&arena, &report, &format!("{name} as {format:?}"));
        }
        // Streamed, cut anywhere and sniffed early, it comes to the same.
        for (cut, sniff) in [(1, 1), (3, 4), (64, 16)] {
            let mut streamed = Arena::default();
            let mut stream =
                ingest::FileStream::new(&streamed, &name, Some(bytes.len() as u64)).sniffing(sniff);
            for piece in bytes.chunks(cut) {
                stream.feed(&mut streamed, piece, &mut |_| {});
            }
            let got = stream.finish(&mut streamed, &mut |_| {});
            assert_eq!(
                got, report,
                "{name} streamed in cuts of {cut}, sniffed after {sniff}"
            );
        }
        count += 1;
    }
    assert!(count >= 12, "the regression inputs are there ({count})");
}

#[test]
fn hostile_inputs_get_clear_errors() {
    let read = |name: &str| {
        let bytes = std::fs::read(format!(
            "{}/tests/fuzz_regressions/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap_or_default();
        let mut arena = Arena::default();
        ingest::load(&mut arena, name, &bytes)
    };
    let deep = read("deep-kvlist.otlp.json");
    assert!(
        deep.errors[0].to_string().contains("recursion limit"),
        "{:?}",
        deep.errors
    );
    let crlf = read("crlf.jsonl");
    assert_eq!((crlf.spans, crlf.errors.len()), (2, 1), "{:?}", crlf.errors);
    assert_eq!(crlf.errors[0].place.line, Some(3));
    let layers = read("four-layers.json.gz");
    assert!(
        layers.errors[0]
            .to_string()
            .contains("layers of compression")
    );
    let huge = read("huge-length.pb");
    assert_eq!(huge.errors[0].place.byte_offset, Some(0));
    let keys = read("hostile-keys.otlp.json");
    assert_eq!(keys.spans, 1);
    // A GenAI span of every wrong shape still loads; what it means is what could be read.
    let genai = read("genai-hostile.otlp.json");
    assert_eq!(
        (genai.spans, genai.errors.len()),
        (1, 0),
        "{:?}",
        genai.errors
    );
    let logs = read("logs-hostile.otlp.json");
    assert!(logs.logs >= 2 || !logs.errors.is_empty(), "{logs:?}");
    let truncated = read("logs-truncated.pb");
    assert_eq!(truncated.format, Some(Format::OtlpLogsProto));
    assert!(!truncated.errors.is_empty(), "cut short is said");
    // A price table of the wrong shape is placed by line and column.
    let shape = read("prices-bad-date.json");
    assert_eq!(
        (shape.errors[0].place.line, shape.errors[0].place.column),
        (Some(1), Some(13)),
        "{:?}",
        shape.errors
    );
    let mut arena = Arena::default();
    let date = ingest::load(
        &mut arena,
        "p.json",
        br#"{"models": [{"id": "a", "input": 1}, {"id": "b", "input": 1, "from": "May"}]}"#,
    );
    assert_eq!(date.errors[0].place.json_path.as_deref(), Some("models[1]"));
    assert!(
        date.errors[0]
            .to_string()
            .contains("is not a YYYY-MM-DD date")
    );
    assert!(read("prices-huge.json").prices.is_some());
}
