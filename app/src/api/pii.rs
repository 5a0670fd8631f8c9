//! The server-side identifier check: the same detector the editor runs in the browser, so a
//! refusal can name the kind and the position.

use leptos::prelude::*;

use crate::domain::pii::Finding;
use crate::error::AppError;

/// Finds direct identifiers in a text (signed-in users).
#[server(endpoint = "pii/check")]
pub async fn check_text(csrf_token: String, text: String) -> Result<Vec<Finding>, AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    crate::backend::respond(async move {
        crate::backend::viewer()?;
        Ok(crate::domain::pii::find_identifiers(&text))
    })
    .await
}
