//! Server-sent events as they arrive in chunks (the `text/event-stream` format of the HTML
//! standard): lines gathered across chunks, `event:` and `data:` fields, a blank line ending
//! each event, comments (`:`) and other fields ignored.

/// The text of a stream of server-sent events, read chunk by chunk.
#[derive(Default)]
pub struct EventText {
    /// Bytes of a line not ended yet.
    line: Vec<u8>,
    /// The event being gathered: its type and data.
    kind: String,
    data: String,
    /// The last chunk ended in `\r`: a `\n` starting the next one ends no line.
    after_cr: bool,
}

impl EventText {
    /// The events that `chunk` completes, as `(type, data)` (type `message` when unnamed).
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<(String, String)> {
        let mut events = Vec::new();
        for &byte in chunk {
            let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
            match byte {
                b'\n' if after_cr => {}
                b'\n' | b'\r' => {
                    let line = std::mem::take(&mut self.line);
                    if let Some(event) = self.line_ended(&String::from_utf8_lossy(&line)) {
                        events.push(event);
                    }
                }
                _ => self.line.push(byte),
            }
        }
        events
    }

    fn line_ended(&mut self, line: &str) -> Option<(String, String)> {
        if line.is_empty() {
            let kind = std::mem::take(&mut self.kind);
            let mut data = std::mem::take(&mut self.data);
            if data.is_empty() {
                return None;
            }
            data.pop();
            let kind = if kind.is_empty() {
                "message".into()
            } else {
                kind
            };
            return Some((kind, data));
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.kind = value.to_owned(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_read_across_chunks_and_line_ends() {
        let mut text = EventText::default();
        let stream = "event: kept\ndata: {\"files\":\r\ndata: []}\r\n\r\n: keep-alive\n\ndata: plain\r\rid: 7\nevent: problem\ndata: no disk\n\n";
        // Every split of the stream gives the same events.
        for split in 0..stream.len() {
            let (a, b) = stream.as_bytes().split_at(split);
            let mut events = text.feed(a);
            events.extend(text.feed(b));
            assert_eq!(
                events,
                [
                    ("kept".to_owned(), "{\"files\":\n[]}".to_owned()),
                    ("message".to_owned(), "plain".to_owned()),
                    ("problem".to_owned(), "no disk".to_owned()),
                ],
                "split at {split}"
            );
        }
    }

    #[test]
    fn text_broken_inside_a_character_reads_whole() {
        let mut text = EventText::default();
        let bytes = "data: café\n\n".as_bytes();
        let mut events = text.feed(&bytes[..9]);
        events.extend(text.feed(&bytes[9..]));
        assert_eq!(events, [("message".to_owned(), "café".to_owned())]);
    }
}
