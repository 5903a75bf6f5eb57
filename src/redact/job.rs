//! Redaction as a job for the helper worker: the scanners and `regex-lite` are not in the engine
//! an embedding page downloads, so the engine hands the helper what must leave (its spans and
//! log records as OTLP protobuf, the other texts that go with them: evaluation labels, a share
//! file's title) with the rules, and writes from the redacted copy it gets back. The command
//! line runs the same [`run`] in its own process.
//!
//! Job and answer travel as postcard bytes between two workers of one build; the answer is read
//! as untrusted all the same (postcard's reader fails, never panics, on bad bytes).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::export;
use crate::model::{Arena, LogRecord};
use crate::redact::{Preview, Redactor, Rules, redacted_arena};

/// The tag that asks the helper for a redaction (its file readers' tags are small numbers).
pub const TAG: u8 = 200;

/// What to take secrets out of.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// With these rules (read again by [`run`]: a pattern that does not read stops the job).
    pub rules: Rules,
    /// The spans, as an OTLP `ExportTraceServiceRequest` (empty: none).
    pub spans: Vec<u8>,
    /// Their log records, as an OTLP `ExportLogsServiceRequest` (empty: none).
    pub logs: Vec<u8>,
    /// Other texts that leave with them, each redacted as a value would be.
    pub texts: Vec<String>,
    /// Whether to keep what a [`Preview`] shows.
    pub preview: bool,
}

/// What a job made: the redacted copy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Redacted {
    /// The spans, redacted (OTLP protobuf).
    pub spans: Vec<u8>,
    /// Their log records, redacted (OTLP protobuf).
    pub logs: Vec<u8>,
    /// Each text of the job and what it became.
    pub texts: Vec<(String, String)>,
    /// The rules applied, described ([`Rules::describe`]).
    pub rules: String,
    /// What a preview shows, when the job asked for it.
    pub preview: Preview,
}

impl Job {
    /// A job for `spans` (arena indices) and `logs` of `arena`, with `rules`.
    pub fn new(arena: &Arena, spans: &[u32], logs: &[&LogRecord], rules: Rules) -> Self {
        let (spans, logs) = encoded(arena, spans, logs);
        Self {
            rules,
            spans,
            logs,
            ..Self::default()
        }
    }

    /// This job, with the texts `write` asks to have redacted (collected by running it once:
    /// the second run, with [`Redacted::text`], then asks for the same texts).
    pub fn with_texts_of(mut self, write: impl FnOnce(&mut dyn FnMut(&str) -> String)) -> Self {
        write(&mut |text: &str| {
            self.texts.push(text.to_owned());
            text.to_owned()
        });
        self
    }
}

/// Runs `job`. `Err`: the rules cannot be used, or what was handed does not read (a bug).
pub fn run(job: &Job) -> Result<Redacted, String> {
    let rules = Rules::read(&job.rules.write())
        .map_err(|problem| format!("the redaction rules cannot be used: {problem}"))?;
    let arena = read_back(&job.spans, &job.logs)
        .map_err(|error| format!("the spans to redact do not read: {error}"))?;
    let described = rules.describe();
    let mut redactor = Redactor::new(rules);
    if job.preview {
        redactor = redactor.previewing();
    }
    let spans: Vec<u32> = (0..arena.spans().len() as u32).collect();
    let logs: Vec<&LogRecord> = arena.logs().iter().collect();
    let clean = redacted_arena(&arena, &spans, &logs, &mut redactor)
        .map_err(|error| format!("the spans could not be redacted: {error}"))?;
    let texts = (job.texts.iter())
        .map(|text| (text.clone(), redactor.text(text)))
        .collect();
    let all: Vec<u32> = (0..clean.spans().len() as u32).collect();
    let clean_logs: Vec<&LogRecord> = clean.logs().iter().collect();
    let (spans, logs) = encoded(&clean, &all, &clean_logs);
    Ok(Redacted {
        spans,
        logs,
        texts,
        rules: described,
        preview: match job.preview {
            true => redactor.preview(),
            false => Preview::default(),
        },
    })
}

impl Redacted {
    /// The redacted spans and log records, read into an arena of their own.
    pub fn arena(&self) -> Result<Arena, String> {
        read_back(&self.spans, &self.logs)
            .map_err(|error| format!("the redacted spans do not read: {error}"))
    }

    /// What each text of the job became; a text the job did not hold is never let through as
    /// it is.
    pub fn text(&self) -> impl FnMut(&str) -> String + '_ {
        let texts: HashMap<&str, &str> = (self.texts.iter())
            .map(|(text, redacted)| (text.as_str(), redacted.as_str()))
            .collect();
        move |text: &str| {
            texts
                .get(text)
                .map_or_else(|| "[redacted]".to_owned(), |&redacted| redacted.to_owned())
        }
    }
}

/// `spans` (arena indices) and `logs` of `arena` as OTLP protobuf (each empty when there are none):
/// what a job and its answer carry.
fn encoded(arena: &Arena, spans: &[u32], logs: &[&LogRecord]) -> (Vec<u8>, Vec<u8>) {
    let spans = match spans.is_empty() {
        true => Vec::new(),
        false => export::encode_proto(arena, spans),
    };
    let logs = match logs.is_empty() {
        true => Vec::new(),
        false => export::encode_logs_proto(arena, logs),
    };
    (spans, logs)
}

/// What [`encoded`] wrote, read into an arena of its own; `Err`: the first problem.
fn read_back(spans: &[u8], logs: &[u8]) -> Result<Arena, String> {
    let mut arena = Arena::default();
    for (name, bytes) in [("spans.otlp.pb", spans), ("logs.otlp.pb", logs)] {
        if bytes.is_empty() {
            continue;
        }
        let report = crate::ingest::load(&mut arena, name, bytes);
        if let Some(error) = report.errors.first() {
            return Err(error.to_string());
        }
    }
    Ok(arena)
}

/// The helper's side: `bytes` (a [`Job`]) redacted, as the bytes of a `Result<Redacted, String>`.
pub fn answer(bytes: &[u8]) -> Vec<u8> {
    let answer = postcard::from_bytes::<Job>(bytes)
        .map_err(|error| format!("the redaction job does not read: {error}"))
        .and_then(|job| run(&job));
    postcard::to_allocvec(&answer).unwrap_or_default()
}

/// The engine's side: the helper's answer read.
pub fn read_answer(bytes: &[u8]) -> Result<Redacted, String> {
    postcard::from_bytes::<Result<Redacted, String>>(bytes)
        .map_err(|error| format!("the helper's redaction does not read: {error}"))?
}

/// A job as the bytes the helper reads.
pub fn encode(job: &Job) -> Vec<u8> {
    postcard::to_allocvec(job).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arena() -> Arena {
        let mut arena = Arena::default();
        let json = r#"{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"spans":[
            {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
             "name":"ask ann@example.com","startTimeUnixNano":"1","endTimeUnixNano":"2",
             "attributes":[{"key":"input.value","value":{"stringValue":"mail bob@example.com"}}]}
        ]}]}]}"#;
        let report = crate::ingest::load(&mut arena, "a.json", json.as_bytes());
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        arena
    }

    #[test]
    fn a_job_travels_and_comes_back_redacted() {
        let arena = arena();
        let job = Job::new(&arena, &[0], &[], Rules::default()).with_texts_of(|text| {
            text("title for bob@example.com");
        });
        assert_eq!(job.texts, ["title for bob@example.com"]);
        let answer = read_answer(&answer(&encode(&job))).expect("redacted");
        let clean = answer.arena().expect("reads");
        let span = &clean.spans()[0];
        assert_eq!(clean.str(span.name), "ask [email-1]");
        let all = String::from_utf8(export::encode(&clean, &[0], export::Target::OtlpJson));
        assert!(!all.expect("utf-8").contains("example.com"));
        // The same address is the same mark in the texts as in the spans.
        let mut text = answer.text();
        assert_eq!(text("title for bob@example.com"), "title for [email-2]");
        assert_eq!(text("not asked for"), "[redacted]");
    }

    #[test]
    fn rules_that_do_not_read_stop_the_job_and_bad_answers_are_errors() {
        let mut rules = Rules::default();
        rules.patterns.push(crate::redact::Pattern {
            name: "ticket".into(),
            regex: "(".into(),
        });
        let job = Job::new(&arena(), &[0], &[], rules);
        let problem = read_answer(&answer(&encode(&job))).expect_err("refused");
        assert!(
            problem.contains("the pattern ticket does not read"),
            "{problem}"
        );
        assert!(read_answer(&[9, 9, 9]).is_err());
        assert!(read_answer(&answer(b"nonsense")).is_err());
    }

    #[test]
    fn a_preview_job_says_what_each_rule_found() {
        let mut job = Job::new(&arena(), &[0], &[], Rules::default());
        job.preview = true;
        let answer = run(&job).expect("redacted");
        assert_eq!(answer.preview.rules[0].rule, "email");
        assert_eq!(answer.preview.rules[0].values, 2);
    }
}
