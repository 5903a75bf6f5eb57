//! A file read as its bytes arrive ([`FileStream`]) gives what reading it whole gives: the same
//! spans, the same report with the same error places, however the bytes are cut.

mod common;

use common::fixture;
use plume::export::{Target, encode};
use plume::generate::{Shape, write_proto};
use plume::ingest::{self, FileReport, FileStream, SNIFF_BYTES};
use plume::model::Arena;

/// Every span of an arena, as spec OTLP/JSON: what "the same spans" means here.
fn spans(arena: &Arena) -> Vec<u8> {
    let all: Vec<u32> = (0..arena.spans().len() as u32).collect();
    encode(arena, &all, Target::OtlpJson)
}

fn whole(name: &str, bytes: &[u8]) -> (FileReport, Vec<u8>) {
    let mut arena = Arena::default();
    let report = ingest::load(&mut arena, name, bytes);
    (report, spans(&arena))
}

fn streamed(name: &str, bytes: &[u8], cut: usize, sniff: usize) -> (FileReport, Vec<u8>) {
    let mut arena = Arena::default();
    let mut stream = FileStream::new(&arena, name, Some(bytes.len() as u64)).sniffing(sniff);
    let mut heard = 0;
    for chunk in bytes.chunks(cut.max(1)) {
        stream.feed(&mut arena, chunk, &mut |spans| heard = spans);
    }
    let report = stream.finish(&mut arena, &mut |spans| heard = spans);
    // A file that fails as a whole (a gzip cut short) drops what progress heard.
    if report.spans > 0 {
        assert_eq!(heard, report.spans, "{name}: progress heard every span");
    }
    (report, spans(&arena))
}

/// `bytes` streamed in chunks of 64 KB: what came of them, and the most the stream held at once.
fn read_in_chunks(name: &str, bytes: &[u8]) -> (FileReport, usize) {
    let mut arena = Arena::default();
    let mut stream = FileStream::new(&arena, name, Some(bytes.len() as u64));
    let mut most = 0;
    for chunk in bytes.chunks(64 * 1024) {
        stream.feed(&mut arena, chunk, &mut |_| {});
        most = most.max(stream.held());
    }
    (stream.finish(&mut arena, &mut |_| {}), most)
}

/// Checks `bytes` read whole and streamed in cuts of several sizes, the format decided after
/// the usual start or after a few bytes (so that small files stream too).
fn same_either_way(name: &str, bytes: &[u8]) {
    let want = whole(name, bytes);
    for (cut, sniff) in [
        (1 << 16, SNIFF_BYTES),
        (4096, SNIFF_BYTES),
        (1000, 64),
        (7, 16),
    ] {
        if cut == 7 && bytes.len() > 1 << 21 {
            continue; // Byte-sized cuts of a big file only cost time.
        }
        let got = streamed(name, bytes, cut, sniff);
        let how = format!("{name}, cut every {cut} bytes, sniffed after {sniff}");
        assert_eq!(got.0, want.0, "{how}: the report");
        assert!(got.1 == want.1, "{how}: the spans differ");
    }
}

/// A generated data set over [`SNIFF_BYTES`], so the record-by-record path is the one taken.
fn big_proto() -> Vec<u8> {
    let mut bytes = Vec::new();
    let shape = Shape {
        spans: 4_000,
        traces: 4,
        seed: 11,
        ..Default::default()
    };
    write_proto(shape, &mut bytes).unwrap_or_default();
    assert!(bytes.len() > 2 * SNIFF_BYTES, "{} bytes", bytes.len());
    bytes
}

/// The top-level fields of a protobuf body (each a `resourceSpans`).
fn fields(body: &[u8]) -> Vec<&[u8]> {
    let mut fields = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let mut cursor = &rest[1..];
        let len = prost::encoding::decode_varint(&mut cursor).unwrap_or_default() as usize;
        let size = rest.len() - cursor.len() + len;
        fields.push(&rest[..size]);
        rest = &rest[size..];
    }
    fields
}

/// `body` as the Collector's file exporter frames it, in `frames` frames.
fn framed(body: &[u8], frames: usize) -> Vec<u8> {
    // Cut between top-level fields: each frame is a request of its own.
    let fields = fields(body);
    let mut out = Vec::new();
    for group in fields.chunks(fields.len().div_ceil(frames)) {
        let frame: Vec<u8> = group.concat();
        out.extend_from_slice(&(frame.len() as u32).to_be_bytes());
        out.extend_from_slice(&frame);
    }
    out
}

#[test]
fn every_fixture_reads_the_same_streamed() {
    for path in [
        "openai-01.otlp.pb",
        "openai-03.otlp.pb",
        "langchain-01.otlp.pb",
        "node-01.otlp.pb",
        "node-01.otlp.json",
        "collector-file-exporter.jsonl",
        "generated/jaeger-ui-download.json",
        "generated/zipkin-python.json",
        "generated/zipkin-python.pb",
        "generated/jaeger-trace-alone.json",
        "generated/phoenix-otlpv1.json",
        "phoenix/chatbot-demo/trace_dataset-030cd3a2-7efa-472c-8e22-cb5a62c1338d.parquet",
    ] {
        same_either_way(path, &fixture(path));
    }
}

#[test]
fn a_big_body_frames_and_json_lines_read_the_same_streamed() {
    let body = big_proto();
    same_either_way("big.otlp.pb", &body);
    same_either_way("big.framed.pb", &framed(&body, 5));
    let mut arena = Arena::default();
    ingest::load(&mut arena, "big", &body);
    let all: Vec<u32> = (0..arena.spans().len() as u32).collect();
    let lines = encode(&arena, &all, Target::OtlpJsonLines);
    assert!(lines.len() > 2 * SNIFF_BYTES);
    same_either_way("big.jsonl", &lines);
}

#[test]
fn a_big_file_is_never_held_whole() {
    let body = big_proto();
    let mut arena = Arena::default();
    let lines = {
        ingest::load(&mut arena, "big", &body);
        let all: Vec<u32> = (0..arena.spans().len() as u32).collect();
        encode(&arena, &all, Target::OtlpJsonLines)
    };
    let biggest_field = fields(&body)
        .iter()
        .map(|f| f.len())
        .max()
        .unwrap_or_default();
    let biggest_line = lines
        .split(|&b| b == b'\n')
        .map(<[u8]>::len)
        .max()
        .unwrap_or_default();
    // Collector frames, a batch each, bigger than the sniffed start.
    let mut many = Vec::new();
    let shape = Shape {
        spans: 16_000,
        traces: 8,
        seed: 5,
        ..Default::default()
    };
    write_proto(shape, &mut many).unwrap_or_default();
    let batches = fields(&many).len();
    let frames = framed(&many, batches);
    let biggest_frame = fields(&many)
        .iter()
        .map(|f| f.len() + 4)
        .max()
        .unwrap_or_default();
    assert!(
        batches >= 8 && biggest_frame > SNIFF_BYTES,
        "{batches} batches"
    );
    for (name, bytes, record) in [
        ("big.otlp.pb", &body, biggest_field),
        ("big.jsonl", &lines, biggest_line),
        ("big.framed.pb", &frames, biggest_frame),
    ] {
        let (report, most) = read_in_chunks(name, bytes);
        assert!(report.is_ok());
        // The sniffed start and the record it cut, then never more than a record and a chunk.
        assert!(
            most <= SNIFF_BYTES + record + 64 * 1024 && most < bytes.len() / 2,
            "{name}: held {most} of {} bytes (records up to {record})",
            bytes.len()
        );
    }
}

#[test]
fn broken_files_fail_at_the_same_places_streamed() {
    let body = big_proto();
    // Cut off in the middle of a field; a field of a wire type OTLP never uses; garbage
    // inside a `resourceSpans`.
    let cut = &body[..body.len() - 1000];
    let mut bad_wire = body[..SNIFF_BYTES * 2].to_vec();
    let at = bad_wire.len() - ingest_whole_fields_tail(&bad_wire);
    bad_wire.truncate(at);
    bad_wire.extend_from_slice(&[0x0F, 1, 2, 3]);
    bad_wire.extend_from_slice(&body[at..at + 5000]);
    let mut garbage = body.clone();
    let middle = garbage.len() / 2;
    garbage[middle..middle + 64].fill(0xFF);
    for (name, bytes) in [
        ("cut.otlp.pb", cut.to_vec()),
        ("bad-wire.otlp.pb", bad_wire),
        ("garbage.otlp.pb", garbage),
    ] {
        let (report, _) = whole(name, &bytes);
        assert!(!report.errors.is_empty(), "{name} is broken");
        same_either_way(name, &bytes);
    }

    let frames = framed(&body, 4);
    same_either_way("cut.framed.pb", &frames[..frames.len() - 10]);

    let mut lines = fixture("collector-file-exporter.jsonl");
    lines.extend_from_slice(b"{\"resourceSpans\": [nope\n\n");
    lines.extend_from_slice(&fixture("collector-file-exporter.jsonl"));
    lines.truncate(lines.len() - 20);
    same_either_way("bad-lines.jsonl", &lines);
    let (report, _) = whole("bad-lines.jsonl", &lines);
    assert!(report.errors.len() >= 2, "{:?}", report.errors);
}

/// How many bytes at the end of `bytes` are not whole top-level fields: where to put a bad one.
fn ingest_whole_fields_tail(bytes: &[u8]) -> usize {
    let mut rest = bytes;
    loop {
        let mut cursor = &rest[1.min(rest.len())..];
        let Ok(len) = prost::encoding::decode_varint(&mut cursor) else {
            return rest.len();
        };
        let size = rest.len() - cursor.len() + len as usize;
        if size > rest.len() {
            return rest.len();
        }
        rest = &rest[size..];
    }
}

#[test]
fn an_empty_or_tiny_file_streamed_is_reported_as_read_whole() {
    for bytes in [&b""[..], b"{", b"\n\n", b"\x0a\x05ab"] {
        let name = "tiny";
        assert_eq!(
            streamed(name, bytes, 1, 1).0,
            whole(name, bytes).0,
            "{bytes:?}"
        );
    }
}

/// A generated OTLP/JSON document over [`SNIFF_BYTES`], one request of batches of 100 spans,
/// laid out as `serde_json` pretty-prints it (so its first line ends early and it streams).
fn big_json_document() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut compact = Vec::new();
    let shape = Shape {
        spans: 4_000,
        ..Shape::default()
    };
    plume::generate::write_json(shape, &mut compact)?;
    let mut value: serde_json::Value = serde_json::from_slice(&compact)?;
    let mut batches = Vec::new();
    for batch in value["resourceSpans"].as_array().into_iter().flatten() {
        let spans = batch["scopeSpans"][0]["spans"].as_array().cloned();
        for part in spans.unwrap_or_default().chunks(100) {
            let mut small = batch.clone();
            small["scopeSpans"][0]["spans"] = serde_json::Value::from(part.to_vec());
            batches.push(small);
        }
    }
    assert!(batches.len() >= 40);
    value["resourceSpans"] = serde_json::Value::from(batches);
    Ok(serde_json::to_vec_pretty(&value)?)
}

#[test]
fn a_json_document_reads_the_same_streamed() -> Result<(), Box<dyn std::error::Error>> {
    let document = big_json_document()?;
    assert!(document.len() > 2 * SNIFF_BYTES);
    same_either_way("big.otlp.json", &document);
    // Every shape the whole reader takes: other members around the batches (skipped), Tempo's
    // `batches`, snake_case, null and empty batches, a null batches member, and escapes.
    let batch = r#"{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a\"b\u00e9"}}]},"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}"#;
    for text in [
        format!("{{\n\"a\": [1, {{\"b\": null}}], \"resourceSpans\": [{batch}, null, {{}}],\n\"z\": \"}}\"}}\n"),
        format!("{{\n\"batches\": [ {batch} ,\n {batch} ]\n}}"),
        format!("{{\n\"resource_spans\":null, \"ResourceSpans\" : [{batch}]}}  \n\n"),
        "{\n\"resourceSpans\": []}".into(),
        "{\n\"other\": 1.5e3}".into(),
        "{\n\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"1\",\"body\":{\"stringValue\":\"hi\"}}]}]}]}".into(),
        "{\n}".into(),
        // Cut off inside a value deep enough to be parsed inside brackets of its own.
        format!("{{\n\"resourceSpans\":[{batch},{{\"x\":{}", "[".repeat(130)),
        format!("{{\n\"resourceSpans\":[{batch},{{\"x\":{}\"abc", "[".repeat(130)),
        format!("{{\n\"resourceSpans\":[{batch},{{\"x\":{}, \"b\":\"\\u\"}}", "[".repeat(119)),
        // Escapes serde_json reads past where a scan of quotes ends the string.
        "{\n\"resourceSpans\":[\"ab\\u\"cd\"], \"x\": 1}".into(),
        "{\n\"resourceSpans\":[\"\\ud83d\\u\"ab\"]}".into(),
        "{\n\"k\\u\": 1}".into(),
    ] {
        same_either_way(&text, text.as_bytes());
    }
    Ok(())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap_or_default();
    encoder.finish().unwrap_or_default()
}

#[test]
fn gzip_streams_and_reads_the_same_streamed() -> Result<(), Box<dyn std::error::Error>> {
    let body = big_proto();
    let document = big_json_document()?;
    // Two members, as `cat a.gz b.gz` makes.
    let mut members = gzip(&document[..document.len() / 2]);
    members.extend_from_slice(&gzip(&document[document.len() / 2..]));
    let zipped = gzip(&body);
    let mut cut = zipped.clone();
    cut.truncate(zipped.len() * 2 / 3);
    let mut corrupt = zipped.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle..middle + 32].fill(0x55);
    for (name, bytes) in [
        ("big.otlp.pb.gz", zipped),
        ("big.otlp.json.gz", gzip(&document)),
        ("members.json.gz", members),
        ("twice.otlp.pb.gz.gz", gzip(&gzip(&body))),
        ("cut.otlp.pb.gz", cut),
        ("corrupt.otlp.pb.gz", corrupt),
    ] {
        same_either_way(name, &bytes);
    }
    // Twice compressed, held whole once the second request comes (past the first megabyte):
    // the layer in between goes back to gathering, the outer one expands on to the end.
    let mut state = 9_u64;
    let mut letters = || -> String {
        (0..2 * SNIFF_BYTES)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                char::from(b'a' + (state >> 60) as u8)
            })
            .collect()
    };
    let request = |pad: String| format!("{{\"resourceSpans\":[],\"pad\":\"{pad}\"}}");
    let late = format!("[{}\n,{}]\n", request(letters()), request(letters()));
    same_either_way("late.json.gz.gz", &gzip(&gzip(late.as_bytes())));
    // An array of requests is held whole: gathered compressed, not expanded into a buffer.
    let array = [&b"["[..], &document, b"]"].concat();
    let zipped = gzip(&array);
    same_either_way("array.json.gz", &zipped);
    let (report, most) = read_in_chunks("array.json.gz", &zipped);
    assert!(report.spans == 4_000);
    assert!(
        most <= zipped.len(),
        "held {most} of {} bytes",
        zipped.len()
    );
    // A bomb of white space inside an array: once its content is known to be held whole, only
    // its compressed bytes are gathered.
    // (Its first member, past the sniffed start, is letters that do not compress, so that the
    // stream decides while the file still comes.)
    let mut state = 7_u64;
    let letters: Vec<u8> = (0..3 * SNIFF_BYTES / 2)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            b'a' + (state >> 59) as u8
        })
        .collect();
    let mut bomb = gzip(&[&b"[{\"resourceSpans\":[],\"pad\":\""[..], &letters, b"\""].concat());
    let spaces = gzip(&vec![b' '; 64 << 20]);
    for _ in 0..4 {
        bomb.extend_from_slice(&spaces);
    }
    let (_, most) = read_in_chunks("bomb.json.gz", &bomb);
    // At most the compressed file and the start of the content its stream waits for (up to
    // 16 MB for one line of JSON); never the 256 MB it expands to. (That the expansion stops
    // inside a piece, so the tab never holds it either, the e2e bomb checks.)
    assert!(
        most <= bomb.len() + (17 << 20),
        "held {most} of {} bytes",
        bomb.len()
    );
    // Streamed, neither the compressed file nor what it expands to is held whole.
    let zipped = gzip(&document);
    let (report, most) = read_in_chunks("big.json.gz", &zipped);
    assert!(report.is_ok() && report.spans == 4_000, "{report:?}");
    assert!(
        most <= SNIFF_BYTES + 2 * 512 * 1024 && most < document.len() / 4,
        "held {most} of {} bytes expanded",
        document.len()
    );
    Ok(())
}

#[test]
fn a_big_json_document_is_never_held_whole() -> Result<(), Box<dyn std::error::Error>> {
    let document = big_json_document()?;
    let (report, most) = read_in_chunks("big.json", &document);
    assert!(report.is_ok());
    // The sniffed start and the batch it cut, then a batch (about 350 KB here) and a chunk at
    // most.
    assert!(
        most <= SNIFF_BYTES + 2 * 512 * 1024 && most < document.len() / 4,
        "held {most} of {} bytes",
        document.len()
    );
    Ok(())
}

/// A small document of three batches over several lines, broken every way a byte can break it:
/// cut off after each byte, each byte replaced by a few that change its meaning. Streamed in
/// cuts, each is reported as reading it whole reports it, faults placed the same.
#[test]
fn a_broken_json_document_fails_at_the_same_places_streamed() {
    let batch = r#"{"resource":{"attributes":[{"key":"k","value":{"intValue":"7"}}]},"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"2","status":{"code":2}}]}]}"#;
    let document = format!(
        "{{\n \"k\": [true, -1.5],\n \"resourceSpans\": [\n  {batch},\n  null, {batch}\n ] ,\"z\":null\n}}\n"
    );
    let bytes = document.as_bytes();
    let mut broken: Vec<Vec<u8>> = (1..bytes.len()).map(|end| bytes[..end].to_vec()).collect();
    for at in 1..bytes.len() {
        for byte in [b'x', b'}', b']', b',', b'"', b'1', b'\\', b'\n', b'{'] {
            let mut bad = bytes.to_vec();
            bad[at] = byte;
            broken.push(bad);
        }
    }
    for bad in &broken {
        let want = whole("bad.json", bad);
        for (cut, sniff) in [(1, 4), (13, 8), (64, 4)] {
            let got = streamed("bad.json", bad, cut, sniff);
            let text = String::from_utf8_lossy(bad);
            assert_eq!(got.0, want.0, "{text}\ncut every {cut}: the report");
            assert!(got.1 == want.1, "{text}\ncut every {cut}: the spans differ");
        }
    }
}
