//! The `plume` command as users run it.

use std::process::{Command, Output};

fn plume(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plume"))
        .args(args)
        .current_dir(format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR")))
        .output()
        .unwrap_or_else(|e| panic!("cannot run plume: {e}"))
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn inspect_json_counts_all_inputs_together() {
    let output = plume(&[
        "inspect",
        "--json",
        "openai-01.otlp.pb",
        "collector-file-exporter.jsonl",
        "node-01.otlp.json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    assert_eq!(
        report["spans"],
        38 + 6,
        "spans deduplicated by trace and span id"
    );
    assert_eq!(report["traces"], 8 + 1);
    assert_eq!(report["projects"], 3);
    assert_eq!(report["duplicates"], 4);
    assert_eq!(report["missing_parents"], 1);
    assert_eq!(report["errors"], serde_json::json!([]));
    assert_eq!(report["files"][0]["format"], "otlp-proto");
    assert_eq!(report["files"][1]["format"], "otlp-jsonl");
}

#[test]
fn inspect_exits_1_when_an_input_fails_and_still_counts_the_rest() {
    let dir = std::env::temp_dir().join(format!("plume-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_default();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        br#"{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": 12}]}]}]}"#,
    )
    .unwrap_or_default();
    let bad = bad.to_string_lossy().into_owned();
    let output = plume(&[
        "inspect",
        "--json",
        "openai-03.otlp.pb",
        &bad,
        "does-not-exist.pb",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["spans"], 3);
    let errors = report["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["file"], bad.as_str());
    assert_eq!(
        errors[0]["json_path"],
        "resourceSpans[0].scopeSpans[0].spans[0].traceId"
    );
    assert!(
        errors[1]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("cannot read the file")
    );
}

#[test]
fn inspect_text_names_formats_and_totals() {
    let output = plume(&[
        "inspect",
        "langchain-01.otlp.pb",
        "phoenix/chatbot-demo/spans.jsonl",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("langchain-01.otlp.pb: otlp-proto, 18 spans"),
        "{text}"
    );
    assert!(
        text.contains("phoenix/chatbot-demo/spans.jsonl: phoenix-spans-jsonl, 13 spans"),
        "{text}"
    );
    assert!(
        text.contains("total: 31 spans in 6 traces; 2 projects"),
        "{text}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(plume(&[]).status.code(), Some(2));
    assert_eq!(plume(&["inspect"]).status.code(), Some(2));
    assert_eq!(plume(&["frobnicate", "x"]).status.code(), Some(2));
    assert_eq!(
        plume(&["convert", "openai-01.otlp.pb", "--to", "xml", "-o", "-"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        plume(&["convert", "openai-01.otlp.pb", "-o", "-"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn convert_writes_otlp_that_inspects_the_same() {
    let dir = std::env::temp_dir().join(format!("plume-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_default();
    for (format, file) in [
        ("otlp-json", "out.json"),
        ("otlp-proto", "out.pb"),
        ("jsonl", "out.jsonl"),
    ] {
        let out = dir.join(file).to_string_lossy().into_owned();
        let output = plume(&[
            "convert",
            "openai-01.otlp.pb",
            "node-01.otlp.json",
            "--to",
            format,
            "-o",
            &out,
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report = json(&plume(&["inspect", "--json", &out]));
        assert_eq!(
            (report["spans"].clone(), report["traces"].clone()),
            (serde_json::json!(10), serde_json::json!(2)),
            "{format}"
        );
    }
}

#[test]
fn an_unwritable_output_is_an_error_not_a_usage_error() {
    let output = plume(&[
        "convert",
        "openai-01.otlp.pb",
        "--to",
        "otlp-json",
        "-o",
        "/nonexistent/dir/out.json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("plume: cannot write /nonexistent/dir/out.json:"),
        "{stderr}"
    );
    assert!(!stderr.contains("usage:"));
}

const CHATBOT_DATASET: &str =
    "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet";
const CHATBOT_EVALUATIONS: &str =
    "phoenix/chatbot-demo/evaluations-b3fbfc26-6fa0-4915-bc47-c082dc50296a.parquet";

/// The ids Phoenix's own JSON export of the chatbot-demo spans gives for `column == value`.
fn phoenix_ids(column: &str, value: &str) -> Vec<String> {
    let path = format!(
        "{}/tests/fixtures/phoenix/chatbot-demo/spans.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut ids: Vec<String> = std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|row| row[column] == value)
        .filter_map(|row| row["context.span_id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

/// `matched_span_ids` of an inspect report, sorted.
fn matched_ids(report: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = report["matched_span_ids"]
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

#[test]
fn inspect_with_a_filter_counts_only_the_matching_spans() {
    let output = plume(&[
        "inspect",
        "--json",
        "--filter",
        "span_kind == 'LLM'",
        CHATBOT_DATASET,
        CHATBOT_EVALUATIONS,
    ]);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    assert_eq!(matched_ids(&report), phoenix_ids("span_kind", "LLM"));
    assert_eq!(report["spans"], 8);
    assert_eq!(report["traces"], 4);
    // The per-file figures still describe the files.
    assert_eq!(report["files"][0]["spans"], 13);

    let errors = json(&plume(&[
        "inspect",
        "--json",
        "--filter",
        "status_code == 'ERROR'",
        CHATBOT_DATASET,
    ]));
    assert_eq!(errors["spans"], 2);
    assert_eq!(errors["error_spans"], 2);
    assert_eq!(matched_ids(&errors), phoenix_ids("status_code", "ERROR"));
}

#[test]
fn a_bad_filter_is_a_usage_error_that_points_at_the_place() {
    let output = plume(&["inspect", "--filter", "latency_ms >> 3", CHATBOT_DATASET]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("at character 13"), "{stderr}");
    assert!(
        stderr.contains("  latency_ms >> 3\n              ^"),
        "{stderr}"
    );
}

#[test]
fn convert_with_a_filter_writes_only_the_matching_spans() {
    let dir = std::env::temp_dir().join(format!("plume-convert-filter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_default();
    let out = dir.join("errors.json").to_string_lossy().into_owned();
    let output = plume(&[
        "convert",
        CHATBOT_DATASET,
        "--filter",
        "status_code == 'ERROR' or span_kind == 'TOOL'",
        "--to",
        "otlp-json",
        "-o",
        &out,
    ]);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&plume(&["inspect", "--json", &out]));
    assert_eq!(report["spans"], 3);
    let all = json(&plume(&["inspect", "--json", "--filter", "True", &out]));
    assert_eq!(all["spans"], 3);
}

#[test]
fn version_is_cargos() {
    let output = plume(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("plume {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_covers_every_command_and_the_exit_status() {
    let output = plume(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    for command in ["inspect", "convert", "share", "generate"] {
        assert!(help.contains(command), "{help}");
    }
    assert!(help.contains("2 usage error"), "{help}");
    for (command, option) in [
        ("inspect", "--filter"),
        ("convert", "--to"),
        ("share", "--redact"),
        ("generate", "--spans"),
    ] {
        let output = plume(&[command, "--help"]);
        assert_eq!(output.status.code(), Some(0), "{command}");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains(option), "{command}: {help}");
    }
}

#[test]
fn options_misused_are_usage_errors() {
    let code = |args: &[&str]| plume(args).status.code();
    assert_eq!(code(&["inspect", "--bogus", "openai-01.otlp.pb"]), Some(2));
    assert_eq!(code(&["inspect", "--llm", "openai-01.otlp.pb"]), Some(2));
    assert_eq!(
        code(&["inspect", "--json", "--llm", "openai-01.otlp.pb"]),
        Some(0)
    );
    assert_eq!(
        code(&["generate", "--spans", "0", "--to", "otlp-json", "-o", "-"]),
        Some(2)
    );
    assert_eq!(
        code(&[
            "generate",
            "--spans",
            "10",
            "--convention",
            "otel",
            "--to",
            "otlp-json",
            "-o",
            "-"
        ]),
        Some(2)
    );
    let output = plume(&[
        "inspect",
        "--prices",
        "no-such-prices.json",
        "openai-01.otlp.pb",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot read no-such-prices.json"),
        "{stderr}"
    );
}

#[test]
fn convert_takes_otlp_jsonl_for_jsonl_and_dash_for_stdout() {
    let jsonl = plume(&["convert", "openai-01.otlp.pb", "--to", "jsonl", "-o", "-"]);
    let otlp_jsonl = plume(&[
        "convert",
        "openai-01.otlp.pb",
        "--to",
        "otlp-jsonl",
        "--output",
        "-",
    ]);
    assert_eq!(jsonl.status.code(), Some(0));
    assert!(!jsonl.stdout.is_empty());
    assert_eq!(jsonl.stdout, otlp_jsonl.stdout);
}

#[test]
fn generate_writes_the_spans_and_traces_asked_for() {
    let dir = std::env::temp_dir().join(format!("plume-generate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_default();
    let out = dir.join("genai.pb").to_string_lossy().into_owned();
    let output = plume(&[
        "generate",
        "--spans",
        "1_000",
        "--traces",
        "3",
        "--convention",
        "genai",
        "--to",
        "otlp-proto",
        "-o",
        &out,
    ]);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&plume(&["inspect", "--json", &out]));
    assert_eq!(report["spans"], 1000);
    assert_eq!(report["traces"], 3);
}

#[test]
fn completions_prints_a_script_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let output = plume(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(script.contains("plume"), "{shell}: {script}");
        // Every shell writes long options its own way; the name is in each.
        assert!(script.contains("filter"), "{shell}: {script}");
    }
    assert_eq!(plume(&["completions", "tcsh"]).status.code(), Some(2));
}

/// A trace with secrets of every kind the built-in rules know planted in it, and text that must
/// stay.
const PLANTED: &str = r#"{"resourceSpans": [{"resource": {"attributes": [
    {"key": "service.name", "value": {"stringValue": "support-bot"}},
    {"key": "host.ip", "value": {"stringValue": "10.20.30.40"}}]},
  "scopeSpans": [{"spans": [{
    "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174",
    "name": "answer ana.lopez@example.com", "startTimeUnixNano": "1700000000000000000",
    "endTimeUnixNano": "1700000001000000000",
    "attributes": [
      {"key": "openinference.span.kind", "value": {"stringValue": "LLM"}},
      {"key": "input.value", "value": {"stringValue": "{\"question\": \"My card 4242 4242 4242 4242 was charged twice, call +44 20 7946 0958\", \"api_key\": \"plain-looking-value\"}"}},
      {"key": "output.value", "value": {"stringValue": "Refund issued. Keys: sk-proj-Zx81kLmNoPqRsTuVwXyZ0123 AKIAIOSFODNN7EXAMPLE ghp_abcdefghijklmnopqrstuvwxyz0123456789"}},
      {"key": "http.request.header.authorization", "value": {"stringValue": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"}},
      {"key": "llm.input_messages.0.message.content", "value": {"stringValue": "from 2001:db8::8a2e:370:7334 xoxb-1234567890-abcdefghijkl"}}],
    "events": [{"name": "note", "timeUnixNano": "1700000000500000000", "attributes": [
      {"key": "text", "value": {"stringValue": "ana.lopez@example.com asked again"}}]}]
  }]}]}]}"#;

const SECRETS: [&str; 12] = [
    "ana.lopez@example.com",
    "10.20.30.40",
    "4242 4242 4242 4242",
    "7946 0958",
    "plain-looking-value",
    "sk-proj-Zx81kLmNoPqRsTuVwXyZ0123",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "eyJhbGciOiJIUzI1NiJ9",
    "2001:db8::8a2e:370:7334",
    "xoxb-1234567890",
    "c2lnbmF0dXJl",
];

#[test]
fn convert_redact_leaves_no_planted_secret_in_any_format_and_keeps_the_rest() {
    let dir = std::env::temp_dir().join(format!("plume-redact-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = dir.join("planted.otlp.json");
    std::fs::write(&input, PLANTED).expect("written");
    let input = input.to_str().expect("a path");
    for to in ["otlp-json", "otlp-proto", "jsonl", "phoenix-jsonl"] {
        let out = plume(&["convert", input, "--redact", "--to", to, "-o", "-"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let written = String::from_utf8_lossy(&out.stdout);
        for secret in SECRETS {
            assert!(!written.contains(secret), "{to}: {secret} left in");
        }
        // Phoenix's span rows carry no resource.
        assert!(
            to == "phoenix-jsonl" || written.contains("support-bot"),
            "{to}: the service"
        );
        for kept in ["Refund issued", "was charged twice", "asked again"] {
            assert!(written.contains(kept), "{to}: {kept} lost");
        }
        // Ids are kept (in the JSON forms, as hex).
        assert!(
            to == "otlp-proto" || written.contains("eee19b7ec3c1b174"),
            "{to}: the span id"
        );
    }
    // Consistent: the email is the same replacement in the name and the event.
    let json = json(&plume(&[
        "convert",
        input,
        "--redact",
        "--to",
        "otlp-json",
        "-o",
        "-",
    ]));
    let span = &json["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    assert_eq!(span["name"], "answer [email-1]");
    assert_eq!(
        span["events"][0]["attributes"][0]["value"]["stringValue"],
        "[email-1] asked again"
    );
    let said = plume(&["convert", input, "--redact", "--to", "otlp-json", "-o", "-"]);
    assert!(
        String::from_utf8_lossy(&said.stderr).contains("redacted: "),
        "it says what it changed"
    );

    // A rules file: only emails, and a key dropped whole.
    let rules = dir.join("rules.json");
    std::fs::write(&rules, r#"{"rules": ["email"], "drop_keys": ["output.*"]}"#).expect("written");
    let with_rules = || {
        let rules = rules.to_str().expect("a path");
        plume(&[
            "convert",
            input,
            "--redact",
            rules,
            "--to",
            "otlp-json",
            "-o",
            "-",
        ])
    };
    let out = with_rules();
    let written = String::from_utf8_lossy(&out.stdout);
    assert!(!written.contains("ana.lopez@example.com") && !written.contains("Refund issued"));
    assert!(
        written.contains("10.20.30.40"),
        "IP addresses were not asked for"
    );
    // A rules file that does not read is a usage error.
    std::fs::write(&rules, r#"{"rules": ["emails"]}"#).expect("written");
    assert_eq!(with_rules().status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn share_writes_the_shell_holding_the_traces_a_filter_picks_or_says_what_is_missing() {
    let dir = std::env::temp_dir().join(format!("plume-share-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let shell = "<html><head><title>Plume</title></head><body><!--plume-share--><script>boot</script></body></html>";
    std::fs::write(dir.join("plume-share.html"), shell).expect("shell");
    let page = dir.to_str().expect("a path");
    let out = dir.join("errors.html");
    let spans = "phoenix/chatbot-demo/spans.jsonl";
    let filter = "status_code == 'ERROR'";
    let args = [
        "share", spans, "--filter", filter, "--title", "Errors", "--page", page, "-o",
    ];
    let done = plume(&[&args[..], &[out.to_str().expect("a path")]].concat());
    let said = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(0), "{said}");
    let html = std::fs::read_to_string(&out).expect("written");
    assert!(
        html.starts_with("<html><head><title>Errors — Plume</title>"),
        "{html}"
    );
    assert!(html.ends_with("<script>boot</script></body></html>"));
    assert_eq!(
        html.matches("class=\"plume-trace-file\"").count(),
        1,
        "no evaluations"
    );
    let info = html
        .split("id=\"plume-share\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next());
    let info = serde_json::from_str::<serde_json::Value>(info.expect("info")).expect("JSON");
    // Whole traces: every trace with a failed span, with all its spans.
    let all = json(&plume(&["inspect", "--json", spans]));
    assert!(info["traces"].as_u64() < all["traces"].as_u64(), "{info}");
    assert!(info["spans"].as_u64() > Some(2), "{info}");
    assert_eq!(info["title"], "Errors");
    let counted = format!("{} spans in {} trace", info["spans"], info["traces"]);
    assert!(said.contains(&counted), "{said}");
    // Without a built viewer, it says so: a usage error.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).expect("empty dir");
    let missing = plume(&[
        "share",
        spans,
        "--page",
        empty.to_str().expect("a path"),
        "-o",
        "x.html",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("plume-share.html"));
}
