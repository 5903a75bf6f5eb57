//! One trace's spans as a tree: pre-order rows, depth, subtree sizes, self time, and the
//! anomalies found on the way (missing parents, duplicates, cycles, clock skew).
//!
//! Rows are the spans of the trace in pre-order depth-first order, roots and siblings by start
//! time (then by load order). Row `r`'s subtree is rows `r .. r + subtree_len[r]`, so a collapsed
//! node is skipped in O(1) and "rows `first..first + count`" of an expanded tree is O(count).

use std::ops::Range;

use hashbrown::HashMap;
use hashbrown::hash_map::Entry;

use crate::model::{Arena, Span, SpanId};

/// Per-row flags.
pub mod flags {
    /// The span names a parent that is not in the data (a remote parent, or another file).
    pub const PARENT_MISSING: u8 = 1;
    /// The span's parent chain loops back to itself; the loop was cut here.
    pub const CYCLE_CUT: u8 = 2;
    /// The span starts before its parent or ends after it (clock skew between hosts).
    pub const OUTSIDE_PARENT: u8 = 4;
    /// The span has no end time.
    pub const UNFINISHED: u8 = 8;
    /// The span ends when it starts.
    pub const ZERO_LENGTH: u8 = 16;
    /// The span's tokens or cost sum calls recorded below it: they count there, not here
    /// (`analysis::mark_sums`).
    pub const SUMS_CALLS_BELOW: u8 = 32;
}

/// A trace's tree. All vectors are indexed by row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tree {
    /// The arena index of each row's span.
    pub span: Vec<u32>,
    /// Depth: 0 for roots.
    pub depth: Vec<u32>,
    /// Rows in the subtree, the row itself included.
    pub subtree_len: Vec<u32>,
    /// The parent's row; `u32::MAX` for roots.
    pub parent: Vec<u32>,
    /// Time not covered by any child, in ns (children clipped to the span).
    pub self_nanos: Vec<u64>,
    /// [`flags`] bits.
    pub flags: Vec<u8>,
    /// Spans left out because another span of the trace had the same id: arena indices.
    pub duplicates: Vec<u32>,
    /// Parent loops that were cut.
    pub cycles: u32,
}

/// No parent row.
pub const NO_ROW: u32 = u32::MAX;

/// Rows of a tree this small are walked in row order: their spans are in the cache either way.
const IN_CACHE: usize = 4096;

impl Tree {
    /// Number of rows (spans kept).
    pub fn len(&self) -> usize {
        self.span.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.span.is_empty()
    }

    /// Rows of the roots, in start order.
    pub fn roots(&self) -> impl Iterator<Item = u32> + '_ {
        let mut row = 0u32;
        std::iter::from_fn(move || {
            let current = row;
            let len = *self.subtree_len.get(current as usize)?;
            row = current + len;
            Some(current)
        })
    }

    /// Rows of the children of `row`, in start order.
    pub fn children(&self, row: u32) -> impl Iterator<Item = u32> + '_ {
        let end = row + self.subtree_len.get(row as usize).copied().unwrap_or(1);
        let mut child = row + 1;
        std::iter::from_fn(move || {
            if child >= end {
                return None;
            }
            let current = child;
            child += self.subtree_len[current as usize];
            Some(current)
        })
    }

    /// The rows of `rows` for which `keep` holds, in row order; `keep` is called as
    /// [`Tree::visit_in_span_order`] calls.
    pub fn rows_where(&self, rows: Range<u32>, mut keep: impl FnMut(u32) -> bool) -> Vec<u32> {
        if rows.len() < IN_CACHE {
            return rows.filter(|&row| keep(row)).collect();
        }
        let mut kept = vec![0u64; self.len().div_ceil(64)];
        self.visit_in_span_order(rows, |row| {
            if keep(row) {
                kept[row as usize / 64] |= 1 << (row % 64);
            }
        });
        let set = |(word, bits): (usize, &u64)| {
            let mut bits = *bits;
            std::iter::from_fn(move || {
                let bit = (bits != 0).then(|| bits.trailing_zeros())?;
                bits &= bits - 1;
                Some((word * 64) as u32 + bit)
            })
        };
        kept.iter().enumerate().flat_map(set).collect()
    }

    /// Calls `visit` for each row of `rows`, a large range in the order the rows' spans are
    /// stored in the arena: their spans and attributes are then read in sequence, where row
    /// order (depth first) jumps about them, each read a cache miss — a search walking a
    /// million spans' attributes took 40% less time so. A small range, in row order.
    pub fn visit_in_span_order(&self, rows: Range<u32>, visit: impl FnMut(u32)) {
        if rows.len() < IN_CACHE {
            return rows.for_each(visit);
        }
        let Some(spans) = self.span.get(rows.start as usize..rows.end as usize) else {
            return;
        };
        let (Some(&first), Some(&last)) = (spans.iter().min(), spans.iter().max()) else {
            return;
        };
        let spread = (last - first) as usize + 1;
        // A trace's spans usually lie together in the arena: placed by span, in one pass.
        // Strewn among others' (files that interleave traces), they are sorted instead.
        if spread > 4 * spans.len() {
            let mut by_span: Vec<u32> = rows.collect();
            by_span.sort_unstable_by_key(|&row| self.span[row as usize]);
            return by_span.into_iter().for_each(visit);
        }
        let mut by_span = vec![NO_ROW; spread];
        for (row, &span) in rows.zip(spans) {
            by_span[(span - first) as usize] = row;
        }
        (by_span.into_iter())
            .filter(|&row| row != NO_ROW)
            .for_each(visit);
    }

    /// Checks the invariants the other code relies on (debug builds and tests).
    pub fn sanity_check(&self) {
        let n = self.span.len();
        assert_eq!(self.depth.len(), n);
        assert_eq!(self.subtree_len.len(), n);
        assert_eq!(self.parent.len(), n);
        assert_eq!(self.self_nanos.len(), n);
        assert_eq!(self.flags.len(), n);
        for row in 0..n {
            let len = self.subtree_len[row] as usize;
            assert!(
                len >= 1 && row + len <= n,
                "subtree of row {row} runs past the end"
            );
            match self.parent[row] {
                NO_ROW => assert_eq!(self.depth[row], 0),
                parent => {
                    let parent = parent as usize;
                    assert!(parent < row, "a parent precedes its children");
                    assert_eq!(self.depth[row], self.depth[parent] + 1);
                    assert!(row + len <= parent + self.subtree_len[parent] as usize);
                }
            }
        }
    }
}

/// Builds the tree of one trace from the arena indices of its spans (in load order).
pub fn build(arena: &Arena, members: &[u32]) -> Tree {
    let spans = arena.spans();
    let span_of = |index: u32| &spans[index as usize];

    // Keep the first span of each id; later ones are duplicates.
    let mut node_of: HashMap<SpanId, u32> = HashMap::with_capacity(members.len());
    let mut nodes: Vec<u32> = Vec::with_capacity(members.len());
    let mut duplicates = Vec::new();
    for &index in members {
        match node_of.entry(span_of(index).span_id) {
            Entry::Occupied(_) => duplicates.push(index),
            Entry::Vacant(vacant) => {
                vacant.insert(nodes.len() as u32);
                nodes.push(index);
            }
        }
    }
    let n = nodes.len();

    // Parent of each node (by node number), or why it has none.
    let mut parent_node = vec![NO_ROW; n];
    let mut node_flags = vec![0u8; n];
    let mut self_parents = 0;
    for (node, &index) in nodes.iter().enumerate() {
        if let Some(parent_id) = span_of(index).parent_span_id {
            match node_of.get(&parent_id) {
                Some(&parent) if parent as usize != node => parent_node[node] = parent,
                Some(_) => {
                    node_flags[node] |= flags::CYCLE_CUT;
                    self_parents += 1;
                }
                None => node_flags[node] |= flags::PARENT_MISSING,
            }
        }
    }

    // Children lists in CSR form, each sorted by (start, load order).
    let start_key = |node: u32| (span_of(nodes[node as usize]).start_unix_nanos, node);
    let mut child_count = vec![0u32; n + 1];
    for &parent in &parent_node {
        if parent != NO_ROW {
            child_count[parent as usize + 1] += 1;
        }
    }
    for i in 0..n {
        child_count[i + 1] += child_count[i];
    }
    let child_start = child_count;
    let mut fill = child_start.clone();
    let mut children = vec![0u32; n];
    for (node, &parent) in parent_node.iter().enumerate() {
        if parent != NO_ROW {
            children[fill[parent as usize] as usize] = node as u32;
            fill[parent as usize] += 1;
        }
    }
    for node in 0..n {
        children[child_start[node] as usize..child_start[node + 1] as usize]
            .sort_unstable_by_key(|&child| start_key(child));
    }

    let mut roots: Vec<u32> = (0..n as u32)
        .filter(|&node| parent_node[node as usize] == NO_ROW)
        .collect();
    roots.sort_unstable_by_key(|&node| start_key(node));

    let mut tree = Tree {
        span: Vec::with_capacity(n),
        depth: Vec::with_capacity(n),
        subtree_len: Vec::with_capacity(n),
        parent: Vec::with_capacity(n),
        self_nanos: Vec::with_capacity(n),
        flags: Vec::with_capacity(n),
        duplicates,
        cycles: self_parents,
    };
    let mut visited = vec![false; n];
    let walker = Walker {
        nodes: &nodes,
        children: &children,
        child_start: &child_start,
        node_flags: &node_flags,
    };
    for &root in &roots {
        walker.walk(root, &mut tree, &mut visited);
    }
    // Whatever was not reached hangs off a parent loop. Cut each loop at its earliest span.
    if tree.span.len() < n {
        let mut stranded: Vec<u32> = (0..n as u32)
            .filter(|&node| !visited[node as usize])
            .collect();
        stranded.sort_unstable_by_key(|&node| start_key(node));
        let mut probe = vec![NO_ROW; n];
        for first in stranded {
            if visited[first as usize] {
                continue;
            }
            // A stranded node's parent chain never reaches a root, so it ends in a loop: follow
            // it until a node repeats; that node is on the loop.
            let mut node = first;
            while probe[node as usize] != first {
                probe[node as usize] = first;
                node = parent_node[node as usize];
            }
            let mut cut = node;
            let mut member = parent_node[node as usize];
            while member != node {
                cut = std::cmp::min_by_key(cut, member, |&node| start_key(node));
                member = parent_node[member as usize];
            }
            let row = tree.span.len();
            walker.walk(cut, &mut tree, &mut visited);
            tree.flags[row] |= flags::CYCLE_CUT;
            tree.cycles += 1;
        }
    }
    self_times_and_skew(spans, &mut tree);
    tree
}

/// Depth-first walks over the children lists.
struct Walker<'a> {
    nodes: &'a [u32],
    children: &'a [u32],
    child_start: &'a [u32],
    node_flags: &'a [u8],
}

impl Walker<'_> {
    /// Appends the subtree of `root` in pre-order. Iterative: a million-deep chain is fine.
    fn walk(&self, root: u32, tree: &mut Tree, visited: &mut [bool]) {
        // (node, row, index of the next child to visit)
        let mut stack: Vec<(u32, u32, u32)> = Vec::new();
        let push = |node: u32, parent_row: u32, tree: &mut Tree, visited: &mut [bool]| {
            visited[node as usize] = true;
            let row = tree.span.len() as u32;
            tree.span.push(self.nodes[node as usize]);
            tree.depth.push(match parent_row {
                NO_ROW => 0,
                parent => tree.depth[parent as usize] + 1,
            });
            tree.subtree_len.push(1);
            tree.parent.push(parent_row);
            tree.self_nanos.push(0);
            tree.flags.push(self.node_flags[node as usize]);
            row
        };
        let row = push(root, NO_ROW, tree, visited);
        stack.push((root, row, self.child_start[root as usize]));
        while let Some(top) = stack.last_mut() {
            let (node, row, next) = *top;
            if next < self.child_start[node as usize + 1] {
                top.2 += 1;
                let child = self.children[next as usize];
                if visited[child as usize] {
                    continue;
                }
                let child_row = push(child, row, tree, visited);
                stack.push((child, child_row, self.child_start[child as usize]));
            } else {
                stack.pop();
                tree.subtree_len[row as usize] = tree.span.len() as u32 - row;
            }
        }
    }
}

/// Self time of every row (its span minus the union of its children, clipped to it), and the
/// end-time and clock-skew flags.
fn self_times_and_skew(spans: &[Span], tree: &mut Tree) {
    for row in 0..tree.len() as u32 {
        let span = &spans[tree.span[row as usize] as usize];
        let (start, end) = (
            span.start_unix_nanos,
            span.end_unix_nanos.max(span.start_unix_nanos),
        );
        let mut flags = 0;
        if span.is_unfinished() {
            flags |= flags::UNFINISHED;
        } else if span.end_unix_nanos == span.start_unix_nanos {
            flags |= flags::ZERO_LENGTH;
        }
        let parent = tree.parent[row as usize];
        if parent != NO_ROW {
            let parent_span = &spans[tree.span[parent as usize] as usize];
            let outside = span.start_unix_nanos < parent_span.start_unix_nanos
                || (!span.is_unfinished()
                    && !parent_span.is_unfinished()
                    && span.end_unix_nanos > parent_span.end_unix_nanos);
            if outside {
                flags |= flags::OUTSIDE_PARENT;
            }
        }
        tree.flags[row as usize] |= flags;
        // Children come in start order, so one sweep merges their (clipped) intervals.
        let mut covered = 0u64;
        let mut reach = start;
        let children: Vec<u32> = tree.children(row).collect();
        for child in children {
            let child_span = &spans[tree.span[child as usize] as usize];
            let child_start = child_span.start_unix_nanos.clamp(start, end);
            let child_end = child_span
                .end_unix_nanos
                .max(child_span.start_unix_nanos)
                .clamp(start, end);
            let from = child_start.max(reach);
            if child_end > from {
                covered += child_end - from;
                reach = child_end;
            }
        }
        tree.self_nanos[row as usize] = (end - start).saturating_sub(covered);
    }
}
