//! What the helper worker is asked and answers the engine's worker: which format a file is in
//! (a tag beside its bytes, [`job_tag`]), then a parquet file's assembled rows or a Jaeger or
//! Zipkin file's translated spans (or why there are none), as bytes that travel in one
//! transferred buffer.
//!
//! Private to the two workers of one build, but read as untrusted all the same: every length is
//! checked against what is left and nesting is bounded, so a bad answer is an error, never a
//! panic.
//!
//! Layout (integers little-endian, lengths `u32`): a tag byte, `0` rows, `1` a problem, `2`
//! translated spans. Rows: the `arize` metadata (an option of text), the row count, and each row
//! as its column count and (name, value) pairs. A problem: its place (options of the line,
//! column, byte offset and row as `u64`, of the JSON path and column name as text), whether it
//! is parquet's (`0`) or said otherwise (`1`), and the message. Translated spans: the batches as
//! an OTLP `ExportTraceServiceRequest` (protobuf, length first), then the errors and the
//! warnings, each a count and problems. A value: a tag (`0` null, `1` false, `2` true, `3` int
//! `i64`, `4` double `f64`, `5` text, `6` array: count and values, `7` map: count and (key,
//! value) pairs).

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

use crate::attributes::{Map, Value};
use crate::ingest::Translated;
use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::parquet::Assembled;
use crate::model::Format;

/// Deeper values are refused: assembled parquet nests at most as deep as its schema, which is
/// bounded far below this.
const MAX_DEPTH: usize = 128;

/// The formats the helper reads, by their tag.
const JOBS: [Format; 4] = [
    Format::PhoenixTraceDataset,
    Format::JaegerJson,
    Format::ZipkinJson,
    Format::ZipkinProto,
];

/// The tag that asks the helper to read a file in `format`, if it reads that format.
pub fn job_tag(format: Format) -> Option<u8> {
    JOBS.iter()
        .position(|&job| job == format)
        .map(|at| at as u8)
}

/// The format a tag asks for.
pub fn job_format(tag: u8) -> Option<Format> {
    JOBS.get(usize::from(tag)).copied()
}

/// The helper's whole job: reads `bytes` as the format `tag` names, and answers as bytes.
pub fn read(tag: u8, bytes: &[u8]) -> Vec<u8> {
    let answer = match job_format(tag) {
        Some(Format::PhoenixTraceDataset) => {
            crate::ingest::assemble_parquet(bytes).map(Answer::Rows)
        }
        Some(format) => crate::ingest::translate(format, bytes).map(Answer::Translated),
        None => Err(Located::file(Problem::FromHelper(format!(
            "the helper reads no format tagged {tag}"
        )))),
    };
    encode(answer)
}

/// The tag that asks the helper to expand a zstd file (in the browser the engine holds no zstd
/// decoder). The helper posts the content a piece at a time ([`Expander`]), at most
/// [`PIECES_AHEAD`] ahead of those the engine has taken (the engine answers each with `more`),
/// then answers `0` when all of it expanded, or why it did not and `1` ([`read_expanded`]).
pub const EXPAND: u8 = 202;

/// Bytes of content the helper hands on at a time.
const EXPANDED_PIECE: usize = 4 << 20;

/// Pieces the helper may post before the engine has taken them: two, so that expanding and
/// reading overlap while what waits between the workers stays small (a zstd file of repeated
/// lines expands far faster than they are read).
pub const PIECES_AHEAD: usize = 2;

/// A zstd file's content, a piece at a time: every frame in turn (a file of several, as `cat`
/// or `pzstd` make), skippable frames skipped; bytes after the last frame that are not a frame
/// are an error, not dropped.
pub struct Expander<'a> {
    decoder: Option<ruzstd::decoding::StreamingDecoder<&'a [u8], ruzstd::decoding::FrameDecoder>>,
    rest: &'a [u8],
    piece: Vec<u8>,
}

/// The first bytes of a skippable frame (`0x184D2A5?`, little-endian), then its length.
fn skippable(bytes: &[u8]) -> Option<usize> {
    let magic = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
    let length = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?);
    (magic & 0xFFFF_FFF0 == 0x184D_2A50).then_some(8 + length as usize)
}

impl<'a> Expander<'a> {
    /// The content of the zstd file `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            decoder: None,
            rest: bytes,
            piece: Vec::new(),
        }
    }

    /// The next piece ([`EXPANDED_PIECE`] bytes, but the last), `None` at the end, or why the
    /// content does not expand.
    pub fn next_piece(&mut self) -> Result<Option<&[u8]>, String> {
        self.piece.resize(EXPANDED_PIECE, 0);
        let mut filled = 0;
        while filled < self.piece.len() {
            let Some(decoder) = self.decoder.as_mut() else {
                if !self.next_frame()? {
                    break;
                }
                continue;
            };
            match std::io::Read::read(decoder, &mut self.piece[filled..]) {
                Ok(0) => {
                    // The frame is done: the next starts where it ended.
                    self.rest = decoder.get_ref();
                    self.decoder = None;
                }
                Ok(read) => filled += read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error.to_string()),
            }
        }
        self.piece.truncate(filled);
        Ok((filled > 0).then_some(&self.piece[..]))
    }

    /// Opens the next frame: false when no bytes are left.
    fn next_frame(&mut self) -> Result<bool, String> {
        while let Some(length) = skippable(self.rest) {
            self.rest = (self.rest.get(length..)).ok_or("a skippable frame is cut short")?;
        }
        if self.rest.is_empty() {
            return Ok(false);
        }
        let decoder = ruzstd::decoding::StreamingDecoder::new(self.rest);
        self.decoder = Some(decoder.map_err(|error| error.to_string())?);
        Ok(true)
    }
}

/// The helper's side of [`EXPAND`]'s answer: all of it expanded, or why not.
pub fn expanded(outcome: Result<(), String>) -> Vec<u8> {
    match outcome {
        Ok(()) => vec![0],
        Err(message) => [message.as_bytes(), &[1]].concat(),
    }
}

/// The engine's side of [`EXPAND`]'s answer: whether the whole expanded, or why not.
pub fn read_expanded(answer: &[u8]) -> Result<(), String> {
    match answer.split_last() {
        Some((0, [])) => Ok(()),
        Some((1, why)) => Err(String::from_utf8_lossy(why).into_owned()),
        _ => Err("the helper's expansion does not read".into()),
    }
}

/// What the helper read.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// A parquet file's rows.
    Rows(Assembled),
    /// A Jaeger or Zipkin file's spans.
    Translated(Translated),
}

/// The helper's answer as bytes.
pub fn encode(answer: Result<Answer, Located>) -> Vec<u8> {
    let mut out = Vec::new();
    match answer {
        Ok(Answer::Rows(table)) => {
            out.push(0);
            put_option_text(&mut out, table.arize.as_deref());
            put_len(&mut out, table.rows.len());
            for row in &table.rows {
                put_len(&mut out, row.len());
                for (name, value) in row {
                    put_text(&mut out, name);
                    put_value(&mut out, value);
                }
            }
        }
        Err(located) => {
            out.push(1);
            put_located(&mut out, &located);
        }
        Ok(Answer::Translated(translated)) => {
            out.push(2);
            // Taken, not copied: a large Jaeger file's spans are held once.
            let request = ExportTraceServiceRequest {
                resource_spans: translated.batches,
            };
            put_len(&mut out, request.encoded_len());
            request.encode_raw(&mut out);
            for problems in [translated.errors, translated.warnings] {
                put_len(&mut out, problems.len());
                for problem in &problems {
                    put_located(&mut out, problem);
                }
            }
        }
    }
    out
}

/// The helper's answer from its bytes; unreadable bytes are a problem of the file's like any
/// other.
pub fn decode(bytes: &[u8]) -> Result<Answer, Located> {
    let mut reader = Reader { bytes, at: 0 };
    let unreadable = |message: String| Located::file(Problem::FromHelper(message));
    let answer = reader.answer().map_err(|fault| {
        unreadable(format!(
            "the helper's answer is unreadable at byte {}: {fault}",
            reader.at
        ))
    })?;
    if reader.at != bytes.len() {
        return Err(unreadable(format!(
            "the helper's answer has {} bytes past its end",
            bytes.len() - reader.at
        )));
    }
    answer
}

fn put_located(out: &mut Vec<u8>, located: &Located) {
    let place = &located.place;
    for number in [place.line, place.column, place.byte_offset, place.row] {
        put_option_number(out, number);
    }
    put_option_text(out, place.json_path.as_deref());
    put_option_text(out, place.column_name.as_deref());
    match &located.problem {
        Problem::Parquet(message) => {
            out.push(0);
            put_text(out, message);
        }
        other => {
            out.push(1);
            put_text(out, &other.to_string());
        }
    }
}

fn put_option_number(out: &mut Vec<u8>, number: Option<u64>) {
    match number {
        Some(number) => {
            out.push(1);
            out.extend_from_slice(&number.to_le_bytes());
        }
        None => out.push(0),
    }
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    // Nothing the helper assembles reaches 2^32 items: wasm32 memory is 4 GiB.
    out.extend_from_slice(&(len as u32).to_le_bytes());
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    put_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

fn put_option_text(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => {
            out.push(1);
            put_text(out, text);
        }
        None => out.push(0),
    }
}

fn put_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.push(0),
        Value::Bool(b) => out.push(1 + u8::from(*b)),
        Value::Int(i) => {
            out.push(3);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Double(d) => {
            out.push(4);
            out.extend_from_slice(&d.to_le_bytes());
        }
        Value::Str(text) => {
            out.push(5);
            put_text(out, text);
        }
        Value::Array(items) => {
            out.push(6);
            put_len(out, items.len());
            for item in items {
                put_value(out, item);
            }
        }
        Value::Map(map) => {
            out.push(7);
            put_len(out, map.len());
            for (key, value) in map.iter() {
                put_text(out, key);
                put_value(out, value);
            }
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

type Read<T> = Result<T, &'static str>;

impl Reader<'_> {
    fn answer(&mut self) -> Read<Result<Answer, Located>> {
        match self.byte()? {
            0 => {
                let arize = self.option_text()?;
                let count = self.len(4)?;
                let mut rows = Vec::with_capacity(count);
                for _ in 0..count {
                    let columns = self.len(5)?;
                    let mut row = Vec::with_capacity(columns);
                    for _ in 0..columns {
                        row.push((self.text()?, self.value(0)?));
                    }
                    rows.push(row);
                }
                Ok(Ok(Answer::Rows(Assembled { arize, rows })))
            }
            1 => Ok(Err(self.located()?)),
            2 => {
                let len = self.len(1)?;
                let request =
                    ExportTraceServiceRequest::decode(&self.bytes[self.at..self.at + len])
                        .map_err(|_| "spans that are not OTLP")?;
                self.at += len;
                let mut problems = [Vec::new(), Vec::new()];
                for list in &mut problems {
                    let count = self.len(7)?;
                    for _ in 0..count {
                        list.push(self.located()?);
                    }
                }
                let [errors, warnings] = problems;
                Ok(Ok(Answer::Translated(Translated {
                    batches: request.resource_spans,
                    errors,
                    warnings,
                })))
            }
            _ => Err("neither rows, spans nor a problem"),
        }
    }

    fn located(&mut self) -> Read<Located> {
        let [line, column, byte_offset, row] = [
            self.option_number()?,
            self.option_number()?,
            self.option_number()?,
            self.option_number()?,
        ];
        let place = Place {
            line,
            column,
            byte_offset,
            row,
            json_path: self.option_text()?,
            column_name: self.option_text()?,
        };
        let problem = match self.byte()? {
            0 => Problem::Parquet(self.text()?),
            1 => Problem::FromHelper(self.text()?),
            _ => return Err("a problem of no known kind"),
        };
        Ok(Located::new(place, problem))
    }

    fn option_number(&mut self) -> Read<Option<u64>> {
        match self.byte()? {
            0 => Ok(None),
            1 => Ok(Some(u64::from_le_bytes(self.array()?))),
            _ => Err("a number that is neither there nor absent"),
        }
    }

    fn byte(&mut self) -> Read<u8> {
        let byte = *self.bytes.get(self.at).ok_or("it ends early")?;
        self.at += 1;
        Ok(byte)
    }

    fn array<const N: usize>(&mut self) -> Read<[u8; N]> {
        let end = self.at.checked_add(N).ok_or("it ends early")?;
        let bytes = self.bytes.get(self.at..end).ok_or("it ends early")?;
        self.at = end;
        bytes.try_into().map_err(|_| "it ends early")
    }

    /// A count of items each at least `least` bytes long: more than the bytes left could hold
    /// is refused before any room is taken for them.
    fn len(&mut self, least: usize) -> Read<usize> {
        let len = u32::from_le_bytes(self.array()?) as usize;
        if len.saturating_mul(least) > self.bytes.len() - self.at {
            return Err("a count past its end");
        }
        Ok(len)
    }

    fn text(&mut self) -> Read<String> {
        let len = self.len(1)?;
        let bytes = &self.bytes[self.at..self.at + len];
        self.at += len;
        String::from_utf8(bytes.to_vec()).map_err(|_| "text that is not UTF-8")
    }

    fn option_text(&mut self) -> Read<Option<String>> {
        match self.byte()? {
            0 => Ok(None),
            1 => self.text().map(Some),
            _ => Err("text that is neither there nor absent"),
        }
    }

    fn value(&mut self, depth: usize) -> Read<Value> {
        if depth > MAX_DEPTH {
            return Err("values nested too deep");
        }
        Ok(match self.byte()? {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => Value::Int(i64::from_le_bytes(self.array()?)),
            4 => Value::Double(f64::from_le_bytes(self.array()?)),
            5 => Value::Str(self.text()?),
            6 => {
                let count = self.len(1)?;
                let mut items = Vec::with_capacity(count);
                for _ in 0..count {
                    items.push(self.value(depth + 1)?);
                }
                Value::Array(items)
            }
            7 => {
                let count = self.len(5)?;
                let mut map = Map::default();
                for _ in 0..count {
                    let key = self.text()?;
                    map.insert(key, self.value(depth + 1)?);
                }
                Value::Map(map)
            }
            _ => return Err("a value of no known kind"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every piece an expander gives, or why it stopped.
    fn pieces(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
        let mut expander = Expander::new(bytes);
        let mut pieces = Vec::new();
        while let Some(piece) = expander.next_piece()? {
            pieces.push(piece.to_vec());
        }
        Ok(pieces)
    }

    #[test]
    fn a_zstd_file_expands_a_piece_at_a_time_every_frame_and_a_broken_one_says_why() {
        let content = crate::testutil::fixture("openai-01.otlp.pb");
        let packed = crate::testutil::fixture("generated/openai-01.otlp.pb.zst");
        assert_eq!(pieces(&packed).map(|p| p.concat()), Ok(content.clone()));
        // Content of several pieces: each whole but the last.
        let long: Vec<u8> = (0..2 * EXPANDED_PIECE + 1_000)
            .map(|i| (i % 251) as u8)
            .collect();
        let level = ruzstd::encoding::CompressionLevel::Fastest;
        let packed_long = ruzstd::encoding::compress_to_vec(&long[..], level);
        let sizes = pieces(&packed_long).map(|p| p.iter().map(Vec::len).collect::<Vec<_>>());
        assert_eq!(sizes, Ok(vec![EXPANDED_PIECE, EXPANDED_PIECE, 1_000]));
        // Frames one after another (`cat a.zst b.zst`), a skippable frame between: all of it.
        let skippable = [
            &0x184D_2A53_u32.to_le_bytes()[..],
            &3_u32.to_le_bytes(),
            b"abc",
        ]
        .concat();
        let frames = [&packed[..], &skippable, &packed_long, &packed].concat();
        let all = [&content[..], &long, &content].concat();
        assert_eq!(pieces(&frames).map(|p| p.concat()), Ok(all));
        // Cut short, or bytes after the last frame that are not one: said, not dropped.
        let trailing = [&packed[..], b"trailing"].concat();
        let cut_skip = [&packed[..], &skippable[..9]].concat();
        for broken in [&packed[..packed.len() / 2], &trailing, &cut_skip] {
            assert!(pieces(broken).is_err(), "{} bytes", broken.len());
        }
        assert_eq!(read_expanded(&expanded(Ok(()))), Ok(()));
        assert_eq!(read_expanded(&expanded(Err("no".into()))), Err("no".into()));
        assert!(read_expanded(&[]).is_err());
        assert!(read_expanded(&[9]).is_err());
    }

    #[test]
    fn where_the_helper_reads_a_zstd_file_its_content_streams_into_the_arena() {
        let packed = crate::testutil::fixture("generated/openai-01.otlp.pb.zst");
        let mut arena = crate::model::Arena::default();
        let report = super::super::load_zstd_here(&mut arena, "a.zst", &packed);
        assert_eq!((report.spans, report.errors.len()), (4, 0));
        assert_eq!(report.compression, [crate::ingest::Codec::Zstd]);
        // Cut short: said, and nothing of it stays.
        let mut arena = crate::model::Arena::default();
        let cut = super::super::load_zstd_here(&mut arena, "cut.zst", &packed[..packed.len() - 9]);
        assert_eq!(
            (cut.spans, arena.spans().len(), cut.errors.len()),
            (0, 0, 1)
        );
        let said = cut.errors[0].to_string();
        assert!(said.contains("zstd data is corrupt"), "{said}");
        // zstd inside zstd: natively the inner layer is undone as any file's; in the browser,
        // whose engine has no zstd decoder, it comes back to be read by a helper, and is
        // refused with the way around.
        let level = ruzstd::encoding::CompressionLevel::Fastest;
        let twice = ruzstd::encoding::compress_to_vec(&packed[..], level);
        let report = super::super::load_zstd_here(&mut arena, "twice.zst", &twice);
        assert_eq!((report.spans, report.errors.len()), (4, 0));
        let inner = crate::ingest::Helped {
            format: None,
            compression: Vec::new(),
            content: packed.clone(),
        };
        let refused = inner.inside_zstd().map(|(format, ..)| format);
        assert!(
            refused
                .as_ref()
                .is_err_and(|p| p.to_string().contains("zstd inside zstd")),
            "{refused:?}"
        );
        // A Jaeger file inside goes to its reader, the compression said.
        let jaeger = crate::testutil::fixture("generated/jaeger-trace-alone.json");
        let packed_jaeger = ruzstd::encoding::compress_to_vec(&jaeger[..], level);
        let report = super::super::load_zstd_here(&mut arena, "j.json.zst", &packed_jaeger);
        let plain = crate::ingest::load_here(&mut crate::model::Arena::default(), "j", jaeger);
        assert_eq!((report.spans, report.errors.len()), (plain.spans, 0));
        assert!(plain.spans > 0);
        assert_eq!(report.compression, [crate::ingest::Codec::Zstd]);
    }

    fn table() -> Assembled {
        let mut nested = Map::default();
        nested.insert("k".into(), Value::Array(vec![Value::Int(-7), Value::Null]));
        nested.insert("ünï".into(), Value::Double(f64::NAN));
        Assembled {
            arize: Some("{\"eval_name\":\"q\"}".into()),
            rows: vec![
                vec![
                    ("a".into(), Value::Bool(true)),
                    ("b".into(), Value::Bool(false)),
                    ("c".into(), Value::Str("text".into())),
                    ("d".into(), Value::Map(nested)),
                    ("e".into(), Value::Double(-0.5)),
                    ("f".into(), Value::Int(i64::MIN)),
                ],
                vec![],
            ],
        }
    }

    #[test]
    fn rows_and_problems_come_back_as_they_went() {
        let bytes = encode(Ok(Answer::Rows(table())));
        let Ok(Answer::Rows(back)) = decode(&bytes) else {
            panic!("rows")
        };
        // NaN is not equal to itself: compare its bits, then the rest with it taken out.
        let nan = |t: &Assembled| match &t.rows[0][3].1 {
            Value::Map(map) => map.get("ünï").cloned(),
            _ => None,
        };
        assert!(matches!(nan(&back), Some(Value::Double(d)) if d.is_nan()));
        let without_nan = |mut t: Assembled| {
            if let Value::Map(map) = &mut t.rows[0][3].1 {
                map.insert("ünï".into(), Value::Null);
            }
            t
        };
        assert_eq!(without_nan(back), without_nan(table()));

        let problem = Located::new(
            Place {
                column_name: Some("attributes.llm".into()),
                row: Some(41),
                ..Place::default()
            },
            Problem::Parquet("a level of 3".into()),
        );
        assert_eq!(decode(&encode(Err(problem.clone()))), Err(problem));
        let unplaced = Located::file(Problem::Parquet("no footer".into()));
        assert_eq!(decode(&encode(Err(unplaced.clone()))), Err(unplaced));
    }

    #[test]
    fn translated_spans_and_their_problems_come_back_as_they_went() {
        let content = crate::testutil::fixture("generated/zipkin-python.json");
        let mut translated = crate::ingest::translate(Format::ZipkinJson, &content).expect("reads");
        assert_eq!(translated.batches.len(), 1, "{translated:?}");
        translated.errors.push(Located::new(
            Place {
                line: Some(3),
                column: Some(9),
                json_path: Some("[0].traceId".into()),
                ..Place::default()
            },
            Problem::Invalid("an all-zero id is no id".into()),
        ));
        let said = |located: &Located| Located {
            place: located.place.clone(),
            problem: Problem::FromHelper(located.problem.to_string()),
        };
        let expected = Translated {
            errors: translated.errors.iter().map(said).collect(),
            ..translated.clone()
        };
        let answer = decode(&encode(Ok(Answer::Translated(translated))));
        assert_eq!(answer, Ok(Answer::Translated(expected)));
        for tag in 0..4 {
            assert_eq!(job_format(tag).and_then(job_tag), Some(tag));
        }
        assert_eq!(job_tag(Format::OtlpProto), None);
    }

    #[test]
    fn a_cut_or_padded_answer_is_a_problem_not_a_panic() {
        let bytes = encode(Ok(Answer::Rows(table())));
        for end in 0..bytes.len() {
            let error = decode(&bytes[..end]).expect_err("cut");
            assert!(
                error.problem.to_string().contains("unreadable at byte"),
                "{end}: {error:?}"
            );
        }
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(decode(&padded).is_err());
    }

    #[test]
    fn counts_past_the_end_take_no_room() {
        // Rows: no metadata, then 2^32-1 rows in 9 bytes.
        let bytes = [0, 0, 0xff, 0xff, 0xff, 0xff];
        assert!(decode(&bytes).is_err());
        // A value nested past the bound.
        let mut deep = vec![0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, b'x'];
        for _ in 0..=MAX_DEPTH + 1 {
            deep.extend_from_slice(&[6, 1, 0, 0, 0]);
        }
        deep.push(0);
        let error = decode(&deep).expect_err("too deep");
        assert!(
            error.problem.to_string().contains("nested too deep"),
            "{error:?}"
        );
        for tag in [2_u8, 9] {
            assert!(decode(&[tag]).is_err());
        }
    }
}
