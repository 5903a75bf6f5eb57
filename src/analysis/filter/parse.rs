//! The filter language's syntax: the subset of Python expressions Phoenix's span filters use,
//! read into a [`Node`] tree with the character position of every node (for error messages).
//!
//! Precedence, loosest first, as in Python: `or`, `and`, `not`, comparisons (chained, with
//! `in`, `not in`, `is`, `is not`), `+ -`, `* / %`, unary `- +`, then `.name`, `[key]` and
//! `(args)` after an atom. One leniency over Python: a dotted name may have number segments
//! (`retrieval.documents.0.document.content`).

use super::FilterError;

/// A parsed expression and where it starts (0-based character position).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Node {
    pub at: usize,
    pub syntax: Syntax,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Syntax {
    Name(String),
    Str(String),
    Num(f64),
    Bool(bool),
    None,
    List(Vec<Node>),
    /// `base.name`
    Attr(Box<Node>, String),
    /// `base[key]`
    Index(Box<Node>, Box<Node>),
    /// `function(args)`
    Call(Box<Node>, Vec<Node>),
    Neg(Box<Node>),
    Arith(Box<Node>, Arith, Box<Node>),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    /// `first op1 second op2 third …`
    Compare(Box<Node>, Vec<(Cmp, Node)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Name(String),
    Str(String),
    Num(f64),
    /// Punctuation and operators: `( ) [ ] , . + - * / % == != < <= > >=`.
    Op(&'static str),
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Name(name) => format!("`{name}`"),
            Token::Str(_) => "a string".into(),
            Token::Num(_) => "a number".into(),
            Token::Op(op) => format!("`{op}`"),
            Token::End => "the end".into(),
        }
    }
}

const OPERATORS: [&str; 17] = [
    "==", "!=", "<=", ">=", "<", ">", "(", ")", "[", "]", ",", ".", "+", "-", "*", "/", "%",
];

/// Splits `text` into tokens with their character positions.
fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens: Vec<(usize, Token)> = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        let start = at;
        // After `name.`, a segment may be a number: `documents.0.document`.
        let after_dot = matches!(tokens.last(), Some((_, Token::Op("."))));
        if c.is_whitespace() {
            at += 1;
            continue;
        }
        if c.is_alphabetic() || c == '_' || (after_dot && c.is_ascii_digit()) {
            while at < chars.len() && (chars[at].is_alphanumeric() || chars[at] == '_') {
                at += 1;
            }
            tokens.push((start, Token::Name(chars[start..at].iter().collect())));
            continue;
        }
        // `.5` is a number, but `documents.0` is a path.
        let after_value = matches!(
            tokens.last(),
            Some((_, Token::Name(_) | Token::Op(")" | "]")))
        );
        if c.is_ascii_digit()
            || (c == '.' && !after_value && chars.get(at + 1).is_some_and(char::is_ascii_digit))
        {
            at = number_end(&chars, at);
            let literal: String = chars[start..at].iter().filter(|&&c| c != '_').collect();
            let value = literal
                .parse::<f64>()
                .map_err(|_| FilterError::new(start, format!("`{literal}` is not a number")))?;
            tokens.push((start, Token::Num(value)));
            continue;
        }
        if c == '\'' || c == '"' {
            let (value, end) = string_literal(&chars, at)?;
            at = end;
            tokens.push((start, Token::Str(value)));
            continue;
        }
        let rest: String = chars[at..chars.len().min(at + 2)].iter().collect();
        match OPERATORS.iter().find(|op| rest.starts_with(*op)) {
            Some(op) => {
                at += op.len();
                tokens.push((start, Token::Op(op)));
            }
            None if c == '=' => {
                return Err(FilterError::new(
                    start,
                    "`=` is not a comparison: use `==`".to_owned(),
                ));
            }
            None => {
                return Err(FilterError::new(
                    start,
                    format!("unexpected character `{c}`"),
                ));
            }
        }
    }
    tokens.push((chars.len(), Token::End));
    Ok(tokens)
}

/// Where a number literal starting at `at` ends: digits, `_`, one `.`, an exponent.
fn number_end(chars: &[char], mut at: usize) -> usize {
    let digits = |at: &mut usize| {
        while chars
            .get(*at)
            .is_some_and(|c| c.is_ascii_digit() || *c == '_')
        {
            *at += 1;
        }
    };
    digits(&mut at);
    if chars.get(at) == Some(&'.') {
        at += 1;
        digits(&mut at);
    }
    if matches!(chars.get(at), Some('e' | 'E')) {
        let mut exponent = at + 1;
        if matches!(chars.get(exponent), Some('+' | '-')) {
            exponent += 1;
        }
        if chars.get(exponent).is_some_and(char::is_ascii_digit) {
            at = exponent;
            digits(&mut at);
        }
    }
    at
}

/// A quoted string starting at `at`: its value and the position after the closing quote.
fn string_literal(chars: &[char], at: usize) -> Result<(String, usize), FilterError> {
    let quote = chars[at];
    let mut value = String::new();
    let mut i = at + 1;
    loop {
        match chars.get(i) {
            None => {
                return Err(FilterError::new(
                    at,
                    format!("this string has no closing {quote}"),
                ));
            }
            Some(&c) if c == quote => return Ok((value, i + 1)),
            Some('\\') => {
                let escaped = chars.get(i + 1).copied();
                match escaped {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('r') => value.push('\r'),
                    Some('0') => value.push('\0'),
                    Some(c @ ('\\' | '\'' | '"')) => value.push(c),
                    // Python keeps unknown escapes as written.
                    Some(c) => {
                        value.push('\\');
                        value.push(c);
                    }
                    // A backslash last: the string is not closed (reported above).
                    None => {
                        i += 1;
                        continue;
                    }
                }
                i += 2;
            }
            Some(&c) => {
                value.push(c);
                i += 1;
            }
        }
    }
}

/// Parses a whole expression.
pub(super) fn parse(text: &str) -> Result<Node, FilterError> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        next: 0,
    };
    if parser.peek() == &Token::End {
        return Err(FilterError::new(0, "the filter is empty".to_owned()));
    }
    let node = parser.or()?;
    match parser.peek() {
        Token::End => Ok(node),
        token => Err(FilterError::new(
            parser.position(),
            format!(
                "expected `and`, `or` or the end, found {}",
                token.describe()
            ),
        )),
    }
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
}

/// Names that are words of the language, not attribute names.
const KEYWORDS: [&str; 8] = ["and", "or", "not", "in", "is", "None", "True", "False"];

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.next].1
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        let last = self.tokens.len() - 1;
        &self.tokens[(self.next + ahead).min(last)].1
    }

    fn position(&self) -> usize {
        self.tokens[self.next].0
    }

    fn bump(&mut self) -> (usize, Token) {
        let token = self.tokens[self.next].clone();
        if self.next + 1 < self.tokens.len() {
            self.next += 1;
        }
        token
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Token::Name(name) if name == word)
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Token::Op(o) if *o == op)
    }

    fn expect_op(&mut self, op: &str, what: &str) -> Result<(), FilterError> {
        if self.is_op(op) {
            self.bump();
            return Ok(());
        }
        Err(self.expected(what))
    }

    fn expected(&self, what: &str) -> FilterError {
        FilterError::new(
            self.position(),
            format!("expected {what}, found {}", self.peek().describe()),
        )
    }

    fn or(&mut self) -> Result<Node, FilterError> {
        self.joined("or", Self::and, Syntax::Or)
    }

    fn and(&mut self) -> Result<Node, FilterError> {
        self.joined("and", Self::not, Syntax::And)
    }

    /// `item (word item)*`: one item as it is, more joined.
    fn joined(
        &mut self,
        word: &str,
        item: fn(&mut Self) -> Result<Node, FilterError>,
        join: fn(Vec<Node>) -> Syntax,
    ) -> Result<Node, FilterError> {
        let at = self.position();
        let mut items = vec![item(self)?];
        while self.is_word(word) {
            self.bump();
            items.push(item(self)?);
        }
        Ok(match items.len() {
            1 => items.remove(0),
            _ => Node {
                at,
                syntax: join(items),
            },
        })
    }

    fn not(&mut self) -> Result<Node, FilterError> {
        if self.is_word("not") {
            let (at, _) = self.bump();
            let inner = self.not()?;
            return Ok(Node {
                at,
                syntax: Syntax::Not(Box::new(inner)),
            });
        }
        self.comparison()
    }

    fn comparison_operator(&mut self) -> Option<Cmp> {
        let op = match self.peek() {
            Token::Op("==") => Cmp::Eq,
            Token::Op("!=") => Cmp::Ne,
            Token::Op("<") => Cmp::Lt,
            Token::Op("<=") => Cmp::Le,
            Token::Op(">") => Cmp::Gt,
            Token::Op(">=") => Cmp::Ge,
            Token::Name(w) if w == "in" => Cmp::In,
            Token::Name(w) if w == "not" && self.peek_at(1) == &Token::Name("in".into()) => {
                self.bump();
                Cmp::NotIn
            }
            Token::Name(w) if w == "is" => {
                if self.peek_at(1) == &Token::Name("not".into()) {
                    self.bump();
                    Cmp::IsNot
                } else {
                    Cmp::Is
                }
            }
            _ => return None,
        };
        self.bump();
        Some(op)
    }

    fn comparison(&mut self) -> Result<Node, FilterError> {
        let first = self.sum()?;
        let mut rest = Vec::new();
        while let Some(op) = self.comparison_operator() {
            rest.push((op, self.sum()?));
        }
        Ok(match rest.is_empty() {
            true => first,
            false => Node {
                at: first.at,
                syntax: Syntax::Compare(Box::new(first), rest),
            },
        })
    }

    fn sum(&mut self) -> Result<Node, FilterError> {
        self.arithmetic(&[("+", Arith::Add), ("-", Arith::Sub)], Self::product)
    }

    fn product(&mut self) -> Result<Node, FilterError> {
        let ops = [("*", Arith::Mul), ("/", Arith::Div), ("%", Arith::Rem)];
        self.arithmetic(&ops, Self::unary)
    }

    /// `operand (op operand)*` for one precedence level, left to right.
    fn arithmetic(
        &mut self,
        ops: &[(&str, Arith)],
        operand: fn(&mut Self) -> Result<Node, FilterError>,
    ) -> Result<Node, FilterError> {
        let mut left = operand(self)?;
        while let Some(&(_, op)) = ops.iter().find(|(symbol, _)| self.is_op(symbol)) {
            self.bump();
            let right = operand(self)?;
            left = Node {
                at: left.at,
                syntax: Syntax::Arith(Box::new(left), op, Box::new(right)),
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Node, FilterError> {
        match self.peek() {
            Token::Op("-") => {
                let (at, _) = self.bump();
                let inner = self.unary()?;
                Ok(Node {
                    at,
                    syntax: Syntax::Neg(Box::new(inner)),
                })
            }
            Token::Op("+") => {
                self.bump();
                self.unary()
            }
            _ => self.postfix(),
        }
    }

    fn postfix(&mut self) -> Result<Node, FilterError> {
        let mut node = self.atom()?;
        loop {
            if self.is_op(".") {
                self.bump();
                let at = self.position();
                match self.bump() {
                    (_, Token::Name(name)) => {
                        node = Node {
                            at: node.at,
                            syntax: Syntax::Attr(Box::new(node), name),
                        }
                    }
                    (_, token) => {
                        return Err(FilterError::new(
                            at,
                            format!("expected a name after `.`, found {}", token.describe()),
                        ));
                    }
                }
            } else if self.is_op("[") {
                self.bump();
                let key = self.or()?;
                self.expect_op("]", "`]`")?;
                node = Node {
                    at: node.at,
                    syntax: Syntax::Index(Box::new(node), Box::new(key)),
                };
            } else if self.is_op("(") {
                self.bump();
                let args = self.items(")")?;
                node = Node {
                    at: node.at,
                    syntax: Syntax::Call(Box::new(node), args),
                };
            } else {
                return Ok(node);
            }
        }
    }

    /// Comma-separated expressions up to `close` (consumed); a trailing comma is allowed.
    fn items(&mut self, close: &str) -> Result<Vec<Node>, FilterError> {
        let mut items = Vec::new();
        loop {
            if self.is_op(close) {
                self.bump();
                return Ok(items);
            }
            items.push(self.or()?);
            if self.is_op(",") {
                self.bump();
            } else if !self.is_op(close) {
                return Err(self.expected(&format!("`,` or `{close}`")));
            }
        }
    }

    fn atom(&mut self) -> Result<Node, FilterError> {
        let at = self.position();
        let syntax = match self.peek().clone() {
            Token::Name(name) => match name.as_str() {
                "True" => Syntax::Bool(true),
                "False" => Syntax::Bool(false),
                "None" => Syntax::None,
                word if KEYWORDS.contains(&word) => {
                    return Err(self.expected("a name, a string or a number"));
                }
                _ => Syntax::Name(name),
            },
            Token::Str(mut value) => {
                // Adjacent strings concatenate, as in Python.
                while let Token::Str(more) = self.peek_at(1) {
                    value.push_str(more);
                    self.bump();
                }
                Syntax::Str(value)
            }
            Token::Num(value) => Syntax::Num(value),
            Token::Op("(") => {
                self.bump();
                let mut items = self.items(")")?;
                return match items.len() {
                    // `(a)` is `a`; `(a, b)` is a tuple, used like a list.
                    1 if !self.tokens[self.next - 2].1.eq(&Token::Op(",")) => Ok(items.remove(0)),
                    0 => Err(FilterError::new(at, "empty parentheses".to_owned())),
                    _ => Ok(Node {
                        at,
                        syntax: Syntax::List(items),
                    }),
                };
            }
            Token::Op("[") => {
                self.bump();
                let items = self.items("]")?;
                return Ok(Node {
                    at,
                    syntax: Syntax::List(items),
                });
            }
            _ => return Err(self.expected("a name, a string or a number")),
        };
        self.bump();
        Ok(Node { at, syntax })
    }
}
