//! One file per route.

mod admin;
mod agenda;
mod audit;
mod auth;
mod case_form;
mod cases;
mod check_text;
mod meeting;
mod meeting_form;
mod meetings;
mod members;
mod profile;
mod room;
pub(crate) mod staff;
mod territory;

pub use admin::AdminPage;
pub use agenda::AgendaPage;
pub use audit::AuditPage;
pub use auth::{ForgotPasswordPage, LoginPage, SetPasswordPage};
pub use case_form::EditCasePage;
pub use cases::{CasePage, CasesPage, NewCasePage};
pub use check_text::CheckTextPage;
pub use meeting::MeetingPage;
pub use meeting_form::{EditMeetingPage, NewMeetingPage};
pub use meetings::MeetingsPage;
pub use members::MembersPage;
pub use profile::ProfilePage;
pub use room::{GuestRoomPage, RoomPage};
pub use staff::{MeetingAgendaPage, RcpRecordsPage, SessionPage, SignInSheetPage};
pub use territory::TerritoryPage;

use crate::domain::ids::MeetingId;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

use crate::components::use_session;

/// The numeric `:id` of the current route (0 when missing or malformed: the server answers 404).
pub fn route_id() -> impl Fn() -> MeetingId + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<MeetingId>().ok())
            .unwrap_or_default()
    }
}

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
