//! The JSON path of the place a `serde_json` error points at (`resourceSpans[0].scopeSpans[1]
//! .spans[3].traceId`), found by scanning the document's structure up to that place: keys and
//! indexes only, no values built. A fault's path costs one pass over the bytes before it, and no
//! second, path-tracking copy of every reader's code.

/// One open object or array.
#[derive(Clone)]
enum Frame {
    /// An object, and the key whose value the scan is in (`None` between members).
    Object { key: Option<String>, colon: bool },
    /// An array, the index of the element the scan is at, and whether that element has begun.
    Array { index: usize, begun: bool },
}

/// The path to what `error` points at in `bytes`; `None` when it points at the top level or
/// nowhere.
pub(crate) fn path_of(bytes: &[u8], error: &serde_json::Error) -> Option<String> {
    path_at_place(bytes, error.line(), error.column())
}

/// The path at serde_json's place `line` (1-based; 0 for none) and `column` in `bytes`.
fn path_at_place(bytes: &[u8], line: usize, column: usize) -> Option<String> {
    let end = offset_of_place(bytes, line, column)?;
    let path = path_at(&bytes[..end]);
    (!path.is_empty()).then_some(path)
}

/// Where in `bytes` serde_json's place `line` (1-based; 0 for none) and `column` (the bytes
/// before the place on its line) is.
pub(crate) fn offset_of_place(bytes: &[u8], line: usize, column: usize) -> Option<usize> {
    let line_start = match line {
        0 => return None,
        1 => 0,
        line => memchr::memchr_iter(b'\n', bytes)
            .nth(line - 2)
            .map_or(bytes.len(), |newline| newline + 1),
    };
    Some((line_start + column).min(bytes.len()))
}

/// The path at the end of `bytes`, a cut-off JSON document.
pub(crate) fn path_at(bytes: &[u8]) -> String {
    let mut scan = PathScan::default();
    scan.feed(bytes);
    scan.path()
}

/// The structure of a document scanned so far, fed in pieces that do not cut a string: what
/// [`path_at`] keeps, for a document that is never whole ([`super::otlp_json::DocumentStream`]).
#[derive(Clone, Default)]
pub(crate) struct PathScan {
    stack: Vec<Frame>,
}

impl PathScan {
    /// Scans the next bytes of the document.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        let stack = &mut self.stack;
        let mut at = 0;
        while let Some(&byte) = bytes.get(at) {
            at += 1;
            if !matches!(byte, b',' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                && let Some(Frame::Array { begun, .. }) = stack.last_mut()
            {
                *begun = true;
            }
            match byte {
                b'"' => {
                    let start = at;
                    at = string_end(bytes, at);
                    let is_key = matches!(stack.last(), Some(Frame::Object { colon: false, .. }));
                    // A key cut off by the end is not a key yet.
                    if let (true, Some(Frame::Object { key, .. })) =
                        (is_key && at <= bytes.len(), stack.last_mut())
                    {
                        *key = Some(unescape(&bytes[start..at - 1]));
                    }
                }
                b'{' => stack.push(Frame::Object {
                    key: None,
                    colon: false,
                }),
                b'[' => stack.push(Frame::Array {
                    index: 0,
                    begun: false,
                }),
                b'}' | b']' => {
                    stack.pop();
                }
                b':' => {
                    if let Some(Frame::Object { colon, .. }) = stack.last_mut() {
                        *colon = true;
                    }
                }
                b',' => match stack.last_mut() {
                    Some(Frame::Object { key, colon }) => {
                        *key = None;
                        *colon = false;
                    }
                    Some(Frame::Array { index, begun }) => {
                        *index += 1;
                        *begun = false;
                    }
                    None => {}
                },
                _ => {}
            }
        }
    }

    /// The path the scan is at: keys and indexes, `a[1].b`.
    pub(crate) fn path(&self) -> String {
        let mut path = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Object { key: Some(key), .. } => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Frame::Object { key: None, .. } => {}
                Frame::Array { index, begun: true } => path.push_str(&format!("[{index}]")),
                Frame::Array { begun: false, .. } => {}
            }
        }
        path
    }
}

/// One past the closing quote of the string whose content starts at `at` (past the end when it
/// is cut off).
fn string_end(bytes: &[u8], mut at: usize) -> usize {
    while let Some(&byte) = bytes.get(at) {
        at += 1;
        match byte {
            b'"' => return at,
            b'\\' => at += 1,
            _ => {}
        }
    }
    bytes.len() + 1
}

/// A key's text: escapes undone as JSON defines them (a key that is not valid JSON text is
/// shown as it is written).
fn unescape(raw: &[u8]) -> String {
    let quoted = [b"\"", raw, b"\""].concat();
    serde_json::from_slice::<String>(&quoted)
        .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_keys_and_indexes() {
        assert_eq!(path_at(br#"{"a":[1,{"b":"x"#), "a[1].b");
        // An array whose next element has not begun is where the fault is.
        assert_eq!(path_at(br#"{"a":[{"b":[ "#), "a[0].b");
        assert_eq!(path_at(br#"{"a":[1, "#), "a");
        assert_eq!(path_at(br#"{"a":[1,{"b":"x"}"#), "a[1]");
        assert_eq!(path_at(br#"{"a":{"b":1},"#), "");
        assert_eq!(path_at(br#"{"a":{"b":1},"c""#), "c");
        assert_eq!(path_at(br#"{"a":{"b":1},"c":"#), "c");
        assert_eq!(
            path_at(br#"[{}, {"k\"ey\u0041": "va,l]ue""#),
            r#"[1].k"eyA"#
        );
        assert_eq!(path_at(br#"{"a":"\""#), "a");
        assert_eq!(path_at(br#"{"cut"#), "");
        assert_eq!(path_at(b""), "");
        // Unbalanced closers are not trusted past the top.
        assert_eq!(path_at(b"]]{\"a\":"), "a");
    }

    #[test]
    fn a_serde_json_error_is_placed_on_its_line() {
        let text = "{\n  \"spans\": [\n    {\"id\": 1},\n    {\"id\": \"two\"}\n  ]\n}";
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Span {
            id: u32,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Doc {
            spans: Vec<Span>,
        }
        let error = serde_json::from_str::<Doc>(text).expect_err("a string id");
        assert_eq!(
            path_of(text.as_bytes(), &error).as_deref(),
            Some("spans[1].id")
        );
        let error = serde_json::from_str::<Doc>("\"text\"").expect_err("not an object");
        assert_eq!(path_of(b"\"text\"", &error), None);
    }
}
