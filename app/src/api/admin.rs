//! Administration: organisations (administrators only).

use crate::domain::ids::OrgId;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::error::AppError;

/// Every organisation (administrators).
#[server(endpoint = "admin/organisations", input = GetUrl)]
pub async fn list_organisations() -> Result<Vec<(OrgId, String)>, AppError> {
    crate::backend::respond(async {
        let viewer = crate::backend::viewer()?;
        if !viewer.is_admin {
            return Err(AppError::Forbidden);
        }
        let state = crate::backend::state()?;
        Ok(crate::backend::db::users::organisations(&state.db).await?)
    })
    .await
}

/// Creates an organisation (administrators); the administrator becomes its coordinator so they
/// can invite its first members.
#[server(endpoint = "admin/organisations/create")]
pub async fn create_organisation(csrf_token: String, name: String) -> Result<OrgId, AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    crate::backend::respond(async {
        let viewer = crate::backend::viewer()?;
        if !viewer.is_admin {
            return Err(AppError::Forbidden);
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(AppError::field(
                "name",
                "Le nom de l'organisation est obligatoire (120 caractères au plus).",
            ));
        }
        let state = crate::backend::state()?;
        let id = crate::backend::db::users::create_organisation(&state.db, name)
            .await
            .map_err(|error| match AppError::from(error) {
                AppError::Conflict(_) => {
                    AppError::field("name", "Une organisation porte déjà ce nom.")
                }
                other => other,
            })?;
        crate::backend::db::users::add_membership(
            &state.db,
            viewer.user_id,
            id,
            crate::domain::role::Role::Coordinator,
        )
        .await?;
        leptos_axum::redirect(&crate::components::notices::with_success(
            "/admin",
            "organisation",
        ));
        Ok(id)
    })
    .await
}
