//! The navigation bar: current organisation (and the switch), main sections, profile, sign-out.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{use_session, CsrfField};
use crate::domain::permissions::{may, Action};

/// Top navigation.
#[component]
pub fn Nav() -> impl IntoView {
    let session = use_session();
    let Some(viewer) = session.viewer else {
        return view! {
            <header class="topbar">
                <a class="skip-link" href="#contenu" target="_self">"Aller au contenu"</a>
                <span class="brand">"Concerto"</span>
            </header>
        }
        .into_any();
    };
    let current_id = viewer.current.as_ref().map(|m| m.organisation_id);
    let switcher = (viewer.memberships.len() > 1).then(|| {
        let options = viewer
            .memberships
            .iter()
            .map(|m| {
                let selected = Some(m.organisation_id) == current_id;
                view! { <option value=m.organisation_id.to_string() selected=selected>{m.organisation_name.clone()}</option> }
            })
            .collect_view();
        view! {
            <form method="post" action="/auth/organisation" class="org-switch">
                <CsrfField/>
                <label for="org-select" class="visually-hidden">"Organisation"</label>
                <select id="org-select" name="organisation_id">{options}</select>
                <button type="submit" class="button-small">"Changer"</button>
            </form>
        }
    });
    let current_name = viewer
        .current
        .as_ref()
        .map(|m| m.organisation_name.clone())
        .unwrap_or_default();
    // Only the sections the viewer may open: the organisation's pages need a current membership
    // with the right (an administrator without membership has none of them); the agenda, the
    // text check and the profile only need to be signed in.
    let role = viewer.current.as_ref().map(|m| m.role);
    let allowed = |action: Action| role.is_some_and(|role| may(role, action));
    let meetings = allowed(Action::ViewMeetings);
    let members = allowed(Action::ManageMembers);
    view! {
        <header class="topbar">
            <a class="skip-link" href="#contenu" target="_self">"Aller au contenu"</a>
            <A href="/agenda" attr:class="brand">"Concerto"</A>
            <span class="org-name" title="Organisation courante">{current_name}</span>
            {switcher}
            <nav aria-label="Navigation principale">
                <ul>
                    {meetings.then(|| view! { <li><A href="/reunions">"Réunions"</A></li> })}
                    <li><A href="/agenda">"Mon agenda"</A></li>
                    {meetings.then(|| view! { <li><A href="/cas">"Cas"</A></li> })}
                    <li><A href="/verifier">"Vérifier un texte"</A></li>
                    {members.then(|| view! { <li><A href="/membres">"Membres"</A></li> })}
                    {members.then(|| view! { <li><A href="/journal">"Journal"</A></li> })}
                    {members.then(|| view! { <li><A href="/territoire">"Mots du territoire"</A></li> })}
                    {viewer.is_admin.then(|| view! { <li><A href="/admin">"Administration"</A></li> })}
                    <li><A href="/profil">"Profil"</A></li>
                </ul>
            </nav>
            <form method="post" action="/auth/logout" class="logout">
                <CsrfField/>
                <span class="user-name">{viewer.display_name.clone()}</span>
                <button type="submit" class="button-small button-quiet">"Se déconnecter"</button>
            </form>
        </header>
    }
    .into_any()
}
