//! The delivery plan against every kind of answer a collector gives.

use flate2::read::GzDecoder;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use std::io::Read;

use super::*;
use crate::testutil::arena_of;

/// An arena of `n` spans in one trace: a root (span 1) and its children.
fn spans(n: u64) -> (Arena, Vec<u32>) {
    let rows: Vec<(u64, Option<u64>, u64, u64)> = (0..n)
        .map(|i| (i + 1, (i > 0).then_some(1), 10 + i, 20 + i))
        .collect();
    let arena = arena_of(&rows);
    let indices = (0..n as u32).collect();
    (arena, indices)
}

fn ok() -> Answer {
    status(200)
}

fn status(code: u16) -> Answer {
    Answer::Http {
        status: code,
        retry_after: None,
        content_type: None,
        body: Vec::new(),
    }
}

fn settings() -> Settings {
    Settings {
        gzip: false,
        max_spans: 4,
        ..Settings::default()
    }
}

/// Spans in the (uncompressed protobuf) body.
fn span_count(body: &[u8]) -> usize {
    let request = ExportTraceServiceRequest::decode(body).unwrap_or_default();
    request
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .map(|s| s.spans.len())
        .sum()
}

#[test]
fn spans_go_in_batches_of_at_most_max_spans() {
    let (arena, indices) = spans(10);
    let mut delivery = Delivery::new(indices, &settings());
    let mut sizes = Vec::new();
    while let Some(request) = delivery.next_request(&arena) {
        assert_eq!(request.content_type, "application/x-protobuf");
        assert!(!request.gzip);
        sizes.push(span_count(&request.body));
        assert_eq!(delivery.answer(ok()), Step::Next);
    }
    assert_eq!(sizes, [4, 4, 2]);
    let report = delivery.report();
    assert_eq!(
        (report.spans, report.sent, report.accepted, report.failed),
        (10, 10, 10, 0)
    );
    assert_eq!(report.requests, 3);
    assert!(report.done && report.messages.is_empty());
}

#[test]
fn gzip_bodies_hold_the_same_request() {
    let (arena, indices) = spans(3);
    let mut delivery = Delivery::new(indices, &Settings::default());
    let request = delivery.next_request(&arena).expect("a request");
    assert!(request.gzip);
    // Compressed on the way out (by the browser there; the e2e send test reads what arrives).
    let gzipped = crate::export::gzip(&request.body, flate2::Compression::fast());
    assert_ne!(gzipped, request.body);
    let mut plain = Vec::new();
    GzDecoder::new(gzipped.as_slice())
        .read_to_end(&mut plain)
        .expect("gzip");
    assert_eq!(plain, request.body);
    assert_eq!(span_count(&plain), 3);
}

#[test]
fn json_bodies_are_otlp_json() {
    let (arena, indices) = spans(2);
    let json = Settings {
        protocol: Protocol::Json,
        ..settings()
    };
    let mut delivery = Delivery::new(indices, &json);
    let request = delivery.next_request(&arena).expect("a request");
    assert_eq!(request.content_type, "application/json");
    let value: serde_json::Value = serde_json::from_slice(&request.body).expect("JSON");
    assert_eq!(
        value["resourceSpans"][0]["scopeSpans"][0]["spans"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn retryable_statuses_wait_with_exponential_backoff_then_resend_the_same_batch() {
    let (arena, indices) = spans(2);
    let mut delivery = Delivery::new(indices, &settings());
    let first = delivery.next_request(&arena).expect("a request");
    assert_eq!(delivery.answer(status(503)), Step::Wait(1_000));
    let second = delivery.next_request(&arena).expect("the retry");
    assert_eq!((second.attempt, &second.body), (2, &first.body));
    assert_eq!(delivery.answer(status(502)), Step::Wait(2_000));
    delivery.next_request(&arena).expect("the retry");
    assert_eq!(delivery.answer(status(504)), Step::Wait(4_000));
    delivery.next_request(&arena).expect("the retry");
    assert_eq!(delivery.answer(ok()), Step::Next);
    assert!(delivery.next_request(&arena).is_none());
    let report = delivery.report();
    assert_eq!((report.sent, report.failed, report.requests), (2, 0, 4));
    assert_eq!(report.messages.len(), 3);
    assert!(
        report.messages[0].starts_with("HTTP 503; retrying 2 spans in 1.0 s"),
        "{:?}",
        report.messages
    );
}

#[test]
fn retry_after_sets_the_wait() {
    let (arena, indices) = spans(1);
    let mut delivery = Delivery::new(indices, &settings());
    delivery.next_request(&arena);
    let answer = Answer::Http {
        status: 429,
        retry_after: Some("7".into()),
        content_type: None,
        body: Vec::new(),
    };
    assert_eq!(delivery.answer(answer), Step::Wait(7_000));
    // An HTTP date (or nonsense) falls back to the backoff; a huge value is capped.
    delivery.next_request(&arena);
    let answer = Answer::Http {
        status: 429,
        retry_after: Some("Wed, 21 Oct 2026 07:28:00 GMT".into()),
        content_type: None,
        body: Vec::new(),
    };
    assert_eq!(delivery.answer(answer), Step::Wait(2_000));
    delivery.next_request(&arena);
    let answer = Answer::Http {
        status: 503,
        retry_after: Some("86400".into()),
        content_type: None,
        body: Vec::new(),
    };
    assert_eq!(delivery.answer(answer), Step::Wait(60_000));
}

#[test]
fn a_batch_that_keeps_failing_is_given_up_after_six_attempts() {
    let (arena, indices) = spans(5);
    let mut delivery = Delivery::new(indices, &settings());
    let mut attempts = 0;
    while let Some(request) = delivery.next_request(&arena) {
        if request.spans == 4 {
            attempts += 1;
            delivery.answer(status(503));
        } else {
            delivery.answer(ok());
        }
    }
    assert_eq!(attempts, 6);
    let report = delivery.report();
    assert_eq!((report.sent, report.failed), (1, 4));
    assert!(
        report
            .messages
            .last()
            .is_some_and(|m| m.starts_with("4 spans not sent: HTTP 503, 6 times"))
    );
}

#[test]
fn a_413_splits_the_batch_and_sends_the_halves() {
    let (arena, indices) = spans(4);
    let mut delivery = Delivery::new(indices, &settings());
    let mut sizes = Vec::new();
    while let Some(request) = delivery.next_request(&arena) {
        sizes.push(request.spans);
        delivery.answer(if request.spans > 1 { status(413) } else { ok() });
    }
    assert_eq!(sizes, [4, 2, 1, 1, 2, 1, 1]);
    assert_eq!(delivery.report().sent, 4);
}

#[test]
fn batches_over_the_byte_limit_are_split_before_sending() {
    let (arena, indices) = spans(8);
    let one = encode(&arena, &indices[..1], Target::OtlpProto).len();
    let small = Settings {
        max_spans: 8,
        max_bytes: one * 2 + one / 2,
        ..settings()
    };
    let mut delivery = Delivery::new(indices.clone(), &small);
    let mut sizes = Vec::new();
    while let Some(request) = delivery.next_request(&arena) {
        assert!(request.body.len() <= small.max_bytes);
        sizes.push(request.spans);
        delivery.answer(ok());
    }
    assert_eq!(sizes.iter().sum::<usize>(), 8);
    assert!(sizes.iter().all(|&n| n <= 2), "{sizes:?}");

    let tiny = Settings {
        max_bytes: 10,
        ..small
    };
    let mut delivery = Delivery::new(indices[..2].to_vec(), &tiny);
    assert!(delivery.next_request(&arena).is_none());
    let report = delivery.report();
    assert_eq!((report.sent, report.failed), (0, 2));
    assert!(report.messages[0].contains("larger than the request size limit"));
}

#[test]
fn client_errors_are_not_retried_and_say_why() {
    let (arena, indices) = spans(8);
    let json = Settings {
        protocol: Protocol::Json,
        headers: vec![("authorization".into(), "Bearer s3cret-token".into())],
        ..settings()
    };
    let mut delivery = Delivery::new(indices, &json);
    delivery.next_request(&arena);
    let bad = Answer::Http {
        status: 400,
        retry_after: None,
        content_type: Some("text/plain".into()),
        body: b"invalid trace id".to_vec(),
    };
    assert_eq!(delivery.answer(bad), Step::Next);
    delivery.next_request(&arena);
    assert_eq!(delivery.answer(status(415)), Step::Next);
    assert!(delivery.next_request(&arena).is_none());
    let report = delivery.report();
    assert_eq!((report.sent, report.failed, report.requests), (0, 8, 2));
    assert_eq!(
        report.messages[0],
        "4 spans not sent: HTTP 400: invalid trace id"
    );
    assert!(report.messages[1].contains("does not take OTLP/JSON (Phoenix takes only protobuf)"));
    assert!(
        report.messages.iter().all(|m| !m.contains("s3cret")),
        "headers never show"
    );
}

#[test]
fn server_errors_other_than_502_503_504_are_not_retried() {
    // OTLP/HTTP: only 429, 502, 503 and 504 are retryable; a 500 would fail again the same way.
    let (arena, indices) = spans(12);
    let mut delivery = Delivery::new(indices, &settings());
    for code in [500, 501, 505] {
        assert!(delivery.next_request(&arena).is_some());
        assert_eq!(delivery.answer(status(code)), Step::Next, "HTTP {code}");
    }
    assert!(delivery.next_request(&arena).is_none());
    let report = delivery.report();
    assert_eq!((report.sent, report.failed, report.requests), (0, 12, 3));
    assert!(report.messages[0].starts_with("4 spans not sent: HTTP 500"));
}

#[test]
fn an_unreachable_collector_is_tried_three_times_then_explained() {
    let (arena, indices) = spans(1);
    let mut delivery = Delivery::new(indices, &settings());
    let mut steps = Vec::new();
    while delivery.next_request(&arena).is_some() {
        steps.push(delivery.answer(Answer::Unreachable("TypeError: Failed to fetch".into())));
    }
    assert_eq!(steps, [Step::Wait(1_000), Step::Wait(2_000), Step::Next]);
    let report = delivery.report();
    assert_eq!(report.failed, 1);
    let last = report.messages.last().cloned().unwrap_or_default();
    assert!(
        last.contains("no answer from http://localhost:6006/v1/traces"),
        "{last}"
    );
    assert!(last.contains("PHOENIX_ALLOWED_ORIGINS"), "{last}");
}

#[test]
fn partial_success_counts_the_rejected_spans() {
    let (arena, indices) = spans(8);
    let mut delivery = Delivery::new(indices, &settings());
    delivery.next_request(&arena);
    let json = Answer::Http {
        status: 200,
        retry_after: None,
        content_type: Some("application/json".into()),
        body: br#"{"partialSuccess":{"rejectedSpans":"1","errorMessage":"bad span"}}"#.to_vec(),
    };
    delivery.answer(json);
    delivery.next_request(&arena);
    let proto = ExportTraceServiceResponse {
        partial_success: Some(ExportTracePartialSuccess {
            rejected_spans: 2,
            error_message: "too old".into(),
        }),
    };
    delivery.answer(Answer::Http {
        status: 200,
        retry_after: None,
        content_type: Some("application/x-protobuf".into()),
        body: proto.encode_to_vec(),
    });
    let report = delivery.report();
    assert_eq!((report.sent, report.accepted), (8, 5));
    assert_eq!(
        report.messages,
        [
            "the collector rejected 1 of 4 spans: bad span",
            "the collector rejected 2 of 4 spans: too old"
        ]
    );
}

#[test]
fn headers_are_read_one_per_line_and_checked() {
    let text = "authorization: Bearer a:b\n\n x-project-name :  demo \n";
    let headers = parse_headers(text).expect("valid");
    assert_eq!(
        headers,
        [
            ("authorization".to_owned(), "Bearer a:b".to_owned()),
            ("x-project-name".to_owned(), "demo".to_owned())
        ]
    );
    assert_eq!(parse_headers(&format_headers(&headers)), Ok(headers));
    assert_eq!(
        parse_headers("api_key secret"),
        Err("line 1: expected `name: value`".to_owned())
    );
    assert_eq!(
        parse_headers("ok: 1\nbad name: 2"),
        Err("line 2: \"bad name\" is not a header name".to_owned())
    );
}

#[test]
fn plain_http_to_another_machine_is_warned_about() {
    for endpoint in [
        "http://collector.example:4318/v1/traces",
        "HTTP://10.0.0.7/v1/traces",
        "http://user@evil.example/v1/traces",
        "http://127.0.0.1.evil.example/v1/traces",
    ] {
        assert!(endpoint_warning(endpoint).is_some(), "{endpoint}");
    }
    for endpoint in [
        "https://collector.example/v1/traces",
        "http://127.0.0.1:6006/v1/traces",
        "http://localhost:4318/v1/traces",
        "http://[::1]:4318/v1/traces",
        "http://phoenix.localhost/v1/traces",
        "",
    ] {
        assert_eq!(endpoint_warning(endpoint), None, "{endpoint}");
    }
}

#[test]
fn a_redirect_is_not_followed_and_says_why() {
    let (arena, indices) = spans(4);
    let mut delivery = Delivery::new(indices, &settings());
    delivery.next_request(&arena);
    assert_eq!(delivery.answer(Answer::Redirected), Step::Next);
    assert!(delivery.next_request(&arena).is_none(), "not retried");
    let report = delivery.report();
    assert_eq!((report.sent, report.failed), (0, 4));
    assert!(
        report.messages[0].contains("redirect"),
        "{:?}",
        report.messages
    );
}

/// The one message a single answer to a four-span batch leaves.
fn message_after(answer: Answer, protocol: Protocol) -> String {
    let (arena, indices) = spans(4);
    let mut delivery = Delivery::new(
        indices,
        &Settings {
            protocol,
            ..settings()
        },
    );
    delivery.next_request(&arena);
    assert_eq!(delivery.answer(answer), Step::Next);
    let report = delivery.report();
    assert_eq!(report.failed, 4);
    assert_eq!(report.messages.len(), 1, "{:?}", report.messages);
    report.messages[0].clone()
}

#[test]
fn each_client_error_names_its_likely_cause() {
    for code in [401, 403] {
        assert_eq!(
            message_after(status(code), Protocol::Protobuf),
            format!(
                "4 spans not sent: HTTP {code}: not authorized: check the headers (authorization, api_key)"
            )
        );
    }
    assert_eq!(
        message_after(status(404), Protocol::Json),
        "4 spans not sent: HTTP 404: no OTLP traces endpoint at this URL (it usually ends in /v1/traces)"
    );
    // Only a JSON request is told to choose protobuf; a protobuf one shows what the server said.
    let refused = Answer::Http {
        status: 415,
        retry_after: None,
        content_type: None,
        body: b"unsupported".to_vec(),
    };
    assert_eq!(
        message_after(refused, Protocol::Protobuf),
        "4 spans not sent: HTTP 415: unsupported"
    );
    assert_eq!(
        message_after(status(500), Protocol::Protobuf),
        "4 spans not sent: HTTP 500: no explanation given"
    );
}

#[test]
fn a_long_error_body_is_cut_at_300_characters() {
    let body = format!("  {}  ", "é".repeat(400));
    let answer = Answer::Http {
        status: 400,
        retry_after: None,
        content_type: None,
        body: body.into_bytes(),
    };
    let message = message_after(answer, Protocol::Protobuf);
    let said = message
        .strip_prefix("4 spans not sent: HTTP 400: ")
        .expect("the prefix");
    assert_eq!(said, format!("{}…", "é".repeat(300)));
    let exact = Answer::Http {
        status: 400,
        retry_after: None,
        content_type: None,
        body: "x".repeat(300).into_bytes(),
    };
    assert!(message_after(exact, Protocol::Protobuf).ends_with(&format!(": {}", "x".repeat(300))));
}

#[test]
fn a_413_on_one_span_gives_it_up_and_says_so() {
    let (arena, indices) = spans(2);
    let mut delivery = Delivery::new(indices, &settings());
    let mut sizes = Vec::new();
    while let Some(request) = delivery.next_request(&arena) {
        sizes.push(request.spans);
        assert_eq!(delivery.answer(status(413)), Step::Next);
    }
    assert_eq!(sizes, [2, 1, 1]);
    let report = delivery.report();
    assert_eq!((report.sent, report.failed, report.requests), (0, 2, 3));
    assert_eq!(
        report.messages, ["HTTP 413: one span is larger than the collector accepts"; 2],
        "a split itself says nothing"
    );
}

#[test]
fn partial_success_notes_only_what_the_collector_reported() {
    let (arena, indices) = spans(12);
    let mut delivery = Delivery::new(indices, &settings());
    let answers = [
        // Rejections without a message, a message without rejections, snake_case keys.
        r#"{"partialSuccess":{"rejectedSpans":2}}"#,
        r#"{"partial_success":{"rejected_spans":0,"error_message":"slow down"}}"#,
        r#"{"partialSuccess":{}}"#,
    ];
    for body in answers {
        delivery.next_request(&arena);
        delivery.answer(Answer::Http {
            status: 202,
            retry_after: None,
            content_type: Some("application/json; charset=utf-8".into()),
            body: body.as_bytes().to_vec(),
        });
    }
    assert!(delivery.next_request(&arena).is_none());
    let report = delivery.report();
    assert_eq!((report.sent, report.accepted), (12, 10));
    assert_eq!(
        report.messages,
        [
            "the collector rejected 2 of 4 spans: ",
            "the collector rejected 0 of 4 spans: slow down"
        ]
    );
}

#[test]
fn partial_success_never_counts_more_rejections_than_spans_sent() {
    let (arena, indices) = spans(4);
    let mut delivery = Delivery::new(indices, &settings());
    delivery.next_request(&arena);
    let proto = ExportTraceServiceResponse {
        partial_success: Some(ExportTracePartialSuccess {
            rejected_spans: 9,
            error_message: String::new(),
        }),
    };
    delivery.answer(Answer::Http {
        status: 200,
        retry_after: None,
        content_type: None,
        body: proto.encode_to_vec(),
    });
    assert_eq!((delivery.report().sent, delivery.report().accepted), (4, 0));
    // A negative count (a broken server) rejects nothing.
    let (arena, indices) = spans(4);
    let mut delivery = Delivery::new(indices, &settings());
    delivery.next_request(&arena);
    let proto = ExportTraceServiceResponse {
        partial_success: Some(ExportTracePartialSuccess {
            rejected_spans: -3,
            error_message: "odd".into(),
        }),
    };
    delivery.answer(Answer::Http {
        status: 200,
        retry_after: None,
        content_type: Some("application/x-protobuf".into()),
        body: proto.encode_to_vec(),
    });
    assert_eq!(delivery.report().accepted, 4);
    assert_eq!(
        delivery.report().messages,
        ["the collector rejected 0 of 4 spans: odd"]
    );
}

#[test]
fn a_body_exactly_at_the_byte_limit_is_sent_whole() {
    let (arena, indices) = spans(3);
    let whole = encode(&arena, &indices, Target::OtlpProto).len();
    for (max_bytes, requests) in [(whole, 1), (whole - 1, 2)] {
        let limited = Settings {
            max_bytes,
            ..settings()
        };
        let mut delivery = Delivery::new(indices.clone(), &limited);
        let mut made = 0;
        while delivery.next_request(&arena).is_some() {
            made += 1;
            delivery.answer(ok());
        }
        assert_eq!(made, requests, "max_bytes {max_bytes} of {whole}");
    }
}

#[test]
fn no_setting_lifts_the_byte_limit_above_twenty_mebibytes() {
    assert_eq!(MAX_REQUEST_BYTES, 20 * 1024 * 1024);
    let delivery = Delivery::new(
        Vec::new(),
        &Settings {
            max_bytes: usize::MAX,
            max_spans: 0,
            ..settings()
        },
    );
    assert_eq!(delivery.settings.max_bytes, MAX_REQUEST_BYTES);
    assert_eq!(delivery.settings.max_spans, 1);
}

#[test]
fn the_backoff_doubles_from_the_initial_wait_and_retry_after_is_trimmed() {
    let (arena, indices) = spans(1);
    let slow = Settings {
        initial_backoff_ms: 300,
        ..settings()
    };
    let mut delivery = Delivery::new(indices, &slow);
    let mut waits = Vec::new();
    while delivery.next_request(&arena).is_some() {
        waits.push(delivery.answer(status(429)));
    }
    let waits: Vec<u64> = waits
        .into_iter()
        .filter_map(|step| match step {
            Step::Wait(ms) => Some(ms),
            Step::Next => None,
        })
        .collect();
    assert_eq!(waits, [300, 600, 1_200, 2_400, 4_800]);
    assert!(delivery.report().messages[1].ends_with("retrying 1 spans in 0.6 s"));

    let (arena, indices) = spans(1);
    let mut delivery = Delivery::new(indices, &settings());
    delivery.next_request(&arena);
    let answer = Answer::Http {
        status: 503,
        retry_after: Some(" 3 ".into()),
        content_type: None,
        body: Vec::new(),
    };
    assert_eq!(delivery.answer(answer), Step::Wait(3_000));
}

#[test]
fn an_answer_with_nothing_in_flight_changes_nothing() {
    let (_, indices) = spans(2);
    let mut delivery = Delivery::new(indices, &settings());
    assert_eq!(delivery.answer(status(503)), Step::Next);
    let report = delivery.report();
    assert_eq!((report.sent, report.failed, report.requests), (0, 0, 0));
    assert!(report.messages.is_empty() && !report.done);
}
