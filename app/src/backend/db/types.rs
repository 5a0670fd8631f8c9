//! Values stored differently by the two databases, decoded strictly: a row that holds an
//! unreadable instant or an unknown code is an error (logged, answered with a 500), never a
//! silent default.
//!
//! - [`Instant`]: `TIMESTAMPTZ` on PostgreSQL; on SQLite fixed-width UTC text
//!   (`2027-02-09T11:30:00.000000Z`), so that comparing the text compares the times.
//! - [`WallClock`]: a local time without zone (a series' wall-clock start, a deadline):
//!   `TIMESTAMP` on PostgreSQL, `2027-02-09T12:30:00` text on SQLite.
//! - Kinds, modes, roles, answers: `TEXT` on both (with a CHECK on PostgreSQL), read back
//!   through the domain's `from_code`.

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};

use crate::domain::meeting::{MeetingKind, MeetingMode};
use crate::domain::role::Role;
use crate::domain::rsvp::Rsvp;

/// An instant, stored in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(pub DateTime<Utc>);

/// A local wall-clock time (no zone: the row says which).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WallClock(pub NaiveDateTime);

impl Instant {
    /// Now.
    pub fn now() -> Instant {
        Instant(Utc::now())
    }
}

impl From<DateTime<Utc>> for Instant {
    fn from(t: DateTime<Utc>) -> Self {
        Instant(t)
    }
}

impl From<NaiveDateTime> for WallClock {
    fn from(t: NaiveDateTime) -> Self {
        WallClock(t)
    }
}

/// SQLite text of an instant: fixed width, so that text order is time order.
pub fn instant_text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Reads [`instant_text`] (any RFC 3339 instant is accepted).
pub fn parse_instant_text(text: &str) -> Result<DateTime<Utc>, BoxDynError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|error| format!("unreadable instant {text:?} in the database: {error}").into())
}

/// SQLite text of a wall-clock time.
pub fn wall_clock_text(t: NaiveDateTime) -> String {
    t.format(crate::domain::time::LOCAL_FORMAT).to_string()
}

/// Reads `YYYY-MM-DDTHH:MM:SS` exactly. Read by hand: chrono's format interpreter cost about
/// 2 % of the meeting list's CPU (one call per row).
pub fn parse_wall_clock_text(text: &str) -> Option<NaiveDateTime> {
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

impl Type<Sqlite> for Instant {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for Instant {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(instant_text(self.0), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Instant {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        parse_instant_text(<&str as Decode<Sqlite>>::decode(value)?).map(Instant)
    }
}

impl Type<Postgres> for Instant {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Instant {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <DateTime<Utc> as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Instant {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<Postgres>>::decode(value).map(Instant)
    }
}

impl Type<Sqlite> for WallClock {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for WallClock {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(wall_clock_text(self.0), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for WallClock {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        parse_wall_clock_text(text)
            .map(WallClock)
            .ok_or_else(|| format!("unreadable local time {text:?} in the database").into())
    }
}

impl Type<Postgres> for WallClock {
    fn type_info() -> PgTypeInfo {
        <NaiveDateTime as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        <NaiveDateTime as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for WallClock {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <NaiveDateTime as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for WallClock {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <NaiveDateTime as Decode<Postgres>>::decode(value).map(WallClock)
    }
}

/// Stores a domain enum as its `code()` text and reads it back through `from_code`, refusing
/// unknown codes.
macro_rules! text_enum {
    ($ty:ty, $what:literal) => {
        impl ::sqlx::Type<::sqlx::Sqlite> for $ty {
            fn type_info() -> ::sqlx::sqlite::SqliteTypeInfo {
                <String as ::sqlx::Type<::sqlx::Sqlite>>::type_info()
            }
            fn compatible(ty: &::sqlx::sqlite::SqliteTypeInfo) -> bool {
                <String as ::sqlx::Type<::sqlx::Sqlite>>::compatible(ty)
            }
        }
        impl<'q> ::sqlx::Encode<'q, ::sqlx::Sqlite> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut Vec<::sqlx::sqlite::SqliteArgumentValue<'q>>,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&str as ::sqlx::Encode<'q, ::sqlx::Sqlite>>::encode(self.code(), buf)
            }
        }
        impl<'r> ::sqlx::Decode<'r, ::sqlx::Sqlite> for $ty {
            fn decode(
                value: ::sqlx::sqlite::SqliteValueRef<'r>,
            ) -> Result<Self, ::sqlx::error::BoxDynError> {
                let code = <&str as ::sqlx::Decode<::sqlx::Sqlite>>::decode(value)?;
                <$ty>::from_code(code)
                    .ok_or_else(|| format!("unknown {} {code:?} in the database", $what).into())
            }
        }
        impl ::sqlx::Type<::sqlx::Postgres> for $ty {
            fn type_info() -> ::sqlx::postgres::PgTypeInfo {
                <String as ::sqlx::Type<::sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &::sqlx::postgres::PgTypeInfo) -> bool {
                <String as ::sqlx::Type<::sqlx::Postgres>>::compatible(ty)
            }
        }
        impl ::sqlx::Encode<'_, ::sqlx::Postgres> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut ::sqlx::postgres::PgArgumentBuffer,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&str as ::sqlx::Encode<::sqlx::Postgres>>::encode_by_ref(&self.code(), buf)
            }
        }
        impl<'r> ::sqlx::Decode<'r, ::sqlx::Postgres> for $ty {
            fn decode(
                value: ::sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, ::sqlx::error::BoxDynError> {
                let code = <&str as ::sqlx::Decode<::sqlx::Postgres>>::decode(value)?;
                <$ty>::from_code(code)
                    .ok_or_else(|| format!("unknown {} {code:?} in the database", $what).into())
            }
        }
    };
}

pub(crate) use text_enum;

text_enum!(MeetingKind, "meeting kind");
text_enum!(MeetingMode, "meeting mode");
text_enum!(Role, "role");
text_enum!(Rsvp, "answer");
text_enum!(crate::domain::cases::CaseStatus, "case status");
text_enum!(crate::domain::cases::RequestStatus, "request status");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_clock_text_reads_back_exactly_and_refuses_anything_else() {
        let t = chrono::NaiveDate::from_ymd_opt(2027, 3, 28)
            .unwrap()
            .and_hms_opt(2, 30, 5)
            .unwrap();
        assert_eq!(parse_wall_clock_text(&wall_clock_text(t)), Some(t));
        assert_eq!(parse_wall_clock_text("2027-02-30T10:00:00"), None);
        assert_eq!(parse_wall_clock_text("2027-02-01 10:00:00"), None);
        assert_eq!(parse_wall_clock_text("2027-02-01T1a:00:00"), None);
        assert_eq!(parse_wall_clock_text("garbage"), None);
    }

    #[test]
    fn instant_text_is_fixed_width_and_reads_back() {
        let t = DateTime::parse_from_rfc3339("2027-02-09T11:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(instant_text(t), "2027-02-09T11:30:00.000000Z");
        assert_eq!(parse_instant_text(&instant_text(t)).unwrap(), t);
        assert!(parse_instant_text("2027-02-09").is_err());
    }
}
