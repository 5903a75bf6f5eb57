//! The protobuf wire format, one field at a time, without decoding messages: for looking inside a
//! message to tell which schema wrote it (a Zipkin body from an OTLP one), and for walking a
//! body's top-level fields so that a message that does not decode is reported at its byte offset
//! and the next one is still read.
//!
//! ```text
//! key (varint: number << 3 | wire type)  value: varint | 8 bytes | length varint + bytes | 4 bytes
//! ```
//!
//! Every length is checked against what is left; a field that is cut off or malformed ends the
//! walk with a [`WireError`] at its offset.

/// A field's value as the wire carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WireValue<'a> {
    /// Wire type 0: ints, bools, enums.
    Varint(u64),
    /// Wire type 1: `fixed64`, `double`.
    Fixed64(u64),
    /// Wire type 2: bytes, a string or a message.
    Bytes(&'a [u8]),
    /// Wire type 5: `fixed32`, `float`.
    Fixed32(u32),
}

/// One field of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    /// Its field number.
    pub(crate) number: u64,
    /// Where its key starts in the bytes walked.
    pub(crate) offset: usize,
    pub(crate) value: WireValue<'a>,
}

/// A field that cannot be read: where its key starts, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WireError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// The fields of `bytes` in order; after an error, nothing more.
pub(crate) fn fields(bytes: &[u8]) -> Fields<'_> {
    Fields { bytes, at: 0 }
}

/// True when `bytes` start with the key of field 1 as a message (`0x0A`) whose length runs past
/// them: the first message has not all arrived yet.
pub(crate) fn first_message_cut_off(bytes: &[u8]) -> bool {
    let Some((&0x0A, rest)) = bytes.split_first() else {
        return false;
    };
    let mut after = rest;
    match prost::encoding::decode_varint(&mut after) {
        Ok(len) => len > after.len() as u64,
        // A length varint that has not all arrived is cut off too; a malformed one is not.
        Err(_) => rest.len() < 10 && rest.iter().all(|b| b & 0x80 != 0),
    }
}

/// An iterator over the fields of a message; see [`fields`].
pub(crate) struct Fields<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<Field<'a>, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let offset = self.at;
        let field = self.field(offset);
        if field.is_err() {
            self.at = self.bytes.len();
        }
        Some(field.map_err(|message| WireError { offset, message }))
    }
}

// The field's parts are kept inside `next`: the engine's worker is built for size (opt-level
// `z`), which left each of them a call of its own for every field of every span (the walk was
// 14% of a 1M-span load in the browser; BENCHMARKS.md, "The wire walk").
impl<'a> Fields<'a> {
    #[inline(always)]
    fn field(&mut self, offset: usize) -> Result<Field<'a>, String> {
        let key = self.varint()?;
        let (number, wire_type) = (key >> 3, key & 7);
        if number == 0 {
            return Err("field number 0, which no message has".into());
        }
        // A key is a 32-bit number: field numbers end at 2^29 - 1.
        if key > u64::from(u32::MAX) {
            return Err(format!("key {key} is past the 32 bits a key has"));
        }
        let value = match wire_type {
            0 => WireValue::Varint(self.varint()?),
            1 => WireValue::Fixed64(u64::from_le_bytes(self.array(number)?)),
            2 => {
                let len = self.varint()?;
                WireValue::Bytes(self.take(number, len)?)
            }
            5 => WireValue::Fixed32(u32::from_le_bytes(self.array(number)?)),
            3 | 4 => {
                return Err(format!(
                    "field {number} is a group (wire type {wire_type}), which no schema read here has"
                ));
            }
            _ => {
                return Err(format!(
                    "field {number} has wire type {wire_type}, which does not exist"
                ));
            }
        };
        Ok(Field {
            number,
            offset,
            value,
        })
    }

    #[inline(always)]
    fn varint(&mut self) -> Result<u64, String> {
        // Most keys and small lengths take one byte.
        if let Some(&byte) = self.bytes.get(self.at)
            && byte < 0x80
        {
            self.at += 1;
            return Ok(u64::from(byte));
        }
        let mut rest = self.bytes.get(self.at..).unwrap_or_default();
        let before = rest.len();
        let value = prost::encoding::decode_varint(&mut rest).map_err(|e| e.to_string())?;
        self.at += before - rest.len();
        Ok(value)
    }

    #[inline(always)]
    fn take(&mut self, number: u64, len: u64) -> Result<&'a [u8], String> {
        let left = self.bytes.len() - self.at;
        let end = usize::try_from(len)
            .ok()
            .filter(|len| *len <= left)
            .map(|len| self.at + len)
            .ok_or_else(|| format!("field {number} needs {len} bytes; {left} are left"))?;
        let value = &self.bytes[self.at..end];
        self.at = end;
        Ok(value)
    }

    fn array<const N: usize>(&mut self, number: u64) -> Result<[u8; N], String> {
        let bytes = self.take(number, N as u64)?;
        let mut array = [0u8; N];
        array.copy_from_slice(bytes);
        Ok(array)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wire_type_and_its_offset() {
        // 1: varint 150; 2: "hi"; 3: fixed64 1; 4: fixed32 2.
        let bytes = [
            0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i', 0x19, 1, 0, 0, 0, 0, 0, 0, 0, 0x25, 2, 0, 0,
            0,
        ];
        let fields: Vec<(u64, usize, WireValue<'_>)> = fields(&bytes)
            .map(|f| f.map(|f| (f.number, f.offset, f.value)))
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        assert_eq!(
            fields,
            [
                (1, 0, WireValue::Varint(150)),
                (2, 3, WireValue::Bytes(b"hi")),
                (3, 7, WireValue::Fixed64(1)),
                (4, 16, WireValue::Fixed32(2)),
            ]
        );
    }

    #[test]
    fn a_bad_field_ends_the_walk_at_its_offset() {
        let past_end = [0x08, 0x01, 0x12, 0x05, b'a'];
        let walked: Vec<_> = fields(&past_end).collect();
        assert_eq!(walked.len(), 2);
        assert_eq!(
            walked[1],
            Err(WireError {
                offset: 2,
                message: "field 2 needs 5 bytes; 1 are left".into()
            })
        );
        for bad in [
            &[0x0B, 0x00][..],
            &[0x00, 0x01],
            &[0x08, 0xff],
            &[0x09, 1, 2],
        ] {
            let walked: Vec<_> = fields(bad).collect();
            assert!(matches!(walked.last(), Some(Err(_))), "{bad:?}");
        }
        let huge = [
            0x0A, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ];
        assert!(matches!(fields(&huge).next(), Some(Err(_))));
        // A key past 32 bits (as prost refuses it), then a varint.
        let wide = [0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x01];
        assert!(matches!(fields(&wide).next(), Some(Err(_))));
    }

    #[test]
    fn a_first_message_still_arriving_is_cut_off() {
        assert!(first_message_cut_off(&[0x0A, 0x05, 1, 2]));
        assert!(first_message_cut_off(&[0x0A, 0x80]));
        assert!(!first_message_cut_off(&[0x0A, 0x02, 1, 2]));
        assert!(!first_message_cut_off(&[0x0A, 0x02, 1, 2, 0x0A, 0x09]));
        assert!(!first_message_cut_off(&[0x00, 0x00, 0x00, 0x05, 0x0A]));
        assert!(!first_message_cut_off(b"{\"resourceSpans\": []}"));
        assert!(!first_message_cut_off(&[]));
    }
}
