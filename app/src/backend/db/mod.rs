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

/// Parses [`local`] output. The fixed layout is read by hand: chrono's format interpreter cost
/// about 2 % of the meeting list's CPU (one call per row).
pub fn parse_local(text: &str) -> NaiveDateTime {
    fixed_local(text).unwrap_or_else(|| {
        tracing::error!(text, "unparsable local time in the database");
        NaiveDateTime::MIN
    })
}

/// `YYYY-MM-DDTHH:MM:SS`, nothing else.
fn fixed_local(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    chrono::NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?
        .and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)
}

/// Now, as stored.
pub fn now() -> String {
    ts(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_read_back_exactly() {
        let t = chrono::NaiveDate::from_ymd_opt(2027, 3, 28)
            .unwrap()
            .and_hms_opt(2, 30, 5)
            .unwrap();
        assert_eq!(parse_local(&local(t)), t);
        assert_eq!(fixed_local("2027-02-30T10:00:00"), None);
        assert_eq!(fixed_local("2027-02-01 10:00:00"), None);
        assert_eq!(fixed_local("2027-02-01T1a:00:00"), None);
        assert_eq!(parse_local("garbage"), NaiveDateTime::MIN);
    }
}
