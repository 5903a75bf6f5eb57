use super::*;
use crate::ingest;
use crate::model::{EvalTarget, Evaluation, SourceId, SpanId};
use crate::semantics::Prices;

const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const CHAIN: &str = "00000000000000c1";
const LLM: &str = "00000000000000a1";
const TOOL: &str = "00000000000000b1";

/// A chain (root, ERROR, 3 s) with an LLM call (1.5 s, gpt-4 by openai, 1,200 tokens, an error
/// in its output, metadata topic billing) and a tool call (10 ms), loaded from OTLP/JSON; the
/// LLM call (also: tags, a temperature, a float and a bool attribute) is evaluated incorrect (0.2) and relevant, the tool call correct (0.9).
fn sample() -> (Arena, Traces) {
    let span = |id: &str, parent: &str, name: &str, kind: &str, ms: u64, extra: &str| {
        format!(
            r#"{{"traceId":"{TRACE}","spanId":"{id}","parentSpanId":"{parent}","name":"{name}",
                "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"{}",
                "attributes":[{{"key":"openinference.span.kind","value":{{"stringValue":"{kind}"}}}}{extra}]}}"#,
            1_700_000_000_000_000_000u64 + ms * 1_000_000
        )
    };
    let llm_attributes = r#",
        {"key":"llm.model_name","value":{"stringValue":"gpt-4"}},
        {"key":"llm.provider","value":{"stringValue":"openai"}},
        {"key":"llm.token_count.prompt","value":{"intValue":"1000"}},
        {"key":"llm.token_count.completion","value":{"intValue":"200"}},
        {"key":"llm.token_count.total","value":{"intValue":"1200"}},
        {"key":"output.value","value":{"stringValue":"an error occurred <script>"}},
        {"key":"metadata","value":{"stringValue":"{\"topic\":\"billing\",\"tries\":2,\"tags\":[\"x\",\"y\"],\"flag\":true,\"ratio\":\"0.5\"}"}},
        {"key":"llm.invocation_parameters","value":{"stringValue":"{\"temperature\":0.5}"}},
        {"key":"quality","value":{"doubleValue":0.25}},
        {"key":"cached","value":{"boolValue":true}},
        {"key":"retries","value":{"intValue":"3"}},
        {"key":"retrieval.documents.0.document.content","value":{"stringValue":"doc zero"}}"#;
    let tool_attributes = r#",{"key":"output.value","value":{"stringValue":"fine"}}"#;
    let chain = span(CHAIN, "", "turn", "CHAIN", 3000, "").replace(
        r#""attributes""#,
        r#""status":{"code":2,"message":"boom"},"attributes""#,
    );
    let spans = [
        chain,
        span(LLM, CHAIN, "ChatCompletion", "LLM", 1500, llm_attributes),
        span(TOOL, CHAIN, "get_weather", "TOOL", 10, tool_attributes),
    ];
    let json = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
        spans.join(",")
    );
    let mut arena = Arena::default();
    let report = ingest::load(&mut arena, "sample.json", json.as_bytes());
    assert!(report.is_ok(), "{report:?}");
    let name = arena.intern("correctness").unwrap();
    let relevance = arena.intern("relevance").unwrap();
    for (span, name, label, score) in [
        (LLM, name, "incorrect", 0.2),
        (TOOL, name, "correct", 0.9),
        (LLM, relevance, "relevant", 1.0),
    ] {
        let label = arena.intern(label).unwrap();
        arena.push_evaluation(Evaluation {
            target: EvalTarget::Span(SpanId::parse(span).unwrap()),
            name,
            score: Some(score),
            label: Some(label),
            explanation: None,
            source: SourceId(0),
            annotator: Default::default(),
        });
    }
    let traces = Traces::assemble(&arena);
    (arena, traces)
}

/// The hex ids of the spans `expression` matches, sorted.
fn ids(arena: &Arena, traces: &Traces, expression: &str) -> Vec<String> {
    let filter = Filter::parse(expression).unwrap_or_else(|e| panic!("{expression}: {e}"));
    let mut ids: Vec<String> = filter
        .matching_spans(arena, traces, &Prices::builtin())
        .into_iter()
        .map(|index| arena.spans()[index as usize].span_id.to_string())
        .collect();
    ids.sort();
    ids
}

fn check(cases: &[(&str, &[&str])]) {
    let (arena, traces) = sample();
    for (expression, expected) in cases {
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(ids(&arena, &traces, expression), expected, "{expression}");
    }
}

#[test]
fn the_examples_phoenix_users_write() {
    check(&[
        ("span_kind == 'LLM'", &[LLM]),
        ("status_code == 'ERROR'", &[CHAIN]),
        ("latency_ms >= 1000", &[LLM, CHAIN]),
        ("'error' in output.value", &[LLM]),
        ("llm.model_name == 'gpt-4'", &[LLM]),
        ("metadata['topic'] == 'billing'", &[LLM]),
        ("attributes['llm']['provider'] == 'openai'", &[LLM]),
        ("llm.token_count.total > 1000", &[LLM]),
        // The chain holds its LLM call's 1,200 tokens.
        ("cumulative_token_count.total > 1000", &[LLM, CHAIN]),
        ("cumulative_token_count.prompt == 1000", &[LLM, CHAIN]),
        ("evals['correctness'].label == 'incorrect'", &[LLM]),
        ("annotations['correctness'].score < 0.5", &[LLM]),
        ("parent_id is None", &[CHAIN]),
    ]);
}

#[test]
fn names_fields_and_paths() {
    check(&[
        ("name == 'get_weather'", &[TOOL]),
        ("status_message == 'boom'", &[CHAIN]),
        (&format!("span_id == '{TOOL}'"), &[TOOL]),
        (
            &format!("context.trace_id == '{TRACE}'"),
            &[CHAIN, LLM, TOOL],
        ),
        (&format!("parent_id == '{CHAIN}'"), &[LLM, TOOL]),
        ("parent_id is not None", &[LLM, TOOL]),
        ("llm.model_name == None", &[CHAIN, TOOL]),
        ("attributes[['llm', 'provider']] == 'openai'", &[LLM]),
        ("metadata['tries'] == 2", &[LLM]),
        ("metadata['tries'] == '2'", &[LLM]),
        (
            "retrieval.documents.0.document.content == 'doc zero'",
            &[LLM],
        ),
        (
            "attributes['retrieval']['documents'][0]['document']['content'] == 'doc zero'",
            &[LLM],
        ),
        ("evals['correctness']", &[LLM, TOOL]),
        ("not evals['correctness']", &[CHAIN]),
        ("evals['missing'].score > 0", &[]),
        ("start_time >= '2023-11-14T22:13:20Z'", &[CHAIN, LLM, TOOL]),
        ("end_time > '2023-11-14T22:13:21Z'", &[LLM, CHAIN]),
    ]);
}

#[test]
fn operators_and_precedence() {
    check(&[
        (
            "span_kind == 'LLM' or status_code == 'ERROR'",
            &[LLM, CHAIN],
        ),
        // `and` binds tighter than `or`.
        (
            "span_kind == 'TOOL' or span_kind == 'LLM' and latency_ms > 5000",
            &[TOOL],
        ),
        (
            "(span_kind == 'TOOL' or span_kind == 'LLM') and latency_ms > 1000",
            &[LLM],
        ),
        ("not span_kind == 'LLM'", &[CHAIN, TOOL]),
        ("not not span_kind == 'LLM'", &[LLM]),
        ("span_kind in ['LLM', 'TOOL']", &[LLM, TOOL]),
        ("span_kind not in ('LLM',)", &[CHAIN, TOOL]),
        ("'fine' not in output.value", &[LLM]),
        ("100 < latency_ms < 2000", &[LLM]),
        ("latency_ms / 1000 > 2", &[CHAIN]),
        ("latency_ms - 10 == 0", &[TOOL]),
        ("-latency_ms < -2000", &[CHAIN]),
        ("float(metadata['tries']) + 1 == 3", &[LLM]),
        ("str(llm.token_count.total) == '1200'", &[LLM]),
        ("name + '!' == 'turn!'", &[CHAIN]),
        ("name > 'h'", &[CHAIN]),
        ("True", &[CHAIN, LLM, TOOL]),
        ("span_kind == \"LLM\"", &[LLM]),
    ]);
}

#[test]
fn absent_values_are_unknown_as_in_sql() {
    check(&[
        // Spans without a model name are neither equal nor unequal to one.
        ("llm.model_name != 'gpt-4'", &[]),
        ("not llm.model_name == 'gpt-4'", &[]),
        (
            "not llm.model_name == 'gpt-4' or span_kind == 'TOOL'",
            &[TOOL],
        ),
        (
            "llm.model_name == 'gpt-4' or llm.model_name != 'gpt-4'",
            &[LLM],
        ),
        ("'x' in llm.model_name or span_kind == 'CHAIN'", &[CHAIN]),
        ("latency_ms / 0 > 1", &[]),
    ]);
}

#[test]
fn errors_point_at_the_place() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "latency_ms >",
            12,
            "expected a name, a string or a number, found the end",
        ),
        ("span_kind = 'LLM'", 10, "`=` is not a comparison"),
        ("span_kind == 'LLM", 13, "no closing '"),
        (
            "(span_kind == 'LLM'",
            19,
            "expected `,` or `)`, found the end",
        ),
        (
            "span_kind == 'LLM' latency_ms",
            19,
            "expected `and`, `or` or the end",
        ),
        ("llm.model_name", 0, "expected a condition"),
        ("span_kind == 'LLM' and name", 23, "expected a condition"),
        (
            "evals['correctness'].lable == 'x'",
            0,
            "did you mean .label?",
        ),
        (
            "evals['correctness'] == 'x'",
            0,
            "expected .label, .score or .explanation",
        ),
        ("evals[1].label == 'x'", 6, "evaluation's name in quotes"),
        ("'a' in 3", 7, "expected a list or a text field"),
        (
            "'1' in latency_ms",
            7,
            "`in` needs text or a list on its right, not a number",
        ),
        ("latency_ms > None", 13, "None can only be tested"),
        ("name is 'x'", 8, "`is` compares with None only"),
        ("len(name) > 2", 0, "only str(), float() and int()"),
        ("start_time > 'yesterday'", 13, "expected a time like"),
        ("attributes == 'x'", 0, "attributes needs a key in brackets"),
        ("span_kind == 'LLM' & 1", 19, "unexpected character `&`"),
        ("", 0, "the filter is empty"),
        ("span_kind in ()", 13, "empty parentheses"),
        ("name == and", 8, "expected a name, a string or a number"),
        (
            "metadata['tags'][0.5] == 'x'",
            17,
            "a quoted key or a whole number",
        ),
        ("name foo in ['a']", 5, "expected `and`, `or` or the end"),
        ("name not 'x'", 5, "expected `and`, `or` or the end"),
        ("name == ", 8, "found the end"),
    ];
    for (expression, position, message) in cases {
        let error = Filter::parse(expression)
            .err()
            .unwrap_or_else(|| panic!("{expression} parsed"));
        assert_eq!(error.position, *position, "{expression}: {error}");
        assert!(error.message.contains(message), "{expression}: {error}");
    }
    // Positions count characters, not bytes.
    let error = Filter::parse("name == 'é' ==").unwrap_err();
    assert_eq!(error.position, 14);
    assert_eq!(
        Filter::parse("latency_ms >").unwrap_err().to_string(),
        "at character 13: expected a name, a string or a number, found the end"
    );
}

#[test]
fn strings_escape_and_concatenate() {
    let (arena, traces) = sample();
    assert_eq!(ids(&arena, &traces, r#"'<script>' in output.value"#), [LLM]);
    assert_eq!(ids(&arena, &traces, r#"name == 'get_' "weather""#), [TOOL]);
    assert_eq!(
        ids(&arena, &traces, r#"name == 'it\'s'"#),
        Vec::<String>::new()
    );
}

/// The chatbot-demo dataset Phoenix 20.26 saved: the spans it returns for the filters are those
/// whose `span_kind` / `status_code` columns say so in its own JSON export of the same spans.
#[test]
fn agrees_with_phoenix_on_the_chatbot_demo_dataset() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/phoenix/chatbot-demo/"
    );
    let mut arena = Arena::default();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("trace_dataset-") || name.starts_with("evaluations-") {
            let report = ingest::load(&mut arena, &name, &std::fs::read(&path).unwrap());
            assert!(report.is_ok(), "{report:?}");
        }
    }
    let traces = Traces::assemble(&arena);
    let exported = std::fs::read_to_string(format!("{dir}spans.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = exported
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let phoenix = |column: &str, value: &str| {
        let mut ids: Vec<String> = rows
            .iter()
            .filter(|row| row[column] == value)
            .map(|row| row["context.span_id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let llm = phoenix("span_kind", "LLM");
    let errors = phoenix("status_code", "ERROR");
    assert_eq!(llm.len(), 8);
    assert_eq!(errors.len(), 2);
    assert_eq!(ids(&arena, &traces, "span_kind == 'LLM'"), llm);
    assert_eq!(ids(&arena, &traces, "status_code == 'ERROR'"), errors);
    // The saved evaluations (`correctness`) sit on spans of the dataset.
    let evaluated = ids(&arena, &traces, "evals['correctness']");
    assert_eq!(evaluated.len(), 8);
    let all: Vec<String> = rows
        .iter()
        .map(|row| row["context.span_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(evaluated.iter().all(|id| all.contains(id)));
    let labelled = ids(
        &arena,
        &traces,
        "evals['correctness'].label in ['correct', 'incorrect']",
    );
    assert_eq!(labelled, evaluated);
    // The evaluations were made for the LLM spans; their labels and scores as pyarrow reads the
    // file (`pq.read_table(...).to_pandas()`).
    assert_eq!(evaluated, llm);
    assert_eq!(
        ids(&arena, &traces, "evals['correctness'].label == 'incorrect'"),
        ["1ec39eeff3d855b7", "368e2a2a62da0b9b", "4802305b03135782"]
    );
    assert_eq!(
        ids(&arena, &traces, "evals['correctness'].score >= 0.9"),
        ["2b5538cd44d34c58", "e195d6908a7aa2ba"]
    );
}

#[test]
fn costs_are_estimated_from_prices_and_add_up_the_tree() {
    // gpt-4: 1,000 prompt tokens at $30/M and 200 completion tokens at $60/M make $0.042.
    check(&[
        (
            "llm.cost.total > 0.0419 and llm.cost.total < 0.0421",
            &[LLM],
        ),
        (
            "llm.cost.prompt > 0.0299 and llm.cost.prompt < 0.0301",
            &[LLM],
        ),
        (
            "llm.cost.completion > 0.0119 and llm.cost.completion < 0.0121",
            &[LLM],
        ),
        (
            "cumulative_cost > 0.0419 and cumulative_cost < 0.0421",
            &[LLM, CHAIN],
        ),
        ("cumulative_cost.total > 0", &[LLM, CHAIN]),
        ("cumulative_cost is None", &[TOOL]),
        ("llm.cost.total is None", &[CHAIN, TOOL]),
    ]);
}

#[test]
fn fields_compare_with_fields_as_numbers() {
    check(&[
        (
            "llm.token_count.prompt > llm.token_count.completion",
            &[LLM],
        ),
        ("latency_ms > llm.token_count.total", &[LLM]),
        ("llm.token_count.total > latency_ms", &[]),
        (
            "cumulative_token_count.total == llm.token_count.total",
            &[LLM],
        ),
        // 1e3 is a number, not text: "1500" < "1e3" as text, 1500 > 1000 as numbers.
        ("latency_ms > 1e+3", &[LLM, CHAIN]),
        ("latency_ms >= 1.5E3", &[LLM, CHAIN]),
        ("latency_ms > 1e-3", &[LLM, CHAIN, TOOL]),
        ("latency_ms < 1_000", &[TOOL]),
        ("latency_ms <= 10", &[TOOL]),
        ("latency_ms == +1500", &[LLM]),
        ("latency_ms > .5", &[LLM, CHAIN, TOOL]),
        ("(latency_ms) >= 1.5e3", &[LLM, CHAIN]),
        ("latency_ms % 1000 == 500", &[LLM]),
        ("latency_ms * 2 == 3000", &[LLM]),
        ("latency_ms % 0 == 0", &[]),
    ]);
}

#[test]
fn none_may_stand_on_either_side() {
    check(&[
        ("None == parent_id", &[CHAIN]),
        ("None != parent_id", &[LLM, TOOL]),
        ("None is llm.model_name", &[CHAIN, TOOL]),
    ]);
    let error = Filter::parse("None < latency_ms").unwrap_err();
    assert_eq!(error.position, 0);
    assert!(error.message.contains("None can only be tested"), "{error}");
}

#[test]
fn membership_compares_numbers_as_numbers_and_keeps_unknowns() {
    check(&[
        ("latency_ms in [10, 3000.0]", &[TOOL, CHAIN]),
        ("metadata['tries'] in [1, 2.0]", &[LLM]),
        ("metadata['tries'] in ['02']", &[]),
        ("metadata['tries'] in ['2']", &[LLM]),
        // Unknown for spans without a model: neither in nor not in.
        ("llm.model_name not in ['x']", &[LLM]),
        ("llm.model_name in ['x', 'gpt-4']", &[LLM]),
    ]);
}

#[test]
fn attribute_values_of_every_type_are_reached() {
    check(&[
        ("llm.invocation_parameters['temperature'] == 0.5", &[LLM]),
        ("llm.invocation_parameters.temperature > 0.4", &[LLM]),
        ("metadata['tags'][0] == 'x'", &[LLM]),
        ("metadata['tags'][1] == 'y'", &[LLM]),
        ("metadata['tags'][2] == 'y'", &[]),
        ("str(metadata['tags']) == '[\"x\",\"y\"]'", &[LLM]),
        ("quality == 0.25", &[LLM]),
        ("quality > 0.2 and quality < 0.3", &[LLM]),
        ("str(quality) == '0.25'", &[LLM]),
        ("cached == 1", &[LLM]),
        ("retries == 3", &[LLM]),
        ("retries + 1 == 4", &[LLM]),
        ("cached == True", &[LLM]),
        ("metadata['flag'] == 1", &[LLM]),
        ("metadata['ratio'] > 0.4", &[LLM]),
        ("cumulative_token_count.completion == 200", &[LLM, CHAIN]),
        ("evals['relevance'].label == 'relevant'", &[LLM]),
        ("str(latency_ms) == '1500.0'", &[LLM]),
        ("str(evals['correctness'].score) == '0.9'", &[TOOL]),
        ("str(cached) == 'true'", &[LLM]),
    ]);
}

#[test]
fn a_misspelt_evaluation_part_gets_a_suggestion_only_when_close() {
    let message = |text: &str| Filter::parse(text).unwrap_err().message;
    assert!(message("metadata['tags'][-1] == 'y'").contains("a whole number in brackets"));
    assert!(message("evals['c'].scor == 1").contains("(did you mean .score?)"));
    assert!(message("evals['c'].lbel == 'x'").contains("(did you mean .label?)"));
    assert!(message("evals['c'].explanations == 'x'").contains("(did you mean .explanation?)"));
    for far in ["evals['c'].la == 'x'", "evals['c'].xyz == 'x'"] {
        let said = message(far);
        assert!(said.contains("not ."), "{said}");
        assert!(!said.contains("did you mean"), "{far}: {said}");
    }
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("abc", ""), 3);
    assert_eq!(edit_distance("same", "same"), 0);
}

#[test]
fn a_string_ending_in_a_backslash_is_not_closed() {
    let error = Filter::parse("name == 'abc\\").unwrap_err();
    assert_eq!(error.position, 8);
    assert!(error.message.contains("no closing '"), "{error}");
    check(&[
        (r"name + '\t' == 'turn\t'", &[CHAIN]),
        (r"'\q' == '\\q'", &[CHAIN, LLM, TOOL]),
    ]);
}

#[test]
fn every_token_and_cost_field_is_named() {
    use crate::model::TokenKind as T;
    for (name, field) in [
        ("llm.token_count.prompt", Field::Tokens(T::Input)),
        ("llm.token_count.completion", Field::Tokens(T::Output)),
        ("llm.token_count.total", Field::Tokens(T::Total)),
        (
            "llm.token_count.prompt_details.cache_read",
            Field::Tokens(T::CachedInput),
        ),
        (
            "llm.token_count.prompt_details.cache_write",
            Field::Tokens(T::CacheWrite),
        ),
        (
            "llm.token_count.completion_details.reasoning",
            Field::Tokens(T::Reasoning),
        ),
        (
            "llm.token_count.prompt_details.audio",
            Field::Tokens(T::AudioInput),
        ),
        (
            "llm.token_count.completion_details.audio",
            Field::Tokens(T::AudioOutput),
        ),
        ("llm.cost.total", Field::Cost(CostPart::Total)),
        ("llm.cost.prompt", Field::Cost(CostPart::Input)),
        ("llm.cost.completion", Field::Cost(CostPart::Output)),
        ("cumulative_llm_token_count_prompt", Field::CumulativePrompt),
        (
            "cumulative_llm_token_count_completion",
            Field::CumulativeCompletion,
        ),
        ("cumulative_llm_token_count_total", Field::CumulativeTotal),
        ("cumulative_cost.total", Field::CumulativeCost),
        ("context.span_id", Field::SpanId),
        ("trace_id", Field::TraceId),
    ] {
        assert_eq!(Field::named(name), Some(field), "{name}");
    }
    assert_eq!(Field::named("llm.token_count"), None);
}

#[test]
fn every_expression_cut_short_is_an_error() {
    for text in [
        "name ==",
        "(",
        "[",
        "not",
        "name in",
        "name not",
        "name is",
        "name is not",
        "evals[",
        "evals['c'].",
        "metadata['a'",
        "metadata[",
        "str(",
        "str(name",
        "-",
        "(name",
        "name == 'a' and",
        "name == 'a' or",
        "1 <",
        "'a' 'b",
        "a.",
        "a[0",
    ] {
        assert!(Filter::parse(text).is_err(), "{text:?}");
    }
    check(&[
        ("False", &[]),
        ("not False", &[CHAIN, LLM, TOOL]),
        ("True and False", &[]),
    ]);
}

#[test]
fn text_that_compares_or_indexes_looks_like_a_filter() {
    for text in [
        "span_kind == 'LLM'",
        "latency_ms >",
        "status_code = 'ERROR'",
        "metadata['topic']",
        "parent_id is None",
    ] {
        assert!(looks_like_filter(text), "{text}");
    }
    for text in [
        "ChatOpenAI",
        "error in retrieval",
        "what is the weather?",
        "",
    ] {
        assert!(!looks_like_filter(text), "{text}");
    }
}
