//! `/membres`: the organisation's members; coordinators invite new ones by e-mail.

use leptos::prelude::*;

use super::SignedIn;
use crate::api::members::{list_members, InviteMember};
use crate::components::field::{field_error, Field, SelectField};
use crate::components::{use_session, ActionOutcome, CsrfField, ErrorBanner, Loading};
use crate::domain::role::Role;

/// `/membres`.
#[component]
pub fn MembersPage() -> impl IntoView {
    view! { <SignedIn><Members/></SignedIn> }
}

#[component]
fn Members() -> impl IntoView {
    let invite = ServerAction::<InviteMember>::new();
    let value = invite.value();
    let members = Resource::new(move || invite.version().get(), |_| list_members());
    let is_coordinator = use_session().viewer.is_some_and(|v| v.is_coordinator());
    let roles: Vec<(String, String)> = Role::ALL
        .iter()
        .map(|r| (r.code().to_string(), r.label_fr().to_string()))
        .collect();
    view! {
        <h1>"Membres"</h1>
        {is_coordinator.then(|| view! {
            <section class="card">
                <h2>"Inviter un·e professionnel·le"</h2>
                <ActionOutcome value success="Invitation envoyée par e-mail."/>
                <ActionForm action=invite attr:novalidate=true>
                    <CsrfField/>
                    <div class="row">
                        <Field label="Nom affiché" name="display_name" required=true error=field_error(value, "display_name")/>
                        <Field label="Adresse e-mail" name="email" kind="email" required=true error=field_error(value, "email")/>
                        <SelectField label="Rôle" name="role" options=roles.clone() selected="gp" error=field_error(value, "role")/>
                    </div>
                    <button type="submit" class="button-primary">"Envoyer l'invitation"</button>
                </ActionForm>
            </section>
        })}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match members.await {
                    Ok(list) => view! {
                        <table class="members">
                            <thead><tr><th scope="col">"Nom"</th><th scope="col">"E-mail"</th><th scope="col">"Rôle"</th><th scope="col">"Compte"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|m| view! {
                                    <tr>
                                        <td>{m.name}</td>
                                        <td>{m.email}</td>
                                        <td>{m.role.label_fr()}</td>
                                        <td>{if m.active { "Actif" } else { "Invitation envoyée" }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
