//! Cases, their thread, the avis (versioned) and the audit log.
//!
//! A case's content and scale answers are JSON documents (`CaseContent`, `ScaleAnswers`)
//! replaced whole at each save; `version` grows by one at each save and every write names the
//! version it started from, so two tabs never silently overwrite each other.

use chrono::{Datelike, Utc};
use sqlx::FromRow;

use super::{on_db, Db, Exec, Instant, Tx};
use crate::domain::cases::form::{CaseSummary, ScaleAnswers};
use crate::domain::cases::{CaseContent, CaseStatus, RequestStatus};
use crate::domain::ids::{CaseId, MeetingId, OrgId, UserId};

const CASE_COLUMNS: &str = "c.id, c.organisation_id, c.code_year, c.code_number, c.patient_code, c.author_id, \
    a.display_name AS author_name, c.meeting_id, m.title AS meeting_title, m.submission_deadline, \
    c.status, c.request_status, c.taken_by, t.display_name AS taken_by_name, c.taken_at, c.content, c.scales, \
    c.version, c.created_at, c.updated_at, c.submitted_at, c.answered_at";

const CASE_FROM: &str = "FROM cases c JOIN users a ON a.id = c.author_id \
    LEFT JOIN users t ON t.id = c.taken_by LEFT JOIN meetings m ON m.id = c.meeting_id";

/// A case as stored.
#[derive(Clone, Debug, FromRow)]
pub struct CaseRow {
    /// Id.
    pub id: CaseId,
    /// Organisation.
    pub organisation_id: OrgId,
    /// Year of the code.
    pub code_year: i32,
    /// Number of the code within the organisation and year.
    pub code_number: i32,
    /// Code of the patient's first case.
    pub patient_code: String,
    /// Who wrote it.
    pub author_id: UserId,
    /// Their name.
    pub author_name: String,
    /// The staff/RCP it is brought to (none: a written advice request).
    pub meeting_id: Option<MeetingId>,
    /// That meeting's title.
    pub meeting_title: Option<String>,
    /// That meeting's submission deadline (local time).
    pub submission_deadline: Option<super::WallClock>,
    /// Draft, submitted, withdrawn.
    pub status: CaseStatus,
    /// For a submitted written request: pending, taken, answered.
    pub request_status: Option<RequestStatus>,
    /// The psychiatrist who took the request.
    pub taken_by: Option<UserId>,
    /// Their name.
    pub taken_by_name: Option<String>,
    /// When they took it.
    pub taken_at: Option<Instant>,
    /// `CaseContent` as JSON.
    pub content: String,
    /// Scale answers as JSON.
    pub scales: String,
    /// Grows at each save.
    pub version: i64,
    /// Created.
    pub created_at: Instant,
    /// Last saved.
    pub updated_at: Instant,
    /// Submitted.
    pub submitted_at: Option<Instant>,
    /// Answered (signed avis).
    pub answered_at: Option<Instant>,
}

/// What a save writes: the content and scale answers as JSON, and the summary lists show.
#[derive(Clone, Debug)]
pub struct CaseBody {
    content: String,
    scales: String,
    summary: CaseSummary,
}

impl CaseBody {
    /// The stored form of a case's content and scale answers.
    pub fn new(content: &CaseContent, scales: &[ScaleAnswers]) -> CaseBody {
        CaseBody {
            content: serde_json::to_string(content).expect("serialisable"),
            scales: serde_json::to_string(scales).expect("serialisable"),
            summary: CaseSummary::of(content, scales),
        }
    }
}

/// One line of a list of cases: what lists show, without the clinical content.
#[derive(Clone, Debug, FromRow)]
pub struct CaseLineRow {
    /// Id.
    pub id: CaseId,
    /// Year of the code.
    pub code_year: i32,
    /// Number of the code.
    pub code_number: i32,
    /// Author's name.
    pub author_name: String,
    /// The meeting's title (none: a written request).
    pub meeting_title: Option<String>,
    /// Draft, submitted, withdrawn.
    pub status: CaseStatus,
    /// For a written request: pending, taken, answered.
    pub request_status: Option<RequestStatus>,
    /// Who took it.
    pub taken_by_name: Option<String>,
    /// Last saved.
    pub updated_at: Instant,
    /// Submitted.
    pub submitted_at: Option<Instant>,
    /// Question type codes, comma-separated.
    pub question_types: String,
    /// Missing items.
    pub missing_count: i64,
    /// No required item missing.
    pub ready: bool,
    /// PHQ-9 item 9 above 0.
    pub suicidal: bool,
}

/// Which cases a list shows.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// The cases one person wrote.
    AuthoredBy(UserId),
    /// Every case of the organisation except other people's drafts.
    Organisation,
}

/// A new case: the next code of the organisation and year, in a write transaction.
pub async fn create(
    tx: &mut Tx,
    organisation_id: OrgId,
    author_id: UserId,
    meeting_id: Option<MeetingId>,
    patient_code: Option<&str>,
    body: &CaseBody,
) -> sqlx::Result<(CaseId, String)> {
    let now = Utc::now();
    let year = now.with_timezone(&chrono_tz::Europe::Paris).year();
    let (next,): (i64,) = on_db!(&mut *tx, c => sqlx::query_as(
        "SELECT CAST(COALESCE(MAX(code_number), 0) + 1 AS BIGINT) FROM cases WHERE organisation_id = $1 AND code_year = $2",
    )
    .bind(organisation_id)
    .bind(year)
    .fetch_one(&mut *c).await)?;
    let code = crate::domain::cases::CaseCode::new(year, next as u32).to_string();
    let patient_code = patient_code
        .map(str::to_string)
        .unwrap_or_else(|| code.clone());
    let (id,): (CaseId,) = on_db!(&mut *tx, c => sqlx::query_as(
        "INSERT INTO cases (organisation_id, code_year, code_number, patient_code, author_id, meeting_id,
                            content, scales, question_types, missing_count, ready, suicidal, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(organisation_id)
    .bind(year)
    .bind(next as i32)
    .bind(&patient_code)
    .bind(author_id)
    .bind(meeting_id)
    .bind(&body.content)
    .bind(&body.scales)
    .bind(body.summary.question_codes())
    .bind(body.summary.missing_count as i32)
    .bind(body.summary.ready)
    .bind(body.summary.suicidal_thoughts)
    .bind(Instant(now))
    .fetch_one(&mut *c).await)?;
    Ok((id, code))
}

/// One case.
pub async fn get<'e>(db: impl Into<Exec<'e>>, id: CaseId) -> sqlx::Result<Option<CaseRow>> {
    let sql = format!("SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.id = $1");
    on_db!(db, c => sqlx::query_as::<_, CaseRow>(&sql).bind(id).fetch_optional(&mut *c).await)
}

/// The case of an organisation with this code.
pub async fn by_code<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
    code: crate::domain::cases::CaseCode,
) -> sqlx::Result<Option<CaseRow>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} {CASE_FROM}
         WHERE c.organisation_id = $1 AND c.code_year = $2 AND c.code_number = $3"
    );
    on_db!(db, c => sqlx::query_as::<_, CaseRow>(&sql)
        .bind(organisation_id)
        .bind(code.year)
        .bind(code.number as i32)
        .fetch_optional(&mut *c).await)
}

/// Cases of an organisation, most recently changed first.
pub async fn list(
    db: &Db,
    organisation_id: OrgId,
    scope: Scope,
    limit: i64,
) -> sqlx::Result<Vec<CaseLineRow>> {
    // One query text per scope, so that each walks its index in order and stops at `limit`.
    let (filter, author) = match scope {
        Scope::AuthoredBy(user) => ("c.author_id = $2", Some(user)),
        Scope::Organisation => ("c.status <> 'draft' AND $2 IS NULL", None),
    };
    let sql = format!(
        "SELECT c.id, c.code_year, c.code_number, a.display_name AS author_name, m.title AS meeting_title,
                c.status, c.request_status, t.display_name AS taken_by_name, c.updated_at, c.submitted_at,
                c.question_types, CAST(c.missing_count AS BIGINT) AS missing_count, c.ready, c.suicidal
         {CASE_FROM}
         WHERE c.organisation_id = $1 AND {filter}
         ORDER BY c.updated_at DESC LIMIT $3"
    );
    on_db!(db, c => sqlx::query_as::<_, CaseLineRow>(&sql)
        .bind(organisation_id)
        .bind(author)
        .bind(limit)
        .fetch_all(&mut *c).await)
}

/// The submitted cases of one patient (same patient code) created before `before`, oldest
/// first: the earlier discussions whose scales show a trend.
pub async fn earlier_of_patient<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
    patient_code: &str,
    before: CaseId,
) -> sqlx::Result<Vec<CaseRow>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} {CASE_FROM}
         WHERE c.organisation_id = $1 AND c.patient_code = $2 AND c.id < $3 AND c.status <> 'draft'
         ORDER BY c.id"
    );
    on_db!(db, c => sqlx::query_as::<_, CaseRow>(&sql)
        .bind(organisation_id)
        .bind(patient_code)
        .bind(before)
        .fetch_all(&mut *c).await)
}

/// Saves a draft if it is still at `version`; returns the new version, or `None` when the draft
/// changed meanwhile (or is no longer a draft).
pub async fn save<'e>(
    db: impl Into<Exec<'e>>,
    id: CaseId,
    version: i64,
    meeting_id: Option<MeetingId>,
    body: &CaseBody,
) -> sqlx::Result<Option<i64>> {
    on_db!(db, c => sqlx::query_scalar::<_, i64>(
        "UPDATE cases SET content = $1, scales = $2, meeting_id = $3, version = version + 1, updated_at = $4,
                question_types = $7, missing_count = $8, ready = $9, suicidal = $10
         WHERE id = $5 AND version = $6 AND status = 'draft' RETURNING version",
    )
    .bind(&body.content)
    .bind(&body.scales)
    .bind(meeting_id)
    .bind(Instant::now())
    .bind(id)
    .bind(version)
    .bind(body.summary.question_codes())
    .bind(body.summary.missing_count as i32)
    .bind(body.summary.ready)
    .bind(body.summary.suicidal_thoughts)
    .fetch_optional(&mut *c).await)
}

/// Submits a draft at `version` (a written request becomes pending); `None` if it changed.
pub async fn submit<'e>(
    db: impl Into<Exec<'e>>,
    id: CaseId,
    version: i64,
) -> sqlx::Result<Option<i64>> {
    on_db!(db, c => sqlx::query_scalar::<_, i64>(
        "UPDATE cases SET status = 'submitted', submitted_at = $1, updated_at = $1, version = version + 1,
                request_status = CASE WHEN meeting_id IS NULL THEN 'pending' ELSE NULL END
         WHERE id = $2 AND version = $3 AND status = 'draft' RETURNING version",
    )
    .bind(Instant::now())
    .bind(id)
    .bind(version)
    .fetch_optional(&mut *c).await)
}

/// Withdraws a submitted case that nobody answered; false if it was not in that state.
pub async fn withdraw<'e>(db: impl Into<Exec<'e>>, id: CaseId) -> sqlx::Result<bool> {
    let done = on_db!(db, c => sqlx::query(
        "UPDATE cases SET status = 'withdrawn', updated_at = $1, version = version + 1
         WHERE id = $2 AND status = 'submitted' AND (request_status IS NULL OR request_status <> 'answered')",
    )
    .bind(Instant::now())
    .bind(id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(done == 1)
}

/// A psychiatrist takes a pending request ("je prends"); false if someone else did first.
pub async fn take<'e>(db: impl Into<Exec<'e>>, id: CaseId, by: UserId) -> sqlx::Result<bool> {
    let done = on_db!(db, c => sqlx::query(
        "UPDATE cases SET request_status = 'taken', taken_by = $1, taken_at = $2, updated_at = $2
         WHERE id = $3 AND status = 'submitted' AND request_status = 'pending'",
    )
    .bind(by)
    .bind(Instant::now())
    .bind(id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(done == 1)
}

/// A message of a case's thread.
#[derive(Clone, Debug, FromRow)]
pub struct MessageRow {
    /// Author.
    pub author_id: UserId,
    /// Their name.
    pub author_name: String,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: Instant,
}

/// Adds a message to a case's thread.
pub async fn add_message<'e>(
    db: impl Into<Exec<'e>>,
    case_id: CaseId,
    author_id: UserId,
    body: &str,
) -> sqlx::Result<()> {
    on_db!(db, c => sqlx::query(
        "INSERT INTO case_messages (case_id, author_id, body, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(case_id)
    .bind(author_id)
    .bind(body)
    .bind(Instant::now())
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// A case's thread, oldest first.
pub async fn messages<'e>(
    db: impl Into<Exec<'e>>,
    case_id: CaseId,
) -> sqlx::Result<Vec<MessageRow>> {
    on_db!(db, c => sqlx::query_as::<_, MessageRow>(
        "SELECT cm.author_id, u.display_name AS author_name, cm.body, cm.created_at
         FROM case_messages cm JOIN users u ON u.id = cm.author_id
         WHERE cm.case_id = $1 ORDER BY cm.id",
    )
    .bind(case_id)
    .fetch_all(&mut *c).await)
}

/// One version of an avis.
#[derive(Clone, Debug, FromRow)]
pub struct AdviceRow {
    /// Version (1, 2…).
    pub version: i64,
    /// Who typed it.
    pub written_by: UserId,
    /// Their name.
    pub written_by_name: String,
    /// Who signed it (a psychiatrist); none for a draft.
    pub signed_by: Option<UserId>,
    /// Their name.
    pub signed_by_name: Option<String>,
    /// `AdviceContent` as JSON.
    pub content: String,
    /// "Patient informé et consentant" (télé-expertise).
    pub patient_informed: bool,
    /// Created.
    pub created_at: Instant,
    /// Signed (final).
    pub signed_at: Option<Instant>,
}

/// Every version of a case's avis, newest first.
pub async fn advice<'e>(db: impl Into<Exec<'e>>, case_id: CaseId) -> sqlx::Result<Vec<AdviceRow>> {
    on_db!(db, c => sqlx::query_as::<_, AdviceRow>(
        "SELECT a.version, a.written_by, w.display_name AS written_by_name, a.signed_by,
                s.display_name AS signed_by_name, a.content, a.patient_informed, a.created_at, a.signed_at
         FROM advice a JOIN users w ON w.id = a.written_by LEFT JOIN users s ON s.id = a.signed_by
         WHERE a.case_id = $1 ORDER BY a.version DESC",
    )
    .bind(case_id)
    .fetch_all(&mut *c).await)
}

/// Records a signed avis as the next version of the case's avis, and marks a written request
/// answered. Returns the new version.
pub async fn sign_advice(
    tx: &mut Tx,
    case_id: CaseId,
    written_by: UserId,
    signed_by: UserId,
    content: &str,
    patient_informed: bool,
) -> sqlx::Result<i64> {
    let now = Instant::now();
    let (version,): (i64,) = on_db!(&mut *tx, c => sqlx::query_as(
        "INSERT INTO advice (case_id, version, written_by, signed_by, content, patient_informed, created_at, signed_at)
         SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6, $6 FROM advice WHERE case_id = $1
         RETURNING version",
    )
    .bind(case_id)
    .bind(written_by)
    .bind(signed_by)
    .bind(content)
    .bind(patient_informed)
    .bind(now)
    .fetch_one(&mut *c).await)?;
    on_db!(&mut *tx, c => sqlx::query(
        "UPDATE cases SET request_status = CASE WHEN meeting_id IS NULL THEN 'answered' ELSE request_status END,
                answered_at = COALESCE(answered_at, $1), updated_at = $1
         WHERE id = $2",
    )
    .bind(now)
    .bind(case_id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(version)
}

/// How many written requests for this patient code a doctor answered (first signed version) in
/// the calendar year of `now`, not counting `except` (the case being answered).
pub async fn tele_expertise_count<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
    patient_code: &str,
    doctor: UserId,
    except: CaseId,
) -> sqlx::Result<i64> {
    let year = Utc::now().with_timezone(&chrono_tz::Europe::Paris).year();
    let from = chrono::NaiveDate::from_ymd_opt(year, 1, 1)
        .expect("valid")
        .and_hms_opt(0, 0, 0)
        .expect("valid")
        .and_utc();
    on_db!(db, c => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM advice a JOIN cases c ON c.id = a.case_id
         WHERE c.organisation_id = $1 AND c.patient_code = $2 AND c.meeting_id IS NULL AND a.version = 1
           AND a.signed_by = $3 AND a.signed_at >= $4 AND c.id <> $5",
    )
    .bind(organisation_id)
    .bind(patient_code)
    .bind(doctor)
    .bind(Instant(from))
    .bind(except)
    .fetch_one(&mut *c).await)
}

/// The organisation's settings for written requests: (days before a request is overdue,
/// yearly télé-expertise limit).
pub async fn settings<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
) -> sqlx::Result<(i64, i64)> {
    on_db!(db, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT CAST(advice_answer_days AS BIGINT), CAST(tele_expertise_yearly_limit AS BIGINT)
         FROM organisations WHERE id = $1",
    )
    .bind(organisation_id)
    .fetch_one(&mut *c).await)
}

/// Changes the organisation's settings for written requests.
pub async fn set_settings<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
    answer_days: i64,
    yearly_limit: i64,
) -> sqlx::Result<()> {
    on_db!(db, c => sqlx::query(
        "UPDATE organisations SET advice_answer_days = $1, tele_expertise_yearly_limit = $2 WHERE id = $3",
    )
    .bind(answer_days as i32)
    .bind(yearly_limit as i32)
    .bind(organisation_id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// One line of the audit log.
#[derive(Clone, Debug, FromRow)]
pub struct AuditRow {
    /// When.
    pub at: Instant,
    /// Who.
    pub user_id: UserId,
    /// Their name.
    pub user_name: Option<String>,
    /// What (a code, e.g. `case.read`).
    pub action: String,
    /// The case.
    pub case_id: Option<CaseId>,
    /// Its code's year.
    pub code_year: Option<i32>,
    /// Its code's number.
    pub code_number: Option<i32>,
    /// From which address.
    pub client_ip: Option<String>,
    /// Details (never clinical content).
    pub detail: String,
}

/// Appends a line to the audit log.
pub async fn audit<'e>(
    db: impl Into<Exec<'e>>,
    user_id: UserId,
    organisation_id: OrgId,
    action: &str,
    case_id: Option<CaseId>,
    client_ip: Option<&str>,
    detail: &str,
) -> sqlx::Result<()> {
    on_db!(db, c => sqlx::query(
        "INSERT INTO audit_log (at, user_id, organisation_id, action, case_id, client_ip, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Instant::now())
    .bind(user_id)
    .bind(organisation_id)
    .bind(action)
    .bind(case_id)
    .bind(client_ip)
    .bind(detail)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Filters of the audit log page.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// One person.
    pub user: Option<UserId>,
    /// One action code.
    pub action: Option<String>,
    /// One case.
    pub case: Option<crate::domain::cases::CaseCode>,
}

/// The audit log of an organisation, newest first, filtered.
pub async fn audit_log(
    db: &Db,
    organisation_id: OrgId,
    filter: &AuditFilter,
    limit: i64,
) -> sqlx::Result<Vec<AuditRow>> {
    on_db!(db, c => sqlx::query_as::<_, AuditRow>(
        "SELECT l.at, l.user_id, u.display_name AS user_name, l.action, l.case_id, c.code_year, c.code_number,
                l.client_ip, l.detail
         FROM audit_log l LEFT JOIN users u ON u.id = l.user_id LEFT JOIN cases c ON c.id = l.case_id
         WHERE l.organisation_id = $1 AND ($2 IS NULL OR l.user_id = $2) AND ($3 IS NULL OR l.action = $3)
           AND ($4 IS NULL OR (c.code_year = $4 AND c.code_number = $5))
         ORDER BY l.id DESC LIMIT $6",
    )
    .bind(organisation_id)
    .bind(filter.user)
    .bind(filter.action.as_deref())
    .bind(filter.case.map(|code| code.year))
    .bind(filter.case.map(|code| code.number as i32))
    .bind(limit)
    .fetch_all(&mut *c).await)
}

/// A staff or RCP that still takes cases.
#[derive(Clone, Debug, FromRow)]
pub struct OpenMeetingRow {
    /// Id.
    pub id: MeetingId,
    /// Title.
    pub title: String,
    /// Local start.
    pub start_local: super::WallClock,
    /// Duration.
    pub duration_minutes: i64,
    /// Case-submission deadline, local.
    pub submission_deadline: super::WallClock,
}

/// The organisation's staffs and RCPs whose case deadline (local time) is after `now_local`.
pub async fn open_meetings<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
    now_local: chrono::NaiveDateTime,
) -> sqlx::Result<Vec<OpenMeetingRow>> {
    on_db!(db, c => sqlx::query_as::<_, OpenMeetingRow>(
        "SELECT id, title, start_local, duration_minutes, submission_deadline FROM meetings
         WHERE organisation_id = $1 AND kind IN ('staff', 'rcp') AND NOT cancelled AND submission_deadline > $2
         ORDER BY start_utc LIMIT 50",
    )
    .bind(organisation_id)
    .bind(super::WallClock(now_local))
    .fetch_all(&mut *c).await)
}

/// A written request still waiting for its avis, not yet flagged as overdue.
#[derive(Clone, Debug, FromRow)]
pub struct WaitingRow {
    /// Case.
    pub id: CaseId,
    /// Organisation.
    pub organisation_id: OrgId,
    /// Code year.
    pub code_year: i32,
    /// Code number.
    pub code_number: i32,
    /// Submitted.
    pub submitted_at: Instant,
    /// The organisation's answer delay, in days.
    pub answer_days: i64,
}

/// Written requests waiting for an avis (pending or taken) that were not flagged yet.
pub async fn waiting_requests<'e>(db: impl Into<Exec<'e>>) -> sqlx::Result<Vec<WaitingRow>> {
    on_db!(db, c => sqlx::query_as::<_, WaitingRow>(
        "SELECT c.id, c.organisation_id, c.code_year, c.code_number, c.submitted_at,
                CAST(o.advice_answer_days AS BIGINT) AS answer_days
         FROM cases c JOIN organisations o ON o.id = c.organisation_id
         WHERE c.status = 'submitted' AND c.request_status IN ('pending', 'taken')
           AND c.overdue_notified_at IS NULL AND c.submitted_at IS NOT NULL",
    )
    .fetch_all(&mut *c).await)
}

/// Marks a request as flagged overdue; false if another process did first.
pub async fn claim_overdue(tx: &mut Tx, id: CaseId) -> sqlx::Result<bool> {
    let done = on_db!(&mut *tx, c => sqlx::query(
        "UPDATE cases SET overdue_notified_at = $1 WHERE id = $2 AND overdue_notified_at IS NULL",
    )
    .bind(Instant::now())
    .bind(id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(done == 1)
}
