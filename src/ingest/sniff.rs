//! Which format a file is, judged by its content (never by its name).
//!
//! Compression and parquet have magic bytes, and so do the files people drop by mistake (images,
//! PDFs, archives, databases, web pages), which are named rather than misread. A Zipkin protobuf body is told by its first message
//! (a whole span: ids of the right lengths, only `Span`'s fields), looked at before anything
//! else, since a protobuf body may start with bytes that read as white space and `{`. JSON starts
//! with `{` or `[`; it is JSON Lines when its first line holds one complete value and more lines
//! follow. Which JSON dialect it is comes from a cheap scan of its first keys ([`JsonKind`]),
//! without parsing values. Anything else is tried as OTLP protobuf.

use crate::ingest::compression::Codec;
use crate::ingest::otlp_proto;
use crate::model::Format;

/// What the content looks like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detected {
    /// Compressed: undo it and sniff again.
    Compressed(Codec),
    /// A format Plume reads. Parquet is reported as a trace dataset; its reader tells
    /// evaluations apart by their metadata.
    Format(Format),
    /// JSON of no known shape; says what was seen.
    Unrecognized(String),
    /// A common kind of file that is not traces: what it is (`a PNG image`).
    NotTraces(&'static str),
}

/// Magic bytes at the start of files that hold no traces, and what such a file is.
const NOT_TRACES: [(&[u8], &str); 16] = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (
        b"PK\x03\x04",
        "a ZIP archive (unzip it, then drop the trace files inside)",
    ),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"SQLite format 3\0", "an SQLite database"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"BZh", "bzip2-compressed (Plume undoes gzip and zstd)"),
    (b"\xfd7zXZ\0", "xz-compressed (Plume undoes gzip and zstd)"),
    (b"\x7fELF", "a program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"\0asm", "a WebAssembly module"),
    (
        b"ARROW1",
        "an Arrow IPC file (Plume reads Phoenix's parquet)",
    ),
    (b"\xca\xfe\xba\xbe", "a Java class or a macOS program"),
];

/// What `bytes` are, if they are a common kind of file that holds no traces.
fn not_traces(bytes: &[u8]) -> Option<&'static str> {
    if let Some((_, what)) = NOT_TRACES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
    {
        return Some(what);
    }
    // Containers named at an offset: RIFF (WebP, WAV, AVI), ISO media (MP4, MOV, HEIC), tar.
    match bytes {
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => return Some("a WebP image"),
        [b'R', b'I', b'F', b'F', ..] => return Some("a RIFF media file (audio or video)"),
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => return Some("an MP4 or QuickTime media file"),
        _ if bytes.get(257..262) == Some(b"ustar") => {
            return Some("a tar archive (unpack it, then drop the trace files inside)");
        }
        _ => {}
    }
    // Markup: after a byte-order mark and white space, `<` opens no trace format.
    let text = skip_bom_and_space(bytes);
    let head: Vec<u8> = text.iter().take(15).map(u8::to_ascii_lowercase).collect();
    match head.as_slice() {
        [
            b'<',
            b'!',
            b'd',
            b'o',
            b'c',
            b't',
            b'y',
            b'p',
            b'e',
            b' ',
            b'h',
            b't',
            b'm',
            b'l',
            ..,
        ]
        | [b'<', b'h', b't', b'm', b'l', ..] => Some("an HTML page"),
        [b'<', b'?', b'x', b'm', b'l', ..] => Some("an XML document"),
        [b'<', b's', b'v', b'g', ..] => Some("an SVG image"),
        [b'<', ..] => Some("markup (HTML or XML)"),
        _ => None,
    }
}

/// The dialect of a JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum JsonKind {
    /// OTLP/JSON: `{resourceSpans: ...}`, Tempo's `{batches: ...}`, or an array of those.
    Otlp,
    /// OTLP/JSON logs: `{resourceLogs: ...}`, or an array of those.
    OtlpLogs,
    /// Phoenix span records (dataframe rows: `context.span_id`, `span_kind`, ...), alone or in an
    /// array.
    PhoenixSpans,
    /// Phoenix REST: `{data: [span, ...], next_cursor}`.
    PhoenixRest,
    /// Phoenix REST `/spans/otlpv1`: `{data: [OTLP span, ...], next_cursor}`.
    PhoenixOtlp,
    /// Jaeger: `{data: [{traceID, spans, processes}]}`, or one such trace alone (or an array
    /// of them).
    Jaeger,
    /// Zipkin v2: an array of spans (`traceId`, `id`), or an array of such arrays.
    Zipkin,
    /// Evaluation results: `span_id` (or `context.span_id`) with `score`, `label` or
    /// `explanation`.
    Evaluations,
    /// A price table: `{models: [{id, input, …}]}`.
    Prices,
    /// None of these; says what was seen.
    Unknown(String),
}

/// Detects the format of `bytes`.
pub fn sniff(bytes: &[u8]) -> Detected {
    match bytes {
        [0x1f, 0x8b, ..] => return Detected::Compressed(Codec::Gzip),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => return Detected::Compressed(Codec::Zstd),
        [b'P', b'A', b'R', b'1', ..] => return Detected::Format(Format::PhoenixTraceDataset),
        _ if crate::ingest::zipkin_proto::looks_like(bytes) => {
            return Detected::Format(Format::ZipkinProto);
        }
        _ => {}
    }
    if let Some(what) = not_traces(bytes) {
        return Detected::NotTraces(what);
    }
    let text = skip_bom_and_space(bytes);
    let (kind, lines) = match text.first() {
        // An OTLP body opens with field 1's tag, which is `\n`; when its length byte is `{` or
        // `[` it looks like JSON after a newline, but it holds bytes that are not UTF-8 (ids), or,
        // once its first message is whole, control characters JSON never holds (ids of small
        // numbers are valid UTF-8).
        Some(b'{' | b'[')
            if bytes.first() == Some(&b'\n')
                && (!looks_like_text(bytes) || whole_first_message_with_controls(bytes)) =>
        {
            return Detected::Format(match otlp_proto::carries_logs(bytes) {
                true => Format::OtlpLogsProto,
                false => Format::OtlpProto,
            });
        }
        Some(b'{' | b'[') => match complete_first_line(text) {
            Some(first_line) => (json_kind(first_line), true),
            None => (json_kind(text), false),
        },
        _ if crate::ingest::evaluations::looks_like_csv(text) => {
            return Detected::Format(Format::EvaluationsCsv);
        }
        _ if otlp_proto::looks_framed(bytes, bytes.len()) => {
            let first = bytes.get(4..).unwrap_or_default();
            return Detected::Format(match otlp_proto::carries_logs(first) {
                true => Format::OtlpLogsProtoFramed,
                false => Format::OtlpProtoFramed,
            });
        }
        _ => {
            return Detected::Format(match otlp_proto::carries_logs(bytes) {
                true => Format::OtlpLogsProto,
                false => Format::OtlpProto,
            });
        }
    };
    Detected::Format(match (kind, lines) {
        (JsonKind::Otlp, false) => Format::OtlpJson,
        (JsonKind::Otlp, true) => Format::OtlpJsonLines,
        (JsonKind::OtlpLogs, false) => Format::OtlpLogsJson,
        (JsonKind::OtlpLogs, true) => Format::OtlpLogsJsonLines,
        (JsonKind::PhoenixSpans, false) => Format::PhoenixSpansJson,
        (JsonKind::PhoenixSpans, true) => Format::PhoenixSpansJsonLines,
        (JsonKind::PhoenixRest, _) => Format::PhoenixRestJson,
        (JsonKind::PhoenixOtlp, _) => Format::PhoenixOtlpJson,
        (JsonKind::Jaeger, _) => Format::JaegerJson,
        (JsonKind::Zipkin, _) => Format::ZipkinJson,
        (JsonKind::Evaluations, _) => Format::EvaluationsJsonLines,
        (JsonKind::Prices, _) => Format::PriceTable,
        (JsonKind::Unknown(what), _) => return Detected::Unrecognized(what),
    })
}

/// How much of a file's start tells whether it is text.
pub(crate) const TEXT_BYTES: usize = 4096;

/// Whether the first few KB of `bytes` are UTF-8 text (a character cut at the end aside).
fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(TEXT_BYTES)];
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(error) => error.error_len().is_none(),
    }
}

/// Whether `bytes` (an OTLP body's first field after its tag `\n`) holds that field whole, and
/// in it a control character other than white space.
fn whole_first_message_with_controls(bytes: &[u8]) -> bool {
    let mut length = 0_usize;
    for (i, &byte) in bytes.iter().enumerate().skip(1).take(5) {
        length |= usize::from(byte & 0x7f) << (7 * (i - 1));
        if byte & 0x80 == 0 {
            let Some(message) = (i + 1)
                .checked_add(length)
                .and_then(|end| bytes.get(i + 1..end))
            else {
                return false;
            };
            return message
                .iter()
                .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'));
        }
    }
    false
}

/// `bytes` without a leading UTF-8 byte-order mark and white space.
pub(crate) fn skip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// The first line, when it is one complete JSON value and other non-blank lines follow.
fn complete_first_line(text: &[u8]) -> Option<&[u8]> {
    let newline = memchr::memchr(b'\n', text)?;
    if text[newline..].iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let line = &text[..newline];
    let mut scan = Scan::new(line);
    scan.value()?;
    scan.space();
    (scan.at_end()).then_some(line)
}

/// Looks at the first keys of a JSON value to tell its dialect.
fn json_kind(text: &[u8]) -> JsonKind {
    let mut scan = Scan::new(text);
    scan.space();
    match scan.peek() {
        Some(b'{') => object_kind(&mut scan),
        Some(b'[') => {
            scan.i += 1;
            scan.space();
            match scan.peek() {
                Some(b'[') => JsonKind::Zipkin,
                Some(b'{') => match object_kind(&mut scan) {
                    JsonKind::Unknown(keys) => {
                        JsonKind::Unknown(format!("an array of objects with {keys}"))
                    }
                    kind => kind,
                },
                Some(b']') => JsonKind::Unknown("an empty array".into()),
                _ => JsonKind::Unknown("an array of plain values".into()),
            }
        }
        _ => JsonKind::Unknown("not a JSON object or array".into()),
    }
}

/// The dialect of the object at the scan position, from its keys.
fn object_kind(scan: &mut Scan<'_>) -> JsonKind {
    let mut seen: Vec<String> = Vec::new();
    let mut zipkin_keys = 0;
    let mut phoenix_keys = 0;
    let mut jaeger_keys = 0;
    let (mut span_key, mut result_keys) = (false, 0);
    let kind = scan.object(|key, scan| {
        match key {
            b"span_id" | b"trace_id" => span_key = true,
            b"score" | b"label" | b"explanation" | b"result" | b"annotator_kind" => {
                result_keys += 1
            }
            _ => {}
        }
        match key {
            b"resourceSpans" | b"resource_spans" | b"batches" => return Some(JsonKind::Otlp),
            b"resourceLogs" | b"resource_logs" => return Some(JsonKind::OtlpLogs),
            b"data" => return Some(data_kind(scan)),
            b"models" => return models_kind(scan),
            b"context.span_id" | b"context.trace_id" | b"span_kind" => {
                span_key |= key == b"context.span_id";
                phoenix_keys += 1;
            }
            b"traceId" | b"id" | b"localEndpoint" | b"parentId" => zipkin_keys += 1,
            // A Jaeger trace alone; a Jaeger span has `traceID` but neither of the others.
            b"traceID" | b"spans" | b"processes" => jaeger_keys += 1,
            _ => {}
        }
        if phoenix_keys >= 2 {
            return Some(JsonKind::PhoenixSpans);
        }
        if jaeger_keys >= 2 {
            return Some(JsonKind::Jaeger);
        }
        if seen.len() < 6 {
            seen.push(String::from_utf8_lossy(key).chars().take(40).collect());
        }
        scan.value()?;
        None
    });
    match kind {
        Some(kind) => kind,
        None if span_key && result_keys > 0 && phoenix_keys <= 1 => JsonKind::Evaluations,
        None if zipkin_keys >= 2 => JsonKind::Zipkin,
        None if seen.is_empty() => JsonKind::Unknown("an empty object".into()),
        None => JsonKind::Unknown(format!("keys {}", seen.join(", "))),
    }
}

/// `data: [...]` is Jaeger when its elements have `traceID`/`spans`, Phoenix REST when they are
/// Phoenix spans (a `context`, `span_kind`, ...), and Phoenix's `/spans/otlpv1` when they are
/// OTLP spans (`span_id`, `start_time_unix_nano`, ..., and no `context`). The whole first element
/// is looked at: its keys may come in any order.
fn data_kind(scan: &mut Scan<'_>) -> JsonKind {
    scan.space();
    if scan.peek() != Some(b'[') {
        return JsonKind::Unknown("\"data\" is not an array".into());
    }
    scan.i += 1;
    scan.space();
    match scan.peek() {
        Some(b'{') => {}
        // An empty page of Phoenix REST results, or of Jaeger: either way no spans.
        Some(b']') => return JsonKind::PhoenixRest,
        _ => return JsonKind::Unknown("\"data\" holds no objects".into()),
    }
    let (mut phoenix_keys, mut otlp_keys) = (false, false);
    let jaeger = scan.object(|key, scan| {
        match key {
            b"traceID" | b"spans" | b"processes" => return Some(JsonKind::Jaeger),
            b"context" | b"span_kind" | b"parent_id" | b"start_time" => phoenix_keys = true,
            b"span_id"
            | b"trace_id"
            | b"parent_span_id"
            | b"start_time_unix_nano"
            | b"end_time_unix_nano" => otlp_keys = true,
            _ => {}
        }
        scan.value()?;
        None
    });
    match jaeger {
        Some(kind) => kind,
        None if phoenix_keys => JsonKind::PhoenixRest,
        None if otlp_keys => JsonKind::PhoenixOtlp,
        None => JsonKind::Unknown("\"data\" holds objects of an unknown shape".into()),
    }
}

/// `models: [...]` is a price table when its elements have an `id` and an `input` price.
fn models_kind(scan: &mut Scan<'_>) -> Option<JsonKind> {
    scan.space();
    if scan.peek() != Some(b'[') {
        scan.value()?;
        return None;
    }
    scan.i += 1;
    scan.space();
    if scan.peek() != Some(b'{') {
        return Some(JsonKind::Unknown("\"models\" holds no objects".into()));
    }
    let (mut id, mut input) = (false, false);
    scan.object(|key, scan| {
        id |= key == b"id";
        input |= key == b"input";
        scan.value()?;
        None::<()>
    });
    Some(match id && input {
        true => JsonKind::Prices,
        false => JsonKind::Unknown(
            "\"models\" without prices (each needs an id and an input price)".into(),
        ),
    })
}

/// A forward-only scanner over JSON bytes that skips values without building them.
pub(crate) struct Scan<'a> {
    bytes: &'a [u8],
    pub(crate) i: usize,
}

impl<'a> Scan<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, i: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.bytes.len()
    }

    pub(crate) fn space(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    /// Skips a string at the position (which must be `"`); returns its raw content.
    fn string(&mut self) -> Option<&'a [u8]> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.i + 1;
        let mut j = start;
        loop {
            match *self.bytes.get(j)? {
                b'"' => break,
                b'\\' => j += 2,
                _ => j += 1,
            }
        }
        self.i = j + 1;
        self.bytes.get(start..j)
    }

    /// Skips one value. `None` when the value is cut off or malformed; the scan then stands at
    /// the end, so no caller reads on from the middle of a broken value.
    pub(crate) fn value(&mut self) -> Option<()> {
        let skipped = self.skip_value();
        if skipped.is_none() {
            self.i = self.bytes.len();
        }
        skipped
    }

    fn skip_value(&mut self) -> Option<()> {
        self.space();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                let start = self.i;
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.i += 1;
                }
                (self.i > start).then_some(())
            }
        }
    }

    /// Walks the object at the position, calling `on_key` with each key; `on_key` must consume
    /// the value (or return `Some` to stop). Returns what `on_key` stopped with.
    fn object<T>(&mut self, mut on_key: impl FnMut(&'a [u8], &mut Self) -> Option<T>) -> Option<T> {
        self.space();
        if self.peek() != Some(b'{') {
            return None;
        }
        self.i += 1;
        loop {
            self.space();
            match self.peek()? {
                b'}' => return None,
                b',' => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let key = self.string()?;
            self.space();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            let before = self.i;
            if let Some(found) = on_key(key, self) {
                return Some(found);
            }
            if self.i == before {
                // `on_key` neither stopped nor consumed: the value is malformed.
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_not_traces_are_named() {
        let mut tar = vec![b'a'; 600];
        tar[257..262].copy_from_slice(b"ustar");
        let cases: [(&[u8], &str); 9] = [
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a PNG image"),
            (b"%PDF-1.7\n", "a PDF document"),
            (
                b"PK\x03\x04\x14\0",
                "a ZIP archive (unzip it, then drop the trace files inside)",
            ),
            (b"SQLite format 3\0\x10\0", "an SQLite database"),
            (b"\xef\xbb\xbf  <!DOCTYPE html><html>", "an HTML page"),
            (b"<HTML><body>", "an HTML page"),
            (b"RIFF\x10\0\0\0WEBPVP8 ", "a WebP image"),
            (b"\0\0\0\x20ftypisom", "an MP4 or QuickTime media file"),
            (
                &tar,
                "a tar archive (unpack it, then drop the trace files inside)",
            ),
        ];
        for (bytes, what) in cases {
            assert_eq!(sniff(bytes), Detected::NotTraces(what), "{what}");
        }
        // Trace formats are still what they are.
        assert_eq!(
            sniff(b"{\"resourceSpans\":[]}"),
            Detected::Format(Format::OtlpJson)
        );
        assert_eq!(sniff(b"\n\x02\n\0"), Detected::Format(Format::OtlpProto));
    }

    #[test]
    fn magic_bytes() {
        assert_eq!(
            sniff(&[0x1f, 0x8b, 8, 0]),
            Detected::Compressed(Codec::Gzip)
        );
        assert_eq!(
            sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Detected::Compressed(Codec::Zstd)
        );
        assert_eq!(
            sniff(b"PAR1...."),
            Detected::Format(Format::PhoenixTraceDataset)
        );
    }

    #[test]
    fn a_body_whose_first_length_reads_as_a_brace_is_still_protobuf() {
        use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
        use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
        use prost::Message;
        let body = |name_len: usize, id: u8| {
            let span = Span {
                trace_id: vec![id; 16],
                span_id: vec![id; 8],
                name: "x".repeat(name_len),
                ..Span::default()
            };
            ExportTraceServiceRequest {
                resource_spans: vec![ResourceSpans {
                    scope_spans: vec![ScopeSpans {
                        spans: vec![span],
                        ..ScopeSpans::default()
                    }],
                    ..ResourceSpans::default()
                }],
            }
            .encode_to_vec()
        };
        // Ids that are not UTF-8, and ids that are (small numbers, as a test's are).
        for (brace, id) in [(b'{', 0xab), (b'[', 0xcd), (b'{', 1), (b'[', 2)] {
            let bytes = (0..200)
                .map(|n| body(n, id))
                .find(|b| b[1] == brace)
                .expect("a length that is the brace");
            assert_eq!(sniff(&bytes), Detected::Format(Format::OtlpProto));
            let mut arena = crate::model::Arena::default();
            assert_eq!(crate::ingest::load(&mut arena, "b.pb", &bytes).spans, 1);
        }
        // A JSON file after a blank line is still JSON.
        assert_eq!(
            sniff(b"\n{\"resourceSpans\": []}"),
            Detected::Format(Format::OtlpJson)
        );
    }

    #[test]
    fn json_dialects_by_their_keys() {
        let cases: [(&str, Format); 14] = [
            (r#"{"resourceSpans":[]}"#, Format::OtlpJson),
            (r#"  {"resource_spans":[]}"#, Format::OtlpJson),
            (r#"{"batches":[]}"#, Format::OtlpJson),
            (r#"[{"resourceSpans":[]}]"#, Format::OtlpJson),
            (
                r#"{"data":[{"traceID":"ab","spans":[]}],"total":0}"#,
                Format::JaegerJson,
            ),
            (
                r#"{"traceID":"1","spans":[],"processes":{},"warnings":null}"#,
                Format::JaegerJson,
            ),
            (r#"[{"spans":[],"processes":{}}]"#, Format::JaegerJson),
            (
                r#"{"next_cursor":null,"data":[{"id":"x","name":"n","context":{}}]}"#,
                Format::PhoenixRestJson,
            ),
            (
                r#"{"data":[{"attributes":[],"end_time_unix_nano":2,"span_id":"ab"}]}"#,
                Format::PhoenixOtlpJson,
            ),
            (
                r#"{"data":[{"span_id":"ab","context":{"span_id":"ab"}}]}"#,
                Format::PhoenixRestJson,
            ),
            (
                r#"[{"traceId":"ab","id":"cd","name":"get"}]"#,
                Format::ZipkinJson,
            ),
            (r#"[[{"traceId":"ab","id":"cd"}]]"#, Format::ZipkinJson),
            (
                r#"{"name":"x","span_kind":"LLM","context.span_id":"ab"}"#,
                Format::PhoenixSpansJson,
            ),
            (
                r#"[{"name":"x","span_kind":"LLM","context.span_id":"ab"}]"#,
                Format::PhoenixSpansJson,
            ),
        ];
        for (text, format) in cases {
            assert_eq!(sniff(text.as_bytes()), Detected::Format(format), "{text}");
        }
        assert_eq!(
            sniff(br#"{"hello": {"deep": [1, "}"]}, "world": 2}"#),
            Detected::Unrecognized("keys hello, world".into())
        );
        // One Jaeger span (as Jaeger stores it in Elasticsearch) is not a trace.
        assert_eq!(
            sniff(br#"{"traceID": "1", "spanID": "2"}"#),
            Detected::Unrecognized("keys traceID, spanID".into())
        );
    }

    #[test]
    fn json_lines_need_a_complete_first_line() {
        let lines = b"{\"resourceSpans\":[]}\n{\"resourceSpans\":[]}\n";
        assert_eq!(sniff(lines), Detected::Format(Format::OtlpJsonLines));
        let pretty = b"{\n  \"resourceSpans\": []\n}\n";
        assert_eq!(sniff(pretty), Detected::Format(Format::OtlpJson));
        let one_line = b"{\"resourceSpans\":[]}\n\n";
        assert_eq!(sniff(one_line), Detected::Format(Format::OtlpJson));
    }

    #[test]
    fn a_zipkin_span_first_is_zipkin_protobuf() {
        // spans[0]: trace_id (16 bytes), id (8), name "get".
        let mut span = vec![0x0A, 16];
        span.extend([1; 16]);
        span.extend([0x1A, 8]);
        span.extend([2; 8]);
        span.extend([0x2A, 3, b'g', b'e', b't']);
        let mut body = vec![0x0A, span.len() as u8];
        body.extend(&span);
        assert_eq!(sniff(&body), Detected::Format(Format::ZipkinProto));
        // Its length byte is `{` (123): still protobuf, not JSON after a newline.
        span.extend([0x5A, 123 - span.len() as u8 - 2]);
        span.resize(123, b'x');
        let mut body = vec![0x0A, span.len() as u8];
        body.extend(&span);
        assert_eq!(body[1], b'{');
        assert_eq!(sniff(&body), Detected::Format(Format::ZipkinProto));
        // Cut off before its first span ends, it is not (yet) told apart.
        assert!(matches!(sniff(&body[..40]), Detected::Unrecognized(_)));
    }

    #[test]
    fn the_rest_is_protobuf() {
        assert_eq!(
            sniff(&[0x0a, 0x02, 0x0a, 0x00]),
            Detected::Format(Format::OtlpProto)
        );
        assert_eq!(
            sniff(&[0, 0, 0, 2, 0x0a, 0x00]),
            Detected::Format(Format::OtlpProtoFramed)
        );
    }

    #[test]
    fn a_large_first_batch_is_not_a_frame() {
        use crate::ingest::otlp_proto::looks_framed;
        // A 1 MB first batch opening with its resource, in a 1 GB body: its first four bytes
        // also read as the length of a 170 MB frame holding a request.
        let mut head = vec![0x0A];
        prost::encoding::encode_varint(1_000_000, &mut head);
        assert_eq!(head.len(), 4, "a three-byte length");
        head.extend([0x0A, 0x10]);
        assert!(!looks_framed(&head, 1 << 30));
        // One byte less in the length's first byte and it would be a frame.
        head[0] = 0x09;
        assert!(looks_framed(&head, 1 << 30));
    }
}
