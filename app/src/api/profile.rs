//! The profile page (calendar subscription link) and passwords: setting one through a one-time
//! link, asking for such a link when it is forgotten.

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
    /// Whether a private subscription link is active (its URL is shown only when created).
    pub calendar_active: bool,
}

/// The viewer's profile.
#[server(endpoint = "profile", input = GetUrl)]
pub async fn get_profile() -> Result<Profile, AppError> {
    crate::backend::respond(async {
        let viewer = crate::backend::viewer()?;
        let state = crate::backend::state()?;
        let user = crate::backend::db::users::by_id(&state.db, viewer.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(Profile {
            name: user.display_name,
            email: user.email,
            calendar_active: user.has_calendar_token,
        })
    })
    .await
}

/// Creates a new private calendar link (the old one stops working) and returns its URL, the only
/// time it is shown (only a hash is kept); or revokes it when `revoke` is "true" (returns None).
#[server(endpoint = "profile/calendar-token")]
pub async fn renew_calendar_token(
    csrf_token: String,
    #[server(default)] revoke: String,
) -> Result<Option<String>, AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    crate::backend::respond(async {
        let viewer = crate::backend::viewer()?;
        let state = crate::backend::state()?;
        let token = (revoke != "true").then(crate::backend::security::random_token);
        crate::backend::db::users::set_calendar_token(&state.db, viewer.user_id, token.as_deref())
            .await?;
        Ok(token.map(|token| format!("{}/calendar/{token}.ics", state.settings.base_url)))
    })
    .await
}

/// What the "forgotten password" form answers, whether an account exists or not.
pub const RESET_REQUESTED: &str =
    "Si un compte existe pour cette adresse, un e-mail avec un lien vient d'être envoyé.";

/// Mails a one-time link (valid 2 hours) to set a new password, if an account has this address.
/// The answer is the same whether it exists or not; at most 3 such e-mails per account and hour.
#[server(endpoint = "password/forgot")]
pub async fn forgot_password(csrf_token: String, email: String) -> Result<(), AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    crate::backend::respond(ssr::forgot(email)).await
}

/// Sets a password through a one-time link, then sends the person to the sign-in page. Every
/// session of the account ends and its other links stop working.
#[server(endpoint = "password/set")]
pub async fn set_password(
    csrf_token: String,
    token: String,
    password: String,
    confirmation: String,
) -> Result<(), AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    crate::backend::respond(ssr::set_password(token, password, confirmation)).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use chrono::Duration;

    use super::*;
    use crate::backend::db::outbox::{enqueue, NewMail};
    use crate::backend::db::users::{self, TokenPurpose};
    use crate::backend::security::{hash_password, MIN_PASSWORD_CHARS};

    /// How long a reset link stays valid.
    const RESET_VALID_HOURS: i64 = 2;
    /// Reset e-mails per account and hour.
    const RESETS_PER_HOUR: i64 = 3;

    /// The message shown for a link that cannot be used.
    const DEAD_LINK: &str = "Ce lien a expiré ou a déjà servi. Demandez un nouveau lien depuis « Mot de passe oublié » sur la page de connexion.";

    pub async fn forgot(email: String) -> Result<(), AppError> {
        if !crate::api::members::ssr::plausible_email(&email) {
            return Err(AppError::field("email", "L'adresse e-mail est invalide."));
        }
        let state = crate::backend::state()?;
        let mut tx = state.db.begin_write().await?;
        if let Some(user) = users::by_email(&mut tx, &email).await? {
            let recent = users::recent_password_tokens(
                &mut tx,
                user.id,
                TokenPurpose::Reset,
                Duration::hours(1),
            )
            .await?;
            if recent < RESETS_PER_HOUR {
                let token = users::create_password_token(
                    &mut tx,
                    user.id,
                    TokenPurpose::Reset,
                    Duration::hours(RESET_VALID_HOURS),
                )
                .await?;
                let link = format!("{}/mot-de-passe/{token}", state.settings.base_url);
                let body_text = format!(
                    "Bonjour {name},\n\nUn nouveau mot de passe a été demandé pour votre compte \
                     Concerto ({email}).\n\nChoisissez-le avec ce lien, valable {RESET_VALID_HOURS} \
                     heures et une seule fois :\n{link}\n\nSi vous n'avez rien demandé, ignorez ce \
                     message : votre mot de passe actuel reste valable.\n\n— Concerto\n",
                    name = user.display_name,
                    email = user.email,
                );
                enqueue(
                    &mut tx,
                    &NewMail {
                        recipient: user.email.clone(),
                        subject: "Choisir un nouveau mot de passe Concerto".to_string(),
                        body_text,
                        ..Default::default()
                    },
                )
                .await?;
            } else {
                tracing::warn!("password reset throttled");
            }
        }
        tx.commit().await?;
        state.mail_wakeup.notify_one();
        // Also a page of its own for forms sent without JavaScript.
        leptos_axum::redirect(&format!(
            "/mot-de-passe-oublie?info=sent&email={}",
            urlencode(&email)
        ));
        Ok(())
    }

    pub async fn set_password(
        token: String,
        password: String,
        confirmation: String,
    ) -> Result<(), AppError> {
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
        let dead_link = || AppError::field("token", DEAD_LINK);
        // Checked first so that a dead link costs no hashing.
        if users::password_token_user(&state.db, &token)
            .await?
            .is_none()
        {
            return Err(dead_link());
        }
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|error| {
                tracing::error!(%error, "password hashing task failed");
                AppError::Internal
            })?;
        let user_id = users::consume_password_token(&state.db, &token, &hash)
            .await?
            .ok_or_else(dead_link)?;
        let user = users::by_id(&state.db, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        leptos_axum::redirect(&format!(
            "/login?info=password_set&email={}",
            urlencode(&user.email)
        ));
        Ok(())
    }

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
}
