//! gzip and zstd, detected by their magic bytes and undone before sniffing again.

use std::io::{Read, Write};

use crate::ingest::FileStream;
use crate::ingest::error::Problem;
use crate::model::Arena;

/// Expanded content held whole is refused past this (formats read record by record hold only a
/// record at a time): the engine could not hold more beside the spans it makes, and a small file
/// that inflates beyond it is a decompression bomb. Expanding stops there, before the tab runs
/// out of memory.
pub const MAX_EXPANDED_HELD: usize = 1_000_000_000;

/// Bytes expanded at a time.
const PIECE: usize = 1 << 16;

/// A compression format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// gzip (RFC 1952), possibly several members.
    Gzip,
    /// Zstandard.
    Zstd,
}

impl Codec {
    /// What `bytes` are likely to expand to, where the format says: gzip's trailer holds the
    /// size of its last member (modulo 4 GiB), which is all of it for a file of one member.
    pub fn expanded_size(self, bytes: &[u8]) -> Option<u64> {
        match self {
            Codec::Gzip => {
                let trailer = bytes.len().checked_sub(4).and_then(|at| bytes.get(at..))?;
                Some(u64::from(u32::from_le_bytes(trailer.try_into().ok()?)))
            }
            Codec::Zstd => None,
        }
    }

    /// That its data is broken, in the decoder's words.
    pub fn corrupt(self, message: String) -> Problem {
        Problem::Decompress {
            codec: self.name(),
            message,
        }
    }

    /// `gzip` or `zstd`.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Zstd => "zstd",
        }
    }
}

/// A reader of what `bytes`, compressed with `codec`, hold.
fn reader(codec: Codec, bytes: &[u8]) -> Result<Box<dyn Read + '_>, String> {
    Ok(match codec {
        Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(bytes)),
        Codec::Zstd => zstd_reader(bytes)?,
    })
}

#[cfg(not(target_arch = "wasm32"))]
fn zstd_reader(bytes: &[u8]) -> Result<Box<dyn Read + '_>, String> {
    let decoder = ruzstd::decoding::StreamingDecoder::new(bytes).map_err(|e| e.to_string())?;
    Ok(Box::new(decoder))
}

/// In the browser the engine holds no zstd decoder (the helper worker expands zstd files:
/// `helper_wire::expand`, `Helped::of`); a zstd layer inside another is refused with the way around.
#[cfg(target_arch = "wasm32")]
fn zstd_reader(_bytes: &[u8]) -> Result<Box<dyn Read + '_>, String> {
    Err(
        "in the browser Plume undoes zstd only as a file's outer layer: expand it first, \
         or read it with the plume CLI"
            .into(),
    )
}

/// The codecs `bytes` are compressed with, outermost first (at most `layers` of them), and what
/// they hold: whole, or with `peek` its first `peek` bytes only. `None` when they are not
/// compressed, a layer does not expand, or the whole passes `limit` bytes (reading the file the
/// usual way then says why).
pub fn expanded_layers(
    bytes: &[u8],
    layers: usize,
    peek: Option<usize>,
    limit: usize,
) -> Option<(Vec<Codec>, Vec<u8>)> {
    let mut codecs = Vec::new();
    let mut content = std::borrow::Cow::Borrowed(bytes);
    while let crate::ingest::Detected::Compressed(codec) = crate::ingest::sniff(&content) {
        if codecs.len() == layers {
            return None;
        }
        let cap = peek.unwrap_or(limit);
        let mut out = Vec::new();
        let read = reader(codec, &content)
            .ok()?
            .take(cap as u64 + 1)
            .read_to_end(&mut out);
        // A peek may stop inside a layer, where its decoder finds the input cut short.
        if peek.is_none() && (read.is_err() || out.len() > limit) {
            return None;
        }
        out.truncate(cap);
        codecs.push(codec);
        content = std::borrow::Cow::Owned(out);
    }
    (!codecs.is_empty()).then(|| (codecs, content.into_owned()))
}

/// Expands `bytes`, compressed with `codec`, a piece at a time into `stream`, which reads the
/// records each piece completes. Stops early once `stream` has failed; fails once it would hold
/// more than `limit` bytes (the engine's: [`MAX_EXPANDED_HELD`]). gzip goes through a
/// [`GzipStream`] as a file streamed in does, so both come to the same.
pub fn expand_into(
    limit: usize,
    codec: Codec,
    bytes: &[u8],
    stream: &mut FileStream,
    arena: &mut Arena,
    progress: &mut dyn FnMut(usize),
) -> Result<(), Problem> {
    if codec == Codec::Gzip {
        let mut gzip = GzipStream::new(limit);
        gzip.feed(bytes, stream, arena, progress)?;
        return gzip.finish(stream, arena, progress);
    }
    let corrupt = |message: String| codec.corrupt(message);
    let mut reader = reader(codec, bytes).map_err(corrupt)?;
    let mut piece = vec![0; PIECE];
    while !stream.failed() {
        let read = match reader.read(&mut piece) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(corrupt(e.to_string())),
        };
        hand_on(limit, codec, &piece[..read], stream, arena, progress)?;
    }
    Ok(())
}

/// Hands `expanded` bytes to `stream`, unless it would then hold more than `limit`.
pub(crate) fn hand_on(
    limit: usize,
    codec: Codec,
    expanded: &[u8],
    stream: &mut FileStream,
    arena: &mut Arena,
    progress: &mut dyn FnMut(usize),
) -> Result<(), Problem> {
    if stream.held() + expanded.len() > limit {
        return Err(Problem::TooLarge(format!(
            "its {} content expands past {} GB, more than Plume holds at once",
            codec.name(),
            limit as f64 / 1e9
        )));
    }
    stream.feed(arena, expanded, progress);
    Ok(())
}

/// gzip expanded as its bytes arrive, into a [`FileStream`] that reads the records each piece
/// completes. The decoder is handed the compressed bytes in pieces of [`PIECE`] at fixed places,
/// however they arrive, so what it gives (and when the stream has failed, which stops it) is
/// the same for a file fed whole or in any cuts.
pub struct GzipStream {
    decoder: flate2::write::MultiGzDecoder<Vec<u8>>,
    /// Compressed bytes short of a piece.
    partial: Vec<u8>,
    limit: usize,
    /// Whether to stop once the reader holds what it gets whole: the file being streamed then
    /// goes back to gathering its compressed bytes ([`FileStream`]), and this is dropped.
    stop_when_held: bool,
}

impl GzipStream {
    /// A stream that fails once its reader would hold more than `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            decoder: flate2::write::MultiGzDecoder::new(Vec::new()),
            partial: Vec::new(),
            limit,
            stop_when_held: false,
        }
    }

    /// The same, stopping once its reader holds what it gets whole.
    pub fn stopping_when_held(limit: usize) -> Self {
        Self {
            stop_when_held: true,
            ..Self::new(limit)
        }
    }

    /// Expands on even once the reader holds what it gets whole (the stream has nothing left
    /// to go back to).
    pub fn never_stop(&mut self) {
        self.stop_when_held = false;
    }

    /// Whether expanding into `stream` goes on.
    fn goes_on(&self, stream: &FileStream) -> bool {
        !(stream.failed() || (self.stop_when_held && stream.holds_whole()))
    }

    /// Takes the next compressed `bytes`, and hands what they expand to on to `stream`.
    pub fn feed(
        &mut self,
        mut bytes: &[u8],
        stream: &mut FileStream,
        arena: &mut Arena,
        progress: &mut dyn FnMut(usize),
    ) -> Result<(), Problem> {
        while !bytes.is_empty() && self.goes_on(stream) {
            let take = (PIECE - self.partial.len()).min(bytes.len());
            self.partial.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.partial.len() == PIECE {
                let piece = std::mem::take(&mut self.partial);
                self.expand(&piece, stream, arena, progress)?;
                self.partial = piece;
                self.partial.clear();
            }
        }
        Ok(())
    }

    /// Ends the compressed bytes: expands what is left, and fails if they stopped short.
    pub fn finish(
        mut self,
        stream: &mut FileStream,
        arena: &mut Arena,
        progress: &mut dyn FnMut(usize),
    ) -> Result<(), Problem> {
        if stream.failed() {
            return Ok(());
        }
        let rest = std::mem::take(&mut self.partial);
        self.expand(&rest, stream, arena, progress)?;
        if stream.failed() {
            return Ok(());
        }
        self.decoder.try_finish().map_err(corrupt_gzip)?;
        let expanded = std::mem::take(self.decoder.get_mut());
        hand_on(self.limit, Codec::Gzip, &expanded, stream, arena, progress)
    }

    /// Expands one piece, handing its output on as the decoder gives it.
    fn expand(
        &mut self,
        mut piece: &[u8],
        stream: &mut FileStream,
        arena: &mut Arena,
        progress: &mut dyn FnMut(usize),
    ) -> Result<(), Problem> {
        while !piece.is_empty() && self.goes_on(stream) {
            let used = match self.decoder.write(piece) {
                Ok(used) => used,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(corrupt_gzip(e)),
            };
            piece = &piece[used..];
            let expanded = std::mem::take(self.decoder.get_mut());
            hand_on(self.limit, Codec::Gzip, &expanded, stream, arena, progress)?;
            // The buffer's room is kept for the next output.
            *self.decoder.get_mut() = expanded;
            self.decoder.get_mut().clear();
            if used == 0 {
                return Err(corrupt_gzip(std::io::ErrorKind::WriteZero.into()));
            }
        }
        Ok(())
    }
}

fn corrupt_gzip(error: std::io::Error) -> Problem {
    Codec::Gzip.corrupt(error.to_string())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn expanded(codec: Codec, bytes: &[u8]) -> (crate::ingest::FileReport, Result<(), Problem>) {
        let mut arena = Arena::default();
        let mut stream = FileStream::new(&arena, "t.json.gz", None);
        let result = expand_into(
            10_000_000,
            codec,
            bytes,
            &mut stream,
            &mut arena,
            &mut |_| {},
        );
        (stream.finish(&mut arena, &mut |_| {}), result)
    }

    #[test]
    fn gzip_expands_into_a_stream_and_corruption_is_said() -> Result<(), Box<dyn std::error::Error>>
    {
        let json = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(json)?;
        let compressed = encoder.finish()?;
        let (report, result) = expanded(Codec::Gzip, &compressed);
        assert_eq!((result, report.spans), (Ok(()), 1));
        assert_eq!(
            Codec::Gzip.expanded_size(&compressed),
            Some(json.len() as u64)
        );
        assert_eq!(Codec::Gzip.expanded_size(&[0x1f]), None);
        let cut = &compressed[..compressed.len() / 2];
        assert!(matches!(
            expanded(Codec::Gzip, cut).1,
            Err(Problem::Decompress { codec: "gzip", .. })
        ));
        Ok(())
    }

    #[test]
    fn layers_expand_whole_or_peeked() -> Result<(), Box<dyn std::error::Error>> {
        let content: Vec<u8> = (0..100_000_u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut inner = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        inner.write_all(&content)?;
        let mut outer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        outer.write_all(&inner.finish()?)?;
        let twice = outer.finish()?;
        let whole = expanded_layers(&twice, 3, None, 10_000_000);
        assert_eq!(
            whole,
            Some((vec![Codec::Gzip, Codec::Gzip], content.clone()))
        );
        let peeked = expanded_layers(&twice, 3, Some(1000), 10_000_000);
        assert_eq!(
            peeked,
            Some((vec![Codec::Gzip, Codec::Gzip], content[..1000].to_vec()))
        );
        assert_eq!(
            expanded_layers(&twice, 1, None, 10_000_000),
            None,
            "one layer too many"
        );
        assert_eq!(
            expanded_layers(&twice, 3, None, 1000),
            None,
            "past the limit"
        );
        assert_eq!(
            expanded_layers(&twice[..twice.len() / 2], 3, None, 10_000_000),
            None
        );
        assert_eq!(
            expanded_layers(&content, 3, None, 10_000_000),
            None,
            "not compressed"
        );
        Ok(())
    }

    #[test]
    fn a_bomb_stops_expanding_at_what_can_be_held() -> Result<(), Box<dyn std::error::Error>> {
        // One JSON document, held whole: its first key, then a gzip member of 1 MB of white
        // space, 20 times (past the 10 MB limit; the e2e test expands a real bomb).
        let member = |bytes: &[u8]| -> std::io::Result<Vec<u8>> {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(bytes)?;
            encoder.finish()
        };
        let mut bomb = member(b"{\"resourceSpans\":[")?;
        let spaces = member(&vec![b' '; 1 << 20])?;
        for _ in 0..20 {
            bomb.extend_from_slice(&spaces);
        }
        assert!(bomb.len() < 40_000, "{}", bomb.len());
        let (report, result) = expanded(Codec::Gzip, &bomb);
        assert_eq!(
            result,
            Err(Problem::TooLarge(
                "its gzip content expands past 0.01 GB, more than Plume holds at once".into()
            ))
        );
        assert_eq!(report.spans, 0);
        Ok(())
    }
}
