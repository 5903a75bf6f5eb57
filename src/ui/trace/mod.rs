//! A trace: its waterfall page, flame graph, a span's details and meaning; two traces compared.

pub(crate) mod compare;
pub(crate) mod flame_graph;
pub(crate) mod meaning;
pub(crate) mod page;
pub(crate) mod span_details;
