//! Server-side sessions and sign-in throttling.

use chrono::{DateTime, Duration, Utc};
use sqlx::SqlitePool;

use super::{now, parse_ts, ts};
use crate::backend::security::{random_token, token_hash};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::hours(4);
/// A session ends this long after sign-in, whatever happens.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// Failed sign-ins allowed per e-mail within [`THROTTLE_WINDOW`].
pub const MAX_FAILURES: i64 = 5;
/// The window over which failures count.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);

/// Creates a session and returns the cookie value (a fresh random id at every sign-in).
pub async fn create(
    pool: &SqlitePool,
    user_id: i64,
    organisation_id: Option<i64>,
) -> sqlx::Result<String> {
    let token = random_token();
    let created = Utc::now();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, organisation_id, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(organisation_id)
    .bind(ts(created))
    .bind(ts(created + ABSOLUTE_TIMEOUT))
    .execute(pool)
    .await?;
    Ok(token)
}

/// A live session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// Who signed in.
    pub user_id: i64,
    /// The organisation they act for.
    pub organisation_id: Option<i64>,
    /// When the session ends unless used again (the earlier of both expiries).
    pub valid_until: DateTime<Utc>,
}

/// Resolves a cookie value to its live session, enforcing both expiries; refreshes the idle
/// clock at most once a minute to keep reads cheap.
pub async fn resolve(pool: &SqlitePool, token: &str) -> sqlx::Result<Option<Resolved>> {
    let hash = token_hash(token);
    let row: Option<(i64, Option<i64>, String, String)> = sqlx::query_as(
        "SELECT user_id, organisation_id, last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(pool)
    .await?;
    let Some((user_id, organisation_id, last_seen_at, expires_at)) = row else {
        return Ok(None);
    };
    let now_instant = Utc::now();
    let mut last_seen = parse_ts(&last_seen_at);
    let expires = parse_ts(&expires_at);
    if expires <= now_instant || last_seen + IDLE_TIMEOUT <= now_instant {
        delete(pool, token).await?;
        return Ok(None);
    }
    if now_instant - last_seen > Duration::minutes(1) {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(ts(now_instant))
            .bind(&hash)
            .execute(pool)
            .await?;
        last_seen = now_instant;
    }
    Ok(Some(Resolved {
        user_id,
        organisation_id,
        valid_until: expires.min(last_seen + IDLE_TIMEOUT),
    }))
}

/// Ends a session.
pub async fn delete(pool: &SqlitePool, token: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(token_hash(token))
        .execute(pool)
        .await?;
    Ok(())
}

/// Changes the session's current organisation.
pub async fn set_organisation(
    pool: &SqlitePool,
    token: &str,
    organisation_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET organisation_id = $1 WHERE id_hash = $2")
        .bind(organisation_id)
        .bind(token_hash(token))
        .execute(pool)
        .await?;
    Ok(())
}

/// Records a failed sign-in for an e-mail.
pub async fn record_failure(pool: &SqlitePool, email: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO login_failures (email, failed_at) VALUES ($1, $2)")
        .bind(email)
        .bind(now())
        .execute(pool)
        .await?;
    Ok(())
}

/// Whether an e-mail is locked out by recent failures.
pub async fn is_throttled(pool: &SqlitePool, email: &str) -> sqlx::Result<bool> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE email = $1 AND failed_at > $2")
            .bind(email)
            .bind(ts(Utc::now() - THROTTLE_WINDOW))
            .fetch_one(pool)
            .await?;
    Ok(count >= MAX_FAILURES)
}

/// Forgets failures after a successful sign-in.
pub async fn clear_failures(pool: &SqlitePool, email: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1")
        .bind(email)
        .execute(pool)
        .await?;
    Ok(())
}
