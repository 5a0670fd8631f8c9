//! The e-mail outbox: rows are written in the transaction of the change they announce and
//! delivered later. A worker *claims* rows before sending them (a lease that expires if the
//! process dies), so two processes never send the same message; a failed delivery is retried
//! with growing delays, and messages that keep failing are shown to the coordinator.

use chrono::{Duration, Utc};
use sqlx::FromRow;

use super::{on_db, skip_locked, Db, Instant, Tx};
use crate::domain::ids::{MeetingId, OrgId};

/// Delivery attempts before a message is given up.
pub const MAX_ATTEMPTS: i64 = 10;
/// Failed attempts after which coordinators see the message.
pub const SHOW_AFTER_ATTEMPTS: i64 = 3;

/// An e-mail to send.
#[derive(Clone, Debug, Default)]
pub struct NewMail {
    /// Recipient address.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body, French.
    pub body_text: String,
    /// The organisation whose coordinators see it if it cannot be delivered.
    pub organisation_id: Option<OrgId>,
    /// The meeting it is about (for reference only).
    pub ics_meeting_id: Option<MeetingId>,
    /// The calendar attachment's iTIP method ("REQUEST" or "CANCEL"), with its text.
    pub ics: Option<(String, String)>,
    /// Set to make the row unique (reminders): a second insert is ignored.
    pub dedup_key: Option<String>,
}

/// A claimed row, to deliver now.
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
    /// Method of the attachment.
    pub ics_method: Option<String>,
    /// The attachment, rendered when the message was queued.
    pub ics_text: Option<String>,
    /// Failed attempts so far.
    pub attempts: i64,
}

/// A message that could not be delivered, as coordinators see it.
#[derive(Clone, Debug, FromRow)]
pub struct FailingMail {
    /// Id.
    pub id: i64,
    /// Recipient.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Failed attempts.
    pub attempts: i64,
    /// The last error.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: Instant,
}

/// Queues an e-mail inside the caller's transaction.
pub async fn enqueue(tx: &mut Tx, mail: &NewMail) -> sqlx::Result<()> {
    let (method, text) = match &mail.ics {
        Some((method, text)) => (Some(method.as_str()), Some(text.as_str())),
        None => (None, None),
    };
    on_db!(&mut *tx, c => sqlx::query(
        "INSERT INTO outbox (recipient, subject, body_text, organisation_id, ics_meeting_id, ics_method, ics_text,
            dedup_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(&mail.recipient)
    .bind(&mail.subject)
    .bind(&mail.body_text)
    .bind(mail.organisation_id)
    .bind(mail.ics_meeting_id)
    .bind(method)
    .bind(text)
    .bind(&mail.dedup_key)
    .bind(Instant::now())
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Claims up to `limit` rows due for delivery for `lease`: one statement, so two workers
/// (threads or processes) never claim the same row. A claim that is neither marked sent nor
/// failed (the process died) expires after the lease and the row is claimed again.
pub async fn claim(db: &Db, limit: i64, lease: Duration) -> sqlx::Result<Vec<PendingMail>> {
    let now_instant = Utc::now();
    // PostgreSQL: rows another worker is claiming right now are skipped, not claimed twice
    // (SQLite runs one writer at a time).
    on_db!(db, c => sqlx::query_as::<_, PendingMail>(&format!(
        "UPDATE outbox SET claimed_until = $1
         WHERE id IN (
             SELECT id FROM outbox
             WHERE sent_at IS NULL AND attempts < $2
               AND (claimed_until IS NULL OR claimed_until < $3)
               AND (next_attempt_at IS NULL OR next_attempt_at <= $3)
             ORDER BY id LIMIT $4 {})
         RETURNING id, recipient, subject, body_text, ics_method, ics_text, attempts",
        skip_locked(&*c)
    ))
    .bind(Instant(now_instant + lease))
    .bind(MAX_ATTEMPTS)
    .bind(Instant(now_instant))
    .bind(limit)
    .fetch_all(&mut *c).await)
    .map(|mut rows| {
        rows.sort_by_key(|row| row.id);
        rows
    })
}

/// Marks a row delivered.
pub async fn mark_sent(db: &Db, id: i64) -> sqlx::Result<()> {
    on_db!(db, c => sqlx::query("UPDATE outbox SET sent_at = $1, claimed_until = NULL WHERE id = $2")
        .bind(Instant::now())
        .bind(id)
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// The delay before the next attempt after `failures` failed ones: 30 s, doubling, at most
/// 6 hours.
pub fn retry_delay(failures: i64) -> Duration {
    let exponent = failures.clamp(1, 12) - 1;
    (Duration::seconds(30) * 2i32.pow(exponent as u32)).min(Duration::hours(6))
}

/// Records a failed attempt and releases the claim; the next attempt waits [`retry_delay`].
pub async fn mark_failed(db: &Db, mail: &PendingMail, error: &str) -> sqlx::Result<()> {
    let failures = mail.attempts + 1;
    on_db!(db, c => sqlx::query(
        "UPDATE outbox SET attempts = $1, last_error = $2, claimed_until = NULL, next_attempt_at = $3
         WHERE id = $4",
    )
    .bind(failures)
    .bind(error)
    .bind(Instant(Utc::now() + retry_delay(failures)))
    .bind(mail.id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Undelivered messages of an organisation that failed at least [`SHOW_AFTER_ATTEMPTS`] times.
pub async fn failing(db: &Db, organisation_id: OrgId) -> sqlx::Result<Vec<FailingMail>> {
    on_db!(db, c => sqlx::query_as::<_, FailingMail>(
        "SELECT id, recipient, subject, attempts, last_error, created_at FROM outbox
         WHERE organisation_id = $1 AND sent_at IS NULL AND attempts >= $2 ORDER BY id DESC LIMIT 50",
    )
    .bind(organisation_id)
    .bind(SHOW_AFTER_ATTEMPTS)
    .fetch_all(&mut *c).await)
}

/// Makes an organisation's undelivered message due again now, with a fresh set of attempts.
/// Returns false when there is no such message.
pub async fn retry_now(db: &Db, organisation_id: OrgId, id: i64) -> sqlx::Result<bool> {
    let result = on_db!(db, c => sqlx::query(
        "UPDATE outbox SET attempts = 0, next_attempt_at = NULL
         WHERE id = $1 AND organisation_id = $2 AND sent_at IS NULL",
    )
    .bind(id)
    .bind(organisation_id)
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(result == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_stop_growing() {
        assert_eq!(retry_delay(1), Duration::seconds(30));
        assert_eq!(retry_delay(2), Duration::seconds(60));
        assert_eq!(retry_delay(5), Duration::seconds(480));
        assert_eq!(retry_delay(10), Duration::seconds(30 * 512));
        assert_eq!(retry_delay(12), Duration::hours(6));
        assert_eq!(retry_delay(50), Duration::hours(6));
    }
}
