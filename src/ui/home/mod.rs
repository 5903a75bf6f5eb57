//! The start page: what to drop, the projects, and what this browser keeps.

pub(crate) mod price_tables;
pub(crate) mod projects;
pub(crate) mod save_setting;
pub(crate) mod saved_files;
pub(crate) mod storage_status;
pub(crate) mod welcome;
