//! Component tests: the viewer's parts rendered by Yew, alone, in headless Chromium
//! (`wasm-bindgen-test`; `./dev test` runs them with Debian's chromedriver).
//!
//! The span details are rendered from what the real engine answers about the real fixtures, the
//! same engine the worker runs, so these tests cover the step from a span to its pixels.
#![cfg(target_arch = "wasm32")]
// clippy's test exemption only knows `#[test]`; these are `#[wasm_bindgen_test]`.
#![allow(
    clippy::expect_used,
    reason = "a test fails loudly on what it did not expect"
)]

use std::rc::Rc;
use std::time::Duration;

use plume::attributes::{Value, unflatten};
use plume::engine::Engine;
use plume::engine::protocol::{Request, Response, SpanDetails};
use plume::ui::widgets::{
    Attributes, AttributesProps, KindBadge, KindBadgeProps, LongText, LongTextProps,
    SpanDetailsView, SpanDetailsViewProps, VirtualList, VirtualListProps,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};
use yew::{AttrValue, BaseComponent, Callback, html};

wasm_bindgen_test_configure!(run_in_browser);

const HOSTILE: &str = "<img src=x onerror=alert(1)><script>window.pwned=1</script>";

/// A fresh element in `<body>`, with the viewer's stylesheet in force.
fn root() -> Element {
    let document = gloo::utils::document();
    if document.get_element_by_id("plume-css").is_none() {
        let style = document.create_element("style").expect("a style element");
        style.set_id("plume-css");
        style.set_text_content(Some(include_str!("../static/plume.css")));
        gloo::utils::head().append_child(&style).expect("appended");
    }
    let root = document.create_element("div").expect("a div");
    gloo::utils::body().append_child(&root).expect("appended");
    root
}

/// Renders `C` into a fresh element and lets Yew finish rendering and running effects.
async fn render<C: BaseComponent>(props: C::Properties) -> Element {
    let root = root();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    settle().await;
    root
}

/// Lets pending renders, effects and the re-renders they cause finish.
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(20)).await;
}

/// Waits until `done` holds (the page rendered what it will), for at most 5 s: on a busy machine
/// a re-render can take longer than any fixed pause.
async fn until(done: impl Fn() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        yew::platform::time::sleep(Duration::from_millis(10)).await;
    }
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let found = root.query_selector_all(selector).expect("a valid selector");
    (0..found.length())
        .filter_map(|i| found.item(i)?.dyn_into::<Element>().ok())
        .collect()
}

fn text(element: &Element) -> String {
    element.text_content().unwrap_or_default()
}

async fn click(root: &Element, selector: &str) {
    root.query_selector(selector)
        .expect("a valid selector")
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into::<HtmlElement>()
        .expect("an HTML element")
        .click();
    settle().await;
}

/// Asserts that no element was made from untrusted text.
fn assert_inert(root: &Element) {
    assert!(all(root, "img, script").is_empty(), "{}", root.inner_html());
    let pwned = js_sys::Reflect::get(&gloo::utils::window(), &"pwned".into()).expect("readable");
    assert!(pwned.is_undefined());
}

#[wasm_bindgen_test]
async fn a_short_text_is_shown_whole_and_as_text() {
    let root = render::<LongText>(LongTextProps {
        text: AttrValue::from(HOSTILE),
        pre: false,
    })
    .await;
    assert_eq!(text(&root), HOSTILE);
    assert!(all(&root, "button").is_empty(), "nothing to expand");
    assert_inert(&root);
}

#[wasm_bindgen_test]
async fn a_long_text_starts_as_a_preview_and_expands_on_demand() {
    let long = format!("{HOSTILE}\n{}", "token ".repeat(5_000));
    let root = render::<LongText>(LongTextProps {
        text: AttrValue::from(long.clone()),
        pre: true,
    })
    .await;
    let collapsed = text(&root);
    assert!(collapsed.len() < 1_000, "{} bytes shown", collapsed.len());
    assert!(collapsed.starts_with(HOSTILE));
    assert!(collapsed.contains("Show all (30.1 KB)"), "{collapsed}");
    click(&root, "button.more").await;
    let expanded = text(&root);
    assert!(expanded.starts_with(&long), "the whole text is shown");
    assert!(expanded.ends_with("Show less"));
    assert_eq!(all(&root, ".text.pre").len(), 1);
    assert_inert(&root);
}

#[wasm_bindgen_test]
async fn attributes_show_nested_and_switch_to_flat_dotted_keys() {
    let flat = vec![
        ("llm.token_count.prompt".to_owned(), Value::Int(12)),
        ("llm.token_count.completion".to_owned(), Value::Int(30)),
        (
            "retrieval.documents.0.document.content".to_owned(),
            Value::Str(HOSTILE.into()),
        ),
    ];
    let nested = unflatten(flat.iter().map(|(k, v)| (k.as_str(), v.clone())));
    let root = render::<Attributes>(AttributesProps { nested, flat }).await;
    let branches: Vec<String> = all(&root, ".branch > .twisty").iter().map(text).collect();
    assert!(branches.iter().any(|b| b.contains("llm")), "{branches:?}");
    assert!(
        branches
            .iter()
            .any(|b| b.contains("documents") && b.contains("[1]")),
        "the documents are an array of one: {branches:?}"
    );
    assert!(!text(&root).contains("llm.token_count.prompt"));
    click(&root, ".section-tools button").await;
    let keys: Vec<String> = all(&root, "table.kv th").iter().map(text).collect();
    assert_eq!(
        keys,
        [
            "llm.token_count.prompt",
            "llm.token_count.completion",
            "retrieval.documents.0.document.content"
        ]
    );
    assert_inert(&root);
}

#[wasm_bindgen_test]
async fn a_kind_badge_carries_its_colour_class_and_glyph() {
    let root = render::<KindBadge>(KindBadgeProps { kind: "LLM".into() }).await;
    let badge = root
        .query_selector(".kind")
        .expect("valid")
        .expect("a badge");
    let class = badge.get_attribute("class").unwrap_or_default();
    assert!(class.split(' ').any(|c| c == "kind-llm"), "{class}");
    assert_eq!(text(&badge), "✦LLM");
}

#[wasm_bindgen_test]
async fn a_virtual_list_of_a_million_rows_keeps_only_those_in_view() {
    let frame = root();
    frame
        .set_attribute("style", "height: 240px")
        .expect("styled");
    yew::Renderer::<VirtualList>::with_root_and_props(
        frame.clone(),
        VirtualListProps {
            count: 1_000_000,
            row_height: 24.0,
            render: Callback::from(|i: u32| html! { <span class="row">{ i }</span> }),
            on_range: Callback::noop(),
            scroll_to: None,
            class: Default::default(),
            onkeydown: Callback::noop(),
            role: None,
        },
    )
    .render();
    let rows = |frame: &Element| -> Vec<u32> {
        all(frame, ".row")
            .iter()
            .filter_map(|r| text(r).parse().ok())
            .collect()
    };
    // Once it has measured its 240 px, the list keeps what is in view and a margin.
    until(|| !rows(&frame).is_empty() && rows(&frame).len() < 30).await;
    let first = rows(&frame);
    assert_eq!(first.first(), Some(&0));
    assert!(first.len() < 30, "{} rows in the DOM", first.len());

    // Scroll half way (the spacer is scaled: a million rows are taller than a browser allows).
    let list: HtmlElement = frame
        .query_selector(".vlist")
        .expect("valid")
        .expect("the list")
        .dyn_into()
        .expect("an HTML element");
    list.set_scroll_top(list.scroll_height() / 2);
    list.dispatch_event(&web_sys::Event::new("scroll").expect("an event"))
        .expect("dispatched");
    until(|| rows(&frame).iter().any(|&i| i > 1_000)).await;
    let middle = rows(&frame);
    assert!(middle.len() < 30, "{} rows in the DOM", middle.len());
    assert!(
        middle.iter().any(|&i| (490_000..510_000).contains(&i)),
        "rows near the middle: {middle:?}"
    );
}

fn details(fixture: &[u8], name: &str, trace_id: &str, span_id: &str) -> Rc<SpanDetails> {
    let mut engine = Engine::default();
    let loaded = engine.load(name, fixture, &mut |_| {});
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    match engine.handle(Request::SpanDetails {
        trace_id: trace_id.into(),
        span_id: span_id.into(),
    }) {
        Response::SpanDetails(details) => Rc::new(*details),
        other => panic!("expected span details, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn an_llm_span_shows_its_messages_as_a_chat_with_model_and_tokens() {
    let details = details(
        include_bytes!("fixtures/openai-01.otlp.pb"),
        "openai-01.otlp.pb",
        "3a34990d3bcc7893ef125bc4b7879ed7",
        "2b5538cd44d34c58",
    );
    let root = render::<SpanDetailsView>(SpanDetailsViewProps { details }).await;
    let messages: Vec<String> = all(&root, "[data-testid=chat-message]")
        .iter()
        .map(text)
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].to_lowercase().starts_with("system"));
    assert!(messages[1].contains("What is OpenTelemetry and how do spans relate to traces?"));
    assert!(messages[2].to_lowercase().starts_with("assistant"));
    let whole = text(&root);
    assert!(whole.contains("gpt-4o-mini-2024-07-18"), "the model");
    assert!(whole.contains("LLM"), "the kind");
}

#[wasm_bindgen_test]
async fn an_exception_shows_its_type_and_stack_trace_as_preformatted_text() {
    let details = details(
        include_bytes!("fixtures/openai-03.otlp.pb"),
        "openai-03.otlp.pb",
        "e7fed0b568501823eae86bfad336bc7f",
        "854fa39873128fb8",
    );
    let root = render::<SpanDetailsView>(SpanDetailsViewProps { details }).await;
    let kind = root
        .query_selector(".exception-type")
        .expect("valid")
        .expect("the exception's type");
    assert!(text(&kind).contains("openai.InternalServerError"));
    let stack = root
        .query_selector("[data-testid=stacktrace] .text.pre")
        .expect("valid")
        .expect("the stack trace");
    assert!(text(&stack).starts_with("Traceback (most recent call last):"));
}

#[wasm_bindgen_test]
async fn an_embedding_span_shows_its_model_texts_and_vector_lengths() {
    let details = details(
        include_bytes!("fixtures/openai-01.otlp.pb"),
        "openai-01.otlp.pb",
        "3a34990d3bcc7893ef125bc4b7879ed7",
        "5a48a89b1fb65866",
    );
    let root = render::<SpanDetailsView>(SpanDetailsViewProps { details }).await;
    assert!(text(&root).contains("text-embedding-3-small"));
    let embeddings: Vec<String> = all(&root, "ol.embeddings > li").iter().map(text).collect();
    assert_eq!(embeddings.len(), 2, "{embeddings:?}");
    assert!(embeddings[0].starts_with("What is OpenTelemetry and how do spans relate to traces?"));
    assert!(embeddings[1].starts_with("spans traces otel"));
    assert!(embeddings.iter().all(|e| e.contains("vector of ")));
}

/// One span of OTLP/JSON with the given kind and attributes (string values).
fn one_span(kind: &str, attributes: &[(&str, &str)]) -> Vec<u8> {
    let mut list: Vec<serde_json::Value> = attributes
        .iter()
        .map(|(k, v)| serde_json::json!({"key": k, "value": {"stringValue": v}}))
        .collect();
    list.push(
        serde_json::json!({"key": "openinference.span.kind", "value": {"stringValue": kind}}),
    );
    serde_json::json!({"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331", "name": kind,
        "startTimeUnixNano": "1000", "endTimeUnixNano": "2000", "attributes": list,
    }]}]}]})
    .to_string()
    .into_bytes()
}

#[wasm_bindgen_test]
async fn a_tool_span_shows_its_name_description_and_parameters() {
    let span = one_span(
        "TOOL",
        &[
            ("tool.name", "convert_currency"),
            ("tool.description", "Converts an amount between currencies"),
            ("tool.parameters", r#"{"amount": 12.5, "to": "EUR"}"#),
            ("output.value", HOSTILE),
        ],
    );
    let details = details(
        &span,
        "tool.json",
        "0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331",
    );
    let root = render::<SpanDetailsView>(SpanDetailsViewProps { details }).await;
    let facts: String = all(&root, "dl.facts").iter().map(text).collect();
    assert!(facts.contains("convert_currency"), "{facts}");
    assert!(facts.contains("Converts an amount between currencies"));
    let pre: Vec<String> = all(&root, ".text.pre").iter().map(text).collect();
    assert!(
        pre.iter().any(|p| p.contains("\"amount\": 12.5")),
        "the parameters, pretty-printed: {pre:?}"
    );
    assert!(text(&root).contains(HOSTILE), "the output, as text");
    assert_inert(&root);
}

#[wasm_bindgen_test]
async fn a_reranker_span_shows_its_input_and_output_documents() {
    let span = one_span(
        "RERANKER",
        &[
            ("reranker.model_name", "cross-encoder/ms-marco"),
            ("reranker.query", "what is a span"),
            ("reranker.input_documents.0.document.id", "doc-a"),
            (
                "reranker.input_documents.0.document.content",
                "spans are units of work",
            ),
            ("reranker.input_documents.1.document.id", "doc-b"),
            ("reranker.input_documents.1.document.content", "unrelated"),
            ("reranker.output_documents.0.document.id", "doc-a"),
            (
                "reranker.output_documents.0.document.content",
                "spans are units of work",
            ),
        ],
    );
    let details = details(
        &span,
        "reranker.json",
        "0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331",
    );
    let root = render::<SpanDetailsView>(SpanDetailsViewProps { details }).await;
    let documents: Vec<String> = all(&root, "[data-testid=document]")
        .iter()
        .map(text)
        .collect();
    assert_eq!(documents.len(), 3, "two in, one out: {documents:?}");
    assert!(documents[1].contains("doc-b") && documents[1].contains("unrelated"));
    assert!(documents[2].contains("doc-a"));
    let whole = text(&root);
    assert!(whole.contains("cross-encoder/ms-marco") && whole.contains("what is a span"));
}
