//! What every target does with what it loaded: everything downstream of ingest must not panic
//! either.

use plume::analysis::{Traces, critical_path};
use plume::attributes::{flat_map, span_attributes};
use plume::export::{self, Target};
use plume::ingest::FileReport;
use plume::model::Arena;

pub fn exercise(arena: &Arena, report: &FileReport) {
    let _ = report.errors.iter().map(ToString::to_string).count();
    let traces = Traces::assemble(arena);
    for trace in traces.all() {
        for root in trace.tree.roots().take(4) {
            critical_path(arena.spans(), &trace.tree, root);
        }
    }
    let _ = traces.overview();
    for span in arena.spans().iter().take(64) {
        let _ = serde_json::to_string(&span_attributes(arena, span.attributes));
        for event in arena.events(span.events) {
            let _ = flat_map(arena, event.attributes);
        }
    }
    let all: Vec<u32> = (0..arena.spans().len() as u32).collect();
    for target in [Target::OtlpJson, Target::OtlpProto, Target::PhoenixJsonLines] {
        let _ = export::encode(arena, &all, target);
    }
}
