//! One file per route.

mod admin;
mod agenda;
mod auth;
mod check_text;
mod meeting;
mod meeting_form;
mod meetings;
mod members;
mod profile;

pub use admin::AdminPage;
pub use agenda::AgendaPage;
pub use auth::{LoginPage, SetPasswordPage};
pub use check_text::CheckTextPage;
pub use meeting::MeetingPage;
pub use meeting_form::{EditMeetingPage, NewMeetingPage};
pub use meetings::MeetingsPage;
pub use members::MembersPage;
pub use profile::ProfilePage;

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::components::use_session;

/// Shows `children` to signed-in people; sends everyone else to the sign-in page.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    if use_session().viewer.is_some() {
        children().into_any()
    } else {
        view! { <Redirect path="/login"/> }.into_any()
    }
}

/// `/`: the agenda for signed-in people, the sign-in page for others.
#[component]
pub fn Home() -> impl IntoView {
    if use_session().viewer.is_some() {
        view! { <Redirect path="/agenda"/> }.into_any()
    } else {
        view! { <Redirect path="/login"/> }.into_any()
    }
}

/// 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1>"Page introuvable"</h1>
        <p>"Cette page n'existe pas ou vous n'y avez pas accès."</p>
        <p><a href="/">"Retour à l'accueil"</a></p>
    }
}
