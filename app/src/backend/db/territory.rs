//! Each territory's words for the identifier guard (see `domain::pii::Territory`): entries of an
//! organisation's allow- and deny-lists, approved or proposed.

use sqlx::FromRow;

use super::{on_db, Exec, Instant};
use crate::domain::ids::{OrgId, UserId};
use crate::domain::pii::{entry_key, Territory};

/// One entry, as the coordinator's page lists it.
#[derive(Clone, Debug, FromRow)]
pub struct WordRow {
    /// Id.
    pub id: i64,
    /// `allow` or `deny`.
    pub list: String,
    /// The entry as typed (spaces collapsed).
    pub entry: String,
    /// `pending` or `approved`.
    pub status: String,
    /// Who proposed it ("pas un identifiant").
    pub proposed_by_name: Option<String>,
    /// When it was added or proposed.
    pub created_at: Instant,
}

/// Every entry of an organisation: proposals first, then by list and entry.
pub async fn list<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
) -> sqlx::Result<Vec<WordRow>> {
    on_db!(db, c => sqlx::query_as::<_, WordRow>(
        "SELECT w.id, w.list, w.entry, w.status, u.display_name AS proposed_by_name, w.created_at
         FROM territory_words w LEFT JOIN users u ON u.id = w.proposed_by
         WHERE w.organisation_id = $1
         ORDER BY CASE WHEN w.status = 'pending' THEN 0 ELSE 1 END, w.list, w.entry_key",
    )
    .bind(organisation_id)
    .fetch_all(&mut *c).await)
}

/// The approved words of an organisation, ready to apply.
pub async fn territory<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
) -> sqlx::Result<Territory> {
    let rows: Vec<(String, String)> = on_db!(db, c => sqlx::query_as(
        "SELECT list, entry FROM territory_words WHERE organisation_id = $1 AND status = 'approved'",
    )
    .bind(organisation_id)
    .fetch_all(&mut *c).await)?;
    let pick = |wanted: &str| -> Vec<&str> {
        rows.iter()
            .filter(|(list, _)| list == wanted)
            .map(|(_, entry)| entry.as_str())
            .collect()
    };
    Ok(Territory::new(&pick("allow"), &pick("deny")))
}

/// Adds an entry (`status` approved by a coordinator, or pending when a clinician proposes it).
/// Returns false when the list already has it (proposed or approved).
pub async fn add<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
    list: &str,
    entry: &str,
    status: &str,
    by: UserId,
) -> sqlx::Result<bool> {
    let approved = status == "approved";
    let now = Instant::now();
    let added = on_db!(db, c => sqlx::query(
        "INSERT INTO territory_words (organisation_id, list, entry, entry_key, status, proposed_by, created_at,
             decided_by, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (organisation_id, list, entry_key) DO NOTHING",
    )
    .bind(organisation_id)
    .bind(list)
    .bind(entry)
    .bind(entry_key(entry))
    .bind(status)
    .bind((!approved).then_some(by))
    .bind(now)
    .bind(approved.then_some(by))
    .bind(approved.then_some(now))
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(added == 1)
}

/// Approves a proposal. Returns false when there is no such pending entry.
pub async fn approve<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
    id: i64,
    by: UserId,
) -> sqlx::Result<bool> {
    let done = on_db!(db, c => sqlx::query(
        "UPDATE territory_words SET status = 'approved', decided_by = $1, decided_at = $2
         WHERE id = $3 AND organisation_id = $4 AND status = 'pending'",
    )
    .bind(by)
    .bind(Instant::now())
    .bind(id)
    .bind(organisation_id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(done == 1)
}

/// Removes an entry (a refused proposal, or a word taken off a list).
pub async fn remove<'e>(
    db: impl Into<Exec<'e>>,
    organisation_id: OrgId,
    id: i64,
) -> sqlx::Result<bool> {
    let done = on_db!(db, c => sqlx::query("DELETE FROM territory_words WHERE id = $1 AND organisation_id = $2")
        .bind(id)
        .bind(organisation_id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(done == 1)
}
