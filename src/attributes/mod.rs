//! Flat OpenTelemetry attributes to nested values and back, exactly as Phoenix does it.
//!
//! Spans carry flat keys (`llm.input_messages.0.message.role`); people read nested structures
//! (a list of messages, each with a role). [`unflatten`] is a port of Phoenix's
//! `phoenix.trace.attributes.unflatten` (and [`flatten`] of its `flatten`), with its rules:
//!
//! - keys split on `.`; every segment is trimmed of white space; empty segments vanish;
//! - an all-digit segment *followed by more segments* is an array index, a final all-digit
//!   segment is a map key (`tags.0 = "a"` gives `{"tags": {"0": "a"}}`); leading zeros normalize;
//!   indices are sorted and compacted (`x.0`, `x.5` → 2 elements);
//! - a node that has a value keeps it, and its children come out as dotted keys beside it
//!   (`a = 1`, `a.b = 2` → `{"a": 1, "a.b": 2}`);
//! - the last write wins; `None` (an empty value) is skipped;
//! - values of keys ending in one of [`JSON_STRING_ATTRIBUTES`] are parsed as JSON when they
//!   parse and are not empty ([`load_json_strings`]).
//!
//! [`flatten`] undoes it: unflatten → flatten → unflatten gives back the first result for the
//! attributes instrumentations write (every fixture span, and generated sets whose indices count
//! from 0, are checked). For arbitrary keys it cannot, here as in Phoenix: indices are compacted,
//! so `x.2.a` and a scalar `x.0` meet on the way back.
//!
//! Two deliberate limits keep hostile input from exhausting the stack: keys are split into at most
//! [`MAX_KEY_SEGMENTS`] segments (the rest stays one segment), and only ASCII digits count as
//! digits (Python's `str.isdigit` also takes other scripts' digits).
//!
//! ```
//! use plume::attributes::{unflatten, Value};
//!
//! let nested = unflatten([
//!     ("retrieval.documents.1.document.content", Value::from("B")),
//!     ("retrieval.documents.0.document.content", Value::from("A")),
//!     ("llm.token_count.prompt", Value::Int(10)),
//! ]);
//! assert_eq!(
//!     serde_json::to_string(&nested).unwrap(),
//!     r#"{"retrieval":{"documents":[{"document":{"content":"A"}},{"document":{"content":"B"}}]},"llm":{"token_count":{"prompt":10}}}"#
//! );
//! ```

use std::fmt::Write as _;

use hashbrown::HashMap;
use serde::ser::{SerializeMap, SerializeSeq};

use crate::model::{AnyValue, Arena, Rows};

/// Keys whose string values hold JSON (matched as suffixes, as Phoenix does). Phoenix lists the
/// first four; `llm.invocation_parameters` is a JSON string by the OpenInference spec too.
pub const JSON_STRING_ATTRIBUTES: [&str; 5] = [
    "document.metadata",
    "llm.prompt_template.variables",
    "metadata",
    "tool.parameters",
    "llm.invocation_parameters",
];

/// At most this many segments are split off a key (see the module docs).
pub const MAX_KEY_SEGMENTS: usize = 128;

const SEPARATOR: &str = ".";

/// A nested attribute value: what a span's attributes look like once unflattened.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// No value (JSON null, OTLP's empty value).
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float (NaN and infinities serialize as the strings `"NaN"`, `"Infinity"`).
    Double(f64),
    /// A string.
    Str(String),
    /// A list.
    Array(Vec<Value>),
    /// A map with keys in first-insertion order.
    Map(Map),
}

/// An insertion-ordered map; setting an existing key replaces its value in place, as a Python
/// dict does.
#[derive(Clone, Debug, Default)]
pub struct Map(Vec<(String, Value)>);

impl PartialEq for Map {
    /// Order-insensitive, as Python's dict equality.
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .all(|(key, value)| other.get(key) == Some(value))
    }
}

impl Map {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key`, replacing (in place) any value it had.
    pub fn insert(&mut self, key: String, value: Value) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value at a dotted path through nested maps (Phoenix's `get_attribute_value`).
    pub fn get_path(&self, path: &str) -> Option<&Value> {
        let (parents, last) = match path.rsplit_once(SEPARATOR) {
            Some((parents, last)) => (Some(parents), last),
            None => (None, path),
        };
        let mut map = self;
        for segment in parents.into_iter().flat_map(|p| p.split(SEPARATOR)) {
            match map.get(segment)? {
                Value::Map(inner) => map = inner,
                _ => return None,
            }
        }
        map.get(last)
    }

    /// Entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn from_pairs(pairs: Vec<(String, Value)>) -> Self {
        let mut map = Self(Vec::with_capacity(pairs.len()));
        for (key, value) in pairs {
            map.insert(key, value);
        }
        map
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Str(text.to_owned())
    }
}

impl Value {
    /// From parsed JSON. Numbers that fit `i64` stay integers.
    pub fn from_json(json: serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Double(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::Str(s),
            serde_json::Value::Array(items) => {
                Value::Array(items.into_iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(entries) => Value::Map(Map(entries
                .into_iter()
                .map(|(k, v)| (k, Value::from_json(v)))
                .collect())),
        }
    }

    /// Python's truthiness: null, false, 0, 0.0, "", [] and {} are false.
    fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(n) => *n != 0,
            Value::Double(x) => *x != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Array(items) => !items.is_empty(),
            Value::Map(map) => !map.is_empty(),
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// [`Value`] as formats that do not describe themselves (the page's and the worker's binary
/// messages) carry it: tagged, every value as it is (NaN stays a double).
#[derive(serde::Serialize)]
enum TaggedRef<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(&'a str),
    Array(&'a [Value]),
    Map(&'a [(String, Value)]),
}

/// [`TaggedRef`], read back.
#[derive(serde::Deserialize)]
enum Tagged {
    Null,
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(String),
    Array(Vec<Value>),
    Map(Vec<(String, Value)>),
}

/// JSON's form where the format describes itself (JSON: what files and the store hold); the
/// tagged form otherwise.
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            return match self {
                Value::Null => TaggedRef::Null,
                Value::Bool(b) => TaggedRef::Bool(*b),
                Value::Int(n) => TaggedRef::Int(*n),
                Value::Double(x) => TaggedRef::Double(*x),
                Value::Str(s) => TaggedRef::Str(s),
                Value::Array(items) => TaggedRef::Array(items),
                Value::Map(map) => TaggedRef::Map(&map.0),
            }
            .serialize(serializer);
        }
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(n) => serializer.serialize_i64(*n),
            Value::Double(x) if x.is_finite() => serializer.serialize_f64(*x),
            Value::Double(x) => serializer.serialize_str(non_finite_name(*x)),
            Value::Str(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(map) => map.serialize(serializer),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            return Ok(match Tagged::deserialize(deserializer)? {
                Tagged::Null => Value::Null,
                Tagged::Bool(b) => Value::Bool(b),
                Tagged::Int(n) => Value::Int(n),
                Tagged::Double(x) => Value::Double(x),
                Tagged::Str(s) => Value::Str(s),
                Tagged::Array(items) => Value::Array(items),
                Tagged::Map(entries) => Value::Map(Map(entries)),
            });
        }
        serde_json::Value::deserialize(deserializer).map(Value::from_json)
    }
}

impl<'de> serde::Deserialize<'de> for Map {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Map(map) => Ok(map),
            _ => Err(serde::de::Error::custom("expected a map")),
        }
    }
}

impl serde::Serialize for Map {
    /// As the map it is in JSON; elsewhere as the tagged [`Value`] it reads back through.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            return TaggedRef::Map(&self.0).serialize(serializer);
        }
        let mut out = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            out.serialize_entry(key, value)?;
        }
        out.end()
    }
}

fn non_finite_name(x: f64) -> &'static str {
    if x.is_nan() {
        "NaN"
    } else if x > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

// ---- unflatten ---------------------------------------------------------------------------

/// Nests flat key/value pairs (see the module docs for the rules).
pub fn unflatten<K: AsRef<str>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Map {
    unflatten_with_separator(pairs, SEPARATOR)
}

/// [`unflatten`] with another separator than `.`.
pub fn unflatten_with_separator<K: AsRef<str>>(
    pairs: impl IntoIterator<Item = (K, Value)>,
    separator: &str,
) -> Map {
    let mut trie = Trie::default();
    for (key, value) in pairs {
        if value != Value::Null {
            trie.insert(key.as_ref(), value, separator);
        }
    }
    Map::from_pairs(trie.walk(Trie::ROOT, String::new(), separator))
}

/// Phoenix's `load_json_strings` for one pair: the parsed JSON for a JSON-string key whose value
/// parses, `None` when it parses to something empty (Phoenix drops those), else the value as is.
pub fn load_json_string(key: &str, value: Value) -> Option<Value> {
    let Value::Str(text) = &value else {
        return Some(value);
    };
    if !JSON_STRING_ATTRIBUTES
        .iter()
        .any(|suffix| key.ends_with(suffix))
    {
        return Some(value);
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(json) => {
            let parsed = Value::from_json(json);
            parsed.is_truthy().then_some(parsed)
        }
        Err(_) => Some(value),
    }
}

/// How an edge of the trie is used: as an array index or as a map key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Index,
    Branch,
}

struct Edge {
    key: String,
    child: usize,
    role: Role,
}

#[derive(Default)]
struct Node {
    value: Option<Value>,
    edges: Vec<Edge>,
}

/// Phoenix's `_Trie`: nodes in a vector, edges looked up by (node, key).
struct Trie {
    nodes: Vec<Node>,
    edge_of: HashMap<(usize, String), usize>,
}

impl Default for Trie {
    fn default() -> Self {
        Self {
            nodes: vec![Node::default()],
            edge_of: HashMap::new(),
        }
    }
}

/// An all-ASCII-digit segment, normalized as Python's `int()` then `str()` would (`"007"` → `"7"`).
fn as_index(segment: &str) -> Option<String> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = segment.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0" } else { trimmed }.to_owned())
}

/// Python's `str.strip()` white space: Unicode white space plus the ASCII separators 0x1C–0x1F.
fn strip_python(segment: &str) -> &str {
    segment.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// Numeric order of normalized index strings.
fn index_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Trie {
    const ROOT: usize = 0;

    fn child(&mut self, node: usize, key: String, role: Role) -> (usize, usize) {
        if let Some(&position) = self.edge_of.get(&(node, key.clone())) {
            return (self.nodes[node].edges[position].child, position);
        }
        let child = self.nodes.len();
        self.nodes.push(Node::default());
        let edges = &mut self.nodes[node].edges;
        let position = edges.len();
        edges.push(Edge {
            key: key.clone(),
            child,
            role,
        });
        self.edge_of.insert((node, key), position);
        (child, position)
    }

    /// `_Trie.add_index`: an index of a node that has a value, or that is already a branch,
    /// is a branch.
    fn add_index(&mut self, node: usize, index: String) -> usize {
        let has_value = self.nodes[node].value.is_some();
        let (child, position) = self.child(node, index, Role::Index);
        if has_value {
            self.nodes[node].edges[position].role = Role::Branch;
        }
        child
    }

    /// `_Trie.add_branch`: a branch, even if it was an index before.
    fn add_branch(&mut self, node: usize, key: String) -> usize {
        let (child, position) = self.child(node, key, Role::Branch);
        self.nodes[node].edges[position].role = Role::Branch;
        child
    }

    /// `_Trie.set_value`: a value and indices never coexist, so indices become branches.
    fn set_value(&mut self, node: usize, value: Value) {
        let node = &mut self.nodes[node];
        node.value = Some(value);
        for edge in &mut node.edges {
            edge.role = Role::Branch;
        }
    }

    fn insert(&mut self, key: &str, value: Value, separator: &str) {
        let mut node = Self::ROOT;
        let mut rest = key;
        let mut segments = 0;
        loop {
            segments += 1;
            let (head, tail) = match rest.split_once(separator) {
                Some(split) if segments < MAX_KEY_SEGMENTS => split,
                _ => (rest, ""),
            };
            let head = strip_python(head);
            node = match as_index(head) {
                Some(index) if !tail.is_empty() => self.add_index(node, index),
                Some(index) => self.add_branch(node, index),
                None => self.add_branch(node, head.to_owned()),
            };
            if tail.is_empty() {
                break;
            }
            rest = tail;
        }
        self.set_value(node, value);
    }

    /// `_walk`: the (key, value) pairs a node contributes under `prefix`.
    fn walk(&mut self, node: usize, prefix: String, separator: &str) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        let mut indices: Vec<(String, usize)> = self.nodes[node]
            .edges
            .iter()
            .filter(|edge| edge.role == Role::Index)
            .map(|edge| (edge.key.clone(), edge.child))
            .collect();
        indices.sort_by(|a, b| index_order(&a.0, &b.0));
        if let Some(value) = self.nodes[node].value.take() {
            out.push((prefix.clone(), value));
        } else if !prefix.is_empty() && !indices.is_empty() {
            let items = indices
                .into_iter()
                .map(|(_, child)| {
                    Value::Map(Map::from_pairs(self.walk(child, String::new(), separator)))
                })
                .collect();
            out.push((prefix.clone(), Value::Array(items)));
        } else if !indices.is_empty() {
            for (index, child) in indices {
                out.extend(self.walk(child, index, separator));
            }
        } else if !prefix.is_empty() {
            let inner = self.walk(node, String::new(), separator);
            out.push((prefix, Value::Map(Map::from_pairs(inner))));
            return out;
        }
        let branches: Vec<(String, usize)> = self.nodes[node]
            .edges
            .iter()
            .filter(|edge| edge.role == Role::Branch)
            .map(|edge| (edge.key.clone(), edge.child))
            .collect();
        for (key, child) in branches {
            let child_prefix = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}{separator}{key}")
            };
            out.extend(self.walk(child, child_prefix, separator));
        }
        out
    }
}

// ---- flatten -----------------------------------------------------------------------------

/// Phoenix's `flatten(obj, recurse_on_sequence=True, json_string_attributes=...)`: nested maps
/// become dotted keys, lists holding maps become indexed keys, lists of plain values stay lists,
/// and maps under JSON-string keys become JSON text (as Python's `json.dumps` writes it).
pub fn flatten(map: &Map) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    flatten_map(map, "", &mut out);
    out
}

/// [`flatten`] of a value found under `prefix` (e.g. one column of a Phoenix dataframe).
pub fn flatten_value(prefix: &str, value: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    flatten_entry(prefix.to_owned(), value, &mut out);
    out
}

fn flatten_map(map: &Map, prefix: &str, out: &mut Vec<(String, Value)>) {
    for (key, value) in map.iter() {
        let key = if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}{SEPARATOR}{key}")
        };
        flatten_entry(key, value, out);
    }
}

fn flatten_entry(key: String, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Map(inner) => {
            if JSON_STRING_ATTRIBUTES
                .iter()
                .any(|suffix| key.ends_with(suffix))
            {
                out.push((key, Value::Str(python_json_dumps(value))));
            } else {
                flatten_map(inner, &key, out);
            }
        }
        Value::Array(items) => {
            let has_map = items.iter().any(|item| matches!(item, Value::Map(_)));
            if !has_map {
                out.push((key.clone(), value.clone()));
            }
            for (index, item) in items.iter().enumerate() {
                if let Value::Map(inner) = item {
                    let prefix = if key.is_empty() {
                        index.to_string()
                    } else {
                        format!("{key}{SEPARATOR}{index}")
                    };
                    flatten_map(inner, &prefix, out);
                }
            }
        }
        Value::Null => {}
        _ => out.push((key, value.clone())),
    }
}

/// JSON text as Python's `json.dumps` writes it by default: `", "` and `": "` separators,
/// non-ASCII escaped, floats in Python's `repr` form, `NaN` / `Infinity` bare.
pub fn python_json_dumps(value: &Value) -> String {
    let mut out = String::new();
    dump(value, &mut out);
    out
}

fn dump(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Double(x) => out.push_str(&python_float_repr(*x)),
        Value::Str(s) => dump_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dump(item, out);
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dump_str(key, out);
                out.push_str(": ");
                dump(item, out);
            }
            out.push('}');
        }
    }
}

fn dump_str(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: shortest round-trip digits, positional for exponents -4..16, else
/// `d.ddde+XX`; integral values keep a `.0`.
pub fn python_float_repr(x: f64) -> String {
    if !x.is_finite() {
        return non_finite_name(x).to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "-1.2345e-7".
    let sci = format!("{x:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exponent) {
        let point = exponent + 1; // digits before the decimal point
        let text = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point as usize);
            format!("{int}.{frac}")
        };
        format!("{sign}{text}")
    } else {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exp_sign}{:02}", exponent.unsigned_abs())
    }
}

// ---- as text -------------------------------------------------------------------------------

/// A value as display text: strings as they are, anything else as compact JSON.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Str(s) => s.clone(),
        Value::Null => String::new(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// `text` pretty-printed when it is a JSON object or array.
pub fn pretty_json(text: &str) -> Option<String> {
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    serde_json::to_string_pretty(&json).ok()
}

/// How many times JSON held in a string of JSON is read as JSON in turn.
const NESTED_JSON_DEPTH: usize = 8;

/// `text` pretty-printed when it is a JSON object or array, with the objects and arrays its
/// strings hold (`"{\"a\": 1}"`, as `input.value` often carries) read as JSON too, to
/// [`NESTED_JSON_DEPTH`]; `None` unless that shows more than [`pretty_json`] does.
pub fn pretty_json_nested(text: &str) -> Option<String> {
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    let mut json: serde_json::Value = serde_json::from_str(text).ok()?;
    expand_json_strings(&mut json, NESTED_JSON_DEPTH)
        .then(|| serde_json::to_string_pretty(&json).ok())
        .flatten()
}

/// Reads the JSON objects and arrays held in `value`'s strings in place; whether any was.
fn expand_json_strings(value: &mut serde_json::Value, depth: usize) -> bool {
    use serde_json::Value as Json;
    match value {
        Json::String(text) if depth > 0 => {
            let trimmed = text.trim_start();
            if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
                return false;
            }
            match serde_json::from_str::<Json>(text) {
                Ok(mut inner) => {
                    expand_json_strings(&mut inner, depth - 1);
                    *value = inner;
                    true
                }
                Err(_) => false,
            }
        }
        Json::Array(items) => expand_each(items.iter_mut(), depth),
        Json::Object(fields) => expand_each(fields.values_mut(), depth),
        _ => false,
    }
}

/// Expands every one of `values` (no stopping at the first that expands); whether any did.
fn expand_each<'a>(values: impl Iterator<Item = &'a mut serde_json::Value>, depth: usize) -> bool {
    values
        .map(|value| expand_json_strings(value, depth))
        .filter(|expanded| *expanded)
        .count()
        > 0
}

/// A value for reading: maps and lists (and text holding them) as pretty JSON, text as it is.
pub fn pretty(value: &Value) -> String {
    match value {
        Value::Str(s) => pretty_json(s).unwrap_or_else(|| s.clone()),
        Value::Map(_) | Value::Array(_) => serde_json::to_string_pretty(value).unwrap_or_default(),
        other => value_text(other),
    }
}

// ---- from the arena ----------------------------------------------------------------------

/// One arena value as Phoenix decodes an OTLP value: bytes become hex text, key/value lists become
/// (flat) maps, arrays stay arrays.
pub fn value_from_any(arena: &Arena, value: AnyValue) -> Value {
    match value {
        AnyValue::Empty => Value::Null,
        AnyValue::Str(id) => Value::Str(arena.str(id).to_owned()),
        AnyValue::Bool(b) => Value::Bool(b),
        AnyValue::Int(n) => Value::Int(n),
        AnyValue::Double(x) => Value::Double(x),
        AnyValue::Bytes(index) => Value::Str(arena.blob(index).iter().fold(
            String::new(),
            |mut hex, byte| {
                let _ = write!(hex, "{byte:02x}");
                hex
            },
        )),
        AnyValue::Array(rows) => Value::Array(
            arena
                .array_values(rows)
                .iter()
                .map(|item| value_from_any(arena, *item))
                .collect(),
        ),
        AnyValue::KvList(rows) => Value::Map(flat_map(arena, rows)),
    }
}

/// Attributes as a flat map, keys as they are (how Phoenix shows event attributes).
pub fn flat_map(arena: &Arena, rows: Rows) -> Map {
    Map::from_pairs(
        arena
            .attributes(rows)
            .iter()
            .map(|kv| {
                (
                    arena.str(kv.key).to_owned(),
                    value_from_any(arena, kv.value),
                )
            })
            .collect(),
    )
}

/// A span's attributes as Phoenix shows them: JSON strings loaded, unflattened, and a non-text
/// `input.value` / `output.value` turned into JSON text with mime type `application/json`.
pub fn span_attributes(arena: &Arena, rows: Rows) -> Map {
    let pairs = arena.attributes(rows).iter().filter_map(|kv| {
        let key = arena.str(kv.key);
        load_json_string(key, value_from_any(arena, kv.value)).map(|value| (key, value))
    });
    let mut nested = unflatten(pairs);
    for root in ["input", "output"] {
        normalize_io_payload(&mut nested, root);
    }
    nested
}

/// Phoenix's `_normalize_io_payload`.
fn normalize_io_payload(attributes: &mut Map, root: &str) {
    let value_path = format!("{root}.value");
    let value = match attributes.get_path(&value_path) {
        None | Some(Value::Str(_)) => return,
        Some(value) => python_json_dumps(value),
    };
    let mut node = match attributes.get(root) {
        Some(Value::Map(map)) => map.clone(),
        _ => Map::new(),
    };
    node.insert("value".to_owned(), Value::Str(value));
    node.insert("mime_type".to_owned(), Value::from("application/json"));
    attributes.insert(root.to_owned(), Value::Map(node));
}

#[cfg(test)]
mod tests;
