//! Any text as a message's Markdown: reading it must never panic, and nothing it keeps as a link
//! may be anything but `http`, `https` or `mailto`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::present::markdown::{self, Block, Inline};

fn check(parts: &[Inline]) {
    for part in parts {
        match part {
            Inline::Link { text, href } => {
                assert!(markdown::openable(href).is_some(), "{href}");
                check(text);
            }
            Inline::Strong(inner) | Inline::Emphasis(inner) => check(inner),
            _ => {}
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    for block in markdown::parse(&text) {
        match block {
            Block::Heading(_, parts) | Block::Paragraph(parts) | Block::Quote(parts) => check(&parts),
            Block::List { items, .. } => items.iter().for_each(|item| check(item)),
            Block::Code { .. } | Block::Rule => {}
        }
    }
});
