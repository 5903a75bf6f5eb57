//! Numbers as people read them: durations, times, sizes, counts.

use crate::engine::protocol::{FileResult, FlameBoxView, SearchReading};
use crate::model::Usd;
use crate::model::format_rfc3339_nanos;
use crate::semantics::CostTotal;

/// A duration in the unit that suits it: `850ns`, `12.3µs`, `4.56ms`, `1.23s`, `2m 05s`, `1h 02m`.
pub fn duration(nanos: u64) -> String {
    const US: u64 = 1_000;
    const MS: u64 = 1_000_000;
    const S: u64 = 1_000_000_000;
    match nanos {
        n if n < US => format!("{n}ns"),
        n if n < MS => format!("{}µs", three_digits(n as f64 / US as f64)),
        n if n < S => format!("{}ms", three_digits(n as f64 / MS as f64)),
        n if n < 60 * S => format!("{}s", three_digits(n as f64 / S as f64)),
        n if n < 3600 * S => format!("{}m {:02}s", n / (60 * S), n / S % 60),
        n => format!("{}h {:02}m", n / (3600 * S), n / (60 * S) % 60),
    }
}

/// Three significant digits: `1.23`, `12.3`, `123`.
fn three_digits(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// A wall-clock time: `2026-11-28 05:07:08.960` (UTC).
pub fn time(unix_nanos: u64) -> String {
    let text = format_rfc3339_nanos(unix_nanos);
    // "2026-11-28T05:07:08.960629123Z" → "2026-11-28 05:07:08.960"
    format!("{} {}", &text[..10], &text[11..23])
}

/// An id shown short: its first 12 characters. Ids come from files and links, so the cut is
/// made at a character, never inside one.
pub fn short_id(id: &str) -> &str {
    id.char_indices().nth(12).map_or(id, |(cut, _)| &id[..cut])
}

/// What a trace's search found: `3 of 12`, `no match`, nothing when there is no search (or a
/// filter that does not read: its error shows instead); a search that read as a span filter
/// says `filter · `.
pub fn matches(search: &str, found: usize, position: usize, reading: &SearchReading) -> String {
    let label = match (search.is_empty(), found) {
        (true, _) => return String::new(),
        (false, 0) => "no match".to_owned(),
        (false, n) => format!("{} of {n}", position.min(n - 1) + 1),
    };
    match reading {
        SearchReading::Filter => format!("filter · {label}"),
        SearchReading::Text => label,
        SearchReading::BadFilter(_) => String::new(),
    }
}

/// What came of a loaded file, in one line: `a.json: otlp-json, 4 spans, 1 traces`.
pub fn file_result(result: &FileResult) -> String {
    let Some(format_name) = &result.format else {
        return format!("{}: not loaded", result.file);
    };
    if let Some(models) = result.price_models {
        return format!(
            "{}: a price table of {}, used before the built-in one",
            result.file,
            counted(models, "price", "prices")
        );
    }
    match log_attachment(&result.logs) {
        // A logs file: what its records are about.
        Some(logs) if result.spans == 0 => format!("{}: {format_name}, {logs}", result.file),
        logs => format!(
            "{}: {}, {} spans, {} traces{}{}",
            result.file,
            format_name,
            count(result.spans),
            count(result.traces),
            match result.evaluations {
                0 => String::new(),
                n => format!(", {n} evaluations"),
            },
            logs.map(|l| format!(", {l}")).unwrap_or_default()
        ),
    }
}

/// What a flame graph box's tip says: its name, its kind (and failure), the self time of it and
/// everything under it with its share of the view (`whole_nanos`), and its own self time.
pub fn flame_tip(b: &FlameBoxView, whole_nanos: u64) -> [String; 4] {
    let share = b.total_nanos as f64 / whole_nanos.max(1) as f64 * 100.0;
    [
        b.name.clone(),
        match b.status.as_str() {
            "ERROR" => format!("{} · failed", b.kind),
            _ => b.kind.clone(),
        },
        format!(
            "{} here and below · {share:.1}% of the view",
            duration(b.total_nanos)
        ),
        format!("{} own self time", duration(b.self_nanos)),
    ]
}

/// A byte count: `512 B`, `12.3 KB`, `4.56 MB`, `1.23 GB`.
pub fn bytes(count: u64) -> String {
    match count {
        n if n < 1_000 => format!("{n} B"),
        n if n < 1_000_000 => format!("{} KB", three_digits(n as f64 / 1e3)),
        n if n < 1_000_000_000 => format!("{} MB", three_digits(n as f64 / 1e6)),
        n => format!("{} GB", three_digits(n as f64 / 1e9)),
    }
}

/// A count with thousands separated: `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count and its noun: `1 span`, `1,234 spans`.
pub fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// A share as a percentage: `0%`, `4.2%`, `100%`.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p == 0.0 || p >= 10.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// An amount in USD: cents for a dollar or more (`$1.23`, `$1,234.50`), three significant
/// digits below (`$0.0123`, `$0.000342`), `$0` for nothing.
pub fn usd(amount: Usd) -> String {
    let amount = amount.dollars();
    if amount == 0.0 || !amount.is_finite() {
        return "$0".to_owned();
    }
    if amount >= 1.0 {
        let cents = (amount * 100.0).round() as u64;
        return format!("${}.{:02}", count(cents / 100), cents % 100);
    }
    let decimals = (2 - amount.log10().floor() as i32).clamp(2, 12) as usize;
    let text = format!("{amount:.decimals$}");
    format!("${}", text.trim_end_matches('0').trim_end_matches('.'))
}

/// What a sum of calls cost, as a list shows it: `$0.0123`, `$0.0123 + 2 unpriced`,
/// `no price`; `None` when no call has tokens or a cost.
pub fn cost(total: &CostTotal) -> Option<String> {
    let unpriced = total.unpriced_calls;
    match (total.is_priced(), unpriced) {
        (false, 0) => None,
        (false, _) => Some("no price".to_owned()),
        (true, 0) => Some(usd(total.usd)),
        (true, n) => Some(format!("{} + {n} unpriced", usd(total.usd))),
    }
}

/// Where a sum's figures came from: `2 calls recorded their cost · 3 estimated from the price
/// table · 1 without a price`.
pub fn cost_sources(total: &CostTotal) -> String {
    let mut parts = Vec::new();
    if total.recorded_calls > 0 {
        parts.push(format!(
            "{} recorded their cost",
            counted(total.recorded_calls.into(), "call", "calls")
        ));
    }
    if total.estimated_calls > 0 {
        parts.push(format!(
            "{} estimated from the price table",
            counted(total.estimated_calls.into(), "call", "calls")
        ));
    }
    if total.unpriced_calls > 0 {
        parts.push(format!(
            "{} without a price (not counted)",
            counted(total.unpriced_calls.into(), "call", "calls")
        ));
    }
    parts.join(" · ")
}

/// Where a file's log records landed: `8 log records, attached to 2 spans (1 without a
/// span)`; `None` for a file without records.
pub fn log_attachment(logs: &crate::analysis::LogAttachment) -> Option<String> {
    if logs.records == 0 {
        return None;
    }
    let mut text = format!(
        "{}, attached to {}",
        counted(logs.records, "log record", "log records"),
        counted(logs.spans, "span", "spans")
    );
    if logs.without_span > 0 {
        text.push_str(&format!(" ({} without a span)", count(logs.without_span)));
    }
    Some(text)
}

/// What is odd about a span, from its tree flags (`analysis::flags`), in words.
pub fn flag_notes(flags: u8) -> Vec<&'static str> {
    use crate::analysis::flags::{CYCLE_CUT, OUTSIDE_PARENT, PARENT_MISSING, UNFINISHED};
    [
        (PARENT_MISSING, "its parent is not loaded"),
        (
            OUTSIDE_PARENT,
            "it starts before or ends after its parent (clock skew)",
        ),
        (
            CYCLE_CUT,
            "its parents loop back to it; the loop was cut here",
        ),
        (UNFINISHED, "it never ended"),
    ]
    .into_iter()
    .filter(|(flag, _)| flags & flag != 0)
    .map(|(_, note)| note)
    .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_flame_box_tip_says_its_share_and_times() {
        let b = super::FlameBoxView {
            row: 1,
            span_id: "00000000000000a1".into(),
            name: "ChatOpenAI".into(),
            kind: "LLM".into(),
            status: "ERROR".into(),
            level: 1,
            x: 0.0,
            width: 0.25,
            total_nanos: 1_500_000_000,
            self_nanos: 1_200_000_000,
        };
        assert_eq!(
            super::flame_tip(&b, 6_000_000_000),
            [
                "ChatOpenAI".to_owned(),
                "LLM · failed".to_owned(),
                "1.50s here and below · 25.0% of the view".to_owned(),
                "1.20s own self time".to_owned(),
            ]
        );
    }

    #[test]
    fn search_matches_say_where_you_are() {
        use crate::engine::protocol::SearchReading;
        let text = SearchReading::Text;
        assert_eq!(super::matches("", 3, 0, &text), "");
        assert_eq!(super::matches("x", 0, 0, &text), "no match");
        assert_eq!(super::matches("x", 12, 2, &text), "3 of 12");
        assert_eq!(super::matches("x", 2, 7, &text), "2 of 2");
        assert_eq!(
            super::matches("span_kind == 'LLM'", 4, 0, &SearchReading::Filter),
            "filter · 1 of 4"
        );
        let error = crate::analysis::filter::Filter::parse("x ==").unwrap_err();
        assert_eq!(
            super::matches("x ==", 0, 0, &SearchReading::BadFilter(error)),
            ""
        );
    }

    #[test]
    fn short_ids_cut_at_characters() {
        assert_eq!(
            super::short_id("0af7651916cd43dd8448eb211c80319c"),
            "0af7651916cd"
        );
        assert_eq!(super::short_id("ab"), "ab");
        // From `#/trace/a%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC`: byte 12 is inside the fourth €.
        assert_eq!(super::short_id("a€€€€"), "a€€€€");
        assert_eq!(super::short_id("€€€€€€€€€€€€€"), "€€€€€€€€€€€€");
    }

    #[test]
    fn where_log_records_landed() {
        use crate::analysis::LogAttachment;
        let landed = |records, spans, without_span| {
            log_attachment(&LogAttachment {
                records,
                spans,
                without_span,
            })
        };
        assert_eq!(landed(0, 0, 0), None);
        assert_eq!(
            landed(8, 2, 0).as_deref(),
            Some("8 log records, attached to 2 spans")
        );
        assert_eq!(
            landed(1, 0, 1).as_deref(),
            Some("1 log record, attached to 0 spans (1 without a span)")
        );
    }

    #[test]
    fn amounts_in_dollars() {
        let usd = |dollars| usd(Usd::from_dollars(dollars));
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(0.0123), "$0.0123");
        assert_eq!(usd(0.000342), "$0.000342");
        assert_eq!(usd(0.000_001_5), "$0.0000015");
        assert_eq!(usd(0.5), "$0.5");
        assert_eq!(usd(1.234), "$1.23");
        assert_eq!(usd(1234.5), "$1,234.50");
        let mut total = CostTotal::default();
        assert_eq!(cost(&total), None);
        total.unpriced_calls = 2;
        assert_eq!(cost(&total).as_deref(), Some("no price"));
        total.usd = Usd::from_dollars(0.0123);
        total.estimated_calls = 1;
        assert_eq!(cost(&total).as_deref(), Some("$0.0123 + 2 unpriced"));
        assert_eq!(
            cost_sources(&total),
            "1 call estimated from the price table · 2 calls without a price (not counted)"
        );
    }

    use super::*;

    #[test]
    fn a_file_result_says_what_came_of_the_file() {
        let mut result = FileResult::empty("a.json");
        assert_eq!(file_result(&result), "a.json: not loaded");
        result.format = Some("otlp-json".into());
        (result.spans, result.traces) = (1234, 2);
        assert_eq!(
            file_result(&result),
            "a.json: otlp-json, 1,234 spans, 2 traces"
        );
        result.evaluations = 3;
        assert_eq!(
            file_result(&result),
            "a.json: otlp-json, 1,234 spans, 2 traces, 3 evaluations"
        );
        result.price_models = Some(1);
        assert_eq!(
            file_result(&result),
            "a.json: a price table of 1 price, used before the built-in one"
        );
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(counted(1, "span", "spans"), "1 span");
        assert_eq!(counted(0, "span", "spans"), "0 spans");
        assert_eq!(counted(12_345, "result", "results"), "12,345 results");
    }

    #[test]
    fn durations_pick_their_unit() {
        assert_eq!(duration(850), "850ns");
        assert_eq!(duration(12_345), "12.3µs");
        assert_eq!(duration(4_560_000), "4.56ms");
        assert_eq!(duration(999_000_000), "999ms");
        assert_eq!(duration(1_234_000_000), "1.23s");
        assert_eq!(duration(125_000_000_000), "2m 05s");
        assert_eq!(duration(3_720_000_000_000), "1h 02m");
    }

    #[test]
    fn times_sizes_counts() {
        assert_eq!(time(1_795_842_428_960_629_123), "2026-11-28 05:07:08.960");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(12_345), "12.3 KB");
        assert_eq!(bytes(1_263_600_000), "1.26 GB");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(percent(0.25), "25%");
        assert_eq!(percent(0.042), "4.2%");
    }

    #[test]
    fn flags_are_told_in_words_and_others_ignored() {
        use crate::analysis::flags::{CYCLE_CUT, SUMS_CALLS_BELOW, UNFINISHED, ZERO_LENGTH};
        assert!(flag_notes(0).is_empty());
        assert!(flag_notes(ZERO_LENGTH | SUMS_CALLS_BELOW).is_empty());
        assert_eq!(
            flag_notes(CYCLE_CUT | UNFINISHED),
            [
                "its parents loop back to it; the loop was cut here",
                "it never ended"
            ]
        );
        assert_eq!(flag_notes(u8::MAX).len(), 4);
    }
}
