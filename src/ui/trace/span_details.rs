//! The details panel: one span, shown by what it means (chat messages for LLM calls, documents
//! for retrievers, a tool's run…, in whichever convention it was written: `ui/meaning.rs`),
//! then its evaluations, events, links, every attribute, and where it came from. Every value
//! from the trace is rendered as text.

use std::rc::Rc;

use yew::prelude::*;

use crate::attributes::value_text;
use crate::engine::messages::Query;
use crate::engine::protocol::{EvaluationView, EventView, LinkView, SpanAt, SpanDetails};
use crate::present::route::Route;
use crate::present::{details, format};
use crate::store::StoredTarget;
use crate::ui::common::attribute_tree::Attributes;
use crate::ui::common::copy::CopyButton;
use crate::ui::common::kind::KindBadge;
use crate::ui::common::long_text::LongText;
use crate::ui::query::{shown, use_query};
use crate::ui::trace::annotations::Annotations;
use crate::ui::trace::compare_pick::ComparePickButton;
use crate::ui::trace::meaning::{kv_table, meaning_view, section};
use crate::ui::trace::message_text::{TextMode, use_text_mode};
use crate::ui::trace::section::{Section, SectionKind};

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
        |(trace_id, span_id, _)| Query::span_details(trace_id.to_string(), span_id.to_string()),
    );
    let close = props.on_close.reform(|_: MouseEvent| ());
    let loading = html! { <p class="muted">{"Loading…"}</p> };
    let body = match shown(answer, loading.clone()) {
        Ok(details) if details.span_id == props.span_id.as_str() => {
            html! { <SpanDetailsView details={Rc::new((**details).clone())} /> }
        }
        Ok(_) => loading,
        Err(instead) => instead,
    };
    html! {
        <aside class="details" data-testid="span-details" data-span-id={props.span_id.clone()} aria-label="Span details">
            <button class="button small back" onclick={close.clone()}>{"← Spans"}</button>
            <button class="button small close" onclick={close} title="Close (Esc)" aria-label="Close the details">{"×"}</button>
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
    let text_mode = use_text_mode();
    let d = &*props.details;
    let status_class = d.status.to_lowercase();
    let parent = match (&d.parent_id, d.parent_loaded) {
        (Some(parent), true) => {
            let href = Route::Trace {
                trace_id: d.trace_id.clone(),
                span_id: Some(parent.clone()),
                search: None,
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
        // The sections remember being opened or closed per kind of span; messages show as
        // Markdown or as text, as the user chose.
        <ContextProvider<TextMode> context={text_mode}>
        <ContextProvider<SectionKind> context={SectionKind(d.kind.clone().into())}>
            <header class="details-head">
                <SpanName name={d.name.clone()} />
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
                <ComparePickButton at={SpanAt { trace_id: d.trace_id.clone(), span_id: d.span_id.clone() }} name={d.name.clone()} />
            </header>
            { meaning_view(d) }
            { evaluations(d) }
            { annotations(d) }
            { events(&d.events) }
            { links(&d.links) }
            <Section title="Attributes" open={details::opens_at_first("Attributes", &d.meaning)}>
                <Attributes nested={d.attributes.clone()} flat={d.flat_attributes.clone()} />
            </Section>
            <Section title="Resource and scope" open={details::opens_at_first("Resource and scope", &d.meaning)}>
                <dl class="facts">
                    <dt>{"Project"}</dt><dd>{ d.project.clone() }</dd>
                    <dt>{"Scope"}</dt><dd class="mono">{ format!("{} {}", d.scope_name, d.scope_version) }</dd>
                    <dt>{"From"}</dt><dd class="mono" data-testid="span-source">{ d.source.clone() }</dd>
                </dl>
                { kv_table(&d.resource) }
            </Section>
        </ContextProvider<SectionKind>>
        </ContextProvider<TextMode>>
    }
}

/// What people noted on the span, and on its whole trace.
fn annotations(d: &SpanDetails) -> Html {
    // A document's annotations (from files) show with the evaluations: none is made here.
    let human = |all: &[EvaluationView]| {
        (all.iter()
            .filter(|e| e.human && e.document.is_none())
            .cloned())
        .collect::<Vec<_>>()
    };
    let on_trace = d.trace_annotations.len();
    html! {
        // Open when there are some: a span nobody annotated keeps the pane short.
        <Section title="Annotations" open={d.evaluations.iter().any(|e| e.human) || on_trace > 0}>
            // Keyed: another span's forms start empty, not with what was typed for this one.
            <Annotations key={d.span_id.clone()} target={StoredTarget::Span(d.span_id.clone())} annotations={human(&d.evaluations)}
                         words={d.annotation_words.clone()} of="span" />
            <details class="trace-annotations" open={on_trace > 0}>
                <summary>{ match on_trace { 0 => "On the whole trace".to_owned(), n => format!("On the whole trace ({n})") } }</summary>
                <Annotations target={StoredTarget::Trace(d.trace_id.clone())} annotations={d.trace_annotations.clone()}
                             words={d.annotation_words.clone()} of="trace" />
            </details>
        </Section>
    }
}

fn evaluations(d: &SpanDetails) -> Html {
    // A person's annotations have their own section.
    let shown = |e: &&EvaluationView| !e.human || e.document.is_some();
    if !d.evaluations.iter().any(|e| shown(&e)) {
        return html! {};
    }
    section(
        "Evaluations",
        html! {
            <table class="kv">
                { for d.evaluations.iter().filter(shown).map(|e| html! {
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
                    let field = |key: &str| e.attributes.get(key).map(value_text);
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
                                <a class="mono" href={Route::Trace { trace_id: l.trace_id.clone(), span_id: Some(l.span_id.clone()), search: None }.to_fragment()}>{ label }</a>
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

/// The name's properties.
#[derive(Properties, PartialEq)]
struct SpanNameProps {
    name: String,
}

/// Names longer than this many characters are clamped to a few lines, with *more*.
const LONG_NAME_CHARS: usize = 160;

/// The span's name: whole, or clamped to a few lines with *more* when it is long.
#[component]
fn SpanName(props: &SpanNameProps) -> Html {
    let open = use_state(|| false);
    let long = props.name.chars().count() > LONG_NAME_CHARS;
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    html! {
        <>
            <h2 class={classes!((long && !*open).then_some("clamped"))} data-testid="span-name">{ props.name.clone() }</h2>
            if long {
                <button class="button small" onclick={toggle} data-testid="span-name-more">{ if *open { "less" } else { "more" } }</button>
            }
        </>
    }
}
