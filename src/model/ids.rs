//! Trace and span identifiers.
//!
//! OTLP carries ids as raw bytes; its JSON encoding writes them as hex (the OTLP rule) or base64
//! (protobuf's own JSON mapping, which many tools use). Jaeger and Zipkin may write 64-bit trace
//! ids as 16 hex digits. [`TraceId::parse`] and [`SpanId::parse`] accept all of these.

use std::fmt;

use base64::Engine as _;

/// Why an id string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Neither hex of the right length nor base64 of the right decoded length.
    #[error("{found:?} is not an id of {bytes} bytes (expected {hex} hex digits or base64)")]
    Malformed {
        /// The text as found (cut to a readable length).
        found: String,
        /// How many bytes the id has.
        bytes: usize,
        /// How many hex digits that takes.
        hex: usize,
    },
}

/// A 16-byte trace id.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct TraceId(pub [u8; 16]);

/// An 8-byte span id.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct SpanId(pub [u8; 8]);

// Ids hashed as the numbers they are: an array is hashed as a slice (its length, then its
// bytes), two calls into the hasher for every span's id in every map assembling traces.
impl std::hash::Hash for TraceId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u128(u128::from_le_bytes(self.0));
    }
}

impl std::hash::Hash for SpanId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(u64::from_le_bytes(self.0));
    }
}

impl TraceId {
    /// Reads hex (32 digits, any case; 16 digits for 64-bit Jaeger/Zipkin ids, zero-extended on
    /// the left) or base64 (16 decoded bytes).
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let mut out = [0u8; 16];
        if text.len() == 16 && decode_hex(text, &mut out[8..]) {
            return Ok(Self(out));
        }
        parse_id(text, &mut out).map(|()| Self(out))
    }

    /// The id from raw bytes: 16 bytes, or 8 bytes zero-extended (64-bit trace ids).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut out = [0u8; 16];
        match bytes.len() {
            16 => out.copy_from_slice(bytes),
            8 => out[8..].copy_from_slice(bytes),
            _ => return None,
        }
        Some(Self(out))
    }

    /// True for the all-zero id, which the spec calls invalid.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 16]
    }
}

impl SpanId {
    /// Reads hex (16 digits, any case) or base64 (8 decoded bytes).
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let mut out = [0u8; 8];
        parse_id(text, &mut out).map(|()| Self(out))
    }

    /// The id from raw bytes, which must be 8 long.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// True for the all-zero id, which the spec calls invalid.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 8]
    }
}

fn parse_id(text: &str, out: &mut [u8]) -> Result<(), IdError> {
    if text.len() == out.len() * 2 && decode_hex(text, out) {
        return Ok(());
    }
    if decode_base64(text, out) {
        return Ok(());
    }
    Err(IdError::Malformed {
        found: text.chars().take(48).collect(),
        bytes: out.len(),
        hex: out.len() * 2,
    })
}

fn decode_hex(text: &str, out: &mut [u8]) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != out.len() * 2 {
        return false;
    }
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        match (hex_digit(pair[0]), hex_digit(pair[1])) {
            (Some(hi), Some(lo)) => *slot = (hi << 4) | lo,
            _ => return false,
        }
    }
    true
}

fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

fn decode_base64(text: &str, out: &mut [u8]) -> bool {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    // Longest base64 of a 16-byte id is 24 characters; anything longer cannot fit.
    if text.len() > 24 {
        return false;
    }
    let trimmed = text.trim_end_matches('=');
    let mut buf = [0u8; 24];
    for engine in [&STANDARD, &URL_SAFE] {
        let padded_len = trimmed.len().div_ceil(4) * 4;
        let mut padded = [b'='; 24];
        padded[..trimmed.len()].copy_from_slice(trimmed.as_bytes());
        if let Ok(n) = engine.decode_slice(&padded[..padded_len], &mut buf)
            && n == out.len()
        {
            out.copy_from_slice(&buf[..n]);
            return true;
        }
    }
    false
}

fn write_hex(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for byte in bytes {
        write!(f, "{byte:02x}")?;
    }
    Ok(())
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(&self.0, f)
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(&self.0, f)
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_any_case() {
        let lower = TraceId::parse("0af7651916cd43dd8448eb211c80319c");
        let upper = TraceId::parse("0AF7651916CD43DD8448EB211C80319C");
        assert_eq!(lower, upper);
        assert_eq!(
            lower.map(|id| id.to_string()),
            Ok("0af7651916cd43dd8448eb211c80319c".to_owned())
        );
        assert_eq!(
            SpanId::parse("387344F283D647B6").map(|id| id.to_string()),
            Ok("387344f283d647b6".to_owned())
        );
    }

    #[test]
    fn base64_as_protobuf_json_writes_it() {
        // base64 of the bytes 0af7651916cd43dd8448eb211c80319c
        let id = TraceId::parse("CvdlGRbNQ92ESOshHIAxnA==");
        assert_eq!(
            id.map(|id| id.to_string()),
            Ok("0af7651916cd43dd8448eb211c80319c".to_owned())
        );
        assert_eq!(
            SpanId::parse("OHNE8oPWR7Y=").map(|id| id.to_string()),
            Ok("387344f283d647b6".to_owned())
        );
        // Unpadded and URL-safe forms are written by some tools too.
        assert_eq!(SpanId::parse("OHNE8oPWR7Y"), SpanId::parse("OHNE8oPWR7Y="));
    }

    #[test]
    fn short_trace_ids_are_zero_extended() {
        let id = TraceId::parse("8448eb211c80319c").map(|id| id.to_string());
        assert_eq!(id, Ok("00000000000000008448eb211c80319c".to_owned()));
    }

    #[test]
    fn malformed_ids_say_what_was_expected() {
        let err = SpanId::parse("xyz").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("\"xyz\" is not an id of 8 bytes (expected 16 hex digits or base64)")
        );
        assert!(TraceId::parse("0af7651916cd43dd8448eb211c80319").is_err());
        assert!(SpanId::parse("").is_err());
    }

    #[test]
    fn debug_names_the_kind_of_id() {
        let trace = TraceId([0xab; 16]);
        assert_eq!(
            format!("{trace:?}"),
            format!("TraceId({})", "ab".repeat(16))
        );
        assert_eq!(format!("{:?}", SpanId([1; 8])), "SpanId(0101010101010101)");
    }

    #[test]
    fn raw_trace_ids_are_sixteen_bytes_or_eight_zero_extended() {
        let long = TraceId::from_bytes(&[0xab; 16]);
        assert_eq!(long, Some(TraceId([0xab; 16])));
        let short = TraceId::from_bytes(&[1, 2, 3, 4, 5, 6, 7, 8]).map(|id| id.to_string());
        assert_eq!(short.as_deref(), Some("00000000000000000102030405060708"));
        assert_eq!(TraceId::from_bytes(&[1; 12]), None);
        assert_eq!(TraceId::from_bytes(&[]), None);
    }

    #[test]
    fn only_the_all_zero_trace_id_is_zero() {
        assert!(TraceId([0; 16]).is_zero());
        let mut last = [0; 16];
        last[15] = 1;
        assert!(!TraceId(last).is_zero());
        assert!(SpanId([0; 8]).is_zero());
        assert!(!SpanId([0, 0, 0, 0, 0, 0, 0, 1]).is_zero());
    }
}
