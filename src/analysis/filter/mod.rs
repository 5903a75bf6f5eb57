//! Span filters in Phoenix's language: `span_kind == 'LLM' and latency_ms > 1000`,
//! `'error' in output.value`, `metadata['topic'] == 'billing'`, `evals['correctness'].label ==
//! 'incorrect'`, `parent_id is None`, combined with `and`, `or`, `not` and parentheses.
//!
//! The meaning follows Phoenix's translation of these expressions to SQL:
//! - Names: `span_id`, `trace_id` (and `context.` forms), `parent_id`, `span_kind`, `name`,
//!   `status_code`, `status_message` are text; `latency_ms` and `cumulative_token_count.prompt`
//!   / `.completion` / `.total` (the span's and its descendants' LLM tokens) are numbers;
//!   `start_time`, `end_time` compare with a quoted RFC 3339 time. Any other name or dotted name
//!   is an attribute (`llm.model_name`), as are `attributes[...]` and `metadata[...]` paths.
//! - An attribute compares as text, unless the other side is a number: then as a number.
//! - `a in b` is "text `a` occurs in `b`" when `b` is text, membership when `b` is a list.
//! - `x == None` and `x is None` test for absence. Otherwise SQL's three-valued logic holds: a
//!   comparison with something absent is unknown, `not unknown` is unknown, and only spans for
//!   which the whole filter is true match — `llm.model_name != 'gpt-4'` leaves out spans
//!   without a model name, as in Phoenix.
//! - `evals['name']` (or `annotations['name']`) is the span's evaluation of that name:
//!   `.label`, `.score`, `.explanation`; alone, whether the span has one.
//!
//! One leniency: an attribute path is matched against the flat keys as they were received, so
//! `attributes['llm.model_name']` finds `llm.model_name` where Phoenix's nested lookup would not.
//!
//! ```
//! use plume::{analysis::{Traces, filter::Filter}, ingest, model::Arena, semantics::prices::Prices};
//!
//! let mut arena = Arena::default();
//! ingest::load(&mut arena, "t.json", br#"{"resourceSpans":[{"scopeSpans":[{"spans":[
//!   {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"chat",
//!    "startTimeUnixNano":"1000000","endTimeUnixNano":"2500000000",
//!    "attributes":[{"key":"openinference.span.kind","value":{"stringValue":"LLM"}}]}]}]}]}"#);
//! let traces = Traces::assemble(&arena);
//! let filter = Filter::parse("span_kind == 'LLM' and latency_ms > 2000").unwrap();
//! assert_eq!(filter.matching_spans(&arena, &traces, &Prices::builtin()).len(), 1);
//! let error = Filter::parse("latency_ms >").unwrap_err();
//! assert_eq!(error.position, 12);
//! ```

mod parse;

use std::borrow::Cow;
use std::cell::RefCell;
use std::cmp::Ordering;

use memchr::memmem::Finder;

use self::parse::{Arith, Cmp, Node, Syntax};
use crate::analysis::{Trace, Traces};
use crate::attributes::{Value, load_json_string, value_from_any};
use crate::model::{AnyValue, Arena, EvalTarget, Evaluation, Span, StrId, TokenKind, Usd};
use crate::semantics::{CallPricer, Prices};

/// Why a filter could not be read: where (0-based character position) and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("at character {}: {message}", position + 1)]
pub struct FilterError {
    /// 0-based character position of the problem.
    pub position: usize,
    /// What was wrong or expected.
    pub message: String,
}

impl FilterError {
    fn new(position: usize, message: String) -> Self {
        Self { position, message }
    }
}

/// A parsed filter. See the module docs.
#[derive(Clone, Debug)]
pub struct Filter {
    condition: Cond,
    attributes: Vec<AttributePath>,
    evals: Vec<String>,
    uses_cumulative: bool,
    /// Subtrees' costs are needed (pricing every call), not only their tokens.
    uses_cumulative_cost: bool,
}

#[derive(Clone, Debug)]
enum Cond {
    Const(bool),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Compare(Term, Order, Term, Mode),
    /// `term is None` (`true`) or `term is not None` (`false`).
    IsNull(Term, bool),
    /// Text `needle` occurs in `haystack`; a quoted needle is searched with a prepared finder.
    Contains(Term, Term, Option<Box<Finder<'static>>>),
    InList(Term, Vec<Term>, Mode),
    /// The span has the evaluation of this slot.
    HasEval(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Order {
    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Order::Eq => ordering.is_eq(),
            Order::Ne => ordering.is_ne(),
            Order::Lt => ordering.is_lt(),
            Order::Le => ordering.is_le(),
            Order::Gt => ordering.is_gt(),
            Order::Ge => ordering.is_ge(),
        }
    }
}

/// How two sides compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Text,
    Number,
}

#[derive(Clone, Debug)]
enum Term {
    Field(Field),
    /// Slot in [`Filter::attributes`].
    Attribute(usize),
    /// Slot in [`Filter::evals`], and which part.
    Eval(usize, EvalPart),
    Text(String),
    Number(f64),
    Null,
    Concat(Box<Term>, Box<Term>),
    Arith(Box<Term>, Arith, Box<Term>),
    Neg(Box<Term>),
    AsNumber(Box<Term>),
    AsText(Box<Term>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    SpanId,
    TraceId,
    ParentId,
    Kind,
    Name,
    Status,
    StatusMessage,
    LatencyMs,
    /// The span's own tokens of this kind, whichever convention recorded them.
    Tokens(TokenKind),
    /// The span's own cost: recorded, else estimated.
    Cost(CostPart),
    CumulativePrompt,
    CumulativeCompletion,
    CumulativeTotal,
    CumulativeCost,
    StartTime,
    EndTime,
}

/// Which part of a cost `llm.cost.*` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CostPart {
    Total,
    Input,
    Output,
}

impl Field {
    fn named(name: &str) -> Option<Field> {
        Some(match name {
            "span_id" | "context.span_id" => Field::SpanId,
            "trace_id" | "context.trace_id" => Field::TraceId,
            "parent_id" => Field::ParentId,
            "span_kind" => Field::Kind,
            "name" => Field::Name,
            "status_code" => Field::Status,
            "status_message" => Field::StatusMessage,
            "latency_ms" => Field::LatencyMs,
            "cumulative_token_count.prompt" | "cumulative_llm_token_count_prompt" => {
                Field::CumulativePrompt
            }
            "cumulative_token_count.completion" | "cumulative_llm_token_count_completion" => {
                Field::CumulativeCompletion
            }
            "cumulative_token_count.total" | "cumulative_llm_token_count_total" => {
                Field::CumulativeTotal
            }
            "cumulative_cost" | "cumulative_cost.total" => Field::CumulativeCost,
            "llm.token_count.prompt" => Field::Tokens(TokenKind::Input),
            "llm.token_count.completion" => Field::Tokens(TokenKind::Output),
            "llm.token_count.total" => Field::Tokens(TokenKind::Total),
            "llm.token_count.prompt_details.cache_read" => Field::Tokens(TokenKind::CachedInput),
            "llm.token_count.prompt_details.cache_write" => Field::Tokens(TokenKind::CacheWrite),
            "llm.token_count.completion_details.reasoning" => Field::Tokens(TokenKind::Reasoning),
            "llm.token_count.prompt_details.audio" => Field::Tokens(TokenKind::AudioInput),
            "llm.token_count.completion_details.audio" => Field::Tokens(TokenKind::AudioOutput),
            "llm.cost.total" => Field::Cost(CostPart::Total),
            "llm.cost.prompt" => Field::Cost(CostPart::Input),
            "llm.cost.completion" => Field::Cost(CostPart::Output),
            "start_time" => Field::StartTime,
            "end_time" => Field::EndTime,
            _ => return None,
        })
    }

    fn is_number(self) -> bool {
        !matches!(
            self,
            Field::SpanId
                | Field::TraceId
                | Field::ParentId
                | Field::Kind
                | Field::Name
                | Field::Status
                | Field::StatusMessage
        )
    }

    fn is_time(self) -> bool {
        matches!(self, Field::StartTime | Field::EndTime)
    }

    fn is_cumulative(self) -> bool {
        matches!(
            self,
            Field::CumulativePrompt
                | Field::CumulativeCompletion
                | Field::CumulativeTotal
                | Field::CumulativeCost
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EvalPart {
    Label,
    Score,
    Explanation,
}

/// One segment of an attribute path: `['llm']` or `[0]`.
#[derive(Clone, Debug, PartialEq)]
enum Key {
    Name(String),
    Index(i64),
}

impl Key {
    fn text(&self) -> Cow<'_, str> {
        match self {
            Key::Name(name) => Cow::Borrowed(name),
            Key::Index(index) => Cow::Owned(index.to_string()),
        }
    }
}

/// An attribute path and the flat keys it may start with, longest first:
/// `llm.token_count.total` is the key `llm.token_count.total`, or `llm.token_count` holding
/// `total`, or `llm` holding `token_count.total`.
#[derive(Clone, Debug)]
struct AttributePath {
    path: Vec<Key>,
    /// (flat key, segments it covers).
    prefixes: Vec<(String, usize)>,
}

impl AttributePath {
    fn new(path: Vec<Key>) -> Self {
        let prefixes = (1..=path.len())
            .rev()
            .map(|n| {
                let key: Vec<Cow<str>> = path[..n].iter().map(Key::text).collect();
                (key.join("."), n)
            })
            .collect();
        Self { path, prefixes }
    }
}

const EVAL_PARTS: [&str; 3] = ["label", "score", "explanation"];

/// Whether `text` was meant as a filter rather than words to find: it compares (`==`, `!=`,
/// `<`, `>`, `=`), indexes (`attributes['…']`, `evals['…']`) or tests for absence (`is None`).
/// Text that does and does not read is a mistake to point out, not words to search for.
pub fn looks_like_filter(text: &str) -> bool {
    text.contains(['=', '<', '>'])
        || text.contains("['")
        || text.contains("[\"")
        || text.contains(" is None")
        || text.contains(" is not None")
}

impl Filter {
    /// Reads a filter expression.
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        let node = parse::parse(text)?;
        let mut filter = Filter {
            condition: Cond::Const(true),
            attributes: Vec::new(),
            evals: Vec::new(),
            uses_cumulative: false,
            uses_cumulative_cost: false,
        };
        filter.condition = filter.condition(&node)?;
        Ok(filter)
    }

    fn condition(&mut self, node: &Node) -> Result<Cond, FilterError> {
        Ok(match &node.syntax {
            Syntax::And(items) => Cond::And(self.conditions(items)?),
            Syntax::Or(items) => Cond::Or(self.conditions(items)?),
            Syntax::Not(inner) => Cond::Not(Box::new(self.condition(inner)?)),
            Syntax::Bool(value) => Cond::Const(*value),
            Syntax::Compare(first, rest) => {
                // `a < b < c` is `a < b and b < c`.
                let mut parts = Vec::with_capacity(rest.len());
                let mut left = first.as_ref();
                for (op, right) in rest {
                    parts.push(self.comparison(left, *op, right)?);
                    left = right;
                }
                match parts.len() {
                    1 => parts.remove(0),
                    _ => Cond::And(parts),
                }
            }
            _ => match self.eval_of(node)? {
                Some(slot) => Cond::HasEval(slot),
                None => {
                    return Err(FilterError::new(
                        node.at,
                        "expected a condition, such as span_kind == 'LLM'".to_owned(),
                    ));
                }
            },
        })
    }

    fn conditions(&mut self, nodes: &[Node]) -> Result<Vec<Cond>, FilterError> {
        nodes.iter().map(|node| self.condition(node)).collect()
    }

    fn comparison(&mut self, left: &Node, op: Cmp, right: &Node) -> Result<Cond, FilterError> {
        let order = match op {
            Cmp::In | Cmp::NotIn => {
                let inside = self.membership(left, right)?;
                return Ok(match op {
                    Cmp::NotIn => Cond::Not(Box::new(inside)),
                    _ => inside,
                });
            }
            Cmp::Is | Cmp::Eq => Order::Eq,
            Cmp::IsNot | Cmp::Ne => Order::Ne,
            Cmp::Lt => Order::Lt,
            Cmp::Le => Order::Le,
            Cmp::Gt => Order::Gt,
            Cmp::Ge => Order::Ge,
        };
        let (mut a, mut b) = (self.term(left)?, self.term(right)?);
        let null_test = |term: Term, at: usize| match order {
            Order::Eq => Ok(Cond::IsNull(term, true)),
            Order::Ne => Ok(Cond::IsNull(term, false)),
            _ => Err(FilterError::new(
                at,
                "None can only be tested with ==, !=, is or is not".to_owned(),
            )),
        };
        match (&a, &b) {
            (_, Term::Null) => return null_test(a, right.at),
            (Term::Null, _) => return null_test(b, left.at),
            _ => {}
        }
        if matches!(op, Cmp::Is | Cmp::IsNot) {
            return Err(FilterError::new(
                right.at,
                "`is` compares with None only; use == to compare values".to_owned(),
            ));
        }
        self.time_literal(&a, &mut b, right.at)?;
        self.time_literal(&b, &mut a, left.at)?;
        let mode = match a.is_number() || b.is_number() {
            true => Mode::Number,
            false => Mode::Text,
        };
        Ok(Cond::Compare(a, order, b, mode))
    }

    /// Beside `start_time` / `end_time`, a quoted time becomes its ns since the epoch.
    fn time_literal(&self, field: &Term, other: &mut Term, at: usize) -> Result<(), FilterError> {
        let (Term::Field(f), Term::Text(text)) = (field, &*other) else {
            return Ok(());
        };
        if !f.is_time() {
            return Ok(());
        }
        let nanos = crate::model::parse_rfc3339_nanos(text).ok_or_else(|| {
            FilterError::new(
                at,
                format!("expected a time like '2024-05-01T12:00:00Z', found '{text}'"),
            )
        })?;
        *other = Term::Number(nanos as f64);
        Ok(())
    }

    fn membership(&mut self, needle: &Node, container: &Node) -> Result<Cond, FilterError> {
        let item = self.term(needle)?;
        if let Syntax::List(elements) = &container.syntax {
            let list: Vec<Term> = elements
                .iter()
                .map(|e| self.term(e))
                .collect::<Result<_, _>>()?;
            let mode = match item.is_number() || list.first().is_some_and(Term::is_number) {
                true => Mode::Number,
                false => Mode::Text,
            };
            return Ok(Cond::InList(item, list, mode));
        }
        let haystack = self.term(container)?;
        match haystack {
            Term::Text(_) | Term::Number(_) | Term::Null => Err(FilterError::new(
                container.at,
                "expected a list or a text field, like output.value, after `in`".to_owned(),
            )),
            haystack if haystack.is_number() => Err(FilterError::new(
                container.at,
                "`in` needs text or a list on its right, not a number".to_owned(),
            )),
            haystack => {
                let finder = match &item {
                    Term::Text(needle) => {
                        Some(Box::new(Finder::new(needle.as_bytes()).into_owned()))
                    }
                    _ => None,
                };
                Ok(Cond::Contains(item, haystack, finder))
            }
        }
    }

    fn term(&mut self, node: &Node) -> Result<Term, FilterError> {
        Ok(match &node.syntax {
            Syntax::Str(text) => Term::Text(text.clone()),
            Syntax::Num(value) => Term::Number(*value),
            Syntax::Bool(value) => Term::Number(f64::from(u8::from(*value))),
            Syntax::None => Term::Null,
            Syntax::Neg(inner) => Term::Neg(Box::new(self.number(inner)?)),
            Syntax::Arith(left, op, right) => {
                let (a, b) = (self.term(left)?, self.term(right)?);
                match (op, a.is_number() || b.is_number()) {
                    (Arith::Add, false) => Term::Concat(Box::new(a), Box::new(b)),
                    _ => Term::Arith(Box::new(a.into_number()), *op, Box::new(b.into_number())),
                }
            }
            Syntax::Call(function, args) => {
                let name = match &function.syntax {
                    Syntax::Name(name) if ["str", "float", "int"].contains(&name.as_str()) => {
                        name.as_str()
                    }
                    _ => {
                        return Err(FilterError::new(
                            function.at,
                            "only str(), float() and int() can be called".to_owned(),
                        ));
                    }
                };
                let [arg] = args.as_slice() else {
                    return Err(FilterError::new(
                        node.at,
                        format!("{name}() takes one value"),
                    ));
                };
                let inner = self.term(arg)?;
                match name {
                    "str" => Term::AsText(Box::new(inner)),
                    _ => inner.into_number(),
                }
            }
            Syntax::List(_) => {
                return Err(FilterError::new(
                    node.at,
                    "a list can only follow `in`".to_owned(),
                ));
            }
            Syntax::Name(_) | Syntax::Attr(..) | Syntax::Index(..) => self.reference(node)?,
            Syntax::Not(_) | Syntax::And(_) | Syntax::Or(_) | Syntax::Compare(..) => {
                return Err(FilterError::new(
                    node.at,
                    "expected a value here, not a condition".to_owned(),
                ));
            }
        })
    }

    fn number(&mut self, node: &Node) -> Result<Term, FilterError> {
        Ok(self.term(node)?.into_number())
    }

    /// A name, dotted name, attribute path or evaluation part.
    fn reference(&mut self, node: &Node) -> Result<Term, FilterError> {
        if let Some(dotted) = dotted_name(node) {
            if let Some(field) = Field::named(&dotted) {
                self.uses_cumulative |= field.is_cumulative();
                self.uses_cumulative_cost |= field == Field::CumulativeCost;
                return Ok(Term::Field(field));
            }
            if let Some(root) = ["attributes", "metadata", "evals", "annotations"]
                .into_iter()
                .find(|root| dotted == *root)
            {
                return Err(FilterError::new(
                    node.at,
                    format!("{root} needs a key in brackets, like {root}['name']"),
                ));
            }
        }
        if let Syntax::Attr(base, part) = &node.syntax
            && let Some(slot) = self.eval_of(base)?
        {
            return match part.as_str() {
                "label" => Ok(Term::Eval(slot, EvalPart::Label)),
                "score" => Ok(Term::Eval(slot, EvalPart::Score)),
                "explanation" => Ok(Term::Eval(slot, EvalPart::Explanation)),
                other => Err(FilterError::new(
                    node.at,
                    format!(
                        "an evaluation has .label, .score and .explanation, not .{other}{}",
                        suggestion(other, &EVAL_PARTS)
                            .map(|s| format!(" (did you mean .{s}?)"))
                            .unwrap_or_default()
                    ),
                )),
            };
        }
        if self.eval_of(node)?.is_some() {
            return Err(FilterError::new(
                node.at,
                "expected .label, .score or .explanation after the evaluation".to_owned(),
            ));
        }
        let path = attribute_path(node)?;
        let slot = self.attributes.len();
        self.attributes.push(AttributePath::new(path));
        Ok(Term::Attribute(slot))
    }

    /// The evaluation slot of `evals['name']` / `annotations['name']`, if `node` is one.
    fn eval_of(&mut self, node: &Node) -> Result<Option<usize>, FilterError> {
        let Syntax::Index(base, key) = &node.syntax else {
            return Ok(None);
        };
        if !matches!(&base.syntax, Syntax::Name(n) if n == "evals" || n == "annotations") {
            return Ok(None);
        }
        let Syntax::Str(name) = &key.syntax else {
            return Err(FilterError::new(
                key.at,
                "expected the evaluation's name in quotes".to_owned(),
            ));
        };
        let slot = match self.evals.iter().position(|e| e == name) {
            Some(slot) => slot,
            None => {
                self.evals.push(name.clone());
                self.evals.len() - 1
            }
        };
        Ok(Some(slot))
    }

    /// Every span of `traces` this filter matches, as arena indices, trace by trace in tree order.
    pub fn matching_spans(&self, arena: &Arena, traces: &Traces, prices: &Prices) -> Vec<u32> {
        let matcher = self.matcher(arena, prices);
        let mut found = Vec::new();
        for trace in traces.all() {
            let scope = matcher.trace(trace);
            found.extend(
                (0..trace.tree.len() as u32)
                    .filter(|&row| scope.matches(row))
                    .map(|row| trace.tree.span[row as usize]),
            );
        }
        found
    }

    /// Binds the filter to an arena (and the prices its costs are estimated with): its
    /// attribute keys and evaluation names are looked up once.
    pub fn matcher<'a>(&'a self, arena: &'a Arena, prices: &'a Prices) -> Matcher<'a> {
        let keys = self
            .attributes
            .iter()
            .map(|attribute| {
                attribute
                    .prefixes
                    .iter()
                    .filter_map(|(key, covered)| Some((arena.strings().lookup(key)?, *covered)))
                    .collect()
            })
            .collect();
        let eval_names = self
            .evals
            .iter()
            .map(|name| arena.strings().lookup(name))
            .collect();
        Matcher {
            filter: self,
            arena,
            pricer: RefCell::new(CallPricer::new(arena, prices)),
            keys,
            eval_names,
        }
    }
}

impl Term {
    fn is_number(&self) -> bool {
        match self {
            Term::Field(field) => field.is_number(),
            Term::Eval(_, part) => *part == EvalPart::Score,
            Term::Number(_) | Term::Arith(..) | Term::Neg(_) | Term::AsNumber(_) => true,
            Term::Attribute(_)
            | Term::Text(_)
            | Term::Null
            | Term::Concat(..)
            | Term::AsText(_) => false,
        }
    }

    fn into_number(self) -> Term {
        match self.is_number() {
            true => self,
            false => Term::AsNumber(Box::new(self)),
        }
    }
}

/// `a.b.c` as one dotted name, when `node` is names and dots only.
fn dotted_name(node: &Node) -> Option<String> {
    match &node.syntax {
        Syntax::Name(name) => Some(name.clone()),
        Syntax::Attr(base, part) => Some(format!("{}.{part}", dotted_name(base)?)),
        _ => None,
    }
}

/// The attribute path of a name, dotted name, `attributes[...]` or `metadata[...]` chain.
fn attribute_path(node: &Node) -> Result<Vec<Key>, FilterError> {
    match &node.syntax {
        Syntax::Name(name) if name == "attributes" => Ok(Vec::new()),
        Syntax::Name(name) => Ok(vec![Key::Name(name.clone())]),
        Syntax::Attr(base, part) => {
            let mut path = attribute_path(base)?;
            path.push(match part.parse::<i64>() {
                Ok(index) => Key::Index(index),
                Err(_) => Key::Name(part.clone()),
            });
            Ok(path)
        }
        Syntax::Index(base, key) => {
            let mut path = attribute_path(base)?;
            let keys = match &key.syntax {
                Syntax::List(items) => items.iter().collect(),
                _ => vec![key.as_ref()],
            };
            for key in keys {
                path.push(match &key.syntax {
                    Syntax::Str(name) => Key::Name(name.clone()),
                    Syntax::Num(n) if n.fract() == 0.0 => Key::Index(*n as i64),
                    _ => {
                        return Err(FilterError::new(
                            key.at,
                            "expected a quoted key or a whole number in brackets".to_owned(),
                        ));
                    }
                });
            }
            Ok(path)
        }
        _ => Err(FilterError::new(
            node.at,
            "expected a name, an attribute path or a value".to_owned(),
        )),
    }
}

/// The choice closest to `given`, if it is close (one edit or a shared prefix of 3).
fn suggestion<'a>(given: &str, choices: &[&'a str]) -> Option<&'a str> {
    choices.iter().copied().find(|choice| {
        let common = given
            .chars()
            .zip(choice.chars())
            .take_while(|(a, b)| a == b)
            .count();
        common >= 3 || edit_distance(given, choice) <= 1
    })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A filter bound to an arena.
pub struct Matcher<'a> {
    filter: &'a Filter,
    arena: &'a Arena,
    /// Prices the spans' calls for costs, one for every trace tested (a cell: spans are
    /// tested through shared borrows).
    pricer: RefCell<CallPricer<'a>>,
    /// Per attribute slot: the flat keys present in the arena, longest first, and the segments
    /// each covers.
    keys: Vec<Vec<(StrId, usize)>>,
    /// Per evaluation slot: its name's id (none when no string of the arena is that name).
    eval_names: Vec<Option<StrId>>,
}

impl<'a> Matcher<'a> {
    /// The filter over one trace (whose descendants' tokens and costs it may need).
    pub fn trace<'m>(&'m self, trace: &'m Trace) -> TraceMatcher<'m, 'a> {
        let cumulative = match self.filter.uses_cumulative {
            true => cumulative_sums(
                self.arena,
                trace,
                self.filter.uses_cumulative_cost.then_some(&self.pricer),
            ),
            false => Vec::new(),
        };
        TraceMatcher {
            matcher: self,
            trace,
            cumulative,
        }
    }
}

/// What a span's subtree's counted calls add up to (`analysis::mark_sums`: a span that repeats
/// its calls' sum is not counted with them).
#[derive(Clone, Copy, Debug, Default)]
struct Cumulative {
    input: u64,
    output: u64,
    total: u64,
    /// What the calls with a cost cost; `None` when none has one.
    cost: Option<Usd>,
}

/// Each row's subtree's sums; their costs only with `pricer`.
fn cumulative_sums(
    arena: &Arena,
    trace: &Trace,
    pricer: Option<&RefCell<CallPricer>>,
) -> Vec<Cumulative> {
    let tree = &trace.tree;
    let spans = arena.spans();
    let mut pricer = pricer.map(RefCell::borrow_mut);
    let mut sums: Vec<Cumulative> = (0..tree.len())
        .map(
            |row| match crate::analysis::counted_call(arena, tree, row) {
                Some(call) => {
                    let at = spans[tree.span[row] as usize].start_unix_nanos;
                    Cumulative {
                        input: call.usage.count(TokenKind::Input),
                        output: call.usage.count(TokenKind::Output),
                        total: call.usage.total().unwrap_or(0),
                        cost: (pricer.as_mut())
                            .and_then(|pricer| pricer.cost(call, at))
                            .map(|c| c.usd),
                    }
                }
                None => Cumulative::default(),
            },
        )
        .collect();
    // Children come after their parent in pre-order: add each row to its parent, last first.
    for row in (0..tree.len()).rev() {
        let parent = tree.parent[row];
        if parent != crate::analysis::NO_ROW {
            let child = sums[row];
            let sum = &mut sums[parent as usize];
            sum.input = sum.input.saturating_add(child.input);
            sum.output = sum.output.saturating_add(child.output);
            sum.total = sum.total.saturating_add(child.total);
            sum.cost = match (sum.cost, child.cost) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or_default() + b.unwrap_or_default()),
            };
        }
    }
    sums
}

/// A filter over one trace's rows.
pub struct TraceMatcher<'m, 'a> {
    matcher: &'m Matcher<'a>,
    trace: &'m Trace,
    cumulative: Vec<Cumulative>,
}

impl TraceMatcher<'_, '_> {
    /// Whether the filter is true for the span in this tree row.
    pub fn matches(&self, row: u32) -> bool {
        let Some(&index) = self.trace.tree.span.get(row as usize) else {
            return false;
        };
        let subject = Subject {
            matcher: self.matcher,
            span: &self.matcher.arena.spans()[index as usize],
            cumulative: self.cumulative.get(row as usize).copied(),
        };
        subject.holds(&self.matcher.filter.condition) == Some(true)
    }
}

/// One span under test.
struct Subject<'s, 'a> {
    matcher: &'s Matcher<'a>,
    span: &'a Span,
    cumulative: Option<Cumulative>,
}

/// An attribute's value: as stored (text apart), or found inside a stored value.
enum Found<'a> {
    /// Not text: that is [`Found::Text`].
    Stored(AnyValue),
    Nested(Value),
    Text(&'a str),
}

impl<'s, 'a> Subject<'s, 'a> {
    /// Three-valued: `None` is SQL's unknown.
    fn holds(&self, cond: &Cond) -> Option<bool> {
        match cond {
            Cond::Const(value) => Some(*value),
            Cond::And(items) => self.junction(items, false),
            Cond::Or(items) => self.junction(items, true),
            Cond::Not(inner) => self.holds(inner).map(|b| !b),
            Cond::Compare(a, order, b, mode) => {
                let ordering = self.compare(a, b, *mode)?;
                Some(order.holds(ordering))
            }
            Cond::IsNull(term, is_null) => Some(self.is_null(term) == *is_null),
            Cond::Contains(needle, haystack, finder) => {
                let haystack = self.text(haystack)?;
                match finder {
                    Some(finder) => Some(finder.find(haystack.as_bytes()).is_some()),
                    None => Some(haystack.contains(self.text(needle)?.as_ref())),
                }
            }
            Cond::InList(item, list, mode) => {
                let mut result = Some(false);
                for element in list {
                    match self.compare(item, element, *mode) {
                        Some(Ordering::Equal) => return Some(true),
                        None => result = None,
                        Some(_) => {}
                    }
                }
                result
            }
            Cond::HasEval(slot) => Some(self.evaluation(*slot).is_some()),
        }
    }

    /// `and` (decided by a `false`) or `or` (decided by a `true`): the deciding value as soon as
    /// an item has it; else unknown if an item was, else the other value.
    fn junction(&self, items: &[Cond], decisive: bool) -> Option<bool> {
        let mut result = Some(!decisive);
        for item in items {
            match self.holds(item) {
                Some(value) if value == decisive => return Some(decisive),
                None => result = None,
                Some(_) => {}
            }
        }
        result
    }

    fn compare(&self, a: &Term, b: &Term, mode: Mode) -> Option<Ordering> {
        match mode {
            Mode::Number => self.number(a)?.partial_cmp(&self.number(b)?),
            Mode::Text => Some(self.text(a)?.as_ref().cmp(self.text(b)?.as_ref())),
        }
    }

    fn is_null(&self, term: &Term) -> bool {
        match term.is_number() {
            true => self.number(term).is_none(),
            false => self.text(term).is_none(),
        }
    }

    /// The span's own cost, or a part of it (a part it has none of is unknown).
    fn cost(&self, part: CostPart) -> Option<f64> {
        let arena = self.matcher.arena;
        let call = arena.call(self.span)?;
        let at = self.span.start_unix_nanos;
        let cost = self.matcher.pricer.borrow_mut().cost(call, at)?;
        match part {
            CostPart::Total => Some(cost.usd.dollars()),
            CostPart::Input => cost
                .parts
                .map(|p| (p.input + p.cached_input + p.cache_write).dollars()),
            CostPart::Output => cost.parts.map(|p| p.output.dollars()),
        }
    }

    /// The span's evaluation of the slot's name; the last loaded wins, as a later file's
    /// evaluation replaces an earlier one.
    fn evaluation(&self, slot: usize) -> Option<&'a Evaluation> {
        let name = self.matcher.eval_names[slot]?;
        let arena = self.matcher.arena;
        arena
            .evaluations_of_span(self.span.span_id)
            .rev()
            .find(|e| matches!(e.target, EvalTarget::Span(_)) && e.name == name)
    }

    fn text(&self, term: &Term) -> Option<Cow<'a, str>> {
        let arena = self.matcher.arena;
        let span = self.span;
        Some(match term {
            Term::Field(field) => match field {
                Field::SpanId => Cow::Owned(span.span_id.to_string()),
                Field::TraceId => Cow::Owned(span.trace_id.to_string()),
                Field::ParentId => Cow::Owned(span.parent_span_id?.to_string()),
                Field::Kind => Cow::Borrowed(span.oi_kind.name()),
                Field::Name => Cow::Borrowed(arena.str(span.name)),
                Field::Status => Cow::Borrowed(span.status_code.short_name()),
                Field::StatusMessage => Cow::Borrowed(arena.str(span.status_message)),
                // Counts are integers, written as such (`str(llm.token_count.total)`).
                Field::Tokens(kind) => Cow::Owned(arena.call(span)?.usage.get(*kind)?.to_string()),
                _ => Cow::Owned(number_text(self.number(term)?)),
            },
            Term::Attribute(slot) => match self.attribute(*slot)? {
                Found::Text(text) => Cow::Borrowed(text),
                Found::Stored(value) => Cow::Owned(value_text(&value_from_any(arena, value))?),
                Found::Nested(value) => Cow::Owned(value_text(&value)?),
            },
            Term::Eval(slot, part) => {
                let evaluation = self.evaluation(*slot)?;
                match part {
                    EvalPart::Label => Cow::Borrowed(arena.str(evaluation.label?)),
                    EvalPart::Explanation => Cow::Borrowed(arena.str(evaluation.explanation?)),
                    EvalPart::Score => Cow::Owned(number_text(evaluation.score?)),
                }
            }
            Term::Text(text) => Cow::Owned(text.clone()),
            Term::Null => return None,
            Term::Concat(a, b) => Cow::Owned(format!("{}{}", self.text(a)?, self.text(b)?)),
            Term::AsText(inner) => self.text(inner)?,
            Term::Number(_) | Term::Arith(..) | Term::Neg(_) | Term::AsNumber(_) => {
                Cow::Owned(number_text(self.number(term)?))
            }
        })
    }

    fn number(&self, term: &Term) -> Option<f64> {
        let span = self.span;
        match term {
            Term::Field(field) => match field {
                Field::LatencyMs => {
                    (!span.is_unfinished()).then(|| span.duration_nanos() as f64 / 1e6)
                }
                Field::CumulativePrompt => self.cumulative.map(|c| c.input as f64),
                Field::CumulativeCompletion => self.cumulative.map(|c| c.output as f64),
                Field::CumulativeTotal => self.cumulative.map(|c| c.total as f64),
                Field::CumulativeCost => self.cumulative?.cost.map(Usd::dollars),
                Field::Tokens(kind) => {
                    let call = self.matcher.arena.call(span)?;
                    call.usage.get(*kind).map(|n| n as f64)
                }
                Field::Cost(part) => self.cost(*part),
                Field::StartTime => Some(span.start_unix_nanos as f64),
                Field::EndTime => (!span.is_unfinished()).then_some(span.end_unix_nanos as f64),
                _ => parse_number(&self.text(term)?),
            },
            Term::Attribute(slot) => match self.attribute(*slot)? {
                Found::Stored(value) => match value {
                    AnyValue::Int(n) => Some(n as f64),
                    AnyValue::Double(x) => Some(x),
                    AnyValue::Bool(b) => Some(f64::from(u8::from(b))),
                    _ => None,
                },
                Found::Nested(value) => value_number(&value),
                Found::Text(text) => parse_number(text),
            },
            Term::Eval(slot, EvalPart::Score) => self.evaluation(*slot)?.score,
            Term::Number(value) => Some(*value),
            Term::Arith(a, op, b) => {
                let (a, b) = (self.number(a)?, self.number(b)?);
                let value = match op {
                    Arith::Add => a + b,
                    Arith::Sub => a - b,
                    Arith::Mul => a * b,
                    // SQL: division by zero is null.
                    Arith::Div => (b != 0.0).then(|| a / b)?,
                    Arith::Rem => (b != 0.0).then(|| a % b)?,
                };
                Some(value)
            }
            Term::Neg(inner) => Some(-self.number(inner)?),
            Term::AsNumber(inner) => parse_number(&self.text(inner)?),
            Term::Null => None,
            Term::Eval(..) | Term::Text(_) | Term::Concat(..) | Term::AsText(_) => {
                parse_number(&self.text(term)?)
            }
        }
    }

    /// The value at an attribute path: the longest flat key present, then inside its value.
    fn attribute(&self, slot: usize) -> Option<Found<'a>> {
        let arena = self.matcher.arena;
        let path = &self.matcher.filter.attributes[slot].path;
        for &(key, covered) in &self.matcher.keys[slot] {
            let Some(value) = arena.attribute(self.span.attributes, key) else {
                continue;
            };
            if covered == path.len() {
                return match value {
                    AnyValue::Empty => None,
                    AnyValue::Str(id) => Some(Found::Text(arena.str(id))),
                    other => Some(Found::Stored(other)),
                };
            }
            let stored = load_json_string(arena.str(key), value_from_any(arena, value))?;
            if let Some(found) = descend(stored, &path[covered..]) {
                return Some(Found::Nested(found));
            }
        }
        None
    }
}

/// Follows `path` into a nested value (maps by key, arrays by index); a map's keys may hold
/// dots themselves, so the longest matching run of segments is tried first.
fn descend(value: Value, path: &[Key]) -> Option<Value> {
    if path.is_empty() {
        return (value != Value::Null).then_some(value);
    }
    match value {
        Value::Array(mut items) => {
            let Key::Index(index) = path[0] else {
                return None;
            };
            let index = usize::try_from(index).ok().filter(|&i| i < items.len())?;
            descend(items.swap_remove(index), &path[1..])
        }
        Value::Map(map) => (1..=path.len()).rev().find_map(|n| {
            let key: Vec<Cow<str>> = path[..n].iter().map(Key::text).collect();
            let inner = map.get(&key.join("."))?.clone();
            descend(inner, &path[n..])
        }),
        _ => None,
    }
}

/// A value as text, as Phoenix's casts give it: strings as they are, others as JSON.
fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Str(text) => Some(text.clone()),
        other => serde_json::to_string(other).ok(),
    }
}

fn value_number(value: &Value) -> Option<f64> {
    match value {
        Value::Int(n) => Some(*n as f64),
        Value::Double(x) => Some(*x),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Str(text) => parse_number(text),
        _ => None,
    }
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok()
}

fn number_text(value: f64) -> String {
    crate::attributes::python_float_repr(value)
}

#[cfg(test)]
mod tests;
