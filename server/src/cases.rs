//! Upkeep of written advice requests: a request still without an avis after the organisation's
//! delay (7 days by default) is e-mailed once to its coordinators (code and waiting time only,
//! no clinical content); the case lists flag it too. The claim is a database update, so each
//! request is flagged once, even with several processes.

use std::time::Duration;

use app::backend::db::cases as store;
use app::backend::db::outbox::{enqueue, NewMail};
use app::backend::db::users;
use app::backend::AppState;
use app::domain::cases::{overdue, CaseCode};
use app::domain::role::Role;
use chrono::{DateTime, Utc};

/// Time between two passes.
const EVERY: Duration = Duration::from_secs(3600);

/// E-mails the coordinators about every request overdue at `now`; returns how many requests
/// were flagged.
pub async fn flag_overdue_requests(state: &AppState, now: DateTime<Utc>) -> sqlx::Result<usize> {
    let mut flagged = 0;
    for request in store::waiting_requests(&state.db).await? {
        let days = (now - request.submitted_at.0).num_days();
        if !overdue(days, request.answer_days) {
            continue;
        }
        let coordinators: Vec<_> = users::members(&state.db, request.organisation_id)
            .await?
            .into_iter()
            .filter(|m| m.role == Role::Coordinator)
            .collect();
        let code = CaseCode::new(request.code_year, request.code_number as u32);
        let mut tx = state.db.begin().await?;
        if !store::claim_overdue(&mut tx, request.id).await? {
            continue;
        }
        for person in coordinators {
            let mail = NewMail {
                recipient: person.email,
                subject: format!("Demande d'avis sans réponse depuis {days} jours : {code}"),
                body_text: format!(
                    "Bonjour {},\n\nLa demande d'avis {code} attend une réponse depuis {days} jours \
                     (délai de l'organisation : {} jours). Pour la voir :\n{}/cas/{}\n\n— Concerto\n",
                    person.display_name, request.answer_days, state.settings.base_url, request.id
                ),
                organisation_id: Some(request.organisation_id),
                ics_meeting_id: None,
                ics: None,
                dedup_key: Some(format!("overdue:{}:{}", request.id, person.user_id)),
            };
            enqueue(&mut tx, &mail).await?;
        }
        tx.commit().await?;
        state.mail_wakeup.notify_one();
        flagged += 1;
    }
    Ok(flagged)
}

/// Runs [`flag_overdue_requests`] now and every hour.
pub async fn run(state: AppState) {
    loop {
        match flag_overdue_requests(&state, Utc::now()).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "overdue advice requests flagged"),
            Err(error) => tracing::error!(%error, "overdue requests upkeep failed"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
