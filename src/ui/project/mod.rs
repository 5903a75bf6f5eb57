//! A project's tabs: its traces or spans, sessions, one session, and its figures.

pub(crate) mod columns;
pub(crate) mod filter_bar;
pub(crate) mod page;
pub(crate) mod session;
pub(crate) mod stats;
pub(crate) mod table;
pub(crate) mod table_filters;
pub(crate) mod table_row;
