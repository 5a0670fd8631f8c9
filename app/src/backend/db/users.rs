//! Accounts, organisations, memberships (active, or pending until their owner accepts),
//! one-time password links and calendar tokens (only hashes of secrets are stored).

use chrono::{Duration, Utc};
use sqlx::FromRow;

use super::types::text_enum;
use super::{on_db, Db, Exec, Instant};
use crate::backend::security::{random_token, token_hash};
use crate::domain::ids::{OrgId, UserId};
use crate::domain::principal::Membership;
use crate::domain::role::Role;

/// A user as stored.
#[derive(Clone, Debug, FromRow)]
pub struct UserRow {
    /// Id.
    pub id: UserId,
    /// E-mail, lowercase.
    pub email: String,
    /// Name shown.
    pub display_name: String,
    /// argon2 hash, None until the invitee sets a password.
    pub password_hash: Option<String>,
    /// Administrator.
    pub is_admin: bool,
    /// Whether a private calendar subscription link is active (only its hash is stored).
    pub has_calendar_token: bool,
}

/// The columns of [`UserRow`].
const USER_COLUMNS: &str = "id, email, display_name, password_hash, is_admin, \
     (calendar_token_hash IS NOT NULL) AS has_calendar_token";

/// A member of an organisation, for lists and pickers.
#[derive(Clone, Debug, FromRow)]
pub struct MemberRow {
    /// User id.
    pub user_id: UserId,
    /// Name.
    pub display_name: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Whether the account is active (password set).
    pub active: bool,
    /// Whether the membership still waits for its owner's consent (no access yet).
    pub pending: bool,
}

/// Whether a membership gives access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipStatus {
    /// Gives access to the organisation.
    Active,
    /// Invited, waiting for the person to accept: no access.
    Pending,
}

impl MembershipStatus {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            MembershipStatus::Active => "active",
            MembershipStatus::Pending => "pending",
        }
    }

    /// From [`MembershipStatus::code`].
    pub fn from_code(code: &str) -> Option<MembershipStatus> {
        [MembershipStatus::Active, MembershipStatus::Pending]
            .into_iter()
            .find(|status| status.code() == code)
    }
}

text_enum!(MembershipStatus, "membership status");

/// What a one-time link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    /// First password of an invited account.
    Invitation,
    /// New password for an account that lost it.
    Reset,
}

impl TokenPurpose {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            TokenPurpose::Invitation => "invitation",
            TokenPurpose::Reset => "reset",
        }
    }
}

/// Normalises an e-mail for storage and lookup.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Looks a user up by e-mail.
pub async fn by_email<'e>(db: impl Into<Exec<'e>>, email: &str) -> sqlx::Result<Option<UserRow>> {
    on_db!(db, c => sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
    ))
    .bind(normalise_email(email))
    .fetch_optional(&mut *c).await)
}

/// Looks a user up by id.
pub async fn by_id(db: &Db, user_id: UserId) -> sqlx::Result<Option<UserRow>> {
    on_db!(db, c => sqlx::query_as::<_, UserRow>(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(user_id)
        .fetch_optional(&mut *c).await)
}

/// Looks a user up by calendar subscription token (compared through its hash).
pub async fn by_calendar_token(db: &Db, token: &str) -> sqlx::Result<Option<UserRow>> {
    on_db!(db, c => sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE calendar_token_hash = $1"
    ))
    .bind(token_hash(token))
    .fetch_optional(&mut *c).await)
}

/// Creates an account without password (the person sets it through a one-time link).
pub async fn create<'e>(
    db: impl Into<Exec<'e>>,
    email: &str,
    display_name: &str,
    is_admin: bool,
) -> sqlx::Result<UserId> {
    let row: (UserId,) = on_db!(db, c => sqlx::query_as(
        "INSERT INTO users (email, display_name, is_admin, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(normalise_email(email))
    .bind(display_name.trim())
    .bind(is_admin)
    .bind(Instant::now())
    .fetch_one(&mut *c).await)?;
    Ok(row.0)
}

/// Stores a new password hash.
pub async fn set_password_hash(db: &Db, user_id: UserId, hash: &str) -> sqlx::Result<()> {
    on_db!(db, c => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Creates an organisation.
pub async fn create_organisation(db: &Db, name: &str) -> sqlx::Result<OrgId> {
    let row: (OrgId,) = on_db!(db, c => sqlx::query_as("INSERT INTO organisations (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name.trim())
            .bind(Instant::now())
            .fetch_one(&mut *c).await)?;
    Ok(row.0)
}

/// Every organisation, by name.
pub async fn organisations(db: &Db) -> sqlx::Result<Vec<(OrgId, String)>> {
    on_db!(db, c => sqlx::query_as("SELECT id, name FROM organisations ORDER BY name")
        .fetch_all(&mut *c).await)
}

/// Adds an active membership. An existing membership is left as it is: its role changes only
/// through [`set_role`], its status only through [`answer_invitation`].
pub async fn add_membership(
    db: &Db,
    user_id: UserId,
    organisation_id: OrgId,
    role: Role,
) -> sqlx::Result<()> {
    join(db, user_id, organisation_id, role, MembershipStatus::Active).await?;
    Ok(())
}

/// Adds a membership with `status`; returns false (and changes nothing) when the person already
/// has one in that organisation.
pub async fn join<'e>(
    db: impl Into<Exec<'e>>,
    user_id: UserId,
    organisation_id: OrgId,
    role: Role,
    status: MembershipStatus,
) -> sqlx::Result<bool> {
    let done = on_db!(db, c => sqlx::query(
        "INSERT INTO memberships (user_id, organisation_id, role, created_at, status) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, organisation_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(organisation_id)
    .bind(role.code())
    .bind(Instant::now())
    .bind(status.code())
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(done == 1)
}

/// A person's membership of one organisation: its role and whether it is still pending.
pub async fn membership<'e>(
    db: impl Into<Exec<'e>>,
    user_id: UserId,
    organisation_id: OrgId,
) -> sqlx::Result<Option<(Role, MembershipStatus)>> {
    on_db!(db, c => sqlx::query_as(
        "SELECT role, status FROM memberships WHERE user_id = $1 AND organisation_id = $2",
    )
    .bind(user_id)
    .bind(organisation_id)
    .fetch_optional(&mut *c).await)
}

/// How many memberships (any status) a person has.
pub async fn membership_count<'e>(db: impl Into<Exec<'e>>, user_id: UserId) -> sqlx::Result<i64> {
    on_db!(db, c => sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *c).await)
}

/// A user's memberships with `status`, by organisation name.
async fn memberships_with(
    db: &Db,
    user_id: UserId,
    status: MembershipStatus,
) -> sqlx::Result<Vec<Membership>> {
    let rows: Vec<(OrgId, String, Role)> = on_db!(db, c => sqlx::query_as(
        "SELECT o.id, o.name, m.role FROM memberships m JOIN organisations o ON o.id = m.organisation_id
         WHERE m.user_id = $1 AND m.status = $2 ORDER BY o.name",
    )
    .bind(user_id)
    .bind(status.code())
    .fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(organisation_id, organisation_name, role)| Membership {
            organisation_id,
            organisation_name,
            role,
        })
        .collect())
}

/// A user's active memberships (those that give access), by organisation name.
pub async fn memberships(db: &Db, user_id: UserId) -> sqlx::Result<Vec<Membership>> {
    memberships_with(db, user_id, MembershipStatus::Active).await
}

/// Invitations to join an organisation that wait for the user's answer, by organisation name.
pub async fn pending_memberships(db: &Db, user_id: UserId) -> sqlx::Result<Vec<Membership>> {
    memberships_with(db, user_id, MembershipStatus::Pending).await
}

/// Accepts (the membership becomes active) or declines (it is deleted) a pending invitation;
/// returns false when there was no such pending invitation.
pub async fn answer_invitation(
    db: &Db,
    user_id: UserId,
    organisation_id: OrgId,
    accept: bool,
) -> sqlx::Result<bool> {
    let pending = MembershipStatus::Pending.code();
    let done = if accept {
        on_db!(db, c => sqlx::query(
            "UPDATE memberships SET status = $1 WHERE user_id = $2 AND organisation_id = $3 AND status = $4",
        )
        .bind(MembershipStatus::Active.code())
        .bind(user_id)
        .bind(organisation_id)
        .bind(pending)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?
    } else {
        on_db!(db, c => sqlx::query(
            "DELETE FROM memberships WHERE user_id = $1 AND organisation_id = $2 AND status = $3",
        )
        .bind(user_id)
        .bind(organisation_id)
        .bind(pending)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?
    };
    Ok(done == 1)
}

/// The organisation a person acts for after signing in: their first active membership.
pub async fn default_organisation(db: &Db, user_id: UserId) -> sqlx::Result<Option<OrgId>> {
    on_db!(db, c => sqlx::query_scalar(
        "SELECT organisation_id FROM memberships WHERE user_id = $1 AND status = $2
         ORDER BY created_at, organisation_id LIMIT 1",
    )
    .bind(user_id)
    .bind(MembershipStatus::Active.code())
    .fetch_optional(&mut *c).await)
}

/// Members of an organisation by name; pending invitations too when `with_pending`.
async fn members_where(
    db: &Db,
    organisation_id: OrgId,
    with_pending: bool,
) -> sqlx::Result<Vec<MemberRow>> {
    on_db!(db, c => sqlx::query_as::<_, MemberRow>(
        "SELECT u.id AS user_id, u.display_name, u.email, m.role, (u.password_hash IS NOT NULL) AS active,
                (m.status = $2) AS pending
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.organisation_id = $1 AND (m.status <> $2 OR $3) ORDER BY u.display_name",
    )
    .bind(organisation_id)
    .bind(MembershipStatus::Pending.code())
    .bind(with_pending)
    .fetch_all(&mut *c).await)
}

/// Active members of an organisation, by name (meeting invitations pick from these).
pub async fn members(db: &Db, organisation_id: OrgId) -> sqlx::Result<Vec<MemberRow>> {
    members_where(db, organisation_id, false).await
}

/// Active members and pending invitations of an organisation, by name (the members page).
pub async fn members_and_invitations(
    db: &Db,
    organisation_id: OrgId,
) -> sqlx::Result<Vec<MemberRow>> {
    members_where(db, organisation_id, true).await
}

/// Why a role could not be changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleChange {
    /// Changed (or already that role).
    Done,
    /// The person has no membership (active or pending) in the organisation.
    NotMember,
    /// It would leave the organisation without an active coordinator.
    LastCoordinator,
}

/// Changes a member's role in an organisation, refusing to remove its last active coordinator.
pub async fn set_role(
    db: &Db,
    organisation_id: OrgId,
    user_id: UserId,
    role: Role,
) -> sqlx::Result<RoleChange> {
    let mut tx = db.begin_write().await?;
    let Some((current, status)) = membership(&mut tx, user_id, organisation_id).await? else {
        return Ok(RoleChange::NotMember);
    };
    if current == Role::Coordinator
        && role != Role::Coordinator
        && status == MembershipStatus::Active
    {
        let coordinators: i64 = on_db!(&mut tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships WHERE organisation_id = $1 AND role = $2 AND status = $3",
        )
        .bind(organisation_id)
        .bind(Role::Coordinator.code())
        .bind(MembershipStatus::Active.code())
        .fetch_one(&mut *c).await)?;
        if coordinators <= 1 {
            return Ok(RoleChange::LastCoordinator);
        }
    }
    on_db!(&mut tx, c => sqlx::query("UPDATE memberships SET role = $1 WHERE user_id = $2 AND organisation_id = $3")
        .bind(role.code())
        .bind(user_id)
        .bind(organisation_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(RoleChange::Done)
}

/// Issues a one-time link token for `purpose`, valid for `valid_for`; only its hash is stored.
pub async fn create_password_token<'e>(
    db: impl Into<Exec<'e>>,
    user_id: UserId,
    purpose: TokenPurpose,
    valid_for: Duration,
) -> sqlx::Result<String> {
    let token = random_token();
    let issued = Utc::now();
    on_db!(db, c => sqlx::query(
        "INSERT INTO password_tokens (token_hash, user_id, expires_at, purpose, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(Instant(issued + valid_for))
    .bind(purpose.code())
    .bind(Instant(issued))
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(token)
}

/// How many one-time links for `purpose` a user was issued during the last `within`.
pub async fn recent_password_tokens<'e>(
    db: impl Into<Exec<'e>>,
    user_id: UserId,
    purpose: TokenPurpose,
    within: Duration,
) -> sqlx::Result<i64> {
    on_db!(db, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_tokens WHERE user_id = $1 AND purpose = $2 AND created_at > $3",
    )
    .bind(user_id)
    .bind(purpose.code())
    .bind(Instant(Utc::now() - within))
    .fetch_one(&mut *c).await)
}

/// Whether a one-time token is usable; returns its user.
pub async fn password_token_user(db: &Db, token: &str) -> sqlx::Result<Option<UserId>> {
    let row: Option<(UserId, Instant, Option<Instant>)> = on_db!(db, c => sqlx::query_as(
        "SELECT user_id, expires_at, used_at FROM password_tokens WHERE token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(&mut *c).await)?;
    Ok(row.and_then(|(user_id, expires_at, used_at)| {
        (used_at.is_none() && expires_at.0 > Utc::now()).then_some(user_id)
    }))
}

/// Uses a one-time token, atomically: sets the password, burns the token and every other
/// unused link of the account, and ends all of its sessions (whoever knew the old password or
/// held an older link is out).
pub async fn consume_password_token(
    db: &Db,
    token: &str,
    password_hash: &str,
) -> sqlx::Result<Option<UserId>> {
    let mut tx = db.begin().await?;
    let used_at = Instant::now();
    let used = on_db!(&mut tx, c => sqlx::query_as::<_, (UserId,)>(
        "UPDATE password_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
         RETURNING user_id",
    )
    .bind(used_at)
    .bind(token_hash(token))
    .fetch_optional(&mut *c).await)?;
    let Some((user_id,)) = used else {
        return Ok(None);
    };
    on_db!(&mut tx, c => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    on_db!(&mut tx, c => sqlx::query("UPDATE password_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(used_at)
        .bind(user_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    on_db!(&mut tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    // Browsers trusted through an earlier sign-in lose their exemption from throttling too.
    on_db!(&mut tx, c => sqlx::query("DELETE FROM trusted_devices WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(Some(user_id))
}

/// Replaces (or revokes, with None) the calendar subscription token; only its hash is stored.
pub async fn set_calendar_token(db: &Db, user_id: UserId, token: Option<&str>) -> sqlx::Result<()> {
    on_db!(db, c => sqlx::query("UPDATE users SET calendar_token_hash = $1 WHERE id = $2")
        .bind(token.map(token_hash))
        .bind(user_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}
