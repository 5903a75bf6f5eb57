//! The first screen: what to drop, and sample traces one click away.

use yew::prelude::*;

use crate::ui::context::{Loader, uses_storage};
use crate::ui::home::save_setting::SaveSetting;

/// Samples shipped in `static/samples`, made by real SDKs and Phoenix.
const SAMPLES: [(&str, &str, &str); 6] = [
    (
        "openai-01.otlp.pb",
        "OpenAI chat turn",
        "embedding, chat, streaming chat (OpenInference, Python)",
    ),
    (
        "openai-03.otlp.pb",
        "LLM error and retry",
        "an HTTP 500 with its exception, then a retry",
    ),
    (
        "langchain-01.otlp.pb",
        "LangChain RAG",
        "retriever, prompt, LLM, parser — twice",
    ),
    (
        "node-01.otlp.json",
        "Node.js service",
        "remote parent, links, every attribute type",
    ),
    (
        "chatbot-demo.trace_dataset.parquet",
        "Phoenix dataset",
        "a TraceDataset saved by Phoenix",
    ),
    (
        "zipkin-python.json",
        "Zipkin export",
        "what OpenTelemetry's Zipkin exporter writes",
    ),
];

/// See the module docs.
#[component]
pub fn Welcome() -> Html {
    let loader = use_context::<Loader>();
    let samples = SAMPLES.iter().map(|(file, title, about)| {
        let onclick = loader.as_ref().map(|loader| {
            let url = loader.url.clone();
            let file = (*file).to_owned();
            Callback::from(move |_: MouseEvent| url.emit((format!("samples/{file}"), file.clone())))
        });
        html! {
            <button class="sample" {onclick} data-sample={*file}>
                <strong>{ *title }</strong>
                <span>{ *about }</span>
            </button>
        }
    });
    html! {
        <div class="welcome">
            <h1>{"Look at your traces"}</h1>
            <p>{"Drop trace files anywhere on this page, pick them with "}<em>{"Open files…"}</em>
               {", or paste OTLP JSON. Everything is read here, in your browser: nothing is uploaded."}</p>
            <ul class="formats">
                <li>{"OTLP protobuf and OTLP/JSON (as SDKs, Collectors and Phoenix write them), Collector JSON Lines"}</li>
                <li>{"Phoenix trace datasets and evaluations (parquet), span exports (JSONL, REST JSON)"}</li>
                <li>{"Jaeger JSON, Zipkin JSON and protobuf; any of these gzip- or zstd-compressed"}</li>
            </ul>
            <h2>{"Or start with a sample"}</h2>
            <div class="samples">{ for samples }</div>
            if uses_storage() { <SaveSetting /> }
        </div>
    }
}
