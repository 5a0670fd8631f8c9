//! The e-mail outbox: rows are written with the change they announce and delivered later.

use sqlx::{FromRow, Sqlite, SqlitePool, Transaction};

use super::now;

/// An e-mail to send.
#[derive(Clone, Debug, Default)]
pub struct NewMail {
    /// Recipient address.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body, French.
    pub body_text: String,
    /// Meeting whose calendar goes attached.
    pub ics_meeting_id: Option<i64>,
    /// "meeting" (one event or occurrence) or "series" (the whole series).
    pub ics_scope: Option<String>,
    /// "REQUEST" or "CANCEL".
    pub ics_method: Option<String>,
    /// Set to make the row unique (reminders): a second insert is ignored.
    pub dedup_key: Option<String>,
}

/// A row waiting for delivery.
#[derive(Clone, Debug, FromRow)]
pub struct PendingMail {
    /// Id.
    pub id: i64,
    /// Recipient.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body_text: String,
    /// Meeting for the attachment.
    pub ics_meeting_id: Option<i64>,
    /// Scope of the attachment.
    pub ics_scope: Option<String>,
    /// Method of the attachment.
    pub ics_method: Option<String>,
    /// Failed attempts so far.
    pub attempts: i64,
}

/// Queues an e-mail inside the caller's transaction.
pub async fn enqueue(tx: &mut Transaction<'_, Sqlite>, mail: &NewMail) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outbox (recipient, subject, body_text, ics_meeting_id, ics_scope, ics_method, dedup_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(&mail.recipient)
    .bind(&mail.subject)
    .bind(&mail.body_text)
    .bind(mail.ics_meeting_id)
    .bind(&mail.ics_scope)
    .bind(&mail.ics_method)
    .bind(&mail.dedup_key)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The oldest undelivered rows (giving up after 10 attempts).
pub async fn pending(pool: &SqlitePool, limit: i64) -> sqlx::Result<Vec<PendingMail>> {
    sqlx::query_as::<_, PendingMail>(
        "SELECT id, recipient, subject, body_text, ics_meeting_id, ics_scope, ics_method, attempts
         FROM outbox WHERE sent_at IS NULL AND attempts < 10 ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Marks a row delivered.
pub async fn mark_sent(pool: &SqlitePool, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox SET sent_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Records a failed attempt.
pub async fn mark_failed(pool: &SqlitePool, id: i64, error: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2")
        .bind(error)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
