//! `plume serve`'s receiving and keeping, without the network: real SDKs' bodies answered as the
//! OTLP specification says, and kept so that Plume reads back what was acknowledged.

#![allow(
    clippy::expect_used,
    reason = "the helpers fail the test that calls them"
)]

mod common;

use std::io::Write;

use common::fixture;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use plume::ingest;
use plume::model::Arena;
use plume::serve::disk::{Disk, Signal};
use plume::serve::receive::receive;
use prost::Message;

const PROTOBUF: Option<&str> = Some("application/x-protobuf");
const JSON: Option<&str> = Some("application/json; charset=utf-8");
const LIMIT: usize = 4 << 20;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn spans_in(protobuf: &[u8]) -> usize {
    let mut arena = Arena::default();
    let report = ingest::load(&mut arena, "kept.pb", protobuf);
    assert!(report.is_ok(), "{:?}", report.errors);
    report.spans
}

#[test]
fn an_sdks_protobuf_body_is_kept_as_it_came_and_acknowledged() {
    let body = fixture("openai-01.otlp.pb");
    let receipt = receive(Signal::Traces, PROTOBUF, None, &body, LIMIT);
    assert_eq!(receipt.reply.status, 200);
    assert_eq!(receipt.accepted, 4);
    assert_eq!(receipt.keep.as_deref(), Some(&body[..]));
    let answer = ExportTraceServiceResponse::decode(&receipt.reply.body[..]).expect("a response");
    assert_eq!(answer.partial_success, None);
    assert_eq!(receipt.reply.content_type, "application/x-protobuf");
    // Gzip, as SDKs send it when asked.
    let zipped = receive(Signal::Traces, PROTOBUF, Some("gzip"), &gzip(&body), LIMIT);
    assert_eq!((zipped.reply.status, zipped.keep), (200, Some(body)));
}

#[test]
fn a_json_body_is_kept_as_the_protobuf_of_its_spans() {
    let body = fixture("node-01.otlp.json");
    for (encoding, sent) in [(None, body.clone()), (Some("gzip"), gzip(&body))] {
        let receipt = receive(Signal::Traces, JSON, encoding, &sent, LIMIT);
        assert_eq!(receipt.reply.status, 200);
        assert_eq!(receipt.reply.body, b"{}");
        assert_eq!(receipt.accepted, 6);
        assert_eq!(spans_in(&receipt.keep.expect("kept")), 6);
    }
}

#[test]
fn spans_that_cannot_be_stored_are_rejected_and_the_rest_kept() {
    let mut request =
        ExportTraceServiceRequest::decode(&fixture("openai-01.otlp.pb")[..]).expect("the fixture");
    let spans = &mut request.resource_spans[0].scope_spans[0].spans;
    spans[1].trace_id = vec![0; 16];
    spans[2].span_id = vec![1, 2, 3];
    let receipt = receive(
        Signal::Traces,
        PROTOBUF,
        None,
        &request.encode_to_vec(),
        LIMIT,
    );
    assert_eq!(receipt.reply.status, 200);
    assert_eq!(receipt.accepted, 2);
    let answer = ExportTraceServiceResponse::decode(&receipt.reply.body[..]).expect("a response");
    let partial = answer.partial_success.expect("a partial success");
    assert_eq!(partial.rejected_spans, 2);
    assert!(
        partial.error_message.contains("no valid trace id"),
        "{}",
        partial.error_message
    );
    assert_eq!(spans_in(&receipt.keep.expect("kept")), 2);
    // In JSON, the same words (an id that is not hex is a body that does not read: 400 below).
    let json = String::from_utf8(fixture("node-01.otlp.json")).expect("text");
    let first = json.find("\"traceId\":\"").expect("a trace id") + "\"traceId\":\"".len();
    let broken = format!(
        "{}{}{}",
        &json[..first],
        "0".repeat(32),
        &json[first + 32..]
    );
    let receipt = receive(Signal::Traces, JSON, None, broken.as_bytes(), LIMIT);
    assert_eq!(
        receipt.reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&receipt.reply.body)
    );
    let answer: serde_json::Value = serde_json::from_slice(&receipt.reply.body).expect("JSON");
    assert_eq!(answer["partialSuccess"]["rejectedSpans"], 1, "{answer}");
    assert_eq!(receipt.accepted, 5);
}

#[test]
fn what_is_not_an_otlp_request_is_refused_with_the_reason() {
    let body = fixture("openai-01.otlp.pb");
    let unreadable = receive(Signal::Traces, PROTOBUF, None, b"\x0a\xff\xff", LIMIT);
    assert_eq!((unreadable.reply.status, unreadable.keep), (400, None));
    let json = receive(Signal::Traces, JSON, None, b"{\"resourceSpans\": [", LIMIT);
    assert_eq!(json.reply.status, 400);
    let status: serde_json::Value = serde_json::from_slice(&json.reply.body).expect("JSON");
    assert_eq!(status["code"], 3);
    assert!(
        status["message"]
            .as_str()
            .is_some_and(|m| m.contains("EOF")),
        "{status}"
    );
    let corrupt = receive(Signal::Traces, PROTOBUF, Some("gzip"), &body, LIMIT);
    assert_eq!(corrupt.reply.status, 400);

    let over = receive(Signal::Traces, PROTOBUF, None, &body, body.len() - 1);
    assert_eq!((over.reply.status, over.keep), (413, None));
    let bomb = gzip(&vec![b' '; 1 << 20]);
    assert_eq!(
        receive(Signal::Traces, JSON, Some("gzip"), &bomb, 1000)
            .reply
            .status,
        413
    );

    let text = receive(Signal::Traces, Some("text/plain"), None, &body, LIMIT);
    assert_eq!(text.reply.status, 415);
    assert!(String::from_utf8_lossy(&text.reply.body).contains("text/plain"));
    assert_eq!(
        receive(Signal::Traces, None, None, &body, LIMIT)
            .reply
            .status,
        415
    );
    assert_eq!(
        receive(Signal::Traces, PROTOBUF, Some("br"), &body, LIMIT)
            .reply
            .status,
        415
    );
    // An empty protobuf request is a request with nothing in it.
    let empty = receive(Signal::Traces, PROTOBUF, None, b"", LIMIT);
    assert_eq!(
        (empty.reply.status, empty.accepted, empty.keep),
        (200, 0, None)
    );
}

#[test]
fn log_records_are_received_like_spans() {
    let body = fixture("genai/otelv2-latest-events-01.logs.otlp.pb");
    let receipt = receive(Signal::Logs, PROTOBUF, None, &body, LIMIT);
    assert_eq!(receipt.reply.status, 200);
    assert!(receipt.accepted > 0);
    assert_eq!(receipt.keep.as_deref(), Some(&body[..]));
    // A trace body sent to the logs path holds no log records: nothing is kept.
    let traces = receive(
        Signal::Logs,
        PROTOBUF,
        None,
        &fixture("openai-01.otlp.pb"),
        LIMIT,
    );
    assert_eq!(traces.keep, None);
}

#[test]
fn a_page_reads_what_was_kept_after_what_it_read_before() {
    let dir = std::env::temp_dir().join(format!("plume-serve-from-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (one, two) = (fixture("openai-01.otlp.pb"), fixture("openai-03.otlp.pb"));
    let mut disk = Disk::open(&dir, 1 << 20).expect("open");
    disk.append(Signal::Traces, &one).expect("append");
    let (name, read) = plume::serve::disk::kept(&dir).expect("list")[0].clone();
    disk.append(Signal::Traces, &two).expect("append");
    // Half a frame more, as while a body is being written.
    let path = disk.files().expect("files")[0].clone();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open");
    file.write_all(&[0, 0, 0, 9, 1]).expect("write");
    let rest = plume::serve::disk::read_kept(&dir, &name, read)
        .expect("read")
        .expect("kept");
    assert_eq!(rest.len(), 4 + two.len());
    assert_eq!(spans_in(&rest), spans_in(&two));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kept_bodies_read_back_whole_across_files_restarts_and_a_torn_write() {
    let dir = std::env::temp_dir().join(format!("plume-serve-disk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let bodies = [
        fixture("openai-01.otlp.pb"),
        fixture("openai-03.otlp.pb"),
        fixture("langchain-01.otlp.pb"),
    ];
    let logs = fixture("genai/otelv2-latest-events-01.logs.otlp.pb");
    {
        // Files of about one body each: every body after the first starts a new file.
        let mut disk = Disk::open(&dir, 1).expect("open");
        for body in &bodies {
            disk.append(Signal::Traces, body).expect("append");
        }
        disk.append(Signal::Logs, &logs).expect("append");
        assert_eq!(disk.files().expect("files").len(), 4);
    }
    // A crash mid-write: a frame's head and half its body at the end of the last traces file.
    let files = Disk::open(&dir, 1 << 20)
        .expect("reopen")
        .files()
        .expect("files");
    let last_traces = files
        .iter()
        .rfind(|f| f.to_string_lossy().contains("traces-"))
        .expect("a traces file")
        .clone();
    let whole = std::fs::metadata(&last_traces).expect("size").len();
    let mut torn = std::fs::OpenOptions::new()
        .append(true)
        .open(&last_traces)
        .expect("open");
    torn.write_all(&[0, 0, 1, 0, 1, 2, 3]).expect("write");
    drop(torn);

    // Read while a frame is being written, a file gives its whole frames only.
    let name = last_traces
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a name")
        .to_owned();
    let read = plume::serve::disk::read_kept(&dir, &name, 0)
        .expect("read")
        .expect("kept");
    assert_eq!(read.len() as u64, whole);

    assert_eq!(
        plume::serve::disk::read_kept(&dir, "../etc/passwd", 0).expect("read"),
        None
    );
    assert_eq!(
        plume::serve::disk::read_kept(&dir, "traces-9.otlp.pb", 0).expect("read"),
        None
    );
    let listed = plume::serve::disk::kept(&dir).expect("list");
    assert_eq!(listed.len(), 4);
    assert!(
        listed
            .iter()
            .any(|(n, bytes)| *n == name && *bytes == whole + 7)
    );

    let mut disk = Disk::open(&dir, 1 << 20).expect("reopen");
    assert_eq!(
        std::fs::metadata(&last_traces).expect("size").len(),
        whole,
        "the torn frame is cut off"
    );
    disk.append(Signal::Traces, &bodies[0])
        .expect("append after a restart");
    let files = disk.files().expect("files");
    assert_eq!(files.len(), 5, "writing goes on in a new file: {files:?}");
    let mut arena = Arena::default();
    let mut spans = 0;
    let mut records = 0;
    for file in &files {
        let report = ingest::load(
            &mut arena,
            &file.to_string_lossy(),
            &std::fs::read(file).expect("read"),
        );
        assert!(report.is_ok(), "{file:?}: {:?}", report.errors);
        spans += report.spans;
        records += report.logs;
    }
    assert_eq!(spans, 4 + 3 + 18 + 4);
    assert!(records > 0);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn where_serve_keeps_and_finds_its_page_unless_told() {
    use plume::serve::{default_page, default_store};
    use std::path::PathBuf;
    let home = Some(PathBuf::from("/home/ada"));
    assert_eq!(
        default_store(Some("/data".into()), home.clone()),
        Some(PathBuf::from("/data/plume/received"))
    );
    // A relative XDG_DATA_HOME is to be ignored, as the XDG specification says.
    assert_eq!(
        default_store(Some("data".into()), home.clone()),
        Some(PathBuf::from("/home/ada/.local/share/plume/received"))
    );
    assert_eq!(default_store(None, None), None);
    // The checkout's dist/ is found from target/<profile>/plume when the current folder has none.
    let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let exe = checkout.join("target/release/plume");
    let found = default_page(Some(std::env::temp_dir()), Some(exe));
    let built = checkout.join("dist/index.html").is_file();
    assert_eq!(found, built.then(|| checkout.join("dist")));
    assert_eq!(default_page(None, None), None);
}
