//! Finding secrets in text, without regular expressions: each built-in rule is a small scanner
//! over the text's bytes that reports where what it looks for starts and ends.

use super::Rule;

/// A secret found in a text: where (byte offsets, on character boundaries) and by which rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// Its first byte.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// What it is.
    pub rule: Rule,
}

/// The secrets `rules` find in `text`, in order, none overlapping (at one place, the rule listed
/// first in [`Rule::ALL`] wins, then the longest).
pub fn find(text: &str, rules: &[Rule]) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let here = Rule::ALL
            .iter()
            .filter(|rule| rules.contains(rule))
            .find_map(|&rule| {
                match_at(bytes, at, rule).map(|end| Found {
                    start: at,
                    end,
                    rule,
                })
            });
        match here {
            Some(secret) => {
                at = secret.end;
                found.push(secret);
            }
            None => at += utf8_len(bytes[at]),
        }
    }
    found
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// Where a secret of `rule` starting at `at` ends, if one does. A secret starts at a word's
/// start: the byte before is not a letter, digit or one of the secret's own characters.
fn match_at(bytes: &[u8], at: usize, rule: Rule) -> Option<usize> {
    let before = at.checked_sub(1).map(|i| bytes[i]);
    match rule {
        Rule::Email => email(bytes, at, before),
        Rule::Key => key(bytes, at, before),
        Rule::Card => card(bytes, at, before),
        Rule::Ip => ipv4(bytes, at, before).or_else(|| ipv6(bytes, at, before)),
        Rule::Phone => phone(bytes, at, before),
        Rule::SecretKey => None,
    }
}

fn word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// How many bytes from `at` satisfy `keep`.
fn run(bytes: &[u8], at: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes[at..].iter().take_while(|&&b| keep(b)).count()
}

fn email(bytes: &[u8], at: usize, before: Option<u8>) -> Option<usize> {
    let local = |b: u8| word(b) || matches!(b, b'.' | b'+' | b'-' | b'%');
    if before.is_some_and(local) {
        return None;
    }
    let name = run(bytes, at, local);
    if name == 0 || bytes.get(at + name) != Some(&b'@') {
        return None;
    }
    let domain_start = at + name + 1;
    let domain = run(bytes, domain_start, |b| {
        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
    });
    let host = std::str::from_utf8(&bytes[domain_start..domain_start + domain]).ok()?;
    let host = host.trim_end_matches(['.', '-']);
    let (_, tld) = host.rsplit_once('.')?;
    (tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
        .then_some(domain_start + host.len())
}

/// API keys and tokens of the common shapes: OpenAI's and Anthropic's `sk-…`, AWS access keys
/// `AKIA…`, GitHub's `ghp_…` (and `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), Slack's `xox?-…`,
/// JWTs (`eyJ….eyJ….…`) and `Bearer …` values.
fn key(bytes: &[u8], at: usize, before: Option<u8>) -> Option<usize> {
    if before.is_some_and(|b| word(b) || b == b'-') {
        return None;
    }
    let rest = &bytes[at..];
    let token = |b: u8| word(b) || b == b'-';
    let tail = |prefix: usize, least: usize, keep: &dyn Fn(u8) -> bool| {
        let n = run(bytes, at + prefix, keep);
        (n >= least).then_some(at + prefix + n)
    };
    if rest.starts_with(b"sk-") {
        return tail(3, 20, &token);
    }
    if rest.starts_with(b"AKIA") || rest.starts_with(b"ASIA") {
        let n = run(bytes, at + 4, |b| {
            b.is_ascii_uppercase() || b.is_ascii_digit()
        });
        return (n == 16).then_some(at + 20);
    }
    for prefix in [
        &b"ghp_"[..],
        b"gho_",
        b"ghu_",
        b"ghs_",
        b"ghr_",
        b"github_pat_",
    ] {
        if rest.starts_with(prefix) {
            return tail(prefix.len(), 30, &word);
        }
    }
    if rest.len() > 5 && rest.starts_with(b"xox") && rest[4] == b'-' && rest[3].is_ascii_lowercase()
    {
        return tail(5, 10, &token);
    }
    if rest.starts_with(b"eyJ") {
        let base64 = |b: u8| word(b) || b == b'-';
        return dotted(bytes, at, 3, |start| {
            let n = run(bytes, start, base64);
            (n >= 8).then_some(n)
        });
    }
    if rest.len() > 7 && rest[..7].eq_ignore_ascii_case(b"bearer ") {
        return tail(7, 8, &|b| {
            token(b) || matches!(b, b'.' | b'~' | b'+' | b'/' | b'=')
        });
    }
    None
}

/// 13 to 19 digits, in groups split by single spaces or dashes, that pass the Luhn check.
fn card(bytes: &[u8], at: usize, before: Option<u8>) -> Option<usize> {
    if before.is_some_and(|b| b.is_ascii_digit()) || !bytes[at].is_ascii_digit() {
        return None;
    }
    let (mut digits, mut end, mut last_digit_end) = (Vec::new(), at, at);
    while end < bytes.len() && digits.len() < 19 {
        match bytes[end] {
            b @ b'0'..=b'9' => {
                digits.push(b - b'0');
                end += 1;
                last_digit_end = end;
            }
            b' ' | b'-' if bytes.get(end + 1).is_some_and(u8::is_ascii_digit) && end > at => {
                end += 1
            }
            _ => break,
        }
    }
    if bytes.get(last_digit_end).is_some_and(u8::is_ascii_digit)
        || !(13..=19).contains(&digits.len())
    {
        return None;
    }
    luhn(&digits).then_some(last_digit_end)
}

/// Where `parts` parts split by single dots end, each as long as `part` (given where it starts)
/// says, if each is one.
fn dotted(
    bytes: &[u8],
    at: usize,
    parts: usize,
    part: impl Fn(usize) -> Option<usize>,
) -> Option<usize> {
    let mut end = at;
    for n in 0..parts {
        if n > 0 {
            if bytes.get(end) != Some(&b'.') {
                return None;
            }
            end += 1;
        }
        end += part(end)?;
    }
    Some(end)
}

/// The Luhn check of a card number's digits.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            match i % 2 {
                1 if d * 2 > 9 => d * 2 - 9,
                1 => d * 2,
                _ => d,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn ipv4(bytes: &[u8], at: usize, before: Option<u8>) -> Option<usize> {
    if before.is_some_and(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let end = dotted(bytes, at, 4, |start| {
        let n = run(bytes, start, |b| b.is_ascii_digit());
        let number = std::str::from_utf8(&bytes[start..start + n]).ok()?;
        ((1..=3).contains(&n) && number.parse::<u16>().ok()? <= 255).then_some(n)
    })?;
    let after = bytes.get(end).copied();
    (!after.is_some_and(|b| {
        b.is_ascii_digit() || (b == b'.' && bytes.get(end + 1).is_some_and(u8::is_ascii_digit))
    }))
    .then_some(end)
}

fn ipv6(bytes: &[u8], at: usize, before: Option<u8>) -> Option<usize> {
    if before.is_some_and(|b| b.is_ascii_hexdigit() || b == b':') {
        return None;
    }
    let n = run(bytes, at, |b| b.is_ascii_hexdigit() || b == b':');
    let text = std::str::from_utf8(&bytes[at..at + n]).ok()?;
    // At least three groups (so that times, 12:30, are not addresses) and a digit.
    let address = text.matches(':').count() >= 2 && text.bytes().any(|b| b.is_ascii_hexdigit());
    (address && text.parse::<std::net::Ipv6Addr>().is_ok()).then_some(at + n)
}

/// A phone number: `+` and 8 to 15 digits, or 10 to 15 digits in at least three groups split by
/// spaces, dashes, dots or parentheses (so that bare numbers, ids and amounts are not phones).
fn phone(bytes: &[u8], at: usize, before: Option<u8>) -> Option<usize> {
    if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'+') {
        return None;
    }
    // Not the tail of a longer number (a card's last groups).
    let separated = before.is_some_and(|b| matches!(b, b' ' | b'-' | b'.'));
    if separated && at >= 2 && bytes[at - 2].is_ascii_digit() {
        return None;
    }
    let plus = bytes[at] == b'+';
    let start = at + usize::from(plus);
    let (mut digits, mut groups, mut end, mut last) = (0, 0, start, start);
    let mut in_group = false;
    while end < bytes.len() {
        match bytes[end] {
            b'0'..=b'9' => {
                digits += 1;
                if !in_group {
                    groups += 1;
                    in_group = true;
                }
                end += 1;
                last = end;
            }
            b' ' | b'-' | b'.' | b'(' | b')' if end > start || bytes[end] == b'(' => {
                in_group = false;
                end += 1;
            }
            _ => break,
        }
        if digits > 15 {
            return None;
        }
    }
    if bytes.get(last).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let enough = match plus {
        true => (8..=15).contains(&digits),
        false => (10..=15).contains(&digits) && groups >= 3,
    };
    enough.then_some(last)
}
