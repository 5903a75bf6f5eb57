//! What a key does in a trace's span tree, decided from the key and the selected row alone, so
//! the keyboard's rules are tested natively. The page carries the action out.

/// Rows a page key moves by.
pub const PAGE_ROWS: u32 = 20;

/// The selected row, as far as keys care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SelectedRow {
    /// Its visible index.
    pub index: u32,
    /// Its tree row (what collapsing names).
    pub row: u32,
    /// Its parent's visible index, if the parent is visible.
    pub parent_index: Option<u32>,
    /// Direct children.
    pub children: u32,
    /// Whether its children are hidden.
    pub collapsed: bool,
}

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAction {
    /// Select the visible row at this index (the page clamps it to the rows there are).
    Select(u32),
    /// Collapse (`false`) or expand (`true`) this tree row.
    Expand(u32, bool),
    /// Open or close the details.
    Details(bool),
    /// Nothing, though the key is the tree's (its default is prevented).
    Nothing,
}

/// What `key` does with `selected` (if any row is) in a tree of `rows` visible rows; `None` if
/// the key is not the tree's.
pub fn key_action(key: &str, selected: Option<SelectedRow>, rows: u32) -> Option<KeyAction> {
    let last = rows.saturating_sub(1);
    let at = selected.map_or(0, |s| s.index);
    let action = match key {
        "ArrowDown" | "j" => KeyAction::Select(match selected {
            Some(_) => at.saturating_add(1).min(last),
            None => 0,
        }),
        "ArrowUp" | "k" => KeyAction::Select(at.saturating_sub(1)),
        "PageDown" => KeyAction::Select(at.saturating_add(PAGE_ROWS).min(last)),
        "PageUp" => KeyAction::Select(at.saturating_sub(PAGE_ROWS)),
        "Home" => KeyAction::Select(0),
        "End" => KeyAction::Select(last),
        "ArrowLeft" | "h" => match selected {
            Some(row) if row.children > 0 && !row.collapsed => KeyAction::Expand(row.row, false),
            Some(SelectedRow {
                parent_index: Some(parent),
                ..
            }) => KeyAction::Select(parent),
            _ => KeyAction::Nothing,
        },
        "ArrowRight" | "l" => match selected {
            Some(row) if row.collapsed => KeyAction::Expand(row.row, true),
            Some(row) if row.children > 0 => KeyAction::Select(at.saturating_add(1).min(last)),
            _ => KeyAction::Nothing,
        },
        "Enter" => KeyAction::Details(true),
        "Escape" => KeyAction::Details(false),
        _ => return None,
    };
    Some(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARENT: SelectedRow = SelectedRow {
        index: 4,
        row: 7,
        parent_index: Some(2),
        children: 3,
        collapsed: false,
    };

    #[test]
    fn arrows_and_pages_move_within_the_rows() {
        assert_eq!(
            key_action("ArrowDown", None, 10),
            Some(KeyAction::Select(0))
        );
        assert_eq!(
            key_action("j", Some(PARENT), 10),
            Some(KeyAction::Select(5))
        );
        assert_eq!(
            key_action("k", Some(PARENT), 10),
            Some(KeyAction::Select(3))
        );
        assert_eq!(key_action("ArrowUp", None, 10), Some(KeyAction::Select(0)));
        assert_eq!(
            key_action("PageDown", Some(PARENT), 10),
            Some(KeyAction::Select(9))
        );
        assert_eq!(
            key_action("PageDown", Some(PARENT), 100),
            Some(KeyAction::Select(24))
        );
        assert_eq!(
            key_action("PageUp", Some(PARENT), 100),
            Some(KeyAction::Select(0))
        );
        assert_eq!(
            key_action("Home", Some(PARENT), 100),
            Some(KeyAction::Select(0))
        );
        assert_eq!(
            key_action("End", None, 100_000),
            Some(KeyAction::Select(99_999))
        );
        let last = SelectedRow { index: 9, ..PARENT };
        assert_eq!(
            key_action("ArrowDown", Some(last), 10),
            Some(KeyAction::Select(9))
        );
    }

    #[test]
    fn left_collapses_then_goes_to_the_parent_and_right_expands_then_goes_in() {
        assert_eq!(
            key_action("ArrowLeft", Some(PARENT), 10),
            Some(KeyAction::Expand(7, false))
        );
        let collapsed = SelectedRow {
            collapsed: true,
            ..PARENT
        };
        assert_eq!(
            key_action("h", Some(collapsed), 10),
            Some(KeyAction::Select(2))
        );
        assert_eq!(
            key_action("l", Some(collapsed), 10),
            Some(KeyAction::Expand(7, true))
        );
        assert_eq!(
            key_action("ArrowRight", Some(PARENT), 10),
            Some(KeyAction::Select(5))
        );
        let leaf = SelectedRow {
            children: 0,
            parent_index: None,
            ..PARENT
        };
        assert_eq!(
            key_action("ArrowLeft", Some(leaf), 10),
            Some(KeyAction::Nothing)
        );
        assert_eq!(
            key_action("ArrowRight", Some(leaf), 10),
            Some(KeyAction::Nothing)
        );
    }

    #[test]
    fn enter_and_escape_open_and_close_the_details_and_other_keys_are_not_the_trees() {
        assert_eq!(key_action("Enter", None, 0), Some(KeyAction::Details(true)));
        assert_eq!(
            key_action("Escape", None, 0),
            Some(KeyAction::Details(false))
        );
        assert_eq!(key_action("x", Some(PARENT), 10), None);
        assert_eq!(key_action("End", None, 0), Some(KeyAction::Select(0)));
    }
}
