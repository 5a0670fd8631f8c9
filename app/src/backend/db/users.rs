//! Accounts, organisations, memberships, one-time password links and calendar tokens.

use chrono::{Duration, Utc};
use sqlx::{FromRow, SqlitePool};

use super::{now, parse_ts, ts};
use crate::api::session::{Membership, Viewer};
use crate::backend::security::{random_token, token_hash};
use crate::domain::role::Role;

/// A user as stored.
#[derive(Clone, Debug, FromRow)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// E-mail, lowercase.
    pub email: String,
    /// Name shown.
    pub display_name: String,
    /// argon2 hash, None until the invitee sets a password.
    pub password_hash: Option<String>,
    /// Administrator.
    pub is_admin: bool,
    /// Calendar subscription token.
    pub calendar_token: Option<String>,
}

/// A member of an organisation, for lists and pickers.
#[derive(Clone, Debug, FromRow)]
pub struct MemberRow {
    /// User id.
    pub user_id: i64,
    /// Name.
    pub display_name: String,
    /// E-mail.
    pub email: String,
    /// Role code.
    pub role: String,
    /// Whether the account is active (password set).
    pub active: bool,
}

/// Normalises an e-mail for storage and lookup.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Looks a user up by e-mail.
pub async fn by_email(pool: &SqlitePool, email: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as::<_, UserRow>(
        "SELECT id, email, display_name, password_hash, is_admin, calendar_token FROM users WHERE email = $1",
    )
    .bind(normalise_email(email))
    .fetch_optional(pool)
    .await
}

/// Looks a user up by id.
pub async fn by_id(pool: &SqlitePool, user_id: i64) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as::<_, UserRow>(
        "SELECT id, email, display_name, password_hash, is_admin, calendar_token FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await
}

/// Looks a user up by calendar subscription token.
pub async fn by_calendar_token(pool: &SqlitePool, token: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as::<_, UserRow>(
        "SELECT id, email, display_name, password_hash, is_admin, calendar_token FROM users WHERE calendar_token = $1",
    )
    .bind(token)
    .fetch_optional(pool)
    .await
}

/// Creates an account without password (the person sets it through a one-time link).
pub async fn create(
    pool: &SqlitePool,
    email: &str,
    display_name: &str,
    is_admin: bool,
) -> sqlx::Result<i64> {
    let row: (i64,) = sqlx::query_as(
        "INSERT INTO users (email, display_name, is_admin, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(normalise_email(email))
    .bind(display_name.trim())
    .bind(is_admin)
    .bind(now())
    .fetch_one(pool)
    .await?;
    Ok(row.0)
}

/// Stores a new password hash.
pub async fn set_password_hash(pool: &SqlitePool, user_id: i64, hash: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Creates an organisation.
pub async fn create_organisation(pool: &SqlitePool, name: &str) -> sqlx::Result<i64> {
    let row: (i64,) =
        sqlx::query_as("INSERT INTO organisations (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name.trim())
            .bind(now())
            .fetch_one(pool)
            .await?;
    Ok(row.0)
}

/// Every organisation, by name.
pub async fn organisations(pool: &SqlitePool) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM organisations ORDER BY name")
        .fetch_all(pool)
        .await
}

/// Adds (or changes) a membership.
pub async fn add_membership(
    pool: &SqlitePool,
    user_id: i64,
    organisation_id: i64,
    role: Role,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO memberships (user_id, organisation_id, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, organisation_id) DO UPDATE SET role = excluded.role",
    )
    .bind(user_id)
    .bind(organisation_id)
    .bind(role.code())
    .bind(now())
    .execute(pool)
    .await?;
    Ok(())
}

/// A user's memberships, by organisation name.
pub async fn memberships(pool: &SqlitePool, user_id: i64) -> sqlx::Result<Vec<Membership>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT o.id, o.name, m.role FROM memberships m JOIN organisations o ON o.id = m.organisation_id
         WHERE m.user_id = $1 ORDER BY o.name",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(organisation_id, organisation_name, role)| {
            Role::from_code(&role).map(|role| Membership {
                organisation_id,
                organisation_name,
                role,
            })
        })
        .collect())
}

/// The organisation a person acts for after signing in: their first membership.
pub async fn default_organisation(pool: &SqlitePool, user_id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT organisation_id FROM memberships WHERE user_id = $1 ORDER BY created_at, organisation_id LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await
}

/// Builds the viewer of a session: the user, their memberships and the current one (the
/// session's choice if still a member, else the first).
pub async fn viewer(
    pool: &SqlitePool,
    user_id: i64,
    current_org: Option<i64>,
) -> sqlx::Result<Option<Viewer>> {
    let Some(user) = by_id(pool, user_id).await? else {
        return Ok(None);
    };
    let memberships = memberships(pool, user_id).await?;
    let current = current_org
        .and_then(|id| memberships.iter().find(|m| m.organisation_id == id))
        .or(memberships.first())
        .cloned();
    Ok(Some(Viewer {
        user_id: user.id,
        display_name: user.display_name,
        email: user.email,
        is_admin: user.is_admin,
        current,
        memberships,
    }))
}

/// Members of an organisation, by name.
pub async fn members(pool: &SqlitePool, organisation_id: i64) -> sqlx::Result<Vec<MemberRow>> {
    sqlx::query_as::<_, MemberRow>(
        "SELECT u.id AS user_id, u.display_name, u.email, m.role, (u.password_hash IS NOT NULL) AS active
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.organisation_id = $1 ORDER BY u.display_name",
    )
    .bind(organisation_id)
    .fetch_all(pool)
    .await
}

/// Issues a one-time link token valid for `valid_for`; only its hash is stored.
pub async fn create_password_token(
    pool: &SqlitePool,
    user_id: i64,
    valid_for: Duration,
) -> sqlx::Result<String> {
    let token = random_token();
    sqlx::query(
        "INSERT INTO password_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(ts(Utc::now() + valid_for))
    .execute(pool)
    .await?;
    Ok(token)
}

/// Whether a one-time token is usable; returns its user.
pub async fn password_token_user(pool: &SqlitePool, token: &str) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT user_id, expires_at, used_at FROM password_tokens WHERE token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|(user_id, expires_at, used_at)| {
        (used_at.is_none() && parse_ts(&expires_at) > Utc::now()).then_some(user_id)
    }))
}

/// Uses a one-time token: sets the password and burns the token, atomically.
pub async fn consume_password_token(
    pool: &SqlitePool,
    token: &str,
    password_hash: &str,
) -> sqlx::Result<Option<i64>> {
    let mut tx = pool.begin().await?;
    let used = sqlx::query_as::<_, (i64,)>(
        "UPDATE password_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
         RETURNING user_id",
    )
    .bind(now())
    .bind(token_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id,)) = used else {
        return Ok(None);
    };
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(user_id))
}

/// Replaces (or revokes, with None) the calendar subscription token.
pub async fn set_calendar_token(
    pool: &SqlitePool,
    user_id: i64,
    token: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET calendar_token = $1 WHERE id = $2")
        .bind(token)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}
