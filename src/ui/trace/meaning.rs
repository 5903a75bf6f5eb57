//! What a span means, as the details pane shows it: the call's facts, cost and tokens, the
//! conversation with its tool calls, tools offered, parameters, documents, a tool's run, and the
//! log records about it — read by the engine from whichever convention wrote the span
//! ([`crate::semantics::Meaning`]). Every value is rendered as text.

use yew::prelude::*;

use crate::attributes::{Map, pretty_json, pretty_json_nested, value_text};
use crate::engine::protocol::{LogView, SpanDetails};
use crate::model::Usd;
use crate::present::{details, format};
use crate::semantics::meaning::{Document, Message, Part, ToolDefinition};
use crate::ui::common::long_text::LongText;
use crate::ui::trace::message_media::{MessageImage, MessageMedia};
use crate::ui::trace::message_text::{MessageText, TextModeToggle};
use crate::ui::trace::section::Section;

/// A titled section of the details pane, open at first.
pub(crate) fn section(title: &str, body: Html) -> Html {
    html! { <Section title={title.to_owned()}>{ body }</Section> }
}

/// `text` pretty-printed when it is JSON, as pre-formatted text.
fn code(text: &str) -> Html {
    html! { <JsonText text={text.to_owned()} /> }
}

/// The text's properties.
#[derive(Properties, PartialEq)]
struct JsonTextProps {
    text: AttrValue,
}

/// JSON pretty-printed, and the JSON its strings hold shown as JSON too, with *Raw* to see the
/// strings as they are.
#[component]
fn JsonText(props: &JsonTextProps) -> Html {
    let raw = use_state(|| false);
    let nested = use_memo(props.text.clone(), |text| pretty_json_nested(text));
    let plain = || pretty_json(&props.text).unwrap_or_else(|| props.text.to_string());
    let Some(nested) = (*nested).clone() else {
        return html! { <LongText text={plain()} pre=true /> };
    };
    let toggle = {
        let raw = raw.clone();
        Callback::from(move |_: MouseEvent| raw.set(!*raw))
    };
    html! {
        <div class="json-text" data-testid="json-text">
            <button class="button small raw-toggle" onclick={toggle} aria-pressed={raw.to_string()}
                    data-testid="json-raw">{ if *raw { "Nested JSON" } else { "Raw" } }</button>
            <LongText text={if *raw { plain() } else { nested }} pre=true />
        </div>
    }
}

/// Name–value rows, those with a value only.
pub(crate) fn facts(items: &[(&str, Option<String>)]) -> Html {
    let present: Vec<&(&str, Option<String>)> = items.iter().filter(|(_, v)| v.is_some()).collect();
    if present.is_empty() {
        return html! {};
    }
    html! {
        <dl class="facts">
            { for present.into_iter().map(|(k, v)| html! {
                <><dt>{ *k }</dt><dd><LongText text={v.clone().unwrap_or_default()} /></dd></>
            }) }
        </dl>
    }
}

/// A flat key–value table.
pub(crate) fn kv_table(map: &Map) -> Html {
    if map.is_empty() {
        return html! {};
    }
    html! {
        <table class="kv">
            { for map.iter().map(|(k, v)| html! {
                <tr><th class="mono">{ k.to_owned() }</th><td><LongText text={value_text(v)} /></td></tr>
            }) }
        </table>
    }
}

/// Everything the span means, in reading order.
pub(crate) fn meaning_view(d: &SpanDetails) -> Html {
    let m = &d.meaning;
    html! {
        <>
            { call_facts(d) }
            { tokens(d) }
            if !m.system.is_empty() {
                { section("System instructions", html! { <div class="chat"><div class="bubble system">{ parts(&m.system) }</div></div> }) }
            }
            if !m.input.is_empty() || !m.output.is_empty() {
                <div class="chat-tools"><TextModeToggle /></div>
                { section("Input messages", chat(&m.input)) }
                { section("Output messages", chat(&m.output)) }
            }
            { tool_use(d) }
            if let Some(query) = &m.query { { section("Query", html! { <LongText text={query.clone()} /> }) } }
            { documents("Documents", &m.documents) }
            { documents("Reranked documents", &m.reranked) }
            { embeddings(d) }
            if m.input.is_empty() && m.output.is_empty() {
                if let Some(input) = &m.input_value { { section("Input", code(input)) } }
                if let Some(output) = &m.output_value { { section("Output", code(output)) } }
            }
            { tools_offered(&m.tools) }
            if !m.parameters.is_empty() {
                { section("Invocation parameters", html! {
                    <table class="kv">
                        { for m.parameters.iter().map(|(k, v)| html! { <tr><th class="mono">{ k.clone() }</th><td><LongText text={v.clone()} /></td></tr> }) }
                    </table>
                }) }
            }
            if let Some(template) = &m.prompt_template {
                { section("Prompt template", html! {
                    <>
                        <LongText text={template.template.clone()} pre=true />
                        if let Some(variables) = &template.variables { <h4>{"Variables"}</h4>{ code(variables) } }
                        if let Some(version) = &template.version { <p class="muted">{ format!("version {version}") }</p> }
                    </>
                }) }
            }
            { logs(&d.logs) }
        </>
    }
}

/// Model, provider, agent, operation, finish reasons, cost (recorded or estimated, by part),
/// what the calls of its subtree add up to, and the convention it was read in.
fn call_facts(d: &SpanDetails) -> Html {
    let m = &d.meaning;
    let model = match (&m.request_model, &m.response_model) {
        (Some(asked), Some(answered)) if asked != answered => {
            Some(format!("{answered} (asked for {asked})"))
        }
        (asked, answered) => answered.clone().or(asked.clone()),
    };
    let convention =
        (m.dialect != crate::model::Dialect::None).then(|| m.dialect.name().to_owned());
    facts(&[
        ("Model", model),
        ("Provider", m.provider.clone()),
        ("Agent", m.agent.clone()),
        ("Operation", m.operation.clone()),
        (
            "Finish reason",
            (!m.finish_reasons.is_empty()).then(|| m.finish_reasons.join(", ")),
        ),
        ("Error type", m.error_type.clone()),
        ("Cost", cost(d)),
        ("Calls in this subtree", subtree(d)),
        ("Convention", convention),
    ])
}

/// The span's own cost, by part: `$0.00305 estimated (input $0.00225 · output $0.0008)`.
fn cost(d: &SpanDetails) -> Option<String> {
    let Some(c) = d.cost else {
        return (!d.meaning.usage.is_empty()).then(|| "no price for this model".to_owned());
    };
    let parts = c.parts.map(|p| {
        let shown: Vec<String> = [
            ("input", p.input),
            ("cached input", p.cached_input),
            ("cache writes", p.cache_write),
            ("output", p.output),
        ]
        .into_iter()
        .filter(|(_, usd)| *usd > Usd::ZERO)
        .map(|(what, usd)| format!("{what} {}", format::usd(usd)))
        .collect();
        format!(" ({})", shown.join(" · "))
    });
    Some(format!(
        "{} {}{}",
        format::usd(c.usd),
        c.source.name(),
        parts.unwrap_or_default()
    ))
}

/// What the counted calls under the span add up to.
fn subtree(d: &SpanDetails) -> Option<String> {
    let s = d.subtree.as_ref()?;
    Some(format!(
        "{} · {} tokens{}",
        format::counted(s.calls.into(), "call", "calls"),
        format::count(s.usage.total().unwrap_or(0)),
        format::cost(&s.cost)
            .map(|c| format!(" · {c}"))
            .unwrap_or_default()
    ))
}

/// The call's tokens, in one line.
fn tokens(d: &SpanDetails) -> Html {
    let usage = &d.meaning.usage;
    if usage.is_empty() {
        return html! {};
    }
    section(
        "Tokens",
        html! { <p class="tokens" data-testid="tokens">{ details::token_line(usage) }</p> },
    )
}

/// A conversation: one bubble per message.
fn chat(messages: &[Message]) -> Html {
    if messages.is_empty() {
        return html! { <p class="muted">{"none"}</p> };
    }
    html! {
        <div class="chat">
            { for messages.iter().map(|m| html! {
                <div class={classes!("bubble", m.role.to_lowercase())} data-testid="chat-message">
                    <div class="role">
                        { m.role.clone() }
                        if let Some(name) = &m.name { <span class="muted">{ format!(" · {name}") }</span> }
                        if let Some(id) = &m.tool_call_id { <span class="muted">{ format!(" · answers {id}") }</span> }
                        if let Some(reason) = &m.finish_reason { <span class="muted">{ format!(" · {reason}") }</span> }
                    </div>
                    { parts(&m.parts) }
                </div>
            }) }
        </div>
    }
}

/// A message's parts: its reasoning first, apart and folded, then the rest in order.
fn parts(parts: &[Part]) -> Html {
    let reasoning: Vec<&str> = (parts.iter())
        .filter_map(|part| match part {
            Part::Reasoning { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    html! {
        <>
        if !reasoning.is_empty() {
            <details class="reasoning" data-testid="reasoning">
                <summary class="muted">{ format!("Reasoning · {} words", reasoning.iter().map(|t| t.split_whitespace().count()).sum::<usize>()) }</summary>
                { for reasoning.iter().map(|text| html! { <LongText text={text.to_string()} /> }) }
            </details>
        }
        { for parts.iter().map(|part| match part {
            Part::Text { text } => html! { <MessageText text={text.clone()} /> },
            Part::Reasoning { .. } => html! {},
            Part::Image { url } => html! { <MessageImage url={url.clone()} /> },
            Part::Media { kind, mime_type, reference, name, size, data, transcript } => html! {
                <MessageMedia kind={kind.clone()} mime_type={mime_type.clone().map(AttrValue::from)} reference={reference.clone()}
                              name={name.clone().map(AttrValue::from)} size={*size} data={data.clone().map(AttrValue::from)}
                              transcript={transcript.clone().map(AttrValue::from)} />
            },
            Part::ToolCall { id, name, arguments } => html! {
                <div class="tool-call" data-testid="tool-call">
                    <div><span class="muted">{"calls "}</span><strong class="mono">{ name.clone() }</strong>
                        if let Some(id) = id { <span class="muted mono">{ format!(" ({id})") }</span> }</div>
                    { code(arguments) }
                </div>
            },
            Part::ToolResult { id, name, result } => html! {
                <div class="tool-result" data-testid="tool-result">
                    <div class="muted">{ format!("result{}{}", name.as_deref().map(|n| format!(" of {n}")).unwrap_or_default(), id.as_deref().map(|i| format!(" for {i}")).unwrap_or_default()) }</div>
                    { code(result) }
                </div>
            },
            Part::Other { json } => code(json),
        }) }
        </>
    }
}

/// A TOOL span's run: its tool, the call it answers, its arguments and result.
fn tool_use(d: &SpanDetails) -> Html {
    let Some(tool) = &d.meaning.tool else {
        return html! {};
    };
    html! {
        <>
            { facts(&[("Tool", tool.name.clone()), ("Call", tool.call_id.clone()), ("Description", tool.description.clone())]) }
            if let Some(parameters) = &tool.parameters { { section("Parameters", code(parameters)) } }
            if let Some(arguments) = &tool.arguments { { section("Arguments", code(arguments)) } }
            if let Some(result) = &tool.result { { section("Result", code(result)) } }
        </>
    }
}

fn tools_offered(tools: &[ToolDefinition]) -> Html {
    if tools.is_empty() {
        return html! {};
    }
    section(
        "Tools offered",
        html! {
            <ul class="tools-offered">
                { for tools.iter().map(|t| html! {
                    <li>
                        <details data-testid="tool-offered">
                            <summary>
                                <strong class="mono">{ t.name.clone() }</strong>
                                if let Some(description) = &t.description { <span class="muted">{ format!(" — {description}") }</span> }
                            </summary>
                            if let Some(schema) = &t.schema { { code(schema) } }
                        </details>
                    </li>
                }) }
            </ul>
        },
    )
}

fn documents(title: &str, documents: &[Document]) -> Html {
    if documents.is_empty() {
        return html! {};
    }
    section(
        title,
        html! {
            <ol class="documents">
                { for documents.iter().enumerate().map(|(i, d)| html! {
                    <li class="document" data-testid="document">
                        <div class="doc-head">
                            <span class="muted">{ format!("#{i}") }</span>
                            if let Some(id) = &d.id { <span class="mono">{ id.clone() }</span> }
                            if let Some(score) = d.score { <span class="score">{ format!("score {score:.3}") }</span> }
                        </div>
                        if let Some(content) = &d.content { <LongText text={content.clone()} /> }
                        if let Some(metadata) = &d.metadata { <LongText text={metadata.clone()} pre=true /> }
                    </li>
                }) }
            </ol>
        },
    )
}

fn embeddings(d: &SpanDetails) -> Html {
    let embeddings = &d.meaning.embeddings;
    if embeddings.is_empty() {
        return html! {};
    }
    section(
        "Embeddings",
        html! {
            <ol class="embeddings">
                { for embeddings.iter().map(|e| html! {
                    <li><LongText text={e.text.clone().unwrap_or_default()} />
                        if e.dimensions > 0 { <span class="muted">{ format!("vector of {} numbers", e.dimensions) }</span> }</li>
                }) }
            </ol>
        },
    )
}

/// Log records, in time order: time, severity, event name, body, attributes.
pub(crate) fn logs(logs: &[LogView]) -> Html {
    if logs.is_empty() {
        return html! {};
    }
    section(
        "Logs",
        html! {
            <ol class="events logs">
                { for logs.iter().map(|log| html! {
                    <li class={classes!("event", (log.severity_number >= 17).then_some("exception"))} data-testid="log-record">
                        <div>
                            <strong>{ if log.event_name.is_empty() { "log".to_owned() } else { log.event_name.clone() } }</strong>
                            if !log.severity.is_empty() { <span class="chip">{ log.severity.clone() }</span> }
                            if log.time_nanos > 0 { <span class="muted">{ format!(" {} UTC", format::time(log.time_nanos)) }</span> }
                        </div>
                        if !log.body.is_empty() { <LongText text={log.body.clone()} pre=true /> }
                        { kv_table(&log.attributes) }
                    </li>
                }) }
            </ol>
        },
    )
}
