//! How things are shown, decided in plain Rust so it is tested natively: units and times
//! ([`format`]), the timeline's time ↔ position mapping and axis ([`axis`]), the URL's routes
//! ([`route`]), a project table's filters and order ([`table`]) and columns ([`columns`]), a virtual list's rows in view ([`list`]), a span's details pane ([`details`]), what keys do in the trace ([`keys`]), what to say of what a link names and is not loaded ([`missing`]), where floating boxes go ([`popover`]), an agent graph drawn ([`agent_graph`]), what a share file says of itself ([`share`]), what the annotation forms make of what was typed ([`annotation`]), the redaction rules as the page edits them ([`redaction`]), Markdown read into parts the page renders as its own elements ([`markdown`]). What spans mean is the `semantics` layer's; the Yew components in `ui` only lay
//! these out.

pub mod agent_graph;
pub mod annotation;
pub mod axis;
pub mod columns;
pub mod details;
pub mod diff;
pub mod format;
pub mod keys;
pub mod list;
pub mod live;
pub mod markdown;
pub mod media;
pub mod missing;
pub mod popover;
pub mod redaction;
pub mod route;
pub mod share;
pub mod sources;
pub mod table;
