//! End to end: what an invitee's calendar shows equals what the database says.
//!
//! Each test creates a weekly series without end (so it crosses daylight-saving changes),
//! invites the GP, changes the series the way a coordinator does, then takes every e-mail the GP
//! received through the real SMTP sink, in order, and applies its `.ics` (parsed with the `ical`
//! crate) to a model of a calendar client that follows RFC 5546: a REQUEST carrying the master
//! replaces the whole event, one carrying only an occurrence (RECURRENCE-ID) replaces that
//! occurrence; a CANCEL of the UID removes the event, one with a RECURRENCE-ID removes that
//! occurrence; a message with a lower SEQUENCE than what the calendar holds is ignored. The
//! model's series are expanded with the `rrule` crate (an independent RRULE implementation), then
//! EXDATEs and overrides are applied; the occurrences (local start and title) must equal the
//! database's live occurrences the GP is invited to.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::smtp::calendar_part;
use crate::common::*;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Paris;
use ical::parser::ical::component::IcalEvent;
use reqwest::StatusCode;

/// How far ahead occurrences are compared (the database materialises open series 3 years ahead).
const WINDOW_DAYS: i64 = 2 * 365;

#[derive(Clone, Debug, Default)]
struct CalendarObject {
    master: Option<IcalEvent>,
    /// Overrides by RECURRENCE-ID value.
    overrides: BTreeMap<String, IcalEvent>,
    /// Occurrences removed by a CANCEL with RECURRENCE-ID.
    removed: BTreeSet<String>,
}

/// A calendar client's view of one person's invitations, by UID.
#[derive(Debug, Default)]
struct ClientCalendar {
    objects: BTreeMap<String, CalendarObject>,
}

fn value<'a>(event: &'a IcalEvent, name: &str) -> Option<&'a str> {
    prop(&event.properties, name)
}

fn values<'a>(event: &'a IcalEvent, name: &str) -> Vec<&'a str> {
    event
        .properties
        .iter()
        .filter(|p| p.name == name)
        .filter_map(|p| p.value.as_deref())
        .collect()
}

fn sequence(event: &IcalEvent) -> u32 {
    value(event, "SEQUENCE")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn local_time(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S")
        .unwrap_or_else(|_| panic!("local date-time expected, got {text}"))
}

impl ClientCalendar {
    fn apply(&mut self, method: &str, ics: &str) {
        for calendar in parse_ics(ics) {
            assert_eq!(
                prop(&calendar.properties, "METHOD"),
                Some(method),
                "the MIME method parameter equals the body's METHOD"
            );
            let mut by_uid: BTreeMap<String, Vec<IcalEvent>> = BTreeMap::new();
            for event in calendar.events {
                let uid = value(&event, "UID").expect("UID").to_string();
                by_uid.entry(uid).or_default().push(event);
            }
            for (uid, events) in by_uid {
                match method {
                    "REQUEST" => self.request(uid, events),
                    "CANCEL" => self.cancel(uid, events),
                    other => panic!("unexpected method {other}"),
                }
            }
        }
    }

    fn request(&mut self, uid: String, events: Vec<IcalEvent>) {
        let (masters, overrides): (Vec<_>, Vec<_>) = events
            .into_iter()
            .partition(|e| value(e, "RECURRENCE-ID").is_none());
        let object = self.objects.entry(uid).or_default();
        if let Some(master) = masters.into_iter().next() {
            if object
                .master
                .as_ref()
                .is_some_and(|held| sequence(held) > sequence(&master))
            {
                return; // stale
            }
            *object = CalendarObject {
                master: Some(master),
                ..Default::default()
            };
        }
        for event in overrides {
            let rid = value(&event, "RECURRENCE-ID").unwrap().to_string();
            if object
                .overrides
                .get(&rid)
                .is_some_and(|held| sequence(held) > sequence(&event))
            {
                continue;
            }
            object.removed.remove(&rid);
            object.overrides.insert(rid, event);
        }
    }

    fn cancel(&mut self, uid: String, events: Vec<IcalEvent>) {
        for event in events {
            match value(&event, "RECURRENCE-ID") {
                None => {
                    self.objects.remove(&uid);
                    return;
                }
                Some(rid) => {
                    let object = self.objects.entry(uid.clone()).or_default();
                    object.overrides.remove(rid);
                    object.removed.insert(rid.to_string());
                }
            }
        }
    }

    /// Every live occurrence before `until`: (local start, SUMMARY).
    fn occurrences(&self, until: NaiveDateTime) -> BTreeSet<(NaiveDateTime, String)> {
        let mut out = BTreeSet::new();
        for object in self.objects.values() {
            let mut instances: Vec<String> = Vec::new();
            if let Some(master) = &object.master {
                let start = value(master, "DTSTART").expect("DTSTART");
                match value(master, "RRULE") {
                    None => instances.push(start.to_string()),
                    Some(rrule) => {
                        let text = format!("DTSTART;TZID=Europe/Paris:{start}\nRRULE:{rrule}");
                        let set: rrule::RRuleSet = text
                            .parse()
                            .unwrap_or_else(|error| panic!("rrule rejects {text}: {error}"));
                        let exdates: BTreeSet<&str> = values(master, "EXDATE")
                            .into_iter()
                            .flat_map(|v| v.split(','))
                            .collect();
                        for date in set.all(1000).dates {
                            let key = date.naive_local().format("%Y%m%dT%H%M%S").to_string();
                            if !exdates.contains(key.as_str()) {
                                instances.push(key);
                            }
                        }
                    }
                }
            }
            let master_summary = object
                .master
                .as_ref()
                .and_then(|m| value(m, "SUMMARY"))
                .unwrap_or_default();
            let master_cancelled = object
                .master
                .as_ref()
                .is_some_and(|m| value(m, "STATUS") == Some("CANCELLED"));
            let mut seen = BTreeSet::new();
            for key in instances {
                if object.removed.contains(&key) {
                    continue;
                }
                seen.insert(key.clone());
                match object.overrides.get(&key) {
                    Some(event) => push_event(&mut out, event, until),
                    None if !master_cancelled => {
                        let start = local_time(&key);
                        if start < until {
                            out.insert((start, master_summary.to_string()));
                        }
                    }
                    None => {}
                }
            }
            // Overrides of occurrences the rule does not produce (e.g. a person invited to one
            // occurrence only).
            for (rid, event) in &object.overrides {
                if !seen.contains(rid) && object.master.is_none() {
                    push_event(&mut out, event, until);
                }
            }
        }
        out
    }
}

fn push_event(
    out: &mut BTreeSet<(NaiveDateTime, String)>,
    event: &IcalEvent,
    until: NaiveDateTime,
) {
    if value(event, "STATUS") == Some("CANCELLED") {
        return;
    }
    let start = local_time(value(event, "DTSTART").expect("DTSTART"));
    if start < until {
        out.insert((
            start,
            value(event, "SUMMARY").unwrap_or_default().to_string(),
        ));
    }
}

/// The database's live occurrences the person is invited to, before `until`, among the meetings
/// created after the demo data (whose rows have ids above `baseline`).
async fn database_occurrences(
    app: &TestApp,
    email: &str,
    baseline: i64,
    until: NaiveDateTime,
) -> BTreeSet<(NaiveDateTime, String)> {
    let rows: Vec<(WallClock, String, String)> = db_run!(&app.state.db, c => sqlx::query_as(
        "SELECT m.start_local, m.kind, m.title FROM meetings m
         JOIN invitations i ON i.meeting_id = m.id JOIN users u ON u.id = i.user_id
         WHERE u.email = $1 AND m.cancelled = FALSE AND m.id > $2",
    )
    .bind(email)
    .bind(baseline)
    .fetch_all(&mut *c).await)
    .unwrap();
    rows.into_iter()
        .map(|(start, kind, title)| {
            let kind = app::domain::meeting::MeetingKind::from_code(&kind).unwrap();
            (start.0, format!("{} — {}", kind.label_fr(), title))
        })
        .filter(|(start, _)| *start < until)
        .collect()
}

/// Waits until the outbox is empty, then returns the (method, ics) of every message `email`
/// received, in order, and how many messages they were.
async fn received_calendars(app: &TestApp, email: &str) -> (Vec<(String, String)>, usize) {
    assert!(
        wait_for(20, || async {
            app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
                .await
                == 0
        })
        .await,
        "every e-mail delivered"
    );
    let messages: Vec<_> = app
        .smtp
        .as_ref()
        .unwrap()
        .all()
        .into_iter()
        .filter(|m| m.recipients.iter().any(|r| r == email))
        .collect();
    let count = messages.len();
    (
        messages
            .iter()
            .filter_map(|m| calendar_part(&m.data))
            .collect(),
        count,
    )
}

/// A series, its occurrence ids in order, and the running app with the GP invited.
struct Scenario {
    app: TestApp,
    coordinator: Browser,
    ids: Vec<i64>,
    dates: Vec<NaiveDate>,
    /// The largest meeting id of the demo data.
    baseline: i64,
}

/// The first Tuesday at least 8 days from today.
fn first_date() -> NaiveDate {
    let mut date = Utc::now().date_naive() + Duration::days(8);
    while date.weekday() != Weekday::Tue {
        date += Duration::days(1);
    }
    date
}

/// The index of the first occurrence whose UTC offset differs from the first one's: a cut there
/// falls just after a daylight-saving change.
fn first_after_dst_change(dates: &[NaiveDate]) -> usize {
    let offset = |date: NaiveDate| {
        Paris
            .from_local_datetime(&date.and_hms_opt(12, 30, 0).unwrap())
            .unwrap()
            .offset()
            .fix()
    };
    let first = offset(dates[0]);
    dates
        .iter()
        .position(|d| offset(*d) != first)
        .expect("a change within the series")
}

async fn scenario() -> Scenario {
    let app = TestApp::spawn(Options {
        demo: true,
        smtp: true,
        ..Default::default()
    })
    .await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let baseline = app.count("SELECT COALESCE(MAX(id), 0) FROM meetings").await;
    let date = first_date().format("%Y-%m-%d").to_string();
    let id = create_meeting(
        &coordinator,
        &[
            ("draft[title]", "Staff hebdomadaire"),
            ("draft[date]", &date),
            ("draft[repeat]", "weekly"),
            ("draft[interval]", "1"),
            ("draft[end_kind]", "never"),
            ("draft[count]", ""),
        ],
    )
    .await;
    invite_person(&app, &coordinator, id, GP).await;
    let rows: Vec<(i64, WallClock)> = db_run!(&app.state.db, c => sqlx::query_as(
        "SELECT id, occurrence_local FROM meetings
         WHERE series_id = (SELECT series_id FROM meetings WHERE id = $1) ORDER BY occurrence_local",
    )
    .bind(id)
    .fetch_all(&mut *c).await)
    .unwrap();
    let ids = rows.iter().map(|(id, _)| *id).collect();
    let dates = rows.iter().map(|(_, local)| local.0.date()).collect();
    Scenario {
        app,
        coordinator,
        ids,
        dates,
        baseline,
    }
}

impl Scenario {
    async fn edit(&self, index: usize, scope: &str, changes: &[(&str, &str)]) {
        let date = self.dates[index].format("%Y-%m-%d").to_string();
        let id = self.ids[index].to_string();
        let mut fields: Vec<(&str, &str)> = vec![("id", &id), ("scope", scope)];
        let mut overrides = vec![
            ("draft[title]", "Staff hebdomadaire"),
            ("draft[date]", date.as_str()),
        ];
        overrides.extend_from_slice(changes);
        fields.extend(meeting_fields(&overrides));
        let (status, body) = self.coordinator.call("meetings/update", &fields).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn cancel(&self, index: usize, scope: &str) {
        let (status, body) = self
            .coordinator
            .call(
                "meetings/cancel",
                &[("id", &self.ids[index].to_string()), ("scope", scope)],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// Applies the GP's messages to a client calendar and compares it with the database;
    /// returns how many messages the GP received.
    async fn check(&self) -> usize {
        let until = (Utc::now() + Duration::days(WINDOW_DAYS)).naive_utc();
        let (calendars, count) = received_calendars(&self.app, GP).await;
        let mut client = ClientCalendar::default();
        for (method, ics) in &calendars {
            client.apply(method, ics);
        }
        let expected = database_occurrences(&self.app, GP, self.baseline, until).await;
        assert!(!expected.is_empty() || calendars.len() > 1);
        let shown = client.occurrences(until);
        let missing: Vec<_> = expected.difference(&shown).take(5).collect();
        let extra: Vec<_> = shown.difference(&expected).take(5).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "calendar and database differ: missing {missing:?}, extra {extra:?}\n\
             ({} messages)",
            calendars.len()
        );
        count
    }
}

#[tokio::test]
async fn single_occurrence_edit() {
    let s = scenario().await;
    s.edit(
        3,
        "occurrence",
        &[("draft[start_time]", "13:00"), ("draft[end_time]", "14:30")],
    )
    .await;
    assert_eq!(s.check().await, 2);
}

#[tokio::test]
async fn single_occurrence_cancel() {
    let s = scenario().await;
    s.cancel(4, "occurrence").await;
    assert_eq!(s.check().await, 2);
}

#[tokio::test]
async fn whole_series_edit() {
    let s = scenario().await;
    s.edit(2, "occurrence", &[("draft[start_time]", "13:00")])
        .await;
    s.edit(
        0,
        "following",
        &[
            ("draft[title]", "Staff du mardi"),
            ("draft[start_time]", "18:00"),
            ("draft[end_time]", "19:30"),
        ],
    )
    .await;
    s.check().await;
}

#[tokio::test]
async fn whole_series_cancel() {
    let s = scenario().await;
    s.cancel(1, "series").await;
    assert_eq!(s.check().await, 2);
    let live = s
        .app
        .count(&format!(
            "SELECT COUNT(*) FROM meetings WHERE cancelled = FALSE AND id > {}",
            s.baseline
        ))
        .await;
    assert_eq!(live, 0);
}

#[tokio::test]
async fn this_and_following_edit_across_a_daylight_saving_change() {
    let s = scenario().await;
    let cut = first_after_dst_change(&s.dates);
    // An override after the cut (sent already) and a cancelled occurrence after it.
    s.edit(
        cut + 2,
        "occurrence",
        &[("draft[start_time]", "09:00"), ("draft[end_time]", "10:00")],
    )
    .await;
    s.cancel(cut + 3, "occurrence").await;
    s.edit(
        cut,
        "following",
        &[
            ("draft[title]", "Staff élargi"),
            ("draft[start_time]", "14:00"),
            ("draft[end_time]", "15:30"),
        ],
    )
    .await;
    // Invitation, override, cancellation, then: the old series truncated, the override
    // withdrawn, the new series.
    assert_eq!(s.check().await, 6);
}

#[tokio::test]
async fn this_and_following_cancel_of_an_open_series_stays_cancelled() {
    let s = scenario().await;
    let cut = first_after_dst_change(&s.dates);
    s.edit(
        cut + 1,
        "occurrence",
        &[("draft[start_time]", "09:00"), ("draft[end_time]", "10:00")],
    )
    .await;
    s.cancel(cut, "following").await;
    // Invitation, override, then: the truncated series and the withdrawn override — never one
    // message per cancelled occurrence.
    assert_eq!(s.check().await, 4);
    // The upkeep task never brings cancelled dates back, even far ahead.
    let horizon = Utc::now() + Duration::days(6 * 365);
    let added = concerto_server::meetings::extend_open_series(&s.app.state.db, horizon)
        .await
        .unwrap();
    assert_eq!(added, 0);
    let after_cut = s
        .app
        .count(&format!(
            "SELECT COUNT(*) FROM meetings WHERE cancelled = FALSE AND id > {}
             AND occurrence_local >= '{}'",
            s.baseline,
            s.dates[cut].format("%Y-%m-%d")
        ))
        .await;
    assert_eq!(after_cut, 0, "no live occurrence from the cut on");
    // No reminder for a cancelled occurrence.
    let reminders = concerto_server::mail::reminders::queue_due_reminders(&s.app.state)
        .await
        .unwrap();
    let _ = reminders;
    assert_eq!(
        s.app
            .count(
                "SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Rappel%' AND ics_text IS NOT NULL"
            )
            .await,
        0,
        "reminders carry no calendar"
    );
    s.check().await;
}

#[tokio::test]
async fn cancel_this_and_following_from_the_first_occurrence_is_one_cancel_of_the_uid() {
    let s = scenario().await;
    s.cancel(0, "following").await;
    let (calendars, count) = received_calendars(&s.app, GP).await;
    assert_eq!(count, 2);
    let (method, ics) = &calendars[1];
    assert_eq!(method, "CANCEL");
    let parsed = parse_ics(ics);
    assert_eq!(parsed[0].events.len(), 1);
    assert!(value(&parsed[0].events[0], "RECURRENCE-ID").is_none());
    s.check().await;
}
