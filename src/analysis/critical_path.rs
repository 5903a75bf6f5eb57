//! The critical path: the chain of work that decided when the trace ended.
//!
//! Jaeger's algorithm (`packages/jaeger-ui/src/components/TracePage/CriticalPath`), iterative:
//! start at the root's end and walk back in time. At each span, the child that finished last
//! (before the point we are at) was what the span waited for: that child's path is critical, the
//! span's own time after that child is critical, and we continue back from the child's start.
//! A span with no such child is critical from its start. Children are clipped to their parent;
//! a child entirely outside its parent is ignored (clock skew cannot be on the path).
//!
//! One deliberate difference: Jaeger passes over a child that ends exactly when its later sibling
//! starts (`end < start`, strictly); here it counts (`<=`), since back-to-back calls — common with
//! millisecond clocks — are exactly what the parent waited for.

use crate::analysis::tree::Tree;
use crate::model::Span;

/// A stretch of time when one span was on the critical path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// The row of the span in the tree.
    pub row: u32,
    /// Start of the stretch, ns since the epoch.
    pub start_unix_nanos: u64,
    /// End of the stretch, ns since the epoch.
    pub end_unix_nanos: u64,
}

/// The critical path under `root` (a root row of `tree`), in time order.
pub fn critical_path(spans: &[Span], tree: &Tree, root: u32) -> Vec<Segment> {
    let interval = |row: u32| {
        let span = &spans[tree.span[row as usize] as usize];
        (
            span.start_unix_nanos,
            span.end_unix_nanos.max(span.start_unix_nanos),
        )
    };
    // Each span's children sorted by clipped end, latest first, with a cursor: the point we look
    // back from only moves earlier, so each child is passed over at most once.
    let mut by_end: Vec<Vec<(u64, u32)>> = Vec::new();
    let mut slot_of = hashbrown::HashMap::new();
    let mut cursor: Vec<usize> = Vec::new();

    let mut segments = Vec::new();
    // Spans we descended from, with the time to look back from when we return to them.
    let mut stack: Vec<(u32, u64)> = Vec::new();
    let mut current = (root, interval(root).1);
    loop {
        let (row, until) = current;
        let (start, end) = interval(row);
        let slot = *slot_of.entry(row).or_insert_with(|| {
            let mut children: Vec<(u64, u32)> = tree
                .children(row)
                .filter_map(|child| {
                    let (child_start, child_end) = interval(child);
                    (child_start < end && child_end > start).then_some((child_end.min(end), child))
                })
                .collect();
            children.sort_unstable_by(|a, b| b.cmp(a));
            by_end.push(children);
            cursor.push(0);
            by_end.len() - 1
        });
        let children = &by_end[slot];
        let mut position = cursor[slot];
        while position < children.len() && children[position].0 > until {
            position += 1;
        }
        cursor[slot] = position;
        match children.get(position).copied() {
            Some((child_end, child)) => {
                cursor[slot] = position + 1;
                if child_end < until {
                    segments.push(Segment {
                        row,
                        start_unix_nanos: child_end,
                        end_unix_nanos: until,
                    });
                }
                let (child_start, _) = interval(child);
                stack.push((row, child_start.max(start)));
                current = (child, child_end);
            }
            None => {
                if start < until {
                    segments.push(Segment {
                        row,
                        start_unix_nanos: start,
                        end_unix_nanos: until,
                    });
                }
                match stack.pop() {
                    Some(parent) => current = parent,
                    None => break,
                }
            }
        }
    }
    segments.reverse();
    segments
}
