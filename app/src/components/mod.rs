//! Reusable widgets.

pub mod draft;
pub mod field;
pub mod nav;
pub mod pii_editor;

use leptos::prelude::*;

use crate::api::session::{SessionView, CSRF_FIELD};
use crate::error::AppError;

/// The session of this page load (see [`SessionView`]).
pub fn use_session() -> SessionView {
    use_context::<SessionView>().unwrap_or_default()
}

/// The hidden anti-forgery field every state-changing form carries.
#[component]
pub fn CsrfField() -> impl IntoView {
    let token = use_session().csrf_token;
    view! { <input type="hidden" name=CSRF_FIELD value=token/> }
}

/// A French error banner, announced to screen readers.
#[component]
pub fn ErrorBanner(error: AppError) -> impl IntoView {
    view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }
}

/// Shows the outcome of a form action: the error banner, or `success` once it succeeded.
#[component]
pub fn ActionOutcome<T>(
    value: MappedSignal<Option<Result<T, AppError>>>,
    #[prop(into)] success: String,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    move || match value.get() {
        Some(Err(error)) => view! { <ErrorBanner error/> }.into_any(),
        Some(Ok(_)) => {
            view! { <p class="alert alert-ok" role="status">{success.clone()}</p> }.into_any()
        }
        None => ().into_any(),
    }
}

/// "Chargement…" placeholder.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted" aria-live="polite">"Chargement…"</p> }
}
