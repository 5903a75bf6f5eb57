//! A trace: its waterfall page, flame graph, a span's details and meaning; two traces compared.

pub(crate) mod agent_graph;
pub(crate) mod annotations;
pub(crate) mod compare;
pub(crate) mod compare_pick;
pub(crate) mod flame_graph;
pub(crate) mod insight;
pub(crate) mod meaning;
pub(crate) mod message_media;
pub(crate) mod message_text;
pub(crate) mod minimap;
pub(crate) mod page;
pub(crate) mod place;
pub(crate) mod row;
pub(crate) mod search;
pub(crate) mod section;
pub(crate) mod span_details;
pub(crate) mod span_diff;
pub(crate) mod toolbar;
pub(crate) mod view;
pub(crate) mod waterfall;
pub(crate) mod zoom;
