//! Parts every page uses.

pub(crate) mod attribute_tree;
pub(crate) mod choice;
pub(crate) mod copy;
pub(crate) mod delete_button;
pub(crate) mod download;
pub(crate) mod eval_chip;
pub(crate) mod export_menu;
pub(crate) mod file_list;
pub(crate) mod input;
pub(crate) mod kind;
pub(crate) mod long_text;
pub(crate) mod menu;
pub(crate) mod missing;
pub(crate) mod open_files;
pub(crate) mod redaction;
pub(crate) mod send_menu;
pub(crate) mod share_button;
pub(crate) mod virtual_list;
