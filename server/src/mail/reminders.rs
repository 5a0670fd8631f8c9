//! The day-before reminder: each occurrence starting within 24 hours gets one reminder for its
//! invitees who accepted, hesitated or did not answer. The claim is a database update, so it
//! happens exactly once even across restarts or with several workers.

use std::time::Duration;

use app::backend::db::meetings as store;
use app::backend::notifications::{queue, Notice, Recipient, Scope};
use app::backend::AppState;

/// How far ahead reminders go out.
pub fn reminder_window() -> chrono::Duration {
    chrono::Duration::hours(24)
}

/// Queues reminders for every due meeting; returns how many meetings were reminded.
pub async fn queue_due_reminders(state: &AppState) -> sqlx::Result<usize> {
    let due = store::due_reminders(&state.db, reminder_window()).await?;
    let mut reminded = 0;
    for meeting in due {
        let invitees = store::invitees(&state.db, meeting.id).await?;
        let recipients: Vec<Recipient> = invitees
            .iter()
            .filter(|i| i.rsvp().wants_reminder())
            .map(|i| Recipient {
                email: i.email.clone(),
                name: i.display_name.clone(),
            })
            .collect();
        let mut tx = state.db.begin().await?;
        if !store::claim_reminder(&mut tx, meeting.id).await? {
            continue;
        }
        let dedup = format!("reminder:{}", meeting.id);
        queue(
            &mut tx,
            &state.settings.base_url,
            &meeting,
            Scope::Meeting,
            Notice::Reminder,
            &recipients,
            Some(&dedup),
        )
        .await?;
        tx.commit().await?;
        reminded += 1;
    }
    if reminded > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(reminded)
}

/// Checks for due reminders every `every`.
pub async fn run(state: AppState, every: Duration) {
    loop {
        if let Err(error) = queue_due_reminders(&state).await {
            tracing::error!(%error, "reminder pass failed");
        }
        tokio::time::sleep(every).await;
    }
}
