//! Redaction: what must not leave the page (or the machine) taken out of spans before they are
//! written: built-in rules for emails, phone numbers, payment cards, IP addresses, API keys and
//! tokens, and attributes whose key says they hold a secret; attribute keys dropped whole.
//!
//! It works on OTLP/JSON ([`Redactor::otlp_json`]), the one form every writer can be fed from:
//! names, attribute values (and JSON inside string values, e.g. `input.value`), events, links,
//! resources, scopes and log records alike. Replacements are consistent: the same email is
//! `[email-1]` everywhere in what one redactor wrote, so the trace still reads.

pub mod job;
mod scan;

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::export::{self, Target};
use crate::model::{Arena, LogRecord};

pub use scan::{Found, find, luhn};

/// A built-in rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// API keys and tokens of the common shapes (`sk-…`, `AKIA…`, `ghp_…`, `xox?-…`, JWTs,
    /// `Bearer …`).
    Key,
    /// Email addresses.
    Email,
    /// Payment card numbers that pass the Luhn check.
    Card,
    /// IPv4 and IPv6 addresses.
    Ip,
    /// Phone numbers.
    Phone,
    /// The whole value of an attribute whose key says it holds a secret (`*authorization*`,
    /// `*api_key*`, `*password*`, `*secret*`, `*cookie*`, `*token*`).
    SecretKey,
}

impl Rule {
    /// Every built-in rule, in the order they are tried at one place.
    pub const ALL: [Rule; 6] = [
        Rule::SecretKey,
        Rule::Key,
        Rule::Email,
        Rule::Card,
        Rule::Ip,
        Rule::Phone,
    ];

    /// What its replacements are called (`[email-1]`).
    pub fn label(self) -> &'static str {
        match self {
            Rule::Key => "key",
            Rule::Email => "email",
            Rule::Card => "card",
            Rule::Ip => "ip",
            Rule::Phone => "phone",
            Rule::SecretKey => "secret",
        }
    }
}

/// What to redact: the rules file `plume convert --redact RULES` reads (JSON), and what the page
/// keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// The built-in rules applied.
    #[serde(default = "all_rules")]
    pub rules: Vec<Rule>,
    /// Attribute keys dropped whole: exact keys, or patterns where `*` stands for any part of
    /// a key (`llm.input_messages.*.message.content`).
    #[serde(default)]
    pub drop_keys: Vec<String>,
    /// The user's own: what a regular expression matches is replaced by `[name-1]`.
    #[serde(default)]
    pub patterns: Vec<Pattern>,
}

/// A rule of the user's: a regular expression (Rust's syntax, as `regex-lite` reads it) and
/// the name its replacements carry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// What its replacements are called (`ticket` → `[ticket-1]`).
    pub name: String,
    /// The regular expression.
    pub regex: String,
}

/// Regular expressions longer than this are refused (they are compiled in the page's engine).
const MAX_PATTERN: usize = 1_000;

fn all_rules() -> Vec<Rule> {
    Rule::ALL.to_vec()
}

impl Default for Rules {
    /// Every built-in rule, no key dropped, no pattern of the user's.
    fn default() -> Self {
        Self {
            rules: all_rules(),
            drop_keys: Vec::new(),
            patterns: Vec::new(),
        }
    }
}

impl Rules {
    /// A rules file, or what is wrong with it.
    pub fn read(json: &str) -> Result<Self, String> {
        let rules: Self = serde_json::from_str(json)
            .map_err(|error| format!("the redaction rules do not read: {error}"))?;
        rules.compiled().map(|_| rules)
    }

    /// As a rules file.
    pub fn write(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The user's patterns compiled, or which one does not read and why.
    fn compiled(&self) -> Result<Vec<(String, regex_lite::Regex)>, String> {
        (self.patterns.iter())
            .map(|pattern| {
                let name = pattern.name.trim();
                let taken = Rule::ALL.iter().any(|rule| rule.label() == name)
                    || (self.patterns.iter())
                        .filter(|p| p.name.trim() == name)
                        .count()
                        > 1;
                if taken {
                    return Err(format!(
                        "the pattern name {name} is taken: give each its own"
                    ));
                }
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                {
                    return Err(format!(
                        "the pattern name {name:?} is not a word (letters, digits, - and _)"
                    ));
                }
                if pattern.regex.len() > MAX_PATTERN {
                    return Err(format!(
                        "the pattern {name} is longer than {MAX_PATTERN} characters"
                    ));
                }
                let regex = regex_lite::RegexBuilder::new(&pattern.regex)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|error| format!("the pattern {name} does not read: {error}"))?;
                Ok((name.to_owned(), regex))
            })
            .collect()
    }

    /// What these rules take out, in a few words (`key, email, card; 2 keys dropped`): what a
    /// share file says it was redacted with.
    pub fn describe(&self) -> String {
        let rules: Vec<&str> = (self.rules.iter().map(|rule| rule.label()))
            .chain(self.patterns.iter().map(|p| p.name.as_str()))
            .collect();
        let mut said = match rules.is_empty() {
            true => "no built-in rule".to_owned(),
            false => rules.join(", "),
        };
        match self.drop_keys.len() {
            0 => {}
            1 => said.push_str(&format!("; attribute {} dropped", self.drop_keys[0])),
            n => said.push_str(&format!("; {n} attribute patterns dropped")),
        }
        said
    }

    fn drops(&self, key: &str) -> bool {
        self.drop_keys
            .iter()
            .any(|pattern| matches_pattern(pattern, key))
    }

    fn secret_key(&self, key: &str) -> bool {
        const SECRET: [&str; 7] = [
            "authorization",
            "api_key",
            "apikey",
            "api-key",
            "password",
            "secret",
            "cookie",
        ];
        let key = key.to_ascii_lowercase();
        self.rules.contains(&Rule::SecretKey)
            && (SECRET.iter().any(|word| key.contains(word))
                || key
                    .rsplit(['.', '_', '-'])
                    .next()
                    .is_some_and(|last| last == "token"))
    }
}

/// Whether `key` matches `pattern`, whose `*` stands for any run of characters.
fn matches_pattern(pattern: &str, key: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = key.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// Applies [`Rules`] with consistent replacements, counting what each rule changed.
#[derive(Debug, Default)]
pub struct Redactor {
    rules: Rules,
    /// The user's patterns, compiled (those that read).
    patterns: Vec<(String, regex_lite::Regex)>,
    /// Each secret seen, by its rule's label, and its number.
    seen: HashMap<(String, String), usize>,
    /// How many of each rule's secrets were seen.
    numbers: HashMap<String, usize>,
    /// Values changed, by rule label (`email`, a pattern's name).
    pub changed: HashMap<String, usize>,
    /// Attributes dropped by key.
    pub dropped: usize,
    /// What a preview shows: by rule label, the spans (or log records) changed and a few
    /// examples; kept only when asked ([`Redactor::previewing`]).
    preview: Option<HashMap<String, Seen>>,
    /// The span (or log record) being redacted, counted from 0.
    item: Option<usize>,
    items: usize,
}

/// What one rule changed, for a preview.
#[derive(Debug, Default)]
struct Seen {
    items: std::collections::BTreeSet<usize>,
    examples: Vec<(String, String)>,
}

/// What rules would change, per rule, for the page to show before anything leaves.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// Per rule that found something, in the order rules are tried.
    pub rules: Vec<RulePreview>,
    /// Attributes dropped by key.
    pub dropped: u64,
    /// Spans (and log records) looked at.
    pub spans: u64,
}

/// What one rule would change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RulePreview {
    /// Its label (`email`, a pattern's name).
    pub rule: String,
    /// Values it changes.
    pub values: u64,
    /// In how many spans (or log records).
    pub spans: u64,
    /// A few of them: the text around, before → after.
    pub examples: Vec<(String, String)>,
}

/// Examples kept per rule.
const EXAMPLES: usize = 3;

impl Redactor {
    /// A redactor applying `rules` (rules with a pattern that does not read apply none of their
    /// patterns: check them with [`Rules::read`] first, as every caller does).
    pub fn new(rules: Rules) -> Self {
        let patterns = rules.compiled().unwrap_or_default();
        Self {
            rules,
            patterns,
            ..Self::default()
        }
    }

    /// This redactor, keeping what a [`Preview`] shows.
    pub fn previewing(mut self) -> Self {
        self.preview = Some(HashMap::new());
        self
    }

    /// What it changed, per rule (spans and examples only when [`Redactor::previewing`]).
    pub fn preview(&self) -> Preview {
        let order: Vec<String> = (Rule::ALL.iter().map(|r| r.label().to_owned()))
            .chain(self.patterns.iter().map(|(name, _)| name.clone()))
            .collect();
        let seen = self.preview.as_ref();
        Preview {
            rules: order
                .into_iter()
                .filter_map(|label| {
                    let values = *self.changed.get(&label)? as u64;
                    let seen = seen.and_then(|s| s.get(&label));
                    Some(RulePreview {
                        spans: seen.map_or(0, |s| s.items.len() as u64),
                        examples: seen.map(|s| s.examples.clone()).unwrap_or_default(),
                        rule: label,
                        values,
                    })
                })
                .collect(),
            dropped: self.dropped as u64,
            spans: self.items as u64,
        }
    }

    fn replacement(&mut self, label: &str, secret: &str) -> String {
        let next = self.numbers.entry(label.to_owned()).or_default();
        let number = *self
            .seen
            .entry((label.to_owned(), secret.to_owned()))
            .or_insert_with(|| {
                *next += 1;
                *next
            });
        *self.changed.entry(label.to_owned()).or_default() += 1;
        format!("[{label}-{number}]")
    }

    /// Notes, for a preview, that `label` changed `before` into `after` in the current item.
    fn saw(&mut self, label: &str, before: &str, after: &str) {
        let (Some(preview), item) = (self.preview.as_mut(), self.item) else {
            return;
        };
        let seen = preview.entry(label.to_owned()).or_default();
        seen.items.extend(item);
        if seen.examples.len() < EXAMPLES {
            seen.examples.push((snippet(before), snippet(after)));
        }
    }

    /// `text` with its secrets replaced; JSON inside it (an object or array) is redacted as
    /// JSON, its keys read as attribute keys.
    pub fn text(&mut self, text: &str) -> String {
        if text.trim_start().starts_with(['{', '['])
            && let Ok(mut inner) = serde_json::from_str::<Value>(text)
        {
            self.json(&mut inner);
            return inner.to_string();
        }
        let found = self.found(text);
        if found.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        // Each rule's first find, in the text and in what replaced it: a preview's example.
        let mut firsts: Vec<(String, Range<usize>, Range<usize>)> = Vec::new();
        for (start, end, label) in found {
            out.push_str(&text[at..start]);
            let from = out.len();
            out.push_str(&self.replacement(&label, &text[start..end]));
            if !firsts.iter().any(|(l, ..)| *l == label) {
                firsts.push((label, start..end, from..out.len()));
            }
            at = end;
        }
        out.push_str(&text[at..]);
        for (label, found, made) in firsts {
            let (before, after) = (around(text, found), around(&out, made));
            self.saw(&label, &before, &after);
        }
        out
    }

    /// What the built-in rules and the user's patterns find in `text`, in order, none
    /// overlapping (a built-in rule's find wins over a pattern's).
    fn found(&self, text: &str) -> Vec<(usize, usize, String)> {
        let mut found: Vec<(usize, usize, String)> = find(text, &self.rules.rules)
            .into_iter()
            .map(|f| (f.start, f.end, f.rule.label().to_owned()))
            .collect();
        // `found` stays sorted and without overlaps: each hit is placed by a binary search.
        for (name, regex) in &self.patterns {
            for hit in regex.find_iter(text).filter(|m| !m.is_empty()) {
                let at = found.partition_point(|&(start, ..)| start < hit.start());
                let clear_before = at == 0 || found[at - 1].1 <= hit.start();
                let clear_after = found.get(at).is_none_or(|&(start, ..)| hit.end() <= start);
                if clear_before && clear_after {
                    found.insert(at, (hit.start(), hit.end(), name.clone()));
                }
            }
        }
        found
    }

    /// Any JSON: object keys are read as attribute keys (dropped, or their value a secret),
    /// strings redacted.
    fn json(&mut self, value: &mut Value) {
        match value {
            Value::String(text) => *text = self.text(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.json(item)),
            Value::Object(fields) => {
                let before = fields.len();
                fields.retain(|key, _| !self.rules.drops(key));
                self.dropped += before - fields.len();
                for (key, field) in fields.iter_mut() {
                    self.keyed(key, field);
                }
            }
            _ => {}
        }
    }

    /// The value of an attribute (or JSON field) named `key`.
    fn keyed(&mut self, key: &str, value: &mut Value) {
        if self.rules.secret_key(key) && !matches!(value, Value::Null | Value::Bool(_)) {
            let whole = value.to_string();
            let replaced = self.replacement(Rule::SecretKey.label(), &whole);
            self.saw(
                Rule::SecretKey.label(),
                &format!("{key}: {whole}"),
                &format!("{key}: {replaced}"),
            );
            *value = Value::String(replaced);
        } else {
            self.json(value);
        }
    }

    /// An OTLP/JSON document (traces or logs) redacted in place: ids, times and enums are kept;
    /// every other string, and every attribute (`{key, value}`) by its key.
    pub fn otlp_json(&mut self, document: &mut Value) {
        match document {
            Value::Array(items) => items.iter_mut().for_each(|item| self.otlp_json(item)),
            Value::Object(fields) => {
                if let (Some(Value::String(key)), true) =
                    (fields.get("key"), fields.contains_key("value"))
                {
                    let key = key.clone();
                    if let Some(value) = fields.get_mut("value") {
                        self.any_value(&key, value);
                    }
                    return;
                }
                // A span or a log record (not a link or an event): what changes in it is
                // counted for it.
                let span =
                    fields.contains_key("spanId") && fields.contains_key("startTimeUnixNano");
                let record = ["body", "severityNumber", "observedTimeUnixNano"]
                    .iter()
                    .any(|field| fields.contains_key(*field));
                let item = span || record;
                let outer = match item {
                    true => {
                        self.items += 1;
                        self.item.replace(self.items - 1)
                    }
                    false => self.item,
                };
                if let Some(Value::Array(attributes)) = fields.get_mut("attributes") {
                    let before = attributes.len();
                    attributes.retain(|kv| {
                        !kv.get("key")
                            .and_then(Value::as_str)
                            .is_some_and(|key| self.rules.drops(key))
                    });
                    self.dropped += before - attributes.len();
                }
                for (name, field) in fields.iter_mut() {
                    if !KEPT_FIELDS.contains(&name.as_str()) {
                        self.otlp_json(field);
                    }
                }
                self.item = outer;
            }
            Value::String(text) => *text = self.text(text),
            _ => {}
        }
    }

    /// An OTLP `AnyValue` of the attribute `key`.
    fn any_value(&mut self, key: &str, value: &mut Value) {
        if self.rules.secret_key(key)
            && let Some(text) = value.get("stringValue").and_then(Value::as_str)
        {
            let replaced = self.replacement(Rule::SecretKey.label(), text);
            self.saw(
                Rule::SecretKey.label(),
                &format!("{key}: {text}"),
                &format!("{key}: {replaced}"),
            );
            *value = serde_json::json!({ "stringValue": replaced });
            return;
        }
        self.otlp_json(value);
    }
}

/// `spans` (arena indices) written as `target` with `rules` applied: written as OTLP/JSON,
/// redacted, read back and written again, so every form gets the same redacted spans; the
/// redactor says what it changed. `Err`: what went wrong (a bug: Plume reads what it writes).
pub fn redacted(
    arena: &Arena,
    spans: &[u32],
    rules: Rules,
    target: Target,
) -> Result<(Vec<u8>, Redactor), String> {
    let mut redactor = Redactor::new(rules);
    let clean = redacted_arena(arena, spans, &[], &mut redactor)?;
    let all: Vec<u32> = (0..clean.spans().len() as u32).collect();
    Ok((export::encode(&clean, &all, target), redactor))
}

/// `spans` (arena indices) and `logs` with `redactor` applied, read into an arena of their own
/// (for a writer that works from an arena, as sending and sharing do).
pub fn redacted_arena(
    arena: &Arena,
    spans: &[u32],
    logs: &[&LogRecord],
    redactor: &mut Redactor,
) -> Result<Arena, String> {
    let mut clean = Arena::default();
    for (name, document) in redacted_documents(arena, spans, logs, redactor)? {
        let report = crate::ingest::load(&mut clean, name, document.to_string().as_bytes());
        if let Some(error) = report.errors.first() {
            return Err(error.to_string());
        }
    }
    Ok(clean)
}

/// `spans` (arena indices) and `logs` as OTLP/JSON documents (the spans', then the logs' if
/// any), each named, with `redactor` applied. `Err`: a document that does not read back (a bug:
/// Plume reads what it writes).
pub fn redacted_documents(
    arena: &Arena,
    spans: &[u32],
    logs: &[&LogRecord],
    redactor: &mut Redactor,
) -> Result<Vec<(&'static str, Value)>, String> {
    let spans_json =
        String::from_utf8_lossy(&export::encode(arena, spans, Target::OtlpJson)).into_owned();
    let logs_json = (!logs.is_empty()).then(|| export::encode_logs_json(arena, logs));
    let named = [
        ("redacted.json", Some(spans_json)),
        ("redacted-logs.json", logs_json),
    ];
    (named.into_iter())
        .filter_map(|(name, json)| Some((name, json?)))
        .map(|(name, json)| {
            let mut document: Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
            redactor.otlp_json(&mut document);
            Ok((name, document))
        })
        .collect()
}

impl Redactor {
    /// What it changed, said in a few words (`2 email, 1 key; 1 attribute dropped`).
    pub fn summary(&self) -> String {
        let mut changed: Vec<String> = (self.preview().rules.iter())
            .map(|rule| format!("{} {}", rule.values, rule.rule))
            .collect();
        if self.dropped > 0 {
            changed.push(format!("{} attributes dropped", self.dropped));
        }
        match changed.is_empty() {
            true => "nothing found".to_owned(),
            false => changed.join(", "),
        }
    }
}

/// `text` cut to about 80 characters, on character boundaries, for a preview.
fn snippet(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// What is around `text[start..end]`: up to 30 characters on each side, `…` where cut.
fn around(text: &str, Range { start, end }: Range<usize>) -> String {
    let from = (text[..start].char_indices().rev().nth(29)).map_or(0, |(i, _)| i);
    let to = (text[end..].char_indices().nth(30)).map_or(text.len(), |(i, _)| end + i);
    let cut = |yes: bool| if yes { "…" } else { "" };
    format!(
        "{}{}{}",
        cut(from > 0),
        &text[from..to],
        cut(to < text.len())
    )
}

/// OTLP/JSON fields that are ids, times, counts or enums: never redacted (a trace id's digits are
/// not a phone number).
const KEPT_FIELDS: [&str; 14] = [
    "traceId",
    "spanId",
    "parentSpanId",
    "startTimeUnixNano",
    "endTimeUnixNano",
    "timeUnixNano",
    "observedTimeUnixNano",
    "kind",
    "code",
    "flags",
    "severityNumber",
    "droppedAttributesCount",
    "schemaUrl",
    "traceState",
];

#[cfg(test)]
mod tests;
