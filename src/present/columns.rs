//! The traces table's columns: what each is called and sorts by, which show (the user chooses,
//! the page remembers), written as a short list for storage. The name always shows.

use crate::engine::protocol::SortKey;

/// A column of the traces (or spans) table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// The span's name (and the tick box).
    Name,
    /// Its OpenInference kind.
    Kind,
    /// When it started.
    Start,
    /// How long it took.
    Duration,
    /// How many spans.
    Spans,
    /// Tokens.
    Tokens,
    /// What its calls cost.
    Cost,
    /// OK, ERROR or UNSET.
    Status,
    /// Its `session.id`.
    Session,
    /// Who it ran for.
    User,
    /// Its evaluations.
    Evaluations,
    /// What it was asked.
    Input,
    /// What it answered.
    Output,
    /// What went wrong.
    Error,
}

impl Column {
    /// Every column, in table order.
    pub const ALL: [Column; 14] = [
        Self::Name,
        Self::Kind,
        Self::Start,
        Self::Duration,
        Self::Spans,
        Self::Tokens,
        Self::Cost,
        Self::Status,
        Self::Session,
        Self::User,
        Self::Evaluations,
        Self::Input,
        Self::Output,
        Self::Error,
    ];

    /// Its stable name: in storage, and its cells' class (`col-<key>`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Kind => "kind",
            Self::Start => "start",
            Self::Duration => "duration",
            Self::Spans => "spans",
            Self::Tokens => "tokens",
            Self::Cost => "cost",
            Self::Status => "status",
            Self::Session => "session",
            Self::User => "user",
            Self::Evaluations => "evaluations",
            Self::Input => "input",
            Self::Output => "output",
            Self::Error => "error",
        }
    }

    /// Its head.
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Kind => "Kind",
            Self::Start => "Start (UTC)",
            Self::Duration => "Duration",
            Self::Spans => "Spans",
            Self::Tokens => "Tokens",
            Self::Cost => "Cost",
            Self::Status => "Status",
            Self::Session => "Session",
            Self::User => "User",
            Self::Evaluations => "Evaluations",
            Self::Input => "Input",
            Self::Output => "Output",
            Self::Error => "Error",
        }
    }

    /// What a click on its head sorts by, if it sorts.
    pub fn sort(self) -> Option<SortKey> {
        Some(match self {
            Self::Name => SortKey::Name,
            Self::Kind => SortKey::Kind,
            Self::Start => SortKey::Start,
            Self::Duration => SortKey::Duration,
            Self::Spans => SortKey::Spans,
            Self::Tokens => SortKey::Tokens,
            Self::Cost => SortKey::Cost,
            Self::Status => SortKey::Status,
            _ => return None,
        })
    }

    /// Whether it holds a number (right-aligned).
    pub fn numeric(self) -> bool {
        matches!(
            self,
            Self::Duration | Self::Spans | Self::Tokens | Self::Cost
        )
    }
}

/// The columns shown, in table order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns(Vec<Column>);

impl Default for Columns {
    /// All but User, which few traces carry.
    fn default() -> Self {
        Self(
            Column::ALL
                .into_iter()
                .filter(|c| *c != Column::User)
                .collect(),
        )
    }
}

impl Columns {
    /// The columns a stored list names (`name,duration,status`); the default if it names none
    /// this table knows. The name always shows.
    pub fn from_stored(text: &str) -> Self {
        let named: Vec<&str> = text.split(',').map(str::trim).collect();
        let shown: Vec<Column> = Column::ALL
            .into_iter()
            .filter(|c| *c == Column::Name || named.contains(&c.key()))
            .collect();
        match shown.len() {
            1 => Self::default(),
            _ => Self(shown),
        }
    }

    /// As stored.
    pub fn to_stored(&self) -> String {
        self.0.iter().map(|c| c.key()).collect::<Vec<_>>().join(",")
    }

    /// The columns shown, in table order.
    pub fn shown(&self) -> &[Column] {
        &self.0
    }

    /// Whether `column` shows.
    pub fn shows(&self, column: Column) -> bool {
        self.0.contains(&column)
    }

    /// These columns with `column` shown or not (the name always shows).
    pub fn with(&self, column: Column, shown: bool) -> Self {
        Self(
            Column::ALL
                .into_iter()
                .filter(|c| {
                    *c == Column::Name || (if *c == column { shown } else { self.shows(*c) })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_stored_as_their_keys_and_read_back_in_table_order() {
        let columns = Columns::default()
            .with(Column::User, true)
            .with(Column::Spans, false);
        assert!(columns.shows(Column::User) && !columns.shows(Column::Spans));
        assert_eq!(Columns::from_stored(&columns.to_stored()), columns);
        assert_eq!(
            Columns::from_stored("error, name,duration").shown(),
            [Column::Name, Column::Duration, Column::Error]
        );
    }

    #[test]
    fn the_name_always_shows_and_nothing_known_means_the_default() {
        assert!(
            Columns::default()
                .with(Column::Name, false)
                .shows(Column::Name)
        );
        assert_eq!(Columns::from_stored(""), Columns::default());
        assert_eq!(Columns::from_stored("bogus,<script>"), Columns::default());
        assert!(!Columns::default().shows(Column::User));
    }
}
