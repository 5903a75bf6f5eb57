//! An OTLP/HTTP export request, answered as the OTLP specification says: what to keep, and the
//! reply. Pure: `plume serve`'s HTTP and gRPC listeners hand it bodies and send what it says.
//!
//! A body is read into a scratch arena by the same readers a dropped file goes through, so what
//! is kept is what Plume can show: protobuf that read whole is kept as it came; JSON, and
//! protobuf some of whose spans could not be stored, are kept as the protobuf of what was stored.
//! Replies: 200 (with `partial_success` naming what was rejected), 400 with the reason for a body
//! that does not read, 413 past the size limit, 415 for a content type or encoding that is not
//! OTLP's. Decision: a request none of whose spans can be stored is a 400 (its sender would only
//! send it again), not a 200 that rejects them all.

use std::io::Read;

use prost::Message;

use crate::export;
use crate::ingest;
use crate::model::{Arena, Format};
use crate::serve::disk::Signal;

/// OTLP's two encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// `application/x-protobuf`.
    Protobuf,
    /// `application/json`.
    Json,
}

/// What a request came to.
#[derive(Debug, PartialEq)]
pub struct Receipt {
    /// The protobuf body to keep (and then acknowledge), if any.
    pub keep: Option<Vec<u8>>,
    /// Spans or log records in it.
    pub accepted: usize,
    /// Why it was refused, in words (gRPC carries them in its status).
    pub refusal: Option<String>,
    /// The answer.
    pub reply: Reply,
}

/// An HTTP answer.
#[derive(Debug, PartialEq)]
pub struct Reply {
    /// Its status.
    pub status: u16,
    /// Its body's content type.
    pub content_type: &'static str,
    /// Its body.
    pub body: Vec<u8>,
}

/// `ExportTraceServiceResponse` / `ExportLogsServiceResponse`: the same wire form.
#[derive(Clone, PartialEq, Message)]
struct ExportResponse {
    #[prost(message, optional, tag = "1")]
    partial_success: Option<PartialSuccess>,
}

/// `ExportTracePartialSuccess` / `ExportLogsPartialSuccess`.
#[derive(Clone, PartialEq, Message)]
struct PartialSuccess {
    #[prost(int64, tag = "1")]
    rejected: i64,
    #[prost(string, tag = "2")]
    error_message: String,
}

/// `google.rpc.Status`, the body of a failed request.
#[derive(Clone, PartialEq, Message)]
struct Status {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

/// gRPC's `INVALID_ARGUMENT`, the code of a body that does not read.
const INVALID_ARGUMENT: i32 = 3;

/// The encoding a `Content-Type` names.
pub fn encoding_of(content_type: Option<&str>) -> Option<Encoding> {
    let media = content_type?.split(';').next()?.trim().to_ascii_lowercase();
    match media.as_str() {
        "application/x-protobuf" | "application/protobuf" => Some(Encoding::Protobuf),
        "application/json" => Some(Encoding::Json),
        _ => None,
    }
}

/// Answers one export request of `signal`: its `Content-Type`, `Content-Encoding` and body,
/// which (expanded) may be at most `limit` bytes.
pub fn receive(
    signal: Signal,
    content_type: Option<&str>,
    content_encoding: Option<&str>,
    body: &[u8],
    limit: usize,
) -> Receipt {
    let Some(encoding) = encoding_of(content_type) else {
        let said = content_type.unwrap_or("none");
        return refused(
            415,
            format!("content type {said}: OTLP/HTTP is application/x-protobuf or application/json"),
        );
    };
    let expanded = match content_encoding.map(str::trim) {
        None | Some("" | "identity") => None,
        Some(gzip) if gzip.eq_ignore_ascii_case("gzip") => match gunzip(body, limit) {
            Ok(bytes) => Some(bytes),
            Err(reply) => return reply,
        },
        Some(other) => {
            return refused(415, format!("content encoding {other}: gzip or none"));
        }
    };
    let body = expanded.as_deref().unwrap_or(body);
    if body.len() > limit {
        return refused(
            413,
            format!("a body of {} bytes, over the limit of {limit}", body.len()),
        );
    }
    read(signal, encoding, body)
}

/// Reads a body into a scratch arena and says what to keep and answer.
fn read(signal: Signal, encoding: Encoding, body: &[u8]) -> Receipt {
    let format = match (signal, encoding) {
        (Signal::Traces, Encoding::Protobuf) => Format::OtlpProto,
        (Signal::Traces, Encoding::Json) => Format::OtlpJson,
        (Signal::Logs, Encoding::Protobuf) => Format::OtlpLogsProto,
        (Signal::Logs, Encoding::Json) => Format::OtlpLogsJson,
    };
    if body.is_empty() && encoding == Encoding::Protobuf {
        // An empty protobuf message is a request with nothing in it.
        return Receipt {
            keep: None,
            accepted: 0,
            refusal: None,
            reply: success(signal, encoding, None),
        };
    }
    let mut arena = Arena::default();
    let report = ingest::load_as(&mut arena, "request", body, format);
    let stored = match signal {
        Signal::Traces => report.spans,
        Signal::Logs => report.logs,
    };
    let problems: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    if stored == 0 && !problems.is_empty() {
        let message = problems.join("; ");
        return Receipt {
            keep: None,
            accepted: 0,
            reply: status_reply(400, encoding, &message),
            refusal: Some(message),
        };
    }
    let keep = match (encoding, problems.is_empty(), signal) {
        _ if stored == 0 => None,
        (Encoding::Protobuf, true, _) => Some(body.to_vec()),
        (_, _, Signal::Traces) => {
            let all: Vec<u32> = (0..arena.spans().len() as u32).collect();
            Some(export::encode_proto(&arena, &all))
        }
        (_, _, Signal::Logs) => {
            let all: Vec<_> = arena.logs().iter().collect();
            Some(export::encode_logs_proto(&arena, &all))
        }
    };
    let partial = (!problems.is_empty()).then(|| PartialSuccess {
        rejected: problems.len() as i64,
        error_message: problems.join("; "),
    });
    Receipt {
        keep,
        accepted: stored,
        refusal: None,
        reply: success(signal, encoding, partial),
    }
}

fn gunzip(body: &[u8], limit: usize) -> Result<Vec<u8>, Receipt> {
    let mut expanded = Vec::new();
    let reader = flate2::read::GzDecoder::new(body);
    match reader.take(limit as u64 + 1).read_to_end(&mut expanded) {
        Ok(_) if expanded.len() > limit => Err(refused(
            413,
            format!("a gzip body expanding past the limit of {limit} bytes"),
        )),
        Ok(_) => Ok(expanded),
        Err(error) => Err(refused(400, format!("the gzip body is corrupt: {error}"))),
    }
}

fn success(signal: Signal, encoding: Encoding, partial: Option<PartialSuccess>) -> Reply {
    let body = match encoding {
        Encoding::Protobuf => ExportResponse {
            partial_success: partial,
        }
        .encode_to_vec(),
        Encoding::Json => {
            let rejected = match signal {
                Signal::Traces => "rejectedSpans",
                Signal::Logs => "rejectedLogRecords",
            };
            let json = match partial {
                Some(partial) => serde_json::json!({"partialSuccess": {
                    rejected: partial.rejected,
                    "errorMessage": partial.error_message,
                }}),
                None => serde_json::json!({}),
            };
            json.to_string().into_bytes()
        }
    };
    Reply {
        status: 200,
        content_type: content_type(encoding),
        body,
    }
}

/// A failure's reply, as a `google.rpc.Status` in the request's encoding.
fn status_reply(status: u16, encoding: Encoding, message: &str) -> Reply {
    let body = match encoding {
        Encoding::Protobuf => Status {
            code: INVALID_ARGUMENT,
            message: message.to_owned(),
        }
        .encode_to_vec(),
        Encoding::Json => serde_json::json!({"code": INVALID_ARGUMENT, "message": message})
            .to_string()
            .into_bytes(),
    };
    Reply {
        status,
        content_type: content_type(encoding),
        body,
    }
}

/// A request refused before its encoding is known to be OTLP's: plain text.
fn refused(status: u16, message: String) -> Receipt {
    Receipt {
        keep: None,
        accepted: 0,
        reply: Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: message.clone().into_bytes(),
        },
        refusal: Some(message),
    }
}

fn content_type(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Protobuf => "application/x-protobuf",
        Encoding::Json => "application/json",
    }
}
