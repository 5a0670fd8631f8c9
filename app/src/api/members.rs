//! Members of the current organisation; coordinators invite new members by e-mail.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::domain::role::Role;
use crate::error::AppError;

/// A member as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// User id.
    pub user_id: i64,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Whether the account has a password (invitation accepted).
    pub active: bool,
}

/// Members of the current organisation.
#[server(endpoint = "members/list", input = GetUrl)]
pub async fn list_members() -> Result<Vec<MemberView>, AppError> {
    ssr::respond(ssr::list()).await
}

/// Invites someone into the current organisation with a role (coordinators). A new person gets
/// an e-mail with a one-time link to set a password (valid 7 days); an existing account just
/// gains the membership.
#[server(endpoint = "members/invite")]
pub async fn invite_member(
    csrf_token: String,
    email: String,
    display_name: String,
    role: String,
) -> Result<(), AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    ssr::respond(ssr::invite(email, display_name, role)).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    pub use crate::backend::respond;

    use super::*;
    use crate::backend::db::outbox::{enqueue, NewMail};
    use crate::backend::db::users;
    use crate::backend::{current_member, state};
    use crate::domain::permissions::Action;

    pub async fn list() -> Result<Vec<MemberView>, AppError> {
        let (_, membership) = current_member(Action::ViewMembers)?;
        let state = state()?;
        Ok(users::members(&state.pool, membership.organisation_id)
            .await?
            .into_iter()
            .filter_map(|m| {
                Role::from_code(&m.role).map(|role| MemberView {
                    user_id: m.user_id,
                    name: m.display_name,
                    email: m.email,
                    role,
                    active: m.active,
                })
            })
            .collect())
    }

    /// Light e-mail syntax check: one @, something on each side, a dot in the domain.
    pub fn plausible_email(email: &str) -> bool {
        let email = email.trim();
        match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.contains(char::is_whitespace)
                    && !domain.contains('@')
            }
            None => false,
        }
    }

    /// Creates the account if needed and mails the one-time link; shared with the CLI.
    pub async fn invite_into(
        pool: &sqlx::SqlitePool,
        base_url: &str,
        organisation: Option<(i64, &str)>,
        email: &str,
        display_name: &str,
        role: Role,
    ) -> Result<Option<String>, AppError> {
        let existing = users::by_email(pool, email).await?;
        let (user_id, link) = match existing {
            Some(user) => (user.id, None),
            None => {
                let user_id = users::create(pool, email, display_name, false).await?;
                let token =
                    users::create_password_token(pool, user_id, chrono::Duration::days(7)).await?;
                (user_id, Some(format!("{base_url}/mot-de-passe/{token}")))
            }
        };
        let mut tx = pool.begin().await?;
        if let Some((organisation_id, organisation_name)) = organisation {
            tx.commit().await?;
            users::add_membership(pool, user_id, organisation_id, role).await?;
            tx = pool.begin().await?;
            let body_text = match &link {
                Some(link) => format!(
                    "Bonjour {display_name},\n\nVous êtes invité·e à rejoindre {organisation_name} sur Concerto \
                     ({role}).\n\nChoisissez votre mot de passe avec ce lien, valable 7 jours et une seule fois :\n{link}\n\n— Concerto\n",
                    role = role.label_fr()
                ),
                None => format!(
                    "Bonjour,\n\nVous avez désormais accès à {organisation_name} sur Concerto ({role}).\n\
                     Connectez-vous : {base_url}/login\n\n— Concerto\n",
                    role = role.label_fr()
                ),
            };
            enqueue(
                &mut tx,
                &NewMail {
                    recipient: users::normalise_email(email),
                    subject: format!("Invitation à rejoindre {organisation_name} sur Concerto"),
                    body_text,
                    ..Default::default()
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(link)
    }

    pub async fn invite(email: String, display_name: String, role: String) -> Result<(), AppError> {
        let (_, membership) = current_member(Action::ManageMembers)?;
        let mut fields = Vec::new();
        if !plausible_email(&email) {
            fields.push(crate::domain::meeting::FieldError {
                field: "email".into(),
                message: "L'adresse e-mail est invalide.".into(),
            });
        }
        if display_name.trim().is_empty() {
            fields.push(crate::domain::meeting::FieldError {
                field: "display_name".into(),
                message: "Le nom est obligatoire.".into(),
            });
        }
        let role = Role::from_code(role.trim());
        if role.is_none() {
            fields.push(crate::domain::meeting::FieldError {
                field: "role".into(),
                message: "Choisissez un rôle.".into(),
            });
        }
        if !fields.is_empty() {
            return Err(AppError::fields(fields));
        }
        let state = state()?;
        invite_into(
            &state.pool,
            &state.settings.base_url,
            Some((membership.organisation_id, &membership.organisation_name)),
            &email,
            &display_name,
            role.expect("checked"),
        )
        .await?;
        state.mail_wakeup.notify_one();
        Ok(())
    }
}
