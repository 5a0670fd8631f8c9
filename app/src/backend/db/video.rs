//! Video rooms: each stay (who joined a meeting's room, when, and when they left), and the
//! one-time guest links.

use sqlx::FromRow;

use super::{on_db, Exec, Instant};
use crate::domain::ids::{MeetingId, UserId};

/// One stay in a room.
#[derive(Clone, Debug, FromRow)]
pub struct StayRow {
    /// The person.
    pub user_id: UserId,
    /// Joined at.
    pub joined_at: Instant,
    /// Left at (none while they are in).
    pub left_at: Option<Instant>,
}

/// Records that `user` entered `meeting`'s room now; returns the stay's id.
pub async fn joined<'e>(
    db: impl Into<Exec<'e>>,
    meeting: MeetingId,
    user: UserId,
) -> sqlx::Result<i64> {
    on_db!(db, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO room_presence (meeting_id, user_id, joined_at) VALUES ($1, $2, $3)
         RETURNING CAST(id AS BIGINT)",
    )
    .bind(meeting)
    .bind(user)
    .bind(Instant::now())
    .fetch_one(&mut *c).await)
}

/// Records that the stay `id` ended now.
pub async fn left<'e>(db: impl Into<Exec<'e>>, id: i64) -> sqlx::Result<()> {
    on_db!(db, c => sqlx::query("UPDATE room_presence SET left_at = $1 WHERE id = $2 AND left_at IS NULL")
        .bind(Instant::now())
        .bind(id)
        .execute(&mut *c).await.map(|_| ()))
}

/// Every stay in a meeting's room, in order of arrival.
pub async fn stays<'e>(db: impl Into<Exec<'e>>, meeting: MeetingId) -> sqlx::Result<Vec<StayRow>> {
    on_db!(db, c => sqlx::query_as::<_, StayRow>(
        "SELECT user_id, joined_at, left_at FROM room_presence WHERE meeting_id = $1 ORDER BY joined_at, id",
    )
    .bind(meeting)
    .fetch_all(&mut *c).await)
}

/// A guest link.
#[derive(Clone, Debug, FromRow)]
pub struct GuestRow {
    /// Its id.
    pub id: i64,
    /// The meeting it opens.
    pub meeting_id: MeetingId,
    /// Who created it.
    pub created_by: UserId,
    /// When.
    pub created_at: Instant,
    /// When a browser first opened it (none: not used yet).
    pub claimed_at: Option<Instant>,
    /// Hash of the secret that browser holds.
    pub claim_hash: Option<String>,
    /// When it was withdrawn.
    pub revoked_at: Option<Instant>,
}

const GUEST_COLUMNS: &str =
    "CAST(id AS BIGINT) AS id, meeting_id, created_by, created_at, claimed_at, claim_hash, revoked_at";

/// Stores a new guest link for `meeting` (its token's hash); returns its id.
pub async fn create_guest<'e>(
    db: impl Into<Exec<'e>>,
    meeting: MeetingId,
    token_hash: &str,
    created_by: UserId,
) -> sqlx::Result<i64> {
    on_db!(db, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO room_guests (meeting_id, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4)
         RETURNING CAST(id AS BIGINT)",
    )
    .bind(meeting)
    .bind(token_hash)
    .bind(created_by)
    .bind(Instant::now())
    .fetch_one(&mut *c).await)
}

/// The guest link whose token hashes to `token_hash`.
pub async fn guest_by_token<'e>(
    db: impl Into<Exec<'e>>,
    token_hash: &str,
) -> sqlx::Result<Option<GuestRow>> {
    let sql = format!("SELECT {GUEST_COLUMNS} FROM room_guests WHERE token_hash = $1");
    on_db!(db, c => sqlx::query_as::<_, GuestRow>(&sql)
        .bind(token_hash)
        .fetch_optional(&mut *c).await)
}

/// The guest link claimed by the browser holding the secret that hashes to `claim_hash`.
pub async fn guest_by_claim<'e>(
    db: impl Into<Exec<'e>>,
    claim_hash: &str,
) -> sqlx::Result<Option<GuestRow>> {
    let sql = format!("SELECT {GUEST_COLUMNS} FROM room_guests WHERE claim_hash = $1");
    on_db!(db, c => sqlx::query_as::<_, GuestRow>(&sql)
        .bind(claim_hash)
        .fetch_optional(&mut *c).await)
}

/// Gives the unused link `id` to the browser holding `claim_hash`'s secret; false when another
/// browser claimed it first.
pub async fn claim_guest<'e>(
    db: impl Into<Exec<'e>>,
    id: i64,
    claim_hash: &str,
) -> sqlx::Result<bool> {
    on_db!(db, c => sqlx::query(
        "UPDATE room_guests SET claim_hash = $1, claimed_at = $2 WHERE id = $3 AND claim_hash IS NULL",
    )
    .bind(claim_hash)
    .bind(Instant::now())
    .bind(id)
    .execute(&mut *c).await.map(|done| done.rows_affected() == 1))
}

/// The guest links of a meeting, newest first.
pub async fn guests<'e>(
    db: impl Into<Exec<'e>>,
    meeting: MeetingId,
) -> sqlx::Result<Vec<GuestRow>> {
    let sql = format!(
        "SELECT {GUEST_COLUMNS} FROM room_guests WHERE meeting_id = $1 ORDER BY created_at DESC, id DESC"
    );
    on_db!(db, c => sqlx::query_as::<_, GuestRow>(&sql)
        .bind(meeting)
        .fetch_all(&mut *c).await)
}

/// Withdraws the guest link `id` of `meeting`; false when there is none to withdraw.
pub async fn revoke_guest<'e>(
    db: impl Into<Exec<'e>>,
    meeting: MeetingId,
    id: i64,
) -> sqlx::Result<bool> {
    on_db!(db, c => sqlx::query(
        "UPDATE room_guests SET revoked_at = $1 WHERE id = $2 AND meeting_id = $3 AND revoked_at IS NULL",
    )
    .bind(Instant::now())
    .bind(id)
    .bind(meeting)
    .execute(&mut *c).await.map(|done| done.rows_affected() == 1))
}
