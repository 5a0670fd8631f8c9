//! iCalendar (RFC 5545) writer for calendar feeds (`METHOD:PUBLISH`), invitations
//! (`METHOD:REQUEST`) and cancellations (`METHOD:CANCEL`), following RFC 5546 (iTIP).
//!
//! Why the text is written by hand rather than with the `ical` or `icalendar` crates:
//! - `ical` 0.11's generator folds lines every 75 *characters*, not 75 octets, so a line with
//!   accented letters or emoji comes out longer than RFC 5545 allows; it does not escape TEXT
//!   values either, and builds one `String` per property and component.
//! - `icalendar` 0.17 has no VTIMEZONE (STANDARD/DAYLIGHT) component in its API and pulls in a
//!   parser (nom) that this writer does not need.
//!
//! Writing the small subset used here directly gives exact control over folding, escaping and
//! parameter quoting, and writes everything into one `String` (linear in the output size). The
//! `ical` crate's parser is used in the tests to read the output back.
//!
//! Times: `DTSTART`, `DTEND`, `EXDATE` and `RECURRENCE-ID` are local wall times with a `TZID`
//! (e.g. `DTSTART;TZID=Europe/Paris:20270209T123000`), so a series keeps its local hour across
//! daylight-saving changes; each distinct time zone gets one VTIMEZONE block, derived from the
//! chrono-tz database. `DTSTAMP` is in UTC.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// The product identifier written in every calendar.
pub const PRODID: &str = "-//Concerto//Concerto//FR";

/// Maximum length of a content line in octets, excluding the CRLF (RFC 5545 §3.1).
const MAX_LINE_OCTETS: usize = 75;

/// The iTIP method of a calendar object (RFC 5546).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `METHOD:PUBLISH`, for subscription feeds. RFC 5546 allows no ATTENDEE here, so none is
    /// written.
    Publish,
    /// No METHOD line: a plain RFC 5545 calendar, for subscription feeds that show each
    /// attendee's answer (PARTSTAT), which iTIP's PUBLISH does not allow.
    Feed,
    /// `METHOD:REQUEST`, for invitations and updates (increment `Event::sequence` on change).
    Request,
    /// `METHOD:CANCEL`, for cancellations (same UID, higher sequence); every event is written with
    /// `STATUS:CANCELLED` and without alarms.
    Cancel,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Feed => "",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// The `STATUS` of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventStatus {
    /// `STATUS:CONFIRMED`
    Confirmed,
    /// `STATUS:TENTATIVE`
    Tentative,
    /// `STATUS:CANCELLED`
    Cancelled,
}

impl EventStatus {
    fn as_str(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Tentative => "TENTATIVE",
            EventStatus::Cancelled => "CANCELLED",
        }
    }
}

/// An attendee's participation status (`PARTSTAT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartStat {
    /// `PARTSTAT=NEEDS-ACTION`: not answered yet.
    NeedsAction,
    /// `PARTSTAT=ACCEPTED`
    Accepted,
    /// `PARTSTAT=DECLINED`
    Declined,
    /// `PARTSTAT=TENTATIVE`
    Tentative,
}

impl PartStat {
    fn as_str(self) -> &'static str {
        match self {
            PartStat::NeedsAction => "NEEDS-ACTION",
            PartStat::Accepted => "ACCEPTED",
            PartStat::Declined => "DECLINED",
            PartStat::Tentative => "TENTATIVE",
        }
    }
}

/// A person with a display name (`CN`) and an e-mail address (`mailto:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// Display name, written as the quoted `CN` parameter.
    pub name: String,
    /// E-mail address, written as `mailto:<email>`.
    pub email: String,
}

/// An invited participant (always `ROLE=REQ-PARTICIPANT;RSVP=TRUE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendee {
    /// Who is invited.
    pub person: Person,
    /// Their answer so far.
    pub partstat: PartStat,
}

/// One VEVENT: a single meeting, a series master (with `rrule`), or an overridden occurrence of a
/// series (with `recurrence_id` and the master's `uid`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Stable unique identifier, the same for every version of the meeting and for the overridden
    /// occurrences of a series.
    pub uid: String,
    /// Revision number, incremented on every change sent to attendees.
    pub sequence: u32,
    /// When this calendar object was created (written in UTC).
    pub dtstamp: DateTime<Utc>,
    /// Title (`SUMMARY`).
    pub summary: String,
    /// Description (`DESCRIPTION`); omitted when empty.
    pub description: String,
    /// Place (`LOCATION`).
    pub location: Option<String>,
    /// Link to the meeting page or video room (`URL`).
    pub url: Option<String>,
    /// Local start wall time in `tz` (`DTSTART;TZID=…`). For a series, the first occurrence.
    pub start_local: NaiveDateTime,
    /// Duration; `DTEND` is written as the local wall time this many minutes after the start.
    pub duration_minutes: u32,
    /// Time zone of the local times, e.g. `chrono_tz::Europe::Paris`.
    pub tz: Tz,
    /// `STATUS` (forced to `CANCELLED` under [`Method::Cancel`]).
    pub status: EventStatus,
    /// The organizer (`ORGANIZER`).
    pub organizer: Person,
    /// The attendees (`ATTENDEE`), not written under [`Method::Publish`].
    pub attendees: Vec<Attendee>,
    /// RRULE value (without `RRULE:`), e.g. from the recurrence module's `to_rrule`.
    pub rrule: Option<String>,
    /// Local start times of removed occurrences (`EXDATE;TZID=…`).
    pub exdates: Vec<NaiveDateTime>,
    /// For an overridden occurrence: the original local start of the occurrence it replaces
    /// (`RECURRENCE-ID;TZID=…`).
    pub recurrence_id: Option<NaiveDateTime>,
    /// Whether to add two reminders (`VALARM`, `ACTION:DISPLAY`): one day and one hour before.
    pub alarms: bool,
    /// The UID of the event this one belongs to (`RELATED-TO`): a presenter's slot names its
    /// meeting.
    pub related_to: Option<String>,
}

/// A calendar object: a feed, an invitation or a cancellation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    /// The iTIP method.
    pub method: Method,
    /// Calendar name shown by clients for feeds (`X-WR-CALNAME`).
    pub name: Option<String>,
    /// The events, written in this order.
    pub events: Vec<Event>,
}

/// Renders the calendar as RFC 5545 text: CRLF line endings, lines folded at 75 octets, TEXT
/// values escaped, one VTIMEZONE per distinct time zone used by the events.
pub fn render(calendar: &Calendar) -> String {
    let mut w = Writer::with_capacity(512 + calendar.events.len() * 1024);
    w.raw("BEGIN", "VCALENDAR");
    w.raw("PRODID", PRODID);
    w.raw("VERSION", "2.0");
    w.raw("CALSCALE", "GREGORIAN");
    if calendar.method != Method::Feed {
        w.raw("METHOD", calendar.method.as_str());
    }
    if let Some(name) = &calendar.name {
        w.text("X-WR-CALNAME", name);
    }
    for zone in zones_used(&calendar.events) {
        w.out.push_str(&vtimezone_block(&zone));
    }
    for event in &calendar.events {
        write_event(&mut w, calendar.method, event);
    }
    w.raw("END", "VCALENDAR");
    w.out
}

/// Folds one content line (without its CRLF) so that no physical line exceeds 75 octets: the
/// first line holds at most 75 octets, each continuation line a space and at most 74 octets. A
/// UTF-8 character is never split. A physical line is also never made to end with a space or a
/// tab (the fold moves before them), since some parsers trim trailing whitespace when unfolding.
/// The result has CRLF only between the physical lines, not at its end.
pub fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 24);
    fold_into(&mut out, line);
    out
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma get a backslash,
/// line breaks (LF, CRLF or CR) become `\n`; other control characters except tab are dropped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_text_into(&mut out, s);
    out
}

fn fold_into(out: &mut String, line: &str) {
    let bytes = line.as_bytes();
    let mut start = 0;
    let mut room = MAX_LINE_OCTETS;
    while line.len() - start > room {
        let mut end = start + room;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        let mut trimmed = end;
        while trimmed > start && matches!(bytes[trimmed - 1], b' ' | b'\t') {
            trimmed -= 1;
        }
        if trimmed > start {
            end = trimmed;
        }
        out.push_str(&line[start..end]);
        out.push_str("\r\n ");
        start = end;
        room = MAX_LINE_OCTETS - 1;
    }
    out.push_str(&line[start..]);
}

fn escape_text_into(out: &mut String, s: &str) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// Writes a quoted parameter value: DQUOTE cannot appear inside one (RFC 5545 §3.1), so it
/// becomes an apostrophe; control characters become spaces.
fn push_quoted_param(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push('\''),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes a URI-like value (mailto address, URL): no TEXT escaping applies, but control
/// characters and (for addresses) spaces are removed.
fn push_uri(out: &mut String, s: &str, keep_spaces: bool) {
    for c in s.trim().chars() {
        if c.is_control() || (!keep_spaces && c.is_whitespace()) {
            continue;
        }
        out.push(c);
    }
}

/// Accumulates the output. Each content line is built in `line`, then folded into `out`.
struct Writer {
    out: String,
    line: String,
}

impl Writer {
    fn with_capacity(n: usize) -> Self {
        Writer {
            out: String::with_capacity(n),
            line: String::with_capacity(256),
        }
    }

    /// Starts a content line with the property name and returns the buffer to complete.
    fn start(&mut self, name: &str) -> &mut String {
        self.line.clear();
        self.line.push_str(name);
        &mut self.line
    }

    /// Folds the current line into the output, followed by CRLF.
    fn finish(&mut self) {
        fold_into(&mut self.out, &self.line);
        self.out.push_str("\r\n");
    }

    /// `NAME:value` with the value written as is.
    fn raw(&mut self, name: &str, value: &str) {
        let l = self.start(name);
        l.push(':');
        l.push_str(value);
        self.finish();
    }

    /// `NAME:value` with the value escaped as TEXT.
    fn text(&mut self, name: &str, value: &str) {
        let l = self.start(name);
        l.push(':');
        escape_text_into(l, value);
        self.finish();
    }

    /// `NAME;TZID=<tz>:YYYYMMDDTHHMMSS`
    fn local_time(&mut self, name: &str, tz: &str, t: NaiveDateTime) {
        let l = self.start(name);
        l.push_str(";TZID=");
        l.push_str(tz);
        l.push(':');
        push_datetime(l, t);
        self.finish();
    }
}

fn push_datetime(out: &mut String, t: NaiveDateTime) {
    let _ = write!(
        out,
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
}

fn write_event(w: &mut Writer, method: Method, e: &Event) {
    let tzid = e.tz.name();
    w.raw("BEGIN", "VEVENT");
    w.text("UID", &e.uid);
    let _ = write!(w.start("SEQUENCE"), ":{}", e.sequence);
    w.finish();
    let l = w.start("DTSTAMP");
    l.push(':');
    push_datetime(l, e.dtstamp.naive_utc());
    l.push('Z');
    w.finish();
    w.local_time("DTSTART", tzid, e.start_local);
    // The end is the start plus the duration in real time, read back as a local wall time.
    let end_utc =
        local_to_utc(e.start_local, e.tz) + Duration::minutes(i64::from(e.duration_minutes));
    w.local_time("DTEND", tzid, end_utc.with_timezone(&e.tz).naive_local());
    if let Some(rid) = e.recurrence_id {
        w.local_time("RECURRENCE-ID", tzid, rid);
    }
    if let Some(rrule) = &e.rrule {
        let rrule = rrule.trim();
        w.raw("RRULE", rrule.strip_prefix("RRULE:").unwrap_or(rrule));
    }
    if !e.exdates.is_empty() {
        let l = w.start("EXDATE;TZID=");
        l.push_str(tzid);
        l.push(':');
        for (i, t) in e.exdates.iter().enumerate() {
            if i > 0 {
                l.push(',');
            }
            push_datetime(l, *t);
        }
        w.finish();
    }
    w.text("SUMMARY", &e.summary);
    if !e.description.is_empty() {
        w.text("DESCRIPTION", &e.description);
    }
    if let Some(location) = &e.location {
        w.text("LOCATION", location);
    }
    if let Some(url) = &e.url {
        let l = w.start("URL:");
        push_uri(l, url, false);
        w.finish();
    }
    if let Some(related) = &e.related_to {
        w.text("RELATED-TO", related);
    }
    let status = if method == Method::Cancel {
        EventStatus::Cancelled
    } else {
        e.status
    };
    w.raw("STATUS", status.as_str());
    let l = w.start("ORGANIZER;CN=");
    push_quoted_param(l, &e.organizer.name);
    l.push_str(":mailto:");
    push_uri(l, &e.organizer.email, false);
    w.finish();
    if method != Method::Publish {
        for a in &e.attendees {
            let l = w.start("ATTENDEE;CN=");
            push_quoted_param(l, &a.person.name);
            l.push_str(";ROLE=REQ-PARTICIPANT;PARTSTAT=");
            l.push_str(a.partstat.as_str());
            l.push_str(";RSVP=TRUE:mailto:");
            push_uri(l, &a.person.email, false);
            w.finish();
        }
    }
    if e.alarms && method != Method::Cancel && status != EventStatus::Cancelled {
        for (trigger, when) in [("-P1D", "demain"), ("-PT1H", "dans une heure")] {
            w.raw("BEGIN", "VALARM");
            w.raw("ACTION", "DISPLAY");
            w.raw("TRIGGER", trigger);
            let l = w.start("DESCRIPTION:Rappel : ");
            escape_text_into(l, &e.summary);
            l.push_str(" (");
            l.push_str(when);
            l.push(')');
            w.finish();
            w.raw("END", "VALARM");
        }
    }
    w.raw("END", "VEVENT");
}

/// Local wall time → UTC, as the recurrence module does: a nonexistent time (spring-forward gap)
/// moves forward by the gap, an ambiguous one (fall-back) takes the earlier instant. (Duplicated
/// here so that this module does not depend on the app crate.)
fn local_to_utc(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earliest, _) => earliest.with_timezone(&Utc),
        LocalResult::None => {
            let offset = tz
                .offset_from_utc_datetime(&(local - Duration::days(1)))
                .fix();
            Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(offset.local_minus_utc()))))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// VTIMEZONE
// ---------------------------------------------------------------------------------------------

/// A time zone used by the events, with the range of years its local times fall in.
struct ZoneUse {
    tz: Tz,
    first_year: i32,
    last_year: i32,
}

/// Distinct time zones in order of first use, with their year ranges. A series (RRULE) extends
/// the range by ten years. The number of distinct zones is tiny, so a linear lookup is fine.
fn zones_used(events: &[Event]) -> Vec<ZoneUse> {
    let mut zones: Vec<ZoneUse> = Vec::new();
    for e in events {
        let mut lo = e.start_local.year();
        let mut hi = lo;
        for t in e.exdates.iter().chain(e.recurrence_id.iter()) {
            lo = lo.min(t.year());
            hi = hi.max(t.year());
        }
        if e.rrule.is_some() {
            hi = hi.saturating_add(10);
        }
        match zones.iter_mut().find(|z| z.tz == e.tz) {
            Some(z) => {
                z.first_year = z.first_year.min(lo);
                z.last_year = z.last_year.max(hi);
            }
            None => zones.push(ZoneUse {
                tz: e.tz,
                first_year: lo,
                last_year: hi,
            }),
        }
    }
    zones
}

/// An offset change of a zone.
struct Transition {
    /// Local wall time at which the change happens, read in the old offset (RFC 5545 DTSTART of
    /// an observance).
    onset_local: NaiveDateTime,
    from: i32,
    to: i32,
    dst: bool,
    name: Option<String>,
}

fn offset_at(tz: Tz, utc: NaiveDateTime) -> i32 {
    tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
}

/// The offset changes of `tz` during `year` (UTC), found by probing once a day and then
/// bisecting to the second. Zones whose offset changes twice within one day are not supported.
fn transitions_in_year(tz: Tz, year: i32) -> Vec<Transition> {
    let mut found = Vec::new();
    let (Some(start), Some(end)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year + 1, 1, 1),
    ) else {
        return found;
    };
    let end = end.and_time(NaiveTime::MIN);
    let mut t = start.and_time(NaiveTime::MIN);
    let mut prev = offset_at(tz, t);
    while t < end {
        let next = t + Duration::days(1);
        let offset = offset_at(tz, next);
        if offset != prev {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid) == prev {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let after = tz.offset_from_utc_datetime(&hi);
            found.push(Transition {
                onset_local: hi + Duration::seconds(i64::from(prev)),
                from: prev,
                to: offset,
                dst: after.dst_offset() != Duration::zero(),
                name: after.abbreviation().map(str::to_owned),
            });
        }
        prev = offset;
        t = next;
    }
    found
}

/// A yearly rule "the nth weekday of a month at a local time", as in a VTIMEZONE RRULE.
#[derive(Clone, Copy, PartialEq, Eq)]
struct YearlyRule {
    month: u32,
    nth: i8,
    weekday: Weekday,
    time: NaiveTime,
    from: i32,
    to: i32,
}

impl YearlyRule {
    fn of(t: &Transition) -> Self {
        let date = t.onset_local.date();
        let days_in_month = days_in_month(date.year(), date.month());
        let nth = if date.day() + 7 > days_in_month {
            -1
        } else {
            ((date.day() - 1) / 7 + 1) as i8
        };
        YearlyRule {
            month: date.month(),
            nth,
            weekday: date.weekday(),
            time: t.onset_local.time(),
            from: t.from,
            to: t.to,
        }
    }

    fn date_in(&self, year: i32) -> Option<NaiveDate> {
        if self.nth == -1 {
            let last = NaiveDate::from_ymd_opt(year, self.month, days_in_month(year, self.month))?;
            let back = (7 + last.weekday().num_days_from_monday()
                - self.weekday.num_days_from_monday())
                % 7;
            Some(last - Duration::days(i64::from(back)))
        } else {
            let first = NaiveDate::from_ymd_opt(year, self.month, 1)?;
            let ahead = (7 + self.weekday.num_days_from_monday()
                - first.weekday().num_days_from_monday())
                % 7;
            NaiveDate::from_ymd_opt(year, self.month, 1 + ahead + 7 * (self.nth as u32 - 1))
        }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map_or(31, |d| d.day())
}

fn weekday_code(wd: Weekday) -> &'static str {
    match wd {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn push_offset(out: &mut String, secs: i32) {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let _ = write!(out, "{sign}{:02}{:02}", a / 3600, (a / 60) % 60);
    if !a.is_multiple_of(60) {
        let _ = write!(out, "{:02}", a % 60);
    }
}

/// Writes one STANDARD or DAYLIGHT observance.
fn write_observance(
    w: &mut Writer,
    dst: bool,
    from: i32,
    to: i32,
    name: Option<&str>,
    dtstart: NaiveDateTime,
    rrule: Option<&YearlyRule>,
) {
    let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
    w.raw("BEGIN", kind);
    push_offset(w.start("TZOFFSETFROM:"), from);
    w.finish();
    push_offset(w.start("TZOFFSETTO:"), to);
    w.finish();
    if let Some(name) = name {
        w.text("TZNAME", name);
    }
    push_datetime(w.start("DTSTART:"), dtstart);
    w.finish();
    if let Some(r) = rrule {
        let _ = write!(
            w.start("RRULE:"),
            "FREQ=YEARLY;BYMONTH={};BYDAY={}{}",
            r.month,
            r.nth,
            weekday_code(r.weekday)
        );
        w.finish();
    }
    w.raw("END", kind);
}

/// The VTIMEZONE text of a zone, cached per (zone, year range): deriving it probes the zone's
/// offsets over several years (a few hundred microseconds), while feeds are rendered often.
fn vtimezone_block(zone: &ZoneUse) -> Arc<str> {
    type Cache = Mutex<HashMap<(Tz, i32, i32), Arc<str>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (zone.tz, zone.first_year, zone.last_year);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(block) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return block;
    }
    let mut w = Writer::with_capacity(1024);
    write_vtimezone(&mut w, zone);
    let block: Arc<str> = w.out.into();
    if let Ok(mut c) = cache.lock() {
        if c.len() >= 256 {
            c.clear();
        }
        c.insert(key, block.clone());
    }
    block
}

/// Writes the VTIMEZONE of a zone, from the chrono-tz database:
/// - no offset change in the first year used: one STANDARD observance from 1970;
/// - changes that follow the same "nth weekday of a month" rule in every year used (as in Europe
///   and North America): one observance per change with a yearly RRULE, DTSTART in 1970 by
///   convention (for Europe/Paris: DAYLIGHT on the last Sunday of March at 02:00, STANDARD on the
///   last Sunday of October at 03:00);
/// - otherwise: every change of the years used listed as its own observance, without RRULE.
fn write_vtimezone(w: &mut Writer, zone: &ZoneUse) {
    let tz = zone.tz;
    w.raw("BEGIN", "VTIMEZONE");
    w.raw("TZID", tz.name());
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)
        .unwrap()
        .and_time(NaiveTime::MIN);
    let reference = transitions_in_year(tz, zone.first_year);
    if reference.is_empty() {
        let jan1 = NaiveDate::from_ymd_opt(zone.first_year, 1, 1).unwrap_or(epoch.date());
        let offset = tz.offset_from_utc_datetime(&jan1.and_time(NaiveTime::MIN));
        let secs = offset.fix().local_minus_utc();
        write_observance(w, false, secs, secs, offset.abbreviation(), epoch, None);
    } else {
        let rules: Vec<YearlyRule> = reference.iter().map(YearlyRule::of).collect();
        let check_to = zone
            .last_year
            .max(zone.first_year + 2)
            .min(zone.first_year + 10);
        let regular = ((zone.first_year + 1)..=check_to).all(|year| {
            let ts = transitions_in_year(tz, year);
            ts.len() == rules.len() && ts.iter().zip(&rules).all(|(t, r)| YearlyRule::of(t) == *r)
        });
        if regular {
            for (t, r) in reference.iter().zip(&rules) {
                let dtstart = r
                    .date_in(1970)
                    .map_or(t.onset_local, |d| d.and_time(r.time));
                write_observance(w, t.dst, t.from, t.to, t.name.as_deref(), dtstart, Some(r));
            }
        } else {
            // Irregular zone: the offset at the start of the range, then every change.
            let first = NaiveDate::from_ymd_opt(zone.first_year - 1, 1, 1).unwrap_or(epoch.date());
            let initial = tz.offset_from_utc_datetime(&first.and_time(NaiveTime::MIN));
            let secs = initial.fix().local_minus_utc();
            let dst = initial.dst_offset() != Duration::zero();
            write_observance(w, dst, secs, secs, initial.abbreviation(), epoch, None);
            let last = zone.last_year.min(zone.first_year + 40);
            for year in (zone.first_year - 1)..=last {
                for t in transitions_in_year(tz, year) {
                    write_observance(
                        w,
                        t.dst,
                        t.from,
                        t.to,
                        t.name.as_deref(),
                        t.onset_local,
                        None,
                    );
                }
            }
        }
    }
    w.raw("END", "VTIMEZONE");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;
    use ical::parser::ical::component::{IcalCalendar, IcalEvent};
    use ical::property::Property;
    use std::io::BufReader;

    fn dt(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    fn person(name: &str, email: &str) -> Person {
        Person {
            name: name.into(),
            email: email.into(),
        }
    }

    fn staff_event() -> Event {
        Event {
            uid: "serie-42@concerto".into(),
            sequence: 3,
            dtstamp: Utc.with_ymd_and_hms(2027, 1, 5, 8, 15, 0).unwrap(),
            summary: "Staff santé mentale, CPTS Sud; cas complexes".into(),
            description: "Ordre du jour :\n1. Cas C-2027-014\n2. Point sur l'échelle PHQ-9\\GAD-7"
                .into(),
            location: Some("Maison de santé, salle 2".into()),
            url: Some("https://concerto.example/reunions/42".into()),
            start_local: dt(2027, 2, 9, 12, 30),
            duration_minutes: 90,
            tz: Paris,
            status: EventStatus::Confirmed,
            organizer: person(
                "Camille Durand, coordinatrice",
                "camille.durand@cpts.example",
            ),
            attendees: vec![
                Attendee {
                    person: person("Dr Éloïse Martin", "eloise.martin@example.org"),
                    partstat: PartStat::Accepted,
                },
                Attendee {
                    person: person("Dr Jean \"JP\" Petit", "jp.petit@example.org"),
                    partstat: PartStat::NeedsAction,
                },
            ],
            rrule: None,
            exdates: vec![],
            recurrence_id: None,
            alarms: false,
            related_to: None,
        }
    }

    fn parse(text: &str) -> IcalCalendar {
        let mut parser = ical::IcalParser::new(BufReader::new(text.as_bytes()));
        let cal = parser.next().expect("one calendar").expect("parses");
        assert!(parser.next().is_none(), "exactly one calendar");
        cal
    }

    fn props<'a>(props: &'a [Property], name: &str) -> Vec<&'a Property> {
        props.iter().filter(|p| p.name == name).collect()
    }

    fn value<'a>(props: &'a [Property], name: &str) -> &'a str {
        let found = self::props(props, name);
        assert_eq!(found.len(), 1, "exactly one {name}");
        found[0].value.as_deref().unwrap_or("")
    }

    fn param<'a>(p: &'a Property, name: &str) -> Option<&'a str> {
        p.params
            .as_ref()?
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.first().map(String::as_str))
    }

    fn event_value<'a>(e: &'a IcalEvent, name: &str) -> &'a str {
        value(&e.properties, name)
    }

    /// Every physical line ends with CRLF, has no bare CR or LF, and is at most 75 octets.
    fn assert_well_formed(text: &str) {
        assert!(text.ends_with("\r\n"));
        for line in text.split_terminator("\r\n") {
            assert!(line.len() <= 75, "line too long ({}): {line:?}", line.len());
            assert!(
                !line.contains('\n') && !line.contains('\r'),
                "bare line break in {line:?}"
            );
        }
    }

    #[test]
    fn fold_line_counts_octets_and_keeps_characters_whole() {
        assert_eq!(fold_line("SUMMARY:court"), "SUMMARY:court");
        let exact = format!("X:{}", "a".repeat(73));
        assert_eq!(fold_line(&exact), exact);

        // 2-octet é and 4-octet emoji at every alignment.
        for prefix in 0..4 {
            let line = format!("DESCRIPTION:{}{}", "x".repeat(prefix), "é🎉aé".repeat(40));
            let folded = fold_line(&line);
            let parts: Vec<&str> = folded.split("\r\n").collect();
            assert!(parts.len() > 1);
            assert!(parts[0].len() <= 75 && parts[0].len() >= 72);
            for p in &parts[1..] {
                assert!(p.starts_with(' '));
                assert!(p.len() <= 75);
            }
            // Unfolding gives the original back.
            assert_eq!(folded.replace("\r\n ", ""), line);
        }

        // A line of 76 ASCII octets: 75 then a continuation with one octet.
        let line = format!("X:{}", "b".repeat(74));
        assert_eq!(fold_line(&line), format!("X:{}\r\n b", "b".repeat(73)));

        // The fold never leaves a line ending in a space.
        let line = format!("SUMMARY:{} fin", "c".repeat(66));
        let folded = fold_line(&line);
        assert!(
            folded.split("\r\n").all(|p| !p.ends_with(' ')),
            "{folded:?}"
        );
        assert_eq!(folded.replace("\r\n ", ""), line);
    }

    #[test]
    fn escape_text_escapes_specials() {
        assert_eq!(escape_text("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
        assert_eq!(
            escape_text("ligne 1\r\nligne 2\rligne 3"),
            "ligne 1\\nligne 2\\nligne 3"
        );
        assert_eq!(escape_text("pas: de \"souci\""), "pas: de \"souci\"");
        assert_eq!(escape_text("bip\u{7}"), "bip");
        assert_eq!(escape_text("Réunion 🎉"), "Réunion 🎉");
    }

    #[test]
    fn single_invitation_parses_back() {
        let cal = Calendar {
            method: Method::Request,
            name: None,
            events: vec![staff_event()],
        };
        let text = render(&cal);
        assert_well_formed(&text);
        let parsed = parse(&text);

        assert_eq!(
            value(&parsed.properties, "PRODID"),
            "-//Concerto//Concerto//FR"
        );
        assert_eq!(value(&parsed.properties, "VERSION"), "2.0");
        assert_eq!(value(&parsed.properties, "CALSCALE"), "GREGORIAN");
        assert_eq!(value(&parsed.properties, "METHOD"), "REQUEST");
        assert_eq!(parsed.timezones.len(), 1);
        assert_eq!(parsed.events.len(), 1);

        let e = &parsed.events[0];
        assert_eq!(event_value(e, "UID"), "serie-42@concerto");
        assert_eq!(event_value(e, "SEQUENCE"), "3");
        assert_eq!(event_value(e, "DTSTAMP"), "20270105T081500Z");
        assert_eq!(event_value(e, "DTSTART"), "20270209T123000");
        assert_eq!(
            param(props(&e.properties, "DTSTART")[0], "TZID"),
            Some("Europe/Paris")
        );
        assert_eq!(event_value(e, "DTEND"), "20270209T140000");
        assert_eq!(
            param(props(&e.properties, "DTEND")[0], "TZID"),
            Some("Europe/Paris")
        );
        assert_eq!(
            event_value(e, "SUMMARY"),
            "Staff santé mentale\\, CPTS Sud\\; cas complexes"
        );
        assert_eq!(
            event_value(e, "DESCRIPTION"),
            "Ordre du jour :\\n1. Cas C-2027-014\\n2. Point sur l'échelle PHQ-9\\\\GAD-7"
        );
        assert_eq!(event_value(e, "LOCATION"), "Maison de santé\\, salle 2");
        assert_eq!(
            event_value(e, "URL"),
            "https://concerto.example/reunions/42"
        );
        assert_eq!(event_value(e, "STATUS"), "CONFIRMED");

        let organizer = props(&e.properties, "ORGANIZER")[0];
        assert_eq!(
            param(organizer, "CN"),
            Some("Camille Durand, coordinatrice")
        );
        assert_eq!(
            organizer.value.as_deref(),
            Some("mailto:camille.durand@cpts.example")
        );
        assert!(text.contains("ORGANIZER;CN=\"Camille Durand, coordinatrice\":mailto:"));

        let attendees = props(&e.properties, "ATTENDEE");
        assert_eq!(attendees.len(), 2);
        assert_eq!(param(attendees[0], "CN"), Some("Dr Éloïse Martin"));
        assert_eq!(param(attendees[0], "ROLE"), Some("REQ-PARTICIPANT"));
        assert_eq!(param(attendees[0], "PARTSTAT"), Some("ACCEPTED"));
        assert_eq!(param(attendees[0], "RSVP"), Some("TRUE"));
        assert_eq!(
            attendees[0].value.as_deref(),
            Some("mailto:eloise.martin@example.org")
        );
        assert_eq!(param(attendees[1], "CN"), Some("Dr Jean 'JP' Petit"));
        assert_eq!(param(attendees[1], "PARTSTAT"), Some("NEEDS-ACTION"));
        assert!(e.alarms.is_empty());
        assert!(props(&e.properties, "RRULE").is_empty());
    }

    #[test]
    fn paris_vtimezone_is_correct() {
        let cal = Calendar {
            method: Method::Publish,
            name: None,
            events: vec![staff_event()],
        };
        let text = render(&cal);
        let expected = "BEGIN:VTIMEZONE\r\n\
            TZID:Europe/Paris\r\n\
            BEGIN:DAYLIGHT\r\n\
            TZOFFSETFROM:+0100\r\n\
            TZOFFSETTO:+0200\r\n\
            TZNAME:CEST\r\n\
            DTSTART:19700329T020000\r\n\
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
            END:DAYLIGHT\r\n\
            BEGIN:STANDARD\r\n\
            TZOFFSETFROM:+0200\r\n\
            TZOFFSETTO:+0100\r\n\
            TZNAME:CET\r\n\
            DTSTART:19701025T030000\r\n\
            RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
            END:STANDARD\r\n\
            END:VTIMEZONE\r\n";
        assert!(text.contains(expected), "{text}");

        let parsed = parse(&text);
        let tz = &parsed.timezones[0];
        assert_eq!(value(&tz.properties, "TZID"), "Europe/Paris");
        assert_eq!(tz.transitions.len(), 2);
    }

    #[test]
    fn one_vtimezone_per_distinct_zone() {
        let mut a = staff_event();
        let mut b = staff_event();
        b.tz = chrono_tz::America::New_York;
        let mut c = staff_event();
        c.tz = chrono_tz::Asia::Tokyo;
        a.uid = "a".into();
        b.uid = "b".into();
        c.uid = "c".into();
        let d = a.clone();
        let text = render(&Calendar {
            method: Method::Publish,
            name: None,
            events: vec![a, b, c, d],
        });
        assert_well_formed(&text);
        let parsed = parse(&text);
        let ids: Vec<&str> = parsed
            .timezones
            .iter()
            .map(|t| value(&t.properties, "TZID"))
            .collect();
        assert_eq!(ids, vec!["Europe/Paris", "America/New_York", "Asia/Tokyo"]);
        // New York: 2nd Sunday of March, 1st Sunday of November, at 02:00 local.
        assert!(
            text.contains("DTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n")
        );
        assert!(
            text.contains("DTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n")
        );
        // Tokyo: no daylight saving time.
        assert_eq!(parsed.timezones[2].transitions.len(), 1);
        assert!(text.contains(
            "TZID:Asia/Tokyo\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\n"
        ));
    }

    #[test]
    fn irregular_and_southern_zones_still_give_a_vtimezone() {
        let zones = [
            chrono_tz::Africa::Casablanca,
            chrono_tz::Asia::Jerusalem,
            chrono_tz::Australia::Sydney,
            chrono_tz::America::Sao_Paulo,
        ];
        let events = zones
            .iter()
            .enumerate()
            .map(|(i, tz)| {
                let mut e = staff_event();
                e.uid = format!("z{i}");
                e.tz = *tz;
                e.rrule = Some("FREQ=WEEKLY;INTERVAL=1".into());
                e
            })
            .collect();
        let text = render(&Calendar {
            method: Method::Publish,
            name: None,
            events,
        });
        assert_well_formed(&text);
        let parsed = parse(&text);
        assert_eq!(parsed.timezones.len(), zones.len());
        for tz in &parsed.timezones {
            assert!(!tz.transitions.is_empty());
        }
        // Sydney follows a yearly rule: daylight time from the 1st Sunday of October.
        assert!(text.contains("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU\r\n"));
    }

    #[test]
    fn feed_has_no_attendees_and_a_name() {
        let cal = Calendar {
            method: Method::Publish,
            name: Some("Concerto – mes réunions, CPTS Sud".into()),
            events: vec![staff_event()],
        };
        let text = render(&cal);
        let parsed = parse(&text);
        assert_eq!(value(&parsed.properties, "METHOD"), "PUBLISH");
        assert_eq!(
            value(&parsed.properties, "X-WR-CALNAME"),
            "Concerto – mes réunions\\, CPTS Sud"
        );
        assert!(props(&parsed.events[0].properties, "ATTENDEE").is_empty());
        assert_eq!(props(&parsed.events[0].properties, "ORGANIZER").len(), 1);
    }

    #[test]
    fn series_with_exdates_and_override_parses_back() {
        let mut master = staff_event();
        master.rrule = Some("FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=6".into());
        master.exdates = vec![dt(2027, 5, 11, 12, 30), dt(2027, 9, 14, 12, 30)];
        let mut moved = staff_event();
        moved.sequence = 4;
        moved.recurrence_id = Some(dt(2027, 7, 13, 12, 30));
        moved.start_local = dt(2027, 7, 15, 18, 0);
        moved.summary = "Staff santé mentale (déplacé)".into();
        let text = render(&Calendar {
            method: Method::Request,
            name: None,
            events: vec![master, moved],
        });
        assert_well_formed(&text);
        let parsed = parse(&text);
        assert_eq!(parsed.events.len(), 2);

        let m = &parsed.events[0];
        assert_eq!(
            event_value(m, "RRULE"),
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=6"
        );
        let exdate = props(&m.properties, "EXDATE")[0];
        assert_eq!(param(exdate, "TZID"), Some("Europe/Paris"));
        assert_eq!(
            exdate.value.as_deref(),
            Some("20270511T123000,20270914T123000")
        );
        assert!(props(&m.properties, "RECURRENCE-ID").is_empty());

        let o = &parsed.events[1];
        assert_eq!(event_value(o, "UID"), event_value(m, "UID"));
        assert_eq!(event_value(o, "SEQUENCE"), "4");
        let rid = props(&o.properties, "RECURRENCE-ID")[0];
        assert_eq!(param(rid, "TZID"), Some("Europe/Paris"));
        assert_eq!(rid.value.as_deref(), Some("20270713T123000"));
        assert_eq!(event_value(o, "DTSTART"), "20270715T180000");
        assert_eq!(event_value(o, "DTEND"), "20270715T193000");
        assert!(props(&o.properties, "RRULE").is_empty());
    }

    #[test]
    fn cancellation_is_marked_cancelled() {
        let mut e = staff_event();
        e.sequence = 5;
        e.alarms = true;
        let text = render(&Calendar {
            method: Method::Cancel,
            name: None,
            events: vec![e],
        });
        assert_well_formed(&text);
        let parsed = parse(&text);
        assert_eq!(value(&parsed.properties, "METHOD"), "CANCEL");
        let ev = &parsed.events[0];
        assert_eq!(event_value(ev, "STATUS"), "CANCELLED");
        assert_eq!(event_value(ev, "UID"), "serie-42@concerto");
        assert_eq!(event_value(ev, "SEQUENCE"), "5");
        assert_eq!(props(&ev.properties, "ATTENDEE").len(), 2);
        assert!(ev.alarms.is_empty());
    }

    #[test]
    fn alarms_one_day_and_one_hour_before() {
        let mut e = staff_event();
        e.alarms = true;
        let text = render(&Calendar {
            method: Method::Request,
            name: None,
            events: vec![e],
        });
        assert_well_formed(&text);
        let parsed = parse(&text);
        let alarms = &parsed.events[0].alarms;
        assert_eq!(alarms.len(), 2);
        assert_eq!(value(&alarms[0].properties, "ACTION"), "DISPLAY");
        assert_eq!(value(&alarms[0].properties, "TRIGGER"), "-P1D");
        assert_eq!(
            value(&alarms[0].properties, "DESCRIPTION"),
            "Rappel : Staff santé mentale\\, CPTS Sud\\; cas complexes (demain)"
        );
        assert_eq!(value(&alarms[1].properties, "ACTION"), "DISPLAY");
        assert_eq!(value(&alarms[1].properties, "TRIGGER"), "-PT1H");
        assert!(value(&alarms[1].properties, "DESCRIPTION").ends_with("(dans une heure)"));
    }

    #[test]
    fn long_multibyte_values_fold_and_unfold() {
        let mut e = staff_event();
        e.summary = "Réunion « santé mentale » 🎉 — échanges pluriprofessionnels ".repeat(6);
        e.description = "Étape 1 ; étape 2, puis ✅\n".repeat(20);
        e.organizer.name = "Dr Anne-Élisabeth de La Tour-Saint-Médard, psychiatre référente".into();
        let text = render(&Calendar {
            method: Method::Request,
            name: None,
            events: vec![e.clone()],
        });
        assert_well_formed(&text);
        let parsed = parse(&text);
        let ev = &parsed.events[0];
        // The parser trims each physical line's end, so only the value's own trailing space is
        // lost; folding itself never drops or splits anything.
        assert_eq!(
            event_value(ev, "SUMMARY"),
            escape_text(e.summary.trim_end())
        );
        assert_eq!(event_value(ev, "DESCRIPTION"), escape_text(&e.description));
        assert_eq!(
            param(props(&ev.properties, "ORGANIZER")[0], "CN"),
            Some(e.organizer.name.as_str())
        );
    }

    #[test]
    fn dtend_across_a_dst_change_is_real_duration() {
        // 01:30 for 90 minutes on the night of 2027-03-28: ends at 04:00 CEST (1.5 h later).
        let mut e = staff_event();
        e.start_local = dt(2027, 3, 28, 1, 30);
        let text = render(&Calendar {
            method: Method::Request,
            name: None,
            events: vec![e],
        });
        assert!(text.contains("DTEND;TZID=Europe/Paris:20270328T040000\r\n"));
    }

    fn many_events(n: usize) -> Calendar {
        let base = staff_event();
        let events = (0..n)
            .map(|i| {
                let mut e = base.clone();
                e.uid = format!("reunion-{i}@concerto");
                e.start_local = base.start_local + Duration::days(i as i64);
                e.alarms = true;
                if i % 10 == 0 {
                    e.rrule = Some("FREQ=WEEKLY;INTERVAL=1;COUNT=10".into());
                    e.exdates = vec![e.start_local + Duration::weeks(2)];
                }
                e
            })
            .collect();
        Calendar {
            method: Method::Publish,
            name: Some("Flux".into()),
            events,
        }
    }

    #[test]
    fn thousand_events_render_and_parse() {
        let text = render(&many_events(1000));
        assert_well_formed(&text);
        let parsed = parse(&text);
        assert_eq!(parsed.events.len(), 1000);
        assert_eq!(parsed.timezones.len(), 1);
    }

    /// `cargo test --release -- --ignored --nocapture render_speed` prints the time.
    #[test]
    #[ignore]
    fn render_speed() {
        let cal = many_events(1000);
        let _ = render(&cal);
        let runs = 50;
        let start = std::time::Instant::now();
        let mut total = 0;
        for _ in 0..runs {
            total += render(&cal).len();
        }
        let per = start.elapsed() / runs;
        println!(
            "render of 1000 events: {per:?} per run ({} bytes)",
            total / runs as usize
        );
        assert!(per < std::time::Duration::from_millis(20));
    }
}
