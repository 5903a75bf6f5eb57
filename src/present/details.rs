//! How a span's details pane is laid out: which sections start closed, and the tokens in one
//! line. What the user opens or closes is remembered per span kind (in the page).

use crate::model::{TokenKind, Usage};
use crate::semantics::meaning::Meaning;

/// The sections of the raw data, closed at first when the span's meaning already shows what
/// they hold (the messages would otherwise appear twice in one long scroll).
const RAW: [&str; 2] = ["Attributes", "Resource and scope"];

/// Whether section `title` opens at first, for a span that means `meaning`.
pub fn opens_at_first(title: &str, meaning: &Meaning) -> bool {
    !RAW.contains(&title) || !shows_content(meaning)
}

/// Whether the meaning shows the span's content: messages, documents, a tool's run, input or
/// output.
fn shows_content(m: &Meaning) -> bool {
    !m.input.is_empty()
        || !m.output.is_empty()
        || !m.system.is_empty()
        || !m.documents.is_empty()
        || !m.reranked.is_empty()
        || !m.embeddings.is_empty()
        || m.tool.is_some()
        || m.query.is_some()
        || m.input_value.is_some()
        || m.output_value.is_some()
}

/// The tokens of a call in one line, those counted (not zero) and the total:
/// `34 input · 36 output · 70 total`.
pub fn token_line(usage: &Usage) -> String {
    let mut parts: Vec<String> = usage
        .iter()
        .filter(|&(kind, n)| n > 0 && kind != TokenKind::Total)
        .map(|(kind, n)| format!("{} {}", crate::present::format::count(n), token_label(kind)))
        .collect();
    parts.push(format!(
        "{} total",
        crate::present::format::count(usage.total().unwrap_or(0))
    ));
    parts.join(" · ")
}

/// What a kind of token is called.
pub(crate) fn token_label(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Input => "input",
        TokenKind::Output => "output",
        TokenKind::Total => "total",
        TokenKind::CachedInput => "input read from cache",
        TokenKind::CacheWrite => "input written to cache",
        TokenKind::Reasoning => "reasoning",
        TokenKind::AudioInput => "audio input",
        TokenKind::AudioOutput => "audio output",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raw_sections_start_closed_only_when_the_meaning_shows_the_content() {
        let plain = Meaning::default();
        assert!(
            opens_at_first("Attributes", &plain),
            "a span that means nothing more"
        );
        let chat = Meaning {
            input_value: Some("hello".into()),
            ..Meaning::default()
        };
        assert!(!opens_at_first("Attributes", &chat));
        assert!(!opens_at_first("Resource and scope", &chat));
        assert!(opens_at_first("Input messages", &chat));
    }

    #[test]
    fn tokens_in_one_line_leave_out_zero_counts() {
        let mut usage = Usage::default();
        usage.set(TokenKind::Input, 34);
        usage.set(TokenKind::Output, 1_236);
        usage.set(TokenKind::CachedInput, 0);
        assert_eq!(token_line(&usage), "34 input · 1,236 output · 1,270 total");
        usage.set(TokenKind::Reasoning, 12);
        usage.set(TokenKind::Total, 1_300);
        assert_eq!(
            token_line(&usage),
            "34 input · 1,236 output · 12 reasoning · 1,300 total"
        );
    }
}
