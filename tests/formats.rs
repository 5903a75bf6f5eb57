//! Jaeger and Zipkin, and the many ways a file can be bad.

mod common;

use common::fixture;
use plume::analysis::Traces;
use plume::attributes::{Value, flat_map, span_attributes};
use plume::ingest::{self, Codec, Problem};
use plume::model::{Arena, Format, OiKind, SpanKind, StatusCode};
use plume::semantics::Prices;

fn span<'a>(arena: &'a Arena, name: &str) -> &'a plume::model::Span {
    arena
        .spans()
        .iter()
        .find(|s| arena.str(s.name) == name)
        .unwrap_or_else(|| panic!("no span {name}"))
}

fn attribute(arena: &Arena, span: &plume::model::Span, path: &str) -> serde_json::Value {
    let map = span_attributes(arena, span.attributes);
    serde_json::to_value(map.get_path(path).cloned().unwrap_or_default()).unwrap_or_default()
}

#[test]
fn zipkin_from_the_opentelemetry_python_exporter() {
    let mut arena = Arena::default();
    let report = ingest::load(
        &mut arena,
        "zipkin-python.json",
        &fixture("generated/zipkin-python.json"),
    );
    assert!(report.is_ok(), "{:?}", report.errors);
    assert_eq!(report.format, Some(Format::ZipkinJson));
    assert_eq!(report.spans, 3);
    let traces = Traces::assemble(&arena);
    let trace = &traces.all()[0];
    assert_eq!(trace.tree.depth, [0, 1, 1]);
    assert_eq!(
        arena.str(trace.summary.project),
        "zipkin-demo",
        "resource tags went back to the resource"
    );

    let root = span(&arena, "handle_request");
    assert_eq!(root.kind, SpanKind::Server);
    assert_eq!(root.oi_kind, OiKind::Chain);
    let llm = span(&arena, "llm_call");
    assert_eq!(llm.kind, SpanKind::Client);
    assert_eq!(
        attribute(&arena, llm, "llm.input_messages"),
        serde_json::json!([{"message": {"role": "user", "content": "hi"}}])
    );
    assert!(
        attribute(&arena, llm, "telemetry.sdk.name").is_null(),
        "resource tags are not span attributes"
    );
    let event = &arena.events(llm.events)[0];
    assert_eq!(arena.str(event.name), "first token");
    assert_eq!(
        flat_map(&arena, event.attributes).get("delay.ms"),
        Some(&Value::Double(12.5))
    );
    assert_eq!(llm.duration_nanos(), 2_104_000);

    let tool = span(&arena, "tool");
    assert_eq!(tool.kind, SpanKind::Internal, "no kind is a local span");
    assert_eq!(tool.status_code, StatusCode::Error);
    assert_eq!(arena.str(tool.status_message), "tool failed");
    let exception = &arena.events(tool.events)[0];
    assert_eq!(arena.str(exception.name), "exception");
    assert_eq!(
        flat_map(&arena, exception.attributes)
            .get("exception.type")
            .and_then(Value::as_str),
        Some("ValueError")
    );
    let scope = arena
        .scope(tool.scope)
        .map(|s| (arena.str(s.name), arena.str(s.version)));
    assert_eq!(scope, Some(("zipkin.demo.app", "1.0.0")));
    assert_eq!(
        trace.summary.usage.total(),
        Some(42),
        "token counts written as strings still count"
    );
}

#[test]
fn jaeger_ui_download() {
    let mut arena = Arena::default();
    let report = ingest::load(
        &mut arena,
        "jaeger.json",
        &fixture("generated/jaeger-ui-download.json"),
    );
    assert!(report.is_ok(), "{:?}", report.errors);
    assert_eq!(report.format, Some(Format::JaegerJson));
    let traces = Traces::assemble(&arena);
    let trace = &traces.all()[0];
    assert_eq!(trace.tree.depth, [0, 1, 1]);
    assert_eq!(arena.str(trace.summary.project), "travel");

    let llm = span(&arena, "llm.chat");
    assert_eq!((llm.kind, llm.oi_kind), (SpanKind::Client, OiKind::Llm));
    assert_eq!(llm.start_unix_nanos, 1_795_842_500_010_000_000);
    assert_eq!(llm.duration_nanos(), 60_000_000);
    assert_eq!(
        attribute(&arena, llm, "llm.token_count.completion"),
        48,
        "int64 written as a string"
    );
    assert_eq!(
        attribute(&arena, llm, "llm.invocation_parameters"),
        serde_json::json!({"temperature": 0.7})
    );
    assert_eq!(attribute(&arena, llm, "sampled"), true);
    assert_eq!(attribute(&arena, llm, "ratio"), 0.25);
    assert_eq!(
        arena.str(arena.events(llm.events)[0].name),
        "First Token Stream Event"
    );
    assert_eq!(
        arena.scope(llm.scope).map(|s| arena.str(s.name)),
        Some("openinference.instrumentation.openai")
    );

    let tool = span(&arena, "tool.search");
    assert_eq!(tool.status_code, StatusCode::Error);
    assert_eq!(arena.str(tool.status_message), "search backend timed out");
    assert_eq!(arena.links(tool.links).len(), 1, "FOLLOWS_FROM is a link");
    assert_eq!(arena.links(tool.links)[0].span_id, llm.span_id);
    let service = arena
        .resource(tool.resource)
        .and_then(|r| flat_map(&arena, r.attributes).get("service.name").cloned());
    assert_eq!(service, Some(Value::from("search-service")));
    assert_eq!(trace.summary.error_count, 1);
}

fn load_one(name: &str, bytes: &[u8]) -> (Arena, ingest::FileReport) {
    let mut arena = Arena::default();
    let report = ingest::load(&mut arena, name, bytes);
    (arena, report)
}

#[test]
fn a_bad_jsonl_line_is_named_and_the_others_load() {
    let good = fixture("collector-file-exporter.jsonl");
    let text = String::from_utf8(good).unwrap_or_default();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(
        2,
        r#"{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz"}]}]}]}"#,
    );
    lines.insert(4, "{not json");
    let (arena, report) = load_one("batch.jsonl", lines.join("\n").as_bytes());
    assert_eq!(report.spans, 38, "every good line loaded");
    assert_eq!(arena.spans().len(), 38);
    let places: Vec<(Option<u64>, Option<String>)> = report
        .errors
        .iter()
        .map(|e| (e.place.line, e.place.json_path.clone()))
        .collect();
    assert_eq!(
        places,
        [
            (
                Some(3),
                Some("resourceSpans[0].scopeSpans[0].spans[0].traceId".to_owned())
            ),
            (Some(5), None),
        ]
    );
    assert!(
        report.errors[0]
            .to_string()
            .starts_with("batch.jsonl: line 3, column "),
        "{}",
        report.errors[0]
    );
}

#[test]
fn a_broken_file_loses_nothing_already_loaded() {
    let mut arena = Arena::default();
    let first = ingest::load(
        &mut arena,
        "openai-01.otlp.pb",
        &fixture("openai-01.otlp.pb"),
    );
    assert_eq!(first.spans, 4);
    let before = (
        arena.spans().len(),
        arena.resources().len(),
        arena.sources().len(),
    );
    let json = fixture("node-01.otlp.json");
    let truncated = &json[..json.len() / 2];
    let broken = ingest::load(&mut arena, "cut.json", truncated);
    assert_eq!(broken.spans, 0);
    assert_eq!(broken.errors.len(), 1);
    let error = &broken.errors[0];
    assert_eq!(error.file, "cut.json");
    assert!(
        error.place.line.is_some() && error.place.column.is_some(),
        "{error}"
    );
    assert!(matches!(error.problem, Problem::Json(_)));
    assert_eq!(
        (
            arena.spans().len(),
            arena.resources().len(),
            arena.sources().len()
        ),
        before
    );
    let third = ingest::load(&mut arena, "node-01.otlp.pb", &fixture("node-01.otlp.pb"));
    assert_eq!(third.spans, 6);
}

#[test]
fn unrecognised_and_empty_files_say_so() {
    let (_, empty) = load_one("empty.json", b"");
    assert_eq!(empty.errors[0].problem, Problem::Empty);
    let (_, other) = load_one("config.json", br#"{"name": "my-app", "version": 2}"#);
    assert_eq!(
        other.errors[0].to_string(),
        "config.json: not a trace format Plume reads (JSON: keys name, version)"
    );
    let (_, text) = load_one("notes.txt", b"hello, these are not traces");
    assert!(
        matches!(
            text.errors[0].problem,
            Problem::Protobuf(_) | Problem::NotRecognized(_)
        ),
        "{:?}",
        text.errors
    );
    // A picture named like a trace file is named for what it is, compressed or not.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    let (_, picture) = load_one("trace.json", png);
    assert_eq!(
        (picture.format, picture.errors[0].to_string()),
        (
            None,
            "trace.json: this is a PNG image, not a trace file".to_owned()
        )
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, png).unwrap_or_default();
    let (_, zipped) = load_one("trace.json.gz", &gz.finish().unwrap_or_default());
    assert_eq!(zipped.errors[0].problem, Problem::NotTraces("a PNG image"));
    let (_, nothing) = load_one("empty-request.json", br#"{"resourceSpans": []}"#);
    assert!(nothing.is_ok());
    assert!(matches!(nothing.warnings[0].problem, Problem::NoSpans(_)));
}

#[test]
fn a_span_without_ids_is_reported_and_its_siblings_load() {
    let json = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[
        {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"387344f283d647b6","name":"ok"},
        {"traceId":"","spanId":"387344f283d647b7","name":"no trace id"}]}]}]}"#;
    let (arena, report) = load_one("partial.json", json);
    assert_eq!(report.spans, 1);
    assert_eq!(arena.spans().len(), 1);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(
        report.errors[0].place.json_path.as_deref(),
        Some("resourceSpans[0].scopeSpans[0].spans[1]")
    );
}

#[test]
fn framed_protobuf_reports_a_bad_frame_at_its_offset() {
    let body = fixture("openai-01.otlp.pb");
    let mut framed = Vec::new();
    for frame in [&body[..], &[0x0a, 0xff, 0xff][..], &body[..]] {
        framed.extend_from_slice(&(frame.len() as u32).to_be_bytes());
        framed.extend_from_slice(frame);
    }
    let (arena, report) = load_one("traces.binpb", &framed);
    assert_eq!(report.format, Some(Format::OtlpProtoFramed));
    assert_eq!(report.spans, 8);
    assert_eq!(arena.spans().len(), 8);
    assert_eq!(report.errors.len(), 1);
    // The fault is at the first byte of the second frame's message.
    assert_eq!(
        report.errors[0].place.byte_offset,
        Some(4 + body.len() as u64 + 4)
    );
}

#[test]
fn gzip_and_zstd_are_undone() {
    use std::io::Write;
    let json = fixture("node-01.otlp.json");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json).unwrap_or_default();
    let gz = gz.finish().unwrap_or_default();
    let (_, report) = load_one("node.json.gz", &gz);
    assert_eq!(
        (report.compression.clone(), report.spans),
        (vec![Codec::Gzip], 6)
    );
    let cut = &gz[..gz.len() - 20];
    let (arena, report) = load_one("cut.json.gz", cut);
    assert!(
        matches!(
            report.errors[0].problem,
            Problem::Decompress { codec: "gzip", .. }
        ),
        "{:?}",
        report.errors
    );
    assert!(arena.spans().is_empty());
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap_or_default();
    encoder.finish().unwrap_or_default()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

const CHATBOT_DATASET: &str =
    "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet";

const CHATBOT_EVALUATIONS: &str =
    "phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet";

/// In the browser, parquet, Jaeger and Zipkin files are read in two workers: a helper reads
/// them and sends what it read as bytes, the engine stores it. Both halves together read a file
/// as one reading does.
#[test]
fn files_read_by_the_helper_read_as_the_file_itself() {
    let mut whole = Arena::default();
    let mut halves = Arena::default();
    // `load_here` reads as the two workers do: the helper's answer encoded, decoded, stored.
    let through_helper = |arena: &mut Arena, name: &str, bytes: &[u8]| {
        let helped = ingest::Helped::of(bytes.to_vec()).expect("the helper reads it");
        assert!(helped.format.is_some(), "{name}: a format the helper reads");
        ingest::load_here(arena, name, bytes.to_vec())
    };
    let shown = |errors: &[ingest::IngestError]| -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    };
    let files = [
        CHATBOT_DATASET,
        CHATBOT_EVALUATIONS,
        "generated/jaeger-ui-download.json",
        "generated/jaeger-trace-alone.json",
        "generated/zipkin-python.json",
        "generated/zipkin-python.pb",
    ];
    for name in files {
        let bytes = fixture(name);
        let expected = ingest::load(&mut whole, name, &bytes);
        let report = through_helper(&mut halves, name, &bytes);
        assert_eq!(
            (
                report.format,
                report.spans,
                report.evaluations,
                shown(&report.warnings)
            ),
            (
                expected.format,
                expected.spans,
                expected.evaluations,
                shown(&expected.warnings)
            ),
            "{name}"
        );
        assert_eq!(shown(&report.errors), shown(&expected.errors), "{name}");
        assert!(report.spans + report.evaluations > 0, "{report:?}");
    }
    assert!(ingest::helped(&fixture("openai-01.otlp.pb")).is_none());
    // Compressed, Jaeger and Zipkin are expanded for the helper (parquet is not: it compresses
    // its own pages, and the browser refuses it compressed).
    for (name, compressed) in [
        (
            "generated/zipkin-python.json",
            gzip(&fixture("generated/zipkin-python.json")),
        ),
        (
            "generated/jaeger-ui-download.json",
            zstd(&fixture("generated/jaeger-ui-download.json")),
        ),
    ] {
        let expected = ingest::load(&mut Arena::default(), name, &compressed);
        let report = through_helper(&mut Arena::default(), name, &compressed);
        assert_eq!(
            (report.format, report.spans, report.compression.clone()),
            (expected.format, expected.spans, expected.compression),
            "{name}"
        );
        assert!(
            report.spans > 0 && !report.compression.is_empty(),
            "{report:?}"
        );
    }
    assert!(ingest::Helped::of(gzip(&fixture(CHATBOT_DATASET))).is_err());
    assert!(ingest::Helped::of(gzip(&fixture("openai-01.otlp.pb"))).is_err());
    let all: Vec<u32> = (0..whole.spans().len() as u32).collect();
    assert_eq!(
        plume::export::encode(&halves, &all, plume::export::Target::PhoenixJsonLines),
        plume::export::encode(&whole, &all, plume::export::Target::PhoenixJsonLines)
    );
    assert_eq!(halves.evaluations().len(), whole.evaluations().len());
    assert!(!halves.evaluations().is_empty());

    // A broken file's problem crosses over with its place.
    for (name, cut) in [
        (CHATBOT_DATASET, 2),
        ("generated/jaeger-ui-download.json", 3),
    ] {
        let mut broken = fixture(name);
        broken.truncate(broken.len() / cut);
        let expected = ingest::load(&mut Arena::default(), name, &broken);
        let report = through_helper(&mut Arena::default(), name, &broken);
        assert_eq!(shown(&report.errors), shown(&expected.errors), "{name}");
        assert!(!report.is_ok(), "{name}");
    }
}

/// (span id, kind) of the chatbot-demo spans.
fn chatbot_spans(arena: &Arena) -> Vec<(String, OiKind)> {
    arena
        .spans()
        .iter()
        .map(|s| (s.span_id.to_string(), s.oi_kind))
        .collect()
}

#[test]
fn evaluations_as_json_lines_and_csv_attach_to_their_spans() {
    use plume::analysis::filter::Filter;
    use plume::model::EvalTarget;

    let mut arena = Arena::default();
    assert!(ingest::load(&mut arena, "dataset.parquet", &fixture(CHATBOT_DATASET)).is_ok());
    let llm: Vec<String> = chatbot_spans(&arena)
        .into_iter()
        .filter(|(_, kind)| *kind == OiKind::Llm)
        .map(|(id, _)| id)
        .collect();
    // JSON Lines named by a column; `context.span_id` or `span_id`; a document evaluation.
    let jsonl = format!(
        "{{\"context.span_id\":\"{}\",\"name\":\"helpfulness\",\"score\":0.9,\"label\":\"helpful\",\"explanation\":\"clear <b>answer</b>\"}}\n\
         {{\"span_id\":\"{}\",\"name\":\"helpfulness\",\"score\":0.1,\"label\":\"unhelpful\"}}\n\
         {{\"span_id\":\"{}\",\"name\":\"relevance\",\"document_position\":1,\"score\":1}}\n",
        llm[0], llm[1], llm[2]
    );
    let report = ingest::load(&mut arena, "helpfulness.jsonl", jsonl.as_bytes());
    assert!(report.is_ok(), "{:?}", report.errors);
    assert_eq!(report.format, Some(Format::EvaluationsJsonLines));
    assert_eq!(report.evaluations, 3);
    // CSV named after the file, with a quoted field holding a comma and a line break.
    let csv = format!(
        "span_id,score,label,explanation\n{},1,correct,\"fine, \"\"really\"\"\nfine\"\n{},0,incorrect,\n",
        llm[3], llm[4]
    );
    let report = ingest::load(&mut arena, "evals/correctness.csv", csv.as_bytes());
    assert!(report.is_ok(), "{:?}", report.errors);
    assert_eq!(report.format, Some(Format::EvaluationsCsv));
    assert_eq!(report.evaluations, 2);

    let traces = Traces::assemble(&arena);
    let ids = |expression: &str| -> Vec<String> {
        let filter = Filter::parse(expression).unwrap();
        filter
            .matching_spans(&arena, &traces, &Prices::builtin())
            .into_iter()
            .map(|i| arena.spans()[i as usize].span_id.to_string())
            .collect()
    };
    assert_eq!(
        ids("evals['helpfulness'].label == 'helpful'"),
        [llm[0].clone()]
    );
    assert_eq!(ids("evals['helpfulness'].score < 0.5"), [llm[1].clone()]);
    assert_eq!(ids("evals['correctness'].score == 1"), [llm[3].clone()]);
    assert_eq!(
        ids("'really' in evals['correctness'].explanation"),
        [llm[3].clone()]
    );
    // Document evaluations are not span evaluations (as in Phoenix).
    assert!(ids("evals['relevance']").is_empty());
    assert!(
        arena
            .evaluations()
            .iter()
            .any(|e| matches!(e.target, EvalTarget::Document(_, 1)))
    );
}

#[test]
fn a_bad_evaluation_row_is_named_by_its_line_and_the_others_load() {
    let mut arena = Arena::default();
    let jsonl = b"{\"span_id\":\"00000000000000a1\",\"score\":1}\n{\"span_id\":\"xyz\",\"score\":2}\n{\"span_id\":\n{\"label\":\"x\",\"score\":3}\n";
    let report = ingest::load(&mut arena, "scores.jsonl", jsonl);
    assert_eq!(report.format, Some(Format::EvaluationsJsonLines));
    assert_eq!(report.evaluations, 1);
    let lines: Vec<Option<u64>> = report.errors.iter().map(|e| e.place.line).collect();
    assert_eq!(lines, [Some(2), Some(3), Some(4)], "{:?}", report.errors);
    assert!(
        report.errors[2].to_string().contains("without a span_id"),
        "{}",
        report.errors[2]
    );

    let csv = b"context.span_id,score\n00000000000000a1,0.5\n00000000000000a2\n";
    let report = ingest::load(&mut arena, "scores.csv", csv);
    assert_eq!(report.format, Some(Format::EvaluationsCsv));
    assert_eq!(report.evaluations, 1);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].place.line, Some(3));
    assert!(
        report.errors[0]
            .to_string()
            .contains("1 fields where the header names 2")
    );
}

#[test]
fn phoenix_otlpv1_page_reads_as_the_spans_phoenix_was_sent() {
    let mut arena = Arena::default();
    let report = ingest::load(
        &mut arena,
        "phoenix-otlpv1.json",
        &fixture("generated/phoenix-otlpv1.json"),
    );
    assert!(report.is_ok(), "{:?}", report.errors);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.format, Some(Format::PhoenixOtlpJson));
    assert_eq!(report.spans, 4);
    let traces = Traces::assemble(&arena);
    let trace = &traces.all()[0];
    assert_eq!(trace.tree.depth, [0, 1, 1, 1]);
    assert_eq!(
        arena.str(trace.summary.project),
        "default",
        "the page has no resource"
    );

    let root = span(&arena, "chat_turn");
    assert_eq!(root.span_id.to_string(), "f4067ff1516df620");
    assert_eq!(root.parent_span_id, None);
    assert_eq!(
        (root.kind, root.oi_kind),
        (SpanKind::Internal, OiKind::Chain)
    );
    assert_eq!(root.start_unix_nanos, 1_795_842_428_092_102_912);
    assert_eq!(root.end_unix_nanos, 1_795_842_428_212_363_008);
    assert_eq!(attribute(&arena, root, "metadata.tenant"), 42);
    assert_eq!(
        attribute(&arena, root, "tag.tags"),
        serde_json::json!(["demo", "chat", "streaming"])
    );
    let embedding = span(&arena, "CreateEmbeddings");
    assert_eq!(embedding.parent_span_id, Some(root.span_id));
    assert_eq!(embedding.status_code, StatusCode::Ok);

    let streamed = arena
        .spans()
        .iter()
        .find(|s| s.span_id.to_string() == "368e2a2a62da0b9b")
        .expect("the streaming LLM span");
    assert_eq!(streamed.oi_kind, OiKind::Llm);
    assert_eq!(attribute(&arena, streamed, "llm.token_count.prompt"), 93);
    assert_eq!(
        attribute(&arena, streamed, "llm.input_messages")[3]["message"]["role"],
        "user"
    );
    let event = &arena.events(streamed.events)[0];
    assert_eq!(arena.str(event.name), "First Token Stream Event");
    assert_eq!(event.time_unix_nanos, 1_795_842_428_201_021_952);
}

#[test]
fn phoenix_otlpv1_holds_what_the_otlp_body_it_came_from_holds() {
    let mut sent = Arena::default();
    assert!(
        ingest::load(
            &mut sent,
            "openai-01.otlp.pb",
            &fixture("openai-01.otlp.pb")
        )
        .is_ok()
    );
    let mut page = Arena::default();
    let body = fixture("generated/phoenix-otlpv1.json");
    assert!(ingest::load(&mut page, "phoenix-otlpv1.json", &body).is_ok());
    assert_eq!(sent.spans().len(), page.spans().len());
    for original in sent.spans() {
        let read = page
            .spans()
            .iter()
            .find(|s| s.span_id == original.span_id)
            .unwrap_or_else(|| panic!("span {} is on the page", original.span_id));
        assert_eq!(read.trace_id, original.trace_id);
        assert_eq!(read.parent_span_id, original.parent_span_id);
        assert_eq!(page.str(read.name), sent.str(original.name));
        assert_eq!(read.oi_kind, original.oi_kind);
        // Phoenix keeps times as datetimes and writes them back through a float: within 1 µs.
        assert!(read.start_unix_nanos.abs_diff(original.start_unix_nanos) < 1_000);
        assert!(read.end_unix_nanos.abs_diff(original.end_unix_nanos) < 1_000);
        assert_eq!(
            span_attributes(&page, read.attributes),
            span_attributes(&sent, original.attributes),
            "attributes of {}",
            original.span_id
        );
    }
}

#[test]
fn jaeger_trace_alone_with_short_ids_and_warnings() {
    let mut arena = Arena::default();
    let report = ingest::load(
        &mut arena,
        "trace.json",
        &fixture("generated/jaeger-trace-alone.json"),
    );
    assert!(report.is_ok(), "{:?}", report.errors);
    assert_eq!(report.format, Some(Format::JaegerJson));
    assert_eq!(report.spans, 3);
    let traces = Traces::assemble(&arena);
    let trace = &traces.all()[0];
    assert_eq!(trace.tree.depth, [0, 1, 2]);
    assert_eq!(arena.str(trace.summary.project), "gateway");

    let root = span(&arena, "POST /chat");
    assert_eq!(
        root.trace_id.to_string(),
        "00000000000000000000000000007b3f",
        "a trace id without its leading zeros is padded"
    );
    assert_eq!(root.span_id.to_string(), "0000000000000001");
    assert_eq!((root.kind, root.oi_kind), (SpanKind::Server, OiKind::Chain));
    assert!(attribute(&arena, root, "jaeger.warnings").is_null());
    let llm = span(&arena, "llm.chat");
    assert_eq!(
        llm.parent_span_id,
        Some(root.span_id),
        "a short reference id"
    );
    assert_eq!(llm.start_unix_nanos, 1_795_842_600_010_000_000);
    assert_eq!(llm.duration_nanos(), 200_000_000);
    assert_eq!(
        attribute(&arena, llm, "jaeger.warnings"),
        serde_json::json!([
            "clock skew adjustment disabled; not applying calculated delta of -1.5ms"
        ])
    );
    let tool = span(&arena, "tool.lookup");
    assert_eq!(
        tool.parent_span_id,
        Some(llm.span_id),
        "a short parentSpanID"
    );
    assert_eq!(tool.status_code, StatusCode::Error);
    assert_eq!(
        attribute(&arena, tool, "jaeger.warnings")
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let warned: Vec<(Option<&str>, String)> = report
        .warnings
        .iter()
        .map(|w| (w.place.json_path.as_deref(), w.problem.to_string()))
        .collect();
    assert_eq!(
        warned,
        [
            (
                Some("warnings"),
                "Jaeger warns: this trace: trace has spans from 2 services with clock skew"
                    .to_owned()
            ),
            (
                Some("spans[1].warnings"),
                "Jaeger warns: this span: clock skew adjustment disabled; not applying calculated delta of -1.5ms"
                    .to_owned()
            ),
            (
                Some("spans[2].warnings"),
                "Jaeger warns: this span: invalid parent span IDs=00000000000000ff; skipping clock skew adjustment; a second warning"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn jaeger_traces_in_data_in_an_array_and_alone_read_alike() {
    let alone = fixture("generated/jaeger-trace-alone.json");
    let alone = String::from_utf8(alone).unwrap_or_default();
    for (name, text) in [
        ("data", format!(r#"{{"data": [{alone}], "total": 1}}"#)),
        ("array", format!("[{alone}]")),
    ] {
        let (arena, report) = load_one(name, text.as_bytes());
        assert!(report.is_ok(), "{name}: {:?}", report.errors);
        assert_eq!(report.format, Some(Format::JaegerJson), "{name}");
        assert_eq!(arena.spans().len(), 3, "{name}");
        let prefix = if name == "data" { "data[0]." } else { "[0]." };
        assert_eq!(
            report.warnings[1].place.json_path,
            Some(format!("{prefix}spans[1].warnings")),
            "{name}"
        );
    }
}

#[test]
fn jaeger_span_warnings_past_ten_are_counted_not_listed() {
    let spans: Vec<String> = (1..=13)
        .map(|n| {
            format!(
                r#"{{"traceID": "1", "spanID": "{n:x}", "operationName": "op", "startTime": 1, "duration": 1, "warnings": ["skew"]}}"#
            )
        })
        .collect();
    let text = format!(r#"{{"traceID": "1", "spans": [{}]}}"#, spans.join(","));
    let (arena, report) = load_one("many.json", text.as_bytes());
    assert_eq!(arena.spans().len(), 13);
    assert_eq!(report.warnings.len(), 11, "{:?}", report.warnings);
    assert_eq!(
        report.warnings[10].to_string(),
        "many.json: Jaeger warns: 3 more spans carry warnings; each shows them as its attribute jaeger.warnings"
    );
}

#[test]
fn bad_jaeger_ids_are_placed_and_their_trace_siblings_load() {
    let text = r#"{"traceID": "1", "spans": [
        {"traceID": "1", "spanID": "2", "operationName": "ok"},
        {"traceID": "1", "spanID": "12345678901234567", "operationName": "too long"},
        {"traceID": "xyz", "spanID": "3", "operationName": "not hex"},
        {"traceID": "1", "spanID": "4", "references": [{"refType": "CHILD_OF", "traceID": "1", "spanID": ""}]}
    ]}"#;
    let (arena, report) = load_one("bad-ids.json", text.as_bytes());
    assert_eq!(arena.spans().len(), 1);
    let places: Vec<Option<&str>> = report
        .errors
        .iter()
        .map(|e| e.place.json_path.as_deref())
        .collect();
    assert_eq!(
        places,
        [Some("spans[1]"), Some("spans[2]"), Some("spans[3]")]
    );
    assert!(
        report.errors[0].to_string().contains("spanID"),
        "{}",
        report.errors[0]
    );
    let (_, broken) = load_one("cut.json", br#"{"traceID": "1", "spans": [{"traceID": "#);
    assert!(matches!(broken.errors[0].problem, Problem::Json(_)));
    assert!(broken.errors[0].place.line.is_some());
}

#[test]
fn zipkin_protobuf_from_the_opentelemetry_python_exporter() {
    let mut arena = Arena::default();
    let report = ingest::load(
        &mut arena,
        "zipkin-python.pb",
        &fixture("generated/zipkin-python.pb"),
    );
    assert!(report.is_ok(), "{:?}", report.errors);
    assert_eq!(report.format, Some(Format::ZipkinProto));
    assert_eq!(report.spans, 3);
    let traces = Traces::assemble(&arena);
    let trace = &traces.all()[0];
    assert_eq!(trace.tree.depth, [0, 1, 1]);
    assert_eq!(arena.str(trace.summary.project), "zipkin-demo");

    let root = span(&arena, "handle_request");
    assert_eq!(
        root.trace_id.to_string(),
        "6f92930e2062076ee1f8d9e2bdf35be1"
    );
    assert_eq!(root.span_id.to_string(), "26870c9a5fd1118c");
    assert_eq!(root.parent_span_id, None);
    assert_eq!((root.kind, root.oi_kind), (SpanKind::Server, OiKind::Chain));
    assert_eq!(root.start_unix_nanos, 1_796_178_126_311_487_000);
    assert_eq!(root.duration_nanos(), 3_037_000);
    let llm = span(&arena, "llm_call");
    assert_eq!(llm.span_id.to_string(), "908896caada2554a");
    assert_eq!(llm.parent_span_id, Some(root.span_id));
    assert_eq!((llm.kind, llm.oi_kind), (SpanKind::Client, OiKind::Llm));
    assert_eq!(
        attribute(&arena, llm, "llm.token_count.prompt"),
        "12",
        "Zipkin tags are strings"
    );
    assert_eq!(trace.summary.usage.total(), Some(42));
    let event = &arena.events(llm.events)[0];
    assert_eq!(arena.str(event.name), "first token");
    assert_eq!(event.time_unix_nanos, 1_796_178_126_311_604_000);
    assert_eq!(
        flat_map(&arena, event.attributes).get("delay.ms"),
        Some(&Value::Double(12.5))
    );
    let tool = span(&arena, "tool");
    assert_eq!(tool.parent_span_id, Some(root.span_id));
    assert_eq!(tool.kind, SpanKind::Internal, "kind 0 is a local span");
    assert_eq!(tool.status_code, StatusCode::Error);
    assert_eq!(arena.str(tool.status_message), "tool failed");
    assert_eq!(arena.str(arena.events(tool.events)[0].name), "exception");
    let scope = arena
        .scope(tool.scope)
        .map(|s| (arena.str(s.name), arena.str(s.version)));
    assert_eq!(scope, Some(("zipkin.demo.app", "1.0.0")));
}

/// A span with what makes it the same whatever its encoding: not its ids or times.
fn meaning(arena: &Arena, span: &plume::model::Span) -> serde_json::Value {
    let events: Vec<serde_json::Value> = arena
        .events(span.events)
        .iter()
        .map(|e| {
            let attributes = flat_map(arena, e.attributes);
            let attributes: Vec<(String, Value)> = attributes
                .iter()
                .filter(|(key, _)| !key.starts_with("exception.stacktrace"))
                .map(|(key, value)| (key.to_owned(), value.clone()))
                .collect();
            serde_json::json!([arena.str(e.name), format!("{attributes:?}")])
        })
        .collect();
    // Not `service.instance.id`: each run of the program has its own.
    let resource: Vec<(String, Value)> = arena
        .resource(span.resource)
        .map(|r| flat_map(arena, r.attributes))
        .unwrap_or_default()
        .iter()
        .filter(|(key, _)| *key != "service.instance.id")
        .map(|(key, value)| (key.to_owned(), value.clone()))
        .collect();
    let resource = format!("{resource:?}");
    serde_json::json!({
        "name": arena.str(span.name),
        "kind": format!("{:?}", span.kind),
        "status": [format!("{:?}", span.status_code), arena.str(span.status_message)],
        "root": span.parent_span_id.is_none(),
        "attributes": span_attributes(arena, span.attributes),
        "events": events,
        "resource": resource,
        "scope": arena.scope(span.scope).map(|s| (arena.str(s.name), arena.str(s.version))),
    })
}

#[test]
fn zipkin_json_and_protobuf_from_one_program_mean_the_same() {
    let (json, report) = load_one("z.json", &fixture("generated/zipkin-python.json"));
    assert!(report.is_ok());
    let (proto, report) = load_one("z.pb", &fixture("generated/zipkin-python.pb"));
    assert!(report.is_ok());
    for name in ["handle_request", "llm_call", "tool"] {
        assert_eq!(
            meaning(&json, span(&json, name)),
            meaning(&proto, span(&proto, name)),
            "{name}"
        );
    }
}

#[test]
fn protobuf_fixtures_are_told_apart_by_their_first_message() {
    use plume::ingest::{Detected, sniff};
    for (path, format) in [
        ("openai-01.otlp.pb", Format::OtlpProto),
        ("openai-03.otlp.pb", Format::OtlpProto),
        ("langchain-01.otlp.pb", Format::OtlpProto),
        ("node-01.otlp.pb", Format::OtlpProto),
        ("generated/zipkin-python.pb", Format::ZipkinProto),
    ] {
        assert_eq!(sniff(&fixture(path)), Detected::Format(format), "{path}");
    }
}

#[test]
fn broken_zipkin_protobuf_is_placed_and_does_not_panic() {
    let body = fixture("generated/zipkin-python.pb");
    // Cut in the last span: the first two load, the cut is named at the third's offset.
    let (arena, report) = load_one("cut.pb", &body[..body.len() - 10]);
    assert_eq!(report.format, Some(Format::ZipkinProto));
    assert_eq!(arena.spans().len(), 2);
    assert_eq!(report.errors.len(), 1);
    let offset = report.errors[0].place.byte_offset.unwrap_or_default();
    assert!(offset > 0 && offset < body.len() as u64 - 10);
    assert!(
        report.errors[0].to_string().starts_with(&format!(
            "cut.pb: byte {offset}: invalid protobuf: Zipkin ListOfSpans: field 1 needs"
        )),
        "{}",
        report.errors[0]
    );
    // Garbage inside every span, from their start on: each is named, none panics.
    for at in 0..body.len() {
        let mut broken = body.clone();
        broken[at] ^= 0xA5;
        let (arena, report) = load_one("flipped.pb", &broken);
        assert_eq!(arena.spans().len(), report.spans);
        if report.spans < 3 {
            assert!(
                !report.errors.is_empty(),
                "a byte flipped at {at} lost spans silently"
            );
        }
    }
}
