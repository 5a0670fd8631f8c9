//! All SQL lives here. Queries are plain, portable SQL (no SQLite-only functions in business
//! queries); instants are bound as fixed-width UTC text so that they sort as they compare.

pub mod meetings;
pub mod outbox;
pub mod sessions;
pub mod users;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::domain::time::LOCAL_FORMAT;

/// Fixed-width UTC text for an instant: `2027-02-09T11:30:00.000000Z`.
pub fn ts(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Parses [`ts`] output.
pub fn parse_ts(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| {
            tracing::error!(text, "unparsable instant in the database");
            DateTime::<Utc>::MIN_UTC
        })
}

/// Text for a local wall-clock time.
pub fn local(local: NaiveDateTime) -> String {
    local.format(LOCAL_FORMAT).to_string()
}

/// Parses [`local`] output.
pub fn parse_local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, LOCAL_FORMAT).unwrap_or_else(|_| {
        tracing::error!(text, "unparsable local time in the database");
        NaiveDateTime::MIN
    })
}

/// Now, as stored.
pub fn now() -> String {
    ts(Utc::now())
}
