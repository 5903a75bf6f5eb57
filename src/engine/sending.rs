//! Sending spans to a collector, in the worker: `export::send::Delivery` decides what each
//! answer means; this does the `fetch`, the waiting, and tells the page after every answer.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, Headers, RequestInit, RequestRedirect, ResponseType};

use crate::engine::Engine;
use crate::engine::helper;
use crate::engine::messages::FromWorker;
use crate::engine::protocol::SendRequest;
use crate::engine::worker::post;
use crate::export::send::annotations::AnnotationDelivery;
use crate::export::send::{Answer, Delivery, Outgoing, Settings, Step};
use crate::redact::job::Job as RedactionJob;

/// POSTs the selected spans to the collector, batch by batch, telling the page how it goes
/// after each answer (the last report has `done` set).
pub(super) async fn send(engine: Rc<RefCell<Engine>>, id: u32, request: SendRequest) {
    let spans = engine.borrow().select(&request.selection);
    // Asked to, the spans sent are a redacted copy (made by the helper), in an arena of their
    // own; their annotations, when asked, go to Phoenix's REST API after them, redacted in the
    // same job (the same value is the same mark in both).
    let redacted = match request.settings.redact {
        true => {
            let job = {
                let engine = engine.borrow();
                let arena = engine.arena();
                let job = RedactionJob::new(arena, &spans, &[], engine.rules());
                match request.settings.annotations {
                    true => job.with_texts_of(|text| {
                        crate::export::annotations::phoenix(arena, &spans, text);
                    }),
                    false => job,
                }
            };
            let redacted = helper::redact(&job)
                .await
                .and_then(|redacted| Ok((redacted.arena()?, redacted)));
            match redacted {
                Ok(redacted) => Some(redacted),
                Err(error) => {
                    let report = crate::export::send::Report {
                        spans: spans.len() as u64,
                        failed: spans.len() as u64,
                        messages: vec![error],
                        done: true,
                        ..Default::default()
                    };
                    post(&FromWorker::SendReport { id, report }, None);
                    return;
                }
            }
        }
        false => None,
    };
    let mut annotations = request.settings.annotations.then(|| {
        let engine = engine.borrow();
        let bodies = match &redacted {
            Some((_, redacted)) => {
                crate::export::annotations::phoenix(engine.arena(), &spans, redacted.text())
            }
            None => crate::export::annotations::phoenix(engine.arena(), &spans, str::to_owned),
        };
        AnnotationDelivery::new(&bodies, &request.settings.endpoint)
    });
    let redacted = redacted.map(|(arena, _)| arena);
    let spans = match &redacted {
        Some(arena) => (0..arena.spans().len() as u32).collect(),
        None => spans,
    };
    let mut delivery = Delivery::new(spans, &request.settings);
    let tell = |delivery: &Delivery, annotations: &Option<AnnotationDelivery>| {
        let mut report = delivery.report().clone();
        if let Some(annotations) = annotations {
            report.annotations = annotations.total;
            report.annotations_sent = annotations.sent;
            report.annotations_failed = annotations.failed;
            report.messages.extend(annotations.messages.iter().cloned());
            report.done &= annotations.done();
        }
        post(&FromWorker::SendReport { id, report }, None);
    };
    tell(&delivery, &annotations);
    loop {
        // The arena only grows while sending, so the planned indices stay valid across awaits.
        let outgoing = match &redacted {
            Some(arena) => delivery.next_request(arena),
            None => delivery.next_request(engine.borrow().arena()),
        };
        let Some(outgoing) = outgoing else { break };
        let answer = post_batch(&request.settings, outgoing).await;
        if let Step::Wait(ms) = delivery.answer(answer) {
            sleep(ms).await;
        }
        tell(&delivery, &annotations);
    }
    while let Some(outgoing) = annotations
        .as_mut()
        .and_then(AnnotationDelivery::next_request)
    {
        let answer = post_json(&request.settings, &outgoing.url, &outgoing.body).await;
        let step = annotations.as_mut().map(|a| a.answer(answer));
        if let Some(Step::Wait(ms)) = step {
            sleep(ms).await;
        }
        tell(&delivery, &annotations);
    }
    tell(&delivery, &annotations);
}

/// One POST of JSON to Phoenix's REST API (with the settings' headers: its API key).
async fn post_json(settings: &Settings, url: &str, body: &str) -> Answer {
    let outgoing = Outgoing {
        body: body.as_bytes().to_vec(),
        content_type: "application/json",
        gzip: false,
        spans: 0,
        attempt: 1,
    };
    post_to(settings, url, outgoing).await
}

/// One POST of spans to the collector.
async fn post_batch(settings: &Settings, outgoing: Outgoing) -> Answer {
    post_to(settings, &settings.endpoint, outgoing).await
}

/// One POST to `url`; whatever happens becomes an [`Answer`].
async fn post_to(settings: &Settings, url: &str, outgoing: Outgoing) -> Answer {
    let unreachable = |error: JsValue| {
        Answer::Unreachable(
            error
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| error.as_string())
                .unwrap_or_else(|| "the request failed".into()),
        )
    };
    let headers = match Headers::new() {
        Ok(headers) => headers,
        Err(error) => return unreachable(error),
    };
    // A browser that cannot compress (no `CompressionStream`) sends the body as it is: the
    // collector reads it either way, and no answer must be blamed on the collector.
    let gzipped = match outgoing.gzip {
        true => gzip(&outgoing.body).await.ok(),
        false => None,
    };
    let mut fields = vec![("content-type", outgoing.content_type)];
    fields.extend(gzipped.is_some().then_some(("content-encoding", "gzip")));
    let body = gzipped.as_deref().unwrap_or(&outgoing.body);
    for (name, value) in fields.into_iter().chain(
        settings
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str())),
    ) {
        if let Err(error) = headers.set(name, value) {
            return unreachable(error);
        }
    }
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    // A redirect is not followed: the browser would carry every header but `authorization` to
    // wherever it points, an API key included.
    init.set_redirect(RequestRedirect::Manual);
    init.set_body(&Uint8Array::from(body));
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let response = match JsFuture::from(scope.fetch_with_str_and_init(url, &init))
        .await
        .and_then(|r| r.dyn_into::<web_sys::Response>())
    {
        Ok(response) => response,
        Err(error) => return unreachable(error),
    };
    if response.type_() == ResponseType::Opaqueredirect {
        return Answer::Redirected;
    }
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let body = match response.array_buffer() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map(|buffer| Uint8Array::new(&buffer).to_vec())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    Answer::Http {
        status: response.status(),
        retry_after: header("retry-after"),
        content_type: header("content-type"),
        body,
    }
}

/// `bytes` gzip-compressed by the browser's own `CompressionStream` (at its default level): the
/// engine has no deflate of its own, which every page embedding Plume would download, and needs
/// one only for what leaves — a request sent gzipped, a share file's files.
pub(super) async fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let compressed = || -> Result<js_sys::Promise, JsValue> {
        // Called by name: web-sys has `CompressionStream` only among its unstable APIs.
        let class: js_sys::Function =
            js_sys::Reflect::get(&js_sys::global(), &"CompressionStream".into())?.dyn_into()?;
        let compressor = js_sys::Reflect::construct(&class, &js_sys::Array::of1(&"gzip".into()))?;
        let parts = js_sys::Array::of1(&Uint8Array::from(bytes));
        let plain = web_sys::Blob::new_with_u8_array_sequence(&parts)?.stream();
        let pipe: js_sys::Function =
            js_sys::Reflect::get(&plain, &"pipeThrough".into())?.dyn_into()?;
        let gzipped = pipe.call1(&plain, &compressor)?;
        web_sys::Response::new_with_opt_readable_stream(Some(gzipped.unchecked_ref()))?
            .array_buffer()
    };
    let gzipped = match compressed() {
        Ok(promise) => JsFuture::from(promise).await,
        Err(error) => Err(error),
    };
    gzipped
        .map(|buffer| Uint8Array::new(&buffer).to_vec())
        .map_err(|error| {
            format!(
                "the browser could not compress it: {}",
                helper::describe(&error)
            )
        })
}

pub(super) async fn sleep(ms: u64) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(
            &resolve,
            ms.min(i32::MAX as u64) as i32,
        );
    });
    let _ = JsFuture::from(wait).await;
}
