//! Parquet rows as nested values, assembled from the column chunks.
//!
//! The parquet crate's record API asserts on what a hostile file may contain (definition levels
//! past their maximum, odd list and map shapes) and panics, which in a browser tab aborts the
//! whole module. So rows are assembled here instead (Dremel's record assembly): every leaf column
//! of a row group is read with the low-level column reader into definition levels, repetition
//! levels and values, everything is checked against the schema, and rows are rebuilt from those
//! triplets. Any inconsistency is an error with its column and row.
//!
//! Lists (`LIST`, three-level or legacy two-level) become arrays, maps (`MAP`) become maps with
//! text keys, other groups become maps. A struct member that is null is left out: pandas writes
//! the union of every row's keys as the struct's schema, so those nulls are keys the row never had.

use bytes::Bytes;
use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType, FixedLenByteArray, Int96};
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
use parquet::schema::types::{ColumnDescriptor, Type};

use crate::attributes::{Map, Value};
use crate::ingest::error::{Located, Place, Problem};

/// Deeper schemas are refused: no real trace table nests this far, and recursion stays bounded.
const MAX_SCHEMA_DEPTH: usize = 64;

/// Levels and values read per call.
const BATCH: usize = 4096;

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
        let mut columns = Vec::with_capacity(descriptor.num_columns());
        for index in 0..descriptor.num_columns() {
            let column = descriptor.column(index);
            let name = column.path().string();
            let reader = group
                .get_column_reader(index)
                .map_err(|e| problem(Some(name.clone()), Some(first_row), e.to_string()))?;
            columns.push(
                read_column(reader, &column)
                    .map_err(|message| problem(Some(name), Some(first_row), message))?,
            );
        }
        let num_rows = u64::try_from(group.metadata().num_rows()).unwrap_or(0);
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

fn read_column(reader: ColumnReader, descriptor: &ColumnDescriptor) -> Result<Column, String> {
    let kind = leaf_kind(descriptor.self_type());
    let (max_def, max_rep) = (descriptor.max_def_level(), descriptor.max_rep_level());
    let (def, rep, values) = match reader {
        ColumnReader::BoolColumnReader(r) => {
            levels_and_values(r, max_def, max_rep, |v: bool| Value::Bool(v))?
        }
        ColumnReader::Int32ColumnReader(r) => {
            levels_and_values(r, max_def, max_rep, |v: i32| number(i64::from(v), kind))?
        }
        ColumnReader::Int64ColumnReader(r) => {
            levels_and_values(r, max_def, max_rep, |v: i64| number(v, kind))?
        }
        ColumnReader::Int96ColumnReader(r) => {
            levels_and_values(r, max_def, max_rep, |v: Int96| Value::Int(v.to_nanos()))?
        }
        ColumnReader::FloatColumnReader(r) => {
            levels_and_values(r, max_def, max_rep, |v: f32| Value::Double(f64::from(v)))?
        }
        ColumnReader::DoubleColumnReader(r) => {
            levels_and_values(r, max_def, max_rep, Value::Double)?
        }
        ColumnReader::ByteArrayColumnReader(r) => {
            levels_and_values(r, max_def, max_rep, |v: ByteArray| bytes_value(v.data()))?
        }
        ColumnReader::FixedLenByteArrayColumnReader(r) => {
            levels_and_values(r, max_def, max_rep, |v: FixedLenByteArray| {
                bytes_value(v.data())
            })?
        }
    };
    if let Some(bad) = def.iter().find(|&&d| d < 0 || d > max_def) {
        return Err(format!(
            "a definition level of {bad} (at most {max_def} here)"
        ));
    }
    if let Some(bad) = rep.iter().find(|&&r| r < 0 || r > max_rep) {
        return Err(format!(
            "a repetition level of {bad} (at most {max_rep} here)"
        ));
    }
    let present = def.iter().filter(|&&d| d == max_def).count();
    if present != values.len() {
        return Err(format!(
            "{present} values are defined but {} were read",
            values.len()
        ));
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

type Levels = (Vec<i16>, Vec<i16>, Vec<Value>);

/// Reads a whole column chunk; levels a column does not have are filled with zeros.
fn levels_and_values<T: DataType>(
    mut reader: ColumnReaderImpl<T>,
    max_def: i16,
    max_rep: i16,
    convert: impl Fn(T::T) -> Value,
) -> Result<Levels, String>
where
    T::T: Default + Clone,
{
    let (mut def, mut rep, mut raw) = (Vec::new(), Vec::new(), Vec::new());
    loop {
        let (records, values, levels) = reader
            .read_records(
                BATCH,
                (max_def > 0).then_some(&mut def),
                (max_rep > 0).then_some(&mut rep),
                &mut raw,
            )
            .map_err(|e| e.to_string())?;
        if records == 0 && values == 0 && levels == 0 {
            break;
        }
        if max_def == 0 {
            def.resize(raw.len(), 0);
        }
        if max_rep == 0 {
            rep.resize(def.len(), 0);
        }
    }
    if def.len() != rep.len() {
        return Err(format!(
            "{} definition levels but {} repetition levels",
            def.len(),
            rep.len()
        ));
    }
    Ok((def, rep, raw.into_iter().map(convert).collect()))
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
