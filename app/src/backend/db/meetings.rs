//! Meetings, series (materialised into one row per occurrence) and invitations.

use chrono::{Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;

use super::{on_db, Db, Exec, Instant, Tx, WallClock};
use crate::backend::security::random_token;
use crate::domain::ids::{MeetingId, OrgId, SeriesId, UserId};
use crate::domain::meeting::{MeetingKind, MeetingMode, ValidMeeting};
use crate::domain::recurrence::{local_to_utc, RecurrenceRule, SeriesEnd};
use crate::domain::role::Role;
use crate::domain::rsvp::Rsvp;

const MEETING_COLUMNS: &str = "m.id, m.organisation_id, m.uid, m.series_id, m.occurrence_local, m.overridden, m.kind, \
    m.title, m.description_md, m.start_utc, m.start_local, m.time_zone, m.duration_minutes, m.mode, m.address, \
    m.submission_deadline, m.max_cases, m.cancelled, m.sequence, m.created_by, m.updated_at";

const SERIES_COLUMNS: &str = "id, organisation_id, uid, rrule, time_zone, first_start_local, kind, title, \
    description_md, duration_minutes, mode, address, deadline_before_minutes, max_cases, sequence, cancelled, \
    created_by, updated_at";

/// How far ahead a series without end is materialised.
pub const OPEN_SERIES_HORIZON_DAYS: i64 = 3 * 365;
/// The most occurrences a series may have.
pub const MAX_OCCURRENCES: usize = 500;
/// How many occurrences of an open series are computed when extending it (a weekly series
/// reaches this after about 96 years).
const EXTENSION_SCAN_LIMIT: usize = 5_000;

/// A meeting or an occurrence of a series.
#[derive(Clone, Debug, FromRow)]
pub struct MeetingRow {
    /// Id.
    pub id: MeetingId,
    /// Organisation.
    pub organisation_id: OrgId,
    /// iCalendar UID (the series' UID for an occurrence).
    pub uid: String,
    /// Series, for an occurrence.
    pub series_id: Option<SeriesId>,
    /// The occurrence's original local start (its RECURRENCE-ID).
    pub occurrence_local: Option<WallClock>,
    /// Whether this occurrence was edited on its own.
    pub overridden: bool,
    /// Kind.
    pub kind: MeetingKind,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description_md: String,
    /// Start instant.
    pub start_utc: Instant,
    /// Local start.
    pub start_local: WallClock,
    /// Time zone name.
    pub time_zone: String,
    /// Duration.
    pub duration_minutes: i64,
    /// Mode.
    pub mode: MeetingMode,
    /// Address.
    pub address: Option<String>,
    /// Case-submission deadline, local.
    pub submission_deadline: WallClock,
    /// Maximum number of cases.
    pub max_cases: Option<i64>,
    /// Cancelled.
    pub cancelled: bool,
    /// iCalendar SEQUENCE.
    pub sequence: i64,
    /// Creator.
    pub created_by: UserId,
    /// Last change.
    pub updated_at: Instant,
}

impl MeetingRow {
    /// Kind.
    pub fn kind(&self) -> MeetingKind {
        self.kind
    }
    /// Mode.
    pub fn mode(&self) -> MeetingMode {
        self.mode
    }
    /// Local start.
    pub fn local_start(&self) -> NaiveDateTime {
        self.start_local.0
    }
    /// Original local start of the occurrence.
    pub fn occurrence(&self) -> Option<NaiveDateTime> {
        self.occurrence_local.map(|t| t.0)
    }
    /// Time zone.
    pub fn tz(&self) -> Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris)
    }
    /// Whether it has ended.
    pub fn is_past(&self) -> bool {
        self.start_utc.0 + Duration::minutes(self.duration_minutes) < Utc::now()
    }
    /// Deadline, local.
    pub fn deadline_local(&self) -> NaiveDateTime {
        self.submission_deadline.0
    }
}

/// A series as stored.
#[derive(Clone, Debug, FromRow)]
pub struct SeriesRow {
    /// Id.
    pub id: SeriesId,
    /// Organisation.
    pub organisation_id: OrgId,
    /// iCalendar UID.
    pub uid: String,
    /// RRULE value.
    pub rrule: String,
    /// Time zone name.
    pub time_zone: String,
    /// DTSTART, local.
    pub first_start_local: WallClock,
    /// Kind.
    pub kind: MeetingKind,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description_md: String,
    /// Duration.
    pub duration_minutes: i64,
    /// Mode.
    pub mode: MeetingMode,
    /// Address.
    pub address: Option<String>,
    /// Deadline offset.
    pub deadline_before_minutes: i64,
    /// Maximum number of cases.
    pub max_cases: Option<i64>,
    /// iCalendar SEQUENCE of the master event.
    pub sequence: i64,
    /// Whole series cancelled.
    pub cancelled: bool,
    /// Creator.
    pub created_by: UserId,
    /// Last change.
    pub updated_at: Instant,
}

impl SeriesRow {
    /// Time zone.
    pub fn tz(&self) -> Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris)
    }
    /// Parsed rule.
    pub fn rule(&self) -> Option<RecurrenceRule> {
        RecurrenceRule::parse_rrule(&self.rrule, self.tz()).ok()
    }
}

/// One line of a list of meetings with the viewer's own answer: only the columns a list shows
/// (rows are copied column by column, so long lists stay cheap).
#[derive(Clone, Debug, FromRow)]
pub struct MeetingLineRow {
    /// Id.
    pub id: MeetingId,
    /// Kind.
    pub kind: MeetingKind,
    /// Title.
    pub title: String,
    /// Local start.
    pub start_local: WallClock,
    /// Duration.
    pub duration_minutes: i64,
    /// Mode.
    pub mode: MeetingMode,
    /// Cancelled.
    pub cancelled: bool,
    /// Part of a series.
    pub in_series: bool,
    /// The viewer's answer, if invited.
    pub my_response: Option<Rsvp>,
    /// Organisation name.
    pub organisation_name: String,
}

const LINE_COLUMNS: &str =
    "m.id, m.kind, m.title, m.start_local, m.duration_minutes, m.mode, m.cancelled, \
    (m.series_id IS NOT NULL) AS in_series, i.response AS my_response, o.name AS organisation_name";

/// An invitee of a meeting.
#[derive(Clone, Debug, FromRow)]
pub struct InviteeRow {
    /// User id.
    pub user_id: UserId,
    /// Name.
    pub display_name: String,
    /// E-mail.
    pub email: String,
    /// Role in the meeting's organisation.
    pub role: Option<Role>,
    /// Answer.
    pub response: Rsvp,
}

impl InviteeRow {
    /// Answer.
    pub fn rsvp(&self) -> Rsvp {
        self.response
    }
}

fn new_uid() -> String {
    format!("{}@concerto", random_token())
}

/// Local starts of a rule's occurrences from `first`, bounded for open series.
pub fn occurrence_starts(rule: &RecurrenceRule, first: NaiveDateTime) -> Vec<NaiveDateTime> {
    let starts = rule.local_starts(first, MAX_OCCURRENCES);
    if rule.end == SeriesEnd::Never {
        let horizon = first + Duration::days(OPEN_SERIES_HORIZON_DAYS);
        starts
            .into_iter()
            .filter(|start| *start <= horizon)
            .collect()
    } else {
        starts
    }
}

struct Occurrence<'a> {
    organisation_id: OrgId,
    uid: &'a str,
    series_id: Option<SeriesId>,
    start_local: NaiveDateTime,
    created_by: UserId,
}

async fn insert_meeting(
    tx: &mut Tx,
    occurrence: Occurrence<'_>,
    meeting: &ValidMeeting,
    tz: Tz,
) -> sqlx::Result<MeetingId> {
    let stamp = Instant::now();
    let row: (MeetingId,) = on_db!(&mut *tx, c => sqlx::query_as(
        "INSERT INTO meetings (organisation_id, uid, series_id, occurrence_local, kind, title, description_md,
            start_utc, start_local, time_zone, duration_minutes, mode, address, submission_deadline, max_cases,
            created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id",
    )
    .bind(occurrence.organisation_id)
    .bind(occurrence.uid)
    .bind(occurrence.series_id)
    .bind(occurrence.series_id.map(|_| WallClock(occurrence.start_local)))
    .bind(meeting.kind.code())
    .bind(&meeting.title)
    .bind(&meeting.description_md)
    .bind(Instant(local_to_utc(occurrence.start_local, tz)))
    .bind(WallClock(occurrence.start_local))
    .bind(tz.name())
    .bind(meeting.duration_minutes as i64)
    .bind(meeting.mode.code())
    .bind(&meeting.address)
    .bind(WallClock(meeting.deadline_for(occurrence.start_local)))
    .bind(meeting.max_cases.map(i64::from))
    .bind(occurrence.created_by)
    .bind(stamp)
    .fetch_one(&mut *c).await)?;
    Ok(row.0)
}

async fn insert_series(
    tx: &mut Tx,
    organisation_id: OrgId,
    created_by: UserId,
    meeting: &ValidMeeting,
    rule: &RecurrenceRule,
    first: NaiveDateTime,
    tz: Tz,
) -> sqlx::Result<(SeriesId, String)> {
    let uid = new_uid();
    let stamp = Instant::now();
    let row: (SeriesId,) = on_db!(&mut *tx, c => sqlx::query_as(
        "INSERT INTO series (organisation_id, uid, rrule, time_zone, first_start_local, kind, title, description_md,
            duration_minutes, mode, address, deadline_before_minutes, max_cases, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id",
    )
    .bind(organisation_id)
    .bind(&uid)
    .bind(rule.to_rrule_at(first, tz))
    .bind(tz.name())
    .bind(WallClock(first))
    .bind(meeting.kind.code())
    .bind(&meeting.title)
    .bind(&meeting.description_md)
    .bind(meeting.duration_minutes as i64)
    .bind(meeting.mode.code())
    .bind(&meeting.address)
    .bind(meeting.deadline_before_minutes)
    .bind(meeting.max_cases.map(i64::from))
    .bind(created_by)
    .bind(stamp)
    .fetch_one(&mut *c).await)?;
    Ok((row.0, uid))
}

/// Creates a meeting, or a series and all its occurrences; returns the ids of the meeting rows
/// in order (the first is the one to show).
pub async fn create(
    tx: &mut Tx,
    organisation_id: OrgId,
    created_by: UserId,
    meeting: &ValidMeeting,
    tz: Tz,
) -> sqlx::Result<Vec<MeetingId>> {
    match &meeting.recurrence {
        None => {
            let uid = new_uid();
            let id = insert_meeting(
                tx,
                Occurrence {
                    organisation_id,
                    uid: &uid,
                    series_id: None,
                    start_local: meeting.start_local,
                    created_by,
                },
                meeting,
                tz,
            )
            .await?;
            Ok(vec![id])
        }
        Some(rule) => {
            let starts = occurrence_starts(rule, meeting.start_local);
            let first = starts.first().copied().unwrap_or(meeting.start_local);
            let (series_id, uid) =
                insert_series(tx, organisation_id, created_by, meeting, rule, first, tz).await?;
            let mut ids = Vec::with_capacity(starts.len());
            for start_local in starts {
                let occurrence = Occurrence {
                    organisation_id,
                    uid: &uid,
                    series_id: Some(series_id),
                    start_local,
                    created_by,
                };
                ids.push(insert_meeting(tx, occurrence, meeting, tz).await?);
            }
            Ok(ids)
        }
    }
}

/// Series without end that are still running.
pub async fn open_series(db: &Db) -> sqlx::Result<Vec<SeriesRow>> {
    let all = on_db!(db, c => sqlx::query_as::<_, SeriesRow>(&format!(
        "SELECT {SERIES_COLUMNS} FROM series WHERE cancelled = FALSE"
    ))
    .fetch_all(&mut *c).await)?;
    Ok(all
        .into_iter()
        .filter(|series| {
            RecurrenceRule::parse_rrule(&series.rrule, series.tz())
                .is_ok_and(|rule| rule.end == SeriesEnd::Never)
        })
        .collect())
}

/// Materialises the occurrences of an open series that fall after its last one and no later
/// than `horizon` (local time); each new occurrence takes the series' details and the invitees
/// (with their answers) of the last occurrence that is not cancelled. A cancelled series, or
/// one with an end (COUNT or UNTIL, e.g. after "cancel this and following"), is never
/// extended. Returns how many were added.
pub async fn extend_series(
    tx: &mut Tx,
    series: &SeriesRow,
    horizon: NaiveDateTime,
) -> sqlx::Result<usize> {
    let tz = series.tz();
    let Ok(rule) = RecurrenceRule::parse_rrule(&series.rrule, tz) else {
        return Ok(0);
    };
    let last: Option<(MeetingId, WallClock)> = on_db!(&mut *tx, c => sqlx::query_as(
        "SELECT id, occurrence_local FROM meetings WHERE series_id = $1
         ORDER BY occurrence_local DESC LIMIT 1",
    )
    .bind(series.id)
    .fetch_optional(&mut *c).await)?;
    let Some((_, last_local)) = last else {
        return Ok(0);
    };
    let last_local = last_local.0;
    // Invitees and answers come from the last occurrence that still takes place; a series
    // whose occurrences are all cancelled is not extended.
    let source: Option<MeetingId> = on_db!(&mut *tx, c => sqlx::query_scalar(
        "SELECT id FROM meetings WHERE series_id = $1 AND cancelled = FALSE
         ORDER BY occurrence_local DESC LIMIT 1",
    )
    .bind(series.id)
    .fetch_optional(&mut *c).await)?;
    let Some(last_id) = source else {
        return Ok(0);
    };
    if series.cancelled || rule.end != SeriesEnd::Never {
        return Ok(0);
    }
    let first = series.first_start_local.0;
    let meeting = ValidMeeting {
        kind: series.kind,
        title: series.title.clone(),
        start_local: first,
        duration_minutes: series.duration_minutes as u32,
        mode: series.mode,
        address: series.address.clone(),
        deadline_before_minutes: series.deadline_before_minutes,
        max_cases: series.max_cases.map(|n| n as u32),
        description_md: series.description_md.clone(),
        recurrence: None,
    };
    let mut added = 0;
    let starts = rule.local_starts(first, EXTENSION_SCAN_LIMIT);
    for start_local in starts
        .into_iter()
        .filter(|start| *start > last_local && *start <= horizon)
    {
        let occurrence = Occurrence {
            organisation_id: series.organisation_id,
            uid: &series.uid,
            series_id: Some(series.id),
            start_local,
            created_by: series.created_by,
        };
        let id = insert_meeting(tx, occurrence, &meeting, tz).await?;
        on_db!(&mut *tx, c => sqlx::query(
            "INSERT INTO invitations (meeting_id, user_id, response, responded_at, invited_at)
             SELECT $1, user_id, response, responded_at, invited_at FROM invitations WHERE meeting_id = $2",
        )
        .bind(id)
        .bind(last_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
        added += 1;
    }
    Ok(added)
}

/// One meeting (from the pool, or inside a transaction with `&mut *tx`).
pub async fn get<'e>(db: impl Into<Exec<'e>>, id: MeetingId) -> sqlx::Result<Option<MeetingRow>> {
    on_db!(db, c => sqlx::query_as::<_, MeetingRow>(&format!(
        "SELECT {MEETING_COLUMNS} FROM meetings m WHERE m.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c).await)
}

/// One series.
pub async fn get_series<'e>(
    db: impl Into<Exec<'e>>,
    id: SeriesId,
) -> sqlx::Result<Option<SeriesRow>> {
    on_db!(db, c => sqlx::query_as::<_, SeriesRow>(&format!(
        "SELECT {SERIES_COLUMNS} FROM series WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c).await)
}

/// Every occurrence of a series, in order.
pub async fn occurrences<'e>(
    db: impl Into<Exec<'e>>,
    series_id: SeriesId,
) -> sqlx::Result<Vec<MeetingRow>> {
    on_db!(db, c => sqlx::query_as::<_, MeetingRow>(&format!(
        "SELECT {MEETING_COLUMNS} FROM meetings m WHERE m.series_id = $1 ORDER BY m.start_utc"
    ))
    .bind(series_id)
    .fetch_all(&mut *c).await)
}

/// Which meetings a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// Not yet ended, soonest first.
    Upcoming,
    /// Ended, latest first.
    Past,
}

/// An organisation's meetings, with the viewer's answers.
pub async fn list(
    db: &Db,
    organisation_id: OrgId,
    viewer_id: UserId,
    kind: Option<MeetingKind>,
    period: Period,
    limit: i64,
) -> sqlx::Result<Vec<MeetingLineRow>> {
    let (comparison, order) = match period {
        Period::Upcoming => (">=", "ASC"),
        Period::Past => ("<", "DESC"),
    };
    let sql = format!(
        "SELECT {LINE_COLUMNS}
         FROM meetings m
         JOIN organisations o ON o.id = m.organisation_id
         LEFT JOIN invitations i ON i.meeting_id = m.id AND i.user_id = $2
         WHERE m.organisation_id = $1 AND m.start_utc {comparison} $3 AND ($4 IS NULL OR m.kind = $4)
         ORDER BY m.start_utc {order} LIMIT $5"
    );
    on_db!(db, c => sqlx::query_as::<_, MeetingLineRow>(&sql)
        .bind(organisation_id)
        .bind(viewer_id)
        .bind(Instant(Utc::now() - Duration::hours(2)))
        .bind(kind.map(MeetingKind::code))
        .bind(limit)
        .fetch_all(&mut *c).await)
}

/// "Mon agenda": the viewer's upcoming invitations in every organisation.
pub async fn agenda(db: &Db, user_id: UserId, limit: i64) -> sqlx::Result<Vec<MeetingLineRow>> {
    let sql = format!(
        "SELECT {LINE_COLUMNS}
         FROM invitations i
         JOIN meetings m ON m.id = i.meeting_id
         JOIN organisations o ON o.id = m.organisation_id
         JOIN memberships ms ON ms.organisation_id = m.organisation_id AND ms.user_id = i.user_id
             AND ms.status = 'active'
         WHERE i.user_id = $1 AND m.start_utc >= $2
         ORDER BY m.start_utc ASC LIMIT $3"
    );
    on_db!(db, c => sqlx::query_as::<_, MeetingLineRow>(&sql)
        .bind(user_id)
        .bind(Instant(Utc::now() - Duration::hours(2)))
        .bind(limit)
        .fetch_all(&mut *c).await)
}

/// Invitees of a meeting with their answers.
pub async fn invitees<'e>(
    db: impl Into<Exec<'e>>,
    meeting_id: MeetingId,
) -> sqlx::Result<Vec<InviteeRow>> {
    on_db!(db, c => sqlx::query_as::<_, InviteeRow>(
        "SELECT u.id AS user_id, u.display_name, u.email, ms.role, i.response
         FROM invitations i
         JOIN users u ON u.id = i.user_id
         JOIN meetings m ON m.id = i.meeting_id
         LEFT JOIN memberships ms ON ms.user_id = u.id AND ms.organisation_id = m.organisation_id
         WHERE i.meeting_id = $1 ORDER BY u.display_name",
    )
    .bind(meeting_id)
    .fetch_all(&mut *c).await)
}

/// Invites users to meetings; returns the (meeting, user) pairs that are new.
pub async fn invite(
    tx: &mut Tx,
    meeting_ids: &[MeetingId],
    user_ids: &[UserId],
) -> sqlx::Result<Vec<(MeetingId, UserId)>> {
    let stamp = Instant::now();
    let mut added = Vec::new();
    for &meeting_id in meeting_ids {
        for &user_id in user_ids {
            let result = on_db!(&mut *tx, c => sqlx::query(
                "INSERT INTO invitations (meeting_id, user_id, invited_at) VALUES ($1, $2, $3)
                 ON CONFLICT (meeting_id, user_id) DO NOTHING",
            )
            .bind(meeting_id)
            .bind(user_id)
            .bind(stamp)
            .execute(&mut *c).await.map(|done| done.rows_affected()))?;
            if result > 0 {
                added.push((meeting_id, user_id));
            }
        }
    }
    Ok(added)
}

/// Records an answer on each meeting where the user is invited; returns how many changed.
pub async fn respond(
    db: &Db,
    meeting_ids: &[MeetingId],
    user_id: UserId,
    answer: Rsvp,
) -> sqlx::Result<u64> {
    let stamp = Instant::now();
    let mut tx = db.begin().await?;
    let mut changed = 0;
    for &meeting_id in meeting_ids {
        changed += on_db!(&mut tx, c => sqlx::query(
            "UPDATE invitations SET response = $1, responded_at = $2 WHERE meeting_id = $3 AND user_id = $4",
        )
        .bind(answer.code())
        .bind(stamp)
        .bind(meeting_id)
        .bind(user_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Applies a valid form to one meeting row (an override when it is an occurrence).
pub async fn update_one(
    tx: &mut Tx,
    row: &MeetingRow,
    meeting: &ValidMeeting,
    start_local: NaiveDateTime,
) -> sqlx::Result<()> {
    let tz = row.tz();
    on_db!(&mut *tx, c => sqlx::query(
        "UPDATE meetings SET kind = $1, title = $2, description_md = $3, start_utc = $4, start_local = $5,
            duration_minutes = $6, mode = $7, address = $8, submission_deadline = $9, max_cases = $10,
            overridden = $11, sequence = sequence + 1, updated_at = $12
         WHERE id = $13",
    )
    .bind(meeting.kind.code())
    .bind(&meeting.title)
    .bind(&meeting.description_md)
    .bind(Instant(local_to_utc(start_local, tz)))
    .bind(WallClock(start_local))
    .bind(meeting.duration_minutes as i64)
    .bind(meeting.mode.code())
    .bind(&meeting.address)
    .bind(WallClock(meeting.deadline_for(start_local)))
    .bind(meeting.max_cases.map(i64::from))
    .bind(row.series_id.is_some())
    .bind(Instant::now())
    .bind(row.id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// What a "this and following" change did to a series.
#[derive(Clone, Debug)]
pub enum FollowingChange {
    /// The change started at the first occurrence: the whole series changed in place (edit) or
    /// was cancelled (cancel).
    Whole,
    /// The series was cut before the occurrence: it now ends with an `UNTIL` (its SEQUENCE went
    /// up), and the occurrences from the cut on left it (moved to a new series, or cancelled).
    Cut {
        /// The series that was cut.
        old_series_id: SeriesId,
        /// The occurrences from the cut on that had been sent as overrides (edited on their
        /// own), as they were before the change: each must be withdrawn with a CANCEL that
        /// carries the old UID and its RECURRENCE-ID.
        withdrawn_overrides: Vec<MeetingRow>,
    },
}

fn unreadable_rule(series: &SeriesRow) -> sqlx::Error {
    sqlx::Error::Decode(
        format!(
            "series {} has an unreadable RRULE {:?}",
            series.id, series.rrule
        )
        .into(),
    )
}

/// Whether any occurrence of the series comes before `cut` (cancelled ones included: they are
/// EXDATEs of the master).
async fn has_occurrences_before(
    tx: &mut Tx,
    series_id: SeriesId,
    cut: NaiveDateTime,
) -> sqlx::Result<bool> {
    let (earlier,): (i64,) = on_db!(&mut *tx, c => sqlx::query_as(
        "SELECT COUNT(*) FROM meetings WHERE series_id = $1 AND occurrence_local < $2",
    )
    .bind(series_id)
    .bind(WallClock(cut))
    .fetch_one(&mut *c).await)?;
    Ok(earlier > 0)
}

/// The overrides (occurrences edited on their own, not cancelled) from `cut` on, as they are.
async fn overrides_from(
    tx: &mut Tx,
    series_id: SeriesId,
    cut: NaiveDateTime,
) -> sqlx::Result<Vec<MeetingRow>> {
    on_db!(&mut *tx, c => sqlx::query_as::<_, MeetingRow>(&format!(
        "SELECT {MEETING_COLUMNS} FROM meetings m
         WHERE m.series_id = $1 AND m.occurrence_local >= $2 AND m.overridden = TRUE AND m.cancelled = FALSE
         ORDER BY m.occurrence_local"
    ))
    .bind(series_id)
    .bind(WallClock(cut))
    .fetch_all(&mut *c).await)
}

/// Ends a series just before the occurrence whose original local start is `cut`: its RRULE
/// gets an `UNTIL` at the end of the local day before (written in UTC, so correct across
/// daylight-saving changes) and its SEQUENCE goes up. Occurrence rows are not touched.
pub async fn truncate_series(
    tx: &mut Tx,
    series: &SeriesRow,
    cut: NaiveDateTime,
) -> sqlx::Result<()> {
    let mut rule = series.rule().ok_or_else(|| unreadable_rule(series))?;
    rule.end = SeriesEnd::Until(cut.date() - Duration::days(1));
    on_db!(&mut *tx, c => sqlx::query(
        "UPDATE series SET rrule = $1, sequence = sequence + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(rule.to_rrule_at(series.first_start_local.0, series.tz()))
    .bind(Instant::now())
    .bind(series.id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Applies a valid form to an occurrence and every later one of its series. Editing from the
/// first occurrence edits the series in place; from a later one, the series is cut (see
/// [`truncate_series`]) and a new series (new UID, SEQUENCE 0) carries this occurrence and the
/// later ones, keeping their rows, ids and invitations, their cancellations (EXDATEs) and their
/// overrides. Each plain occurrence keeps its date and takes the form's time of day; an
/// override keeps its own slot and takes the rest of the form. Returns the ids of the affected
/// rows and what happened to the series.
pub async fn update_following(
    tx: &mut Tx,
    row: &MeetingRow,
    series: &SeriesRow,
    meeting: &ValidMeeting,
) -> sqlx::Result<(Vec<MeetingId>, FollowingChange)> {
    let tz = series.tz();
    let occurrence = row.occurrence().unwrap_or_else(|| row.local_start());
    let new_time = meeting.start_local.time();
    let rule = series.rule().ok_or_else(|| unreadable_rule(series))?;
    let following: Vec<(MeetingId, WallClock, WallClock, bool, i64)> = on_db!(&mut *tx, c => sqlx::query_as(
        "SELECT id, occurrence_local, start_local, overridden, duration_minutes FROM meetings
         WHERE series_id = $1 AND occurrence_local >= $2 ORDER BY occurrence_local",
    )
    .bind(series.id)
    .bind(WallClock(occurrence))
    .fetch_all(&mut *c).await)?;
    let first_local = occurrence.date().and_time(new_time);
    let stamp = Instant::now();
    let (target_series, target_uid, change) = if !has_occurrences_before(tx, series.id, occurrence)
        .await?
    {
        on_db!(&mut *tx, c => sqlx::query(
            "UPDATE series SET first_start_local = $1, kind = $2, title = $3, description_md = $4,
                duration_minutes = $5, mode = $6, address = $7, deadline_before_minutes = $8, max_cases = $9,
                sequence = sequence + 1, updated_at = $10 WHERE id = $11",
        )
        .bind(WallClock(first_local))
        .bind(meeting.kind.code())
        .bind(&meeting.title)
        .bind(&meeting.description_md)
        .bind(meeting.duration_minutes as i64)
        .bind(meeting.mode.code())
        .bind(&meeting.address)
        .bind(meeting.deadline_before_minutes)
        .bind(meeting.max_cases.map(i64::from))
        .bind(stamp)
        .bind(series.id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
        (series.id, series.uid.clone(), FollowingChange::Whole)
    } else {
        let withdrawn_overrides = overrides_from(tx, series.id, occurrence).await?;
        truncate_series(tx, series, occurrence).await?;
        let mut new_rule = rule.clone();
        if let SeriesEnd::Count(count) = rule.end {
            let (earlier,): (i64,) = on_db!(&mut *tx, c => sqlx::query_as(
                "SELECT COUNT(*) FROM meetings WHERE series_id = $1 AND occurrence_local < $2",
            )
            .bind(series.id)
            .bind(WallClock(occurrence))
            .fetch_one(&mut *c).await)?;
            new_rule.end = SeriesEnd::Count(count.saturating_sub(earlier as u32).max(1));
        }
        let (new_id, new_uid) = insert_series(
            tx,
            series.organisation_id,
            series.created_by,
            meeting,
            &new_rule,
            first_local,
            tz,
        )
        .await?;
        (
            new_id,
            new_uid,
            FollowingChange::Cut {
                old_series_id: series.id,
                withdrawn_overrides,
            },
        )
    };
    let mut ids = Vec::with_capacity(following.len());
    for (id, occurrence_local, start_local, overridden, duration) in following {
        // The occurrence's identity in the (new) series: its date at the series' time of day.
        let new_occurrence = occurrence_local.0.date().and_time(new_time);
        // The edited occurrence and plain ones take the form's slot; other overrides keep theirs.
        let keep_own_slot = overridden && id != row.id;
        let (start, duration) = if keep_own_slot {
            (start_local.0, duration)
        } else {
            (new_occurrence, meeting.duration_minutes as i64)
        };
        on_db!(&mut *tx, c => sqlx::query(
            "UPDATE meetings SET series_id = $1, uid = $2, occurrence_local = $3, overridden = $4, kind = $5,
                title = $6, description_md = $7, start_utc = $8, start_local = $9, duration_minutes = $10,
                mode = $11, address = $12, submission_deadline = $13, max_cases = $14,
                sequence = sequence + 1, updated_at = $15
             WHERE id = $16",
        )
        .bind(target_series)
        .bind(&target_uid)
        .bind(WallClock(new_occurrence))
        .bind(keep_own_slot)
        .bind(meeting.kind.code())
        .bind(&meeting.title)
        .bind(&meeting.description_md)
        .bind(Instant(local_to_utc(start, tz)))
        .bind(WallClock(start))
        .bind(duration)
        .bind(meeting.mode.code())
        .bind(&meeting.address)
        .bind(WallClock(meeting.deadline_for(start)))
        .bind(meeting.max_cases.map(i64::from))
        .bind(stamp)
        .bind(id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
        ids.push(id);
    }
    Ok((ids, change))
}

/// Cancels an occurrence and every later one of its series. From the first occurrence, the
/// whole series is cancelled ([`cancel_series`]); from a later one, the series is cut (see
/// [`truncate_series`]) and the occurrences from the cut on are marked cancelled, so that no
/// upkeep extends the series again. Returns the ids of the newly cancelled rows and what
/// happened to the series.
pub async fn cancel_following(
    tx: &mut Tx,
    row: &MeetingRow,
    series: &SeriesRow,
) -> sqlx::Result<(Vec<MeetingId>, FollowingChange)> {
    let cut = row.occurrence().unwrap_or_else(|| row.local_start());
    let ids: Vec<MeetingId> = on_db!(&mut *tx, c => sqlx::query_scalar(
        "SELECT id FROM meetings WHERE series_id = $1 AND occurrence_local >= $2 AND cancelled = FALSE
         ORDER BY occurrence_local",
    )
    .bind(series.id)
    .bind(WallClock(cut))
    .fetch_all(&mut *c).await)?;
    if !has_occurrences_before(tx, series.id, cut).await? {
        cancel_series(tx, series.id).await?;
        return Ok((ids, FollowingChange::Whole));
    }
    let withdrawn_overrides = overrides_from(tx, series.id, cut).await?;
    truncate_series(tx, series, cut).await?;
    cancel(tx, &ids).await?;
    Ok((
        ids,
        FollowingChange::Cut {
            old_series_id: series.id,
            withdrawn_overrides,
        },
    ))
}

/// Ids of an occurrence and the later ones of its series that are not cancelled.
pub async fn following_ids(db: &Db, row: &MeetingRow) -> sqlx::Result<Vec<MeetingId>> {
    let Some(series_id) = row.series_id else {
        return Ok(vec![row.id]);
    };
    let rows: Vec<(MeetingId,)> = on_db!(db, c => sqlx::query_as(
        "SELECT id FROM meetings WHERE series_id = $1 AND start_utc >= $2 AND cancelled = FALSE ORDER BY start_utc",
    )
    .bind(series_id)
    .bind(row.start_utc)
    .fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Cancels meeting rows.
pub async fn cancel(tx: &mut Tx, ids: &[MeetingId]) -> sqlx::Result<()> {
    let stamp = Instant::now();
    for &id in ids {
        on_db!(&mut *tx, c => sqlx::query("UPDATE meetings SET cancelled = TRUE, sequence = sequence + 1, updated_at = $1 WHERE id = $2")
            .bind(stamp)
            .bind(id)
            .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    }
    Ok(())
}

/// Cancels a whole series and all its occurrences.
pub async fn cancel_series(tx: &mut Tx, series_id: SeriesId) -> sqlx::Result<()> {
    let stamp = Instant::now();
    on_db!(&mut *tx, c => sqlx::query("UPDATE series SET cancelled = TRUE, sequence = sequence + 1, updated_at = $1 WHERE id = $2")
        .bind(stamp)
        .bind(series_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    on_db!(&mut *tx, c => sqlx::query(
        "UPDATE meetings SET cancelled = TRUE, sequence = sequence + 1, updated_at = $1
         WHERE series_id = $2 AND cancelled = FALSE",
    )
    .bind(stamp)
    .bind(series_id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Bumps the master event's SEQUENCE after a change to some of its occurrences.
pub async fn touch_series(tx: &mut Tx, series_id: SeriesId) -> sqlx::Result<()> {
    on_db!(&mut *tx, c => sqlx::query("UPDATE series SET sequence = sequence + 1, updated_at = $1 WHERE id = $2")
        .bind(Instant::now())
        .bind(series_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// A user's name and e-mail (the organiser of the meetings they created).
pub async fn person<'e>(
    db: impl Into<Exec<'e>>,
    user_id: UserId,
) -> sqlx::Result<Option<(String, String)>> {
    on_db!(db, c => sqlx::query_as("SELECT display_name, email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *c).await)
}

/// Every meeting row a user is invited to (for calendar feeds), in their organisations.
pub async fn invited_meetings(db: &Db, user_id: UserId) -> sqlx::Result<Vec<MeetingRow>> {
    on_db!(db, c => sqlx::query_as::<_, MeetingRow>(&format!(
        "SELECT {MEETING_COLUMNS} FROM meetings m
         JOIN invitations i ON i.meeting_id = m.id AND i.user_id = $1
         JOIN memberships ms ON ms.organisation_id = m.organisation_id AND ms.user_id = $1
             AND ms.status = 'active'
         ORDER BY m.start_utc"
    ))
    .bind(user_id)
    .fetch_all(&mut *c).await)
}

type InviteePair = (MeetingId, UserId, String, String, Option<Role>, Rsvp);

fn invitee_pairs(rows: Vec<InviteePair>) -> Vec<(MeetingId, InviteeRow)> {
    rows.into_iter()
        .map(
            |(meeting_id, user_id, display_name, email, role, response)| {
                (
                    meeting_id,
                    InviteeRow {
                        user_id,
                        display_name,
                        email,
                        role,
                        response,
                    },
                )
            },
        )
        .collect()
}

/// Invitees of many meetings at once: (meeting id, invitee).
pub async fn invitees_of_many<'e>(
    db: impl Into<Exec<'e>>,
    meeting_ids: &[MeetingId],
) -> sqlx::Result<Vec<(MeetingId, InviteeRow)>> {
    if meeting_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=meeting_ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT i.meeting_id, u.id AS user_id, u.display_name, u.email, CAST(NULL AS TEXT) AS role, i.response
         FROM invitations i JOIN users u ON u.id = i.user_id
         WHERE i.meeting_id IN ({}) ORDER BY u.display_name",
        placeholders.join(", ")
    );
    let rows = on_db!(db, c => {
        let mut query = sqlx::query_as::<_, InviteePair>(&sql);
        for id in meeting_ids {
            query = query.bind(id);
        }
        query.fetch_all(&mut *c).await
    })?;
    Ok(invitee_pairs(rows))
}

/// In one query, the invitees of every meeting a person's feed shows: the meetings they are
/// invited to and every occurrence of those meetings' series.
pub async fn feed_invitees(db: &Db, user_id: UserId) -> sqlx::Result<Vec<(MeetingId, InviteeRow)>> {
    let rows = on_db!(db, c => sqlx::query_as::<_, InviteePair>(
        "SELECT i.meeting_id, u.id AS user_id, u.display_name, u.email, CAST(NULL AS TEXT) AS role, i.response
         FROM invitations i JOIN users u ON u.id = i.user_id
         WHERE i.meeting_id IN (
             SELECT mine.meeting_id FROM invitations mine WHERE mine.user_id = $1
             UNION
             SELECT o.id FROM meetings o WHERE o.series_id IN (
                 SELECT m.series_id FROM invitations mine JOIN meetings m ON m.id = mine.meeting_id
                 WHERE mine.user_id = $1 AND m.series_id IS NOT NULL))
         ORDER BY u.display_name",
    )
    .bind(user_id)
    .fetch_all(&mut *c).await)?;
    Ok(invitee_pairs(rows))
}

/// Meetings starting within the next `within` that have not had their reminder yet.
pub async fn due_reminders(db: &Db, within: Duration) -> sqlx::Result<Vec<MeetingRow>> {
    let now_instant = Utc::now();
    on_db!(db, c => sqlx::query_as::<_, MeetingRow>(&format!(
        "SELECT {MEETING_COLUMNS} FROM meetings m
         WHERE m.cancelled = FALSE AND m.reminder_sent_at IS NULL AND m.start_utc > $1 AND m.start_utc <= $2
         ORDER BY m.start_utc"
    ))
    .bind(Instant(now_instant))
    .bind(Instant(now_instant + within))
    .fetch_all(&mut *c).await)
}

/// Marks a meeting's reminder as sent; false when another worker got there first.
pub async fn claim_reminder(tx: &mut Tx, meeting_id: MeetingId) -> sqlx::Result<bool> {
    let result = on_db!(&mut *tx, c => sqlx::query(
        "UPDATE meetings SET reminder_sent_at = $1 WHERE id = $2 AND reminder_sent_at IS NULL",
    )
    .bind(Instant::now())
    .bind(meeting_id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(result == 1)
}
