//! What changed between two texts, word by word (Myers' O(ND) difference algorithm over words,
//! spaces and punctuation), and between two JSON values, key by key. Both are bounded: past
//! [`MAX_EDITS`] word edits a text is said replaced whole, past [`MAX_KEY_CHANGES`] key changes
//! the rest is counted, so no pair of model calls makes the worker work for long.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// Most word edits looked for before a text is said replaced whole.
pub const MAX_EDITS: usize = 600;

/// Most words (and spaces and punctuation) compared on each side, past what both share at their
/// start and end; a longer text is said replaced whole (the search is O(words × edits)).
pub const MAX_TOKENS: usize = 20_000;

/// Most key changes listed.
pub const MAX_KEY_CHANGES: usize = 200;

/// Whether a piece of text is in both, only the first or only the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// In both.
    Same,
    /// Only in the first (the base).
    Removed,
    /// Only in the second (the other).
    Added,
}

/// A run of text with one [`Change`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Piece {
    /// How it changed.
    pub change: Change,
    /// The text.
    pub text: String,
}

/// The pieces of `before` and `after`, in order: `Same` and `Removed` pieces spell `before`,
/// `Same` and `Added` ones spell `after`.
pub fn words(before: &str, after: &str) -> Vec<Piece> {
    let a = tokens(before);
    let b = tokens(after);
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (middle_a, middle_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut pieces = Vec::new();
    push(&mut pieces, Change::Same, &a[..prefix]);
    let bounded = middle_a.len() <= MAX_TOKENS && middle_b.len() <= MAX_TOKENS;
    match edits(middle_a, middle_b).filter(|_| bounded) {
        Some(script) => {
            for (change, range) in script {
                let side = if change == Change::Added {
                    middle_b
                } else {
                    middle_a
                };
                push(&mut pieces, change, &side[range]);
            }
        }
        None => {
            push(&mut pieces, Change::Removed, middle_a);
            push(&mut pieces, Change::Added, middle_b);
        }
    }
    push(&mut pieces, Change::Same, &a[a.len() - suffix..]);
    joined_across_spaces(pieces)
}

/// Changes separated only by white space read as one change (`the weather like` struck out
/// whole, not word by word): the space joins both sides of the change.
fn joined_across_spaces(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out = Vec::with_capacity(pieces.len());
    let mut i = 0;
    while i < pieces.len() {
        if pieces[i].change == Change::Same {
            out.push(pieces[i].clone());
            i += 1;
            continue;
        }
        let (mut removed, mut added) = (String::new(), String::new());
        loop {
            let piece = &pieces[i];
            match piece.change {
                Change::Removed => removed.push_str(&piece.text),
                Change::Added => added.push_str(&piece.text),
                Change::Same => {
                    removed.push_str(&piece.text);
                    added.push_str(&piece.text);
                }
            }
            i += 1;
            let changed = |at: usize| pieces.get(at).is_some_and(|p| p.change != Change::Same);
            let space = |at: usize| pieces.get(at).is_some_and(|p| p.text.trim().is_empty());
            if !(changed(i) || (space(i) && changed(i + 1))) {
                break;
            }
        }
        for (change, text) in [(Change::Removed, removed), (Change::Added, added)] {
            if !text.is_empty() {
                out.push(Piece { change, text });
            }
        }
    }
    out
}

/// Words (letters and digits), runs of white space, and every other character alone.
fn tokens(text: &str) -> Vec<&str> {
    let class = |c: char| match () {
        _ if c.is_alphanumeric() || c == '_' => 0,
        _ if c.is_whitespace() => 1,
        _ => 2,
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut last: Option<u8> = None;
    for (at, c) in text.char_indices() {
        let now = class(c);
        if last.is_some_and(|l| l != now || now == 2) {
            out.push(&text[start..at]);
            start = at;
        }
        last = Some(now);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Appends `tokens` as one piece, joined to the last piece when it has the same change.
fn push(pieces: &mut Vec<Piece>, change: Change, tokens: &[&str]) {
    if tokens.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(last) if last.change == change => last.text.extend(tokens.iter().copied()),
        _ => pieces.push(Piece {
            change,
            text: tokens.concat(),
        }),
    }
}

type Script = Vec<(Change, std::ops::Range<usize>)>;

/// The shortest edit script from `a` to `b` as runs over `a` (same, removed) and `b` (added),
/// or `None` past [`MAX_EDITS`] edits (or [`MAX_TOKENS`] tokens). Myers (1986), forward only,
/// keeping each round's furthest reaching points (diagonals −d…d, all a round can read) to walk
/// back.
fn edits(a: &[&str], b: &[&str]) -> Option<Script> {
    if a.len() > MAX_TOKENS || b.len() > MAX_TOKENS {
        return None;
    }
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m).min(MAX_EDITS as isize);
    let offset = max + 1;
    let mut v = vec![0isize; 2 * offset as usize + 1];
    let mut rounds: Vec<Vec<isize>> = Vec::new();
    for d in 0..=max {
        rounds.push(v[(offset - d) as usize..=(offset + d) as usize].to_vec());
        for k in (-d..=d).step_by(2) {
            let at = |k: isize| (k + offset) as usize;
            let mut x = if k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]) {
                v[at(k + 1)]
            } else {
                v[at(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[at(k)] = x;
            if x >= n && y >= m {
                return Some(walk_back(&rounds, d, k, n, m));
            }
        }
    }
    None
}

/// The script found at round `d` on diagonal `k`, read back from the rounds before it (round
/// `d` holds diagonals −d…d as they were when it began).
fn walk_back(rounds: &[Vec<isize>], d: isize, k: isize, n: isize, m: isize) -> Script {
    let mut steps: Vec<(Change, usize)> = Vec::new();
    let (mut x, mut y, mut k) = (n, m, k);
    for d in (1..=d).rev() {
        let v = &rounds[d as usize];
        let at = |k: isize| (k + d) as usize;
        let down = k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]);
        let previous_k = if down { k + 1 } else { k - 1 };
        let previous_x = v[at(previous_k)];
        let previous_y = previous_x - previous_k;
        while x > previous_x && y > previous_y {
            x -= 1;
            y -= 1;
            steps.push((Change::Same, x as usize));
        }
        if down {
            y -= 1;
            steps.push((Change::Added, y as usize));
        } else {
            x -= 1;
            steps.push((Change::Removed, x as usize));
        }
        k = previous_k;
    }
    while x > 0 && y > 0 {
        x -= 1;
        y -= 1;
        steps.push((Change::Same, x as usize));
    }
    steps.reverse();
    let mut script: Script = Vec::new();
    for (change, index) in steps {
        match script.last_mut() {
            Some((last, range)) if *last == change && range.end == index => range.end += 1,
            _ => script.push((change, index..index + 1)),
        }
    }
    script
}

/// A key whose value differs between two JSON values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyChange {
    /// Where: `location`, `messages[0].content`; empty for the value itself.
    pub path: String,
    /// The value in the first, as compact JSON; `None`: added.
    pub before: Option<String>,
    /// The value in the second; `None`: removed.
    pub after: Option<String>,
}

/// What differs between `before` and `after`, key by key (objects by key, arrays by position),
/// at most [`MAX_KEY_CHANGES`]; and how many more changes there were.
pub fn keys(before: &Json, after: &Json) -> (Vec<KeyChange>, usize) {
    let mut found = KeyChanges::default();
    found.walk(before, after, &mut String::new());
    (found.listed, found.more)
}

/// Text read as JSON when it is JSON, else as a JSON string.
pub fn json_of(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_owned()))
}

#[derive(Default)]
struct KeyChanges {
    listed: Vec<KeyChange>,
    more: usize,
}

impl KeyChanges {
    fn walk(&mut self, before: &Json, after: &Json, path: &mut String) {
        match (before, after) {
            (Json::Object(a), Json::Object(b)) => {
                for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    self.pair(a.get(key), b.get(key), path);
                    path.truncate(len);
                }
            }
            (Json::Array(a), Json::Array(b)) => {
                for i in 0..a.len().max(b.len()) {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    self.pair(a.get(i), b.get(i), path);
                    path.truncate(len);
                }
            }
            (a, b) if a == b => {}
            (a, b) => self.change(path, Some(a), Some(b)),
        }
    }

    fn pair(&mut self, before: Option<&Json>, after: Option<&Json>, path: &mut String) {
        match (before, after) {
            (Some(a), Some(b)) => self.walk(a, b, path),
            (a, b) => self.change(path, a, b),
        }
    }

    fn change(&mut self, path: &str, before: Option<&Json>, after: Option<&Json>) {
        if self.listed.len() < MAX_KEY_CHANGES {
            self.listed.push(KeyChange {
                path: path.to_owned(),
                before: before.map(Json::to_string),
                after: after.map(Json::to_string),
            });
        } else {
            self.more += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spelled(pieces: &[Piece], skip: Change) -> String {
        pieces
            .iter()
            .filter(|p| p.change != skip)
            .map(|p| p.text.as_str())
            .collect()
    }

    #[test]
    fn words_changed_are_marked_and_both_texts_spelled() {
        let before = "What's the weather like in Paris right now?";
        let after = "Is it warm enough in Paris for a picnic today?";
        let pieces = words(before, after);
        assert_eq!(spelled(&pieces, Change::Added), before);
        assert_eq!(spelled(&pieces, Change::Removed), after);
        assert!(pieces.contains(&Piece {
            change: Change::Same,
            text: " in Paris ".into()
        }));
        assert!(pieces.contains(&Piece {
            change: Change::Removed,
            text: "What's the weather like".into()
        }));
        assert!(pieces.contains(&Piece {
            change: Change::Added,
            text: "for a picnic today".into()
        }));
    }

    #[test]
    fn one_word_swapped() {
        assert_eq!(
            words("it is 18°C and sunny", "it is 18°C and cloudy"),
            [
                Piece {
                    change: Change::Same,
                    text: "it is 18°C and ".into()
                },
                Piece {
                    change: Change::Removed,
                    text: "sunny".into()
                },
                Piece {
                    change: Change::Added,
                    text: "cloudy".into()
                },
            ]
        );
        assert_eq!(
            words("same", "same"),
            [Piece {
                change: Change::Same,
                text: "same".into()
            }]
        );
        assert!(words("", "").is_empty());
    }

    #[test]
    fn the_script_is_a_shortest_one() {
        // Against a plain longest-common-subsequence count on short word lists.
        let lcs = |a: &[&str], b: &[&str]| {
            let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    table[i][j] = match a[i - 1] == b[j - 1] {
                        true => table[i - 1][j - 1] + 1,
                        false => table[i - 1][j].max(table[i][j - 1]),
                    };
                }
            }
            table[a.len()][b.len()]
        };
        let lists = [
            "a b c a b b a",
            "c b a b a c",
            "x",
            "",
            "a a a b",
            "b a a a",
            "q w e r t y",
        ];
        for before in lists {
            for after in lists {
                let (a, b) = (tokens(before), tokens(after));
                let same: usize = (edits(&a, &b).expect("within the bound").into_iter())
                    .filter(|(change, _)| *change == Change::Same)
                    .map(|(_, range)| range.len())
                    .sum();
                assert_eq!(same, lcs(&a, &b), "{before:?} → {after:?}");
            }
        }
    }

    #[test]
    fn past_the_edit_bound_a_text_is_replaced_whole() {
        let before: String = (0..2000).map(|i| format!("a{i} ")).collect();
        let after: String = (0..2000).map(|i| format!("b{i} ")).collect();
        let pieces = words(&before, &after);
        assert_eq!(spelled(&pieces, Change::Added), before);
        assert_eq!(spelled(&pieces, Change::Removed), after);
        assert!(pieces.len() <= 3, "{}", pieces.len());
        // Past the token bound too, however few the edits.
        let long: String = (0..MAX_TOKENS).map(|i| format!("w{i} ")).collect();
        let pieces = words(&format!("x {long}"), &format!("y {long}z"));
        assert_eq!(spelled(&pieces, Change::Added), format!("x {long}"));
        assert!(pieces.len() <= 3, "{}", pieces.len());
    }

    #[test]
    fn any_texts_are_spelled_back() {
        let texts = [
            "",
            "a",
            "a b",
            "b a",
            "héllo, wörld!",
            "a\n\nb c",
            "x y z x y z",
        ];
        for before in texts {
            for after in texts {
                let pieces = words(before, after);
                assert_eq!(spelled(&pieces, Change::Added), before);
                assert_eq!(spelled(&pieces, Change::Removed), after);
                for pair in pieces.windows(2) {
                    assert_ne!(pair[0].change, pair[1].change);
                }
            }
        }
    }

    #[test]
    fn keys_added_removed_and_changed() {
        let (changes, more) = keys(
            &json!({"location": "Paris, France", "unit": "celsius", "days": [1, 2]}),
            &json!({"location": "Lyon", "days": [1, 3, 4], "detail": true}),
        );
        let shown: Vec<(&str, Option<&str>, Option<&str>)> = changes
            .iter()
            .map(|c| (c.path.as_str(), c.before.as_deref(), c.after.as_deref()))
            .collect();
        assert_eq!(
            shown,
            [
                ("location", Some("\"Paris, France\""), Some("\"Lyon\"")),
                ("unit", Some("\"celsius\""), None),
                ("days[1]", Some("2"), Some("3")),
                ("days[2]", None, Some("4")),
                ("detail", None, Some("true")),
            ]
        );
        assert_eq!(more, 0);
        assert_eq!(keys(&json!(1), &json!(1)).0, []);
        assert_eq!(keys(&json!("a"), &json!([1])).0[0].path, "");
    }

    #[test]
    fn key_changes_are_bounded() {
        let a: Vec<u32> = (0..500).collect();
        let b: Vec<u32> = (1..501).collect();
        let (changes, more) = keys(&json!(a), &json!(b));
        assert_eq!((changes.len(), more), (MAX_KEY_CHANGES, 300));
    }
}
