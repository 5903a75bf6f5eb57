//! Attribute values as the arena stores them.
//!
//! [`AnyValue`] mirrors OTLP's `AnyValue` in 16 bytes: strings are [`StrId`]s, arrays and key/value
//! lists are ranges into the arena's side tables. [`KeyValue`] is one flat attribute, exactly as
//! the wire carried it (`llm.input_messages.0.message.role`); nesting is made on demand by
//! [`crate::attributes::unflatten`].

use super::strings::StrId;

/// A range of rows in one of the arena's tables (`start..start + len`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Rows {
    /// First row.
    pub start: u32,
    /// Number of rows.
    pub len: u32,
}

impl Rows {
    /// The empty range.
    pub const EMPTY: Rows = Rows { start: 0, len: 0 };

    /// As a `usize` range for slicing.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// One attribute value. Arrays index [`crate::model::Arena`]'s value table, key/value lists its
/// attribute table, bytes its blob table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AnyValue {
    /// OTLP's empty `AnyValue` (or JSON null): no value.
    Empty,
    /// A UTF-8 string.
    Str(StrId),
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A 64-bit float.
    Double(f64),
    /// Raw bytes, as an index into the blob table.
    Bytes(u32),
    /// A homogeneous-or-not list of values.
    Array(Rows),
    /// A nested list of key/values.
    KvList(Rows),
}

/// One attribute: an interned key and its value. Packed to 4-byte alignment: 20 bytes rather
/// than 24 (the value's 8-byte payload read unaligned), for the tens of millions a large file
/// has.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, packed(4))]
pub struct KeyValue {
    /// The (flat, dotted) key.
    pub key: StrId,
    /// The value.
    pub value: AnyValue,
}
