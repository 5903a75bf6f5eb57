//! A project's tabs: its traces or spans, sessions, one session, and its figures.

pub(crate) mod filter_bar;
pub(crate) mod page;
pub(crate) mod session;
pub(crate) mod stats;
