//! gzip and zstd, detected by their magic bytes and undone before sniffing again.

use std::io::Read;

use crate::ingest::error::Problem;

/// Decompressed content larger than this is refused: past it a browser tab runs out of memory
/// anyway, and a small file that inflates beyond it is a decompression bomb.
pub const MAX_DECOMPRESSED_BYTES: u64 = 2 << 30;

/// A compression format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// gzip (RFC 1952), possibly several members.
    Gzip,
    /// Zstandard.
    Zstd,
}

impl Codec {
    /// `gzip` or `zstd`.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Zstd => "zstd",
        }
    }
}

/// Decompresses `bytes`.
pub fn decompress(codec: Codec, bytes: &[u8]) -> Result<Vec<u8>, Problem> {
    let reader: Box<dyn Read + '_> = match codec {
        Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(bytes)),
        Codec::Zstd => Box::new(ruzstd::decoding::StreamingDecoder::new(bytes).map_err(|e| {
            Problem::Decompress {
                codec: codec.name(),
                message: e.to_string(),
            }
        })?),
    };
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4));
    reader
        .take(MAX_DECOMPRESSED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| Problem::Decompress {
            codec: codec.name(),
            message: e.to_string(),
        })?;
    if out.len() as u64 > MAX_DECOMPRESSED_BYTES {
        return Err(Problem::TooLarge(format!(
            "decompresses to more than {} GiB",
            MAX_DECOMPRESSED_BYTES >> 30
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn gzip_round_trip_and_corruption() -> Result<(), Box<dyn std::error::Error>> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(b"{\"resourceSpans\":[]}")?;
        let compressed = encoder.finish()?;
        assert_eq!(
            decompress(Codec::Gzip, &compressed)?,
            b"{\"resourceSpans\":[]}"
        );
        let cut = &compressed[..compressed.len() / 2];
        assert!(matches!(
            decompress(Codec::Gzip, cut),
            Err(Problem::Decompress { codec: "gzip", .. })
        ));
        Ok(())
    }
}
