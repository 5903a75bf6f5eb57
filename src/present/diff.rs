//! What two compared runs or spans add up to differently: durations, token counts and cost as
//! before → after with the change, for the compare page and the span comparison.

use crate::model::{TokenKind, Usage, Usd};
use crate::present::format;

/// How `after` differs from `before`: its sign and size.
fn signed(before: u64, after: u64) -> (&'static str, u64) {
    match after >= before {
        true => ("+", after - before),
        false => ("−", before - after),
    }
}

/// `+1.20s (+30%)`, or `−…`: how much longer `after` is than `before` (ns).
pub fn duration_change(before: u64, after: u64) -> String {
    let (sign, delta) = signed(before, after);
    match before {
        0 => format!("{sign}{}", format::duration(delta)),
        _ => format!(
            "{sign}{} ({sign}{:.0}%)",
            format::duration(delta),
            delta as f64 / before as f64 * 100.0
        ),
    }
}

/// `170 → 879 (+709, +417%)`; `170 → 170 (same)`; with one side missing, that side as `—`.
pub fn count_change(before: Option<u64>, after: Option<u64>) -> String {
    let shown = |n: Option<u64>| n.map_or_else(|| "—".to_owned(), format::count);
    let change = match (before, after) {
        (Some(b), Some(a)) if a == b => " (same)".to_owned(),
        (Some(b), Some(a)) => {
            let (sign, delta) = signed(b, a);
            let share = match b {
                0 => String::new(),
                _ => format!(", {sign}{}", format::percent(delta as f64 / b as f64)),
            };
            format!(" ({sign}{}{share})", format::count(delta))
        }
        _ => String::new(),
    };
    format!("{} → {}{change}", shown(before), shown(after))
}

/// The token counts either side recorded, each as a [`count_change`], total last.
pub fn token_changes(before: &Usage, after: &Usage) -> Vec<(&'static str, String)> {
    let mut kinds: Vec<TokenKind> = TokenKind::ALL
        .into_iter()
        .filter(|&k| k != TokenKind::Total)
        .filter(|&k| before.count(k) > 0 || after.count(k) > 0)
        .collect();
    if before.total().is_some() || after.total().is_some() {
        kinds.push(TokenKind::Total);
    }
    kinds
        .into_iter()
        .map(|kind| {
            let label = crate::present::details::token_label(kind);
            (
                label,
                count_change(before.reported(kind), after.reported(kind)),
            )
        })
        .collect()
}

/// `$0.0012 → $0.0031 (+$0.0019)`, or `None` when neither side has a cost.
pub fn cost_change(before: Option<Usd>, after: Option<Usd>) -> Option<String> {
    if before.is_none() && after.is_none() {
        return None;
    }
    let shown = |usd: Option<Usd>| usd.map_or_else(|| "—".to_owned(), format::usd);
    let change = match (before, after) {
        (Some(b), Some(a)) if a == b => " (same)".to_owned(),
        (Some(b), Some(a)) => {
            let (sign, delta) = match a.dollars() >= b.dollars() {
                true => ("+", a.dollars() - b.dollars()),
                false => ("−", b.dollars() - a.dollars()),
            };
            format!(" ({sign}{})", format::usd(Usd::from_dollars(delta)))
        }
        _ => String::new(),
    };
    Some(format!("{} → {}{change}", shown(before), shown(after)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_before_after_and_difference() {
        assert_eq!(
            count_change(Some(170), Some(879)),
            "170 → 879 (+709, +417%)"
        );
        assert_eq!(
            count_change(Some(1200), Some(600)),
            "1,200 → 600 (−600, −50%)"
        );
        assert_eq!(count_change(Some(5), Some(5)), "5 → 5 (same)");
        assert_eq!(count_change(None, Some(5)), "— → 5");
        assert_eq!(count_change(Some(0), Some(5)), "0 → 5 (+5)");
        assert_eq!(
            cost_change(
                Some(Usd::from_dollars(0.001)),
                Some(Usd::from_dollars(0.003))
            )
            .as_deref(),
            Some("$0.001 → $0.003 (+$0.002)")
        );
        assert_eq!(cost_change(None, None), None);
    }

    #[test]
    fn durations_change_with_their_share() {
        assert_eq!(
            duration_change(1_000_000_000, 1_300_000_000),
            "+300ms (+30%)"
        );
        assert_eq!(duration_change(1_000_000_000, 500_000_000), "−500ms (−50%)");
        assert_eq!(duration_change(0, 2_000_000), "+2.00ms");
    }

    #[test]
    fn token_changes_list_what_either_recorded() {
        let mut a = Usage::default();
        a.set(TokenKind::Input, 170);
        a.set(TokenKind::Output, 147);
        let mut b = Usage::default();
        b.set(TokenKind::Input, 879);
        b.set(TokenKind::Output, 216);
        b.set(TokenKind::CachedInput, 192);
        let labels: Vec<&str> = token_changes(&a, &b).iter().map(|(l, _)| *l).collect();
        assert_eq!(
            labels,
            ["input", "output", "input read from cache", "total"]
        );
        assert_eq!(token_changes(&a, &b)[3].1, "317 → 1,095 (+778, +245%)");
    }
}
