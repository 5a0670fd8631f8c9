//! Dates as French clinicians read them, and parsing of the date and time fields of forms.
//! Everything shown is local time in the series' or the meeting's time zone (Europe/Paris).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};

/// The time zone every meeting is entered and shown in unless stated otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Paris";

/// Format of local wall-clock times stored in the database (`2027-02-09T12:30:00`).
pub const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

const WEEKDAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// French name of a weekday ("mardi").
pub fn weekday_fr(day: Weekday) -> &'static str {
    WEEKDAYS[day.num_days_from_monday() as usize]
}

/// French name of a month, 1-based ("février").
pub fn month_fr(month: u32) -> &'static str {
    MONTHS[(month.clamp(1, 12) - 1) as usize]
}

/// "mardi 9 février 2027".
pub fn format_date_fr(date: NaiveDate) -> String {
    format!(
        "{} {} {} {}",
        weekday_fr(date.weekday()),
        date.day(),
        month_fr(date.month()),
        date.year()
    )
}

/// "12h30" (French usage; "12h" on the hour).
pub fn format_time_fr(time: NaiveTime) -> String {
    if time.minute() == 0 {
        format!("{}h", time.hour())
    } else {
        format!("{}h{:02}", time.hour(), time.minute())
    }
}

/// "mardi 9 février 2027 à 12h30".
pub fn format_datetime_fr(local: NaiveDateTime) -> String {
    format!(
        "{} à {}",
        format_date_fr(local.date()),
        format_time_fr(local.time())
    )
}

/// "mardi 9 février 2027, 12h30–14h".
pub fn format_slot_fr(start: NaiveDateTime, duration_minutes: u32) -> String {
    let end = start + chrono::Duration::minutes(duration_minutes as i64);
    if end.date() == start.date() {
        format!(
            "{}, {}–{}",
            format_date_fr(start.date()),
            format_time_fr(start.time()),
            format_time_fr(end.time())
        )
    } else {
        format!(
            "{} – {}",
            format_datetime_fr(start),
            format_datetime_fr(end)
        )
    }
}

/// Short date "09/02/2027".
pub fn format_short_date_fr(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// Parses an HTML `<input type="date">` value (`2027-02-09`).
pub fn parse_date_field(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

/// Parses an HTML `<input type="time">` value (`12:30`, or `12:30:00`).
pub fn parse_time_field(value: &str) -> Option<NaiveTime> {
    let value = value.trim();
    NaiveTime::parse_from_str(value, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(value, "%H:%M:%S"))
        .ok()
}

/// Parses an HTML `<input type="datetime-local">` value (`2027-02-02T12:30`).
pub fn parse_datetime_field(value: &str) -> Option<NaiveDateTime> {
    let value = value.trim();
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, LOCAL_FORMAT))
        .ok()
}

/// Formats a local time for an HTML `datetime-local` field.
pub fn datetime_field_value(local: NaiveDateTime) -> String {
    local.format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_french() {
        let date = NaiveDate::from_ymd_opt(2027, 2, 9).unwrap();
        assert_eq!(format_date_fr(date), "mardi 9 février 2027");
        let start = date.and_hms_opt(12, 30, 0).unwrap();
        assert_eq!(format_slot_fr(start, 90), "mardi 9 février 2027, 12h30–14h");
        assert_eq!(format_short_date_fr(date), "09/02/2027");
    }

    #[test]
    fn parses_form_fields() {
        assert_eq!(
            parse_date_field("2027-02-09"),
            NaiveDate::from_ymd_opt(2027, 2, 9)
        );
        assert_eq!(parse_date_field("09/02/2027"), None);
        assert_eq!(
            parse_time_field("12:30"),
            NaiveTime::from_hms_opt(12, 30, 0)
        );
        assert_eq!(parse_time_field("25:00"), None);
        assert!(parse_datetime_field("2027-02-02T12:30").is_some());
        assert!(parse_datetime_field("demain").is_none());
    }
}
