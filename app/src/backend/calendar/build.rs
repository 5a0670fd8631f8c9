//! Builds iCalendar objects from meetings: single events, series (master with RRULE and
//! EXDATE, plus one VEVENT with RECURRENCE-ID per edited occurrence) and per-user feeds.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::ics::{Attendee, Calendar, Event, EventStatus, Method, PartStat, Person};
use crate::backend::db::meetings::{self as store, InviteeRow, MeetingRow, SeriesRow};
use crate::backend::db::staff::{self, SlotRow};
use crate::backend::db::{Db, Exec};
use crate::domain::cases::CaseCode;
use crate::domain::ids::{MeetingId, UserId};
use crate::domain::meeting::MeetingMode;
use crate::domain::recurrence::SeriesEnd;
use crate::domain::rsvp::Rsvp;

/// Which part of a meeting an attachment covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One meeting, or one occurrence (with its RECURRENCE-ID).
    Meeting,
    /// The whole series of the meeting.
    Series,
}

fn partstat(rsvp: Rsvp) -> PartStat {
    match rsvp {
        Rsvp::NeedsAction => PartStat::NeedsAction,
        Rsvp::Accepted => PartStat::Accepted,
        Rsvp::Declined => PartStat::Declined,
        Rsvp::Tentative => PartStat::Tentative,
    }
}

/// Looks up organisers once per calendar.
struct Organisers<'a> {
    db: &'a Db,
    cache: HashMap<UserId, Person>,
}

impl<'a> Organisers<'a> {
    fn new(db: &'a Db) -> Self {
        Organisers {
            db,
            cache: HashMap::new(),
        }
    }

    async fn get(&mut self, user_id: UserId) -> sqlx::Result<Person> {
        if let Some(person) = self.cache.get(&user_id) {
            return Ok(person.clone());
        }
        let person = organiser(self.db, user_id).await?;
        self.cache.insert(user_id, person.clone());
        Ok(person)
    }
}

async fn organiser<'e>(db: impl Into<Exec<'e>>, user_id: UserId) -> sqlx::Result<Person> {
    Ok(match store::person(db, user_id).await? {
        Some((name, email)) => Person { name, email },
        None => Person {
            name: "Concerto".into(),
            email: "noreply@concerto.invalid".into(),
        },
    })
}

fn attendees(invitees: &[InviteeRow]) -> Vec<Attendee> {
    invitees
        .iter()
        .map(|i| Attendee {
            person: Person {
                name: i.display_name.clone(),
                email: i.email.clone(),
            },
            partstat: partstat(i.rsvp()),
        })
        .collect()
}

fn description(base_url: &str, meeting_id: MeetingId, markdown: &str) -> String {
    let link = format!("{base_url}/reunions/{meeting_id}");
    if markdown.trim().is_empty() {
        format!("Détails et réponse : {link}")
    } else {
        format!("{}\n\nDétails et réponse : {link}", markdown.trim())
    }
}

fn location(mode: MeetingMode, address: &Option<String>) -> Option<String> {
    match (mode, address) {
        (MeetingMode::Video, _) => Some("Visio (lien dans Concerto)".to_string()),
        (_, Some(address)) => Some(address.clone()),
        _ => None,
    }
}

fn meeting_event(
    base_url: &str,
    row: &MeetingRow,
    organizer: Person,
    invitees: &[InviteeRow],
    as_override: bool,
) -> Event {
    Event {
        uid: row.uid.clone(),
        sequence: row.sequence as u32,
        dtstamp: row.updated_at.0,
        summary: format!("{} — {}", row.kind().label_fr(), row.title),
        description: description(base_url, row.id, &row.description_md),
        location: location(row.mode, &row.address),
        url: Some(format!("{base_url}/reunions/{}", row.id)),
        start_local: row.local_start(),
        duration_minutes: row.duration_minutes as u32,
        tz: row.tz(),
        status: if row.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        },
        organizer,
        attendees: attendees(invitees),
        rrule: None,
        exdates: Vec::new(),
        recurrence_id: if as_override { row.occurrence() } else { None },
        alarms: true,
        related_to: None,
    }
}

/// The VEVENTs of a series: the master (RRULE, EXDATE for cancelled occurrences) and one
/// override per edited occurrence. `invitees` maps meeting ids to their invitees.
fn series_events(
    base_url: &str,
    series: &SeriesRow,
    occurrences: &[MeetingRow],
    invitees: &HashMap<MeetingId, Vec<InviteeRow>>,
    organizer: Person,
) -> Vec<Event> {
    let now = Utc::now();
    // The master's attendees: those of the next occurrence (or the last one).
    let reference = occurrences
        .iter()
        .find(|m| !m.cancelled && m.start_utc.0 >= now)
        .or(occurrences.last());
    let master_attendees = reference
        .and_then(|m| invitees.get(&m.id))
        .map(|i| attendees(i))
        .unwrap_or_default();
    let first = series.first_start_local.0;
    let master = Event {
        uid: series.uid.clone(),
        sequence: series.sequence as u32,
        dtstamp: series.updated_at.0,
        summary: format!("{} — {}", series.kind.label_fr(), series.title),
        description: description(
            base_url,
            reference.map(|m| m.id).unwrap_or_default(),
            &series.description_md,
        ),
        location: location(series.mode, &series.address),
        url: reference.map(|m| format!("{base_url}/reunions/{}", m.id)),
        start_local: first,
        duration_minutes: series.duration_minutes as u32,
        tz: series.tz(),
        status: if series.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        },
        organizer: organizer.clone(),
        attendees: master_attendees,
        rrule: Some(series.rrule.clone()),
        exdates: if series.cancelled {
            Vec::new()
        } else {
            // Occurrences past an UNTIL (cancelled by "this and following") are not EXDATEs:
            // the rule no longer produces them.
            let until = series.rule().and_then(|rule| match rule.end {
                SeriesEnd::Until(date) => Some(date),
                _ => None,
            });
            occurrences
                .iter()
                .filter(|m| m.cancelled)
                .filter_map(MeetingRow::occurrence)
                .filter(|start| until.is_none_or(|until| start.date() <= until))
                .collect()
        },
        recurrence_id: None,
        alarms: true,
        related_to: None,
    };
    let mut events = vec![master];
    if !series.cancelled {
        for row in occurrences.iter().filter(|m| m.overridden && !m.cancelled) {
            let empty = Vec::new();
            events.push(meeting_event(
                base_url,
                row,
                organizer.clone(),
                invitees.get(&row.id).unwrap_or(&empty),
                true,
            ));
        }
    }
    events
}

/// The calendar for one meeting: its whole series (scope `Series`) or the one event/occurrence,
/// read through `exec` (inside the transaction of the change it announces). Every event's
/// DTSTAMP is `stamp`: the moment the message is created (RFC 5546).
pub async fn meeting_calendar(
    exec: impl Into<Exec<'_>>,
    base_url: &str,
    meeting: &MeetingRow,
    scope: Scope,
    method: Method,
    stamp: DateTime<Utc>,
) -> sqlx::Result<Calendar> {
    let mut exec = Exec::of(exec);
    let organizer = organiser(exec.reborrow(), meeting.created_by).await?;
    let mut events = match (meeting.series_id, scope) {
        (Some(series_id), Scope::Series) => {
            let series = store::get_series(exec.reborrow(), series_id)
                .await?
                .ok_or(sqlx::Error::RowNotFound)?;
            let occurrences = store::occurrences(exec.reborrow(), series_id).await?;
            let ids: Vec<MeetingId> = occurrences.iter().map(|m| m.id).collect();
            let mut invitees: HashMap<MeetingId, Vec<InviteeRow>> = HashMap::new();
            for chunk in ids.chunks(500) {
                for (meeting_id, invitee) in store::invitees_of_many(exec.reborrow(), chunk).await?
                {
                    invitees.entry(meeting_id).or_default().push(invitee);
                }
            }
            series_events(base_url, &series, &occurrences, &invitees, organizer)
        }
        (series, _) => {
            let invitees = store::invitees(exec.reborrow(), meeting.id).await?;
            vec![meeting_event(
                base_url,
                meeting,
                organizer,
                &invitees,
                series.is_some(),
            )]
        }
    };
    for event in &mut events {
        event.dtstamp = stamp;
    }
    Ok(Calendar {
        method,
        name: None,
        events,
    })
}

/// A person's feed: every meeting they are invited to, series grouped into one master each.
pub async fn user_feed(db: &Db, base_url: &str, user_id: UserId) -> sqlx::Result<Calendar> {
    let started = std::time::Instant::now();
    // Two connections (on SQLite, two worker threads): both lists are read at the same time.
    let (rows, invitee_rows) = tokio::try_join!(
        store::invited_meetings(db, user_id),
        store::feed_invitees(db, user_id)
    )?;
    let queried = started.elapsed();
    let mut organisers = Organisers::new(db);
    let mut singles = Vec::new();
    let mut series_ids = BTreeMap::new();
    for row in rows {
        match row.series_id {
            Some(series_id) => {
                series_ids.insert(series_id, ());
            }
            None => singles.push(row),
        }
    }
    let mut all_rows: Vec<MeetingRow> = Vec::new();
    let mut series_rows = Vec::new();
    for series_id in series_ids.keys() {
        if let Some(series) = store::get_series(db, *series_id).await? {
            let occurrences = store::occurrences(db, *series_id).await?;
            series_rows.push((series, occurrences.len()));
            all_rows.extend(occurrences);
        }
    }
    let mut invitees: HashMap<MeetingId, Vec<InviteeRow>> = HashMap::new();
    for (meeting_id, invitee) in invitee_rows {
        invitees.entry(meeting_id).or_default().push(invitee);
    }
    let mut events = Vec::with_capacity(singles.len() + series_rows.len());
    let empty = Vec::new();
    for row in &singles {
        let organizer = organisers.get(row.created_by).await?;
        events.push(meeting_event(
            base_url,
            row,
            organizer,
            invitees.get(&row.id).unwrap_or(&empty),
            false,
        ));
    }
    let mut offset = 0;
    for (series, count) in series_rows {
        let occurrences = &all_rows[offset..offset + count];
        offset += count;
        let organizer = organisers.get(series.created_by).await?;
        events.extend(series_events(
            base_url,
            &series,
            occurrences,
            &invitees,
            organizer,
        ));
    }
    // The slots of the cases this person presents.
    let slots = staff::slots_of(db, user_id).await?;
    if !slots.is_empty() {
        let presenter = organiser(db, user_id).await?;
        let stamp = Utc::now();
        for slot in &slots {
            if let Some(meeting) = store::get(db, slot.meeting_id).await? {
                let organizer = organisers.get(meeting.created_by).await?;
                events.push(slot_event(
                    base_url,
                    &meeting,
                    slot,
                    organizer,
                    presenter.clone(),
                    stamp,
                ));
            }
        }
    }
    tracing::debug!(
        events = events.len(),
        query_ms = queried.as_secs_f64() * 1000.0,
        total_ms = started.elapsed().as_secs_f64() * 1000.0,
        "feed built"
    );
    Ok(Calendar {
        method: Method::Feed,
        name: Some("Concerto".to_string()),
        events,
    })
}

/// A presenter's own slot in a published agenda: its own UID and SEQUENCE, linked to the
/// meeting (`RELATED-TO`), from the item's start for the item's minutes. Never clinical
/// content: the case code only.
pub fn slot_event(
    base_url: &str,
    meeting: &MeetingRow,
    slot: &SlotRow,
    organizer: Person,
    presenter: Person,
    stamp: DateTime<Utc>,
) -> Event {
    let code = CaseCode::new(slot.code_year, slot.code_number as u32);
    Event {
        uid: slot.slot_uid.clone(),
        sequence: slot.slot_sequence.max(0) as u32,
        dtstamp: stamp,
        summary: format!("Mon cas {code} — {}", meeting.title),
        description: format!(
            "Votre passage pour le cas {code} à « {} » ({}). Ordre du jour et séance : {base_url}/reunions/{}/seance",
            meeting.title,
            meeting.kind().label_fr(),
            meeting.id
        ),
        location: location(meeting.mode, &meeting.address),
        url: Some(format!("{base_url}/reunions/{}/seance", meeting.id)),
        start_local: slot.start_local.0,
        duration_minutes: slot.minutes.clamp(1, 24 * 60) as u32,
        tz: meeting.tz(),
        status: if meeting.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        },
        organizer,
        attendees: vec![Attendee {
            person: presenter,
            partstat: PartStat::Accepted,
        }],
        rrule: None,
        exdates: Vec::new(),
        recurrence_id: None,
        alarms: true,
        related_to: Some(meeting.uid.clone()),
    }
}

/// The e-mail attachment for one slot (REQUEST).
pub async fn slot_calendar(
    exec: impl Into<Exec<'_>>,
    base_url: &str,
    meeting: &MeetingRow,
    slot: &SlotRow,
    presenter: Person,
    stamp: DateTime<Utc>,
) -> sqlx::Result<Calendar> {
    let organizer = organiser(exec, meeting.created_by).await?;
    Ok(Calendar {
        method: Method::Request,
        name: None,
        events: vec![slot_event(
            base_url, meeting, slot, organizer, presenter, stamp,
        )],
    })
}
