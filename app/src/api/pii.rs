//! The server-side identifier check (the same detector the editor runs in the browser, so a
//! refusal can name the kind and the position), and each territory's words: the organisation's
//! allow- and deny-lists that coordinators keep, and the "pas un identifiant" proposals of
//! clinicians.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::domain::pii::{Finding, Territory};
use crate::error::AppError;

/// One entry of an organisation's lists, as the coordinator's page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordView {
    /// Id.
    pub id: i64,
    /// `allow` ("pas un identifiant") or `deny` (to flag).
    pub list: String,
    /// The entry.
    pub entry: String,
    /// Waiting for a coordinator.
    pub pending: bool,
    /// "proposé par Dr X le …".
    pub origin: String,
}

/// Finds direct identifiers in a text (signed-in users), with the current organisation's words.
#[server(endpoint = "pii/check")]
pub async fn check_text(csrf_token: String, text: String) -> Result<Vec<Finding>, AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    crate::backend::respond(async move {
        let territory = ssr::current_territory().await?;
        Ok(crate::domain::pii::find_identifiers_in(&text, &territory))
    })
    .await
}

/// The current organisation's approved words, for the editor (loaded once the page is
/// interactive).
#[server(endpoint = "pii/territory", input = GetUrl)]
pub async fn get_territory() -> Result<Territory, AppError> {
    crate::backend::respond(ssr::current_territory()).await
}

/// "Pas un identifiant": proposes a highlighted passage for the organisation's allow-list.
/// Returns the French sentence the editor shows.
#[server(endpoint = "pii/propose")]
pub async fn propose_word(csrf_token: String, entry: String) -> Result<String, AppError> {
    let _ = csrf_token;
    crate::backend::respond(ssr::propose(entry)).await
}

/// The organisation's lists (coordinators).
#[server(endpoint = "pii/words", input = GetUrl)]
pub async fn list_words() -> Result<Vec<WordView>, AppError> {
    crate::backend::respond(ssr::words()).await
}

/// Adds an entry to the allow-list (`allow`) or the deny-list (`deny`) (coordinators).
#[server(endpoint = "pii/words/add")]
pub async fn add_word(
    csrf_token: String,
    #[server(default)] list: String,
    #[server(default)] entry: String,
) -> Result<(), AppError> {
    let _ = csrf_token;
    crate::backend::respond(async move {
        ssr::add(&list, &entry).await?;
        crate::backend::redirect_back("mot", "/territoire");
        Ok(())
    })
    .await
}

/// Approves a proposal (`approve`), refuses it or removes an entry (`remove`) (coordinators).
#[server(endpoint = "pii/words/decide")]
pub async fn decide_word(
    csrf_token: String,
    id: i64,
    #[server(default)] decision: String,
) -> Result<(), AppError> {
    let _ = csrf_token;
    crate::backend::respond(async move {
        let code = ssr::decide(id, &decision).await?;
        crate::backend::redirect_back(code, "/territoire");
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::backend::db::territory as store;
    use crate::backend::{current_member, state, viewer};
    use crate::domain::permissions::Action;
    use crate::domain::pii::normalise_entry;
    use crate::domain::recurrence::utc_to_local;
    use crate::domain::time::format_datetime_fr;

    pub async fn current_territory() -> Result<Territory, AppError> {
        let viewer = viewer()?;
        match viewer.current {
            Some(membership) => {
                Ok(store::territory(&state()?.db, membership.organisation_id).await?)
            }
            None => Ok(Territory::none()),
        }
    }

    fn checked(entry: &str) -> Result<String, AppError> {
        normalise_entry(entry).map_err(|error| AppError::field("entry", &error.to_string()))
    }

    pub async fn propose(entry: String) -> Result<String, AppError> {
        let (viewer, membership) = current_member(Action::ViewMeetings)?;
        let entry = checked(&entry)?;
        let added = store::add(
            &state()?.db,
            membership.organisation_id,
            "allow",
            &entry,
            "pending",
            viewer.user_id,
        )
        .await?;
        Ok(if added {
            format!("« {entry} » est proposé à la coordination : signalé jusqu'à son accord.")
        } else {
            format!("« {entry} » est déjà proposé ou accepté.")
        })
    }

    pub async fn words() -> Result<Vec<WordView>, AppError> {
        let (_, membership) = current_member(Action::ManageMembers)?;
        let paris = chrono_tz::Europe::Paris;
        Ok(store::list(&state()?.db, membership.organisation_id)
            .await?
            .into_iter()
            .map(|row| WordView {
                id: row.id,
                pending: row.status == "pending",
                origin: match &row.proposed_by_name {
                    Some(name) => format!(
                        "proposé par {name} le {}",
                        format_datetime_fr(utc_to_local(row.created_at.0, paris))
                    ),
                    None => format!(
                        "ajouté le {}",
                        format_datetime_fr(utc_to_local(row.created_at.0, paris))
                    ),
                },
                list: row.list,
                entry: row.entry,
            })
            .collect())
    }

    pub async fn add(list: &str, entry: &str) -> Result<(), AppError> {
        let (viewer, membership) = current_member(Action::ManageMembers)?;
        if !matches!(list, "allow" | "deny") {
            return Err(AppError::field("list", "Choisissez la liste."));
        }
        let entry = checked(entry)?;
        let added = store::add(
            &state()?.db,
            membership.organisation_id,
            list,
            &entry,
            "approved",
            viewer.user_id,
        )
        .await?;
        if !added {
            return Err(AppError::field(
                "entry",
                &format!("« {entry} » est déjà dans cette liste (ou proposé)."),
            ));
        }
        Ok(())
    }

    pub async fn decide(id: i64, decision: &str) -> Result<&'static str, AppError> {
        let (viewer, membership) = current_member(Action::ManageMembers)?;
        let db = &state()?.db;
        let done = match decision {
            "approve" => store::approve(db, membership.organisation_id, id, viewer.user_id).await?,
            "remove" => store::remove(db, membership.organisation_id, id).await?,
            _ => return Err(AppError::NotFound),
        };
        if !done {
            return Err(AppError::NotFound);
        }
        Ok(if decision == "approve" {
            "mot_accepte"
        } else {
            "mot_retire"
        })
    }
}
