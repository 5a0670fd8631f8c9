//! Stays in video rooms: who joined a meeting's room, when, and when they left.

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
