//! What every target does with what it loaded: everything downstream of ingest must not panic
//! either.

use plume::analysis::{Traces, compare, critical_path, flame, project_stats};
use plume::attributes::{flat_map, span_attributes};
use plume::export::{self, Target};
use plume::ingest::FileReport;
use plume::model::Arena;
use plume::semantics::{Prices, call_cost, describe};

pub fn exercise(arena: &Arena, report: &FileReport) {
    let _ = report.errors.iter().map(ToString::to_string).count();
    let traces = Traces::assemble(arena);
    for trace in traces.all() {
        for root in trace.tree.roots().take(4) {
            critical_path(arena.spans(), &trace.tree, root);
        }
    }
    let _ = traces.overview();
    for trace in traces.all().iter().take(8) {
        let totals = flame::subtree_self_nanos(&trace.tree);
        let _ = flame::layout(&trace.tree, &totals, None, 1000);
        let _ = flame::layout(
            &trace.tree,
            &totals,
            Some(trace.tree.len() as u32 / 2),
            1000,
        );
    }
    if let [a, b, ..] = traces.all() {
        let _ = compare::align(arena, a, b, 10_000);
    }
    static PRICES: std::sync::OnceLock<Prices> = std::sync::OnceLock::new();
    let prices = PRICES.get_or_init(Prices::builtin);
    for project in traces.overview().projects.iter().take(2) {
        let _ = project_stats::project_stats(arena, &traces, arena.str(project.name), prices);
    }
    for trace in traces.all().iter().take(8) {
        let _ = trace.summary.cost(arena, prices);
        let _ = trace.exchange(arena);
    }
    let _ = traces.attach(arena, arena.logs());
    for span in arena.spans().iter().take(64) {
        let _ = serde_json::to_string(&describe(arena, span));
        if let Some(call) = arena.call(span) {
            let _ = call_cost(arena, call, span.start_unix_nanos, prices);
        }
        let _ = serde_json::to_string(&span_attributes(arena, span.attributes));
        for event in arena.events(span.events) {
            let _ = flat_map(arena, event.attributes);
        }
    }
    let all: Vec<u32> = (0..arena.spans().len() as u32).collect();
    for target in [
        Target::OtlpJson,
        Target::OtlpProto,
        Target::PhoenixJsonLines,
    ] {
        let _ = export::encode(arena, &all, target);
    }
    let logs: Vec<_> = arena.logs().iter().collect();
    let _ = export::encode_logs_proto(arena, &logs);
}
