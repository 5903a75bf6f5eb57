//! Share files: one HTML file that holds the viewer and some traces, and opens anywhere — from
//! disk, attached to an issue, served from any host — with no network request at all.
//!
//! The viewer part is built once per build (`./dev share-shell` writes `plume-share.html`: the
//! page and the engine packed in one LZMA stream, a start-up script, and a policy that allows no
//! connection). A share file is that shell with `<!--plume-share-->` replaced by what it says
//! ([`ShareInfo`], JSON) and the files it holds (gzip, base64), which the page loads as if they
//! were dropped on it and keeps only if the user asks. `plume share` and the page's *Share…* make
//! them the same way ([`share`], then [`page`]).

#[cfg(test)]
mod tests;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::export;
use crate::model::{Arena, LogRecord, TraceId};
use crate::present::route::Route;
use crate::redact::Rules;
use crate::redact::job::{Job, Redacted};

/// The viewer's shell, beside the viewer's other built files.
pub const SHELL: &str = "plume-share.html";

/// Where the shell says what the file holds.
const MARK: &str = "<!--plume-share-->";

/// What a share file says about itself, shown at the top of its page. (Every field is written,
/// even when empty: it also travels between page and worker in postcard, which is positional.)
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShareInfo {
    /// What it is (a trace's name, a project and its filter…).
    pub title: String,
    /// Who shared it, if they said.
    #[serde(default)]
    pub by: Option<String>,
    /// When it was made (RFC 3339, UTC), if known.
    #[serde(default)]
    pub made: Option<String>,
    /// How many traces it holds.
    pub traces: usize,
    /// How many spans it holds.
    pub spans: usize,
    /// The redaction rules applied, described, if any were.
    #[serde(default)]
    pub redacted: Option<String>,
    /// Where the page opens (a route's fragment, `#/trace/…`): the one trace, or the view it
    /// was shared from; else the start page.
    #[serde(default)]
    pub open: Option<String>,
}

/// A file a share file holds: what the page loads.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedFile {
    /// Its name, as the page shows where spans came from.
    pub name: String,
    /// Its bytes (the share file holds them gzip-compressed: [`page`]).
    pub content: Vec<u8>,
}

/// What goes into a share file.
#[derive(Clone, Debug, PartialEq)]
pub struct Shared {
    /// What it says about itself.
    pub info: ShareInfo,
    /// The spans (OTLP protobuf) and their evaluations (JSON Lines), if any.
    pub files: Vec<SharedFile>,
}

/// The spans (arena indices) of `arena`, with their traces' evaluations, ready for a share file:
/// with `redacted` (the redaction of a job made by `Engine::share_job`, or as the command line
/// makes it), their redacted copy instead (names, attributes, events, links, resources,
/// evaluation labels and explanations, title, with one set of consistent replacements).
/// `info`'s counts are filled in.
pub fn share(
    arena: &Arena,
    spans: &[u32],
    redacted: Option<&Redacted>,
    mut info: ShareInfo,
) -> Result<Shared, String> {
    let mut traces: Vec<TraceId> = (spans.iter())
        .filter_map(|&i| arena.spans().get(i as usize))
        .map(|span| span.trace_id)
        .collect();
    traces.sort_unstable();
    traces.dedup();
    if let ([trace], None) = (traces.as_slice(), &info.open) {
        info.open = Some(Route::trace(&trace.to_string()).to_fragment());
    }
    (info.spans, info.traces) = (spans.len(), traces.len());
    let logs = arena.logs_of_traces_of(spans);
    let (proto, logs, evaluations) = match redacted {
        Some(redacted) => {
            info.redacted = Some(redacted.rules.clone());
            let clean = redacted.arena()?;
            let mut text = redacted.text();
            // A title said from a span's name, or typed, may hold a secret too; where the page
            // opens keeps its route, not a search or filter typed in it.
            info.title = text(&info.title);
            info.open = (info.open.as_deref())
                .map(|open| open.split('?').next().unwrap_or_default().to_owned());
            let all: Vec<u32> = (0..clean.spans().len() as u32).collect();
            let clean_logs: Vec<&LogRecord> = clean.logs().iter().collect();
            let evaluations = export::encode_evaluations(arena, spans, text);
            let logs = export::encode_logs_proto(&clean, &clean_logs);
            (export::encode_proto(&clean, &all), logs, evaluations)
        }
        None => (
            export::encode_proto(arena, spans),
            export::encode_logs_proto(arena, &logs),
            export::encode_evaluations(arena, spans, str::to_owned),
        ),
    };
    let mut files = vec![SharedFile {
        name: "traces.otlp.pb".into(),
        content: proto,
    }];
    // Logs are read after the spans they belong to.
    if !logs.is_empty() {
        files.push(SharedFile {
            name: "logs.otlp.pb".into(),
            content: logs,
        });
    }
    if !evaluations.is_empty() {
        files.push(SharedFile {
            name: "evaluations.jsonl".into(),
            content: evaluations.into_bytes(),
        });
    }
    Ok(Shared { info, files })
}

/// What must be redacted for [`share`] to write `spans` of `arena` with `rules` applied: the
/// spans, their log records, the title and the evaluations' texts.
pub fn redaction_job(arena: &Arena, spans: &[u32], info: &ShareInfo, rules: Rules) -> Job {
    let logs = arena.logs_of_traces_of(spans);
    Job::new(arena, spans, &logs, rules).with_texts_of(|text| {
        text(&info.title);
        export::encode_evaluations(arena, spans, text);
    })
}

/// A share file's name: its title's first words (letters and digits, lower case) joined by `-`,
/// `-redacted` when it was, `.html`.
pub fn file_name(info: &ShareInfo) -> String {
    let words: Vec<String> = (info.title.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect();
    let stem = match words.is_empty() {
        true => "shared-traces".to_owned(),
        false => words.join("-"),
    };
    match info.redacted {
        Some(_) => format!("{stem}-redacted.html"),
        None => format!("{stem}.html"),
    }
}

/// The share file: `shell` (the built `plume-share.html`) holding `shared`, whose files'
/// contents `gzipped` holds gzip-compressed, in order (by the browser's `CompressionStream` in
/// the engine, which has no deflate of its own; at gzip's best by `plume share`). `Err` if
/// `shell` is not a share shell.
pub fn page(shell: &str, shared: &Shared, gzipped: &[Vec<u8>]) -> Result<String, String> {
    if gzipped.len() != shared.files.len() {
        return Err("a shared file was not compressed".into());
    }
    let (before, after) = shell
        .split_once(MARK)
        .ok_or_else(|| format!("{SHELL} is not Plume's share shell (it has no {MARK})"))?;
    let mut out = String::with_capacity(
        shell.len()
            + gzipped
                .iter()
                .map(|gzip| gzip.len() * 4 / 3 + 100)
                .sum::<usize>(),
    );
    let title = format!("<title>{} — Plume</title>", html_text(&shared.info.title));
    match before
        .split_once("<title>")
        .zip(before.split_once("</title>"))
    {
        Some(((head, _), (_, rest))) => {
            out.push_str(head);
            out.push_str(&title);
            out.push_str(rest);
        }
        None => out.push_str(before),
    }
    let info = serde_json::to_string(&shared.info).map_err(|e| e.to_string())?;
    // In a script element only `</script` ends it; JSON may say `<` as `\u003c`.
    out.push_str("<script type=\"application/json\" id=\"plume-share\">");
    out.push_str(&info.replace('<', "\\u003c"));
    out.push_str("</script>\n");
    for (file, gzip) in shared.files.iter().zip(gzipped) {
        out.push_str(
            "<script type=\"application/octet-stream\" class=\"plume-trace-file\" data-name=\"",
        );
        out.push_str(&html_text(&file.name));
        out.push_str("\">");
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(gzip));
        out.push_str("</script>\n");
    }
    out.push_str(after);
    Ok(out)
}

/// `text` safe in an element's text or a quoted attribute.
fn html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
