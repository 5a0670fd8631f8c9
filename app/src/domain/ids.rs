//! Identifiers: one type per kind of row, so an organisation's id can never be passed where a
//! meeting's is expected. Transparent on the wire (a JSON number, a form field) and in the
//! database (a 64-bit integer on SQLite and PostgreSQL).

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }
    };
}

id_type!(
    /// An organisation (a CPTS, a hospital department…).
    OrgId
);
id_type!(
    /// An account.
    UserId
);
id_type!(
    /// A meeting, or one occurrence of a series.
    MeetingId
);
id_type!(
    /// A series of meetings.
    SeriesId
);
id_type!(
    /// A case (written advice request or case for a staff/RCP).
    CaseId
);
id_type!(
    /// An item of a meeting's agenda (a case slot, a teaching talk, announcements).
    AgendaItemId
);
