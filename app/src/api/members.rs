//! Members of the current organisation: coordinators invite by e-mail and change roles; people
//! invited with an existing account accept or decline joining another organisation.

use crate::domain::ids::{OrgId, UserId};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::api::session::Membership;
use crate::domain::role::Role;
use crate::error::AppError;

/// A member as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// User id.
    pub user_id: UserId,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Whether the account has a password (invitation accepted).
    pub active: bool,
    /// Whether the person has not yet accepted to join (no access until then).
    pub pending: bool,
}

/// Members of the current organisation, with the invitations still waiting for an answer.
#[server(endpoint = "members/list", input = GetUrl)]
pub async fn list_members() -> Result<Vec<MemberView>, AppError> {
    ssr::respond(ssr::list()).await
}

/// Invites someone into the current organisation with a role (coordinators). A new person gets
/// an e-mail with a one-time link to set a password (valid 7 days) and is a member at once; an
/// existing account must accept before it gets access. Re-inviting a member never changes their
/// role; it mails them a new link if they never set a password, else how to sign in.
#[server(endpoint = "members/invite")]
pub async fn invite_member(
    csrf_token: String,
    email: String,
    display_name: String,
    role: String,
) -> Result<(), AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    ssr::respond(async {
        ssr::invite(email, display_name, role).await?;
        crate::backend::redirect_back("membre", "/membres");
        Ok(())
    })
    .await
}

/// Changes a member's role in the current organisation (coordinators); an organisation always
/// keeps at least one coordinator.
#[server(endpoint = "members/set-role")]
pub async fn set_member_role(
    csrf_token: String,
    user_id: UserId,
    role: String,
) -> Result<(), AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    ssr::respond(async {
        ssr::set_role(user_id, role).await?;
        crate::backend::redirect_back("role", "/membres");
        Ok(())
    })
    .await
}

/// The viewer's invitations to join an organisation, waiting for their answer.
#[server(endpoint = "members/invitations", input = GetUrl)]
pub async fn my_invitations() -> Result<Vec<Membership>, AppError> {
    ssr::respond(ssr::invitations()).await
}

/// Accepts (`answer` = "accept") or declines ("decline") an invitation to join an organisation;
/// returns whether the viewer joined.
#[server(endpoint = "members/answer-invitation")]
pub async fn answer_invitation(
    csrf_token: String,
    organisation_id: OrgId,
    answer: String,
) -> Result<bool, AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    ssr::respond(async {
        let joined = ssr::answer(organisation_id, answer).await?;
        // A full page load: the menu then lists the organisation joined.
        leptos_axum::redirect(&crate::components::notices::with_success(
            "/agenda", "adhesion",
        ));
        Ok(joined)
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    pub use crate::backend::respond;

    use super::*;
    use crate::backend::db::outbox::{enqueue, NewMail};
    use crate::backend::db::users::{self, MembershipStatus, RoleChange, TokenPurpose};
    use crate::backend::{current_member, state, viewer};
    use crate::domain::meeting::FieldError;
    use crate::domain::permissions::Action;

    /// How long an invitation link stays valid.
    const INVITATION_VALID_DAYS: i64 = 7;

    pub async fn list() -> Result<Vec<MemberView>, AppError> {
        let (_, membership) = current_member(Action::ViewMembers)?;
        let state = state()?;
        Ok(
            users::members_and_invitations(&state.db, membership.organisation_id)
                .await?
                .into_iter()
                .map(|m| MemberView {
                    user_id: m.user_id,
                    name: m.display_name,
                    email: m.email,
                    role: m.role,
                    active: m.active,
                    pending: m.pending,
                })
                .collect(),
        )
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

    /// Where the invited person stands in the organisation, for the e-mail.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Standing {
        /// Joined now (a new account).
        Joined,
        /// Must accept before getting access.
        Pending,
        /// Already a member: a re-invitation.
        Member,
    }

    /// The invitation e-mail's text.
    fn invitation_text(
        name: &str,
        organisation: &str,
        role: Role,
        standing: Standing,
        link: Option<&str>,
        base_url: &str,
    ) -> String {
        let role = role.label_fr();
        let intro = match standing {
            Standing::Joined => {
                format!("Vous êtes invité·e à rejoindre {organisation} sur Concerto ({role}).")
            }
            Standing::Pending => format!(
                "Vous êtes invité·e à rejoindre {organisation} sur Concerto ({role}). Vous n'y aurez \
                 accès qu'après avoir accepté : connectez-vous, puis acceptez ou refusez \
                 l'invitation dans « Mon agenda » :\n{base_url}/agenda"
            ),
            Standing::Member => format!("Vous êtes membre de {organisation} sur Concerto ({role})."),
        };
        let access = match link {
            Some(link) => format!(
                "Choisissez votre mot de passe avec ce lien, valable {INVITATION_VALID_DAYS} jours \
                 et une seule fois :\n{link}"
            ),
            None => format!(
                "Connectez-vous avec votre adresse e-mail et votre mot de passe :\n{base_url}/login\n\n\
                 Mot de passe oublié ? Demandez un nouveau lien depuis « Mot de passe oublié » sur \
                 la page de connexion :\n{base_url}/mot-de-passe-oublie"
            ),
        };
        format!("Bonjour {name},\n\n{intro}\n\n{access}\n\n— Concerto\n")
    }

    /// Invites `email` into the organisation and mails them, in one transaction: creates the
    /// account if needed (a member at once), else adds a pending membership (an existing account
    /// joins only once its owner accepts), or leaves an existing membership as it is (role
    /// included). Accounts without a password get a new one-time link, returned.
    pub async fn invite_into(
        db: &crate::backend::db::Db,
        base_url: &str,
        (organisation_id, organisation_name): (OrgId, &str),
        email: &str,
        display_name: &str,
        role: Role,
    ) -> Result<Option<String>, AppError> {
        let mut tx = db.begin_write().await?;
        let (user_id, name, has_password) = match users::by_email(&mut tx, email).await? {
            Some(user) => (user.id, user.display_name, user.password_hash.is_some()),
            None => {
                let user_id = users::create(&mut tx, email, display_name, false).await?;
                (user_id, display_name.trim().to_string(), false)
            }
        };
        let (role, standing) = match users::membership(&mut tx, user_id, organisation_id).await? {
            Some((current, MembershipStatus::Pending)) => (current, Standing::Pending),
            Some((current, MembershipStatus::Active)) => (current, Standing::Member),
            None => {
                let status = if has_password || users::membership_count(&mut tx, user_id).await? > 0
                {
                    MembershipStatus::Pending
                } else {
                    MembershipStatus::Active
                };
                users::join(&mut tx, user_id, organisation_id, role, status).await?;
                match status {
                    MembershipStatus::Pending => (role, Standing::Pending),
                    MembershipStatus::Active => (role, Standing::Joined),
                }
            }
        };
        let link = if has_password {
            None
        } else {
            let token = users::create_password_token(
                &mut tx,
                user_id,
                TokenPurpose::Invitation,
                chrono::Duration::days(INVITATION_VALID_DAYS),
            )
            .await?;
            Some(format!("{base_url}/mot-de-passe/{token}"))
        };
        let subject = match standing {
            Standing::Member => format!("Votre accès à {organisation_name} sur Concerto"),
            _ => format!("Invitation à rejoindre {organisation_name} sur Concerto"),
        };
        enqueue(
            &mut tx,
            &NewMail {
                recipient: users::normalise_email(email),
                subject,
                body_text: invitation_text(
                    &name,
                    organisation_name,
                    role,
                    standing,
                    link.as_deref(),
                    base_url,
                ),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(link)
    }

    /// The role chosen in a form, or a French field error.
    fn parse_role(role: &str) -> Result<Role, FieldError> {
        Role::from_code(role.trim()).ok_or_else(|| FieldError {
            field: "role".into(),
            message: "Choisissez un rôle.".into(),
        })
    }

    pub async fn invite(email: String, display_name: String, role: String) -> Result<(), AppError> {
        let (_, membership) = current_member(Action::ManageMembers)?;
        let mut fields = Vec::new();
        if !plausible_email(&email) {
            fields.push(FieldError {
                field: "email".into(),
                message: "L'adresse e-mail est invalide.".into(),
            });
        }
        if display_name.trim().is_empty() {
            fields.push(FieldError {
                field: "display_name".into(),
                message: "Le nom est obligatoire.".into(),
            });
        }
        let role = parse_role(&role).map_err(|error| fields.push(error)).ok();
        let Some(role) = role.filter(|_| fields.is_empty()) else {
            return Err(AppError::fields(fields));
        };
        let state = state()?;
        invite_into(
            &state.db,
            &state.settings.base_url,
            (membership.organisation_id, &membership.organisation_name),
            &email,
            &display_name,
            role,
        )
        .await?;
        state.mail_wakeup.notify_one();
        Ok(())
    }

    pub async fn set_role(user_id: UserId, role: String) -> Result<(), AppError> {
        let (_, membership) = current_member(Action::ManageMembers)?;
        let role = parse_role(&role).map_err(|error| AppError::fields(vec![error]))?;
        let state = state()?;
        match users::set_role(&state.db, membership.organisation_id, user_id, role).await? {
            RoleChange::Done => Ok(()),
            RoleChange::NotMember => Err(AppError::NotFound),
            RoleChange::LastCoordinator => Err(AppError::field(
                "role",
                "L'organisation doit garder au moins un·e coordinateur·rice : donnez d'abord ce \
                 rôle à quelqu'un d'autre.",
            )),
        }
    }

    pub async fn invitations() -> Result<Vec<Membership>, AppError> {
        let viewer = viewer()?;
        let state = state()?;
        Ok(users::pending_memberships(&state.db, viewer.user_id).await?)
    }

    pub async fn answer(organisation_id: OrgId, answer: String) -> Result<bool, AppError> {
        let viewer = viewer()?;
        let accept = match answer.as_str() {
            "accept" => true,
            "decline" => false,
            _ => return Err(AppError::field("answer", "Réponse inconnue.")),
        };
        let state = state()?;
        if !users::answer_invitation(&state.db, viewer.user_id, organisation_id, accept).await? {
            return Err(AppError::NotFound);
        }
        Ok(accept)
    }
}
