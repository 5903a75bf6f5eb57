//! What to say when a link names something this browser does not hold: a headline that names
//! it (ids shortened), and why it may be so.

use crate::engine::protocol::Missing;
use crate::present::format;

/// The headline and the explanation for `missing`.
pub fn explain(missing: &Missing) -> (String, String) {
    match missing {
        Missing::Trace(id) => (
            format!("Trace {} isn't loaded in this browser", short_id(id)),
            match looks_like_id(id, &[16, 32]) {
                true => "A link to a trace opens where the file holding it has been loaded, or kept in this browser. Open that file, or pick a trace from the projects.".to_owned(),
                false => format!("“{}” is not a trace id either: trace ids are 32 hexadecimal digits (16 in some Jaeger and Zipkin files).", clipped(id)),
            },
        ),
        Missing::Span { trace_id, span_id } => (
            format!("Span {} isn't in trace {}", short_id(span_id), short_id(trace_id)),
            match looks_like_id(span_id, &[16]) {
                true => "The trace is loaded, but not this span of it: it may be in another file of the same trace.".to_owned(),
                false => format!("“{}” is not a span id: span ids are 16 hexadecimal digits.", clipped(span_id)),
            },
        ),
        Missing::Project(name) => (
            format!("Project {} isn't loaded in this browser", clipped(name)),
            "No trace loaded here belongs to it. Open its files, or pick one of the projects.".to_owned(),
        ),
        Missing::Session { project, session } => (
            format!("Session {} isn't in project {}", clipped(session), clipped(project)),
            "No trace of the project carries this session.id.".to_owned(),
        ),
    }
}

/// An id as a headline shows it: whole up to 16 characters, else the first 12 and `…`.
fn short_id(id: &str) -> String {
    match id.chars().count() {
        n if n > 16 => format!("{}…", format::short_id(id)),
        _ => id.to_owned(),
    }
}

/// Text from a link, at most 80 characters.
fn clipped(text: &str) -> String {
    match text.chars().count() {
        n if n > 80 => format!("{}…", text.chars().take(79).collect::<String>()),
        _ => text.to_owned(),
    }
}

fn looks_like_id(id: &str, lengths: &[usize]) -> bool {
    lengths.contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_trace_is_named_short_and_a_malformed_id_is_pointed_out() {
        let (headline, why) = explain(&Missing::Trace("0123456789abcdef0123456789abcdef".into()));
        assert_eq!(headline, "Trace 0123456789ab… isn't loaded in this browser");
        assert!(why.starts_with("A link to a trace opens"), "{why}");
        let (headline, why) = explain(&Missing::Trace("0000".into()));
        assert_eq!(headline, "Trace 0000 isn't loaded in this browser");
        assert!(why.contains("“0000” is not a trace id"), "{why}");
    }

    #[test]
    fn a_span_a_project_and_a_session_are_named() {
        let span = Missing::Span {
            trace_id: "3a34990d3bcc7893ef125bc4b7879ed7".into(),
            span_id: "0011223344556677".into(),
        };
        assert_eq!(
            explain(&span).0,
            "Span 0011223344556677 isn't in trace 3a34990d3bcc…"
        );
        assert!(explain(&span).1.contains("another file"));
        let bad_span = Missing::Span {
            trace_id: "ab".into(),
            span_id: "x".into(),
        };
        assert!(explain(&bad_span).1.contains("not a span id"));
        let long = "p".repeat(200);
        let (headline, _) = explain(&Missing::Project(long));
        assert!(headline.chars().count() < 130, "{headline}");
        let session = Missing::Session {
            project: "demo".into(),
            session: "s1".into(),
        };
        assert_eq!(explain(&session).0, "Session s1 isn't in project demo");
    }
}
