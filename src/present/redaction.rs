//! The redaction rules as the page edits them: the built-in rules by name, attribute keys and
//! the user's patterns one per line (`name = regex`).

use crate::redact::{Pattern, Rule};

/// What a built-in rule takes out, as the page names it.
pub fn rule_title(rule: Rule) -> &'static str {
    match rule {
        Rule::SecretKey => {
            "Values of secret-looking keys (authorization, api_key, password, cookie…)"
        }
        Rule::Key => "API keys and tokens (sk-…, AKIA…, ghp_…, xox…, JWTs, Bearer …)",
        Rule::Email => "Email addresses",
        Rule::Card => "Payment card numbers (Luhn-checked)",
        Rule::Ip => "IPv4 and IPv6 addresses",
        Rule::Phone => "Phone numbers",
    }
}

/// Patterns as lines of `name = regex`.
pub fn patterns_text(patterns: &[Pattern]) -> String {
    (patterns.iter())
        .map(|p| format!("{} = {}", p.name, p.regex))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Lines of `name = regex` (blank lines skipped) as patterns; `Err` names the line that does not
/// read. Whether each regex reads is the engine's to say.
pub fn read_patterns(text: &str) -> Result<Vec<Pattern>, String> {
    (text.lines().enumerate())
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| match line.split_once('=') {
            Some((name, regex)) if !name.trim().is_empty() && !regex.trim().is_empty() => {
                Ok(Pattern {
                    name: name.trim().to_owned(),
                    regex: regex.trim().to_owned(),
                })
            }
            _ => Err(format!("line {}: write name = regular expression", i + 1)),
        })
        .collect()
}

/// Attribute key patterns, one per line.
pub fn read_keys(text: &str) -> Vec<String> {
    (text.lines().map(str::trim))
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_read_and_write_as_lines_and_a_bad_line_is_named() {
        let patterns =
            read_patterns("ticket = TICKET-\\d+\n\n  order=ORD-[0-9]{6} = x\n").expect("read");
        assert_eq!(patterns.len(), 2);
        assert_eq!(
            (patterns[1].name.as_str(), patterns[1].regex.as_str()),
            ("order", "ORD-[0-9]{6} = x")
        );
        assert_eq!(read_patterns(&patterns_text(&patterns)), Ok(patterns));
        assert_eq!(
            read_patterns("a = b\nno equals"),
            Err("line 2: write name = regular expression".into())
        );
        assert_eq!(
            read_keys(" llm.input_messages.*\n\nsecret.key "),
            ["llm.input_messages.*", "secret.key"]
        );
    }
}
