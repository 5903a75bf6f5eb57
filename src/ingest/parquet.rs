//! Parquet rows as nested values, assembled from the column chunks.
//!
//! The parquet crate's record API asserts on what a hostile file may contain (definition levels
//! past their maximum, odd list and map shapes) and panics, which in a browser tab aborts the
//! whole module; so do its page decoders on corrupt pages. So the crate is used only to read the
//! footer and the (decompressed) pages, and the rest is done here: the levels (run-length /
//! bit-packed hybrid) and values (PLAIN and dictionary encodings: what pyarrow and pandas write)
//! of every leaf column are decoded with every length checked, and rows are rebuilt from those
//! triplets (Dremel's record assembly). Any inconsistency is an error with its column and row.
//!
//! Lists (`LIST`, three-level or legacy two-level) become arrays, maps (`MAP`) become maps with
//! text keys, other groups become maps. A struct member that is null is left out: pandas writes
//! the union of every row's keys as the struct's schema, so those nulls are keys the row never had.

use bytes::Bytes;
use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit};
use parquet::basic::{Encoding, Type as PhysicalType};
use parquet::column::page::{Page, PageReader};
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
use parquet::schema::types::{ColumnDescriptor, Type};

use crate::attributes::{Map, Value};
use crate::ingest::error::{Located, Place, Problem};

/// Deeper schemas are refused: no real trace table nests this far, and recursion stays bounded.
const MAX_SCHEMA_DEPTH: usize = 64;

/// A parquet file's rows, assembled: what [`super::phoenix_parquet`] turns into spans. In the
/// browser the engine's worker gets it from a helper worker that alone holds the parquet crate
/// (`src/bin/plume-helper.rs`), so what every page downloads does not carry it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assembled {
    /// The schema metadata `arize` (Phoenix's JSON saying which kind of table this is).
    pub arize: Option<String>,
    /// Every row, as (top-level column, value) pairs.
    pub rows: Vec<Vec<(String, Value)>>,
}

/// Opens a parquet file and assembles its rows.
pub fn assemble(bytes: &[u8]) -> Result<Assembled, Located> {
    let table = Table::open(bytes)?;
    Ok(Assembled {
        arize: table.metadata("arize").map(str::to_owned),
        rows: table.rows()?,
    })
}

/// An open parquet file.
pub(crate) struct Table {
    reader: SerializedFileReader<Bytes>,
    /// Top-level fields, their leaves numbered in schema order.
    fields: Vec<Node>,
}

/// A schema node with what assembly needs.
struct Node {
    name: String,
    repetition: Repetition,
    /// Definition level of this node (optional and repeated ancestors, itself included).
    def: i16,
    /// Repetition level of this node (repeated ancestors, itself included).
    rep: i16,
    kind: NodeKind,
    /// The first leaf column under this node.
    first_leaf: usize,
    /// One past the last leaf column under this node.
    end_leaf: usize,
}

enum NodeKind {
    /// A column (its values are converted when the column is read).
    Leaf,
    /// A struct.
    Group(Vec<Node>),
    /// An annotated list: the repeated child; `unwrap` when its elements are one-field groups
    /// (the three-level form: `list { element }`).
    List { repeated: Box<Node>, unwrap: bool },
    /// An annotated map: the repeated key/value group.
    Map(Box<Node>),
}

/// How a leaf's numbers become [`Value`]s (byte arrays are text when UTF-8, else hex).
#[derive(Clone, Copy)]
enum Leaf {
    Plain,
    /// Timestamps, in ns per unit.
    Timestamp(i64),
    Decimal(i32),
}

fn problem(column: Option<String>, row: Option<u64>, message: impl Into<String>) -> Located {
    Located::new(
        Place {
            column_name: column,
            row,
            ..Place::default()
        },
        Problem::Parquet(message.into()),
    )
}

impl Table {
    /// Opens `bytes` and checks its schema and the layout of its column chunks.
    pub(crate) fn open(bytes: &[u8]) -> Result<Self, Located> {
        let reader = SerializedFileReader::new(Bytes::copy_from_slice(bytes))
            .map_err(|e| problem(None, None, e.to_string()))?;
        check_layout(&reader, bytes.len())?;
        let root = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .root_schema_ptr();
        let mut next_leaf = 0;
        let mut fields = Vec::new();
        for field in root.get_fields() {
            fields.push(node(field, 0, 0, 1, &mut next_leaf)?);
        }
        let columns = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .num_columns();
        if next_leaf != columns {
            return Err(problem(
                None,
                None,
                format!("the schema has {next_leaf} leaves for {columns} columns"),
            ));
        }
        Ok(Self { reader, fields })
    }

    /// The file's key/value metadata entry `key`.
    pub(crate) fn metadata(&self, key: &str) -> Option<&str> {
        self.reader
            .metadata()
            .file_metadata()
            .key_value_metadata()?
            .iter()
            .find(|kv| kv.key == key)?
            .value
            .as_deref()
    }

    /// Every row, as (top-level column, value) pairs.
    pub(crate) fn rows(&self) -> Result<Vec<Vec<(String, Value)>>, Located> {
        let mut rows = Vec::new();
        for index in 0..self.reader.num_row_groups() {
            let group = self
                .reader
                .get_row_group(index)
                .map_err(|e| problem(None, Some(rows.len() as u64), e.to_string()))?;
            self.read_group(&*group, &mut rows)?;
        }
        Ok(rows)
    }

    fn read_group(
        &self,
        group: &dyn RowGroupReader,
        rows: &mut Vec<Vec<(String, Value)>>,
    ) -> Result<(), Located> {
        let first_row = rows.len() as u64;
        let descriptor = self.reader.metadata().file_metadata().schema_descr();
        let num_rows = u64::try_from(group.metadata().num_rows()).unwrap_or(0);
        if num_rows > MAX_VALUES_PER_COLUMN as u64 {
            return Err(problem(
                None,
                Some(first_row),
                format!("a row group of {num_rows} rows"),
            ));
        }
        let mut columns = Vec::with_capacity(descriptor.num_columns());
        for index in 0..descriptor.num_columns() {
            let column = descriptor.column(index);
            let name = column.path().string();
            let pages = group
                .get_column_page_reader(index)
                .map_err(|e| problem(Some(name.clone()), Some(first_row), e.to_string()))?;
            columns.push(
                read_column(pages, &column, num_rows as usize)
                    .map_err(|message| problem(Some(name), Some(first_row), message))?,
            );
        }
        let mut assembly = Assembly { columns };
        for row in 0..num_rows {
            let at = first_row + row;
            let mut values = Vec::with_capacity(self.fields.len());
            for field in &self.fields {
                let value = assembly.field(field).map_err(|(leaf, message)| {
                    problem(
                        Some(descriptor.column(leaf).path().string()),
                        Some(at),
                        message,
                    )
                })?;
                values.push((field.name.clone(), value));
            }
            rows.push(values);
        }
        if let Some(leaf) = assembly.columns.iter().position(|c| c.level < c.def.len()) {
            return Err(problem(
                Some(descriptor.column(leaf).path().string()),
                Some(first_row + num_rows),
                "the column has more values than the row group has rows",
            ));
        }
        Ok(())
    }
}

/// Checks that every column chunk lies inside the file (the parquet crate trusts these numbers,
/// and panics on negative ones).
fn check_layout(reader: &SerializedFileReader<Bytes>, file_len: usize) -> Result<(), Located> {
    for (index, row_group) in reader.metadata().row_groups().iter().enumerate() {
        if row_group.num_rows() < 0 {
            return Err(problem(
                None,
                None,
                format!("row group {index} has a negative row count"),
            ));
        }
        for column in row_group.columns() {
            let start = column
                .dictionary_page_offset()
                .unwrap_or_else(|| column.data_page_offset());
            let len = column.compressed_size();
            let inside = u64::try_from(start)
                .ok()
                .zip(u64::try_from(len).ok())
                .and_then(|(start, len)| start.checked_add(len))
                .is_some_and(|end| end <= file_len as u64);
            if !inside {
                return Err(problem(
                    Some(column.column_path().string()),
                    None,
                    format!(
                        "row group {index}: the column chunk at {start} (+{len} bytes) is not inside the file"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn is_list(field: &Type) -> bool {
    let info = field.get_basic_info();
    matches!(info.logical_type_ref(), Some(LogicalType::List))
        || info.converted_type() == ConvertedType::LIST
}

fn is_map(field: &Type) -> bool {
    let info = field.get_basic_info();
    matches!(info.logical_type_ref(), Some(LogicalType::Map))
        || matches!(
            info.converted_type(),
            ConvertedType::MAP | ConvertedType::MAP_KEY_VALUE
        )
}

/// Builds the assembly tree of `field`, numbering its leaves from `next_leaf`.
fn node(
    field: &Type,
    parent_def: i16,
    parent_rep: i16,
    depth: usize,
    next_leaf: &mut usize,
) -> Result<Node, Located> {
    let name = field.name().to_owned();
    if depth > MAX_SCHEMA_DEPTH {
        return Err(problem(
            Some(name),
            None,
            format!("the schema nests deeper than {MAX_SCHEMA_DEPTH}"),
        ));
    }
    let info = field.get_basic_info();
    let repetition = if info.has_repetition() {
        info.repetition()
    } else {
        Repetition::REQUIRED
    };
    let def = parent_def + i16::from(repetition != Repetition::REQUIRED);
    let rep = parent_rep + i16::from(repetition == Repetition::REPEATED);
    let first_leaf = *next_leaf;
    let kind = if field.is_primitive() {
        *next_leaf += 1;
        NodeKind::Leaf
    } else {
        let children = field.get_fields();
        if children.is_empty() {
            return Err(problem(Some(name), None, "a group without fields"));
        }
        let mut nodes = Vec::with_capacity(children.len());
        for child in children {
            nodes.push(node(child, def, rep, depth + 1, next_leaf)?);
        }
        let single_repeated = nodes.len() == 1 && nodes[0].repetition == Repetition::REPEATED;
        if single_repeated && is_list(field) {
            let repeated = nodes.remove(0);
            let unwrap = matches!(&repeated.kind, NodeKind::Group(inner) if inner.len() == 1);
            NodeKind::List {
                repeated: Box::new(repeated),
                unwrap,
            }
        } else if single_repeated
            && is_map(field)
            && matches!(&nodes[0].kind, NodeKind::Group(inner) if !inner.is_empty())
        {
            NodeKind::Map(Box::new(nodes.remove(0)))
        } else {
            NodeKind::Group(nodes)
        }
    };
    Ok(Node {
        name,
        repetition,
        def,
        rep,
        kind,
        first_leaf,
        end_leaf: *next_leaf,
    })
}

fn leaf_kind(field: &Type) -> Leaf {
    let info = field.get_basic_info();
    match info.logical_type_ref() {
        Some(LogicalType::Timestamp(timestamp)) => {
            return Leaf::Timestamp(match timestamp.unit {
                TimeUnit::MILLIS => 1_000_000,
                TimeUnit::MICROS => 1_000,
                TimeUnit::NANOS => 1,
            });
        }
        Some(LogicalType::Decimal(decimal)) => return Leaf::Decimal(decimal.scale),
        _ => {}
    }
    match info.converted_type() {
        ConvertedType::TIMESTAMP_MILLIS => Leaf::Timestamp(1_000_000),
        ConvertedType::TIMESTAMP_MICROS => Leaf::Timestamp(1_000),
        ConvertedType::DECIMAL => Leaf::Decimal(field.get_scale()),
        _ => Leaf::Plain,
    }
}

/// One leaf column of a row group, read whole: levels (absent levels are all 0) and values.
struct Column {
    def: Vec<i16>,
    rep: Vec<i16>,
    values: Vec<Value>,
    max_def: i16,
    /// The next triplet.
    level: usize,
    /// The next value (values exist only where `def == max_def`).
    value: usize,
}

/// Reads one column chunk: its pages are decoded here, every length checked against the page
/// (the parquet crate's own decoders index past the end of corrupt pages).
fn read_column(
    pages: Box<dyn PageReader>,
    descriptor: &ColumnDescriptor,
    num_rows: usize,
) -> Result<Column, String> {
    let kind = leaf_kind(descriptor.self_type());
    let (max_def, max_rep) = (descriptor.max_def_level(), descriptor.max_rep_level());
    let physical = descriptor.physical_type();
    let type_length = usize::try_from(descriptor.type_length()).unwrap_or(0);
    let plain =
        |bytes: &[u8], count: usize| decode_plain(bytes, count, physical, type_length, kind);
    let (mut def, mut rep, mut values) = (Vec::new(), Vec::new(), Vec::new());
    let mut dictionary: Option<Vec<Value>> = None;
    for page in pages {
        let page = page.map_err(|e| e.to_string())?;
        let (levels, encoding, data, def_bytes, rep_bytes) = match page {
            Page::DictionaryPage {
                buf, num_values, ..
            } => {
                let count = budget(num_values, def.len())?;
                dictionary = Some(plain(&buf, count)?);
                continue;
            }
            Page::DataPage {
                buf,
                num_values,
                encoding,
                def_level_encoding,
                rep_level_encoding,
                ..
            } => {
                let count = budget(num_values, def.len())?;
                let mut pos = 0;
                let rep_page = levels_v1(&buf, &mut pos, count, max_rep, rep_level_encoding)?;
                let def_page = levels_v1(&buf, &mut pos, count, max_def, def_level_encoding)?;
                (count, encoding, buf.slice(pos..), def_page, rep_page)
            }
            Page::DataPageV2 {
                buf,
                num_values,
                encoding,
                def_levels_byte_len,
                rep_levels_byte_len,
                ..
            } => {
                let count = budget(num_values, def.len())?;
                let (rep_len, def_len) =
                    (rep_levels_byte_len as usize, def_levels_byte_len as usize);
                let values_start = rep_len.checked_add(def_len).filter(|&end| end <= buf.len());
                let Some(values_start) = values_start else {
                    return Err("the page's level lengths run past the page".into());
                };
                let rep_page = levels(&buf[..rep_len], count, max_rep)?;
                let def_page = levels(&buf[rep_len..values_start], count, max_def)?;
                (
                    count,
                    encoding,
                    buf.slice(values_start..),
                    def_page,
                    rep_page,
                )
            }
        };
        let present = def_bytes.iter().filter(|&&d| d == max_def).count();
        let page_values = match encoding {
            Encoding::PLAIN => plain(&data, present)?,
            Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY => {
                let dictionary = dictionary
                    .as_ref()
                    .ok_or("a dictionary-encoded page without a dictionary")?;
                let (&bit_width, indices) = data
                    .split_first()
                    .ok_or("an empty dictionary-encoded page")?;
                hybrid(indices, present, u32::from(bit_width))?
                    .into_iter()
                    .map(|index| {
                        dictionary
                            .get(index as usize)
                            .cloned()
                            .ok_or("a dictionary index out of range")
                    })
                    .collect::<Result<Vec<Value>, _>>()?
            }
            other => return Err(format!("values encoded as {other} are not supported")),
        };
        debug_assert_eq!(def_bytes.len(), levels);
        def.extend(def_bytes);
        rep.extend(rep_bytes);
        values.extend(page_values);
    }
    if max_rep == 0 && def.len() != num_rows {
        return Err(format!("{} values for {num_rows} rows", def.len()));
    }
    Ok(Column {
        def,
        rep,
        values,
        max_def,
        level: 0,
        value: 0,
    })
}

/// Values one column chunk may hold: a hostile page header can claim billions, in a few bytes of
/// run-length encoding.
const MAX_VALUES_PER_COLUMN: usize = 1 << 24;

fn budget(num_values: u32, so_far: usize) -> Result<usize, String> {
    let count = num_values as usize;
    if so_far.saturating_add(count) > MAX_VALUES_PER_COLUMN {
        return Err(format!(
            "more than {MAX_VALUES_PER_COLUMN} values in one column chunk"
        ));
    }
    Ok(count)
}

/// Bits needed for levels up to `max`.
fn bit_width(max: i16) -> u32 {
    16 - (max.max(0) as u16).leading_zeros()
}

/// Levels of a v1 data page: run-length/bit-packed hybrid after a 4-byte length; all 0 when the
/// column has no such levels.
fn levels_v1(
    buf: &[u8],
    pos: &mut usize,
    count: usize,
    max: i16,
    encoding: Encoding,
) -> Result<Vec<i16>, String> {
    if max == 0 {
        return Ok(vec![0; count]);
    }
    if encoding != Encoding::RLE {
        return Err(format!("levels encoded as {encoding} are not supported"));
    }
    let header = buf
        .get(*pos..*pos + 4)
        .ok_or("a level section is cut off")?;
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let start = *pos + 4;
    let section = start
        .checked_add(len)
        .and_then(|end| buf.get(start..end))
        .ok_or("a level section runs past the page")?;
    *pos = start + len;
    levels(section, count, max)
}

/// `count` levels from run-length/bit-packed hybrid `bytes`, each at most `max`.
fn levels(bytes: &[u8], count: usize, max: i16) -> Result<Vec<i16>, String> {
    if max == 0 {
        return Ok(vec![0; count]);
    }
    let decoded = hybrid(bytes, count, bit_width(max))?;
    decoded
        .into_iter()
        .map(|level| {
            i16::try_from(level)
                .ok()
                .filter(|&l| l <= max)
                .ok_or(format!("a level of {level} (at most {max} here)"))
        })
        .collect()
}

/// Parquet's run-length / bit-packed hybrid encoding: `count` unsigned values of `bit_width` bits.
fn hybrid(bytes: &[u8], count: usize, bit_width: u32) -> Result<Vec<u32>, String> {
    if bit_width > 32 {
        return Err(format!("a bit width of {bit_width}"));
    }
    let mut out = Vec::with_capacity(count.min(bytes.len().saturating_mul(8).max(1024)));
    let mut pos = 0;
    let byte_width = bit_width.div_ceil(8) as usize;
    while out.len() < count {
        let header = uleb128(bytes, &mut pos).ok_or("a run header is cut off")?;
        let remaining = count - out.len();
        if header & 1 == 1 {
            // Bit-packed: (header >> 1) groups of 8 values, least significant bit first.
            let values = ((header >> 1) as usize).saturating_mul(8);
            let bits = values.saturating_mul(bit_width as usize);
            let packed = bytes
                .get(pos..pos.saturating_add(bits.div_ceil(8)))
                .ok_or("a bit-packed run is cut off")?;
            pos += packed.len();
            for i in 0..values.min(remaining) {
                let mut value = 0u32;
                for b in 0..bit_width as usize {
                    let bit = i * bit_width as usize + b;
                    value |= u32::from((packed[bit / 8] >> (bit % 8)) & 1) << b;
                }
                out.push(value);
            }
        } else {
            let run = (header >> 1) as usize;
            let raw = bytes
                .get(pos..pos + byte_width)
                .ok_or("a run-length run is cut off")?;
            pos += byte_width;
            let value = raw
                .iter()
                .rev()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            if run == 0 {
                return Err("an empty run".into());
            }
            out.extend(std::iter::repeat_n(value, run.min(remaining)));
        }
    }
    Ok(out)
}

fn uleb128(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*pos)?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// `count` PLAIN-encoded values.
fn decode_plain(
    bytes: &[u8],
    count: usize,
    physical: PhysicalType,
    type_length: usize,
    kind: Leaf,
) -> Result<Vec<Value>, String> {
    let fixed = |width: usize| -> Result<std::slice::ChunksExact<'_, u8>, String> {
        let needed = count.checked_mul(width).ok_or("too many values")?;
        let data = bytes.get(..needed).ok_or(format!(
            "{count} values of {width} bytes need more than the page's {}",
            bytes.len()
        ))?;
        Ok(data.chunks_exact(width.max(1)))
    };
    Ok(match physical {
        PhysicalType::BOOLEAN => {
            let data = bytes
                .get(..count.div_ceil(8))
                .ok_or("booleans are cut off")?;
            (0..count)
                .map(|i| Value::Bool((data[i / 8] >> (i % 8)) & 1 == 1))
                .collect()
        }
        PhysicalType::INT32 => fixed(4)?
            .map(|b| {
                number(
                    i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                    kind,
                )
            })
            .collect(),
        PhysicalType::INT64 => fixed(8)?
            .map(|b| number(i64::from_le_bytes(b.try_into().unwrap_or_default()), kind))
            .collect(),
        PhysicalType::INT96 => fixed(12)?
            .map(|b| {
                // Legacy timestamps: nanoseconds of the day, then the Julian day.
                let nanos = i64::from_le_bytes(b[..8].try_into().unwrap_or_default());
                let day = i64::from(u32::from_le_bytes(b[8..].try_into().unwrap_or_default()));
                Value::Int(
                    (day - 2_440_588)
                        .saturating_mul(86_400_000_000_000)
                        .saturating_add(nanos),
                )
            })
            .collect(),
        PhysicalType::FLOAT => fixed(4)?
            .map(|b| Value::Double(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))))
            .collect(),
        PhysicalType::DOUBLE => fixed(8)?
            .map(|b| Value::Double(f64::from_le_bytes(b.try_into().unwrap_or_default())))
            .collect(),
        PhysicalType::FIXED_LEN_BYTE_ARRAY => fixed(type_length)?.map(bytes_value).collect(),
        PhysicalType::BYTE_ARRAY => {
            let mut out = Vec::with_capacity(count.min(bytes.len() / 4));
            let mut pos = 0usize;
            for _ in 0..count {
                let header = bytes
                    .get(pos..pos + 4)
                    .ok_or("a byte array's length is cut off")?;
                let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
                let data = bytes
                    .get(pos + 4..(pos + 4).saturating_add(len))
                    .ok_or("a byte array runs past the page")?;
                out.push(bytes_value(data));
                pos += 4 + len;
            }
            out
        }
    })
}

fn number(n: i64, kind: Leaf) -> Value {
    match kind {
        Leaf::Timestamp(nanos_per_unit) => Value::Int(n.saturating_mul(nanos_per_unit)),
        Leaf::Decimal(scale) => Value::Double(n as f64 / 10f64.powi(scale)),
        Leaf::Plain => Value::Int(n),
    }
}

/// Text when it is UTF-8 (strings, JSON, enums), else hex, as OTLP bytes are shown.
fn bytes_value(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(text) => Value::Str(text.to_owned()),
        Err(_) => Value::Str(bytes.iter().map(|b| format!("{b:02x}")).collect()),
    }
}

/// Rebuilds rows from the columns' triplets.
struct Assembly {
    columns: Vec<Column>,
}

/// An assembly fault: the leaf column it was found in, and what.
type Fault = (usize, String);

impl Assembly {
    fn current(&self, leaf: usize) -> Result<(i16, i16), Fault> {
        let column = self
            .columns
            .get(leaf)
            .ok_or((leaf, "no such column".to_owned()))?;
        match (column.def.get(column.level), column.rep.get(column.level)) {
            (Some(&d), Some(&r)) => Ok((d, r)),
            _ => Err((leaf, "the column ends before the row group does".to_owned())),
        }
    }

    /// Consumes one triplet of every leaf under `node` (a null or empty occurrence).
    fn skip(&mut self, node: &Node) -> Result<(), Fault> {
        for leaf in node.first_leaf..node.end_leaf {
            self.current(leaf)?;
            self.columns[leaf].level += 1;
        }
        Ok(())
    }

    /// A top-level field of the next row.
    fn field(&mut self, node: &Node) -> Result<Value, Fault> {
        let (_, rep) = self.current(node.first_leaf)?;
        if rep != 0 {
            return Err((
                node.first_leaf,
                format!("a row starts at repetition level {rep}"),
            ));
        }
        self.member(node)
    }

    /// The value of `node` in its parent: a list for a repeated node, else one occurrence.
    fn member(&mut self, node: &Node) -> Result<Value, Fault> {
        if node.repetition == Repetition::REPEATED {
            return self.repeated(node).map(Value::Array);
        }
        let (def, _) = self.current(node.first_leaf)?;
        if def < node.def {
            if node.repetition == Repetition::REQUIRED {
                return Err((node.first_leaf, "a required field is missing".to_owned()));
            }
            self.skip(node)?;
            return Ok(Value::Null);
        }
        self.occurrence(node)
    }

    /// Every occurrence of the repeated `node` at this place.
    fn repeated(&mut self, node: &Node) -> Result<Vec<Value>, Fault> {
        let leaf = node.first_leaf;
        let (def, _) = self.current(leaf)?;
        if def < node.def {
            self.skip(node)?;
            return Ok(Vec::new());
        }
        let mut items = Vec::new();
        loop {
            items.push(self.occurrence(node)?);
            let column = &self.columns[leaf];
            match column.rep.get(column.level) {
                Some(&rep) if rep == node.rep => {}
                Some(&rep) if rep > node.rep => {
                    return Err((
                        leaf,
                        format!("repetition level {rep} where at most {} fits", node.rep),
                    ));
                }
                _ => return Ok(items),
            }
        }
    }

    /// One occurrence of `node`, known to be present at its own level.
    fn occurrence(&mut self, node: &Node) -> Result<Value, Fault> {
        match &node.kind {
            NodeKind::Leaf => {
                let leaf = node.first_leaf;
                let column = &mut self.columns[leaf];
                let def = column.def[column.level];
                column.level += 1;
                if def < column.max_def {
                    return Ok(Value::Null);
                }
                let value = column
                    .values
                    .get(column.value)
                    .cloned()
                    .ok_or((leaf, "more levels than values".to_owned()))?;
                column.value += 1;
                Ok(value)
            }
            NodeKind::Group(children) => {
                let mut map = Map::new();
                for child in children {
                    let value = self.member(child)?;
                    if value != Value::Null {
                        map.insert(child.name.clone(), value);
                    }
                }
                Ok(Value::Map(map))
            }
            NodeKind::List { repeated, unwrap } => {
                let items = self.repeated(repeated)?;
                Ok(Value::Array(
                    items
                        .into_iter()
                        .map(|item| match (item, unwrap) {
                            (Value::Map(map), true) => {
                                map.iter().next().map_or(Value::Null, |(_, v)| v.clone())
                            }
                            (item, _) => item,
                        })
                        .collect(),
                ))
            }
            NodeKind::Map(entries) => {
                let mut map = Map::new();
                for entry in self.repeated(entries)? {
                    let Value::Map(pair) = entry else { continue };
                    let mut fields = pair.iter();
                    let key = match fields.next() {
                        Some((_, Value::Str(key))) => key.clone(),
                        Some((_, other)) => serde_json::to_string(other).unwrap_or_default(),
                        None => continue,
                    };
                    map.insert(key, fields.next().map_or(Value::Null, |(_, v)| v.clone()));
                }
                Ok(Value::Map(map))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hybrid_runs() {
        // A run of 5 threes (bit width 2), then one bit-packed group: 0 1 2 3 0 1 2 3.
        let bytes = [5 << 1, 3, (1 << 1) | 1, 0b1110_0100, 0b1110_0100];
        assert_eq!(
            hybrid(&bytes, 13, 2),
            Ok(vec![3, 3, 3, 3, 3, 0, 1, 2, 3, 0, 1, 2, 3])
        );
        // Padding of the last bit-packed group is not returned.
        assert_eq!(hybrid(&bytes, 7, 2), Ok(vec![3, 3, 3, 3, 3, 0, 1]));
        assert!(
            hybrid(&bytes[..3], 13, 2).is_err(),
            "a cut-off run is an error"
        );
        assert!(hybrid(&[0], 1, 2).is_err(), "an empty run is an error");
        assert_eq!(
            levels(&[2 << 1, 3], 2, 1),
            Err("a level of 3 (at most 1 here)".to_owned())
        );
    }

    #[test]
    fn plain_values_are_bounds_checked() {
        let text = [3, 0, 0, 0, b'a', b'b', b'c'];
        let values = decode_plain(&text, 1, PhysicalType::BYTE_ARRAY, 0, Leaf::Plain);
        assert_eq!(values, Ok(vec![Value::from("abc")]));
        assert!(decode_plain(&text, 2, PhysicalType::BYTE_ARRAY, 0, Leaf::Plain).is_err());
        assert!(decode_plain(&[1, 2, 3], 1, PhysicalType::INT32, 0, Leaf::Plain).is_err());
        let micros = 1_795_842_428_960_629i64.to_le_bytes();
        assert_eq!(
            decode_plain(&micros, 1, PhysicalType::INT64, 0, Leaf::Timestamp(1_000)),
            Ok(vec![Value::Int(1_795_842_428_960_629_000)])
        );
    }
}
