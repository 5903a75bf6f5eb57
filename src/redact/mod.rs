//! Redaction: what must not leave the page (or the machine) taken out of spans before they are
//! written: built-in rules for emails, phone numbers, payment cards, IP addresses, API keys and
//! tokens, and attributes whose key says they hold a secret; attribute keys dropped whole.
//!
//! It works on OTLP/JSON ([`Redactor::otlp_json`]), the one form every writer can be fed from:
//! names, attribute values (and JSON inside string values, e.g. `input.value`), events, links,
//! resources, scopes and log records alike. Replacements are consistent: the same email is
//! `[email-1]` everywhere in what one redactor wrote, so the trace still reads.

mod scan;

use std::collections::HashMap;

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
}

fn all_rules() -> Vec<Rule> {
    Rule::ALL.to_vec()
}

impl Default for Rules {
    /// Every built-in rule, no key dropped.
    fn default() -> Self {
        Self {
            rules: all_rules(),
            drop_keys: Vec::new(),
        }
    }
}

impl Rules {
    /// A rules file, or what is wrong with it.
    pub fn read(json: &str) -> Result<Self, String> {
        serde_json::from_str(json)
            .map_err(|error| format!("the redaction rules do not read: {error}"))
    }

    /// What these rules take out, in a few words (`key, email, card; 2 keys dropped`): what a
    /// share file says it was redacted with.
    pub fn describe(&self) -> String {
        let rules: Vec<&str> = self.rules.iter().map(|rule| rule.label()).collect();
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
    /// Each secret seen, by rule, and its number.
    seen: HashMap<(Rule, String), usize>,
    /// How many of each rule's secrets were seen.
    numbers: HashMap<Rule, usize>,
    /// Values changed, by rule.
    pub changed: HashMap<Rule, usize>,
    /// Attributes dropped by key.
    pub dropped: usize,
}

impl Redactor {
    /// A redactor applying `rules`.
    pub fn new(rules: Rules) -> Self {
        Self {
            rules,
            ..Self::default()
        }
    }

    fn replacement(&mut self, rule: Rule, secret: &str) -> String {
        let next = self.numbers.entry(rule).or_default();
        let number = *self
            .seen
            .entry((rule, secret.to_owned()))
            .or_insert_with(|| {
                *next += 1;
                *next
            });
        *self.changed.entry(rule).or_default() += 1;
        format!("[{}-{number}]", rule.label())
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
        let found = find(text, &self.rules.rules);
        if found.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for secret in found {
            out.push_str(&text[at..secret.start]);
            out.push_str(&self.replacement(secret.rule, &text[secret.start..secret.end]));
            at = secret.end;
        }
        out.push_str(&text[at..]);
        out
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
            *value = Value::String(self.replacement(Rule::SecretKey, &whole));
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
            let replaced = self.replacement(Rule::SecretKey, text);
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
    let (clean, redactor) = redacted_arena(arena, spans, &[], rules)?;
    let all: Vec<u32> = (0..clean.spans().len() as u32).collect();
    Ok((export::encode(&clean, &all, target), redactor))
}

/// `spans` (arena indices) and `logs` with `rules` applied, read into an arena of their own (for
/// a writer that works from an arena, as sending and sharing do), one redactor for both.
pub fn redacted_arena(
    arena: &Arena,
    spans: &[u32],
    logs: &[&LogRecord],
    rules: Rules,
) -> Result<(Arena, Redactor), String> {
    let mut redactor = Redactor::new(rules);
    let mut clean = Arena::default();
    let spans_json =
        String::from_utf8_lossy(&export::encode(arena, spans, Target::OtlpJson)).into_owned();
    let logs_json = (!logs.is_empty()).then(|| export::encode_logs_json(arena, logs));
    for (name, json) in [
        ("redacted.json", Some(spans_json)),
        ("redacted-logs.json", logs_json),
    ] {
        let Some(json) = json else { continue };
        let mut document: Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        redactor.otlp_json(&mut document);
        let report = crate::ingest::load(&mut clean, name, document.to_string().as_bytes());
        if let Some(error) = report.errors.first() {
            return Err(error.to_string());
        }
    }
    Ok((clean, redactor))
}

impl Redactor {
    /// What it changed, said in a few words (`2 email, 1 key; 1 attribute dropped`).
    pub fn summary(&self) -> String {
        let mut changed: Vec<String> = Rule::ALL
            .iter()
            .filter_map(|rule| Some(format!("{} {}", self.changed.get(rule)?, rule.label())))
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
