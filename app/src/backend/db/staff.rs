//! Staff and RCP sessions: the agenda of a meeting (with a calendar slot per presented case),
//! attendance, the item under discussion, reading-ahead notes and quorum rules.
//!
//! The agenda as shown is the stored items, in order, whose case is still submitted to the
//! meeting, then the cases submitted since the coordinator last saved it ([`agenda`]). Every
//! change of what a session page shows (attendance, current item, agenda) bumps the meeting's
//! `session_revision`, which pages watching the session poll.

use chrono::NaiveDateTime;
use sqlx::FromRow;

use super::{on_db, Exec, Instant, Tx, WallClock};
use crate::backend::security::random_token;
use crate::domain::agenda::AgendaItemKind;
use crate::domain::ids::{AgendaItemId, CaseId, MeetingId, OrgId, UserId};
use crate::domain::meeting::MeetingKind;
use crate::domain::quorum::QuorumRule;
use crate::domain::role::Role;

/// One line of an agenda: a stored item, or a case submitted since the agenda was last saved
/// (`item_id` none).
#[derive(Clone, Debug, FromRow)]
pub struct AgendaRow {
    /// The stored item.
    pub item_id: Option<AgendaItemId>,
    /// `AgendaItemKind` code.
    pub kind: String,
    /// The item's title (non-case items).
    pub title: String,
    /// Minutes given (none: not stored yet).
    pub minutes: Option<i64>,
    /// The presenter's calendar slot UID.
    pub slot_uid: Option<String>,
    /// Its SEQUENCE.
    pub slot_sequence: i64,
    /// The slot's start as last sent.
    pub sent_start_local: Option<WallClock>,
    /// The slot's length as last sent.
    pub sent_minutes: Option<i64>,
    /// The case.
    pub case_id: Option<CaseId>,
    /// Year of the case code.
    pub code_year: Option<i32>,
    /// Number of the case code.
    pub code_number: Option<i32>,
    /// The case's author (the presenter).
    pub author_id: Option<UserId>,
    /// Their name.
    pub author_name: Option<String>,
    /// Their e-mail.
    pub author_email: Option<String>,
    /// Question type codes, comma-separated.
    pub question_types: Option<String>,
    /// Missing items.
    pub missing_count: Option<i64>,
    /// No required item missing.
    pub ready: Option<bool>,
    /// PHQ-9 item 9 above 0.
    pub suicidal: Option<bool>,
}

impl AgendaRow {
    /// The item's kind (unknown codes read as announcements, never as cases).
    pub fn kind(&self) -> AgendaItemKind {
        AgendaItemKind::from_code(&self.kind).unwrap_or(AgendaItemKind::Announcement)
    }
}

const CASE_LINE: &str = "c.id AS case_id, c.code_year, c.code_number, c.author_id, u.display_name AS author_name, \
    u.email AS author_email, c.question_types, CAST(c.missing_count AS BIGINT) AS missing_count, c.ready, c.suicidal";

/// A meeting's agenda: stored items in order (case items only while their case is still
/// submitted to this meeting), then the cases submitted since, oldest first.
pub async fn agenda<'e>(
    db: impl Into<Exec<'e>>,
    meeting_id: MeetingId,
) -> sqlx::Result<Vec<AgendaRow>> {
    let mut exec = Exec::of(db);
    let mut rows = on_db!(exec.reborrow(), c => sqlx::query_as::<_, AgendaRow>(&format!(
        "SELECT ai.id AS item_id, ai.kind, ai.title, CAST(ai.minutes AS BIGINT) AS minutes, ai.slot_uid,
                CAST(ai.slot_sequence AS BIGINT) AS slot_sequence, ai.sent_start_local,
                CAST(ai.sent_minutes AS BIGINT) AS sent_minutes, {CASE_LINE}
         FROM agenda_items ai LEFT JOIN cases c ON c.id = ai.case_id LEFT JOIN users u ON u.id = c.author_id
         WHERE ai.meeting_id = $1
           AND (ai.case_id IS NULL OR (c.meeting_id = ai.meeting_id AND c.status = 'submitted'))
         ORDER BY ai.position, ai.id"
    ))
    .bind(meeting_id)
    .fetch_all(&mut *c).await)?;
    let pending = on_db!(exec, c => sqlx::query_as::<_, AgendaRow>(&format!(
        "SELECT NULL AS item_id, 'case' AS kind, '' AS title, NULL AS minutes, NULL AS slot_uid,
                CAST(0 AS BIGINT) AS slot_sequence, NULL AS sent_start_local, NULL AS sent_minutes, {CASE_LINE}
         FROM cases c JOIN users u ON u.id = c.author_id
         WHERE c.meeting_id = $1 AND c.status = 'submitted'
           AND NOT EXISTS (SELECT 1 FROM agenda_items ai WHERE ai.case_id = c.id AND ai.meeting_id = $1)
         ORDER BY c.submitted_at, c.id"
    ))
    .bind(meeting_id)
    .fetch_all(&mut *c).await)?;
    rows.extend(pending);
    Ok(rows)
}

/// A line of an agenda to store, in order.
#[derive(Clone, Debug)]
pub struct AgendaLine {
    /// The stored item it updates (none: a new item).
    pub item_id: Option<AgendaItemId>,
    /// Kind.
    pub kind: AgendaItemKind,
    /// The case (case items).
    pub case_id: Option<CaseId>,
    /// Title (non-case items).
    pub title: String,
    /// Minutes.
    pub minutes: u32,
}

/// Stores a meeting's agenda as `lines`, in order: updates the items named, inserts the new
/// ones (a case item gets its slot UID) and deletes the items no longer listed.
pub async fn replace_agenda(
    tx: &mut Tx,
    meeting_id: MeetingId,
    lines: &[AgendaLine],
) -> sqlx::Result<()> {
    let mut kept: Vec<AgendaItemId> = Vec::with_capacity(lines.len());
    for (position, line) in lines.iter().enumerate() {
        let position = position as i64;
        let minutes = i64::from(line.minutes);
        let id = match line.item_id {
            Some(item_id) => {
                on_db!(&mut *tx, c => sqlx::query(
                    "UPDATE agenda_items SET position = $1, minutes = $2, title = $3
                     WHERE id = $4 AND meeting_id = $5",
                )
                .bind(position)
                .bind(minutes)
                .bind(&line.title)
                .bind(item_id)
                .bind(meeting_id)
                .execute(&mut *c).await.map(|done| done.rows_affected()))?;
                item_id
            }
            None => {
                let slot_uid = line
                    .case_id
                    .map(|_| format!("slot-{}@concerto", random_token()));
                let (id,): (AgendaItemId,) = on_db!(&mut *tx, c => sqlx::query_as(
                    "INSERT INTO agenda_items (meeting_id, position, kind, case_id, title, minutes, slot_uid)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(meeting_id)
                .bind(position)
                .bind(line.kind.code())
                .bind(line.case_id)
                .bind(&line.title)
                .bind(minutes)
                .bind(slot_uid)
                .fetch_one(&mut *c).await)?;
                id
            }
        };
        kept.push(id);
    }
    // Items not listed any more: removed by the coordinator, or cases withdrawn or moved.
    let existing: Vec<(AgendaItemId,)> = on_db!(&mut *tx, c => sqlx::query_as(
        "SELECT id FROM agenda_items WHERE meeting_id = $1",
    )
    .bind(meeting_id)
    .fetch_all(&mut *c).await)?;
    for (id,) in existing.into_iter().filter(|(id,)| !kept.contains(id)) {
        on_db!(&mut *tx, c => sqlx::query("DELETE FROM agenda_items WHERE id = $1")
            .bind(id)
            .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    }
    bump(tx, meeting_id).await
}

/// Records that a slot invitation was sent for `item_id` starting at `start`, for `minutes`,
/// with `sequence`.
pub async fn slot_sent(
    tx: &mut Tx,
    item_id: AgendaItemId,
    start: NaiveDateTime,
    minutes: u32,
    sequence: i64,
) -> sqlx::Result<()> {
    on_db!(&mut *tx, c => sqlx::query(
        "UPDATE agenda_items SET sent_start_local = $1, sent_minutes = $2, slot_sequence = $3 WHERE id = $4",
    )
    .bind(WallClock(start))
    .bind(i64::from(minutes))
    .bind(sequence)
    .bind(item_id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Grows the meeting's session revision (pages watching it refresh).
pub async fn bump(tx: &mut Tx, meeting_id: MeetingId) -> sqlx::Result<()> {
    on_db!(&mut *tx, c => sqlx::query(
        "UPDATE meetings SET session_revision = session_revision + 1 WHERE id = $1",
    )
    .bind(meeting_id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Marks the agenda published (now).
pub async fn publish(tx: &mut Tx, meeting_id: MeetingId) -> sqlx::Result<()> {
    on_db!(&mut *tx, c => sqlx::query(
        "UPDATE meetings SET agenda_published_at = $1, session_revision = session_revision + 1 WHERE id = $2",
    )
    .bind(Instant::now())
    .bind(meeting_id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// What changes during a session.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct SessionState {
    /// When the agenda was published.
    pub agenda_published_at: Option<Instant>,
    /// The item under discussion.
    pub current_item_id: Option<AgendaItemId>,
    /// Grows at every change.
    pub session_revision: i64,
}

/// A meeting's session state (none: no such meeting).
pub async fn state<'e>(
    db: impl Into<Exec<'e>>,
    meeting_id: MeetingId,
) -> sqlx::Result<Option<SessionState>> {
    on_db!(db, c => sqlx::query_as::<_, SessionState>(
        "SELECT agenda_published_at, current_item_id, CAST(session_revision AS BIGINT) AS session_revision
         FROM meetings WHERE id = $1",
    )
    .bind(meeting_id)
    .fetch_optional(&mut *c).await)
}

/// Sets the item under discussion.
pub async fn set_current(
    tx: &mut Tx,
    meeting_id: MeetingId,
    item_id: Option<AgendaItemId>,
) -> sqlx::Result<()> {
    on_db!(&mut *tx, c => sqlx::query(
        "UPDATE meetings SET current_item_id = $1, session_revision = session_revision + 1 WHERE id = $2",
    )
    .bind(item_id)
    .bind(meeting_id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// A person on the attendance list: every invitee, and anyone marked present without being
/// invited.
#[derive(Clone, Debug, FromRow)]
pub struct AttendanceRow {
    /// The person.
    pub user_id: UserId,
    /// Name.
    pub display_name: String,
    /// E-mail.
    pub email: String,
    /// Role in the meeting's organisation now.
    pub member_role: Option<Role>,
    /// Role recorded with the attendance.
    pub recorded_role: Option<Role>,
    /// Marked present (true), absent (false), or not yet marked.
    pub present: Option<bool>,
    /// Arrival.
    pub arrived_at: Option<Instant>,
    /// Departure.
    pub left_at: Option<Instant>,
}

impl AttendanceRow {
    /// The role that counts: the one recorded, else the current one.
    pub fn role(&self) -> Option<Role> {
        self.recorded_role.or(self.member_role)
    }
}

/// The attendance list of a meeting, by name.
pub async fn attendance<'e>(
    db: impl Into<Exec<'e>>,
    meeting_id: MeetingId,
) -> sqlx::Result<Vec<AttendanceRow>> {
    on_db!(db, c => sqlx::query_as::<_, AttendanceRow>(
        "SELECT u.id AS user_id, u.display_name, u.email, ms.role AS member_role, a.role AS recorded_role,
                a.present, a.arrived_at, a.left_at
         FROM users u
         JOIN meetings m ON m.id = $1
         LEFT JOIN memberships ms ON ms.user_id = u.id AND ms.organisation_id = m.organisation_id
         LEFT JOIN attendance a ON a.meeting_id = m.id AND a.user_id = u.id
         WHERE EXISTS (SELECT 1 FROM invitations i WHERE i.meeting_id = m.id AND i.user_id = u.id)
            OR a.user_id IS NOT NULL
         ORDER BY u.display_name, u.id",
    )
    .bind(meeting_id)
    .fetch_all(&mut *c).await)
}

/// One person's attendance as recorded.
#[derive(Clone, Debug)]
pub struct AttendanceMark {
    /// Who.
    pub user_id: UserId,
    /// Present or absent.
    pub present: bool,
    /// Their role (and so discipline) at the meeting.
    pub role: Role,
    /// Arrival.
    pub arrived_at: Option<Instant>,
    /// Departure.
    pub left_at: Option<Instant>,
}

/// Records (or corrects) one person's attendance.
pub async fn mark_attendance(
    tx: &mut Tx,
    meeting_id: MeetingId,
    mark: &AttendanceMark,
    recorded_by: UserId,
) -> sqlx::Result<()> {
    on_db!(&mut *tx, c => sqlx::query(
        "INSERT INTO attendance (meeting_id, user_id, present, role, arrived_at, left_at, recorded_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (meeting_id, user_id) DO UPDATE SET present = excluded.present, role = excluded.role,
             arrived_at = excluded.arrived_at, left_at = excluded.left_at,
             recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
    )
    .bind(meeting_id)
    .bind(mark.user_id)
    .bind(mark.present)
    .bind(mark.role)
    .bind(mark.arrived_at)
    .bind(mark.left_at)
    .bind(recorded_by)
    .bind(Instant::now())
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    bump(tx, meeting_id).await
}

/// A person's private preparation notes on a case.
pub async fn note<'e>(
    db: impl Into<Exec<'e>>,
    case_id: CaseId,
    user_id: UserId,
) -> sqlx::Result<Option<(String, Instant)>> {
    on_db!(db, c => sqlx::query_as::<_, (String, Instant)>(
        "SELECT body, updated_at FROM preparation_notes WHERE case_id = $1 AND user_id = $2",
    )
    .bind(case_id)
    .bind(user_id)
    .fetch_optional(&mut *c).await)
}

/// Saves (or, when empty, deletes) a person's preparation notes on a case.
pub async fn set_note<'e>(
    db: impl Into<Exec<'e>>,
    case_id: CaseId,
    user_id: UserId,
    body: &str,
) -> sqlx::Result<()> {
    if body.trim().is_empty() {
        on_db!(db, c => sqlx::query("DELETE FROM preparation_notes WHERE case_id = $1 AND user_id = $2")
            .bind(case_id)
            .bind(user_id)
            .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    } else {
        on_db!(db, c => sqlx::query(
            "INSERT INTO preparation_notes (case_id, user_id, body, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (case_id, user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(case_id)
        .bind(user_id)
        .bind(body)
        .bind(Instant::now())
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    }
    Ok(())
}

/// The quorum rule of an organisation for a kind of meeting (its default when never set).
pub async fn quorum_rule<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
    kind: MeetingKind,
) -> sqlx::Result<QuorumRule> {
    let row: Option<(i64, i64, bool)> = on_db!(db, c => sqlx::query_as(
        "SELECT CAST(min_present AS BIGINT), CAST(min_disciplines AS BIGINT), psychiatrist_required
         FROM quorum_rules WHERE organisation_id = $1 AND meeting_kind = $2",
    )
    .bind(organisation_id)
    .bind(kind.code())
    .fetch_optional(&mut *c).await)?;
    Ok(match row {
        Some((min_present, min_disciplines, psychiatrist_required)) => QuorumRule {
            min_present: min_present.clamp(0, 1000) as u32,
            min_disciplines: min_disciplines.clamp(0, 1000) as u32,
            psychiatrist_required,
        },
        None => QuorumRule::default_for(kind),
    })
}

/// Sets an organisation's quorum rule for a kind of meeting.
pub async fn set_quorum_rule<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
    kind: MeetingKind,
    rule: &QuorumRule,
) -> sqlx::Result<()> {
    on_db!(db, c => sqlx::query(
        "INSERT INTO quorum_rules (organisation_id, meeting_kind, min_present, min_disciplines, psychiatrist_required)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organisation_id, meeting_kind) DO UPDATE SET min_present = excluded.min_present,
             min_disciplines = excluded.min_disciplines, psychiatrist_required = excluded.psychiatrist_required",
    )
    .bind(organisation_id)
    .bind(kind.code())
    .bind(i64::from(rule.min_present))
    .bind(i64::from(rule.min_disciplines))
    .bind(rule.psychiatrist_required)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Moves a case to another meeting (postponement) and takes it off this meeting's agenda.
pub async fn move_case(
    tx: &mut Tx,
    case_id: CaseId,
    from: MeetingId,
    to: MeetingId,
) -> sqlx::Result<bool> {
    let moved = on_db!(&mut *tx, c => sqlx::query(
        "UPDATE cases SET meeting_id = $1, updated_at = $2 WHERE id = $3 AND meeting_id = $4",
    )
    .bind(to)
    .bind(Instant::now())
    .bind(case_id)
    .bind(from)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    on_db!(&mut *tx, c => sqlx::query("DELETE FROM agenda_items WHERE case_id = $1 AND meeting_id = $2")
        .bind(case_id)
        .bind(from)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    bump(tx, from).await?;
    Ok(moved == 1)
}

/// What an avis given in a meeting counts as, recorded on its latest version.
pub async fn record_decision(
    tx: &mut Tx,
    case_id: CaseId,
    version: i64,
    meeting_id: MeetingId,
    decision_kind: &str,
    disciplines: &str,
    quorum_met: bool,
) -> sqlx::Result<()> {
    on_db!(&mut *tx, c => sqlx::query(
        "UPDATE advice SET meeting_id = $1, decision_kind = $2, disciplines = $3, quorum_met = $4
         WHERE case_id = $5 AND version = $6",
    )
    .bind(meeting_id)
    .bind(decision_kind)
    .bind(disciplines)
    .bind(quorum_met)
    .bind(case_id)
    .bind(version)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    bump(tx, meeting_id).await
}

/// The avis given in a meeting, for its records: the latest signed version per case.
#[derive(Clone, Debug, FromRow)]
pub struct DecisionRow {
    /// The case.
    pub case_id: CaseId,
    /// Version.
    pub version: i64,
    /// `AdviceContent` JSON.
    pub content: String,
    /// `DecisionKind` code.
    pub decision_kind: Option<String>,
    /// Discipline codes, comma-separated.
    pub disciplines: Option<String>,
    /// Quorum met when signed.
    pub quorum_met: Option<bool>,
    /// Signed.
    pub signed_at: Option<Instant>,
    /// Who signed.
    pub signed_by_name: Option<String>,
    /// Who recorded it.
    pub written_by_name: String,
}

/// The latest avis of each case discussed in a meeting.
pub async fn decisions<'e>(
    db: impl Into<Exec<'e>>,
    meeting_id: MeetingId,
) -> sqlx::Result<Vec<DecisionRow>> {
    on_db!(db, c => sqlx::query_as::<_, DecisionRow>(
        "SELECT a.case_id, CAST(a.version AS BIGINT) AS version, a.content, a.decision_kind, a.disciplines,
                a.quorum_met, a.signed_at, s.display_name AS signed_by_name, w.display_name AS written_by_name
         FROM advice a JOIN users w ON w.id = a.written_by LEFT JOIN users s ON s.id = a.signed_by
         WHERE a.meeting_id = $1
           AND a.version = (SELECT MAX(b.version) FROM advice b WHERE b.case_id = a.case_id)
         ORDER BY a.case_id",
    )
    .bind(meeting_id)
    .fetch_all(&mut *c).await)
}

/// A presenter's slot as last sent.
#[derive(Clone, Debug, FromRow)]
pub struct SlotRow {
    /// The meeting.
    pub meeting_id: MeetingId,
    /// The agenda item.
    pub item_id: AgendaItemId,
    /// The slot's own UID.
    pub slot_uid: String,
    /// Its SEQUENCE.
    pub slot_sequence: i64,
    /// Local start, as last sent.
    pub start_local: WallClock,
    /// Minutes, as last sent.
    pub minutes: i64,
    /// Year of the case code.
    pub code_year: i32,
    /// Number of the case code.
    pub code_number: i32,
}

/// The slots of the cases `user_id` presents, in published agendas of meetings not cancelled,
/// for their calendar feed.
pub async fn slots_of<'e>(db: impl Into<Exec<'e>>, user_id: UserId) -> sqlx::Result<Vec<SlotRow>> {
    on_db!(db, c => sqlx::query_as::<_, SlotRow>(
        "SELECT ai.meeting_id, ai.id AS item_id, ai.slot_uid, CAST(ai.slot_sequence AS BIGINT) AS slot_sequence,
                ai.sent_start_local AS start_local, CAST(ai.sent_minutes AS BIGINT) AS minutes,
                c.code_year, c.code_number
         FROM agenda_items ai
         JOIN cases c ON c.id = ai.case_id AND c.meeting_id = ai.meeting_id AND c.status = 'submitted'
         JOIN meetings m ON m.id = ai.meeting_id
         WHERE c.author_id = $1 AND m.agenda_published_at IS NOT NULL AND NOT m.cancelled
           AND ai.sent_start_local IS NOT NULL AND ai.slot_uid IS NOT NULL
         ORDER BY m.start_utc",
    )
    .bind(user_id)
    .fetch_all(&mut *c).await)
}
