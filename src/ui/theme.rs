//! Light and dark themes: the system's by default, or the one the user picked (remembered).

use yew::prelude::*;

use crate::ui::local_storage;

const STORAGE_KEY: &str = "plume-theme";

/// The user's choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Follow the system.
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    pub(crate) fn from_name(name: &str) -> Self {
        match name {
            "light" => Self::Light,
            "dark" => Self::Dark,
            _ => Self::System,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    /// The next choice of the toggle: system → light → dark → system.
    pub fn next(self) -> Self {
        match self {
            Self::System => Self::Light,
            Self::Light => Self::Dark,
            Self::Dark => Self::System,
        }
    }

    /// A label for the toggle button.
    pub fn label(self) -> &'static str {
        match self {
            Self::System => "Theme: system",
            Self::Light => "Theme: light",
            Self::Dark => "Theme: dark",
        }
    }
}

fn stored() -> ThemeChoice {
    local_storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .map_or(ThemeChoice::System, |name| ThemeChoice::from_name(&name))
}

/// Applies the choice to the page: `data-theme` on `<html>` (absent means: follow the system).
fn apply(choice: ThemeChoice) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match choice {
        ThemeChoice::System => root.remove_attribute("data-theme"),
        other => root.set_attribute("data-theme", other.name()),
    };
}

/// The theme choice, a callback that moves to the next one, and one that sets it.
#[hook]
pub fn use_theme() -> (ThemeChoice, Callback<()>, Callback<ThemeChoice>) {
    let choice = use_state(stored);
    use_effect_with(*choice, |choice| {
        apply(*choice);
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(STORAGE_KEY, choice.name());
        }
    });
    let toggle = {
        let choice = choice.clone();
        Callback::from(move |()| choice.set(choice.next()))
    };
    let set = {
        let choice = choice.clone();
        Callback::from(move |next| choice.set(next))
    };
    (*choice, toggle, set)
}
