//! Markdown as LLMs write it, read into blocks and inline parts that the page renders as its own
//! elements — never as HTML: raw HTML in the text stays text, a link keeps only an `http`,
//! `https` or `mailto` target, and an image is a reference the user may open, never fetched.
//!
//! A subset, on purpose: headings, paragraphs, fenced and indented code, lists, quotes, rules;
//! code spans, strong, emphasis, links and images inline. Anything else reads as text. An
//! inline part closes within [`REACH`] bytes of where it opens, and emphasis nests at most
//! [`MAX_NESTING`] deep, so work stays linear in the text: no input can stall the page.

/// A block of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// `#` to `######`.
    Heading(u8, Vec<Inline>),
    /// Lines of text (their line breaks kept).
    Paragraph(Vec<Inline>),
    /// A fenced or indented code block, and its fence's language.
    Code {
        /// The language after the opening fence ("" if none).
        lang: String,
        /// The code, as written.
        text: String,
    },
    /// List items, numbered or not.
    List {
        /// Numbered (`1.`) rather than bulleted.
        ordered: bool,
        /// Each item's text.
        items: Vec<Vec<Inline>>,
    },
    /// `>` lines.
    Quote(Vec<Inline>),
    /// `---`.
    Rule,
}

/// A run of text inside a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// `` `code` ``.
    Code(String),
    /// `**strong**`.
    Strong(Vec<Inline>),
    /// `*emphasis*` or `_emphasis_`.
    Emphasis(Vec<Inline>),
    /// `[text](target)` with a target that may be opened; any other target leaves text.
    Link {
        /// What the link says.
        text: Vec<Inline>,
        /// Where it goes.
        href: String,
    },
    /// `![alt](source)`: shown as a reference to open, never loaded by the page.
    Image {
        /// Its description.
        alt: String,
        /// Where it is.
        src: String,
    },
}

/// How deep strong and emphasis nest before the rest is text.
pub const MAX_NESTING: usize = 4;

/// How far after its opening an inline part's closing is looked for, bytes.
pub const REACH: usize = 2_048;

/// The start of `text`, at most [`REACH`] bytes, cut at a character.
fn reach(text: &str) -> &str {
    let mut end = text.len().min(REACH);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Reads `text` into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            at += 1;
        } else if let Some(fence) = fence(trimmed) {
            let lang = trimmed[fence.len()..].trim().to_owned();
            let end = (at + 1..lines.len())
                .find(|&i| lines[i].trim_start().starts_with(fence))
                .unwrap_or(lines.len());
            let text = lines[at + 1..end].join("\n");
            blocks.push(Block::Code { lang, text });
            at = end + 1;
        } else if line.starts_with("    ") || line.starts_with('\t') {
            let end = (at..lines.len())
                .find(|&i| !(lines[i].starts_with("    ") || lines[i].starts_with('\t')))
                .unwrap_or(lines.len());
            let text: Vec<&str> = lines[at..end].iter().map(|l| unindent(l)).collect();
            blocks.push(Block::Code {
                lang: String::new(),
                text: text.join("\n"),
            });
            at = end;
        } else if let Some((level, title)) = heading(trimmed) {
            blocks.push(Block::Heading(level, inlines(title)));
            at += 1;
        } else if is_rule(trimmed) {
            blocks.push(Block::Rule);
            at += 1;
        } else if let Some((ordered, _)) = item(trimmed) {
            let mut items = Vec::new();
            while let Some((same, text)) = lines.get(at).and_then(|l| item(l.trim_start())) {
                if same != ordered {
                    break;
                }
                items.push(inlines(text));
                at += 1;
            }
            blocks.push(Block::List { ordered, items });
        } else if trimmed.starts_with('>') {
            let end = (at..lines.len())
                .find(|&i| !lines[i].trim_start().starts_with('>'))
                .unwrap_or(lines.len());
            let text: Vec<&str> = lines[at..end]
                .iter()
                .map(|l| l.trim_start()[1..].trim_start())
                .collect();
            blocks.push(Block::Quote(inlines(&text.join("\n"))));
            at = end;
        } else {
            let end = (at..lines.len())
                .find(|&i| i > at && starts_block(lines[i]))
                .unwrap_or(lines.len());
            let text: Vec<&str> = lines[at..end].iter().map(|l| l.trim_end()).collect();
            blocks.push(Block::Paragraph(inlines(&text.join("\n"))));
            at = end;
        }
    }
    blocks
}

/// Whether `line` ends a paragraph: blank, or the start of another block.
fn starts_block(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.is_empty()
        || fence(trimmed).is_some()
        || heading(trimmed).is_some()
        || is_rule(trimmed)
        || item(trimmed).is_some()
        || trimmed.starts_with('>')
}

fn fence(line: &str) -> Option<&'static str> {
    ["```", "~~~"].into_iter().find(|f| line.starts_with(f))
}

fn unindent(line: &str) -> &str {
    line.strip_prefix("    ")
        .or_else(|| line.strip_prefix('\t'))
        .unwrap_or(line)
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    let rest = &line[level..];
    ((1..=6).contains(&level) && (rest.is_empty() || rest.starts_with(' ')))
        .then(|| (level as u8, rest.trim().trim_end_matches('#').trim_end()))
}

fn is_rule(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() >= 3
        && ["-", "*", "_"]
            .iter()
            .any(|c| compact.chars().all(|x| x.to_string() == *c))
}

/// A list item's kind (numbered or not) and text.
fn item(line: &str) -> Option<(bool, &str)> {
    for bullet in ["- ", "* ", "+ "] {
        if let Some(text) = line.strip_prefix(bullet) {
            return Some((false, text));
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &line[digits..];
    (digits > 0 && digits <= 9 && (rest.starts_with(". ") || rest.starts_with(") ")))
        .then(|| (true, &rest[2..]))
}

/// Reads the inline parts of `text`.
pub fn inlines(text: &str) -> Vec<Inline> {
    Inlines::default().read(text, 0)
}

/// Inline parts being gathered: the text not yet closed into a part, and the parts.
#[derive(Default)]
struct Inlines {
    text: String,
    parts: Vec<Inline>,
}

impl Inlines {
    fn flush(&mut self) {
        if !self.text.is_empty() {
            self.parts
                .push(Inline::Text(std::mem::take(&mut self.text)));
        }
    }

    fn push(&mut self, part: Inline) {
        self.flush();
        self.parts.push(part);
    }

    fn read(mut self, text: &str, depth: usize) -> Vec<Inline> {
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some((part, after)) = inline_at(rest, depth) {
                self.push(part);
                rest = after;
            } else {
                self.text.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        self.flush();
        self.parts
    }
}

/// The inline part that starts `text`, if one does, and what follows it.
fn inline_at(text: &str, depth: usize) -> Option<(Inline, &str)> {
    let nested = |inner: &str| match depth < MAX_NESTING {
        true => Inlines::default().read(inner, depth + 1),
        false => vec![Inline::Text(inner.to_owned())],
    };
    if let Some(after) = text.strip_prefix('`') {
        let ticks = 1 + after.bytes().take(REACH).take_while(|&b| b == b'`').count();
        let fence = &text[..ticks];
        let body = &text[ticks..];
        let end = reach(body).find(fence)?;
        return Some((
            Inline::Code(body[..end].trim().to_owned()),
            &body[end + ticks..],
        ));
    }
    for marker in ["**", "__"] {
        if let Some(body) = text.strip_prefix(marker) {
            let end = reach(body).find(marker).filter(|&end| end > 0)?;
            return Some((Inline::Strong(nested(&body[..end])), &body[end + 2..]));
        }
    }
    for marker in ['*', '_'] {
        if let Some(body) = text.strip_prefix(marker) {
            if body.starts_with(char::is_whitespace) {
                return None;
            }
            let end = reach(body).find(marker).filter(|&end| end > 0)?;
            return Some((Inline::Emphasis(nested(&body[..end])), &body[end + 1..]));
        }
    }
    if let Some(body) = text.strip_prefix("![") {
        let (alt, src, after) = bracketed(body)?;
        return Some((
            Inline::Image {
                alt: alt.to_owned(),
                src: src.to_owned(),
            },
            after,
        ));
    }
    if let Some(body) = text.strip_prefix('[') {
        let (label, href, after) = bracketed(body)?;
        let href = openable(href)?;
        return Some((
            Inline::Link {
                text: nested(label),
                href: href.to_owned(),
            },
            after,
        ));
    }
    None
}

/// `label](target)` and what follows, for a `[` already read.
fn bracketed(body: &str) -> Option<(&str, &str, &str)> {
    let close = reach(body).find("](")?;
    let label = &body[..close];
    let target = &body[close + 2..];
    let end = reach(target).find(')')?;
    (!label.contains('\n') && !target[..end].contains(char::is_whitespace))
        .then(|| (label, &target[..end], &target[end + 1..]))
}

/// A link target the page may open in a new tab: `http`, `https` and `mailto` only.
pub fn openable(href: &str) -> Option<&str> {
    let lower = href.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        .then_some(href.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_owned())
    }

    trait ConcatText {
        fn concat_text(&self) -> String;
    }

    impl ConcatText for Vec<Inline> {
        /// The plain text of parts that are all text.
        fn concat_text(&self) -> String {
            self.iter()
                .map(|part| match part {
                    Inline::Text(text) => text.clone(),
                    other => panic!("not text: {other:?}"),
                })
                .collect()
        }
    }

    #[test]
    fn blocks_as_llms_write_them() {
        let doc = "# Plan\n\nFirst **do** this:\n\n1. read\n2. write\n\n- a\n- b\n\n```rust\nfn main() {}\n```\n\n> quoted\n\n---\nend";
        assert_eq!(
            parse(doc),
            vec![
                Block::Heading(1, vec![text("Plan")]),
                Block::Paragraph(vec![
                    text("First "),
                    Inline::Strong(vec![text("do")]),
                    text(" this:")
                ]),
                Block::List {
                    ordered: true,
                    items: vec![vec![text("read")], vec![text("write")]]
                },
                Block::List {
                    ordered: false,
                    items: vec![vec![text("a")], vec![text("b")]]
                },
                Block::Code {
                    lang: "rust".into(),
                    text: "fn main() {}".into()
                },
                Block::Quote(vec![text("quoted")]),
                Block::Rule,
                Block::Paragraph(vec![text("end")]),
            ]
        );
    }

    #[test]
    fn html_stays_text_and_only_web_links_link() {
        assert_eq!(
            inlines("<img src=x onerror=alert(1)> and <b>bold</b>"),
            vec![text("<img src=x onerror=alert(1)> and <b>bold</b>")]
        );
        assert_eq!(
            inlines("[docs](https://example.com/a) or [run](javascript:alert(1))"),
            vec![
                Inline::Link {
                    text: vec![text("docs")],
                    href: "https://example.com/a".into()
                },
                text(" or [run](javascript:alert(1))"),
            ]
        );
        assert_eq!(
            inlines("![chart](https://example.com/c.png)"),
            vec![Inline::Image {
                alt: "chart".into(),
                src: "https://example.com/c.png".into()
            }]
        );
    }

    #[test]
    fn code_spans_hold_markup_and_unclosed_markers_are_text() {
        assert_eq!(
            inlines("use `**x**` here, 2 * 3 and *open"),
            vec![
                text("use "),
                Inline::Code("**x**".into()),
                text(" here, 2 * 3 and *open")
            ]
        );
    }

    #[test]
    fn deep_nesting_and_long_input_stay_cheap() {
        let deep = format!("{}x{}", "*_".repeat(500), "_*".repeat(500));
        assert!(!inlines(&deep).is_empty());
        let long = "*a ".repeat(50_000);
        assert!(!parse(&long).is_empty());
        // Openings that never close are looked for a bounded way only.
        for opening in ["[", "`", "**", "![", "_"] {
            let text = opening.repeat(20_000);
            assert_eq!(inlines(&text).concat_text(), text);
        }
        let cut = format!("[{}](https://x", "é".repeat(3_000));
        assert_eq!(inlines(&cut).concat_text(), cut);
    }
}
