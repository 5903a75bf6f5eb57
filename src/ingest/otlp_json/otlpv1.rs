//! Phoenix's `GET /v1/projects/{id}/spans/otlpv1`: one page of a project's spans as OTLP spans,
//! `{"data": [span, ...], "next_cursor": "..."}`.
//!
//! Each span is an OTLP/JSON `Span` with snake_case keys (`trace_id`, `start_time_unix_nano`)
//! and every field written, the unused ones as null; an attribute's value carries all seven
//! `*_value` fields, six of them null. The spans are read by the same visitors as any OTLP/JSON
//! span and stored one at a time as they are parsed, so a page costs the memory of one span.
//!
//! Phoenix writes ids as hex (its database's form; its schema's pattern says base64, which reads
//! too). The page names no resource and no scope, so its spans belong to the project `default`,
//! as every Phoenix export's do (the project is in the URL, not in the body). Phoenix 20.26
//! writes every span's `kind` as `SPAN_KIND_INTERNAL` and no links; the OpenInference kind is in
//! the attributes (`openinference.span.kind`).
//!
//! A page with a `next_cursor` is one of several: that is a warning, as for the other REST
//! answer ([`crate::ingest::phoenix`]). A fault stops the reading at its JSON path; the spans
//! before it stay.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{JString, JsonSpan};
use crate::ingest::error::{Located, Place, Problem};
use crate::ingest::otlp::{Origin, SpanWriter};
use crate::ingest::phoenix::more_pages;
use crate::model::ArenaFull;

/// Reads a page and stores its spans.
pub(crate) fn read(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    let mut store = Store {
        writer,
        stored: 0,
        full: false,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = PageSeed { store: &mut store }
        .deserialize(&mut deserializer)
        .and_then(|page| deserializer.end().map(|()| page));
    let Store {
        writer,
        stored,
        full,
    } = store;
    match parsed {
        Ok(page) => page.finish(writer),
        Err(_) if full => Err(ArenaFull.into()),
        Err(fast_error) => {
            let located = super::locate_json_error(bytes, &fast_error);
            // Spans before the fault stay; the fault is reported where it is.
            if stored > 0 {
                writer.errors.push(located);
                Ok(())
            } else {
                Err(located)
            }
        }
    }
}

/// Where the spans go as they are parsed: into the arena; `stored` counts them, `full` is set
/// when the arena filled up.
struct Store<'w, 'a> {
    writer: &'w mut SpanWriter<'a>,
    stored: usize,
    full: bool,
}

impl Store<'_, '_> {
    /// Stores `data[index]`, alone in a batch without resource or scope.
    fn accept(&mut self, span: &JsonSpan<'_>, index: usize) -> Result<(), ArenaFull> {
        let Store {
            writer,
            stored,
            full,
        } = self;
        let origin = Origin::record(Place::path(format!("data[{index}]")), index as u64);
        writer
            .write_span(span, &origin)
            .inspect_err(|_| *full = true)?;
        *stored += 1;
        Ok(())
    }
}

/// What the page held besides its spans.
struct Page {
    has_data: bool,
    next_cursor: Option<String>,
    other_keys: Vec<String>,
}

impl Page {
    /// Reports a page without `data`, and a page that is not the last.
    fn finish(self, writer: &mut SpanWriter<'_>) -> Result<(), Located> {
        if !self.has_data {
            return Err(Located::file(Problem::NotRecognized(format!(
                "a Phoenix spans page without \"data\"; top-level keys: {}",
                self.other_keys.join(", ")
            ))));
        }
        if let Some(cursor) = self.next_cursor.filter(|c| !c.is_empty()) {
            writer.warnings.push(more_pages(&cursor));
        }
        Ok(())
    }
}

/// The top level: `{data, next_cursor}`.
struct PageSeed<'s, 'w, 'a> {
    store: &'s mut Store<'w, 'a>,
}

impl<'de> DeserializeSeed<'de> for PageSeed<'_, '_, '_> {
    type Value = Page;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Page, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'_, '_, '_> {
    type Value = Page;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Phoenix spans page: {\"data\": [span, ...], \"next_cursor\": ...}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page, A::Error> {
        let mut page = Page {
            has_data: false,
            next_cursor: None,
            other_keys: Vec::new(),
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "data" => {
                    page.has_data = true;
                    map.next_value_seed(SpansSeed {
                        store: &mut *self.store,
                    })?;
                }
                "next_cursor" => page.next_cursor = Some(map.next_value::<JString>()?.0),
                _ => {
                    if page.other_keys.len() < 8 {
                        page.other_keys.push(key.chars().take(40).collect());
                    }
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(page)
    }
}

/// The `data` array, each span handed to the store as soon as it is parsed.
struct SpansSeed<'s, 'w, 'a> {
    store: &'s mut Store<'w, 'a>,
}

impl<'de> DeserializeSeed<'de> for SpansSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SpansSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of OTLP spans")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(span) = seq.next_element::<JsonSpan>()? {
            self.store
                .accept(&span, index)
                .map_err(|full| de::Error::custom(full.to_string()))?;
            index += 1;
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Arena, Format};

    fn load(json: &str) -> (Arena, crate::ingest::FileReport) {
        let mut arena = Arena::default();
        let report = crate::ingest::load_as(
            &mut arena,
            "page.json",
            json.as_bytes(),
            Format::PhoenixOtlpJson,
        );
        (arena, report)
    }

    const SPAN: &str = r#"{"trace_id":"3a34990d3bcc7893ef125bc4b7879ed7","span_id":"f4067ff1516df620",
        "parent_span_id":null,"name":"chat","kind":"SPAN_KIND_INTERNAL","links":null,"events":null,
        "start_time_unix_nano":1795842428092102912,"end_time_unix_nano":1795842428212363008,
        "status":{"code":2,"message":"boom"},"attributes":[{"key":"llm.token_count.prompt","value":
        {"array_value":null,"bool_value":null,"bytes_value":null,"double_value":null,
         "int_value":93,"kvlist_value":null,"string_value":null}}]}"#;

    #[test]
    fn a_page_of_spans_with_null_fields() {
        let (arena, report) = load(&format!(r#"{{"data":[{SPAN}],"next_cursor":null}}"#));
        assert!(report.is_ok(), "{:?}", report.errors);
        assert_eq!((report.spans, report.warnings.len()), (1, 0));
        let span = &arena.spans()[0];
        assert_eq!(span.span_id.to_string(), "f4067ff1516df620");
        assert_eq!(span.parent_span_id, None);
        assert_eq!(span.status_code, crate::model::StatusCode::Error);
        let attributes = crate::attributes::flat_map(&arena, span.attributes);
        assert_eq!(
            attributes.get("llm.token_count.prompt"),
            Some(&crate::attributes::Value::Int(93)),
            "the null fields after int_value do not undo it"
        );
    }

    #[test]
    fn a_page_that_is_not_the_last_says_so() {
        let (_, report) = load(&format!(r#"{{"data":[{SPAN}],"next_cursor":"U3Bhbjoy"}}"#));
        assert_eq!(report.spans, 1);
        assert_eq!(
            report.warnings[0].place.json_path.as_deref(),
            Some("next_cursor")
        );
    }

    #[test]
    fn faults_are_placed_and_earlier_spans_stay() {
        let bad = SPAN.replace("f4067ff1516df620", "not-an-id");
        let (_, report) = load(&format!(r#"{{"data":[{SPAN},{bad}]}}"#));
        assert_eq!(report.spans, 1);
        assert_eq!(
            report.errors[0].place.json_path.as_deref(),
            Some("data[1].span_id"),
            "{:?}",
            report.errors
        );
        let (arena, report) = load(&format!(r#"{{"data":[{bad}]}}"#));
        assert_eq!((report.spans, arena.spans().len()), (0, 0));
        assert!(matches!(report.errors[0].problem, Problem::Json(_)));
        let (_, report) = load(r#"{"items":[]}"#);
        assert!(
            report.errors[0].to_string().contains("without \"data\""),
            "{:?}",
            report.errors
        );
        let (_, report) = load(r#"[1, 2]"#);
        assert!(matches!(report.errors[0].problem, Problem::Json(_)));
    }

    #[test]
    fn a_span_without_ids_is_placed_by_its_index() {
        let (_, report) = load(&format!(
            r#"{{"data":[{SPAN},{{"name":"no ids","trace_id":null,"span_id":null}}]}}"#
        ));
        assert_eq!(report.spans, 1);
        assert_eq!(report.errors[0].place.json_path.as_deref(), Some("data[1]"));
    }

    #[test]
    fn a_page_without_data_names_up_to_eight_of_its_keys() {
        let keys: Vec<String> = (0..10).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let (_, report) = load(&format!("{{{}}}", keys.join(",")));
        let error = report.errors.first().map(|e| e.problem.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.ends_with("top-level keys: k0, k1, k2, k3, k4, k5, k6, k7)")),
            "{error:?}"
        );
    }

    #[test]
    fn a_page_broken_before_any_span_keeps_nothing_and_says_what_a_page_is() {
        let (arena, report) = load(r#"{"data":[{"trace_id":"xyz"}]}"#);
        assert_eq!((report.spans, report.errors.len()), (0, 1));
        assert!(
            arena.sources().is_empty(),
            "the file is rolled back as a whole"
        );
        let (_, report) = load("5");
        let error = report.errors.first().map(|e| e.problem.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|m| m.contains("a Phoenix spans page")),
            "{error:?}"
        );
    }
}
