//! What untrusted message content meets besides the readers: two texts diffed word by word and
//! key by key (both sides spelled back, bounded), and an image URL or inline audio checked
//! before it is shown.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::analysis::diff::{self, Change};
use plume::present::media;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let (before, after) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(at, _)| at));
    let pieces = diff::words(before, after);
    let spelled = |skip: Change| -> String {
        pieces.iter().filter(|p| p.change != skip).map(|p| p.text.as_str()).collect()
    };
    assert_eq!(spelled(Change::Added), before);
    assert_eq!(spelled(Change::Removed), after);
    let (changes, more) = diff::keys(&diff::json_of(before), &diff::json_of(after));
    assert!(changes.len() <= diff::MAX_KEY_CHANGES && (more == 0 || changes.len() == diff::MAX_KEY_CHANGES));
    let _ = media::image_source(&text);
    let _ = media::image_source(&format!("data:image/png;base64,{text}"));
    let _ = media::audio_source(Some(before), after);
});
