//! E-mails that could not be delivered: coordinators see those of their organisation (after a
//! few failed attempts) and can have one retried at once.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An undelivered e-mail, as a coordinator sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailFailure {
    /// Id.
    pub id: i64,
    /// Recipient.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Failed attempts.
    pub attempts: i64,
    /// The last error, as the mail server gave it.
    pub last_error: String,
}

/// The current organisation's e-mails that failed several times (coordinators).
#[server(endpoint = "mail/undelivered", input = GetUrl)]
pub async fn undelivered_mail() -> Result<Vec<MailFailure>, AppError> {
    crate::backend::respond(async {
        use crate::backend::db::outbox;
        use crate::domain::permissions::Action;
        let (_, membership) = crate::backend::current_member(Action::ManageMeetings)?;
        let state = crate::backend::state()?;
        Ok(outbox::failing(&state.db, membership.organisation_id)
            .await?
            .into_iter()
            .map(|mail| MailFailure {
                id: mail.id,
                recipient: mail.recipient,
                subject: mail.subject,
                attempts: mail.attempts,
                last_error: mail.last_error.unwrap_or_default(),
            })
            .collect())
    })
    .await
}

/// Tries an undelivered e-mail of the current organisation again now (coordinators).
#[server(endpoint = "mail/retry")]
pub async fn retry_mail(csrf_token: String, id: i64) -> Result<(), AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    crate::backend::respond(async {
        use crate::backend::db::outbox;
        use crate::domain::permissions::Action;
        let (_, membership) = crate::backend::current_member(Action::ManageMeetings)?;
        let state = crate::backend::state()?;
        if !outbox::retry_now(&state.db, membership.organisation_id, id).await? {
            return Err(AppError::NotFound);
        }
        state.mail_wakeup.notify_one();
        crate::backend::redirect_back("relance", "/reunions");
        Ok(())
    })
    .await
}
