//! Two traces side by side — two runs of the same agent, say. Their trees are aligned by span
//! name path: under aligned parents, children pair up by name, the n-th child of a name with
//! the n-th of the same name (in start order); model calls left over then pair up in order, since
//! their names often carry the model, which a second run may have changed, and so does a root
//! left over on each side (a trace's one root is its run, whatever it is called). What pairs is
//! compared; the rest was added (only in the other trace) or removed (only in the base).

use hashbrown::HashMap;

use crate::analysis::Trace;
use crate::model::{Arena, OiKind, StrId};

/// One aligned position: the base trace's tree row there, the other's, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Aligned {
    /// Depth in the aligned tree.
    pub depth: u32,
    /// The base trace's row.
    pub base: Option<u32>,
    /// The other trace's row.
    pub other: Option<u32>,
}

/// The aligned trees in pre-order, at most `limit` positions.
pub fn align(arena: &Arena, base: &Trace, other: &Trace, limit: usize) -> Vec<Aligned> {
    let mut out = Vec::new();
    // Pairs still to emit, last first, with their depth.
    let mut stack: Vec<Aligned> = Vec::new();
    let push_pairs = |stack: &mut Vec<Aligned>, depth, base_rows: Vec<u32>, other_rows| {
        let pairs = pair_up(arena, (base, base_rows), (other, other_rows), depth == 0);
        stack.extend(pairs.into_iter().rev().map(|(b, o)| Aligned {
            depth,
            base: b,
            other: o,
        }));
    };
    push_pairs(
        &mut stack,
        0,
        base.tree.roots().collect(),
        other.tree.roots().collect(),
    );
    while let Some(aligned) = stack.pop() {
        if out.len() >= limit {
            break;
        }
        out.push(aligned);
        let children = |trace: &Trace, row: Option<u32>| -> Vec<u32> {
            row.map(|r| trace.tree.children(r).collect())
                .unwrap_or_default()
        };
        push_pairs(
            &mut stack,
            aligned.depth + 1,
            children(base, aligned.base),
            children(other, aligned.other),
        );
    }
    out
}

/// Pairs sibling rows by (name, occurrence of that name), then model calls (or, for `roots`, a
/// lone root on each side) left over in order; unpaired rows of the other trace come after the base's.
fn pair_up(
    arena: &Arena,
    (base, base_rows): (&Trace, Vec<u32>),
    (other, other_rows): (&Trace, Vec<u32>),
    roots: bool,
) -> Vec<(Option<u32>, Option<u32>)> {
    let name = |trace: &Trace, row: u32| arena.spans()[trace.tree.span[row as usize] as usize].name;
    let keyed = |trace: &Trace, rows: &[u32]| -> Vec<(StrId, u32)> {
        let mut seen: HashMap<StrId, u32> = HashMap::new();
        rows.iter()
            .map(|&row| {
                let name = name(trace, row);
                let occurrence = seen.entry(name).or_default();
                *occurrence += 1;
                (name, *occurrence)
            })
            .collect()
    };
    let mut others: HashMap<(StrId, u32), u32> = keyed(other, &other_rows)
        .into_iter()
        .zip(other_rows.iter().copied())
        .collect();
    let mut pairs: Vec<(Option<u32>, Option<u32>)> = keyed(base, &base_rows)
        .into_iter()
        .zip(base_rows)
        .map(|(key, row)| (Some(row), others.remove(&key)))
        .collect();
    let unpaired: hashbrown::HashSet<u32> = others.into_values().collect();
    // Roots pair whatever their names only when one is left on each side: several are orphans
    // of an incomplete trace, not runs.
    let lone_roots = roots
        && unpaired.len() == 1
        && pairs.iter().filter(|(_, other)| other.is_none()).count() == 1;
    let is_call = |trace: &Trace, row: u32| {
        lone_roots || arena.spans()[trace.tree.span[row as usize] as usize].oi_kind == OiKind::Llm
    };
    let mut calls_left =
        (other_rows.iter().copied()).filter(|row| unpaired.contains(row) && is_call(other, *row));
    for (base_row, partner) in &mut pairs {
        if partner.is_none() && base_row.is_some_and(|row| is_call(base, row)) {
            *partner = calls_left.next();
        }
    }
    let paired: hashbrown::HashSet<u32> = pairs.iter().filter_map(|(_, o)| *o).collect();
    pairs.extend(
        other_rows
            .into_iter()
            .filter(|row| !paired.contains(row))
            .map(|row| (None, Some(row))),
    );
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Traces;
    use crate::testutil::{TestSpan, push};

    /// Run 1: agent > (llm, tool, llm). Run 2: agent > (llm, llm, search).
    #[test]
    fn children_pair_by_name_and_occurrence() {
        let mut arena = Arena::default();
        let runs: [(u64, &[&str]); 2] =
            [(1, &["llm", "tool", "llm"]), (2, &["llm", "llm", "search"])];
        for (trace, children) in runs {
            let root = trace * 100;
            push(
                &mut arena,
                TestSpan {
                    trace,
                    id: root,
                    name: "agent",
                    end: 100,
                    ..TestSpan::default()
                },
            );
            for (i, name) in children.iter().enumerate() {
                push(
                    &mut arena,
                    TestSpan {
                        trace,
                        id: root + 1 + i as u64,
                        parent: Some(root),
                        name,
                        start: 10 * i as u64,
                        end: 10 * i as u64 + 5,
                        ..TestSpan::default()
                    },
                );
            }
        }
        let traces = Traces::assemble(&arena);
        let [base, other] = traces.all() else {
            panic!("two traces");
        };
        let aligned = align(&arena, base, other, 100);
        let name = |trace: &Trace, row: Option<u32>| {
            row.map(|r| arena.str(arena.spans()[trace.tree.span[r as usize] as usize].name))
        };
        let shown: Vec<(u32, Option<&str>, Option<&str>)> = aligned
            .iter()
            .map(|a| (a.depth, name(base, a.base), name(other, a.other)))
            .collect();
        assert_eq!(
            shown,
            [
                (0, Some("agent"), Some("agent")),
                (1, Some("llm"), Some("llm")),
                (1, Some("tool"), None),
                (1, Some("llm"), Some("llm")),
                (1, None, Some("search")),
            ]
        );
        assert_eq!(align(&arena, base, other, 2).len(), 2);
    }
}
