//! OTLP protobuf: an OTLP/HTTP body (`ExportTraceServiceRequest`, which has the same wire form
//! as `TracesData`, or its logs twin `ExportLogsServiceRequest`), or the Collector file
//! exporter's framing of many of them (each preceded by its length as a 4-byte big-endian
//! number).

use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans};
use prost::Message;

use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::otlp::{Origin, SpanWriter};
use crate::ingest::otlp_logs::ResourceLogs;
use crate::ingest::otlp_wire;
use crate::model::ArenaFull;

/// `ResourceSpans`, plus the field that exporters before OTLP 0.15 used for scope spans
/// (`instrumentation_library_spans = 1000`), which the current types would skip silently. Its
/// messages have the same wire layout as `ScopeSpans`.
#[derive(Clone, PartialEq, Message)]
struct ResourceSpansCompat {
    #[prost(message, optional, tag = "1")]
    resource: Option<Resource>,
    #[prost(message, repeated, tag = "2")]
    scope_spans: Vec<ScopeSpans>,
    #[prost(string, tag = "3")]
    schema_url: String,
    #[prost(message, repeated, tag = "1000")]
    instrumentation_library_spans: Vec<ScopeSpans>,
}

impl From<ResourceSpansCompat> for ResourceSpans {
    fn from(compat: ResourceSpansCompat) -> Self {
        let mut scope_spans = compat.scope_spans;
        scope_spans.extend(compat.instrumentation_library_spans);
        ResourceSpans {
            resource: compat.resource,
            scope_spans,
            schema_url: compat.schema_url,
        }
    }
}

/// What an OTLP body carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    /// `ResourceSpans`.
    Traces,
    /// `ResourceLogs`.
    Logs,
}

impl Signal {
    /// The signal a format reads.
    pub(crate) fn of(format: crate::model::Format) -> Self {
        use crate::model::Format as F;
        match format {
            F::OtlpLogsProto | F::OtlpLogsProtoFramed | F::OtlpLogsJson | F::OtlpLogsJsonLines => {
                Signal::Logs
            }
            _ => Signal::Traces,
        }
    }

    fn batches(self) -> &'static str {
        match self {
            Signal::Traces => "resourceSpans",
            Signal::Logs => "resourceLogs",
        }
    }
}

/// Reads one protobuf body, one `ResourceSpans` (or `ResourceLogs`) at a time: each is
/// decoded, stored and dropped before the next, so memory holds one batch rather than the whole
/// request. A batch that does not decode is reported at its byte offset and ends the reading;
/// the batches before it stay. A body in which nothing decodes fails as a whole.
pub(crate) fn read(
    bytes: &[u8],
    signal: Signal,
    writer: &mut SpanWriter<'_>,
) -> Result<(), Located> {
    let problem = read_at(bytes, 0, 0, signal, writer)?.end(signal)?;
    writer.errors.extend(problem);
    Ok(())
}

fn not_otlp(signal: Signal) -> Problem {
    Problem::NotRecognized(match signal {
        Signal::Traces => "protobuf without resourceSpans: not an OTLP trace export".into(),
        Signal::Logs => "protobuf without resourceLogs: not an OTLP logs export".into(),
    })
}

/// The bytes of the first field `number` of a message (length-delimited), as far as `bytes`
/// holds them.
fn first_field(bytes: &[u8], number: u64) -> Option<&[u8]> {
    let mut rest = bytes;
    while !rest.is_empty() {
        let key = prost::encoding::decode_varint(&mut rest).ok()?;
        match key & 7 {
            0 => {
                prost::encoding::decode_varint(&mut rest).ok()?;
            }
            1 => rest = rest.get(8..)?,
            5 => rest = rest.get(4..)?,
            2 => {
                let len = usize::try_from(prost::encoding::decode_varint(&mut rest).ok()?).ok()?;
                if key >> 3 == number {
                    return Some(&rest[..len.min(rest.len())]);
                }
                rest = rest.get(len..)?;
            }
            _ => return None,
        }
    }
    None
}

/// Whether `body`'s first batch (field 1) has all come, so that [`carries_logs`] says of these
/// first bytes what it says of the whole body.
pub(crate) fn first_batch_whole(body: &[u8]) -> bool {
    let mut rest = body;
    while !rest.is_empty() {
        let Ok(key) = prost::encoding::decode_varint(&mut rest) else {
            return false;
        };
        let skipped = match key & 7 {
            0 => prost::encoding::decode_varint(&mut rest).is_ok(),
            1 => rest.get(8..).map(|after| rest = after).is_some(),
            5 => rest.get(4..).map(|after| rest = after).is_some(),
            2 => {
                let Some(len) = prost::encoding::decode_varint(&mut rest)
                    .ok()
                    .and_then(|len| usize::try_from(len).ok())
                else {
                    return false;
                };
                if key >> 3 == 1 {
                    return len <= rest.len();
                }
                rest.get(len..).map(|after| rest = after).is_some()
            }
            _ => false,
        };
        if !skipped {
            return false;
        }
    }
    false
}

/// Whether a body carries log records rather than spans, judged by its first record (which
/// may be cut off: only its start is read). Encoders write fields in number order, and a span
/// begins with its trace id (field 1, bytes) where a log record begins with a time (field 1,
/// fixed64) or, without one, a later field.
pub(crate) fn carries_logs(body: &[u8]) -> bool {
    let record = first_field(body, 1).and_then(|resource| {
        let scope = first_field(resource, 2).or_else(|| first_field(resource, 1000))?;
        first_field(scope, 2)
    });
    let mut start = match record {
        Some(record) if !record.is_empty() => record,
        _ => return false,
    };
    prost::encoding::decode_varint(&mut start).is_ok_and(|key| key != (1 << 3 | 2))
}

/// What reading a body came to.
pub(crate) struct Outcome {
    /// `ResourceSpans` stored.
    pub(crate) batches: usize,
    /// The fault that stopped the reading, if one did.
    pub(crate) problem: Option<Located>,
}

impl Outcome {
    /// How the whole body ends: it fails if nothing of it was stored; a fault after that is
    /// the problem to report, and what came before stays.
    pub(crate) fn end(self, signal: Signal) -> Result<Option<Located>, Located> {
        match (self.batches, self.problem) {
            (0, Some(problem)) => Err(problem),
            (0, None) => Err(Located::file(not_otlp(signal))),
            (_, problem) => Ok(problem),
        }
    }
}

/// Reads (part of) a body that starts at `base` in the file (0, a frame's offset, or where a
/// streamed part begins), `batches` of it being read already. Only a full arena is an `Err`;
/// bad data is the outcome's problem.
pub(crate) fn read_at(
    bytes: &[u8],
    base: u64,
    batches: usize,
    signal: Signal,
    writer: &mut SpanWriter<'_>,
) -> Result<Outcome, ArenaFull> {
    let mut rest = bytes;
    let mut batches = batches;
    while !rest.is_empty() {
        let offset = file_offset(base, bytes.len() - rest.len());
        let stop = |message: String| Outcome {
            batches,
            problem: Some(Located::new(
                Place::byte(offset),
                Problem::Protobuf(message),
            )),
        };
        let field = |rest: &mut &[u8]| -> Result<(u64, u64, usize), String> {
            let key = prost::encoding::decode_varint(rest).map_err(|e| e.to_string())?;
            let (field, wire_type) = (key >> 3, key & 7);
            let len = match wire_type {
                0 => prost::encoding::decode_varint(rest)
                    .map(|_| 0)
                    .map_err(|e| e.to_string())?,
                1 => 8,
                5 => 4,
                2 => prost::encoding::decode_varint(rest)
                    .map(|len| usize::try_from(len).unwrap_or(usize::MAX))
                    .map_err(|e| e.to_string())?,
                _ => {
                    return Err(format!(
                        "field {field} has wire type {wire_type}, which OTLP never uses"
                    ));
                }
            };
            if len > rest.len() {
                return Err(format!(
                    "field {field} needs {len} bytes; {} are left",
                    rest.len()
                ));
            }
            Ok((field, wire_type, len))
        };
        let (number, wire_type, len) = match field(&mut rest) {
            Ok(header) => header,
            Err(message) => return Ok(stop(message)),
        };
        let (value, tail) = rest.split_at(len);
        rest = tail;
        if number == 1 && wire_type == 2 {
            let origin = Origin::document(batches);
            let decoded = match signal {
                Signal::Traces => match direct() && otlp_wire::write_batch(value, writer, &origin)?
                {
                    true => Ok(Ok(())),
                    // What the direct reader leaves to prost.
                    false => ResourceSpansCompat::decode(value)
                        .map(|batch| writer.write(&[batch.into()], &origin)),
                },
                Signal::Logs => ResourceLogs::decode(value)
                    .map(|batch| writer.write_logs(std::slice::from_ref(&batch), &origin)),
            };
            match decoded {
                Ok(written) => written?,
                Err(error) => {
                    return Ok(stop(format!("{}[{batches}]: {error}", signal.batches())));
                }
            }
            batches += 1;
        }
    }
    Ok(Outcome {
        batches,
        problem: None,
    })
}

/// For the differential fuzz target `otlp_wire`: `bytes` read as an OTLP protobuf trace body by
/// the direct reader (as every load reads it), and by prost alone, each into its own arena, with
/// the problems each reported (per span, and what stopped the reading).
#[cfg(fuzzing)]
pub fn read_both_ways(bytes: &[u8]) -> [(crate::model::Arena, Vec<String>); 2] {
    let read = |prost_only: bool| {
        PROST_ONLY.set(prost_only);
        let mut arena = crate::model::Arena::default();
        let Ok(source) = arena.add_source("body", crate::model::Format::OtlpProto) else {
            return (arena, Vec::new());
        };
        let mut writer = SpanWriter::new(&mut arena, source, None);
        let outcome = read_at(bytes, 0, 0, Signal::Traces, &mut writer);
        let mut problems: Vec<String> = (writer.errors.iter().chain(&writer.warnings))
            .map(|located| format!("{located:?}"))
            .collect();
        problems.push(match outcome {
            Ok(outcome) => format!("{} batches, {:?}", outcome.batches, outcome.problem),
            Err(full) => full.to_string(),
        });
        PROST_ONLY.set(false);
        (arena, problems)
    };
    [read(false), read(true)]
}

#[cfg(fuzzing)]
thread_local! {
    /// Set by [`read_both_ways`] to read with prost alone.
    static PROST_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether batches are read directly into the arena (always, but in the differential fuzz
/// target's reading by prost alone).
fn direct() -> bool {
    #[cfg(fuzzing)]
    return !PROST_ONLY.get();
    #[cfg(not(fuzzing))]
    true
}

/// True when a file of `size` bytes starting with `bytes` looks like length-prefixed frames
/// holding protobuf messages.
///
/// A plain body opens with `\n` (field 1) and its length; when that length takes three bytes (a
/// first batch of 16 KiB to 2 MiB) and the batch opens with its resource (`\n` again), the same
/// bytes read as a frame of 160-odd MiB holding a request, in a file large enough for one. Such
/// bytes are taken as a plain body: a first frame that large is far rarer.
pub(crate) fn looks_framed(bytes: &[u8], size: usize) -> bool {
    match bytes {
        [a, b, c, d, first, ..] if *a != 0x0A => {
            let len = u32::from_be_bytes([*a, *b, *c, *d]) as usize;
            // Field 1, wire type 2: the `resource_spans` of an `ExportTraceServiceRequest`.
            *first == 0x0A && len > 0 && len <= size.saturating_sub(4)
        }
        _ => false,
    }
}

/// How many bytes at the start of `bytes` are whole top-level fields of a body (what a stream
/// can read before more arrives). It stops before a field that is cut off or malformed.
pub(crate) fn whole_fields(bytes: &[u8]) -> usize {
    let mut rest = bytes;
    loop {
        let before = rest.len();
        let header = (|| {
            let key = prost::encoding::decode_varint(&mut rest).ok()?;
            let len = match key & 7 {
                0 => prost::encoding::decode_varint(&mut rest).map(|_| 0).ok()?,
                1 => 8,
                5 => 4,
                2 => usize::try_from(prost::encoding::decode_varint(&mut rest).ok()?).ok()?,
                _ => return None,
            };
            (len <= rest.len()).then_some(len)
        })();
        match header {
            Some(len) => rest = &rest[len..],
            None => return bytes.len() - before,
        }
        if rest.is_empty() {
            return bytes.len();
        }
    }
}

/// How many bytes at the start of `bytes` are whole frames.
pub(crate) fn whole_frames(bytes: &[u8]) -> usize {
    let mut offset = 0usize;
    while let Some(end) =
        frame_length(bytes, offset).and_then(|len| frame_end(offset, len, bytes.len()))
    {
        offset = end;
    }
    offset
}

/// The frame length at `offset`, if its four bytes are there.
fn frame_length(bytes: &[u8], offset: usize) -> Option<usize> {
    let header = bytes.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize)
}

/// Where a frame of `len` bytes at `offset` ends, if within `total` bytes. Checked: on wasm32 a
/// length near `u32::MAX` added to an offset would wrap `usize` and send the reading back to
/// the start.
fn frame_end(offset: usize, len: usize, total: usize) -> Option<usize> {
    offset
        .checked_add(4)?
        .checked_add(len)
        .filter(|end| *end <= total)
}

/// Where `offset` bytes into a part starting at `base` are in the file.
fn file_offset(base: u64, offset: usize) -> u64 {
    base.saturating_add(offset as u64)
}

/// Reads length-prefixed frames, `bytes` starting at `base` in the file. A frame that does not
/// decode is reported at its byte offset and skipped; a length running past the end stops the
/// reading there.
pub(crate) fn read_framed(
    bytes: &[u8],
    base: u64,
    signal: Signal,
    writer: &mut SpanWriter<'_>,
) -> Result<(), Located> {
    let mut offset = 0usize;
    while offset < bytes.len() {
        let place = Place::byte(file_offset(base, offset));
        let Some(len) = frame_length(bytes, offset) else {
            writer.errors.push(Located::new(
                place,
                Problem::Protobuf(format!(
                    "{} trailing bytes are too few for a frame length",
                    bytes.len() - offset
                )),
            ));
            break;
        };
        let body_start = offset + 4;
        let Some(body) = bytes.get(body_start..body_start.saturating_add(len)) else {
            writer.errors.push(Located::new(
                place,
                Problem::Protobuf(format!(
                    "frame length {len} runs past the end of the file ({} bytes left)",
                    bytes.len() - body_start
                )),
            ));
            break;
        };
        let outcome = read_at(body, file_offset(base, body_start), 0, signal, writer)?;
        match (outcome.batches, outcome.problem) {
            (_, Some(problem)) => writer.errors.push(problem),
            (0, None) => writer.errors.push(Located::new(place, not_otlp(signal))),
            _ => {}
        }
        offset = body_start + body.len();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame of length `len` with `body` bytes after its header.
    fn frame(len: u32, body: &[u8]) -> Vec<u8> {
        [&len.to_be_bytes()[..], body].concat()
    }

    #[test]
    fn whole_frames_stop_before_a_frame_that_runs_past_the_end() {
        let mut bytes = frame(2, b"ab");
        bytes.extend(frame(u32::MAX, b"c"));
        assert_eq!(whole_frames(&bytes), 6);
        assert_eq!(whole_frames(&bytes[..5]), 0);
        assert_eq!(whole_frames(&[]), 0);
    }

    #[test]
    fn frame_ends_never_wrap() {
        // As on wasm32, where a length near u32::MAX after a first frame overflows usize: the
        // sum must fail, not wrap to a small offset the reading would start again from.
        // Unchecked, 8 + 4 + usize::MAX is 11.
        assert_eq!(frame_end(8, usize::MAX, 16), None);
        assert_eq!(frame_end(usize::MAX - 3, 0, usize::MAX), None);
        assert_eq!(frame_end(8, 4, 16), Some(16));
        assert_eq!(frame_length(&frame(7, b""), usize::MAX - 2), None);
        assert_eq!(file_offset(u64::MAX - 1, 5), u64::MAX);
    }
}
