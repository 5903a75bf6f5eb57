//! Every LLM convention the real SDKs of `tests/fixtures/genai/` write (see its README) reads
//! as `EXPECTED.json` says it should: the same spans and traces, the same LLM calls with their
//! models, messages, tool calls and tokens, a cost on every call with tokens, and totals that
//! count each call once. `EXPECTED.json` was computed from the bodies independently of Plume.

mod common;

use plume::analysis::Traces;
use plume::ingest;
use plume::model::{Arena, OiKind, Span, TokenKind, Usd};
use plume::semantics::meaning::{Message, Part};
use plume::semantics::{CostSource, Prices, call_cost, describe};
use serde_json::Value as Json;

use common::{fixture, span_by_id};

fn expected() -> Json {
    serde_json::from_slice(&fixture("genai/EXPECTED.json"))
        .unwrap_or_else(|e| panic!("EXPECTED.json: {e}"))
}

/// The scenario's files loaded into one arena (in the order given: spans, then their logs).
fn load(scenario: &Json) -> (Arena, Traces) {
    let mut arena = Arena::default();
    for file in scenario["files"].as_array().into_iter().flatten() {
        let name = file.as_str().unwrap_or_default();
        let report = ingest::load(&mut arena, name, &fixture(&format!("genai/{name}")));
        assert!(report.is_ok(), "{name}: {:?}", report.errors);
        assert!(report.warnings.is_empty(), "{name}: {:?}", report.warnings);
    }
    let traces = Traces::assemble(&arena);
    (arena, traces)
}

/// A message as `EXPECTED.json` writes it: role, text (`null` when none), tool calls with
/// parsed arguments, and the id of the call a tool message answers.
fn as_expected(message: &Message) -> Json {
    let content = message.content();
    let calls: Vec<Json> = message
        .tool_calls()
        .map(|(id, name, arguments)| {
            // Unrecorded arguments are null; text that is not JSON stays text.
            let arguments = match arguments {
                "" => Json::Null,
                text => serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.into())),
            };
            serde_json::json!({"id": id, "name": name, "arguments": arguments})
        })
        .collect();
    let tool_call_id = message.tool_call_id.clone().or_else(|| {
        message.parts.iter().find_map(|part| match part {
            Part::ToolResult { id, .. } => id.clone(),
            _ => None,
        })
    });
    serde_json::json!({
        "role": message.role,
        "content": (!content.is_empty()).then_some(content),
        "tool_calls": calls,
        "tool_call_id": tool_call_id,
    })
}

/// The fields of an expected message that Plume reads: the same shape as [`as_expected`], the
/// raw argument text and the finish reason aside (finish reasons are checked apart).
fn comparable(message: &Json) -> Json {
    let calls: Vec<Json> = message["tool_calls"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|call| {
            let arguments = match &call["arguments"] {
                Json::Null => call["arguments_raw"].clone(),
                parsed => parsed.clone(),
            };
            serde_json::json!({"id": call["id"], "name": call["name"], "arguments": arguments})
        })
        .collect();
    let content = match &message["content"] {
        Json::String(text) if text.is_empty() => Json::Null,
        other => other.clone(),
    };
    serde_json::json!({
        "role": message["role"],
        "content": content,
        "tool_calls": calls,
        "tool_call_id": message["tool_call_id"],
    })
}

fn messages(expected: &Json) -> Vec<Json> {
    expected
        .as_array()
        .into_iter()
        .flatten()
        .map(comparable)
        .collect()
}

#[test]
fn every_convention_reads_as_expected() {
    let expected = expected();
    let prices = Prices::builtin();
    let scenarios = expected["scenarios"].as_array().expect("scenarios");
    assert_eq!(scenarios.len(), 18);
    for scenario in scenarios {
        let name = scenario["scenario"].as_str().unwrap_or_default();
        let (arena, traces) = load(scenario);
        let overview = traces.overview();
        assert_eq!(
            (overview.spans, overview.traces),
            (
                scenario["span_count"].as_u64().unwrap_or(0),
                scenario["trace_count"].as_u64().unwrap_or(0)
            ),
            "{name}: counts"
        );
        let llm: Vec<&Span> = arena
            .spans()
            .iter()
            .filter(|s| s.oi_kind == OiKind::Llm)
            .collect();
        let calls = scenario["llm_spans"].as_array().expect("llm_spans");
        assert_eq!(llm.len(), calls.len(), "{name}: LLM spans");
        let (mut input, mut output, mut cost) = (0, 0, Usd::ZERO);
        for call in calls {
            let id = call["span_id"].as_str().unwrap_or_default();
            let span = span_by_id(&arena, id);
            let at = format!("{name} {id}");
            assert_eq!(span.oi_kind, OiKind::Llm, "{at}");
            let meaning = describe(&arena, span);
            // The model that answered, else the one asked for; OpenInference names one.
            let model = meaning
                .response_model
                .clone()
                .or(meaning.request_model.clone());
            let models = [
                &call["response_model"],
                &call["request_model"],
                &call["model_name"],
            ];
            assert!(
                models.iter().any(|m| m.as_str() == model.as_deref()),
                "{at}: model {model:?}"
            );
            assert_eq!(
                meaning.provider.as_deref(),
                call["provider"].as_str(),
                "{at}: provider"
            );
            let read_input: Vec<Json> = meaning.input.iter().map(as_expected).collect();
            assert_eq!(read_input, messages(&call["input_messages"]), "{at}: input");
            let read_output: Vec<Json> = meaning.output.iter().map(as_expected).collect();
            assert_eq!(
                read_output,
                messages(&call["output_messages"]),
                "{at}: output"
            );
            if let Some(system) = call["system_instructions"].as_str() {
                assert!(
                    matches!(meaning.system.as_slice(), [Part::Text { text }] if text == system),
                    "{at}: system {:?}",
                    meaning.system
                );
            }
            let usage = &call["usage"];
            let count = |kind| {
                meaning
                    .usage
                    .get(kind)
                    .map(Json::from)
                    .unwrap_or(Json::Null)
            };
            assert_eq!(
                count(TokenKind::Input),
                usage["input"],
                "{at}: input tokens"
            );
            assert_eq!(
                count(TokenKind::Output),
                usage["output"],
                "{at}: output tokens"
            );
            let total = match &usage["total"] {
                Json::Null => &usage["total_derived"],
                total => total,
            };
            assert_eq!(
                meaning.usage.total().map(Json::from).unwrap_or(Json::Null),
                *total,
                "{at}: total"
            );
            if !usage["cached"].is_null() {
                assert_eq!(
                    count(TokenKind::CachedInput),
                    usage["cached"],
                    "{at}: cached"
                );
            }
            let call_facts = arena.call(span).expect("a call");
            match call_cost(&arena, call_facts, span.start_unix_nanos, &prices) {
                Some(c) => {
                    assert!(c.usd > Usd::ZERO, "{at}: cost {:?}", c.usd);
                    cost += c.usd;
                }
                None => assert!(usage["input"].is_null(), "{at}: no cost"),
            }
            input += usage["input"].as_u64().unwrap_or(0);
            output += usage["output"].as_u64().unwrap_or(0);
        }
        // Totals count each call once, however many spans repeat its sum.
        let (mut usage, mut total) = (plume::model::Usage::default(), Usd::ZERO);
        for trace in traces.all() {
            usage.add(&trace.summary.usage);
            total += trace.summary.cost(&arena, &prices).usd;
        }
        assert_eq!(
            (
                usage.count(TokenKind::Input),
                usage.count(TokenKind::Output)
            ),
            (input, output),
            "{name}: summed tokens"
        );
        assert_eq!(total, cost, "{name}: summed cost");
        // Every log record lands on a loaded span.
        let attachment = traces.attach(&arena, arena.logs());
        assert_eq!(
            attachment.records,
            scenario["log_record_count"].as_u64().unwrap_or(0),
            "{name}: log records"
        );
        assert_eq!(attachment.without_span, 0, "{name}: records without a span");
    }
}

#[test]
fn agents_tools_and_steps_get_their_kinds() {
    let expected = expected();
    for scenario in expected["scenarios"].as_array().into_iter().flatten() {
        let name = scenario["scenario"].as_str().unwrap_or_default();
        let (arena, _) = load(scenario);
        for span in arena.spans() {
            let span_name = arena.str(span.name);
            let kind = match span_name {
                n if n.starts_with("execute_tool") || n == "ai.toolCall" => OiKind::Tool,
                n if n.starts_with("invoke_agent") => OiKind::Agent,
                n if n.starts_with("step ") => OiKind::Chain,
                "ai.generateText" | "ai.streamText" => OiKind::Agent,
                // Spans the application wrote itself, outside any convention.
                "weather_turn" => OiKind::Unknown,
                _ => continue,
            };
            assert_eq!(span.oi_kind, kind, "{name}: {span_name}");
        }
    }
}

#[test]
fn recorded_costs_are_kept_and_parents_that_repeat_sums_are_not_counted() {
    let expected = expected();
    let scenario = expected["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["scenario"] == "pydantic-ai-02")
        .expect("pydantic-ai-02");
    let (arena, traces) = load(scenario);
    let prices = Prices::builtin();
    // Pydantic AI records each call's cost (`operation.cost`): it is kept, marked recorded.
    let chat = span_by_id(&arena, "123abe1e76eda648");
    let cost = call_cost(&arena, arena.call(chat).expect("a call"), 0, &prices).expect("a cost");
    assert_eq!(
        (cost.usd, cost.source),
        (Usd::from_dollars(0.0004008), CostSource::Recorded)
    );
    let trace = &traces.all()[0];
    let total = trace.summary.cost(&arena, &prices);
    assert_eq!(total.recorded_calls, 2);
    assert_eq!(total.usd, Usd::from_dollars(0.0006972 + 0.0004008));
    // Vercel's agent span repeats its chat spans' usage: it is marked, and not counted.
    let vercel = expected["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["scenario"] == "vercel-ai-01")
        .expect("vercel-ai-01");
    let (arena, traces) = load(vercel);
    let trace = &traces.all()[0];
    let agent_row = (0..trace.tree.len())
        .find(|&row| {
            arena.str(arena.spans()[trace.tree.span[row] as usize].name) == "invoke_agent gpt-4o"
        })
        .expect("the agent span");
    assert_ne!(
        trace.tree.flags[agent_row] & plume::analysis::flags::SUMS_CALLS_BELOW,
        0
    );
    assert_eq!(trace.summary.usage.get(TokenKind::Input), Some(875 + 300));
}
