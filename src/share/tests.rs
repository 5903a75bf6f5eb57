use super::*;
use crate::model::{EvalTarget, Evaluation, SourceId};
use crate::testutil::{TestSpan, TestValue, fixture, push, span_id};

/// What a share file's page would load from `shared`, read into an arena.
fn reloaded(shared: &Shared) -> Arena {
    let mut arena = Arena::default();
    for file in &shared.files {
        let report = crate::ingest::load(&mut arena, &file.name, &file.content);
        assert!(
            report.errors.is_empty(),
            "{}: {:?}",
            file.name,
            report.errors
        );
    }
    arena
}

#[test]
fn a_share_holds_the_spans_and_their_evaluations_as_files_the_page_reads_back() {
    let mut arena = Arena::default();
    let dir = "phoenix/chatbot-demo";
    crate::ingest::load(
        &mut arena,
        "spans.jsonl",
        &fixture(&format!("{dir}/spans.jsonl")),
    );
    let evaluations = "evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet";
    crate::ingest::load(
        &mut arena,
        evaluations,
        &fixture(&format!("{dir}/{evaluations}")),
    );
    assert!(!arena.evaluations().is_empty());
    let all: Vec<u32> = (0..arena.spans().len() as u32).collect();
    let info = ShareInfo {
        title: "chatbot".into(),
        ..ShareInfo::default()
    };
    let shared = share(&arena, &all, None, info).expect("shared");
    assert_eq!(shared.info.spans, arena.spans().len());
    let traces: hashbrown::HashSet<_> = arena.spans().iter().map(|s| s.trace_id).collect();
    assert_eq!(shared.info.traces, traces.len());
    assert_eq!(shared.info.redacted, None);
    assert_eq!(shared.info.open, None, "several traces: the start page");
    let back = reloaded(&shared);
    assert_eq!(back.spans().len(), arena.spans().len());
    assert_eq!(back.evaluations().len(), arena.evaluations().len());
}

#[test]
fn a_redacted_share_holds_no_secret_of_its_spans_or_evaluations() {
    let mut arena = Arena::default();
    let planted = "ana@example.com";
    let span = push(
        &mut arena,
        TestSpan {
            name: "ask ana@example.com",
            attributes: &[(
                "input.value",
                TestValue::Str("my key is sk-proj-abcdefghijklmnopqrstuvwx"),
            )],
            ..TestSpan::default()
        },
    );
    let explanation = arena
        .intern("wrote to ana@example.com: fine")
        .expect("room");
    let name = arena.intern("review").expect("room");
    arena.push_evaluation(Evaluation {
        target: EvalTarget::Span(span_id(1)),
        name,
        score: Some(1.0),
        label: None,
        explanation: Some(explanation),
        source: SourceId::default(),
        annotator: Default::default(),
    });
    let shared = redacted_share(
        &arena,
        &[span],
        ShareInfo {
            open: Some("#/project/support?filter=user.email%20%3D%3D%20'ana%40example.com'".into()),
            ..ShareInfo::default()
        },
    );
    assert_eq!(
        shared.info.open.as_deref(),
        Some("#/project/support"),
        "no filter typed in it"
    );
    for file in &shared.files {
        let text = String::from_utf8_lossy(&file.content).into_owned();
        assert!(!text.contains(planted), "{}: {text}", file.name);
        assert!(!text.contains("sk-proj-"), "{}: {text}", file.name);
    }
    let back = reloaded(&shared);
    let evaluation = &back.evaluations()[0];
    let explanation = back.str(evaluation.explanation.expect("explanation"));
    assert_eq!(
        explanation, "wrote to [email-1]: fine",
        "the same replacement as in the span"
    );
    assert_eq!(back.str(back.spans()[0].name), "ask [email-1]");
    assert_eq!(
        shared.info.redacted.as_deref(),
        Some("secret, key, email, card, ip, phone")
    );
    let trace = back.spans()[0].trace_id.to_string();
    let info = ShareInfo::default();
    let shared = redacted_share(&arena, &[span], info);
    assert_eq!(
        shared.info.open,
        Some(Route::trace(&trace).to_fragment()),
        "one trace: it opens"
    );
}

#[test]
fn the_page_holds_what_it_says_and_no_value_can_end_its_scripts() {
    let shell = "<!doctype html><html><head><title>Plume</title></head><body><!--plume-share-->\n<script>boot</script></body></html>";
    let shared = Shared {
        info: ShareInfo {
            title: "a </script><script>alert(1)</script> & b".into(),
            by: Some("</script>".into()),
            ..ShareInfo::default()
        },
        files: vec![SharedFile {
            name: "x\"><script>.pb".into(),
            content: b"plain".to_vec(),
        }],
    };
    // What is put in the page is what it is given as the content compressed.
    let html = page(shell, &shared, &[vec![1, 2, 3]]).expect("a page");
    assert!(html.contains(
        "<title>a &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; b — Plume</title>"
    ));
    assert_eq!(html.matches("<script").count(), 3, "{html}");
    assert!(html.contains("data-name=\"x&quot;&gt;&lt;script&gt;.pb\">AQID</script>"));
    let info = html
        .split("id=\"plume-share\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next());
    let info: ShareInfo = serde_json::from_str(info.expect("info")).expect("JSON");
    assert_eq!(info, shared.info);
    assert!(html.ends_with("<script>boot</script></body></html>"));
    assert!(page("<html>no mark</html>", &shared, &[vec![1, 2, 3]]).is_err());
    assert!(page(shell, &shared, &[]).is_err(), "a file not compressed");
}

#[test]
fn a_share_file_is_named_after_its_title() {
    let mut info = ShareInfo {
        title: "ChatCompletion: why? (2 retries)".into(),
        ..ShareInfo::default()
    };
    assert_eq!(file_name(&info), "chatcompletion-why-2-retries.html");
    info.redacted = Some("email".into());
    info.title = "—".into();
    assert_eq!(file_name(&info), "shared-traces-redacted.html");
}

#[test]
fn a_share_holds_the_log_records_of_its_traces_and_redacts_them_with_the_spans() {
    let mut arena = Arena::default();
    let dir = "genai";
    for file in [
        "otelv2-latest-events-01.otlp.pb",
        "otelv2-latest-events-01.logs.otlp.pb",
    ] {
        crate::ingest::load(&mut arena, file, &fixture(&format!("{dir}/{file}")));
    }
    assert!(!arena.logs().is_empty());
    let all: Vec<u32> = (0..arena.spans().len() as u32).collect();
    for redact in [false, true] {
        let shared = match redact {
            true => redacted_share(&arena, &all, ShareInfo::default()),
            false => share(&arena, &all, None, ShareInfo::default()).expect("shared"),
        };
        let names: Vec<&str> = shared.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["traces.otlp.pb", "logs.otlp.pb"]);
        let back = reloaded(&shared);
        assert_eq!(back.logs().len(), arena.logs().len());
        let first = &back.logs()[0];
        let span = back
            .spans()
            .iter()
            .find(|s| Some(s.span_id) == first.span_id);
        assert!(span.is_some(), "a log record is still its span's");
    }
}

#[test]
fn log_records_written_as_otlp_json_read_back_the_same() {
    let mut arena = Arena::default();
    let file = "otelv2-legacy-01.logs.otlp.pb";
    crate::ingest::load(&mut arena, file, &fixture(&format!("genai/{file}")));
    let logs: Vec<&crate::model::LogRecord> = arena.logs().iter().collect();
    let json = export::encode_logs_json(&arena, &logs);
    let mut back = Arena::default();
    let report = crate::ingest::load(&mut back, "logs.json", json.as_bytes());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(back.logs().len(), arena.logs().len());
    let proto = |a: &Arena| {
        let logs: Vec<&crate::model::LogRecord> = a.logs().iter().collect();
        export::encode_logs_proto(a, &logs)
    };
    assert_eq!(
        proto(&back),
        proto(&arena),
        "the same records, attributes and bodies"
    );
}

/// A share with the built-in rules applied, the redaction run as the helper runs it.
fn redacted_share(arena: &Arena, spans: &[u32], info: ShareInfo) -> Shared {
    let job = redaction_job(arena, spans, &info, Rules::default());
    let redacted = crate::redact::job::run(&job).expect("redacted");
    share(arena, spans, Some(&redacted), info).expect("shared")
}
