//! Reusable widgets.

pub mod draft;
pub mod field;
pub mod nav;
pub mod notices;
pub mod pii_editor;
pub mod print;

use leptos::prelude::*;

use crate::api::session::{SessionView, CSRF_FIELD};
use crate::error::AppError;

/// The session of this page load (see [`SessionView`]): on the server, from the request; in an
/// island in the browser, from the JSON the server wrote into the page (islands get no context
/// from the server-rendered page around them).
pub fn use_session() -> SessionView {
    if let Some(session) = use_context::<SessionView>() {
        return session;
    }
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static SESSION: SessionView = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(crate::SESSION_ELEMENT_ID))
                .and_then(|e| e.text_content())
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default();
        }
        return SESSION.with(Clone::clone);
    }
    #[allow(unreachable_code)]
    SessionView::default()
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
