//! The profile page: calendar subscription link.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the profile page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Private subscription URL, if one is active.
    pub calendar_url: Option<String>,
}

/// The viewer's profile.
#[server(endpoint = "profile", input = GetUrl)]
pub async fn get_profile() -> Result<Profile, AppError> {
    crate::backend::respond(async {
        let viewer = crate::backend::viewer()?;
        let state = crate::backend::state()?;
        let user = crate::backend::db::users::by_id(&state.pool, viewer.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(Profile {
            name: user.display_name,
            email: user.email,
            calendar_url: user
                .calendar_token
                .map(|token| format!("{}/calendar/{token}.ics", state.settings.base_url)),
        })
    })
    .await
}

/// Creates a new private calendar link (the old one stops working), or revokes it when
/// `revoke` is "true".
#[server(endpoint = "profile/calendar-token")]
pub async fn renew_calendar_token(
    csrf_token: String,
    #[server(default)] revoke: String,
) -> Result<(), AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    crate::backend::respond(async {
        let viewer = crate::backend::viewer()?;
        let state = crate::backend::state()?;
        let token = (revoke != "true").then(crate::backend::security::random_token);
        crate::backend::db::users::set_calendar_token(
            &state.pool,
            viewer.user_id,
            token.as_deref(),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Sets a password through a one-time link, then sends the person to the sign-in page.
#[server(endpoint = "password/set")]
pub async fn set_password(
    csrf_token: String,
    token: String,
    password: String,
    confirmation: String,
) -> Result<(), AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    crate::backend::respond(async {
        use crate::backend::security::{hash_password, MIN_PASSWORD_CHARS};
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AppError::field(
                "password",
                "Le mot de passe doit contenir au moins 10 caractères.",
            ));
        }
        if password != confirmation {
            return Err(AppError::field(
                "confirmation",
                "Les deux mots de passe ne sont pas identiques.",
            ));
        }
        let state = crate::backend::state()?;
        let hash = hash_password(&password);
        let user_id = crate::backend::db::users::consume_password_token(&state.pool, &token, &hash)
            .await?
            .ok_or_else(|| {
                AppError::field(
                    "token",
                    "Ce lien a expiré ou a déjà servi. Demandez une nouvelle invitation.",
                )
            })?;
        let user = crate::backend::db::users::by_id(&state.pool, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        leptos_axum::redirect(&format!(
            "/login?info=password_set&email={}",
            urlencode(&user.email)
        ));
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
