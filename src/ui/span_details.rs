//! The details panel: one span, shown by kind as Phoenix shows it (chat messages for LLM calls,
//! documents for retrievers, …), then its evaluations, events, links, every attribute, and where
//! it came from. Every value from the trace is rendered as text.

use std::rc::Rc;

use yew::prelude::*;

use crate::attributes::{Map, Value};
use crate::engine::protocol::{EventView, LinkView, Request, Response, SpanDetails};
use crate::present::format;
use crate::present::openinference::{
    self as oi, ContentPart, Document, Message, io_value, pretty, string, token_counts,
};
use crate::present::route::Route;
use crate::ui::attribute_tree::Attributes;
use crate::ui::copy::CopyButton;
use crate::ui::kind::KindBadge;
use crate::ui::long_text::LongText;
use crate::ui::query::use_query;

/// The panel's properties.
#[derive(Properties, PartialEq)]
pub struct SpanDetailsPanelProps {
    /// Hex trace id.
    pub trace_id: AttrValue,
    /// Hex span id.
    pub span_id: AttrValue,
    /// The loads version.
    pub version: u32,
    /// Closes the panel.
    pub on_close: Callback<()>,
}

/// See the module docs.
#[component]
pub fn SpanDetailsPanel(props: &SpanDetailsPanelProps) -> Html {
    let answer = use_query(
        (props.trace_id.clone(), props.span_id.clone(), props.version),
        |(trace_id, span_id, _)| Request::SpanDetails {
            trace_id: trace_id.to_string(),
            span_id: span_id.to_string(),
        },
    );
    let close = props.on_close.reform(|_: MouseEvent| ());
    let body = match answer.as_deref() {
        Some(Response::SpanDetails(details)) if details.span_id == props.span_id.as_str() => {
            html! { <SpanDetailsView details={Rc::new((**details).clone())} /> }
        }
        Some(Response::NotFound(what)) => {
            html! { <p class="muted">{ format!("Not loaded: {what}") }</p> }
        }
        _ => html! { <p class="muted">{"Loading…"}</p> },
    };
    html! {
        <aside class="details" data-testid="span-details" data-span-id={props.span_id.clone()} aria-label="Span details">
            <button class="button small close" onclick={close} title="Close (Esc)">{"×"}</button>
            { body }
        </aside>
    }
}

/// The body's properties.
#[derive(Properties, PartialEq)]
pub struct SpanDetailsViewProps {
    /// What the engine answered about the span.
    pub details: Rc<SpanDetails>,
}

/// The panel's body: everything about one span, as the engine answered it.
#[component]
pub fn SpanDetailsView(props: &SpanDetailsViewProps) -> Html {
    let d = &*props.details;
    let status_class = d.status.to_lowercase();
    let parent = match (&d.parent_id, d.parent_loaded) {
        (Some(parent), true) => {
            let href = Route::Trace {
                trace_id: d.trace_id.clone(),
                span_id: Some(parent.clone()),
            }
            .to_fragment();
            html! { <a {href} class="mono">{ parent.clone() }</a> }
        }
        (Some(parent), false) => {
            html! { <span class="mono" title="not loaded">{ format!("{parent} (not loaded)") }</span> }
        }
        (None, _) => html! { <span class="muted">{"none (a root)"}</span> },
    };
    html! {
        <>
            <header class="details-head">
                <h2>{ d.name.clone() }</h2>
                <div class="badges">
                    <KindBadge kind={d.kind.clone()} />
                    <span class={classes!("status", status_class)}>{ d.status.clone() }</span>
                    <span class="muted">{ d.otel_kind.clone() }</span>
                </div>
                if !d.status_message.is_empty() {
                    <div class="problem error"><LongText text={d.status_message.clone()} /></div>
                }
                <dl class="facts">
                    <dt>{"Duration"}</dt>
                    <dd>{ if d.unfinished { "unfinished".to_owned() } else { format::duration(d.duration_nanos) } }</dd>
                    <dt>{"Start"}</dt>
                    <dd>{ format!("{} UTC (+{})", format::time(d.start_nanos), format::duration(d.offset_nanos)) }</dd>
                    <dt>{"Span"}</dt>
                    <dd><span class="mono">{ d.span_id.clone() }</span><CopyButton value={d.span_id.clone()} /></dd>
                    <dt>{"Trace"}</dt>
                    <dd><span class="mono">{ d.trace_id.clone() }</span><CopyButton value={d.trace_id.clone()} /></dd>
                    <dt>{"Parent"}</dt>
                    <dd>{ parent }</dd>
                </dl>
            </header>
            { kind_view(d) }
            { evaluations(d) }
            { events(&d.events) }
            { links(&d.links) }
            <section>
                <h3>{"Attributes"}</h3>
                <Attributes nested={d.attributes.clone()} flat={d.flat_attributes.clone()} />
            </section>
            <section>
                <h3>{"Resource and scope"}</h3>
                <dl class="facts">
                    <dt>{"Project"}</dt><dd>{ d.project.clone() }</dd>
                    <dt>{"Scope"}</dt><dd class="mono">{ format!("{} {}", d.scope_name, d.scope_version) }</dd>
                    <dt>{"From"}</dt><dd class="mono">{ d.source.clone() }</dd>
                </dl>
                { kv_table(&d.resource) }
            </section>
        </>
    }
}

fn section(title: &str, body: Html) -> Html {
    html! { <section><h3>{ title.to_owned() }</h3>{ body }</section> }
}

fn kv_table(map: &Map) -> Html {
    if map.is_empty() {
        return html! {};
    }
    html! {
        <table class="kv">
            { for map.iter().map(|(k, v)| html! {
                <tr><th class="mono">{ k.to_owned() }</th><td><LongText text={oi::text(v)} /></td></tr>
            }) }
        </table>
    }
}

/// `input.value` and `output.value`, pretty when JSON.
fn input_output(a: &Map) -> Html {
    let block = |root: &str, title: &str| match io_value(a, root) {
        Some(text) => section(title, html! { <LongText {text} pre=true /> }),
        None => html! {},
    };
    html! { <>{ block("input", "Input") }{ block("output", "Output") }</> }
}

fn kind_view(d: &SpanDetails) -> Html {
    let a = &d.attributes;
    match d.kind.as_str() {
        "LLM" => llm_view(a),
        "RETRIEVER" => html! {
            <>
                { input_output_only(a, "input", "Query") }
                { documents("Documents", &oi::documents(a, "retrieval.documents")) }
            </>
        },
        "RERANKER" => html! {
            <>
                { facts(&[("Model", string(a, "reranker.model_name")), ("Query", string(a, "reranker.query")), ("Top k", string(a, "reranker.top_k"))]) }
                { documents("Input documents", &oi::documents(a, "reranker.input_documents")) }
                { documents("Output documents", &oi::documents(a, "reranker.output_documents")) }
            </>
        },
        "EMBEDDING" => {
            let embeddings = oi::embeddings(a);
            html! {
                <>
                    { facts(&[("Model", string(a, "embedding.model_name"))]) }
                    if !embeddings.is_empty() {
                        { section("Embeddings", html! {
                            <ol class="embeddings">
                                { for embeddings.iter().map(|e| html! {
                                    <li><LongText text={e.text.clone().unwrap_or_default()} />
                                        <span class="muted">{ format!("vector of {} numbers", e.dimensions) }</span></li>
                                }) }
                            </ol>
                        }) }
                    }
                    { input_output(a) }
                </>
            }
        }
        "TOOL" => html! {
            <>
                { facts(&[("Tool", string(a, "tool.name")), ("Description", string(a, "tool.description"))]) }
                if let Some(parameters) = a.get_path("tool.parameters") {
                    { section("Parameters", html! { <LongText text={pretty(parameters)} pre=true /> }) }
                }
                { input_output(a) }
            </>
        },
        _ => input_output(a),
    }
}

fn input_output_only(a: &Map, root: &str, title: &str) -> Html {
    match io_value(a, root) {
        Some(text) => section(title, html! { <LongText {text} pre=true /> }),
        None => html! {},
    }
}

fn facts(items: &[(&str, Option<String>)]) -> Html {
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

fn llm_view(a: &Map) -> Html {
    let input = oi::messages(a, "llm.input_messages");
    let output = oi::messages(a, "llm.output_messages");
    let tokens = token_counts(a);
    let tools: Vec<String> = match a.get_path("llm.tools") {
        Some(Value::Array(tools)) => tools
            .iter()
            .filter_map(|t| match t {
                Value::Map(m) => m.get_path("tool.json_schema").map(pretty),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    html! {
        <>
            { facts(&[
                ("Model", string(a, "llm.model_name")),
                ("Provider", string(a, "llm.provider").or_else(|| string(a, "llm.system"))),
                ("Finish reason", string(a, "llm.finish_reason")),
            ]) }
            if input.is_empty() && output.is_empty() {
                { input_output(a) }
            } else {
                { section("Input messages", chat(&input)) }
                { section("Output messages", chat(&output)) }
            }
            if !tokens.is_empty() {
                { section("Tokens", html! {
                    <table class="kv tokens">
                        { for tokens.iter().map(|(k, v)| html! { <tr><th>{ k.clone() }</th><td class="num">{ format::count(*v as u64) }</td></tr> }) }
                    </table>
                }) }
            }
            if let Some(parameters) = a.get_path("llm.invocation_parameters") {
                { section("Invocation parameters", html! { <LongText text={pretty(parameters)} pre=true /> }) }
            }
            if let Some(template) = string(a, "llm.prompt_template.template") {
                { section("Prompt template", html! {
                    <>
                        <LongText text={template} pre=true />
                        if let Some(variables) = a.get_path("llm.prompt_template.variables") {
                            <h4>{"Variables"}</h4><LongText text={pretty(variables)} pre=true />
                        }
                        if let Some(version) = string(a, "llm.prompt_template.version") {
                            <p class="muted">{ format!("version {version}") }</p>
                        }
                    </>
                }) }
            }
            if !tools.is_empty() {
                { section("Tools offered", html! { <>{ for tools.into_iter().map(|t| html! { <LongText text={t} pre=true /> }) }</> }) }
            }
        </>
    }
}

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
                    </div>
                    if let Some(content) = &m.content { <LongText text={content.clone()} /> }
                    { for m.parts.iter().map(|part| match part {
                        ContentPart::Text(text) => html! { <LongText text={text.clone()} /> },
                        ContentPart::Image(url) => html! { <div class="image-ref">{"image: "}<LongText text={url.clone()} /></div> },
                        ContentPart::Other(json) => html! { <LongText text={json.clone()} pre=true /> },
                    }) }
                    { for m.tool_calls.iter().map(|call| html! {
                        <div class="tool-call">
                            <div><span class="muted">{"calls "}</span><strong class="mono">{ call.name.clone() }</strong>
                                if let Some(id) = &call.id { <span class="muted mono">{ format!(" ({id})") }</span> }</div>
                            <LongText text={call.arguments.clone()} pre=true />
                        </div>
                    }) }
                </div>
            }) }
        </div>
    }
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

fn evaluations(d: &SpanDetails) -> Html {
    if d.evaluations.is_empty() {
        return html! {};
    }
    section(
        "Evaluations",
        html! {
            <table class="kv">
                { for d.evaluations.iter().map(|e| html! {
                    <tr>
                        <th>{ match e.document { Some(position) => format!("{} (document {position})", e.name), None => e.name.clone() } }</th>
                        <td>{ e.label.clone().unwrap_or_default() }</td>
                        <td class="num">{ e.score.map(|s| format!("{s:.3}")).unwrap_or_default() }</td>
                        <td><LongText text={e.explanation.clone().unwrap_or_default()} /></td>
                    </tr>
                }) }
            </table>
        },
    )
}

fn events(events: &[EventView]) -> Html {
    if events.is_empty() {
        return html! {};
    }
    section(
        "Events",
        html! {
            <ol class="events">
                { for events.iter().map(|e| {
                    let field = |key: &str| e.attributes.get(key).map(oi::text);
                    html! {
                        <li class={classes!("event", (e.name == "exception").then_some("exception"))} data-testid="event">
                            <div><strong>{ e.name.clone() }</strong><span class="muted">{ format!(" +{}", format::duration(e.offset_nanos)) }</span></div>
                            if e.name == "exception" {
                                <div class="exception-type mono">{ field("exception.type").unwrap_or_default() }</div>
                                if let Some(message) = field("exception.message") { <LongText text={message} /> }
                                if let Some(stack) = field("exception.stacktrace") {
                                    <div data-testid="stacktrace"><LongText text={stack} pre=true /></div>
                                }
                            } else {
                                { kv_table(&e.attributes) }
                            }
                        </li>
                    }
                }) }
            </ol>
        },
    )
}

fn links(links: &[LinkView]) -> Html {
    if links.is_empty() {
        return html! {};
    }
    section(
        "Links",
        html! {
            <ul class="links">
                { for links.iter().map(|l| {
                    let label = format!("{} / {}", l.trace_id, l.span_id);
                    html! {
                        <li>
                            if l.loaded {
                                <a class="mono" href={Route::Trace { trace_id: l.trace_id.clone(), span_id: Some(l.span_id.clone()) }.to_fragment()}>{ label }</a>
                            } else {
                                <span class="mono" title="not loaded">{ format!("{label} (not loaded)") }</span>
                            }
                            { kv_table(&l.attributes) }
                        </li>
                    }
                }) }
            </ul>
        },
    )
}
