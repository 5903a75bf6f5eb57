//! One OTLP/JSON document read as its bytes arrive, `{"resourceSpans": [batch, batch, ...]}`:
//! each batch is parsed and stored as soon as it is whole and its bytes dropped, so a document
//! of any size holds one batch at a time.
//!
//! It comes to what [`super::read`] comes to on the whole document, faults and their places
//! included: the document's frame (its keys, colons, commas and brackets) is checked here step
//! by step as `serde_json` checks it, with its messages; each value inside it (a key, a batch,
//! another member's value) is parsed alone by `serde_json` with the readers the whole document
//! uses, and a fault in one is placed back in the document (line, column, JSON path). A value
//! nested deep enough to meet `serde_json`'s depth limit is parsed inside as many brackets as
//! the document puts around it, so the limit falls where it falls in the whole document.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, SeqAccess, Visitor};
use std::fmt;

use super::{BatchSeed, BatchesSeed, Field, RawKey, Shape, Sink, keep_stored};
use crate::ingest::error::{Located, json_fault};
use crate::ingest::json_path::{PathScan, offset_of_place};
use crate::ingest::otlp::SpanWriter;
use crate::model::ArenaFull;

/// White space as JSON (and `serde_json`) has it.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | b'\t' | b'\r')
}

/// Whether `bytes`, a document's first bytes, are read by [`DocumentStream`]: after white space,
/// an object (a top-level array of requests is gathered whole).
pub(crate) fn streams(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !is_space(**b)) == Some(&b'{')
}

/// Whether a top-level key's value is the batches (`resourceSpans`, Tempo's `batches`,
/// `resourceLogs`).
fn holds_batches(field: Field) -> bool {
    matches!(
        field,
        Field::ResourceSpans | Field::Batches | Field::ResourceLogs
    )
}

/// Where the scan of the document's frame is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Before the opening `{`.
    Open,
    /// After `{`: a key or `}`.
    FirstKey,
    /// After a member's `,`: a key.
    Key,
    /// After a key: `:`.
    Colon,
    /// After `:`: the member's value.
    Value,
    /// After a member's value: `,` or `}`.
    AfterValue,
    /// After a batches array's `[`: a batch or `]`.
    FirstBatch,
    /// After a batch's `,`: a batch.
    Batch,
    /// After a batch: `,` or `]`.
    AfterBatch,
    /// After the closing `}`: white space only.
    Closed,
}

/// What the frame's next byte does: moves it on, begins a value, or is a fault (`serde_json`'s
/// message).
enum Move {
    To(Step),
    Begin(Kind),
    Fault(&'static str),
}

/// What a value being gathered is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A member's key.
    Key,
    /// One batch of a batches array.
    Batch,
    /// A batches member's value that is not an array (null, or a fault).
    Batches,
    /// Another member's value, skipped as the whole document skips it.
    Other,
}

/// A value being gathered: where it starts, and how far its end was searched for.
struct Value {
    kind: Kind,
    /// Where it starts in the document.
    start: u64,
    /// How far it was scanned, in the document.
    scanned: u64,
    depth: u32,
    deepest: u32,
    in_string: bool,
    /// A number or a literal: it ends at the first byte that cannot be part of one.
    scalar: bool,
    /// Where it ends in the document, once found.
    end: Option<u64>,
}

/// A document being read; see the module's comment.
pub(crate) struct DocumentStream {
    step: Step,
    /// Where the frame's scan is in the document.
    at: u64,
    value: Option<Value>,
    /// The document's line at `at`, and where in the document that line starts.
    line: usize,
    line_start: u64,
    path: PathScan,
    /// The field of the member whose value comes next.
    field: Field,
    /// Whether the batches are logs.
    logs: bool,
    shape: Shape,
    batches: usize,
    /// Set once a fault stopped the reading: later bytes are dropped.
    stopped: bool,
}

impl Default for DocumentStream {
    fn default() -> Self {
        Self {
            step: Step::Open,
            at: 0,
            value: None,
            line: 1,
            line_start: 0,
            path: PathScan::default(),
            field: Field::Other,
            logs: false,
            shape: Shape {
                recognised: false,
                other_keys: Vec::new(),
            },
            batches: 0,
            stopped: false,
        }
    }
}

impl DocumentStream {
    /// Reads what `bytes` (the document from `base` on; what came before was done with)
    /// complete, or at the `end` of the document all of it, storing batches with `writer`.
    /// Returns how many of `bytes` are done with. A fault after stored batches is reported with
    /// them (as [`super::read`] does) and stops the reading; before any, it fails the document.
    pub(crate) fn read(
        &mut self,
        bytes: &[u8],
        base: u64,
        end: bool,
        writer: &mut SpanWriter<'_>,
    ) -> Result<usize, Located> {
        if self.stopped {
            return Ok(bytes.len());
        }
        let mut sink = Sink::Write {
            writer: &mut *writer,
            line: None,
            batches: self.batches,
            full: false,
        };
        let result = self.scan(bytes, base, end, &mut sink);
        self.batches = sink.stored();
        match result {
            Ok(done) => Ok(done),
            Err(located) => {
                self.stopped = true;
                keep_stored(Err(located), self.batches, writer).map(|()| bytes.len())
            }
        }
    }

    /// Scans the frame and reads the values it holds, as far as `bytes` go.
    fn scan(
        &mut self,
        bytes: &[u8],
        base: u64,
        end: bool,
        sink: &mut Sink<'_, '_>,
    ) -> Result<usize, Located> {
        let offset = |at: u64| (at - base) as usize;
        loop {
            if let Some(value) = &mut self.value {
                let start = offset(value.start);
                let Some(stop) = find_end(value, bytes, base) else {
                    if !end {
                        return Ok(start);
                    }
                    // Cut off by the end of the document: parsed as it is, it says so.
                    self.take_value(&bytes[start..], sink)?;
                    continue;
                };
                // Parsing a value that is not JSON, serde_json may read past where it seems to
                // end (a `\u` escape's four digits, the byte after a number): it is parsed
                // with the bytes after it in the document, once they have come.
                let with_next = stop + LOOKAHEAD;
                if with_next > bytes.len() && !end {
                    return Ok(start);
                }
                self.take_value(&bytes[start..with_next.min(bytes.len())], sink)?;
                continue;
            }
            let Some(&byte) = bytes.get(offset(self.at)) else {
                return match end {
                    true => self.at_end().map(|()| bytes.len()),
                    false => Ok(bytes.len()),
                };
            };
            if is_space(byte) {
                self.at += 1;
                if byte == b'\n' {
                    self.line += 1;
                    self.line_start = self.at;
                }
                continue;
            }
            self.step(byte)?;
        }
    }

    /// Takes the frame's next byte, `byte` (not white space), at `at`.
    fn step(&mut self, byte: u8) -> Result<(), Located> {
        use Move::*;
        use Step::*;
        let batches = self.batches_field();
        let next = match (self.step, byte) {
            (Open, b'{') => To(FirstKey),
            (Open, _) => Fault("expected value"),
            (FirstKey | AfterValue, b'}') => To(Closed),
            (FirstKey | Key, b'"') => Begin(Kind::Key),
            (FirstKey, _) => Fault("key must be a string"),
            (Key, b'}') => Fault("trailing comma"),
            (Key, _) => Fault("key must be a string"),
            (Colon, b':') => To(Value),
            (Colon, _) => Fault("expected `:`"),
            (Value, b'[') if batches => To(FirstBatch),
            (Value, _) if batches => Begin(Kind::Batches),
            (Value, _) => Begin(Kind::Other),
            (AfterValue, b',') => To(Key),
            (AfterValue, _) => Fault("expected `,` or `}`"),
            (FirstBatch | AfterBatch, b']') => To(AfterValue),
            (Batch, b']') => Fault("trailing comma"),
            (FirstBatch | Batch, _) => Begin(Kind::Batch),
            (AfterBatch, b',') => To(Batch),
            (AfterBatch, _) => Fault("expected `,` or `]`"),
            (Closed, _) => Fault("trailing characters"),
        };
        match next {
            To(step) => {
                self.step = step;
                self.path.feed(&[byte]);
                self.at += 1;
            }
            Begin(kind) => self.begin(kind),
            Fault(message) => return Err(self.fault(byte, message)),
        }
        Ok(())
    }

    /// The document ended with the frame at its step.
    fn at_end(&mut self) -> Result<(), Located> {
        let message = match self.step {
            Step::Closed => {
                return std::mem::replace(
                    &mut self.shape,
                    Shape {
                        recognised: true,
                        other_keys: Vec::new(),
                    },
                )
                .check();
            }
            Step::Open | Step::Key | Step::Value | Step::Batch => "EOF while parsing a value",
            Step::FirstKey | Step::Colon | Step::AfterValue => "EOF while parsing an object",
            Step::FirstBatch | Step::AfterBatch => "EOF while parsing a list",
        };
        let column = (self.at - self.line_start) as usize;
        Err(json_fault(
            message.into(),
            self.line,
            column,
            Some(self.path.path()),
        ))
    }

    fn batches_field(&self) -> bool {
        holds_batches(self.field)
    }

    /// A fault at the frame's byte at `at`, placed as `serde_json` places what it peeked at.
    fn fault(&self, byte: u8, message: &str) -> Located {
        let mut path = self.path.clone();
        path.feed(&[byte]);
        let column = (self.at + 1 - self.line_start) as usize;
        json_fault(message.into(), self.line, column, Some(path.path()))
    }

    /// Begins gathering a value of `kind` at `at`.
    fn begin(&mut self, kind: Kind) {
        self.value = Some(Value {
            kind,
            start: self.at,
            scanned: self.at,
            depth: 0,
            deepest: 0,
            in_string: false,
            scalar: false,
            end: None,
        });
    }

    /// Parses the gathered value, `bytes` (with the byte after it for a number or literal, and
    /// cut short at the end of the document), and moves the frame past it.
    fn take_value(&mut self, bytes: &[u8], sink: &mut Sink<'_, '_>) -> Result<(), Located> {
        let Some(value) = self.value.take() else {
            return Ok(());
        };
        // A batch is inside the top-level object and the batches array.
        let deep = value.kind == Kind::Batch && value.deepest as usize + 2 >= NEAR_DEPTH_LIMIT;
        let nested = deep.then_some(2);
        let parsed = match value.kind {
            Kind::Key => parse(bytes, None, std::marker::PhantomData::<RawKey>).map(|key| {
                if !holds_batches(key.field) && self.shape.other_keys.len() < 8 {
                    self.shape.other_keys.push(key.text);
                }
                self.logs = key.field == Field::ResourceLogs;
                self.shape.recognised |= holds_batches(key.field);
                self.field = key.field;
            }),
            Kind::Batch => parse(
                bytes,
                nested,
                BatchSeed {
                    sink: &mut *sink,
                    logs: self.logs,
                },
            ),
            // Not an array (that is streamed): null, or a fault at its first byte.
            Kind::Batches => parse(
                bytes,
                None,
                BatchesSeed {
                    sink: &mut *sink,
                    logs: self.logs,
                },
            ),
            Kind::Other => parse(bytes, None, std::marker::PhantomData::<IgnoredAny>).map(|_| ()),
        };
        if let Err(error) = parsed {
            if sink.is_full() {
                return Err(ArenaFull.into());
            }
            return Err(self.value_fault(&error, &value, bytes, nested.unwrap_or(0)));
        }
        let length = match (value.scalar, value.end) {
            (false, Some(end)) => (end - value.start) as usize,
            _ => scalar_length(bytes),
        };
        let text = &bytes[..length];
        // A value that parsed holds no raw line break inside a string: its line breaks are the
        // document's lines.
        if let Some(last) = memchr::memrchr(b'\n', text) {
            self.line += memchr::memchr_iter(b'\n', text).count();
            self.line_start = value.start + last as u64 + 1;
        }
        match value.kind {
            Kind::Key => self.path.feed(text),
            _ => self.path.feed(b"0"),
        }
        self.at = value.start + length as u64;
        self.step = match value.kind {
            Kind::Key => Step::Colon,
            Kind::Batch => Step::AfterBatch,
            Kind::Batches | Kind::Other => Step::AfterValue,
        };
        Ok(())
    }

    /// `error`, met parsing `value` (`bytes`, inside `nested` brackets), placed in the document.
    fn value_fault(
        &self,
        error: &serde_json::Error,
        value: &Value,
        bytes: &[u8],
        nested: usize,
    ) -> Located {
        let message = error.to_string();
        let message = match message.rfind(" at line ") {
            Some(cut) => message[..cut].to_owned(),
            None => message,
        };
        let (line, column) = (error.line(), error.column());
        if line == 0 {
            return json_fault(message, 0, 0, None);
        }
        let column = match line {
            1 => column.saturating_sub(nested),
            _ => column,
        };
        // The path the whole document's scan would find: the frame's, then the value's own.
        let mut path = self.path.clone();
        path.feed(&bytes[..offset_of_place(bytes, line, column).unwrap_or(0)]);
        let (line, column) = match line {
            1 => (self.line, (value.start - self.line_start) as usize + column),
            _ => (self.line + line - 1, column),
        };
        json_fault(message, line, column, Some(path.path()))
    }
}

/// How many bytes after a value it is parsed with: a `\u` escape's four digits may hold the
/// quote a scan took for the string's end, so `serde_json` reads up to 3 bytes past it (kept
/// with room to spare).
const LOOKAHEAD: usize = 12;

/// A value this deep (with the brackets around it) is parsed inside those brackets: below it,
/// `serde_json`'s limit of 128 cannot be met.
const NEAR_DEPTH_LIMIT: usize = 120;

/// Where `value`, whose bytes run on in `bytes` (the document from `base`), ends: one past its
/// last byte; `None` when `bytes` end first. The scan goes on from where it stopped.
fn find_end(value: &mut Value, bytes: &[u8], base: u64) -> Option<usize> {
    if value.end.is_none() {
        let end = scan_to_end(value, bytes, base)?;
        value.end = Some(base + end as u64);
    }
    value.end.map(|end| (end - base) as usize)
}

/// The scan of [`find_end`].
fn scan_to_end(value: &mut Value, bytes: &[u8], base: u64) -> Option<usize> {
    let mut at = (value.scanned - base) as usize;
    if value.scanned == value.start {
        match bytes.get(at)? {
            b'"' => value.in_string = true,
            b'{' | b'[' => {
                value.depth = 1;
                value.deepest = 1;
            }
            _ => value.scalar = true,
        }
        at += 1;
    }
    if value.scalar {
        let length = bytes[at..].iter().position(
            |b| !matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'+' | b'-'),
        );
        value.scanned = base + (at + length.unwrap_or(bytes.len() - at)) as u64;
        return length.map(|length| at + length);
    }
    loop {
        if value.in_string {
            match memchr::memchr2(b'"', b'\\', &bytes[at..]) {
                None => break,
                Some(found) if bytes[at + found] == b'\\' => {
                    // The escaped byte must be here too, to be skipped.
                    if at + found + 2 > bytes.len() {
                        at += found;
                        break;
                    }
                    at += found + 2;
                }
                Some(found) => {
                    at += found + 1;
                    value.in_string = false;
                    if value.depth == 0 {
                        value.scanned = base + at as u64;
                        return Some(at);
                    }
                }
            }
            continue;
        }
        let Some(&byte) = bytes.get(at) else {
            break;
        };
        at += 1;
        match byte {
            b'"' => value.in_string = true,
            b'{' | b'[' => {
                value.depth += 1;
                value.deepest = value.deepest.max(value.depth);
            }
            b'}' | b']' => {
                value.depth -= 1;
                if value.depth == 0 {
                    value.scanned = base + at as u64;
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    value.scanned = base + at as u64;
    None
}

/// The length of the number or literal `bytes` open with (parsed: it is one).
fn scalar_length(bytes: &[u8]) -> usize {
    let digits = |from: usize| {
        from + bytes[from.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    match bytes.first() {
        Some(b'n' | b't') => 4,
        Some(b'f') => 5,
        _ => {
            let mut at = usize::from(bytes.first() == Some(&b'-'));
            at = digits(at);
            if bytes.get(at) == Some(&b'.') {
                at = digits(at + 1);
            }
            if matches!(bytes.get(at), Some(b'e' | b'E')) {
                at += 1;
                if matches!(bytes.get(at), Some(b'+' | b'-')) {
                    at += 1;
                }
                at = digits(at);
            }
            at
        }
    }
}

/// Parses `bytes` with `seed`, inside `nested` opening brackets when given.
fn parse<S, V>(bytes: &[u8], nested: Option<usize>, seed: S) -> Result<V, serde_json::Error>
where
    S: for<'de> DeserializeSeed<'de, Value = V>,
{
    match nested {
        None => seed.deserialize(&mut serde_json::Deserializer::from_slice(bytes)),
        Some(levels) => {
            // Opened only: what serde_json meets after the value is the document's own bytes
            // (or its end), and once the value parsed, what follows is not needed.
            let text = [&b"[".repeat(levels), bytes].concat();
            let mut deserializer = serde_json::Deserializer::from_slice(&text);
            let mut parsed = None;
            let outcome = Nested {
                levels,
                seed,
                parsed: &mut parsed,
            }
            .deserialize(&mut deserializer);
            match (parsed, outcome) {
                (Some(value), _) => Ok(value),
                (None, Err(error)) => Err(error),
                (None, Ok(())) => Err(de::Error::custom("a value")),
            }
        }
    }
}

/// A seed read inside `levels` arrays, its value put in `parsed`.
struct Nested<'p, S, V> {
    levels: usize,
    seed: S,
    parsed: &'p mut Option<V>,
}

impl<'de, S: DeserializeSeed<'de, Value = V>, V> DeserializeSeed<'de> for Nested<'_, S, V> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match self.levels {
            0 => {
                *self.parsed = Some(self.seed.deserialize(deserializer)?);
                Ok(())
            }
            _ => deserializer.deserialize_seq(self),
        }
    }
}

impl<'de, S: DeserializeSeed<'de, Value = V>, V> Visitor<'de> for Nested<'_, S, V> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let inner = Nested {
            levels: self.levels - 1,
            seed: self.seed,
            parsed: self.parsed,
        };
        seq.next_element_seed(inner).map(|_| ())
    }
}
