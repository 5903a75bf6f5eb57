//! Assembly of hand-made traces, one anomaly at a time.

use super::*;
use crate::model::{OiKind, StatusCode, TokenKind};
use crate::testutil::{TestSpan, TestValue, arena_of, push, span_id, trace_id};

fn names(arena: &Arena, tree: &Tree) -> Vec<String> {
    tree.span
        .iter()
        .map(|&index| arena.str(arena.spans()[index as usize].name).to_owned())
        .collect()
}

fn only_trace(arena: &Arena) -> Trace {
    let traces = Traces::assemble(arena);
    assert_eq!(traces.len(), 1);
    traces.all()[0].clone()
}

#[test]
fn pre_order_by_start_time_with_depth_and_self_time() {
    // s1 [0, 100] > s3 [10, 40] > s4 [20, 30]; s1 > s2 [30, 60] (overlaps s3); loaded out of order.
    let arena = arena_of(&[
        (4, Some(3), 20, 30),
        (2, Some(1), 30, 60),
        (1, None, 0, 100),
        (3, Some(1), 10, 40),
    ]);
    let trace = only_trace(&arena);
    assert_eq!(names(&arena, &trace.tree), ["s1", "s3", "s4", "s2"]);
    assert_eq!(trace.tree.depth, [0, 1, 2, 1]);
    assert_eq!(trace.tree.subtree_len, [4, 2, 1, 1]);
    assert_eq!(trace.tree.parent, [NO_ROW, 0, 1, 0]);
    // s1 is covered by the union [10, 60] of its children: 50 of 100 ns are its own.
    assert_eq!(trace.tree.self_nanos, [50, 20, 10, 30]);
    assert_eq!(trace.tree.children(0).collect::<Vec<_>>(), [1, 3]);
    assert_eq!(trace.summary.roots, 1);
    assert_eq!(trace.summary.duration_nanos(), 100);
    assert_eq!(arena.str(trace.summary.name), "s1");
}

#[test]
fn missing_parent_makes_a_marked_root() {
    let arena = arena_of(&[(2, Some(99), 5, 10), (1, None, 0, 20)]);
    let trace = only_trace(&arena);
    assert_eq!(names(&arena, &trace.tree), ["s1", "s2"]);
    assert_eq!(
        trace.tree.flags[1] & flags::PARENT_MISSING,
        flags::PARENT_MISSING
    );
    assert_eq!(trace.summary.roots, 2);
    assert_eq!(trace.summary.missing_parents, 1);
}

#[test]
fn duplicates_keep_the_first_copy() {
    let arena = arena_of(&[(1, None, 0, 20), (2, Some(1), 5, 10), (2, Some(1), 6, 11)]);
    let trace = only_trace(&arena);
    assert_eq!(trace.tree.len(), 2);
    assert_eq!(trace.tree.duplicates, [2]);
    assert_eq!(trace.summary.duplicates, 1);
    assert_eq!(
        arena.spans()[trace.tree.span[1] as usize].start_unix_nanos,
        5
    );
}

#[test]
fn cycles_are_cut_at_their_earliest_span() {
    // 1 -> 2 -> 3 -> 1 (a loop), 4 hangs off 3, and 5 is its own parent.
    let arena = arena_of(&[
        (1, Some(3), 10, 50),
        (2, Some(1), 20, 40),
        (3, Some(2), 5, 60),
        (4, Some(3), 30, 35),
        (5, Some(5), 0, 1),
    ]);
    let trace = only_trace(&arena);
    trace.tree.sanity_check();
    assert_eq!(trace.tree.len(), 5, "no span is lost");
    assert_eq!(names(&arena, &trace.tree), ["s5", "s3", "s1", "s2", "s4"]);
    assert_eq!(trace.tree.flags[0] & flags::CYCLE_CUT, flags::CYCLE_CUT);
    assert_eq!(trace.tree.flags[1] & flags::CYCLE_CUT, flags::CYCLE_CUT);
    assert_eq!(
        trace.summary.cycles, 2,
        "the loop and the span that is its own parent"
    );
}

#[test]
fn skew_zero_length_and_unfinished_are_counted() {
    let arena = arena_of(&[
        (1, None, 100, 200),
        (2, Some(1), 90, 150),  // starts before its parent
        (3, Some(1), 150, 250), // ends after it
        (4, Some(1), 160, 160), // zero length
        (5, Some(1), 170, 0),   // never ended
    ]);
    let trace = only_trace(&arena);
    assert_eq!(trace.summary.outside_parent, 2);
    assert_eq!(trace.summary.zero_length, 1);
    assert_eq!(trace.summary.unfinished, 1);
    // Children are clipped to the parent: [100, 200] is covered by [100, 150] ∪ [150, 200].
    assert_eq!(trace.tree.self_nanos[0], 0);
    assert_eq!(trace.summary.end_unix_nanos, 250);
}

#[test]
fn a_million_deep_chain_needs_no_deep_stack() {
    let n = 200_000u64;
    let spans: Vec<_> = (1..=n)
        .map(|id| (id, (id > 1).then(|| id - 1), id, 2 * n - id + 1))
        .collect();
    let arena = arena_of(&spans);
    let trace = only_trace(&arena);
    assert_eq!(trace.tree.depth[n as usize - 1], n as u32 - 1);
    assert_eq!(trace.tree.subtree_len[0], n as u32);
    let path = critical_path(arena.spans(), &trace.tree, 0);
    assert_eq!(path.len() as u64, 2 * n - 1);
}

#[test]
fn rows_where_reads_rows_in_span_order_and_gives_them_in_row_order() {
    // Rows whose spans lie together (placed) or strewn among other traces' (sorted), and a
    // tree small enough to be read in row order.
    let together: Vec<u32> = (0..10_000u32)
        .map(|row| (row * 7919) % 10_000 + 50)
        .collect();
    let strewn: Vec<u32> = together.iter().map(|span| span * 9).collect();
    let small: Vec<u32> = vec![5, 3, 9, 1];
    for (spans, read_in_span_order) in [(together, true), (strewn, true), (small, false)] {
        let tree = Tree {
            span: spans.clone(),
            ..Tree::default()
        };
        let mut read = Vec::new();
        let kept = tree.rows_where(0..spans.len() as u32, |row| {
            read.push(spans[row as usize]);
            spans[row as usize] % 3 == 0
        });
        let expected: Vec<u32> = (0..spans.len() as u32)
            .filter(|&row| spans[row as usize] % 3 == 0)
            .collect();
        assert_eq!(kept, expected);
        assert_eq!(read.len(), spans.len(), "every row is read once");
        assert_eq!(read.is_sorted(), read_in_span_order);
    }
}

#[test]
fn a_trace_split_over_files_is_one_tree() {
    let mut arena = arena_of(&[(1, None, 0, 100), (2, Some(1), 10, 20)]);
    let mut traces = Traces::assemble(&arena);
    assert_eq!(traces.all()[0].tree.len(), 2);
    push(
        &mut arena,
        TestSpan {
            id: 3,
            parent: Some(2),
            name: "late",
            start: 12,
            end: 18,
            ..TestSpan::default()
        },
    );
    push(
        &mut arena,
        TestSpan {
            trace: 2,
            id: 1,
            name: "other",
            start: 0,
            end: 1,
            ..TestSpan::default()
        },
    );
    push(
        &mut arena,
        TestSpan {
            id: 2,
            parent: Some(1),
            name: "again",
            start: 10,
            end: 20,
            ..TestSpan::default()
        },
    );
    traces.update(&arena);
    assert_eq!(traces.len(), 2);
    let first = traces
        .get(&trace_id(1))
        .map(|t| (t.tree.depth.clone(), t.summary.duplicates));
    assert_eq!(first, Some((vec![0, 1, 2], 1)));
    assert_eq!(traces.get(&trace_id(2)).map(|t| t.tree.len()), Some(1));
    assert_eq!(span_id(3), arena.spans()[2].span_id);
}

#[test]
fn critical_path_walks_back_from_the_end() {
    // root [0, 100]: a [10, 40], b [30, 70] > c [35, 60]; d [80, 90].
    let arena = arena_of(&[
        (1, None, 0, 100),
        (2, Some(1), 10, 40),
        (3, Some(1), 30, 70),
        (4, Some(3), 35, 60),
        (5, Some(1), 80, 90),
    ]);
    let trace = only_trace(&arena);
    let path: Vec<(String, u64, u64)> = critical_path(arena.spans(), &trace.tree, 0)
        .into_iter()
        .map(|s| {
            (
                names(&arena, &trace.tree)[s.row as usize].clone(),
                s.start_unix_nanos,
                s.end_unix_nanos,
            )
        })
        .collect();
    let expected = [
        ("s1", 0, 30),
        ("s3", 30, 35),
        ("s4", 35, 60),
        ("s3", 60, 70),
        ("s1", 70, 80),
        ("s5", 80, 90),
        ("s1", 90, 100),
    ];
    assert_eq!(path, expected.map(|(n, a, b)| (n.to_owned(), a, b)));
}

#[test]
fn critical_path_counts_back_to_back_children() {
    let arena = arena_of(&[
        (1, None, 0, 30),
        (2, Some(1), 0, 10),
        (3, Some(1), 10, 20),
        (4, Some(1), 20, 30),
    ]);
    let trace = only_trace(&arena);
    let rows: Vec<u32> = critical_path(arena.spans(), &trace.tree, 0)
        .iter()
        .map(|s| s.row)
        .collect();
    assert_eq!(rows, [1, 2, 3]);
}

#[test]
fn tokens_errors_kinds_and_session() {
    let mut arena = Arena::default();
    let llm = [
        ("openinference.span.kind", TestValue::Str("LLM")),
        ("llm.token_count.prompt", TestValue::Int(9)),
        ("llm.token_count.completion", TestValue::Int(25)),
        ("session.id", TestValue::Str("sess-1")),
    ];
    let chain = [("openinference.span.kind", TestValue::Str("chain"))];
    push(
        &mut arena,
        TestSpan {
            id: 1,
            start: 0,
            end: 100,
            attributes: &chain,
            ..TestSpan::default()
        },
    );
    push(
        &mut arena,
        TestSpan {
            id: 2,
            parent: Some(1),
            start: 10,
            end: 50,
            attributes: &llm,
            status: StatusCode::Error,
            ..TestSpan::default()
        },
    );
    push(
        &mut arena,
        TestSpan {
            id: 3,
            parent: Some(1),
            start: 60,
            end: 70,
            attributes: &llm,
            ..TestSpan::default()
        },
    );
    let summary = only_trace(&arena).summary;
    let tokens = [TokenKind::Input, TokenKind::Output].map(|kind| summary.usage.get(kind));
    assert_eq!(tokens, [Some(18), Some(50)]);
    assert_eq!(summary.usage.total(), Some(68));
    assert_eq!(summary.error_count, 1);
    assert_eq!(summary.status(), StatusCode::Error);
    assert_eq!(summary.oi_kind, OiKind::Chain);
    assert_eq!(summary.self_nanos_by_kind[OiKind::Chain as usize], 50);
    assert_eq!(summary.self_nanos_by_kind[OiKind::Llm as usize], 50);
    assert_eq!(summary.session.map(|id| arena.str(id)), Some("sess-1"));
}
