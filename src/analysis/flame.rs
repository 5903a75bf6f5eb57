//! A trace as a flame graph (icicle: roots on top) by self time.
//!
//! Each span is as wide as the self time of its whole subtree, its children side by side under
//! it in start order, its own self time the rest. Zoomed on a span, that span is the full width
//! and its ancestors run across the top. Only boxes at least [`MIN_WIDTH`] of the view wide are
//! laid out, skipping the subtrees under them in one step, so the cost follows what is drawn,
//! not the trace's size.

use crate::analysis::{NO_ROW, Tree};

/// The narrowest box laid out, as a fraction of the view (a pixel of a 2,000 px wide view).
pub const MIN_WIDTH: f64 = 1.0 / 2000.0;

/// One box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlameBox {
    /// Its tree row.
    pub row: u32,
    /// Its level from the top (0 for the outermost ancestor shown).
    pub level: u32,
    /// Left edge, 0..1 of the view.
    pub x: f64,
    /// Width, 0..1 of the view.
    pub width: f64,
    /// Self time of its subtree, ns.
    pub total_nanos: u64,
}

/// Self time summed over each row's subtree.
pub fn subtree_self_nanos(tree: &Tree) -> Vec<u64> {
    let mut totals = tree.self_nanos.clone();
    // Children follow their parent in pre-order: add each row into its parent, last first.
    for row in (0..tree.len()).rev() {
        let parent = tree.parent[row];
        if parent != NO_ROW {
            totals[parent as usize] += totals[row];
        }
    }
    totals
}

/// The boxes of `tree` zoomed on `focus` (`None`: every root, side by side), at most `limit`.
pub fn layout(tree: &Tree, totals: &[u64], focus: Option<u32>, limit: usize) -> Vec<FlameBox> {
    let mut boxes = Vec::new();
    if tree.is_empty() {
        return boxes;
    }
    // The subtrees laid out full width, their total, and the level they start at.
    let (tops, whole, first_level): (Vec<u32>, u64, u32) =
        match focus.filter(|&f| (f as usize) < tree.len()) {
            Some(focus) => {
                let mut ancestors = Vec::new();
                let mut at = tree.parent[focus as usize];
                while at != NO_ROW {
                    ancestors.push(at);
                    at = tree.parent[at as usize];
                }
                ancestors.reverse();
                for (level, &row) in ancestors.iter().enumerate() {
                    boxes.push(FlameBox {
                        row,
                        level: level as u32,
                        x: 0.0,
                        width: 1.0,
                        total_nanos: totals[row as usize],
                    });
                }
                (vec![focus], totals[focus as usize], ancestors.len() as u32)
            }
            None => {
                let roots: Vec<u32> = tree.roots().collect();
                let whole = roots.iter().map(|&r| totals[r as usize]).sum();
                (roots, whole, 0)
            }
        };
    let whole = whole.max(1) as f64;
    let base_depth = tops.first().map_or(0, |&r| tree.depth[r as usize]);
    let mut x = 0.0;
    for top in tops {
        let end = top + tree.subtree_len[top as usize];
        // Left edges of the next child at each level of the walk: (row, x) per open parent.
        let mut next_x: Vec<(u32, f64)> = Vec::new();
        let mut row = top;
        while row < end && boxes.len() < limit {
            let index = row as usize;
            let width = totals[index] as f64 / whole;
            let left = match tree.parent[index] {
                parent if row != top => {
                    while next_x.last().is_some_and(|&(open, _)| open != parent) {
                        next_x.pop();
                    }
                    next_x.last().map_or(x, |&(_, left)| left)
                }
                _ => x,
            };
            if width < MIN_WIDTH {
                // Too narrow to draw: skip it and everything under it.
                if let Some(last) = next_x.last_mut() {
                    last.1 += width;
                }
                row += tree.subtree_len[index];
                continue;
            }
            boxes.push(FlameBox {
                row,
                level: first_level + tree.depth[index] - base_depth,
                x: left,
                width,
                total_nanos: totals[index],
            });
            if let Some(last) = next_x.last_mut() {
                last.1 += width;
            }
            next_x.push((row, left));
            row += 1;
        }
        x += totals[top as usize] as f64 / whole;
    }
    boxes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::build_tree;
    use crate::model::Arena;
    use crate::testutil::{TestSpan, push};

    /// root 0..100: a 10..40 (with a1 10..20), b 50..90. Self: root 30, a 20, a1 10, b 40.
    fn sample() -> Tree {
        let mut arena = Arena::default();
        let spans = [
            (1, None, 0, 100),
            (2, Some(1), 10, 40),
            (3, Some(2), 10, 20),
            (4, Some(1), 50, 90),
        ];
        let indices: Vec<u32> = spans
            .iter()
            .map(|&(id, parent, start, end)| {
                push(
                    &mut arena,
                    TestSpan {
                        id,
                        parent,
                        start,
                        end,
                        ..TestSpan::default()
                    },
                )
            })
            .collect();
        build_tree(&arena, &indices)
    }

    /// (row, level, x, width) of each box.
    fn laid_out(tree: &Tree, focus: Option<u32>) -> Vec<(u32, u32, f64, f64)> {
        layout(tree, &subtree_self_nanos(tree), focus, 100)
            .iter()
            .map(|b| (b.row, b.level, b.x, b.width))
            .collect()
    }

    #[test]
    fn widths_are_subtree_self_time_and_children_sit_side_by_side() {
        let tree = sample();
        assert_eq!(subtree_self_nanos(&tree), [100, 30, 10, 40]);
        assert_eq!(
            laid_out(&tree, None),
            [
                (0, 0, 0.0, 1.0),
                (1, 1, 0.0, 0.3),
                (2, 2, 0.0, 0.1),
                (3, 1, 0.3, 0.4)
            ]
        );
    }

    #[test]
    fn zooming_makes_a_span_full_width_under_its_ancestors() {
        assert_eq!(
            laid_out(&sample(), Some(1)),
            [(0, 0, 0.0, 1.0), (1, 1, 0.0, 1.0), (2, 2, 0.0, 1.0 / 3.0)]
        );
    }

    #[test]
    fn narrow_subtrees_are_skipped_and_the_count_is_bounded() {
        let tree = sample();
        let mut totals = subtree_self_nanos(&tree);
        // Make `a` a sliver: it and its child are not laid out; `b` still sits after it.
        totals[0] = 1_000_000;
        totals[1] = 1;
        totals[3] = 400_000;
        let boxes = layout(&tree, &totals, None, 100);
        let rows: Vec<u32> = boxes.iter().map(|b| b.row).collect();
        assert_eq!(rows, [0, 3]);
        assert!((boxes[1].x - 1e-6).abs() < 1e-12);
        assert_eq!(layout(&tree, &subtree_self_nanos(&tree), None, 2).len(), 2);
    }
}
